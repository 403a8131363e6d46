#!/usr/bin/env bash
# Department throughput: the same 60 short dictations through one `medscribe serve`
# (--workers 0) and 1, 2 and 4 `medscribe worker` processes on one PostgreSQL; prints audio
# hours transcribed per wall-clock hour for each, and the table to target/bench/scale.md.
#
# The 60 dictations are 10-second stretches of real speech cut from shared/eval's dictations
# (three from each of the first 20). Workers share the machine's cores (threads = cores /
# workers, at least 1). Run it on a quiet machine.
#   scripts/scale.sh [EVAL_DIR] [WORKER_COUNTS...]
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=$(cd "${1:-../shared/eval}" && pwd)
shift || true
if [ $# -gt 0 ]; then counts=("$@"); else counts=(1 2 4); fi
bin=target/release/medscribe
[ -x "$bin" ] || cargo build --release
out=target/bench/scale
rm -rf "$out"; mkdir -p "$out/clips"
eval "$(scripts/test-postgres.sh start)"
cores=$(nproc)

n=0
for f in $(ls "$eval_dir"/audio/*.flac | head -20); do
  for start in 5 20 35; do
    sox "$f" -r 16000 -c 1 "$out/clips/c$n.wav" trim "$start" 10
    n=$((n + 1))
  done
done
audio_s=$(for c in "$out"/clips/*.wav; do soxi -D "$c"; done | awk '{s+=$1} END {printf "%.1f", s}')

table="| worker processes | threads each | wall (s) | audio (s) | audio hours per hour |
| --- | --- | --- | --- | --- |"
for w in "${counts[@]}"; do
  psql "$MEDSCRIBE_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS medscribe_scale_$w" >/dev/null
  psql "$MEDSCRIBE_TEST_PG_URL" -qc "CREATE DATABASE medscribe_scale_$w" >/dev/null
  db="${MEDSCRIBE_TEST_PG_URL%/*}/medscribe_scale_$w"
  dir="$out/data$w"; mkdir -p "$dir"
  $bin users add drscale --role author --database "$db" --data-dir "$dir" >/dev/null
  token=$($bin users token drscale --database "$db" --data-dir "$dir")
  $bin serve --addr 127.0.0.1:0 --workers 0 --database "$db" --data-dir "$dir" > "$out/serve$w.out" 2>"$out/serve$w.err" &
  serve=$!
  for _ in $(seq 50); do grep -q http "$out/serve$w.out" 2>/dev/null && break; sleep 0.2; done
  url=$(grep -o 'http://[0-9.:]*' "$out/serve$w.out")
  threads=$(( cores / w )); [ "$threads" -ge 1 ] || threads=1
  for c in "$out"/clips/*.wav; do
    curl -sf -H "Authorization: Bearer $token" -F "audio=@$c" "$url/api/dictations" >/dev/null
  done
  t0=$(date +%s.%N)
  pids=()
  for _ in $(seq "$w"); do
    $bin worker --model tiny.en --threads "$threads" --database "$db" --data-dir "$dir" >/dev/null 2>>"$out/workers$w.err" &
    pids+=($!)
  done
  while [ "$(psql "$db" -Atc "SELECT COUNT(*) FROM dictations WHERE status IN ('review','failed')")" -lt 60 ]; do
    sleep 0.5
  done
  t1=$(date +%s.%N)
  kill "${pids[@]}" "$serve" 2>/dev/null || true
  wait 2>/dev/null || true
  failed=$(psql "$db" -Atc "SELECT COUNT(*) FROM dictations WHERE status = 'failed'")
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
  rate=$(awk -v a="$audio_s" -v w="$wall" 'BEGIN {print a / w}')
  row=$(printf "| %d | %d | %.1f | %.0f | %.1f |" "$w" "$threads" "$wall" "$audio_s" "$rate")
  [ "$failed" = 0 ] || row="$row ($failed failed)"
  echo "$row"
  table="$table
$row"
done
printf '%s\n' "$table" > target/bench/scale.md
echo; cat target/bench/scale.md
