//! `medscribe record` and `medscribe devices`: thin handlers over `medscribe::record`.
//!
//! Job: parse options, draw the live meter (terminal) or a start line and a summary (pipes,
//! tests), feed the live transcription (`live`), write the transcript beside the recording,
//! and print the command that turns it into a letter (or run it with `--then-letter`).
//! Must never: print anything the provider said except the transcript on stdout, or leave
//! the terminal in raw mode.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use medscribe::pipeline::{self, Settings};
use medscribe::record::{self, Controls, Event, Options, RawMode, Stop, Summary};
use medscribe::vocab::Vocab;

use super::common::{AsrArgs, load_vocab};
use super::live::{Feed, Live};

#[derive(clap::Args)]
pub struct RecordArgs {
    /// Output WAV, 16 kHz mono 16-bit (default: dictation-YYYYMMDD-HHMMSS.wav here)
    #[arg(long, short = 'o', value_name = "FILE.wav")]
    output: Option<PathBuf>,
    /// Continue an earlier dictation made by `medscribe record`
    #[arg(long, value_name = "FILE.wav", conflicts_with_all = ["output", "force"])]
    append: Option<PathBuf>,
    /// Replace the output file if it exists
    #[arg(long)]
    force: bool,
    /// Input device name or id, or part of it (see `medscribe devices`; default: the system's)
    #[arg(long, value_name = "NAME")]
    device: Option<String>,
    /// Stop after this many seconds of audio
    #[arg(long, value_name = "N")]
    max_seconds: Option<f64>,
    /// When recording stops, go straight on to `medscribe letter` with this template
    #[arg(long, value_name = "TEMPLATE")]
    then_letter: Option<String>,
    /// Field data for the letter (TOML or JSON), with --then-letter
    #[arg(long, value_name = "FIELDS.toml", requires = "then_letter")]
    data: Option<PathBuf>,
    /// Where the letter goes, with --then-letter (default: the recording's name, .docx)
    #[arg(long, value_name = "FILE.docx", requires = "then_letter")]
    letter_output: Option<PathBuf>,
    /// Do not transcribe while recording (by default each finished stretch is transcribed
    /// as the author talks, and the transcript is written beside the recording as .json)
    #[arg(long)]
    no_transcribe: bool,
    #[command(flatten)]
    asr: AsrArgs,
}

/// The live transcription and what turns its result into a checked transcript.
struct Transcribing {
    live: Live,
    vocab: Vocab,
    settings: Settings,
}

/// Load the model and start the transcribing thread; a recorder never refuses to record
/// because transcription cannot run, so a problem here is a warning.
fn start_transcribing(a: &AsrArgs) -> Option<Transcribing> {
    let start = || -> anyhow::Result<Transcribing> {
        let vocab = load_vocab(a.vocab_dir.as_ref())?;
        let model = a.load_model()?;
        let settings = a.settings();
        let mut opts = pipeline::asr_options(&vocab, &settings);
        // One core stays free for the capture while recording.
        opts.threads = opts.threads.saturating_sub(1).max(1);
        Ok(Transcribing {
            live: Live::start(model, opts),
            vocab,
            settings,
        })
    };
    match start() {
        Ok(t) => Some(t),
        Err(e) => {
            eprintln!(
                "medscribe: warning: not transcribing while recording ({e:#}); the recording is made as usual"
            );
            None
        }
    }
}

