#!/bin/bash
# Build the harness first: cargo test --bench eval --no-run. Subset: /tmp/sub holds a dictations.jsonl
# with lines 1,4,7,10,13,16 of shared/eval/dictations.jsonl and an audio -> shared/eval/audio link.
# Side-by-side on the 6-dictation subset (/tmp/sub), one after another, quiet machine.
set -u
cd "$(dirname "$0")/.."
ev=$(cd ../shared/eval && pwd)
[ -f /tmp/sub/dictations.jsonl ] || { mkdir -p /tmp/sub && ln -sfn "$ev/audio" /tmp/sub/audio && sed -n '1p;4p;7p;10p;13p;16p' "$ev/dictations.jsonl" > /tmp/sub/dictations.jsonl; }
B=$(ls -t target/debug/deps/eval-* | grep -v "\.d$" | head -1)
out=/tmp/ev2; rm -rf $out; mkdir -p $out
$HOME/.cache/medscribe-peer/bin/python $ev/peer_faster_whisper.py /tmp/sub $HOME/.cache/medscribe-peer/tiny.en $out/peer.jsonl int8 > $out/peer.txt 2>&1
$ev/score.sh $out/peer.jsonl /tmp/sub > $out/peer.score 2>&1
for cfg in "f16raw|--model tiny.en --raw" "f16|--model tiny.en" "q8_0|--model tiny.en-q8_0" "q5_1|--model tiny.en-q5_1" "base|--model base"; do
  n=${cfg%%|*}; a=${cfg#*|}
  $B /tmp/sub $out/$n.jsonl --threads 2 $a > $out/$n.json 2>&1
  $ev/score.sh $out/$n.jsonl /tmp/sub > $out/$n.score 2>&1
done
echo done > $out/DONE
