//! Speech → Transcript with whisper.cpp (through whisper-rs).
//!
//! Takes 16 kHz mono samples, returns plain `Transcript` data: segments, words with times
//! and confidences. whisper.cpp's own logging is silenced so that no transcribed (patient)
//! text reaches stderr. This module never formats or corrects text: that is `dictation`'s
//! job, and never reads files other than the model.

use std::path::Path;

use whisper_rs::{
    DtwMode, DtwModelPreset, DtwParameters, FullParams, SamplingStrategy, WhisperContext,
    WhisperContextParameters, WhisperState,
};

use crate::audio;
use crate::transcript::{Segment, Transcript, Word};

mod second_look;
mod stream;
mod words;

pub use second_look::Proposer;
pub use stream::Stream;

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
    /// Split long audio at pauses into chunks of at most this many seconds (≤ 30, Whisper's
    /// window); 0 lets whisper.cpp slide its own 30-s window over the whole recording.
    pub chunk_seconds: f32,
    /// Size the encoder to each chunk (whisper.cpp `audio_ctx`) instead of always encoding
    /// a full 30-s window, most of it padding for short chunks.
    pub fit_encoder: bool,
    /// Carry the end of the previous chunk's text into the next chunk's prompt (as
    /// faster-whisper conditions on previous text). On the full eval set it lowered WER from
    /// 15.6% to 15.1% and medical WER from 30.8% to 29.4% for 6% more time; a prompted chunk
    /// is decoded without timestamp tokens, so word times then come from DTW.
    pub carry_context: bool,
    /// Re-decode at a higher temperature when the greedy result looks like a loop or
    /// gibberish (whisper.cpp's temperature fallback).
    pub temperature_fallback: bool,
    /// Ask whisper.cpp for per-token time estimates (used when DTW times are absent).
    pub token_timestamps: bool,
    /// Take the middle out of long pauses before encoding (`audio::pack_speech`), so the
    /// 30-s windows hold speech; times are mapped back to the recording. Off: on the eval
    /// set with 3-s pauses inserted it saved 13% of the time but raised medical WER from
    /// 27.7% to 29.1% (docs/benchmarks.md).
    pub pack_speech: bool,
    /// Decode windows in pairs, two at once with half the threads each (one-thread decoders
    /// waste no time at ggml's barriers). Both windows of a pair are prompted with the text
    /// before the pair, so the second misses its predecessor's words; a live `Stream` uses
    /// the same prompts, so it still gives the file's words. Off: on the eval set it was 9%
    /// faster but raised medical WER from 29.7% to 30.5% (docs/benchmarks.md).
    pub paired_windows: bool,
    /// Score the medical readings this proposes for words Whisper was unsure of against
    /// the audio, keeping those nearly as likely on the words (`second_look`).
    pub second_look: Option<Proposer>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threads: std::thread::available_parallelism()
                .map(|n| n.get().min(8))
                .unwrap_or(2),
            prompt: None,
            language: "en".into(),
            chunk_seconds: 28.0,
            fit_encoder: false,
            carry_context: true,
            temperature_fallback: true,
            token_timestamps: true,
            pack_speech: false,
            paired_windows: false,
            second_look: None,
        }
    }
}

/// A loaded Whisper model.
pub struct Transcriber {
    ctx: WhisperContext,
    name: String,
    /// Word times come from DTW (see `load_with`).
    dtw: bool,
}

fn silence_whisper_logs() {
    // Routes whisper.cpp/ggml logs to the `log` facade, which has no backend here: quiet.
    whisper_rs::install_logging_hooks();
}

impl Transcriber {
    /// Load a model without DTW word alignment: word times come from the timestamp tokens
    /// Whisper decodes when it is not given a prompt (`carry_context` off, no priming).
    pub fn load(path: &Path) -> Result<Transcriber, AsrError> {
        Transcriber::load_with(path, false)
    }

