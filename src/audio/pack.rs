//! Speech packed for the encoder: the middle of each long pause taken out, so Whisper's 30-s
//! windows hold speech rather than an author thinking, with a map back to the recording's
//! own times.
//!
//! Whisper encodes a full 30-s window whatever it holds, so a minute of dictation with 20 s
//! of pauses costs three windows where two would do. Packing keeps every stretch of speech
//! whole, with a margin of the recording's own silence either side (so a pause between
//! stretches is still a clear pause for `split_at_pauses`, and a sentence break for Whisper).
//!
//! `next_window` chooses what the encoder gets next from the audio after the last cut, looking
//! only at fixed lengths of it, so a recording that arrives a block at a time (live) is cut
//! exactly where the finished file is.
//!
//! Must never: drop speech (only pauses longer than `LONG_PAUSE` are shortened, and speech
//! detection already pads each stretch), reorder audio, copy a recording that has no long
//! pause, or map a time outside the recording.

use std::borrow::Cow;
use std::ops::Range;

use super::WHISPER_RATE;
use super::pauses::{choose_cut, speech_ranges, window_len};

/// Pauses at least this long (seconds) are shortened; shorter ones are kept whole.
const LONG_PAUSE: f64 = 1.2;
/// Silence kept each side of a stretch of speech (seconds): 0.8 s between two stretches.
const KEEP: f64 = 0.4;
/// How much more of the recording `next_window` looks at each time a window is not yet full
/// of packed speech, and the most it looks at (a longer silence is passed as a window).
const LOOK_STEP: f64 = 10.0;
const LOOK_MAX: f64 = 120.0;

/// One contiguous stretch of the recording, placed at `at` in the packed audio.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub source: Range<usize>,
    pub at: usize,
}

/// Packed samples and where each part came from.
#[derive(Debug)]
pub struct Packed<'a> {
    pub samples: Cow<'a, [f32]>,
    pub pieces: Vec<Piece>,
}

impl Packed<'_> {
    /// Seconds the long pauses took (0 when nothing was packed).
    pub fn removed_seconds(&self, source_len: usize) -> f64 {
        (source_len - self.samples.len()) as f64 / WHISPER_RATE as f64
    }

    /// A sample index in the packed audio as an index in the recording.
    pub fn source_index(&self, packed: usize) -> usize {
        let i = self
            .pieces
            .partition_point(|p| p.at <= packed)
            .saturating_sub(1);
        match self.pieces.get(i) {
            Some(p) => (p.source.start + (packed - p.at.min(packed))).min(p.source.end),
            None => packed,
        }
    }

    /// The first `n` packed samples.
    fn truncated(self, n: usize) -> Self {
        let samples = match self.samples {
            Cow::Borrowed(s) => Cow::Borrowed(&s[..n.min(s.len())]),
            Cow::Owned(mut v) => {
                v.truncate(n);
                Cow::Owned(v)
            }
        };
        let pieces = self.pieces.into_iter().filter(|p| p.at < n).collect();
        Packed { samples, pieces }
    }

    /// A time in the packed audio (seconds) as a time in the recording.
    pub fn source_time(&self, packed_seconds: f64) -> f64 {
        let rate = WHISPER_RATE as f64;
        if self.pieces.is_empty() {
            return packed_seconds;
        }
        self.source_index((packed_seconds.max(0.0) * rate).round() as usize) as f64 / rate
    }
}

