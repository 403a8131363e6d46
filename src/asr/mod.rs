//! Speech → Transcript with whisper.cpp (through whisper-rs).
//!
//! Takes 16 kHz mono samples, returns plain `Transcript` data: segments, words with times
//! and confidences. whisper.cpp's own logging is silenced so that no transcribed (patient)
//! text reaches stderr. This module never formats or corrects text: that is `dictation`'s
//! job, and never reads files other than the model.

use std::path::Path;

use whisper_rs::{FullParams, SamplingStrategy, WhisperContext, WhisperContextParameters};

use crate::transcript::{Segment, Transcript};

mod words;

#[derive(Debug, thiserror::Error)]
pub enum AsrError {
    #[error("{path}: whisper.cpp could not load this model ({why})")]
    Load { path: String, why: String },
    #[error("transcription failed: {0}")]
    Decode(String),
}

/// How to run Whisper.
#[derive(Debug, Clone)]
pub struct Options {
    pub threads: usize,
    /// Vocabulary prompt (initial prompt) to prime the decoder with.
    pub prompt: Option<String>,
    /// Language for multilingual models ("en"); ignored by .en models.
    pub language: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: std::thread::available_parallelism().map(|n| n.get().min(8)).unwrap_or(2),
            prompt: None,
            language: "en".into(),
        }
    }
}

/// A loaded Whisper model.
pub struct Transcriber {
    ctx: WhisperContext,
    name: String,
}

fn silence_whisper_logs() {
    // Routes whisper.cpp/ggml logs to the `log` facade, which has no backend here: quiet.
    whisper_rs::install_logging_hooks();
}

impl Transcriber {
    pub fn load(path: &Path) -> Result<Transcriber, AsrError> {
        silence_whisper_logs();
        let err = |why: String| AsrError::Load { path: path.display().to_string(), why };
        let utf8 = path.to_str().ok_or_else(|| err("path is not UTF-8".into()))?;
        let ctx = WhisperContext::new_with_params(utf8, WhisperContextParameters::default())
            .map_err(|e| err(format!("{e}; is it a complete whisper.cpp ggml file?")))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "whisper".into());
        Ok(Transcriber { ctx, name })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_multilingual(&self) -> bool {
        self.ctx.is_multilingual()
    }

    /// Transcribe one stretch of audio (any length: whisper.cpp slides its 30-s window).
    /// Times in the result are offset by `offset` seconds.
    pub fn transcribe_chunk(&self, samples: &[f32], offset: f64, opts: &Options) -> Result<Vec<Segment>, AsrError> {
        let mut state = self.ctx.create_state().map_err(|e| AsrError::Decode(e.to_string()))?;
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(opts.threads as i32);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_token_timestamps(true);
        params.set_suppress_blank(true);
        if self.ctx.is_multilingual() {
            params.set_language(Some(opts.language.as_str()));
        }
        if let Some(p) = &opts.prompt {
            params.set_initial_prompt(p);
        }
        state.full(params, samples).map_err(|e| AsrError::Decode(e.to_string()))?;
        let eot = self.ctx.token_eot();
        let mut segments = Vec::new();
        for seg in state.as_iter() {
            let mut tokens = Vec::new();
            for i in 0..seg.n_tokens() {
                let Some(tok) = seg.get_token(i) else { continue };
                if tok.token_id() >= eot {
                    continue;
                }
                let data = tok.token_data();
                let text = tok.to_bytes().map(|b| b.to_vec()).unwrap_or_default();
                tokens.push(words::Token { bytes: text, p: data.p, t0: data.t0, t1: data.t1 });
            }
            let text = seg.to_str_lossy().map(|s| s.trim().to_string()).unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            segments.push(Segment {
                start: offset + seg.start_timestamp() as f64 / 100.0,
                end: offset + seg.end_timestamp() as f64 / 100.0,
                text,
                words: words::group(&tokens, offset),
            });
        }
        Ok(segments)
    }

    /// Transcribe a whole dictation into a Transcript (raw Whisper text, no formatting).
    pub fn transcribe(&self, samples: &[f32], opts: &Options) -> Result<Transcript, AsrError> {
        let segments = self.transcribe_chunk(samples, 0.0, opts)?;
        Ok(Transcript {
            text: join_segments(&segments),
            duration: samples.len() as f64 / 16_000.0,
            model: self.name.clone(),
            segments,
            findings: Vec::new(),
        })
    }
}

/// The segments' text as one string, single-spaced.
pub fn join_segments(segments: &[Segment]) -> String {
    let parts: Vec<&str> = segments.iter().map(|s| s.text.trim()).filter(|t| !t.is_empty()).collect();
    parts.join(" ")
}

/// Prove that a model file loads in whisper.cpp (used by `models import`).
pub fn verify_model(path: &Path) -> Result<(), String> {
    Transcriber::load(path).map(|_| ()).map_err(|e| match e {
        AsrError::Load { why, .. } => why,
        other => other.to_string(),
    })
}
