// The audio player synced to the transcript: the word being spoken is highlighted, found by a
// binary search over the words' start times and moved on by a timer set for the next word's
// start (timeupdate fires too rarely); a click on a word plays from it; every resume starts a
// little back; speed changes keep the pitch.

export class Player {
  constructor(audio, { onTick, rewind }) {
    this.audio = audio;
    this.audio.preservesPitch = true;
    this.onTick = onTick || (() => {});
    this.rewind = rewind || (() => 1.5);
    this.words = [];
    this.starts = [];
    this.current = null;
    this.timer = null;
    this.resumed = false;
    for (const ev of ['play', 'seeked', 'ratechange']) audio.addEventListener(ev, () => this.schedule());
    audio.addEventListener('pause', () => { window.clearTimeout(this.timer); this.onTick(); });
    audio.addEventListener('timeupdate', () => this.onTick());
    audio.addEventListener('loadedmetadata', () => this.onTick());
  }

  /** The word elements (with data-start/data-end), in order of time. */
  setWords(elements) {
    this.words = elements.filter((w) => Number.isFinite(Number(w.dataset.start)));
    this.words.sort((a, b) => Number(a.dataset.start) - Number(b.dataset.start));
    this.starts = this.words.map((w) => Number(w.dataset.start));
    this.current = null;
    this.highlight();
  }

  /** Index of the last word starting at or before `t`, or -1. */
  indexAt(t) {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  highlight() {
    const t = this.audio.currentTime;
    const i = this.indexAt(t);
    const w = i >= 0 && t <= Number(this.words[i].dataset.end) + 0.6 ? this.words[i] : null;
    if (w === this.current) return;
    if (this.current) this.current.classList.remove('now');
    this.current = w;
    if (w) {
      w.classList.add('now');
      if (!this.audio.paused) keepInView(w);
    }
  }

  schedule() {
    window.clearTimeout(this.timer);
    this.highlight();
    if (this.audio.paused) return;
    const i = this.indexAt(this.audio.currentTime);
    const next = this.starts[i + 1];
    const end = this.current ? Number(this.current.dataset.end) + 0.6 : Infinity;
    const at = Math.min(next ?? Infinity, end);
    if (!Number.isFinite(at)) return;
    const wait = Math.max(10, ((at - this.audio.currentTime) / (this.audio.playbackRate || 1)) * 1000);
    this.timer = window.setTimeout(() => this.schedule(), wait);
  }

  /** Plays, starting a little back from where it paused. */
  async play() {
    if (this.resumed && this.audio.currentTime > 0) {
      this.audio.currentTime = Math.max(0, this.audio.currentTime - this.rewind());
    }
    this.resumed = true;
    try {
      await this.audio.play();
    } catch (e) {
      // A browser that cannot play the file says so through the audio element's error event.
    }
  }

  pause() {
    this.audio.pause();
  }

  toggle() {
    if (this.audio.paused) this.play(); else this.pause();
  }

  seek(t, andPlay = true) {
    this.audio.currentTime = Math.max(0, Math.min(t, this.audio.duration || t));
    this.resumed = false;
    if (andPlay) this.play();
    else this.schedule();
  }

  step(seconds) {
    this.audio.currentTime = Math.max(0, this.audio.currentTime + seconds);
  }

  rate(delta) {
    const r = Math.min(2, Math.max(0.5, Math.round((this.audio.playbackRate + delta) * 4) / 4));
    this.audio.playbackRate = r;
    return r;
  }
}

function keepInView(el) {
  const box = el.closest('.transcript');
  if (!box) return;
  const r = el.getBoundingClientRect();
  const b = box.getBoundingClientRect();
  if (r.top < b.top + 20 || r.bottom > b.bottom - 20) {
    box.scrollTop += r.top - b.top - b.height / 3;
  }
}