/// Pack 16 kHz mono samples: every pause of `LONG_PAUSE` or more (leading and trailing
/// silence included) keeps only `KEEP` seconds each side. Audio without such a pause is
/// borrowed, not copied; silent audio packs to nothing.
pub fn pack_speech(samples: &[f32]) -> Packed<'_> {
    let rate = WHISPER_RATE as f64;
    let (long, keep) = ((LONG_PAUSE * rate) as usize, (KEEP * rate) as usize);
    let mut kept: Vec<Range<usize>> = Vec::new();
    for r in speech_ranges(samples) {
        let (start, end) = (
            r.start.saturating_sub(keep),
            (r.end + keep).min(samples.len()),
        );
        match kept.last_mut() {
            // The pause since the last stretch's speech ended is short: keep it whole.
            Some(last) if r.start < last.end.saturating_sub(keep) + long => last.end = end,
            _ => kept.push(start..end),
        }
    }
    // Leading and trailing silence shorter than a long pause stays whole too.
    if let Some(first) = kept.first_mut().filter(|r| r.start + keep < long) {
        first.start = 0;
    }
    if let Some(last) = kept
        .last_mut()
        .filter(|r| samples.len() - r.end + keep < long)
    {
        last.end = samples.len();
    }
    if kept.len() == 1 && kept[0] == (0..samples.len()) {
        return whole(samples);
    }
    let mut out = Vec::with_capacity(kept.iter().map(|r| r.len()).sum());
    let pieces = kept
        .into_iter()
        .map(|source| {
            let at = out.len();
            out.extend_from_slice(&samples[source.clone()]);
            Piece { source, at }
        })
        .collect();
    Packed {
        samples: Cow::Owned(out),
        pieces,
    }
}

/// What the encoder gets next, and how much of the recording it uses up.
#[derive(Debug)]
pub struct Window<'a> {
    /// At most one window of audio, long pauses shortened when packing.
    pub packed: Packed<'a>,
    /// Samples of `raw` this window accounts for (always at least one).
    pub consumed: usize,
}

/// The next window from `raw`, the recording after the last cut: at most `max_seconds` of
/// (packed, with `pack`) audio, cut at its latest clear pause as `split_at_pauses` cuts.
/// `None` when `raw` is empty or, unless `done` (no more audio will come), when more audio is
/// needed to decide. Looks at `raw` only in fixed lengths (the window, then 10-s steps up to
/// 2 min), so the decision never depends on how the audio arrived.
pub fn next_window(raw: &[f32], max_seconds: f32, pack: bool, done: bool) -> Option<Window<'_>> {
    if raw.is_empty() {
        return None;
    }
    let window = window_len(max_seconds);
    let (step, max) = (
        (LOOK_STEP * WHISPER_RATE as f64) as usize,
        (LOOK_MAX * WHISPER_RATE as f64) as usize,
    );
    let mut look = window;
    loop {
        let more = raw.len() > look;
        if !more && !done {
            return None;
        }
        let end = look.min(raw.len());
        let packed = if pack {
            pack_speech(&raw[..end])
        } else {
            whole(&raw[..end])
        };
        let n = packed.samples.len();
        if n > window || (n == window && more) {
            let cut = choose_cut(&packed.samples[..window]);
            let consumed = packed.source_index(cut).max(1);
            return Some(Window {
                packed: packed.truncated(cut),
                consumed,
            });
        }
        if !more || look >= max {
            return Some(Window {
                packed,
                consumed: end,
            });
        }
        look += step;
    }
}

