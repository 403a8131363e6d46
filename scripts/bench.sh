#!/usr/bin/env bash
# `make bench`: medscribe vs faster-whisper on shared/eval, side by side in one run.
# Each configuration transcribes all 24 dictations with one model load; the peer runs the
# same tiny.en weights (int8, 2 threads, greedy). Every hypothesis file is scored with
# shared/eval/score.sh (MedWER). Writes docs/benchmarks.md and prints the table.
#   scripts/bench.sh [EVAL_DIR]     (default ../shared/eval)
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=$(cd "${1:-../shared/eval}" && pwd)
out=target/bench; mkdir -p "$out"
bench=$(ls -t target/release/deps/eval-* 2>/dev/null | grep -v '\.d$' | head -1)
[ -x "$bench" ] || { cargo bench --bench eval --no-run >/dev/null 2>&1; bench=$(ls -t target/release/deps/eval-* | grep -v '\.d$' | head -1); }
for m in tiny.en base; do [ -f "models/$m.bin" ] || target/release/medscribe models fetch "$m"; done

configs=(
  "tiny.en raw Whisper text (no formatting)|--model tiny.en --raw --threads 2"
  "tiny.en medscribe (formatting)|--model tiny.en --threads 2"
  "tiny.en medscribe + general vocabulary prompt|--model tiny.en --prime --threads 2"
  "tiny.en medscribe + surgery,urology prompt|--model tiny.en --vocab surgery,urology --threads 2"
  "tiny.en-q8_0 medscribe|--model tiny.en-q8_0 --threads 2"
  "tiny.en-q5_1 medscribe|--model tiny.en-q5_1 --threads 2"
  "base medscribe|--model base --threads 2"
)
rows=()
score() { "$eval_dir/score.sh" "$1" "$eval_dir" | python3 -c '
import sys,re; s=sys.stdin.read(); w=re.search(r"\bwer\W+([0-9.]+)",s,re.I); m=re.search(r"medical_wer\W+([0-9.]+)",s,re.I)
print((w.group(1) if w else "?")+" "+(m.group(1) if m else "?"))'; }
peer_line=$("$eval_dir/peer.sh" "$out/peer.jsonl" int8 | tail -1)
peer_rtf=$(echo "$peer_line" | sed -E 's/.*RTF ([0-9.]+).*/\1/')
read -r pw pm <<<"$(score "$out/peer.jsonl")"
rows+=("| faster-whisper int8 (peer) | $peer_rtf | 1.00 | $pw | $pm | - | - |")
for c in "${configs[@]}"; do
  label=${c%%|*}; args=${c#*|}; name=$(echo "$label" | tr -c 'a-z0-9.\n' '_')
  [ -f "models/$(echo "$args" | awk '{print $2}').bin" ] || { rows+=("| $label | (model not installed) | | | | | |"); continue; }
  j=$("$bench" "$eval_dir" "$out/$name.jsonl" $args)
  rtf=$(echo "$j" | python3 -c 'import json,sys;print("%.4f"%json.load(sys.stdin)["rtf"])')
  load=$(echo "$j" | python3 -c 'import json,sys;print("%.2f"%json.load(sys.stdin)["load_s"])')
  rss=$(echo "$j" | python3 -c 'import json,sys;print("%.0f"%json.load(sys.stdin)["peak_rss_mb"])')
  read -r w m <<<"$(score "$out/$name.jsonl")"
  ratio=$(python3 -c "print('%.2f'%($rtf/$peer_rtf))")
  rows+=("| $label | $rtf | $ratio | $w | $m | $load | $rss |")
done
{
  echo "| system | real-time factor | RTF ÷ peer | WER | medical WER | model load (s) | peak RSS (MB) |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} | tee "$out/table.md"
