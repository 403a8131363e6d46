//! `medscribe record` and `medscribe devices`: thin handlers over `medscribe::record`.
//!
//! Job: parse options, draw the live meter (terminal) or a start line and a summary (pipes,
//! tests), and print where the recording went and the command that turns it into a letter
//! (or run that command with `--then-letter`).
//! Must never: print anything the provider said, or leave the terminal in raw mode.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use medscribe::record::{self, Controls, Event, Options, RawMode, Stop, Summary};

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
    let result = record::record(&opts, &controls, |e| ui.event(e));
    ui.clear();
    drop(raw);
    let s = result?;
    summarize(&s, append);
    let letter = letter_command(&a, &s.path);
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

/// `medscribe letter FILE.wav --template ... --data ... -o ...` as words.
fn letter_command(a: &RecordArgs, wav: &Path) -> Vec<String> {
    let mut c = vec![
        "medscribe".to_string(),
        "letter".into(),
        wav.display().to_string(),
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
        .unwrap_or_else(|| wav.with_extension("docx"));
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
        }
    }
}
