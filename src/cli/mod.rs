//! Command-line definitions (clap) and dispatch to one small handler per subcommand.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

mod check;
mod common;
mod letter;
mod live;
mod models;
mod record;
mod serve;
mod store_args;
mod templates;
mod transcribe;
mod users;
mod worker;

#[derive(Parser)]
#[command(
    name = "medscribe",
    version,
    about = "Offline medical dictation: transcribe, query what sounds wrong, write letters (DOCX)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Transcribe a dictation (WAV, MP3, M4A, OGG, FLAC) into formatted clinical text.
    Transcribe(transcribe::Args),
    /// Query a transcript: sound-alike drugs, doses, abbreviations, sides, misheard terms.
    Check(check::Args),
    /// Turn a dictation or transcript into a letter or note (DOCX, Markdown, text).
    Letter(letter::Args),
    /// List the letter and note templates and their fields.
    Templates(templates::Args),
    /// Record a dictation from a microphone into a 16 kHz mono WAV (space pauses, Enter stops).
    Record(record::RecordArgs),
    /// List the input devices (microphones) that can record.
    Devices(record::DevicesArgs),
    /// Install, import, list and choose Whisper models.
    Models(models::Args),
    /// Run the department service: HTTP API, transcription workers, audit (see docs/api.md).
    Serve(serve::Args),
    /// Manage the service's users: add, list, disable, enable, token, password.
    Users(users::Args),
    /// Run transcription workers on another machine against a shared PostgreSQL.
    Worker(worker::Args),
}

/// `medscribe --version`: what this binary is and what whisper.cpp was built with, so a user
/// (or a support call) can see why it is fast or slow here.
fn long_version() -> String {
    let profile = if cfg!(debug_assertions) {
        "dev profile (for tests; `make install` builds the faster release profile)"
    } else {
        "release"
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "{}\nbuild: {profile}\ncores: {cores} (Whisper threads by default: {})\nwhisper.cpp: {}",
        env!("CARGO_PKG_VERSION"),
        medscribe::asr::Options::default().threads,
        medscribe::asr::system_info().trim()
    )
}

pub fn run() -> anyhow::Result<()> {
    // Built once per run; leaking it gives clap the 'static text it wants.
    let version: &'static str = Box::leak(long_version().into_boxed_str());
    let matches = Cli::command().long_version(version).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Transcribe(a) => transcribe::run(a),
        Command::Check(a) => check::run(a),
        Command::Letter(a) => letter::run(a),
        Command::Templates(a) => templates::run(a),
        Command::Record(a) => record::run_record(a),
        Command::Devices(a) => record::run_devices(a),
        Command::Models(a) => models::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Users(a) => users::run(a),
        Command::Worker(a) => worker::run(a),
    }
}
