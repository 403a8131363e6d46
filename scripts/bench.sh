#!/usr/bin/env bash
# `make bench`: medscribe vs faster-whisper on shared/eval, side by side in one run.
#
# The peer (shared/eval/peer.sh's faster-whisper, int8, same tiny.en weights, 2 threads,
# greedy) runs first and last, so the spread of its two timings shows how noisy the machine
# was. Each medscribe configuration transcribes every dictation with one model load
# (benches/eval.rs, 2 threads). Every hypothesis file is scored with shared/eval/score.sh.
# Prints a Markdown table and writes it to target/bench/table.md.
#
#   scripts/bench.sh [EVAL_DIR] [CONFIG_FILE]
# CONFIG_FILE: lines "label|benches/eval.rs flags"; default: the configurations below.
# Run it on a quiet machine: whisper.cpp's worker threads slow down sharply when the cores
# are shared with anything else.
set -euo pipefail
cd "$(dirname "$0")/.."
eval_dir=$(cd "${1:-../shared/eval}" && pwd)
out=target/bench
mkdir -p "$out"

# The eval harness, built with the project's usual profile (whisper.cpp at -O3, native).
bench=$(cargo test --bench eval --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m["target"]["name"]=="eval" and m.get("executable"): print(m["executable"])' | tail -1)
[ -x "$bench" ] || { echo "bench: could not build benches/eval.rs (cargo test --bench eval --no-run)" >&2; exit 1; }

# The quantized model the default table compares (imported from the same CT2 weights).
[ -f models/tiny.en-q8_0.bin ] || target/release/medscribe models fetch tiny.en --quantize q8_0

if [ -n "${2:-}" ]; then
  mapfile -t configs < "$2"
else
  configs=(
    "tiny.en f16 (default)|--model tiny.en"
    "tiny.en q8_0|--model tiny.en-q8_0"
    "tiny.en f16 + surgery,urology vocabulary prompt|--model tiny.en --vocab surgery,urology"
  )
fi

peer() { # OUT.jsonl -> its real-time factor
  "$eval_dir/peer.sh" "$1" int8 | tail -1 | sed -E 's/.*RTF ([0-9.]+).*/\1/'
}
score() { # HYPS.jsonl -> "wer medical_wer" in percent
  "$eval_dir/score.sh" "$1" "$eval_dir" | python3 -c 'import json,sys
d=json.loads(sys.stdin.read().strip().splitlines()[-1]); print("%.1f%% %.1f%%"%(100*d["wer"],100*d["medical_wer"]))'
}

rows=()
peer_rtf=$(peer "$out/peer.jsonl")
read -r pw pm <<<"$(score "$out/peer.jsonl")"
rows+=("| faster-whisper int8 (peer, first run) | $peer_rtf | 1.00 | $pw | $pm | - | - |")
for c in "${configs[@]}"; do
  [ -z "$c" ] && continue
  label=${c%%|*}; args=${c#*|}; name=$(echo "$label" | tr -c 'a-z0-9.\n' '_')
  model=$(echo "$args" | sed -E 's/.*--model ([^ ]+).*/\1/')
  if [ ! -f "models/$model.bin" ]; then rows+=("| $label | (models/$model.bin not installed) | | | | | |"); continue; fi
  # shellcheck disable=SC2086
  j=$("$bench" "$eval_dir" "$out/$name.jsonl" --threads 2 $args | tail -1)
  f() { echo "$j" | python3 -c "import json,sys;print('$1'%json.load(sys.stdin)['$2'])"; }
  rtf=$(f %.4f rtf); load=$(f %.2f load_s); rss=$(f %.0f peak_rss_mb)
  read -r w m <<<"$(score "$out/$name.jsonl")"
  ratio=$(python3 -c "print('%.2f'%($rtf/$peer_rtf))")
  rows+=("| $label | $rtf | $ratio | $w | $m | $load | $rss |")
done
peer2=$(peer "$out/peer-last.jsonl")
rows+=("| faster-whisper int8 (peer, last run) | $peer2 | $(python3 -c "print('%.2f'%($peer2/$peer_rtf))") | | | - | - |")
{
  echo "| system | real-time factor | RTF ÷ peer | WER | medical WER | model load (s) | peak RSS (MB) |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} | tee "$out/table.md"
