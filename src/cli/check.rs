//! `medscribe check [FILE|-]`: query a transcript (plain text, or transcript JSON from
//! `transcribe --format json`, whose word times give each query its audio time).

use std::io::Read;
use std::path::PathBuf;

use anyhow::Context;
use clap::ValueEnum;
use medscribe::check::{self, Finding};
use medscribe::transcript::Transcript;

use super::common::load_vocab;

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// Transcript file (text or transcript JSON); "-" or nothing reads stdin
    file: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Extra vocabulary folder (a practice's own lists)
    #[arg(long)]
    vocab_dir: Option<PathBuf>,
}

/// Read the input as UTF-8 text, naming the file in errors.
pub fn read_input(file: Option<&PathBuf>) -> anyhow::Result<(String, String)> {
    let (name, bytes) = match file {
        Some(p) if p.as_os_str() != "-" => {
            let b = std::fs::read(p).with_context(|| format!("{}: cannot read", p.display()))?;
            (p.display().to_string(), b)
        }
        _ => {
            let mut b = Vec::new();
            std::io::stdin()
                .read_to_end(&mut b)
                .context("<stdin>: cannot read")?;
            ("<stdin>".to_string(), b)
        }
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok((name, text))
}

/// A transcript JSON document if the text is one, else None (plain text).
pub fn as_transcript(text: &str) -> Option<Transcript> {
    let t = text.trim_start();
    if !t.starts_with('{') {
        return None;
    }
    serde_json::from_str(t).ok()
}

/// The text with each query marked «like this»[n].
pub fn marked(text: &str, findings: &[Finding]) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<(usize, usize, usize)> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.end > f.start && f.end <= chars.len())
        .map(|(i, f)| (f.start, f.end, i + 1))
        .collect();
    spans.sort();
    let mut out = String::new();
    let mut pos = 0;
    for (s, e, n) in spans {
        if s < pos {
            continue; // overlapping query: its number still appears in the list
        }
        out.extend(&chars[pos..s]);
        out.push('«');
        out.extend(&chars[s..e]);
        out.push_str(&format!("»[{n}]"));
        pos = e;
    }
    out.extend(&chars[pos..]);
    out
}

pub fn list(findings: &[Finding]) -> String {
    let mut out = String::new();
    for (i, f) in findings.iter().enumerate() {
        let time = f
            .time
            .map(|[s, e]| format!(" at {s:.1}-{e:.1} s"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:>3}. {} ({:?}){}: \"{}\" - {}",
            i + 1,
            f.kind.as_str(),
            f.severity,
            time,
            f.text,
            f.message
        ));
        if !f.suggestions.is_empty() {
            out.push_str(&format!(" Suggest: {}.", f.suggestions.join(", ")));
        }
        out.push('\n');
    }
    out
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let (_, input) = read_input(a.file.as_ref())?;
    let vocab = load_vocab(a.vocab_dir.as_ref())?;
    let (text, findings) = match as_transcript(&input) {
        Some(t) => {
            // Queries on the spoken job have no span in the text: they are kept as they are.
            let mut f: Vec<Finding> = t
                .findings
                .iter()
                .filter(|f| f.is_job_query())
                .cloned()
                .collect();
            f.extend(check::check_transcript(&t, &vocab));
            (t.text, f)
        }
        None => {
            let f = check::check_text(&input, &vocab);
            (input, f)
        }
    };
    match a.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "findings": findings }))?
        ),
        Format::Text => {
            println!("{}", marked(&text, &findings).trim_end());
            if findings.is_empty() {
                println!("\nNo queries.");
            } else {
                println!(
                    "\n{} queries:\n{}",
                    findings.len(),
                    list(&findings).trim_end()
                );
            }
        }
    }
    Ok(())
}

/// The job the author said, one line per field, for the top of a text transcript; empty when
/// nothing was said. Instructions are shown: they are for the secretary reading this.
pub fn job_block(job: &medscribe::dictation::job::Job) -> String {
    if job.is_empty() {
        return String::new();
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = |label: &str, value: String| {
        if !value.is_empty() {
            lines.push(format!("{label:<14}{value}"));
        }
    };
    line("Letter:", job.template.clone().unwrap_or_default());
    line(
        "Priority:",
        job.priority
            .map(|p| p.as_str().to_string())
            .unwrap_or_default(),
    );
    line("Author:", job.author.clone().unwrap_or_default());
    let p = &job.patient;
    let patient: Vec<String> = [
        p.name.clone(),
        p.dob.map(|d| format!("born {}", check::job::long_date(d))),
        p.mrn.clone(),
    ]
    .into_iter()
    .flatten()
    .collect();
    line("Patient:", patient.join(", "));
    let r = &job.recipient;
    let to: Vec<String> = [&r.name, &r.role, &r.organisation, &r.address]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    line("To:", to.join(", "));
    line("Copies:", job.cc.join("; "));
    line("Enclosures:", job.enclosures.join("; "));
    for i in &job.instructions {
        line("For you:", i.clone());
    }
    format!("{}\n", lines.join("\n"))
}
