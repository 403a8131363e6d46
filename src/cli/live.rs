//! Live transcription for `medscribe record`: a thread that transcribes each finished window
//! of the dictation while the author is still talking, fed the recorder's samples through a
//! channel, so only the last window is left when recording stops.
//!
//! Must never: slow the capture loop (all the recorder does is send), or print anything the
//! author said (the caller decides where the transcript goes).

use std::path::PathBuf;
use std::sync::mpsc::{self, Sender};
use std::thread::JoinHandle;

use anyhow::{Context, anyhow};
use medscribe::asr::{Options, Transcriber};
use medscribe::audio;
use medscribe::transcript::Transcript;

/// What the recorder hands over.
pub enum Feed {
    /// The first `samples` of an earlier recording being continued (`--append`).
    Earlier { path: PathBuf, samples: usize },
    /// New audio, 16 kHz mono, as stored in the WAV.
    Audio(Vec<f32>),
    /// Recording has stopped: decode the rest with this many threads (the cores are free).
    Finish { threads: usize },
}

pub struct Live {
    tx: Sender<Feed>,
    handle: JoinHandle<anyhow::Result<Finished>>,
}

/// The whole recording's transcript, and how much audio was still undecoded when recording
/// stopped (the rest had been transcribed while the author talked).
pub struct Finished {
    pub transcript: Transcript,
    pub left_at_stop: f64,
}

impl Live {
    /// Start the transcribing thread. While recording it decodes with `opts.threads`.
    pub fn start(model: Transcriber, opts: Options) -> Live {
        let (tx, rx) = mpsc::channel::<Feed>();
        let handle = std::thread::spawn(move || {
            let mut stream = model.stream(&opts)?;
            let mut left_at_stop = None;
            for feed in rx {
                match feed {
                    Feed::Audio(samples) => stream.push(&samples)?,
                    Feed::Earlier { path, samples } => {
                        let a = audio::load(&path)
                            .with_context(|| format!("reading {}", path.display()))?;
                        stream.push(&a.samples[..samples.min(a.samples.len())])?;
                    }
                    Feed::Finish { threads } => {
                        stream.set_threads(threads);
                        left_at_stop = Some(stream.pending_seconds());
                        break;
                    }
                }
            }
            let left_at_stop = left_at_stop.unwrap_or_else(|| stream.pending_seconds());
            Ok(Finished {
                transcript: stream.finish()?,
                left_at_stop,
            })
        });
        Live { tx, handle }
    }

    /// Hand over audio. If the thread has failed, its error is reported by `finish`.
    pub fn feed(&self, f: Feed) {
        let _ = self.tx.send(f);
    }

    /// No more audio: wait for the transcript of the whole recording.
    pub fn finish(self, threads: usize) -> anyhow::Result<Finished> {
        let _ = self.tx.send(Feed::Finish { threads });
        drop(self.tx);
        self.handle
            .join()
            .map_err(|_| anyhow!("the live transcription thread stopped unexpectedly"))?
    }
}
