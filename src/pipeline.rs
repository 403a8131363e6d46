//! The main job, stage after stage: audio file → Audio → Transcript → Draft → Findings.
//!
//! A thin orchestration over the stage modules so that the CLI, the web app and the tests
//! run exactly the same path. It never formats, checks or renders anything itself.

use std::path::Path;

use chrono::NaiveDate;

use crate::asr::{self, Transcriber};
use crate::audio;
use crate::check;
use crate::dictation::{self, Draft};
use crate::transcript::Transcript;
use crate::vocab::Vocab;

/// What the pipeline needs besides the audio.
pub struct Settings {
    pub asr: asr::Options,
    /// Specialties whose vocabulary primes Whisper ("general" is always included).
    pub specialties: Vec<String>,
    /// Prime Whisper with vocabulary terms at all.
    pub prime: bool,
    /// Most terms to put in the prompt.
    pub prompt_terms: usize,
    /// Score medical readings of doubtful words against the audio (`check::heard`).
    pub second_look: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            asr: asr::Options::default(),
            specialties: Vec::new(),
            prime: false,
            prompt_terms: 24,
            second_look: true,
        }
    }
}

/// The result of transcribing one dictation.
pub struct Dictation {
    /// `text` is the formatted draft text; findings' offsets refer to it.
    pub transcript: Transcript,
    pub draft: Draft,
    /// One-line notes for the user about the audio (e.g. a truncated file was used).
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Audio(#[from] audio::AudioError),
    #[error(transparent)]
    Asr(#[from] asr::AsrError),
    #[error("{file}: no speech found (the recording is silent)")]
    Silent { file: String },
}

impl Settings {
    /// Whether Whisper will be given a prompt (vocabulary or carried text), so the model must
    /// be loaded with DTW word alignment: a prompted chunk has no timestamp tokens.
    pub fn needs_word_alignment(&self) -> bool {
        self.prime || self.asr.carry_context
    }
}

/// The Whisper prompt for these settings, if any.
pub fn prompt(vocab: &Vocab, settings: &Settings) -> Option<String> {
    if !settings.prime {
        return None;
    }
    let specs: Vec<&str> = settings.specialties.iter().map(String::as_str).collect();
    let terms = vocab.prompt_terms(&specs, settings.prompt_terms);
    (!terms.is_empty()).then(|| terms.join(", "))
}

/// Whisper's options for these settings: the prompt, and the second look's proposals from
/// the vocabulary.
pub fn asr_options(vocab: &Vocab, settings: &Settings) -> asr::Options {
    let mut opts = settings.asr.clone();
    opts.prompt = prompt(vocab, settings);
    if settings.second_look {
        let sounds = vocab.index.sounds.clone();
        opts.second_look = Some(asr::Proposer(std::sync::Arc::new(move |words| {
            check::heard::propose(words, &sounds)
        })));
    }
    opts
}

/// Transcribe and check one audio file dictated today.
pub fn transcribe_file(
    path: &Path,
    model: &Transcriber,
    vocab: &Vocab,
    settings: &Settings,
) -> Result<Dictation, PipelineError> {
    transcribe_file_on(path, model, vocab, settings, today())
}

/// Transcribe and check one audio file dictated on `day` (ages, two-digit years).
pub fn transcribe_file_on(
    path: &Path,
    model: &Transcriber,
    vocab: &Vocab,
    settings: &Settings,
    day: NaiveDate,
) -> Result<Dictation, PipelineError> {
    let (audio, warnings) = audio::load_with_warnings(path)?;
    if audio::speech_ranges(&audio.samples).is_empty() {
        return Err(PipelineError::Silent {
            file: path.display().to_string(),
        });
    }
    let raw = model.transcribe(&audio.samples, &asr_options(vocab, settings))?;
    Ok(finish_on(raw, vocab, warnings, day))
}

/// The local date.
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// Format and check a raw Whisper transcript dictated today.
pub fn finish(raw: Transcript, vocab: &Vocab, warnings: Vec<String>) -> Dictation {
    finish_on(raw, vocab, warnings, today())
}

/// Read the job from the preamble, format the rest, check both. Job queries (no span in the
/// text) come first, then the text's in order.
pub fn finish_on(
    raw: Transcript,
    vocab: &Vocab,
    warnings: Vec<String>,
    day: NaiveDate,
) -> Dictation {
    // Whisper's "endo-tracheal" is typed "endotracheal".
    let sounds = &vocab.index.sounds;
    let raw = Transcript {
        text: dictation::compounds::join(&raw.text, |w| sounds.is_medical(w)),
        ..raw
    };
    let reading = dictation::job::read(&raw.text, day);
    let draft = dictation::draft(&reading.body);
    let mut findings = check::job::findings(&reading, &raw.text, &draft.text, day);
    check::job::heard_findings(&reading, &raw, &mut findings);
    let mut transcript = Transcript {
        text: draft.text.clone(),
        job: reading.job,
        findings: Vec::new(),
        ..raw
    };
    findings.extend(check::check_transcript(&transcript, vocab));
    findings.sort_by_key(|f| (f.start, f.end, f.kind));
    transcript.findings = findings;
    Dictation {
        transcript,
        draft,
        warnings,
    }
}

/// A typed or pasted dictation (no audio): the job read from its preamble, the rest
/// formatted, both checked.
pub fn from_text(text: &str, vocab: &Vocab, day: NaiveDate) -> Dictation {
    finish_on(
        Transcript {
            text: text.to_string(),
            ..Transcript::default()
        },
        vocab,
        Vec::new(),
        day,
    )
}