/// Wait for the last window, check the transcript, write it beside the recording (JSON, as
/// `transcribe --format json` gives) and print its text. Returns the transcript's path.
fn finish_transcribing(t: Transcribing, s: &Summary) -> Option<PathBuf> {
    let stopped = Instant::now();
    let (raw, left) = match t.live.finish(t.settings.asr.threads) {
        Ok(f) => (f.transcript, f.left_at_stop),
        Err(e) => {
            eprintln!(
                "medscribe: warning: live transcription failed ({e:#}); the recording is safe: `medscribe transcribe {}`",
                s.path.display()
            );
            return None;
        }
    };
    if raw.text.trim().is_empty() {
        eprintln!("medscribe: warning: no speech was heard in the recording");
        return None;
    }
    let d = pipeline::finish(raw, &t.vocab, Vec::new());
    let path = s.path.with_extension("json");
    let written = serde_json::to_vec_pretty(&d.transcript)
        .map_err(anyhow::Error::from)
        .and_then(|json| Ok(medscribe::paths::write_atomic(&path, &json)?));
    if let Err(e) = written {
        eprintln!(
            "medscribe: warning: could not write {} ({e:#}); `medscribe transcribe {}` makes it again",
            path.display(),
            s.path.display()
        );
        return None;
    }
    eprintln!(
        "medscribe: transcript ready {:.2} s after recording stopped ({left:.1} s of {:.1} s left to transcribe then): {} ({} quer{})",
        stopped.elapsed().as_secs_f64(),
        s.total_seconds,
        path.display(),
        d.transcript.findings.len(),
        if d.transcript.findings.len() == 1 {
            "y"
        } else {
            "ies"
        }
    );
    let job = super::check::job_block(&d.transcript.job);
    println!(
        "\n{job}{}{}\n",
        if job.is_empty() { "" } else { "\n" },
        d.transcript.text
    );
    Some(path)
}

#[derive(clap::Args)]
pub struct DevicesArgs {
    /// Print JSON instead of a table
    #[arg(long)]
    json: bool,
}

pub fn run_devices(a: DevicesArgs) -> anyhow::Result<()> {
    let list = record::list_inputs();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&list)?);
    } else if list.is_empty() {
        println!(
            "no microphone found (no input devices); check that one is plugged in and not muted"
        );
    } else {
        print!("{}", record::render_devices(&list));
        println!("(* = default; choose another with `medscribe record --device NAME`)");
    }
    Ok(())
}

pub fn run_record(a: RecordArgs) -> anyhow::Result<()> {
    let (output, append) = match (&a.append, &a.output) {
        (Some(p), _) => (p.clone(), true),
        (None, Some(p)) => (p.clone(), false),
        (None, None) => {
            let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
            (PathBuf::from(format!("dictation-{stamp}.wav")), false)
        }
    };
    let opts = Options {
        output,
        append,
        overwrite: a.force,
        device: a.device.clone(),
        max_seconds: a.max_seconds,
    };
    record::install_signal_handlers();
    let raw = RawMode::enable();
    let controls = Controls {
        keys: Some(record::spawn_reader(raw.is_some())),
    };
    let mut ui = Ui {
        live: std::io::stderr().is_terminal(),
        raw: raw.is_some(),
        drawn: false,
    };
    let transcribing = if a.no_transcribe {
        None
    } else {
        start_transcribing(&a.asr)
    };
    let result = record::record(&opts, &controls, |e| {
        if let Some(t) = &transcribing {
            match &e {
                Event::Audio(samples) => t.live.feed(Feed::Audio(samples.to_vec())),
                Event::Started {
                    existing_seconds, ..
                } if *existing_seconds > 0.0 => t.live.feed(Feed::Earlier {
                    path: opts.output.clone(),
                    samples: (existing_seconds * 16_000.0).round() as usize,
                }),
                _ => {}
            }
        }
        ui.event(e)
    });
    ui.clear();
    drop(raw);
    let s = result?;
    summarize(&s, append);
    let transcript = transcribing.and_then(|t| finish_transcribing(t, &s));
    let letter = letter_command(&a, transcript.as_deref().unwrap_or(&s.path));
    match &a.then_letter {
        None => println!("Next: {}", shell_words(&letter)),
        Some(_) => {
            eprintln!("medscribe: running {}", shell_words(&letter));
            let exe = std::env::current_exe().context("finding the medscribe executable")?;
            let st = Command::new(exe)
                .args(&letter[1..])
                .status()
                .context("running medscribe letter")?;
            if !st.success() {
                bail!(
                    "the letter step failed; the recording is safe in {}",
                    s.path.display()
                );
            }
        }
    }
    Ok(())
}