    /// Load a model; `word_alignment` turns on whisper.cpp's DTW word times, needed when
    /// decoding with a prompt (carried context or vocabulary priming), which makes Whisper
    /// skip timestamp tokens. DTW costs about 15% of transcription time (eval subset, docs/benchmarks.md).
    pub fn load_with(path: &Path, word_alignment: bool) -> Result<Transcriber, AsrError> {
        silence_whisper_logs();
        let err = |why: String| AsrError::Load {
            path: path.display().to_string(),
            why,
        };
        let utf8 = path
            .to_str()
            .ok_or_else(|| err("path is not UTF-8".into()))?;
        let mut params = WhisperContextParameters::default();
        // Word times from cross-attention alignment (DTW): they stay right even when Whisper
        // decodes a chunk without timestamp tokens, as it does when primed with a prompt.
        let preset = word_alignment
            .then(|| crate::model::describe(path).ok())
            .flatten()
            .and_then(|(hp, _, _)| dtw_preset(&hp));
        let dtw = preset.is_some();
        if let Some(preset) = preset {
            params.dtw_parameters(DtwParameters {
                mode: DtwMode::ModelPreset {
                    model_preset: preset,
                },
                ..Default::default()
            });
        }
        let ctx = WhisperContext::new_with_params(utf8, params)
            .map_err(|e| err(format!("{e}; is it a complete whisper.cpp ggml file?")))?;
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "whisper".into());
        Ok(Transcriber { ctx, name, dtw })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn is_multilingual(&self) -> bool {
        self.ctx.is_multilingual()
    }

    /// Transcribe one stretch of audio (any length: whisper.cpp slides its 30-s window).
    /// Times in the result are offset by `offset` seconds.
    pub fn transcribe_chunk(
        &self,
        samples: &[f32],
        offset: f64,
        prompt: Option<&str>,
        opts: &Options,
    ) -> Result<Vec<Segment>, AsrError> {
        let mut state = self.new_state()?;
        self.decode_chunk(&mut state, samples, offset, prompt, opts)
    }

    fn new_state(&self) -> Result<WhisperState, AsrError> {
        self.ctx
            .create_state()
            .map_err(|e| AsrError::Decode(e.to_string()))
    }

