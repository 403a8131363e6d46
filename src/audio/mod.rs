//! Audio in: load any common recorder file (or microphone samples) as 16 kHz mono f32 for
//! Whisper, find speech, and split long audio at pauses.
//!
//! Job: `load` a file (WAV via hound; MP3, AAC/M4A, OGG Vorbis, FLAC, ... via symphonia),
//! `from_interleaved` for in-memory samples, `write_wav`, `speech_ranges`, `split_at_pauses`, `pack_speech` (long pauses out),
//! and `stream_chunks` for recordings too long to hold in memory.
//! Must never: reach upstream or downstream stages, make a network call, log audio or
//! transcript content, panic on bad input, or keep more than one block of source-rate audio.
//!
//! Memory: decoding and resampling are streamed block by block, so the only large buffer is
//! the 16 kHz mono output (64 KB per second: 230 MB per hour). `load` therefore refuses
//! recordings longer than [`MAX_LOAD_SECONDS`] (2 h, ≤ 460 MB); [`stream_chunks`] handles any
//! length with memory bounded by one chunk.

mod decode;
mod error;
mod pack;
mod pauses;
mod resample;
mod wav;

#[cfg(test)]
mod tests;

use std::ops::Range;
use std::path::Path;

pub use error::AudioError;
pub use pack::{Packed, Piece, Window, next_window, pack_speech};
pub use pauses::{FRAME, speech_ranges, speech_span, split_at_pauses};
pub use resample::from_interleaved;
pub use wav::write_wav;

use decode::{MonoSink, Source};
use error::show;
pub(crate) use resample::{ToWhisperRate, downmix_into};

/// The sample rate Whisper expects.
pub const WHISPER_RATE: u32 = 16_000;
/// Lowest source rate accepted (narrow-band telephone speech).
pub const MIN_RATE: u32 = 8_000;
/// Longest recording [`load`] holds in memory (2 hours); use [`stream_chunks`] beyond.
pub const MAX_LOAD_SECONDS: u64 = 2 * 3600;

/// Audio ready for Whisper.
#[derive(Debug, Clone, PartialEq)]
pub struct Audio {
    /// 16 kHz mono, -1..1.
    pub samples: Vec<f32>,
    /// Sample rate of the file it came from (Hz).
    pub source_rate: u32,
    /// Channel count of the file it came from (mixed down to mono here).
    pub source_channels: u16,
}

impl Audio {
    /// Length in seconds.
    pub fn duration(&self) -> f64 {
        self.samples.len() as f64 / WHISPER_RATE as f64
    }
}

/// Load an audio file as 16 kHz mono. The format is detected from the content, not the name.
pub fn load(path: &Path) -> Result<Audio, AudioError> {
    load_with_warnings(path).map(|(audio, _)| audio)
}

/// Like [`load`], also returning one-line warnings worth showing the user (e.g. "truncated
/// WAV: header promises 12.00 s but only 9.50 s is present; using what is there").
pub fn load_with_warnings(path: &Path) -> Result<(Audio, Vec<String>), AudioError> {
    load_limited(path, MAX_LOAD_SECONDS * WHISPER_RATE as u64)
}

/// [`load_with_warnings`] with the length limit in 16 kHz samples (tests use a small one).
fn load_limited(path: &Path, limit: u64) -> Result<(Audio, Vec<String>), AudioError> {
    let mut sink = Collect {
        file: show(path),
        state: None,
        out: Vec::new(),
        limit,
    };
    let warnings = decode::decode(path, &mut sink)?;
    let Some((rs, rate, channels)) = sink.state.take() else {
        return Err(AudioError::NoSamples { file: show(path) });
    };
    rs.finish(&mut sink.out)?;
    if sink.out.is_empty() {
        return Err(AudioError::NoSamples { file: show(path) });
    }
    let audio = Audio {
        samples: sink.out,
        source_rate: rate,
        source_channels: channels,
    };
    Ok((audio, warnings))
}

/// Collects the whole 16 kHz output, up to `limit` samples.
struct Collect {
    file: String,
    state: Option<(ToWhisperRate, u32, u16)>,
    out: Vec<f32>,
    limit: u64,
}

impl Collect {
    fn too_long(&self) -> AudioError {
        AudioError::TooLong {
            file: self.file.clone(),
            limit_min: MAX_LOAD_SECONDS / 60,
        }
    }
}

