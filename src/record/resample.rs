//! Streaming downmix + resample of live capture to 16 kHz mono.
//!
//! Job: take interleaved f32 blocks of any size from the device (any channel count, any
//! rate ≥ 8 kHz) and emit 16 kHz mono as soon as it is ready, with the same band-limited FFT
//! resampler (rubato) and delay compensation as `audio::from_interleaved`, whose one-shot
//! design cannot be fed block by block without clicks at the block edges.
//! Must never: drop or duplicate samples (the output length is exactly
//! `round(frames · 16000 / rate)` after `finish`), buffer more than one resampler block,
//! or panic on ragged blocks (a partial frame is carried to the next block).

use rubato::{FftFixedIn, Resampler};

use crate::audio::{MIN_RATE, WHISPER_RATE};

/// Source frames per resampler call (about 85 ms at 48 kHz).
const CHUNK_IN: usize = 4096;

/// Live converter from device format to 16 kHz mono.
pub struct LiveResampler {
    channels: usize,
    rate: u32,
    inner: Option<FftFixedIn<f32>>,
    /// Samples of an incomplete frame from the previous block.
    carry: Vec<f32>,
    /// Mono source samples not yet resampled (< one resampler block).
    pending: Vec<f32>,
    out_buf: Vec<Vec<f32>>,
    /// Leading output frames still to drop (the resampler's delay).
    skip: usize,
    in_frames: u64,
    out_frames: u64,
}

impl LiveResampler {
    /// A converter for `channels` channels at `rate` Hz. Errors are one-line reasons.
    pub fn new(channels: u16, rate: u32) -> Result<Self, String> {
        if channels == 0 {
            return Err("the device reports zero channels".into());
        }
        if rate < MIN_RATE {
            return Err(format!(
                "sample rate {rate} Hz is too low for speech (need ≥ {MIN_RATE} Hz)"
            ));
        }
        let inner = if rate == WHISPER_RATE {
            None
        } else {
            let rs = FftFixedIn::<f32>::new(rate as usize, WHISPER_RATE as usize, CHUNK_IN, 1, 1)
                .map_err(|e| format!("resampler: {e}"))?;
            Some(rs)
        };
        let (out_buf, skip) = match &inner {
            Some(rs) => (rs.output_buffer_allocate(true), rs.output_delay()),
            None => (Vec::new(), 0),
        };
        Ok(Self {
            channels: channels as usize,
            rate,
            inner,
            carry: Vec::new(),
            pending: Vec::with_capacity(CHUNK_IN),
            out_buf,
            skip,
            in_frames: 0,
            out_frames: 0,
        })
    }

    /// Source frames taken so far.
    pub fn frames_in(&self) -> u64 {
        self.in_frames
    }

    /// Feed interleaved samples; appends the 16 kHz mono output that is ready to `out`.
    pub fn push(&mut self, interleaved: &[f32], out: &mut Vec<f32>) -> Result<(), String> {
        let ch = self.channels;
        let mut mono = Vec::with_capacity(interleaved.len() / ch + 1);
        let mut rest = interleaved;
        if !self.carry.is_empty() {
            let need = (ch - self.carry.len()).min(rest.len());
            self.carry.extend_from_slice(&rest[..need]);
            rest = &rest[need..];
            if self.carry.len() == ch {
                mono.push(self.carry.iter().sum::<f32>() / ch as f32);
                self.carry.clear();
            }
        }
        let whole = rest.len() - rest.len() % ch;
        mono.extend(
            rest[..whole]
                .chunks_exact(ch)
                .map(|f| f.iter().sum::<f32>() / ch as f32),
        );
        self.carry.extend_from_slice(&rest[whole..]);
        self.push_mono(&mono, out)
    }

    fn push_mono(&mut self, mono: &[f32], out: &mut Vec<f32>) -> Result<(), String> {
        self.in_frames += mono.len() as u64;
        if self.inner.is_none() {
            self.out_frames += mono.len() as u64;
            out.extend(mono.iter().map(|s| s.clamp(-1.0, 1.0)));
            return Ok(());
        }
        let mut fresh = mono;
        while !fresh.is_empty() {
            let need = self
                .inner
                .as_ref()
                .map_or(CHUNK_IN, |r| r.input_frames_next());
            let take = need.saturating_sub(self.pending.len()).min(fresh.len());
            self.pending.extend_from_slice(&fresh[..take]);
            fresh = &fresh[take..];
            if self.pending.len() < need {
                break;
            }
            let block = std::mem::take(&mut self.pending);
            let n = self.run(Some(&block), false);
            self.pending = block;
            self.pending.clear();
            self.emit(n?, None, out);
        }
        Ok(())
    }

    fn run(&mut self, input: Option<&[f32]>, partial: bool) -> Result<usize, String> {
        let Some(rs) = self.inner.as_mut() else {
            return Ok(0);
        };
        let res = match (input, partial) {
            (Some(i), false) => rs.process_into_buffer(&[i], &mut self.out_buf, None),
            (i, _) => {
                let wrapped = i.map(|i| [i]);
                rs.process_partial_into_buffer(
                    wrapped.as_ref().map(|w| &w[..]),
                    &mut self.out_buf,
                    None,
                )
            }
        };
        res.map(|(_, n)| n).map_err(|e| format!("resampler: {e}"))
    }

    fn emit(&mut self, n: usize, limit: Option<u64>, out: &mut Vec<f32>) {
        let data = self
            .out_buf
            .first()
            .map_or(&[][..], |c| &c[..n.min(c.len())]);
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

    /// Flush the tail: output stops at exactly `round(frames_in · 16000 / rate)` frames.
    pub fn finish(mut self, out: &mut Vec<f32>) -> Result<(), String> {
        if self.inner.is_none() {
            return Ok(());
        }
        let rate = self.rate as u128;
        let expected = ((self.in_frames as u128 * WHISPER_RATE as u128 + rate / 2) / rate) as u64;
        let pending = std::mem::take(&mut self.pending);
        let mut input = (!pending.is_empty()).then_some(pending.as_slice());
        for _ in 0..64 {
            if self.out_frames >= expected {
                break;
            }
            let n = self.run(input.take(), true)?;
            self.emit(n, Some(expected), out);
        }
        Ok(())
    }
}