    /// Decode one chunk with an existing state (its buffers are reused between chunks).
    fn decode_chunk(
        &self,
        state: &mut WhisperState,
        samples: &[f32],
        offset: f64,
        prompt: Option<&str>,
        opts: &Options,
    ) -> Result<Vec<Segment>, AsrError> {
        let mut params = FullParams::new(SamplingStrategy::Greedy { best_of: 1 });
        params.set_n_threads(opts.threads as i32);
        params.set_print_progress(false);
        params.set_print_realtime(false);
        params.set_print_special(false);
        params.set_print_timestamps(false);
        params.set_token_timestamps(opts.token_timestamps);
        if !opts.temperature_fallback {
            params.set_temperature_inc(0.0);
        }
        params.set_suppress_blank(true);
        if self.ctx.is_multilingual() {
            params.set_language(Some(opts.language.as_str()));
        }
        if let Some(p) = prompt.filter(|p| !p.is_empty()) {
            params.set_initial_prompt(p);
        }
        // With DTW word times, decode without timestamp tokens, so whisper.cpp takes each
        // chunk (at most 30 s) in one pass. Otherwise its window can stop 100-150 ms short
        // of the chunk's end, and DTW on that sliver aborts the whole process (whisper.cpp
        // asserts the median filter's width, 7, is less than the sliver's audio frames):
        // seen on a 10-s stretch of real dictation.
        let no_timestamps = self.dtw && opts.chunk_seconds > 0.0;
        if no_timestamps {
            params.set_no_timestamps(true);
        }
        if opts.fit_encoder {
            params.set_audio_ctx(encoder_frames(samples.len()));
        }
        state
            .full(params, samples)
            .map_err(|e| AsrError::Decode(e.to_string()))?;
        let eot = self.ctx.token_eot();
        let mut segments = Vec::new();
        // Every token the window decoded, and each kept word's range in it, in word order.
        let mut decoded: Vec<i32> = Vec::new();
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let mut plogs: Vec<f32> = Vec::new();
        for seg in state.as_iter() {
            let mut tokens = Vec::new();
            for i in 0..seg.n_tokens() {
                let Some(tok) = seg.get_token(i) else {
                    continue;
                };
                let id = tok.token_id();
                if id == eot {
                    continue;
                }
                decoded.push(id);
                plogs.push(tok.token_data().plog);
                if id > eot {
                    continue;
                }
                let data = tok.token_data();
                let text = tok.to_bytes().map(|b| b.to_vec()).unwrap_or_default();
                tokens.push(words::Token {
                    bytes: text,
                    p: data.p,
                    t0: data.t0,
                    t1: data.t1,
                    t_dtw: data.t_dtw,
                    seq: decoded.len() - 1,
                });
            }
            let text = seg
                .to_str_lossy()
                .map(|s| s.trim().to_string())
                .unwrap_or_default();
            if text.is_empty() {
                continue;
            }
            // A chunk decoded without timestamp tokens comes back as one 30-s segment: keep
            // its times inside the audio actually given.
            let chunk_end = offset + samples.len() as f64 / audio::WHISPER_RATE as f64;
            let (words, seg_ranges): (Vec<_>, Vec<_>) =
                words::group(&tokens, offset, chunk_end).into_iter().unzip();
            ranges.extend(seg_ranges);
            if no_timestamps && !words.is_empty() {
                // One segment for the whole chunk, and whisper.cpp's segment times are
                // meaningless without timestamp tokens: cut it into sentences, timed by
                // their words, so subtitles and players get sentence-sized cues.
                segments.extend(words::sentences(words));
                continue;
            }
            let start = (offset + seg.start_timestamp() as f64 / 100.0).min(chunk_end);
            let end = (offset + seg.end_timestamp() as f64 / 100.0).clamp(start, chunk_end);
            segments.push(Segment {
                start,
                end,
                text,
                words,
            });
        }
        // The second look needs the window decoded in one pass from a known prompt: so only
        // without timestamp tokens, where whisper.cpp takes the chunk whole.
        if let (Some(proposer), true) = (&opts.second_look, no_timestamps) {
            let heard: Vec<Word> = segments.iter().flat_map(|s| s.words.clone()).collect();
            let proposals = (proposer.0)(&heard);
            if !proposals.is_empty() {
                let init = self.prompt_tokens(prompt, opts, no_timestamps);
                let mut flat: Vec<&mut Word> = segments
                    .iter_mut()
                    .flat_map(|s| s.words.iter_mut())
                    .collect();
                let window = second_look::Window {
                    init: &init,
                    decoded: &decoded,
                    ranges: &ranges,
                    plogs: &plogs,
                };
                // A failed look leaves the window without alternatives, never without words.
                if second_look::look(
                    &self.ctx,
                    state,
                    &window,
                    &mut flat,
                    proposals,
                    opts.threads,
                )
                .is_err()
                {
                    for w in flat {
                        w.alternatives.clear();
                    }
                }
            }
        }
        Ok(segments)
    }

    /// The tokens whisper.cpp puts before a window's text: the end of the prompt after the
    /// previous-text marker, start of transcript, language and task for multilingual
    /// models, and no-timestamps.
    fn prompt_tokens(&self, prompt: Option<&str>, opts: &Options, no_timestamps: bool) -> Vec<i32> {
        let mut init = Vec::new();
        if let Some(p) = prompt.filter(|p| !p.is_empty())
            && let Ok(toks) = self.ctx.tokenize(p, p.len() + 8)
            && !toks.is_empty()
        {
            let keep = (self.ctx.n_text_ctx() as usize / 2).saturating_sub(1);
            init.push(self.ctx.token_prev());
            init.extend_from_slice(&toks[toks.len().saturating_sub(keep)..]);
        }
        init.push(self.ctx.token_sot());
        if self.ctx.is_multilingual() {
            if let Some(lang) = whisper_rs::get_lang_id(&opts.language) {
                init.push(self.ctx.token_lang(lang));
            }
            init.push(self.ctx.token_transcribe());
        }
        if no_timestamps {
            init.push(self.ctx.token_not());
        }
        init
    }

