#!/bin/bash
# Speed levers, one at a time, on a 6-dictation subset of shared/eval (d00, d03, d06, d09,
# d12, d15: 361.5 s), side by side with the faster-whisper peer (run first and last), on a
# quiet machine. Build the harness first: cargo test --bench eval --no-run.
# LEVERS: lines "NAME|benches/eval.rs flags" (default: the levers below); OUT: output folder
# (default /tmp/lev), one NAME.{jsonl,json,score} per configuration.
# The peer's venv and weights are the ones shared/eval/peer.sh installs.
set -u
cd "$(dirname "$0")/.."
ev=$(cd ../shared/eval && pwd)
[ -f /tmp/sub/dictations.jsonl ] || { mkdir -p /tmp/sub && ln -sfn "$ev/audio" /tmp/sub/audio && sed -n '1p;4p;7p;10p;13p;16p' "$ev/dictations.jsonl" > /tmp/sub/dictations.jsonl; }
B=$(ls -t target/debug/deps/eval-* | grep -v "\.d$" | head -1)
out=${OUT:-/tmp/lev}; mkdir -p $out
peer() { $HOME/.cache/medscribe-peer/bin/python $ev/peer_faster_whisper.py /tmp/sub $HOME/.cache/medscribe-peer/tiny.en $out/$1.jsonl int8 > $out/$1.txt 2>&1; $ev/score.sh $out/$1.jsonl /tmp/sub > $out/$1.score 2>&1; }
peer peer1
while IFS='|' read -r n a; do
  [ -z "$n" ] && continue
  $B /tmp/sub $out/$n.jsonl --threads 2 $a > $out/$n.json 2>&1
  $ev/score.sh $out/$n.jsonl /tmp/sub > $out/$n.score 2>&1
done <<CFG
${LEVERS:-default|--model tiny.en
nodtw|--model tiny.en --no-dtw
nofallback|--model tiny.en --no-fallback
notokts|--model tiny.en --no-token-ts
nocarry|--model tiny.en --no-carry
fit|--model tiny.en --fit
allfast|--model tiny.en --no-dtw --no-fallback --no-carry --fit}
CFG
peer peer2
echo done > $out/DONE
