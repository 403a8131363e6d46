//! `medscribe transcribe AUDIO`: formatted clinical text, or JSON / SRT / VTT.

use std::path::PathBuf;

use clap::ValueEnum;
use medscribe::{pipeline, subtitles};

use super::check::job_block;
use super::common::{AsrArgs, load_vocab};

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Srt,
    Vtt,
}

#[derive(clap::Args)]
pub struct Args {
    /// Audio file: WAV, MP3, M4A/AAC, OGG, FLAC
    audio: PathBuf,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    #[command(flatten)]
    asr: AsrArgs,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let vocab = load_vocab(a.asr.vocab_dir.as_ref())?;
    let model = a.asr.load_model()?;
    let d = pipeline::transcribe_file(&a.audio, &model, &vocab, &a.asr.settings())?;
    for w in &d.warnings {
        eprintln!("medscribe: warning: {w}");
    }
    match a.format {
        Format::Text => {
            let job = job_block(&d.transcript.job);
            if !job.is_empty() {
                println!("{job}");
            }
            println!("{}", d.transcript.text);
            if !d.transcript.findings.is_empty() {
                eprintln!(
                    "\n{} queries (see `medscribe check`):",
                    d.transcript.findings.len()
                );
                for (i, f) in d.transcript.findings.iter().enumerate() {
                    eprintln!(
                        "  {}. [{}] \"{}\": {}",
                        i + 1,
                        f.kind.as_str(),
                        f.text,
                        f.message
                    );
                }
            }
        }
        Format::Json => println!("{}", serde_json::to_string_pretty(&d.transcript)?),
        Format::Srt => print!("{}", subtitles::srt(&d.transcript.segments)),
        Format::Vtt => print!("{}", subtitles::vtt(&d.transcript.segments)),
    }
    Ok(())
}
