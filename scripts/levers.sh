#!/bin/bash
# Speed levers, one at a time, on the 6-dictation subset (see eval-subset.sh), quiet machine.
# Each line: the lever's flags for benches/eval.rs; output in /tmp/lev/NAME.{json,score}.
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
