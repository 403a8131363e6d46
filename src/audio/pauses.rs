//! Where is speech, and where can long audio be cut: a small energy-based VAD on 16 kHz mono.
//!
//! Job: `speech_ranges` (speech vs. silence, also used to detect all-silent audio) and
//! `split_at_pauses` (chunks of at most N seconds, cut at the latest clear pause of each
//! window, else in its quietest stretch, so no word is split when a pause exists).
//! Must never: lose or repeat a sample (the chunks are a contiguous cover of the input), look
//! past the current window when choosing a cut (so streaming and batch cuts agree), or panic
//! on empty/odd input.

use std::ops::Range;

use super::WHISPER_RATE;

/// Analysis frame: 20 ms at 16 kHz.
pub const FRAME: usize = (WHISPER_RATE as usize) / 50;
/// Frames averaged around a candidate cut (100 ms), so one quiet frame inside a word is not
/// mistaken for a pause.
const SMOOTH: usize = 5;
/// A frame this far below the window's loud level (power ratio, −20 dB) counts as a pause.
const PAUSE_REL: f32 = 0.01;
/// ...as does anything below −60 dBFS mean power, whatever the level of the speech.
const PAUSE_ABS: f32 = 1e-6;
/// Frames quieter than this (dBFS, frame RMS) are never speech.
const SPEECH_FLOOR_DB: f32 = -55.0;
/// Speech must rise this far above the noise floor (10th percentile frame).
const ABOVE_NOISE_DB: f32 = 10.0;
/// ...or, for audio with no quiet part, be within this of the loud level (99th percentile).
const BELOW_PEAK_DB: f32 = 20.0;
/// Gaps shorter than this (frames, 300 ms) are bridged; runs shorter than `MIN_RUN` dropped
/// (clicks); ranges padded by `PAD` frames each side (100 ms) so word edges are kept.
const BRIDGE: usize = 15;
const MIN_RUN: usize = 3;
const PAD: usize = 5;

/// Mean power of each 20 ms frame (the last, partial frame included).
fn frame_power(samples: &[f32]) -> Vec<f32> {
    samples
        .chunks(FRAME)
        .map(|f| f.iter().map(|s| s * s).sum::<f32>() / f.len() as f32)
        .collect()
}

fn db(power: f32) -> f32 {
    10.0 * (power + 1e-12).log10()
}

/// The value at fraction `q` (0..1) of a sorted copy of `v`; `v` must not be empty.
fn percentile(v: &[f32], q: f32) -> f32 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let i = ((s.len() - 1) as f32 * q).round() as usize;
    s[i.min(s.len() - 1)]
}

/// Where there is speech (16 kHz mono samples → sample ranges, sorted, non-overlapping).
/// Empty when the audio is silent or only low noise (nothing above −55 dBFS RMS).
pub fn speech_ranges(samples: &[f32]) -> Vec<Range<usize>> {
    let power = frame_power(samples);
    if power.is_empty() {
        return Vec::new();
    }
    let levels: Vec<f32> = power.iter().map(|&p| db(p)).collect();
    let noise = percentile(&levels, 0.10);
    let loud = percentile(&levels, 0.99);
    let threshold = SPEECH_FLOOR_DB.max((noise + ABOVE_NOISE_DB).min(loud - BELOW_PEAK_DB));

    // Runs of loud frames, bridging short gaps.
    let mut runs: Vec<Range<usize>> = Vec::new();
    for (i, &level) in levels.iter().enumerate() {
        if level <= threshold {
            continue;
        }
        match runs.last_mut() {
            Some(last) if i - last.end < BRIDGE => last.end = i + 1,
            _ => runs.push(i..i + 1),
        }
    }
    let n = power.len();
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in runs.into_iter().filter(|r| r.len() >= MIN_RUN) {
        let padded = r.start.saturating_sub(PAD)..(r.end + PAD).min(n);
        match out.last_mut() {
            Some(last) if padded.start <= last.end => last.end = padded.end,
            _ => out.push(padded),
        }
    }
    out.into_iter()
        .map(|r| r.start * FRAME..(r.end * FRAME).min(samples.len()))
        .collect()
}

/// From the first to the last speech sample, or `None` for silent audio: what is left after
/// skipping leading and trailing silence.
pub fn speech_span(samples: &[f32]) -> Option<Range<usize>> {
    let ranges = speech_ranges(samples);
    Some(ranges.first()?.start..ranges.last()?.end)
}

/// Window length in samples for `max_seconds` (NaN/∞ → 30 s; at least one frame).
pub(crate) fn window_len(max_seconds: f32) -> usize {
    let secs = if max_seconds.is_finite() {
        max_seconds
    } else {
        30.0
    };
    ((secs as f64 * WHISPER_RATE as f64) as usize).max(FRAME)
}