    /// Transcribe a whole dictation into a Transcript (raw Whisper text, no formatting).
    /// Long audio is cut at pauses into chunks of at most `chunk_seconds`; chunks without
    /// speech are skipped, so silence costs nothing and cannot be hallucinated over.
    /// Windows are chosen by `audio::next_window` (long pauses taken out with `pack_speech`,
    /// times mapped back to the recording), exactly as a live `Stream` chooses them.
    pub fn transcribe(&self, samples: &[f32], opts: &Options) -> Result<Transcript, AsrError> {
        let mut state = self.new_state()?;
        let mut segments: Vec<Segment> = Vec::new();
        if opts.chunk_seconds <= 0.0 {
            // whisper.cpp slides its own 30-s window over the whole recording.
            if !audio::speech_ranges(samples).is_empty() {
                let prompt = chunk_prompt(opts.prompt.as_deref(), None);
                segments = self.decode_chunk(&mut state, samples, 0.0, prompt.as_deref(), opts)?;
            }
        } else {
            let max = opts.chunk_seconds.min(30.0);
            let mut second: Option<WhisperState> = None;
            let mut cursor = 0;
            let next = |cursor: usize| {
                audio::next_window(&samples[cursor..], max, opts.pack_speech, true)
                    .map(|w| (w, cursor))
            };
            while let Some((w0, c0)) = next(cursor) {
                cursor += w0.consumed;
                if !opts.paired_windows {
                    let new = self.decode_window(&mut state, &segments, &w0.packed, c0, opts)?;
                    segments.extend(new);
                    continue;
                }
                let pair = next(cursor);
                if let Some((w1, _)) = &pair {
                    cursor += w1.consumed;
                }
                let (a, b) = match pair {
                    None => (
                        self.decode_window(&mut state, &segments, &w0.packed, c0, opts)?,
                        Vec::new(),
                    ),
                    Some((w1, c1)) => {
                        let s1 = match &mut second {
                            Some(s) => s,
                            None => second.insert(self.new_state()?),
                        };
                        self.decode_pair(
                            [&mut state, s1],
                            &segments,
                            [(&w0.packed, c0), (&w1.packed, c1)],
                            opts,
                        )?
                    }
                };
                segments.extend(a);
                segments.extend(b);
            }
        }
        Ok(self.transcript(segments, samples.len()))
    }

    /// Two windows prompted with the same `context`: at once, with half the threads each,
    /// when there are at least two threads; else one after the other.
    fn decode_pair(
        &self,
        [s0, s1]: [&mut WhisperState; 2],
        context: &[Segment],
        [(w0, c0), (w1, c1)]: [(&audio::Packed, usize); 2],
        opts: &Options,
    ) -> Result<(Vec<Segment>, Vec<Segment>), AsrError> {
        if opts.threads < 2 {
            let a = self.decode_window(s0, context, w0, c0, opts)?;
            return Ok((a, self.decode_window(s1, context, w1, c1, opts)?));
        }
        let half = Options {
            threads: opts.threads / 2,
            ..opts.clone()
        };
        let rest = Options {
            threads: opts.threads - half.threads,
            ..opts.clone()
        };
        let (a, b) = std::thread::scope(|scope| {
            let second = scope.spawn(|| self.decode_window(s1, context, w1, c1, &half));
            let first = self.decode_window(s0, context, w0, c0, &rest);
            let second = second
                .join()
                .unwrap_or_else(|_| Err(AsrError::Decode("a decoding thread stopped".into())));
            (first, second)
        });
        Ok((a?, b?))
    }