fn summarize(s: &Summary, append: bool) {
    match &s.stop {
        Stop::DeviceLost(why) => eprintln!(
            "medscribe: warning: the input device {} stopped after {:.1} s ({why}); kept what was recorded",
            s.device, s.seconds
        ),
        Stop::Signal => eprintln!("medscribe: stopped by signal; kept what was recorded"),
        Stop::Key | Stop::MaxSeconds => {}
    }
    if let Some(r) = &s.repaired {
        eprintln!(
            "medscribe: repaired {}: its header said {:.1} s, {:.1} s were there",
            s.path.display(),
            r.header_seconds,
            r.actual_seconds
        );
    }
    if append {
        println!(
            "Recorded {:.1} s more to {} (now {:.1} s, 16 kHz mono 16-bit)",
            s.seconds,
            s.path.display(),
            s.total_seconds
        );
    } else {
        println!(
            "Recorded {:.1} s to {} (16 kHz mono 16-bit)",
            s.seconds,
            s.path.display()
        );
    }
}

/// `medscribe letter INPUT --template ... --data ... -o ...` as words (INPUT: the transcript
/// when there is one, else the recording).
fn letter_command(a: &RecordArgs, input: &Path) -> Vec<String> {
    let mut c = vec![
        "medscribe".to_string(),
        "letter".into(),
        input.display().to_string(),
    ];
    c.push("--template".into());
    c.push(
        a.then_letter
            .clone()
            .unwrap_or_else(|| "referral-letter".into()),
    );
    match (&a.data, &a.then_letter) {
        (Some(d), _) => c.extend(["--data".into(), d.display().to_string()]),
        (None, None) => c.extend(["--data".into(), "FIELDS.toml".into()]),
        (None, Some(_)) => {}
    }
    let out = a
        .letter_output
        .clone()
        .unwrap_or_else(|| input.with_extension("docx"));
    c.extend(["-o".into(), out.display().to_string()]);
    c
}

fn shell_words(words: &[String]) -> String {
    let quote = |w: &String| {
        if !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@".contains(c))
        {
            w.clone()
        } else {
            format!("'{}'", w.replace('\'', r"'\''"))
        }
    };
    words.iter().map(quote).collect::<Vec<_>>().join(" ")
}

/// Progress on stderr: a redrawn line on a terminal, plain lines otherwise.
struct Ui {
    live: bool,
    raw: bool,
    drawn: bool,
}

impl Ui {
    fn clear(&mut self) {
        if self.drawn {
            eprint!("\r\x1b[2K");
            let _ = std::io::stderr().flush();
            self.drawn = false;
        }
    }

    fn line(&mut self, msg: &str) {
        self.clear();
        eprintln!("{msg}");
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Recovered { path, repair } => {
                let how = repair.map_or("its header was already valid".to_string(), |r| {
                    format!("{:.1} s of audio", r.actual_seconds)
                });
                self.line(&format!(
                    "medscribe: recovered interrupted recording {} ({how})",
                    path.display()
                ));
            }
            Event::Started {
                device,
                rate,
                channels,
                format,
                existing_seconds,
            } => {
                let keys = if self.raw {
                    "space pauses, Enter stops"
                } else {
                    "Enter stops, p+Enter pauses"
                };
                let cont = if existing_seconds > 0.0 {
                    format!(", continuing after {existing_seconds:.1} s")
                } else {
                    String::new()
                };
                self.line(&format!(
                    "medscribe: recording from {} ({rate} Hz, {channels} ch, {format}){cont}; {keys}, Ctrl-C stops and keeps",
                    device.label()
                ));
            }
            Event::Tick {
                seconds,
                level,
                paused,
            } => {
                if !self.live {
                    return;
                }
                let t = seconds as u64;
                let state = if paused { "PAUSED" } else { "REC   " };
                let dbfs = if level.rms_db.is_finite() {
                    format!("{:>4.0} dBFS", level.rms_db)
                } else {
                    "  -inf dBFS".into()
                };
                eprint!(
                    "\r\x1b[2K{state} {:02}:{:02}:{:02}  [{}] {dbfs}",
                    t / 3600,
                    t / 60 % 60,
                    t % 60,
                    record::bar(&level, 30)
                );
                let _ = std::io::stderr().flush();
                self.drawn = true;
            }
            Event::Paused(p) => {
                let msg = if p {
                    "medscribe: paused"
                } else {
                    "medscribe: resumed"
                };
                if !self.live {
                    self.line(msg);
                }
            }
            Event::Warning(w) => self.line(&format!("medscribe: warning: {}", w.message())),
            Event::StreamProblem(p) => self.line(&format!("medscribe: warning: audio stream: {p}")),
            Event::Audio(_) => {}
        }
    }
}
