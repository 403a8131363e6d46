//! `medscribe letter INPUT --template NAME`: dictation (audio, or a transcript the
//! secretary has corrected) → letter or note as DOCX, Markdown or text, queries as comments.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::ValueEnum;
use medscribe::document::{self, Fields};
use medscribe::{check, dictation, paths, pipeline};
use serde_json::Value;

use super::check::{as_transcript, list, read_input};
use super::common::{AsrArgs, load_vocab};

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum Format {
    Docx,
    Md,
    Txt,
}

#[derive(clap::Args)]
pub struct Args {
    /// Dictation audio (WAV, MP3, M4A, OGG, FLAC) or transcript (.txt, .md, or .json from
    /// `transcribe --format json`)
    input: PathBuf,
    /// Template name (see `medscribe templates`); default: the letter type the author said
    /// ("referral letter to ...")
    #[arg(long, short = 't')]
    template: Option<String>,
    /// Field data: TOML or JSON (patient, recipient, author, ...)
    #[arg(long, short = 'd')]
    data: Option<PathBuf>,
    /// Set one field, e.g. --set patient.name="Jane Doe" (repeatable; wins over --data)
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,
    /// Output file (default: INPUT's name with the format's extension)
    #[arg(long, short = 'o')]
    output: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "docx")]
    format: Format,
    /// Sign the letter: refuse to write while any query is unresolved
    #[arg(long)]
    r#final: bool,
    /// Templates folder (default: the project's templates/)
    #[arg(long)]
    templates_dir: Option<PathBuf>,
    #[command(flatten)]
    asr: AsrArgs,
}

fn is_transcript_file(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "txt" | "md" | "json"))
}

fn fields(a: &Args) -> anyhow::Result<Fields> {
    let mut f = match &a.data {
        Some(p) => Fields::from_file(p)?,
        None => Fields::new(),
    };
    for kv in &a.set {
        let Some((k, v)) = kv.split_once('=') else {
            bail!("--set {kv}: expected KEY=VALUE, e.g. --set patient.name=\"Jane Doe\"");
        };
        f.set(k.trim(), v.trim_matches('"'));
    }
    Ok(f)
}

pub fn run(a: Args) -> anyhow::Result<()> {
    // Everything that can be checked before the (slow) transcription is checked first.
    let dir = a
        .templates_dir
        .clone()
        .unwrap_or_else(|| paths::project_subdir("templates"));
    let given_template = match &a.template {
        Some(name) => Some(document::load_template(&dir, name)?),
        None => None,
    };
    let given = fields(&a)?;
    let ext = match a.format {
        Format::Docx => "docx",
        Format::Md => "md",
        Format::Txt => "txt",
    };
    let out = a
        .output
        .clone()
        .unwrap_or_else(|| a.input.with_extension(ext));
    if out == a.input {
        bail!(
            "{}: output would overwrite the input; choose another with -o",
            out.display()
        );
    }
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        bail!(
            "{}: the folder {} does not exist",
            out.display(),
            parent.display()
        );
    }
    let vocab = load_vocab(a.asr.vocab_dir.as_ref())?;

    let (draft, mut findings, job) = if is_transcript_file(&a.input) {
        let (_, input) = read_input(Some(&a.input))?;
        match as_transcript(&input) {
            // A transcript from `transcribe --format json`: its job was read already and its
            // text is the body (perhaps corrected since); the job's queries are kept.
            Some(t) => {
                let draft = dictation::draft(&t.text);
                let mut findings: Vec<_> = t
                    .findings
                    .into_iter()
                    .filter(|f| f.is_job_query())
                    .collect();
                findings.extend(check::check_text(&draft.text, &vocab));
                (draft, findings, t.job)
            }
            None => {
                let d = pipeline::from_text(&input, &vocab, pipeline::today());
                (d.draft, d.transcript.findings, d.transcript.job)
            }
        }
    } else {
        let model = a.asr.load_model()?;
        let d = pipeline::transcribe_file(&a.input, &model, &vocab, &a.asr.settings())?;
        for w in &d.warnings {
            eprintln!("medscribe: warning: {w}");
        }
        (d.draft, d.transcript.findings, d.transcript.job)
    };
    let template = match (given_template, &job.template) {
        (Some(t), _) => t,
        (None, Some(said)) => match document::template_for_work_type(&dir, said)? {
            Some(name) => document::load_template(&dir, &name)?,
            None => bail!(
                "{}: the dictation says it is a {said}, but no template is called that or \
                 mapped to it in {}; choose one with --template",
                a.input.display(),
                dir.join(document::WORK_TYPES_FILE).display()
            ),
        },
        (None, None) => bail!(
            "{}: no --template given and the dictation does not say which letter it is; add \
             --template NAME (`medscribe templates` lists them)",
            a.input.display()
        ),
    };
    // What was dictated fills the fields; --data and --set win where given, and the patient
    // they name is checked against the one the author named.
    let record = check::job::record_patient(given.get("patient").unwrap_or(&Value::Null));
    findings.splice(0..0, check::job::patient_mismatch(&job.patient, &record));
    let mut fields = Fields::from_job(&job);
    fields.merge(&given);

    let mut letter = document::render(&template, &fields, &draft, &findings)?;
    if a.r#final {
        if !letter.unresolved().is_empty() {
            let open: Vec<String> = letter
                .unresolved()
                .iter()
                .map(|f| format!("{} \"{}\"", f.kind.as_str(), f.text))
                .collect();
            bail!(
                "{}: not written: --final refuses while {} quer{} unresolved: {}",
                out.display(),
                open.len(),
                if open.len() == 1 { "y is" } else { "ies are" },
                open.join("; ")
            );
        }
        letter = letter.finalize()?;
    }
    let bytes = match a.format {
        Format::Docx => letter.to_docx_bytes()?,
        Format::Md => letter.to_markdown().into_bytes(),
        Format::Txt => letter.to_text().into_bytes(),
    };
    document::write_atomic(&out, &bytes)
        .with_context(|| format!("{}: not written", out.display()))?;
    let n = letter.unresolved().len();
    println!(
        "wrote {} ({}, {} quer{}{})",
        out.display(),
        if a.r#final { "signed" } else { "draft" },
        n,
        if n == 1 { "y" } else { "ies" },
        if n > 0 && a.format == Format::Docx {
            " as Word comments"
        } else {
            ""
        }
    );
    if n > 0 {
        print!("{}", list(letter.unresolved()));
    }
    Ok(())
}
