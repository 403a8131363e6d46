//! Downmix to mono and resample to 16 kHz for Whisper, in streaming blocks.
//!
//! Job: turn interleaved or mono samples at any rate ≥ 8 kHz into 16 kHz mono f32 in -1..1,
//! using rubato's FFT (band-limited, anti-aliased) resampler, with the resampler's delay
//! removed and the output length exactly `round(n_in · 16000 / rate)`.
//! Must never: pick nearest samples, hold more than one block of source audio, or panic on
//! odd input (zero channels, zero rate, ragged frames → `AudioError::InvalidInput`).

use rubato::{FftFixedIn, Resampler};

use super::{AudioError, MIN_RATE, WHISPER_RATE};

/// Input frames the FFT resampler takes per call (the filter is about this long).
const CHUNK_IN: usize = 4096;

/// Average the channels of an interleaved block into `out` (appends one value per frame).
/// A trailing partial frame is ignored; callers validate lengths where it matters.
pub(crate) fn downmix_into(interleaved: &[f32], channels: usize, out: &mut Vec<f32>) {
    if channels <= 1 {
        out.extend_from_slice(interleaved);
        return;
    }
    let scale = 1.0 / channels as f32;
    out.extend(
        interleaved
            .chunks_exact(channels)
            .map(|frame| frame.iter().sum::<f32>() * scale),
    );
}

/// A streaming mono resampler from `rate` to [`WHISPER_RATE`].
pub(crate) struct ToWhisperRate {
    /// `None` when the source already is 16 kHz (plain copy).
    inner: Option<FftFixedIn<f32>>,
    rate: u32,
    /// Source samples not yet given to the resampler (always < `CHUNK_IN` between calls).
    pending: Vec<f32>,
    out_buf: Vec<Vec<f32>>,
    /// Output frames still to drop at the start (the resampler's delay).
    skip: usize,
    in_frames: u64,
    out_frames: u64,
}

impl ToWhisperRate {
    pub(crate) fn new(rate: u32) -> Result<Self, AudioError> {
        if rate < MIN_RATE {
            return Err(AudioError::InvalidInput {
                detail: format!(
                    "sample rate {rate} Hz is too low for speech (need ≥ {MIN_RATE} Hz)"
                ),
            });
        }
        let inner = if rate == WHISPER_RATE {
            None
        } else {
            let rs = FftFixedIn::<f32>::new(rate as usize, WHISPER_RATE as usize, CHUNK_IN, 1, 1)
                .map_err(|e| AudioError::Resample {
                detail: e.to_string(),
            })?;
            Some(rs)
        };
        let (out_buf, skip) = match &inner {
            Some(rs) => (rs.output_buffer_allocate(true), rs.output_delay()),
            None => (Vec::new(), 0),
        };
        Ok(Self {
            inner,
            rate,
            pending: Vec::with_capacity(CHUNK_IN * 2),
            out_buf,
            skip,
            in_frames: 0,
            out_frames: 0,
        })
    }

    /// Output frames the whole stream will have once finished (for the input seen so far).
    fn expected_out(&self) -> u64 {
        let num = self.in_frames as u128 * WHISPER_RATE as u128;
        let rate = self.rate as u128;
        ((num + rate / 2) / rate) as u64
    }

    /// Append resampled output, dropping the initial delay and clamping to -1..1.
    fn emit(&mut self, n: usize, limit: Option<u64>, out: &mut Vec<f32>) {
        let data = self
            .out_buf
            .first()
            .map(|c| &c[..n.min(c.len())])
            .unwrap_or(&[]);
        let drop = self.skip.min(data.len());
        self.skip -= drop;
        let mut data = &data[drop..];
        if let Some(limit) = limit {
            let room = limit.saturating_sub(self.out_frames) as usize;
            data = &data[..data.len().min(room)];
        }
        self.out_frames += data.len() as u64;
        out.extend(data.iter().map(|s| s.clamp(-1.0, 1.0)));
    }

