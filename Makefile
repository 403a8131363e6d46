# medscribe: the two commands a newcomer needs are `make demo` and `make test`.
# Both install what is missing (Debian packages, the default Whisper model), then build.
# Everything is idempotent: a second run only rebuilds what changed.

CARGO ?= cargo
# The binary a user runs is the optimised release build; the tests use the dev profile.
BIN := target/release/medscribe
DEV_BIN := target/debug/medscribe
MODEL := models/tiny.en.bin
SAMPLE := tests/fixtures/referral-dictation.flac
OUT ?= out

.PHONY: demo test deps build dev-build model dev-model bench bench-scale lint clean-out install

deps:
	@scripts/install-deps.sh

build: deps
	$(CARGO) build --release

dev-build: deps
	$(CARGO) build

model: build
	@[ -f $(MODEL) ] || $(BIN) models fetch tiny.en

dev-model: dev-build
	@[ -f $(MODEL) ] || $(DEV_BIN) models fetch tiny.en

demo: model
	@mkdir -p $(OUT)
	$(BIN) letter $(SAMPLE) --template referral-letter \
	    --data tests/fixtures/letters/referral-letter.toml -o $(OUT)/referral-letter.docx

# The tests start a throw-away PostgreSQL (scripts/test-postgres.sh) for the store and the
# department tests; it is stopped again whatever the outcome. Then the browser tests
# (scripts/test-browser.sh: the web pages in headless Chromium) run against the dev build;
# `make test` fails if either part failed.
test: dev-model
	@eval "$$(scripts/test-postgres.sh start)"; \
	$(CARGO) test -- --test-threads=1; rc=$$?; \
	MEDSCRIBE_BIN=$(DEV_BIN) scripts/test-browser.sh || rc=1; \
	scripts/test-postgres.sh stop; exit $$rc

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

# An optimised medscribe on the PATH that finds its templates and models without the
# source tree: PREFIX/bin/medscribe, PREFIX/share/medscribe/{templates,models}.
# The vocabulary is built into the binary. `sudo make install` or PREFIX=~/.local.
PREFIX ?= /usr/local
install: model
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/medscribe/models
	install -m 755 target/release/medscribe $(DESTDIR)$(PREFIX)/bin/medscribe
	rm -rf $(DESTDIR)$(PREFIX)/share/medscribe/templates
	cp -r templates $(DESTDIR)$(PREFIX)/share/medscribe/templates
	install -m 644 $(MODEL) $(DESTDIR)$(PREFIX)/share/medscribe/models/
	@echo "installed $(DESTDIR)$(PREFIX)/bin/medscribe; service set-up: docs/deploy.md"

# Benchmarks, side by side with the faster-whisper peer in one run (docs/benchmarks.md):
# speed.sh (one dictation per process, a pool through the service, live recording, memory),
# the checker's timing, the configuration table and department scaling.
bench: model
	scripts/speed.sh
	$(CARGO) test --bench check
	@echo "queries on Whisper's medical-term errors (issue 15; README: 70 of 88, precision 80.8%):"
	../shared/eval/flags.sh $(BIN)
	scripts/bench.sh
	scripts/scale.sh

# Department throughput alone: 60 dictations through 1, 2 and 4 worker processes.
bench-scale: model
	scripts/scale.sh
