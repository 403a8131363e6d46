#!/usr/bin/env python3
"""A copy of shared/eval in which the author stops to think: 3 s of silence inserted in the
middle of every second pause of 0.3 s or more (frames 35 dB below the loudest), so that
speech packing (asr::Options::pack_speech) can be measured on audio with long pauses.
Needs numpy (the faster-whisper peer's venv has it) and sox.
  ~/.cache/medscribe-peer/bin/python scripts/paused-eval.py ../shared/eval OUT_DIR
Then: cargo test --bench eval -- OUT_DIR hyps.jsonl [--pack], and score.sh hyps.jsonl OUT_DIR."""
import json, os, subprocess, sys, tempfile, wave
import numpy as np

src, out = sys.argv[1], sys.argv[2]
os.makedirs(os.path.join(out, "audio"), exist_ok=True)
rate, frame, inserted = 16000, 320, 0
with open(os.path.join(src, "dictations.jsonl")) as f, open(os.path.join(out, "dictations.jsonl"), "w") as g:
    for line in f:
        d = json.loads(line)
        g.write(line)
        with tempfile.TemporaryDirectory() as tmp:
            wav = os.path.join(tmp, "a.wav")
            subprocess.run(["sox", os.path.join(src, d["audio"]), "-r", "16000", "-c", "1", "-b", "16", wav],
                           check=True, stderr=subprocess.DEVNULL)
            with wave.open(wav) as w:
                x = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float32)
            n = len(x) // frame
            e = 10 * np.log10((x[: n * frame].reshape(n, frame) ** 2).mean(1) + 1e-9)
            quiet, runs, start = e < e.max() - 35, [], None
            for k, q in enumerate(quiet):
                if q and start is None:
                    start = k
                if not q and start is not None:
                    if k - start >= 15:
                        runs.append((start, k))
                    start = None
            parts, last = [], 0
            for j, (a, b) in enumerate(runs):
                if j % 2 == 1:
                    m = (a + b) // 2 * frame
                    parts += [x[last:m], np.zeros(3 * rate, np.float32)]
                    last, inserted = m, inserted + 1
            parts.append(x[last:])
            y = os.path.join(tmp, "b.wav")
            with wave.open(y, "wb") as w:
                w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
                w.writeframes(np.concatenate(parts).astype(np.int16).tobytes())
            subprocess.run(["sox", y, os.path.join(out, d["audio"])], check=True, stderr=subprocess.DEVNULL)
print(f"{inserted} pauses of 3 s inserted")