    /// Run one full block through the resampler; returns the output frame count.
    fn run(&mut self, input: &[f32]) -> Result<usize, AudioError> {
        let Some(rs) = self.inner.as_mut() else {
            return Ok(0);
        };
        let (_, n) = rs
            .process_into_buffer(&[input], &mut self.out_buf, None)
            .map_err(|e| AudioError::Resample {
                detail: e.to_string(),
            })?;
        Ok(n)
    }

    /// Run a final, zero-padded block (or pure padding when `input` is `None`).
    fn run_partial(&mut self, input: Option<&[f32]>) -> Result<usize, AudioError> {
        let Some(rs) = self.inner.as_mut() else {
            return Ok(0);
        };
        let wrapped = input.map(|i| [i]);
        let (_, n) = rs
            .process_partial_into_buffer(wrapped.as_ref().map(|w| &w[..]), &mut self.out_buf, None)
            .map_err(|e| AudioError::Resample {
                detail: e.to_string(),
            })?;
        Ok(n)
    }

    /// Source frames taken so far.
    pub(crate) fn frames_in(&self) -> u64 {
        self.in_frames
    }

    /// Feed mono source samples; appends whatever 16 kHz output is ready to `out`.
    pub(crate) fn push(&mut self, mono: &[f32], out: &mut Vec<f32>) -> Result<(), AudioError> {
        self.in_frames += mono.len() as u64;
        let Some(need) = self.inner.as_ref().map(|rs| rs.input_frames_next()) else {
            self.out_frames += mono.len() as u64;
            out.extend(mono.iter().map(|s| s.clamp(-1.0, 1.0)));
            return Ok(());
        };
        let mut fresh = mono;
        while !fresh.is_empty() {
            let n = if self.pending.is_empty() && fresh.len() >= need {
                let n = self.run(&fresh[..need])?;
                fresh = &fresh[need..];
                n
            } else {
                let take = need.saturating_sub(self.pending.len()).min(fresh.len());
                self.pending.extend_from_slice(&fresh[..take]);
                fresh = &fresh[take..];
                if self.pending.len() < need {
                    break;
                }
                let mut block = std::mem::take(&mut self.pending);
                let n = self.run(&block[..need]);
                block.clear();
                self.pending = block;
                n?
            };
            self.emit(n, None, out);
        }
        Ok(())
    }

    /// Flush: process what is pending, drain the delay line, and stop exactly at
    /// `round(n_in · 16000 / rate)` output frames in total.
    pub(crate) fn finish(mut self, out: &mut Vec<f32>) -> Result<(), AudioError> {
        let expected = self.expected_out();
        if self.inner.is_none() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let mut input = (!pending.is_empty()).then_some(pending.as_slice());
        // Each round yields a full output block; the bound is only a safety net.
        for _ in 0..64 {
            if self.out_frames >= expected {
                break;
            }
            let n = self.run_partial(input.take())?;
            self.emit(n, Some(expected), out);
        }
        Ok(())
    }
}

/// Downmix interleaved `samples` with `channels` channels at `rate` Hz and resample to
/// 16 kHz mono (the microphone recorder uses this too).
pub fn from_interleaved(samples: &[f32], channels: u16, rate: u32) -> Result<Vec<f32>, AudioError> {
    if channels == 0 {
        return Err(AudioError::InvalidInput {
            detail: "zero channels".into(),
        });
    }
    let ch = channels as usize;
    if !samples.len().is_multiple_of(ch) {
        return Err(AudioError::InvalidInput {
            detail: format!(
                "{} samples is not a whole number of {ch}-channel frames",
                samples.len()
            ),
        });
    }
    let mut rs = ToWhisperRate::new(rate)?;
    let frames = samples.len() / ch;
    let est = (frames as u64 * WHISPER_RATE as u64 / rate.max(1) as u64) as usize + 16;
    let mut out = Vec::with_capacity(est);
    let mut mono = Vec::with_capacity(CHUNK_IN * 4);
    for block in samples.chunks(CHUNK_IN * 4 * ch) {
        mono.clear();
        downmix_into(block, ch, &mut mono);
        rs.push(&mono, &mut out)?;
    }
    rs.finish(&mut out)?;
    Ok(out)
}
