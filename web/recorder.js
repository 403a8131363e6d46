// Records from the microphone into 16 kHz mono PCM, with a level, pause and "record more"
// onto the end; hands back a WAV file (what Whisper wants, and what the server reads without
// any codec). Nothing leaves the browser until the user sends it.

const RATE = 16000;

export class Recorder {
  constructor({ onLevel } = {}) {
    this.onLevel = onLevel || (() => {});
    this.chunks = [];
    this.samples = 0;
    this.paused = true;
    this.ctx = null;
  }

  /** Seconds recorded so far. */
  get seconds() {
    return this.samples / RATE;
  }

  /** Starts (or, after a pause or stop, carries on) recording. */
  async start() {
    if (!this.ctx) {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        throw new Error('This browser cannot record here (it needs a secure page or a newer browser). Record on a dictaphone and upload the file instead.');
      }
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
      this.ctx = new AudioContext();
      const source = this.ctx.createMediaStreamSource(this.stream);
      this.processor = this.ctx.createScriptProcessor(4096, 1, 1);
      this.processor.onaudioprocess = (ev) => this.take(ev.inputBuffer.getChannelData(0));
      source.connect(this.processor);
      this.processor.connect(this.ctx.destination);
    }
    await this.ctx.resume();
    this.paused = false;
  }

  pause() {
    this.paused = true;
    this.onLevel(0);
  }

  /** Stops using the microphone; what was recorded is kept for `wav()` or more recording. */
  async stop() {
    this.paused = true;
    this.onLevel(0);
    if (this.stream) for (const t of this.stream.getTracks()) t.stop();
    if (this.ctx) await this.ctx.close();
    this.ctx = null;
    this.stream = null;
  }

  discard() {
    this.chunks = [];
    this.samples = 0;
  }

  take(input) {
    let peak = 0;
    for (let i = 0; i < input.length; i += 1) peak = Math.max(peak, Math.abs(input[i]));
    if (this.paused) return;
    this.onLevel(peak);
    const ratio = this.ctx.sampleRate / RATE;
    const n = Math.floor(input.length / ratio);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 1) {
      // Average the source samples that fall in each output sample (a simple low-pass).
      const a = Math.floor(i * ratio);
      const b = Math.max(a + 1, Math.floor((i + 1) * ratio));
      let sum = 0;
      for (let j = a; j < b && j < input.length; j += 1) sum += input[j];
      out[i] = sum / (b - a);
    }
    this.chunks.push(out);
    this.samples += n;
  }

  /** The recording as a 16-bit WAV blob. */
  wav() {
    const data = new DataView(new ArrayBuffer(44 + this.samples * 2));
    const text = (o, s) => { for (let i = 0; i < s.length; i += 1) data.setUint8(o + i, s.charCodeAt(i)); };
    text(0, 'RIFF');
    data.setUint32(4, 36 + this.samples * 2, true);
    text(8, 'WAVE');
    text(12, 'fmt ');
    data.setUint32(16, 16, true);
    data.setUint16(20, 1, true);
    data.setUint16(22, 1, true);
    data.setUint32(24, RATE, true);
    data.setUint32(28, RATE * 2, true);
    data.setUint16(32, 2, true);
    data.setUint16(34, 16, true);
    text(36, 'data');
    data.setUint32(40, this.samples * 2, true);
    let o = 44;
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i += 1) {
        const s = Math.max(-1, Math.min(1, chunk[i]));
        data.setInt16(o, s < 0 ? s * 0x8000 : s * 0x7fff, true);
        o += 2;
      }
    }
    return new Blob([data.buffer], { type: 'audio/wav' });
  }
}
