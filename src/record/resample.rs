//! Streaming downmix + resample of live capture to 16 kHz mono.
//!
//! Job: take interleaved f32 blocks of any size from the device (any channel count, any
//! rate ≥ 8 kHz) and emit 16 kHz mono as soon as it is ready. The resampling itself is
//! `audio`'s streaming resampler (the one `audio::from_interleaved` uses); this adds only
//! what a live device needs: blocks that end mid-frame, carried to the next block.
//! Must never: drop or duplicate samples (the output length is exactly
//! `round(frames · 16000 / rate)` after `finish`) or panic on ragged blocks.

use crate::audio::{AudioError, ToWhisperRate, downmix_into};

/// Live converter from device format to 16 kHz mono.
pub struct LiveResampler {
    channels: usize,
    inner: ToWhisperRate,
    /// Samples of an incomplete frame from the previous block.
    carry: Vec<f32>,
    mono: Vec<f32>,
}

/// One-line reason, as the recorder reports it.
fn reason(e: AudioError) -> String {
    match e {
        AudioError::InvalidInput { detail } => detail,
        other => other.to_string(),
    }
}

impl LiveResampler {
    /// A converter for `channels` channels at `rate` Hz. Errors are one-line reasons.
    pub fn new(channels: u16, rate: u32) -> Result<Self, String> {
        if channels == 0 {
            return Err("the device reports zero channels".into());
        }
        let inner = ToWhisperRate::new(rate).map_err(reason)?;
        Ok(Self {
            channels: channels as usize,
            inner,
            carry: Vec::new(),
            mono: Vec::new(),
        })
    }

    /// Source frames taken so far.
    pub fn frames_in(&self) -> u64 {
        self.inner.frames_in()
    }

    /// Feed interleaved samples; appends the 16 kHz mono output that is ready to `out`.
    pub fn push(&mut self, interleaved: &[f32], out: &mut Vec<f32>) -> Result<(), String> {
        let ch = self.channels;
        self.mono.clear();
        let mut rest = interleaved;
        if !self.carry.is_empty() {
            let need = (ch - self.carry.len()).min(rest.len());
            self.carry.extend_from_slice(&rest[..need]);
            rest = &rest[need..];
            if self.carry.len() == ch {
                downmix_into(&self.carry, ch, &mut self.mono);
                self.carry.clear();
            }
        }
        let whole = rest.len() - rest.len() % ch;
        downmix_into(&rest[..whole], ch, &mut self.mono);
        self.carry.extend_from_slice(&rest[whole..]);
        self.inner.push(&self.mono, out).map_err(reason)
    }

    /// Flush the tail: output stops at exactly `round(frames_in · 16000 / rate)` frames.
    pub fn finish(self, out: &mut Vec<f32>) -> Result<(), String> {
        self.inner.finish(out).map_err(reason)
    }
}
