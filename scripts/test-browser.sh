#!/usr/bin/env bash
# The browser tests: tests/browser/*.test.mjs drive Debian's headless Chromium
# (/usr/bin/chromium, from scripts/install-deps.sh) through npm playwright-core against a real
# `medscribe serve`. Installs the pinned node modules when they are missing or older than
# package-lock.json (never a downloaded browser), then runs the tests one file at a time.
#   MEDSCRIBE_BIN   the binary under test (default target/debug/medscribe)
#   UPDATE_SCREENSHOTS=1  also copy the tests' screenshots to docs/screenshots/
#   scripts/test-browser.sh [TEST FILE...]   (default: every tests/browser/*.test.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."
export MEDSCRIBE_BIN="${MEDSCRIBE_BIN:-target/debug/medscribe}"
[ -x "$MEDSCRIBE_BIN" ] || { echo "test-browser: no medscribe binary at $MEDSCRIBE_BIN (cargo build)" >&2; exit 1; }
chromium="${MEDSCRIBE_CHROMIUM:-/usr/bin/chromium}"
[ -x "$chromium" ] || { echo "test-browser: $chromium is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }

dir=tests/browser
if [ ! -d "$dir/node_modules" ] || [ ! -f "$dir/node_modules/.package-lock.json" ] \
   || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
  echo "test-browser: npm ci in $dir"
  (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi

if [ $# -gt 0 ]; then files=("$@"); else files=("$dir"/*.test.mjs); fi
rc=0
node --test --test-concurrency=1 --test-timeout="${BROWSER_TEST_TIMEOUT_MS:-300000}" "${files[@]}" || rc=$?
exit $rc