/// Split 16 kHz mono audio into consecutive chunks of at most `max_seconds` (Whisper's window
/// is 30 s). Cuts fall in the quietest stretch of the last half of each window (or, when the
/// last half has no pause, anywhere after its first second). The ranges cover
/// `0..samples.len()` contiguously; empty input gives no chunks.
pub fn split_at_pauses(samples: &[f32], max_seconds: f32) -> Vec<Range<usize>> {
    let max_len = window_len(max_seconds);
    let mut out = Vec::new();
    let mut start = 0;
    while samples.len() - start > max_len {
        let cut = choose_cut(&samples[start..start + max_len]);
        out.push(start..start + cut);
        start += cut;
    }
    if start < samples.len() {
        out.push(start..samples.len());
    }
    out
}

/// Best cut inside `window` (an offset in `FRAME..=window.len()`), using only `window`.
pub(crate) fn choose_cut(window: &[f32]) -> usize {
    let n = window.len() / FRAME;
    if n < 2 {
        return window.len();
    }
    let power = frame_power(&window[..n * FRAME]);
    // Smoothed power around each frame boundary b (between frame b-1 and b), b in 1..n.
    let half = SMOOTH / 2;
    let smooth: Vec<f32> = (0..=n)
        .map(|b| {
            let lo = b.saturating_sub(half + 1);
            let hi = (b + half).min(n);
            power[lo..hi].iter().sum::<f32>() / (hi - lo).max(1) as f32
        })
        .collect();
    let loud = percentile(&power, 0.95);
    let is_pause = |p: f32| p <= PAUSE_ABS || p <= loud * PAUSE_REL;

    // Fewer, fuller chunks: every chunk costs Whisper a whole 30-s encoder pass, so a clear
    // pause late in the window beats a longer one earlier.
    if let Some(b) = latest_pause(&smooth, (n * 2 / 3).max(1), n, is_pause) {
        return (b * FRAME).clamp(FRAME, window.len());
    }
    let late = best_stretch(&smooth, (n / 2).max(1), n);
    let wide = best_stretch(
        &smooth,
        (WHISPER_RATE as usize / FRAME).min(n / 2).max(1),
        n,
    );
    let pick = match (late, wide) {
        (Some(l), _) if is_pause(l.1) => l,
        (_, Some(w)) if is_pause(w.1) => w,
        (Some(l), _) => l,
        (None, Some(w)) => w,
        (None, None) => return window.len(),
    };
    (pick.0 * FRAME).clamp(FRAME, window.len())
}

/// Smoothed boundaries in a row that make a clear pause (300 ms; with the 100-ms smoothing
/// about 0.4 s of real silence: a sentence break, not a gap between words or a comma).
const CLEAR_PAUSE: usize = 15;

/// In boundaries `lo..hi`, the middle of the latest run of at least `CLEAR_PAUSE` boundaries
/// that are all pauses.
fn latest_pause(
    smooth: &[f32],
    lo: usize,
    hi: usize,
    is_pause: impl Fn(f32) -> bool,
) -> Option<usize> {
    let region = smooth.get(lo..hi)?;
    let mut end: Option<usize> = None; // one past the run's last boundary (region index)
    for i in (0..region.len()).rev() {
        if is_pause(region[i]) {
            let e = *end.get_or_insert(i + 1);
            if e - i >= CLEAR_PAUSE && (i == 0 || !is_pause(region[i - 1])) {
                return Some(lo + (i + e) / 2);
            }
        } else {
            end = None;
        }
    }
    None
}

/// In boundaries `lo..hi`, the middle of the longest run of near-minimal smoothed power (later
/// run wins ties); returns (boundary, minimum power).
fn best_stretch(smooth: &[f32], lo: usize, hi: usize) -> Option<(usize, f32)> {
    let region = smooth.get(lo..hi)?;
    let min = region.iter().copied().fold(f32::INFINITY, f32::min);
    if !min.is_finite() {
        return None;
    }
    let limit = min * 2.0 + 1e-10;
    let mut best: Option<Range<usize>> = None;
    let mut run_start: Option<usize> = None;
    let flags = region
        .iter()
        .map(|&p| p <= limit)
        .chain(std::iter::once(false));
    for (b, quiet) in (lo..).zip(flags) {
        match (quiet, run_start) {
            (true, None) => run_start = Some(b),
            (false, Some(s)) => {
                if best.as_ref().is_none_or(|r| b - s >= r.len()) {
                    best = Some(s..b);
                }
                run_start = None;
            }
            _ => {}
        }
    }
    best.map(|r| ((r.start + r.end) / 2, min))
}
