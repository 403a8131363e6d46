//! Command-line definitions (clap) and dispatch to one small handler per subcommand.

use clap::{Parser, Subcommand};

mod models;
// mod transcribe;

#[derive(Parser)]
#[command(name = "medscribe", version, about = "Offline medical dictation: transcribe, query, and write letters (DOCX)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Transcribe a dictation (WAV, MP3, M4A, OGG, FLAC) into formatted clinical text.
    // Transcribe(transcribe::Args),
    /// Install, import, list and choose Whisper models.
    Models(models::Args),
}

pub fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        // Command::Transcribe(a) => transcribe::run(a),
        Command::Models(a) => models::run(a),
    }
}
