#!/usr/bin/env bash
# `make bench`, part 1: medscribe against faster-whisper (shared/eval's peer: int8, the same
# tiny.en weights, 2 threads, greedy), side by side in one run, as a user waits for them:
#
#   A. one dictation per process, model load included (`medscribe transcribe FILE`, the
#      optimised build), for every dictation of the eval set; the peer transcribes the same
#      files in one process (model loaded once), first and last, so its two timings show the
#      noise; WER and medical WER by shared/eval/score.sh; peak memory per process.
#   B. a pool: the same dictations queued to `medscribe serve` (SQLite) and transcribed by
#      its in-process workers (one shared model, a state per worker): audio hours per hour.
#   C. live recording: a 3.3-minute dictation (d07 + d19) played in real time into a private
#      PulseAudio null sink while `medscribe record` captures and transcribes it; the time
#      from Enter to the transcript on disk, and whether its words are the file path's.
#
# Prints one Markdown table and writes it to target/bench/speed.md. Run it on a quiet machine.
#   scripts/speed.sh [EVAL_DIR]
# MEDSCRIBE_COMPARE_BIN=path/to/older/medscribe adds that binary to part A (before/after).
# MEDSCRIBE_SPEED_PARTS=A (or AB, ABC: the default) runs only those parts.
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=$(cd "${1:-../shared/eval}" && pwd)
out=target/bench/speed
rm -rf "$out"; mkdir -p "$out"
bin=target/release/medscribe
[ -x "$bin" ] || cargo build --release
[ -f models/tiny.en-bf16.bin ] || $bin models fetch tiny.en --quantize bf16 >/dev/null
venv=${MEDSCRIBE_PEER_VENV:-$HOME/.cache/medscribe-peer}
export MEDSCRIBE_MODEL=tiny.en