impl MonoSink<AudioError> for Collect {
    fn start(&mut self, src: &Source) -> Result<(), AudioError> {
        self.state = Some((ToWhisperRate::new(src.rate)?, src.rate, src.channels));
        self.out.clear();
        if let Some(frames) = src.frames_hint {
            let est = frames as u128 * WHISPER_RATE as u128 / src.rate.max(1) as u128;
            if est > self.limit as u128 + WHISPER_RATE as u128 {
                return Err(self.too_long());
            }
            self.out.reserve(est as usize + 64);
        }
        Ok(())
    }

    fn block(&mut self, mono: &[f32]) -> Result<(), AudioError> {
        if let Some((rs, _, _)) = self.state.as_mut() {
            rs.push(mono, &mut self.out)?;
        }
        if self.out.len() as u64 > self.limit {
            return Err(self.too_long());
        }
        Ok(())
    }
}

/// What [`stream_chunks`] saw.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamInfo {
    /// Total 16 kHz samples delivered.
    pub samples: u64,
    pub source_rate: u32,
    pub source_channels: u16,
    /// As from [`load_with_warnings`].
    pub warnings: Vec<String>,
}

/// Decode `path` of any length and hand it to `on_chunk` as consecutive 16 kHz mono chunks of
/// at most `max_seconds`, cut exactly where [`split_at_pauses`] would cut the whole file.
/// `on_chunk` gets the chunk's sample range in the whole recording and its samples; an error
/// from it stops decoding and is returned. Memory stays bounded by about one chunk.
pub fn stream_chunks<E, F>(path: &Path, max_seconds: f32, on_chunk: F) -> Result<StreamInfo, E>
where
    E: From<AudioError>,
    F: FnMut(Range<usize>, &[f32]) -> Result<(), E>,
{
    let mut sink = Chunker {
        state: None,
        buf: Vec::new(),
        offset: 0,
        max_len: pauses::window_len(max_seconds),
        on_chunk,
    };
    let warnings = decode::decode(path, &mut sink)?;
    let Some((rs, rate, channels)) = sink.state.take() else {
        return Err(AudioError::NoSamples { file: show(path) }.into());
    };
    let mut tail = std::mem::take(&mut sink.buf);
    rs.finish(&mut tail)?;
    sink.buf = tail;
    sink.drain_full()?;
    if !sink.buf.is_empty() {
        let range = sink.offset..sink.offset + sink.buf.len();
        sink.offset = range.end;
        (sink.on_chunk)(range, &sink.buf)?;
    }
    if sink.offset == 0 {
        return Err(AudioError::NoSamples { file: show(path) }.into());
    }
    Ok(StreamInfo {
        samples: sink.offset as u64,
        source_rate: rate,
        source_channels: channels,
        warnings,
    })
}

/// Buffers 16 kHz output and emits a chunk whenever more than one window is available.
struct Chunker<F> {
    state: Option<(ToWhisperRate, u32, u16)>,
    buf: Vec<f32>,
    offset: usize,
    max_len: usize,
    on_chunk: F,
}

impl<E, F> Chunker<F>
where
    E: From<AudioError>,
    F: FnMut(Range<usize>, &[f32]) -> Result<(), E>,
{
    fn drain_full(&mut self) -> Result<(), E> {
        let mut start = 0;
        while self.buf.len() - start > self.max_len {
            let cut = pauses::choose_cut(&self.buf[start..start + self.max_len]);
            let range = self.offset..self.offset + cut;
            (self.on_chunk)(range, &self.buf[start..start + cut])?;
            self.offset += cut;
            start += cut;
        }
        self.buf.drain(..start);
        Ok(())
    }
}

impl<E, F> MonoSink<E> for Chunker<F>
where
    E: From<AudioError>,
    F: FnMut(Range<usize>, &[f32]) -> Result<(), E>,
{
    fn start(&mut self, src: &Source) -> Result<(), E> {
        self.state = Some((ToWhisperRate::new(src.rate)?, src.rate, src.channels));
        self.buf.clear();
        Ok(())
    }

    fn block(&mut self, mono: &[f32]) -> Result<(), E> {
        if let Some((rs, _, _)) = self.state.as_mut() {
            rs.push(mono, &mut self.buf)?;
        }
        self.drain_full()
    }
}
