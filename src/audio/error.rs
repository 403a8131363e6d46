//! Errors from the audio stage: one line each, naming the file and the problem.
//!
//! Messages must stay short enough for a CLI one-liner and must never contain audio data,
//! transcript text or anything else that could be patient information (the file path the
//! user gave us is the only context included).

use std::path::Path;

/// Everything that can go wrong while loading, converting or writing audio.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// The file could not be opened or read at all.
    #[error("{file}: cannot read: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    /// The file has zero bytes.
    #[error("{file}: file is empty")]
    Empty { file: String },
    /// Neither hound nor symphonia recognise the content.
    #[error("{file}: not an audio file (no RIFF header / unrecognised format)")]
    NotAudio { file: String },
    /// The WAV ends before its header (or before enough audio) — e.g. an interrupted copy.
    #[error("{file}: truncated WAV: {detail}")]
    Truncated { file: String, detail: String },
    /// A container with no decodable audio track (e.g. a video-only file).
    #[error("{file}: no audio track")]
    NoTrack { file: String },
    /// A well-formed file that holds no samples at all.
    #[error("{file}: contains no audio (zero samples)")]
    NoSamples { file: String },
    /// Below telephone quality; Whisper would only hallucinate on it.
    #[error("{file}: sample rate {rate} Hz is too low for speech (need ≥ {min} Hz)")]
    RateTooLow { file: String, rate: u32, min: u32 },
    /// A codec or encoding we cannot decode (Opus, exotic WAV encodings, ...).
    #[error("{file}: unsupported audio: {detail}")]
    Unsupported { file: String, detail: String },
    /// The audio data is corrupt beyond what the decoder can skip.
    #[error("{file}: corrupt audio data: {detail}")]
    Corrupt { file: String, detail: String },
    /// Longer than `load` accepts in memory; `stream_chunks` has no such limit.
    #[error(
        "{file}: recording is longer than {limit_min} minutes; split it into shorter files \
         (e.g. `sox in.wav out.wav trim 0 3600 : newfile : restart`) or process it in chunks"
    )]
    TooLong { file: String, limit_min: u64 },
    /// In-memory samples handed to `from_interleaved` are unusable.
    #[error("invalid audio input: {detail}")]
    InvalidInput { detail: String },
    /// The resampler refused (should not happen for validated input).
    #[error("resampling failed: {detail}")]
    Resample { detail: String },
    /// Writing a WAV failed.
    #[error("{file}: cannot write: {detail}")]
    Write { file: String, detail: String },
}

/// The file name as shown in messages: the path exactly as the user gave it.
pub(crate) fn show(path: &Path) -> String {
    path.display().to_string()
}
