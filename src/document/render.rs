//! Merge: template + field data + dictated Draft + Findings → [`Letter`] (body layout: body.rs).
//!
//! Dictated sections go to the template section whose `keys` list their key; text before
//! the first heading opens the body; a section the template has no place for keeps its own
//! heading (or the template's "Other" heading), after the template's sections. Body runs
//! are split at finding offsets (chars into `Draft.text`) so each finding can be anchored.
//!
//! Must never drop dictated text, never leave a placeholder unrendered (minijinja runs in
//! strict mode) and never put field values into errors.

use std::path::PathBuf;

use serde_json::Value;

use crate::check::Finding;
use crate::dictation::Draft;

use super::letter::{Block, BlockKind, Letter, Span};
use super::sanitize::clean;
use super::template::{FieldSpec, Template, environment};
use super::{DocumentError, Fields};

const DEFAULT_DATE_FORMAT: &str = "%-d %B %Y";

/// Renders a letter, or fails naming the template part that could not be rendered.
///
/// A required field that the field data does not give is shown as a placeholder
/// ("[missing: patient.dob]") and queried as `missing_field`, as is a required section
/// nothing was dictated for: the draft is still written, and `--final` refuses it.
pub fn render(
    t: &Template,
    fields: &Fields,
    draft: &Draft,
    findings: &[Finding],
) -> Result<Letter, DocumentError> {
    let (ctx, missing) = context(t, fields);
    let env = environment();
    let part = |key: &str| -> Result<String, DocumentError> {
        let Some(p) = t.parts.get(key) else {
            return Ok(if key == "date" {
                ctx_str(&ctx, "date")
            } else {
                String::new()
            });
        };
        env.render_named_str(key, &p.source, &ctx)
            .map(|s| clean(s.trim()))
            .map_err(|e| DocumentError::TemplateRender {
                template: t.name.clone(),
                part: format!("[text].{key} ({}:{})", p.file.display(), p.line),
                message: render_message(&e, &p.source),
            })
    };

    let mut blocks = Vec::new();
    push_lines(&mut blocks, BlockKind::Letterhead, part("letterhead")?);
    push_lines(
        &mut blocks,
        BlockKind::LetterheadDetails,
        part("letterhead_details")?,
    );
    push_lines(&mut blocks, BlockKind::Date, part("date")?);
    push_lines(&mut blocks, BlockKind::Recipient, part("recipient")?);
    push_prose(&mut blocks, BlockKind::Title, &part("title")?);
    push_lines(&mut blocks, BlockKind::Reference, part("reference")?);
    push_prose(&mut blocks, BlockKind::Salutation, &part("salutation")?);

    let mut findings: Vec<Finding> = findings.to_vec();
    for f in &mut findings {
        f.text = clean(&f.text);
        f.message = clean(&f.message);
        f.suggestions = f.suggestions.iter().map(|s| clean(s)).collect();
    }
    let missing_sections = super::body::body(t, draft, &findings, &part("opening")?, &mut blocks);
    findings.extend(missing_sections);

    push_prose(&mut blocks, BlockKind::Body, &part("closing")?);
    push_prose(&mut blocks, BlockKind::SignOff, &part("sign_off")?);
    push_lines(&mut blocks, BlockKind::Signature, part("signature")?);
    let draft_marker = part("draft_marker")?;
    push_lines(&mut blocks, BlockKind::Marker, draft_marker);
    push_lines(&mut blocks, BlockKind::Cc, part("cc")?);
    push_lines(&mut blocks, BlockKind::Enclosures, part("enclosures")?);
    // Each missing field is queried on its placeholder (or, if no block shows it, on the
    // reference line like any finding without a place).
    for spec in missing {
        let placeholder = placeholder(&spec.name);
        anchor_placeholder(&mut blocks, &placeholder, findings.len());
        findings.push(Finding::missing_field(
            &spec.name,
            &placeholder,
            &missing_message(&spec.name, &spec.description),
        ));
    }
    let orphans = super::body::orphans(&mut blocks, findings.len());

    Ok(Letter {
        template: t.name.clone(),
        footer: part("footer")?,
        continuation: part("continuation")?,
        logo: logo(t, &ctx)?,
        signed_marker: part("signed_marker")?,
        blocks,
        findings,
        orphans,
    })
}

/// minijinja's message plus the expression it failed on (template text, never a value).
fn render_message(e: &minijinja::Error, source: &str) -> String {
    let what = e
        .detail()
        .map(str::to_string)
        .unwrap_or_else(|| e.kind().to_string());
    match e.range().and_then(|r| source.get(r)) {
        Some(expr) if e.kind() == minijinja::ErrorKind::UndefinedError => format!(
            "{what} '{}' (declare it under [[fields]] or set it in the field data)",
            expr.trim()
        ),
        Some(expr) => format!("{what} in '{}'", expr.trim()),
        None => what,
    }
}