mapfile -t ids < <(python3 -c 'import json,sys
for l in open(sys.argv[1]): print(json.loads(l)["id"])' "$eval_dir/dictations.jsonl")
audio_s=$(python3 -c 'import json,sys
print(sum(json.loads(l)["seconds"] for l in open(sys.argv[1])))' "$eval_dir/dictations.jsonl")

now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }
score() { # HYPS.jsonl -> "WER | medical WER"
  "$eval_dir/score.sh" "$1" "$eval_dir" | python3 -c 'import json,sys
d=json.loads(sys.stdin.read().strip().splitlines()[-1]); print("%.1f%% | %.1f%%"%(100*d["wer"],100*d["medical_wer"]))'
}
peer() { # OUT.jsonl -> wall seconds of the whole set (one process); peak RSS in $out/peer.rss
  "$eval_dir/peer.sh" "$out/warm.jsonl" int8 >/dev/null 2>&1 || true # installs the peer once
  local t0; t0=$(now)
  /usr/bin/time -o "$out/peer.rss" -f %M "$venv/bin/python" "$eval_dir/peer_faster_whisper.py" \
    "$eval_dir" "$venv/tiny.en" "$1" int8 >/dev/null
  calc "$(now) - $t0"
}
per_process() { # MODEL OUT.jsonl [BIN [OPTION...]] -> wall seconds; peak RSS (KB) in OUT.rss
  local model=$1 hyps=$2 bin=${3:-$bin} t0 rss=0 r
  local extra=("${@:4}")
  : >"$hyps"; t0=$(now)
  for id in "${ids[@]}"; do
    /usr/bin/time -o "$out/one.rss" -f %M $bin transcribe "$eval_dir/audio/$id.flac" \
      --model "$model" --format json "${extra[@]}" >"$out/one.json" 2>/dev/null
    r=$(cat "$out/one.rss"); [ "$r" -gt "$rss" ] && rss=$r
    python3 -c 'import json,sys
print(json.dumps({"id": sys.argv[1], "text": json.load(open(sys.argv[2]))["text"]}))' \
      "$id" "$out/one.json" >>"$hyps"
  done
  echo "$rss" >"${hyps%.jsonl}.rss"
  calc "$(now) - $t0"
}
mb() { calc "round($(cat "$1") / 1024)"; }

rows=()
row() { rows+=("$1"); echo "$1"; }

# --- A. one dictation per process -------------------------------------------------------
p1=$(peer "$out/peer1.jsonl")
row "| A | faster-whisper int8 (peer, first run; one process, model loaded once) | $(printf %.1f "$p1") | 1.00 | $(score "$out/peer1.jsonl") | $(mb "$out/peer.rss") |"
if [ -n "${MEDSCRIBE_COMPARE_BIN:-}" ]; then
  w=$(per_process tiny.en "$out/compare.jsonl" "$MEDSCRIBE_COMPARE_BIN")
  row "| A | $MEDSCRIBE_COMPARE_BIN transcribe, tiny.en, one process per dictation | $(printf %.1f "$w") | $(printf %.2f "$(calc "$w / $p1")") | $(score "$out/compare.jsonl") | $(mb "$out/compare.rss") |"
fi
# The second look (issue 15: medical readings of doubtful words scored against the audio)
# is on by default; this row shows what it costs.
w=$(per_process tiny.en "$out/no-look.jsonl" "$bin" --no-second-look)
row "| A | medscribe transcribe, tiny.en, \`--no-second-look\` | $(printf %.1f "$w") | $(printf %.2f "$(calc "$w / $p1")") | $(score "$out/no-look.jsonl") | $(mb "$out/no-look.rss") |"
for m in tiny.en tiny.en-bf16; do
  w=$(per_process "$m" "$out/$m.jsonl")
  row "| A | medscribe transcribe, $m, one process per dictation | $(printf %.1f "$w") | $(printf %.2f "$(calc "$w / $p1")") | $(score "$out/$m.jsonl") | $(mb "$out/$m.rss") |"
done
p2=$(peer "$out/peer2.jsonl")
row "| A | faster-whisper int8 (peer, last run) | $(printf %.1f "$p2") | $(printf %.2f "$(calc "$p2 / $p1")") | | | $(mb "$out/peer.rss") |"
pm=$(calc "($p1 + $p2) / 2")

parts=${MEDSCRIBE_SPEED_PARTS:-ABC}
finish() {
  {
    echo "| part | system | wall (s) | ÷ peer / rate | WER | medical WER | peak RSS (MB) |"
    echo "| --- | --- | --- | --- | --- | --- | --- |"
    printf '%s\n' "${rows[@]}"
  } >target/bench/speed.md
  echo; cat target/bench/speed.md
}
[[ $parts == *B* ]] || { finish; exit 0; }

# --- B. a pool of the 24 dictations through the service's workers -------------------------
pool() { # WORKERS THREADS -> wall seconds from the workers' start to the last transcript
  local w=$1 t=$2 dir="$out/pool$1x$2" url token t0 n
  mkdir -p "$dir"
  $bin users add drpool --role author --data-dir "$dir" >/dev/null
  token=$($bin users token drpool --data-dir "$dir")
  $bin serve --addr 127.0.0.1:0 --workers 0 --data-dir "$dir" >"$dir/s0.out" 2>"$dir/s0.err" &
  local s=$!
  for _ in $(seq 100); do grep -q http "$dir/s0.out" 2>/dev/null && break; sleep 0.1; done
  url=$(grep -o 'http://[0-9.:]*' "$dir/s0.out")
  for id in "${ids[@]}"; do
    curl -sf -H "Authorization: Bearer $token" -F "audio=@$eval_dir/audio/$id.flac" \
      "$url/api/dictations" >/dev/null
  done
  kill "$s"; wait "$s" 2>/dev/null || true
  t0=$(now)
  $bin serve --addr 127.0.0.1:0 --workers "$w" --threads "$t" --data-dir "$dir" >"$dir/s1.out" 2>"$dir/s1.err" &
  s=$!
  while :; do
    n=$(sqlite3 "$dir/medscribe.db" "SELECT COUNT(*) FROM dictations WHERE status IN ('review','failed')" 2>/dev/null || echo 0)
    [ "$n" -ge "${#ids[@]}" ] && break
    sleep 0.2
  done
  calc "$(now) - $t0"
  kill "$s"; wait "$s" 2>/dev/null || true
}
cores=$(nproc)
row "| B | faster-whisper int8 (peer; the same files one after another, mean of its two runs) | $(printf %.1f "$pm") | $(printf %.1f "$(calc "$audio_s / $pm")") audio h/h | | | |"
for wt in "1 $cores" "$cores 1"; do
  read -r w t <<<"$wt"
  s=$(pool "$w" "$t")
  label="medscribe serve, $w worker(s) x $t thread(s)"
  [ "$w" = "$cores" ] && label="$label (the default)"
  row "| B | $label | $(printf %.1f "$s") | $(printf %.1f "$(calc "$audio_s / $s")") audio h/h | | | |"
done

[[ $parts == *C* ]] || { finish; exit 0; }

# --- C. live recording: Enter to transcript ---------------------------------------------
eval "$(scripts/pulse-test-env.sh start)"
trap 'scripts/pulse-test-env.sh stop' EXIT
sox "$eval_dir/audio/d07.flac" "$eval_dir/audio/d19.flac" "$out/live-speech.wav"
live_s=$(soxi -D "$out/live-speech.wav")
mkfifo "$out/keys"
$bin record -o "$out/live.wav" <"$out/keys" >"$out/live.out" 2>"$out/live.err" &
rec=$!
exec 3>"$out/keys"
for _ in $(seq 100); do grep -q 'recording from' "$out/live.err" 2>/dev/null && break; sleep 0.1; done
paplay --device=medscribe_test "$out/live-speech.wav"
sleep 0.3
t0=$(now)
echo >&3
while [ ! -f "$out/live.json" ] && kill -0 "$rec" 2>/dev/null; do sleep 0.02; done
t_ready=$(calc "$(now) - $t0")
exec 3>&-
wait "$rec" || true
ready_line=$(grep 'transcript ready' "$out/live.err" || echo "no transcript: $(tail -2 "$out/live.err")")
$bin transcribe "$out/live.wav" --format json >"$out/live-file.json" 2>/dev/null
same=$(python3 -c 'import json,sys
a,b=json.load(open(sys.argv[1])),json.load(open(sys.argv[2]))
print("same words and times" if a["segments"]==b["segments"] else "DIFFERENT words")' "$out/live.json" "$out/live-file.json")
t_file0=$(now)
$bin transcribe "$out/live.wav" --format json >/dev/null 2>&1
t_file=$(calc "$(now) - $t_file0")
row "| C | medscribe record, $(printf %.0f "$live_s")-s dictation: Enter to transcript on disk | $(printf %.2f "$t_ready") | | | | |"
row "| C | (the same recording transcribed after the fact: medscribe transcribe) | $(printf %.2f "$t_file") | | $same | | |"
echo "live: $ready_line" >&2
finish