/// `samples` as they are: one piece.
fn whole(samples: &[f32]) -> Packed<'_> {
    Packed {
        samples: Cow::Borrowed(samples),
        pieces: vec![Piece {
            source: 0..samples.len(),
            at: 0,
        }],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: usize = WHISPER_RATE as usize;

    /// Speech-like bursts (a warbling tone with syllable gaps) separated by the given pauses
    /// (seconds), over faint noise, as a microphone in a quiet office gives.
    fn dictation(bursts: &[(f64, f64)]) -> Vec<f32> {
        let mut out = Vec::new();
        let mut seed = 7u32;
        let mut noise = || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 8) as f32 / (1u32 << 24) as f32 * 2e-4 - 1e-4
        };
        for &(speech, pause) in bursts {
            for i in 0..(speech * RATE as f64) as usize {
                let t = i as f32 / RATE as f32;
                let syllable = if (t * 4.0).fract() < 0.8 { 1.0 } else { 0.05 };
                let f = 180.0 + 40.0 * (t * 3.0).sin();
                out.push(0.3 * syllable * (std::f32::consts::TAU * f * t).sin() + noise());
            }
            for _ in 0..(pause * RATE as f64) as usize {
                out.push(noise());
            }
        }
        out
    }

    #[test]
    fn long_pauses_are_shortened_short_ones_kept_and_times_map_back() {
        let a = dictation(&[(3.0, 0.5), (3.0, 6.0), (3.0, 0.2)]);
        let p = pack_speech(&a);
        // 6 s pause → 0.8 s: about 5.2 s less audio.
        let removed = p.removed_seconds(a.len());
        assert!((4.8..5.6).contains(&removed), "removed {removed:.2} s");
        assert_eq!(p.pieces.len(), 2, "{:?}", p.pieces);
        // The third burst starts 12.5 s into the recording: its piece starts a little before
        // (the silence kept), about 5.2 s earlier in the packed audio, and maps back.
        let secs = |n: usize| n as f64 / RATE as f64;
        let third = &p.pieces[1];
        assert!(
            (11.9..12.5).contains(&secs(third.source.start)),
            "{third:?}"
        );
        assert!((6.5..7.5).contains(&secs(third.at)), "{third:?}");
        let back = p.source_time(secs(third.at) + 1.0);
        assert!(
            (back - (secs(third.source.start) + 1.0)).abs() < 1e-3,
            "{back}"
        );
        assert!((p.source_time(1.0) - 1.0).abs() < 1e-3);
        // Every piece holds a stretch of the recording unchanged.
        for piece in &p.pieces {
            let n = piece.source.len();
            assert_eq!(&p.samples[piece.at..piece.at + n], &a[piece.source.clone()]);
        }
    }

    #[test]
    fn audio_without_a_long_pause_is_not_copied_and_silence_packs_to_nothing() {
        let a = dictation(&[(4.0, 0.6), (4.0, 0.3)]);
        let p = pack_speech(&a);
        assert!(matches!(p.samples, Cow::Borrowed(_)));
        assert_eq!(p.source_time(2.5), 2.5);
        let silent = vec![0.0f32; RATE * 5];
        let p = pack_speech(&silent);
        assert!(p.samples.is_empty() && p.pieces.is_empty());
        assert_eq!(p.source_time(1.0), 1.0);
    }

    fn windows(a: &[f32], blocks: Option<usize>) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut pending: Vec<f32> = Vec::new();
        let mut fed = 0;
        loop {
            let done = fed == a.len();
            while let Some(w) = next_window(&pending, 28.0, true, done) {
                out.push((w.consumed, w.packed.samples.len()));
                pending.drain(..w.consumed);
            }
            if done {
                return out;
            }
            let n = blocks.map_or(a.len() - fed, |b| b.min(a.len() - fed));
            pending.extend_from_slice(&a[fed..fed + n]);
            fed += n;
        }
    }

    #[test]
    fn live_blocks_and_the_whole_file_give_the_same_windows() {
        let mut plan = Vec::new();
        for i in 0..30 {
            plan.push((2.0 + (i % 5) as f64, [0.3, 0.6, 2.5, 0.4, 9.0][i % 5]));
        }
        plan.push((3.0, 150.0)); // a silence longer than the look-ahead
        plan.push((4.0, 0.0));
        let a = dictation(&plan);
        let whole = windows(&a, None);
        for block in [1_600, 4_410, 16_000 * 3 + 17] {
            assert_eq!(windows(&a, Some(block)), whole, "blocks of {block}");
        }
        assert_eq!(
            whole.iter().map(|w| w.0).sum::<usize>(),
            a.len(),
            "covers it all"
        );
        let window = 28 * RATE;
        assert!(whole.iter().all(|w| w.1 <= window), "{whole:?}");
        // Packing fills windows: fewer than cutting the recording itself would make.
        let plain = crate::audio::split_at_pauses(&a, 28.0).len();
        assert!(
            whole.len() < plain,
            "{} windows, {plain} unpacked",
            whole.len()
        );
    }

    #[test]
    fn next_window_waits_for_audio_until_done() {
        let a = dictation(&[(5.0, 0.5)]);
        assert!(
            next_window(&a, 28.0, true, false).is_none(),
            "may still grow"
        );
        let w = next_window(&a, 28.0, true, true).expect("the rest, when done");
        assert_eq!(w.consumed, a.len());
        assert!(next_window(&[], 28.0, true, true).is_none());
    }
}