/// What the letter shows where a required field has no value.
fn placeholder(name: &str) -> String {
    format!("[missing: {name}]")
}

fn missing_message(name: &str, description: &str) -> String {
    let what = if description.trim().is_empty() {
        String::new()
    } else {
        format!(" ({})", description.trim())
    };
    format!(
        "The letter needs {name}{what} and the field data does not give it — add it \
         (--set {name}=... or the data file) or ask the author"
    )
}

/// Practice defaults, then field data, then placeholders for required fields that have no
/// value (returned, to be queried), declared-but-absent optional fields as "" and `date` as
/// today unless given.
fn context<'t>(t: &'t Template, fields: &Fields) -> (Value, Vec<&'t FieldSpec>) {
    let mut ctx = Fields::from_value(t.defaults.clone());
    ctx.merge(fields);
    let missing: Vec<&FieldSpec> = t
        .fields
        .iter()
        .filter(|f| f.required && !ctx.has(&f.name))
        .collect();
    for f in &missing {
        ctx.set(&f.name, &placeholder(&f.name));
    }
    for f in &t.fields {
        if ctx.get(&f.name).is_none() {
            ctx.set(&f.name, "");
        }
    }
    if !ctx.has("date") {
        let value = ctx.to_value();
        let format = value
            .pointer("/practice/date_format")
            .and_then(Value::as_str)
            .unwrap_or(DEFAULT_DATE_FORMAT);
        ctx.set("date", &today(format));
    }
    (ctx.to_value(), missing)
}

/// Cuts the first span showing `placeholder` so the placeholder alone carries finding `id`.
fn anchor_placeholder(blocks: &mut [Block], placeholder: &str, id: usize) {
    for b in blocks.iter_mut() {
        let Some((si, at)) = b
            .spans
            .iter()
            .enumerate()
            .find_map(|(i, s)| s.text.find(placeholder).map(|at| (i, at)))
        else {
            continue;
        };
        let span = b.spans.remove(si);
        let (before, rest) = span.text.split_at(at);
        let (hit, after) = rest.split_at(placeholder.len());
        let mut ids = span.findings.clone();
        ids.push(id);
        let pieces = [
            (before, span.findings.clone()),
            (hit, ids),
            (after, span.findings),
        ];
        let new: Vec<Span> = pieces
            .into_iter()
            .filter(|(text, _)| !text.is_empty())
            .map(|(text, findings)| Span {
                text: text.to_string(),
                findings,
            })
            .collect();
        b.spans.splice(si..si, new);
        return;
    }
}

fn today(format: &str) -> String {
    use std::fmt::Write;
    let now = chrono::Local::now();
    let mut s = String::new();
    if write!(s, "{}", now.format(format)).is_err() {
        s.clear();
        let _ = write!(s, "{}", now.format(DEFAULT_DATE_FORMAT));
    }
    s
}

fn ctx_str(ctx: &Value, key: &str) -> String {
    ctx.get(key)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

/// One block of non-empty lines (address, signature, cc list).
fn push_lines(blocks: &mut Vec<Block>, kind: BlockKind, text: String) {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    if !lines.is_empty() {
        blocks.push(Block::plain(kind, lines.join("\n")));
    }
}

/// Blank-line separated paragraphs, each one block; single newlines are line breaks.
pub(crate) fn push_prose(blocks: &mut Vec<Block>, kind: BlockKind, text: &str) {
    let mut para: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !para.is_empty() {
                blocks.push(Block::plain(kind, para.join("\n")));
                para.clear();
            }
        } else {
            para.push(line.trim_end());
        }
    }
}

/// Lays out the dictated sections and anchors findings inside them.
fn logo(t: &Template, ctx: &Value) -> Result<Option<(Vec<u8>, u32, u32)>, DocumentError> {
    let Some(path) = ctx.pointer("/practice/logo").and_then(Value::as_str) else {
        return Ok(None);
    };
    if path.trim().is_empty() {
        return Ok(None);
    }
    let path = PathBuf::from(path.trim());
    let path = if path.is_absolute() {
        path
    } else {
        t.dir.join(path)
    };
    let bytes = std::fs::read(&path).map_err(|e| DocumentError::Logo {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let png = bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR");
    let dim = |r: std::ops::Range<usize>| {
        bytes
            .get(r)
            .and_then(|b| b.try_into().ok())
            .map(u32::from_be_bytes)
    };
    match (png, dim(16..20), dim(20..24)) {
        (true, Some(w), Some(h)) if w > 0 && h > 0 => Ok(Some((bytes, w, h))),
        _ => Err(DocumentError::Logo {
            path,
            message: "not a PNG image (the logo must be a .png file)".to_string(),
        }),
    }
}
