//! Transcription while the audio is still arriving: the recorder pushes samples as the author
//! talks, and each window is decoded as soon as it is complete, so at the end of the
//! dictation only the last window (at most 28 s of speech) is left to decode.
//!
//! Windows are chosen by `audio::next_window`, which looks only at fixed lengths of the
//! audio, and `Transcriber::transcribe` decodes a file through the same calls, so a live
//! recording gives the same words as its file.
//! Must never: keep more than the undecoded tail of the recording, or run on the capture
//! thread (the caller gives it its own).

use whisper_rs::WhisperState;

use super::{AsrError, Options, Transcriber};
use crate::audio;
use crate::transcript::{Segment, Transcript};

/// A transcription in progress. Push 16 kHz mono samples, then `finish`.
pub struct Stream<'m> {
    model: &'m Transcriber,
    opts: Options,
    state: WhisperState,
    /// The recording after the last cut, not yet decoded.
    pending: Vec<f32>,
    /// Samples of the recording before `pending`.
    cursor: usize,
    segments: Vec<Segment>,
    /// Windows decoded so far, and how many segments came before the current pair of
    /// windows (with `paired_windows`, both windows of a pair are prompted with those).
    windows: usize,
    before_pair: usize,
    /// `pending`'s length when windows were last looked for: looking again costs a pass
    /// over up to 2 min of audio, so it is done once per second of new audio, not per block
    /// (the windows found are the same, only found up to a second later).
    looked_at: usize,
}

impl Transcriber {
    /// Start transcribing audio that will arrive in pieces (`chunk_seconds` 0 is taken as 28).
    pub fn stream(&self, opts: &Options) -> Result<Stream<'_>, AsrError> {
        let mut opts = opts.clone();
        if opts.chunk_seconds <= 0.0 {
            opts.chunk_seconds = Options::default().chunk_seconds;
        }
        Ok(Stream {
            model: self,
            state: self.new_state()?,
            opts,
            pending: Vec::new(),
            cursor: 0,
            segments: Vec::new(),
            windows: 0,
            before_pair: 0,
            looked_at: 0,
        })
    }
}

impl Stream<'_> {
    /// Add audio; decodes every window that is now complete (this can take a while: call it
    /// off the capture thread).
    pub fn push(&mut self, samples: &[f32]) -> Result<(), AsrError> {
        self.pending.extend_from_slice(samples);
        if self.pending.len() < self.looked_at + audio::WHISPER_RATE as usize {
            return Ok(());
        }
        self.decode_ready(false)?;
        self.looked_at = self.pending.len();
        Ok(())
    }

    /// Whisper threads for the windows decoded from now on (e.g. all cores once recording
    /// has stopped and the capture no longer needs one).
    pub fn set_threads(&mut self, threads: usize) {
        self.opts.threads = threads.max(1);
    }

    /// Seconds of audio received but not yet decoded.
    pub fn pending_seconds(&self) -> f64 {
        self.pending.len() as f64 / audio::WHISPER_RATE as f64
    }

    /// Segments decoded so far (recording time).
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// No more audio: decode the rest and return the whole transcript.
    pub fn finish(mut self) -> Result<Transcript, AsrError> {
        self.decode_ready(true)?;
        Ok(self.model.transcript(self.segments, self.cursor))
    }

    fn decode_ready(&mut self, done: bool) -> Result<(), AsrError> {
        let max = self.opts.chunk_seconds.min(30.0);
        while let Some(w) = audio::next_window(&self.pending, max, self.opts.pack_speech, done) {
            // The prompts `Transcriber::transcribe` gives: with pairs, the text before the pair.
            if !self.opts.paired_windows || self.windows.is_multiple_of(2) {
                self.before_pair = self.segments.len();
            }
            self.windows += 1;
            let new = self.model.decode_window(
                &mut self.state,
                &self.segments[..self.before_pair],
                &w.packed,
                self.cursor,
                &self.opts,
            )?;
            self.segments.extend(new);
            let used = w.consumed.min(self.pending.len());
            self.pending.drain(..used);
            self.cursor += used;
        }
        Ok(())
    }
}
