#!/usr/bin/env bash
# A private PulseAudio with a null sink, and ALSA routed to it, for trying `medscribe record`
# without a sound card (the same setup tests/record.rs makes for each test).
#   eval "$(scripts/pulse-test-env.sh start)"   # prints the exports; starts the server
#   paplay --device=medscribe_test speech.wav & target/debug/medscribe record --max-seconds 5
#   scripts/pulse-test-env.sh stop              # uses $MEDSCRIBE_PULSE_DIR from start
set -euo pipefail
case "${1:-}" in
start)
  for t in pulseaudio pactl paplay; do
    command -v "$t" >/dev/null || { echo "$t missing: run make deps" >&2; exit 1; }
  done
  dir=$(mktemp -d "${TMPDIR:-/tmp}/medscribe-pulse.XXXXXX")
  mkdir -p "$dir/home" "$dir/run/pulse"
  printf 'pcm.!default { type pulse }\nctl.!default { type pulse }\n' >"$dir/home/.asoundrc"
  export HOME="$dir/home" XDG_RUNTIME_DIR="$dir/run" PULSE_RUNTIME_PATH="$dir/run/pulse" \
         PULSE_SERVER="unix:$dir/run/pulse/native"
  pulseaudio --daemonize=no -n --exit-idle-time=-1 --use-pid-file=no --disable-shm=yes \
    --log-target=stderr \
    --load="module-null-sink sink_name=medscribe_test rate=48000 channels=2" \
    --load="module-native-protocol-unix auth-anonymous=1 socket=$dir/run/pulse/native" \
    </dev/null >/dev/null 2>"$dir/pulse.log" &
  echo $! >"$dir/pid"
  for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  pactl info >/dev/null 2>&1 || { cat "$dir/pulse.log" >&2; exit 1; }
  pactl set-default-source medscribe_test.monitor
  echo "export MEDSCRIBE_PULSE_DIR='$dir' HOME='$HOME' XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR'" \
       "PULSE_RUNTIME_PATH='$PULSE_RUNTIME_PATH' PULSE_SERVER='$PULSE_SERVER'"
  ;;
stop)
  dir="${MEDSCRIBE_PULSE_DIR:?run start first (eval its output)}"
  [ -f "$dir/pid" ] && kill "$(cat "$dir/pid")" 2>/dev/null || true
  rm -rf "$dir"
  ;;
*) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