    /// Decode one window of (packed) audio that starts `cursor` samples into the recording,
    /// prompted with `context` (what was said before), into segments in recording time.
    fn decode_window(
        &self,
        state: &mut WhisperState,
        context: &[Segment],
        window: &audio::Packed,
        cursor: usize,
        opts: &Options,
    ) -> Result<Vec<Segment>, AsrError> {
        if audio::speech_ranges(&window.samples).is_empty() {
            return Ok(Vec::new());
        }
        let prompt = chunk_prompt(
            opts.prompt.as_deref(),
            opts.carry_context.then_some(context),
        );
        let mut new = self.decode_chunk(state, &window.samples, 0.0, prompt.as_deref(), opts)?;
        to_source_times(&mut new, window, cursor as f64 / audio::WHISPER_RATE as f64);
        Ok(new)
    }

    fn transcript(&self, segments: Vec<Segment>, samples: usize) -> Transcript {
        Transcript {
            text: join_segments(&segments),
            duration: samples as f64 / audio::WHISPER_RATE as f64,
            model: self.name.clone(),
            segments,
            findings: Vec::new(),
            job: Default::default(),
        }
    }
}

/// Segment and word times in a packed window → times in the recording (`offset`: where the
/// window's audio starts, seconds).
fn to_source_times(segments: &mut [Segment], packed: &audio::Packed, offset: f64) {
    let at = |t: f64| offset + packed.source_time(t);
    for s in segments {
        s.start = at(s.start);
        s.end = at(s.end).max(s.start);
        for w in &mut s.words {
            w.start = at(w.start);
            w.end = at(w.end).max(w.start);
        }
    }
}

/// whisper.cpp's alignment-head preset for a model of these dimensions, if it has one.
fn dtw_preset(hp: &crate::model::HParams) -> Option<DtwModelPreset> {
    let multilingual = hp.n_vocab >= 51_865;
    Some(match (hp.size_name(), multilingual) {
        ("tiny", false) => DtwModelPreset::TinyEn,
        ("tiny", true) => DtwModelPreset::Tiny,
        ("base", false) => DtwModelPreset::BaseEn,
        ("base", true) => DtwModelPreset::Base,
        ("small", false) => DtwModelPreset::SmallEn,
        ("small", true) => DtwModelPreset::Small,
        ("medium", false) => DtwModelPreset::MediumEn,
        ("medium", true) => DtwModelPreset::Medium,
        _ => return None,
    })
}

/// Encoder frames for a chunk: 50 per second of audio plus a margin, at most Whisper's 1500.
fn encoder_frames(samples: usize) -> i32 {
    let frames = samples.div_ceil(audio::WHISPER_RATE as usize / 50) + 64;
    frames.min(1500) as i32
}

/// The prompt for the next chunk: the vocabulary prompt, then the end of what was said so
/// far (as faster-whisper conditions on previous text), within Whisper's prompt budget.
fn chunk_prompt(vocab: Option<&str>, previous: Option<&[Segment]>) -> Option<String> {
    const TAIL_CHARS: usize = 200;
    let tail = previous.map(join_segments).unwrap_or_default();
    let tail: String = {
        let n = tail.chars().count();
        tail.chars().skip(n.saturating_sub(TAIL_CHARS)).collect()
    };
    let parts: Vec<&str> = [vocab.unwrap_or(""), tail.trim()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(". "))
}

/// The segments' text as one string, single-spaced.
pub fn join_segments(segments: &[Segment]) -> String {
    let parts: Vec<&str> = segments
        .iter()
        .map(|s| s.text.trim())
        .filter(|t| !t.is_empty())
        .collect();
    parts.join(" ")
}

/// What whisper.cpp was compiled with on this machine (CPU features, LLAMAFILE, threads...).
pub fn system_info() -> String {
    whisper_rs::print_system_info().to_string()
}

/// Prove that a model file loads in whisper.cpp (used by `models import`).
pub fn verify_model(path: &Path) -> Result<(), String> {
    Transcriber::load(path).map(|_| ()).map_err(|e| match e {
        AsrError::Load { why, .. } => why,
        other => other.to_string(),
    })
}
