//! Errors from the recorder: one line each, naming the file or device and what to do.
//!
//! Job: say what went wrong before or while recording, in words a provider can act on.
//! Must never: contain audio data or anything said into the microphone; only file paths and
//! device names given by the user or the system appear here.

/// Everything that can stop `medscribe record` / `medscribe devices`.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// No capture device at all (or none that can be opened).
    #[error("no microphone found; `medscribe devices` lists what is available{detail}")]
    NoInputDevice { detail: String },
    /// `--device NAME` matched nothing (or more than one device).
    #[error("{problem} input device {name:?}; available: {available}")]
    UnknownDevice {
        problem: &'static str,
        name: String,
        available: String,
    },
    /// The audio system refused to open or start the device.
    #[error("cannot open input device {name:?}: {detail}")]
    Device { name: String, detail: String },
    /// The output cannot be written (checked before recording starts).
    #[error("{file}: cannot write the recording: {detail}")]
    Output { file: String, detail: String },
    /// `--append` to a file that is not a 16 kHz mono 16-bit WAV (or not a WAV at all).
    #[error("{file}: cannot append: {detail}")]
    Append { file: String, detail: String },
    /// Writing failed part-way (disk full, removed media); what was flushed is kept.
    #[error(
        "{file}: writing failed after {seconds:.1} s ({detail}); the audio up to the last checkpoint is kept"
    )]
    WriteFailed {
        file: String,
        seconds: f64,
        detail: String,
    },
    /// An option value that makes no sense (e.g. `--max-seconds 0`).
    #[error("{0}")]
    Option(String),
    /// Sample-rate conversion could not be set up (e.g. a device rate below 8 kHz).
    #[error("input device {name:?}: {detail}")]
    Format { name: String, detail: String },
}

/// A path as shown in messages: exactly as the user gave it.
pub(crate) fn show(path: &std::path::Path) -> String {
    path.display().to_string()
}
