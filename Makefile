# medscribe: the two commands a newcomer needs are `make demo` and `make test`.
# Both install what is missing (Debian packages, the default Whisper model), then build.
# Everything is idempotent: a second run only rebuilds what changed.

CARGO ?= cargo
BIN := target/debug/medscribe
MODEL := models/tiny.en.bin
SAMPLE := tests/fixtures/referral-dictation.flac
OUT ?= out

.PHONY: demo test deps build model bench lint clean-out

deps:
	@scripts/install-deps.sh

build: deps
	$(CARGO) build

$(MODEL):
	$(MAKE) build
	$(BIN) models fetch tiny.en

model: build $(MODEL)

demo: model
	@mkdir -p $(OUT)
	$(BIN) letter $(SAMPLE) --template referral-letter \
	    --data tests/fixtures/letters/referral-letter.toml -o $(OUT)/referral-letter.docx

test: model
	$(CARGO) test -- --test-threads=1

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

bench: model
	$(CARGO) test --bench check
	scripts/bench.sh
