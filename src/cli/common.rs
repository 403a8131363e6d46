//! Options shared by the subcommands that transcribe: model choice, threads, vocabulary.

use std::path::PathBuf;

use anyhow::Context;
use medscribe::asr::Transcriber;
use medscribe::pipeline::Settings;
use medscribe::vocab::Vocab;
use medscribe::{model, paths};

#[derive(clap::Args, Clone)]
pub struct AsrArgs {
    /// Model name in models/ (see `medscribe models list`) or path to a whisper.cpp ggml file
    /// (default: $MEDSCRIBE_MODEL, else the installed default)
    #[arg(long, short = 'm', env = "MEDSCRIBE_MODEL", hide_env = true)]
    pub model: Option<String>,
    /// CPU threads for Whisper (default: all cores, at most 8)
    #[arg(long)]
    pub threads: Option<usize>,
    /// Prime Whisper with these specialty vocabularies, comma-separated (e.g.
    /// cardiology,urology; "general" is added). Off unless given: a long generic term list
    /// slowed decoding without lowering medical WER. See vocab/specialty/.
    #[arg(long = "vocab", alias = "specialty", value_delimiter = ',')]
    pub vocab: Vec<String>,
    /// Do not prime Whisper even when --vocab is given
    #[arg(long)]
    pub no_prime: bool,
    /// Extra vocabulary folder (a practice's own lists, same file names as vocab/)
    #[arg(long)]
    pub vocab_dir: Option<PathBuf>,
    /// Do not score medical readings of doubtful words against the audio (faster; no
    /// "the recording may say ..." queries)
    #[arg(long)]
    pub no_second_look: bool,
}

impl AsrArgs {
    /// The model, with DTW word alignment when a prompt will be used (see `asr`).
    pub fn load_model(&self) -> anyhow::Result<Transcriber> {
        let path = model::resolve(&model::models_dir(), self.model.as_deref())?;
        Ok(Transcriber::load_with(
            &path,
            self.settings().needs_word_alignment(),
        )?)
    }

    pub fn settings(&self) -> Settings {
        let prime = !self.no_prime && !self.vocab.is_empty();
        let mut s = Settings {
            specialties: self.vocab.clone(),
            prime,
            second_look: !self.no_second_look,
            ..Settings::default()
        };
        if let Some(t) = self.threads {
            s.asr.threads = t.max(1);
        }
        s
    }
}

/// The bundled vocabulary plus a practice's own lists (`--vocab-dir`, or `vocab/local/`).
pub fn load_vocab(extra: Option<&PathBuf>) -> anyhow::Result<Vocab> {
    let mut v = Vocab::bundled().context("loading the bundled vocabulary")?;
    let local = extra
        .cloned()
        .unwrap_or_else(|| paths::project_subdir("vocab").join("local"));
    if local.is_dir() {
        v = v.with_user_dir(&local)?;
    }
    Ok(v)
}
