//! Merge: template + field data + dictated Draft + Findings → [`Letter`].
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
use crate::dictation::{Draft, Section};

use super::letter::{Block, BlockKind, Letter, Span};
use super::sanitize::clean;
use super::template::{Template, environment};
use super::{DocumentError, Fields};

const DEFAULT_DATE_FORMAT: &str = "%-d %B %Y";

/// Renders a letter. Fails listing every missing required field, or naming the template
/// part that could not be rendered.
pub fn render(
    t: &Template,
    fields: &Fields,
    draft: &Draft,
    findings: &[Finding],
) -> Result<Letter, DocumentError> {
    let ctx = context(t, fields)?;
    let env = environment();
    let part = |key: &str| -> Result<String, DocumentError> {
        let Some(p) = t.parts.get(key) else {
            return Ok(if key == "date" { ctx_str(&ctx, "date") } else { String::new() });
        };
        env.render_named_str(key, &p.source, &ctx)
            .map(|s| clean(s.trim()))
            .map_err(|e| DocumentError::TemplateRender {
                template: t.name.clone(),
                part: format!("[text].{key} ({}:{})", p.file.display(), p.line),
                message: e.detail().map(str::to_string).unwrap_or_else(|| e.kind().to_string()),
            })
    };

    let mut blocks = Vec::new();
    push_lines(&mut blocks, BlockKind::Letterhead, part("letterhead")?);
    push_lines(&mut blocks, BlockKind::LetterheadDetails, part("letterhead_details")?);
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
    body(t, draft, &findings, &part("opening")?, &mut blocks);

    push_prose(&mut blocks, BlockKind::Body, &part("closing")?);
    push_prose(&mut blocks, BlockKind::SignOff, &part("sign_off")?);
    push_lines(&mut blocks, BlockKind::Signature, part("signature")?);
    let draft_marker = part("draft_marker")?;
    push_lines(&mut blocks, BlockKind::Marker, draft_marker);
    push_lines(&mut blocks, BlockKind::Cc, part("cc")?);
    push_lines(&mut blocks, BlockKind::Enclosures, part("enclosures")?);
    let orphans = orphans(&mut blocks, findings.len());

    Ok(Letter {
        template: t.name.clone(),
        footer: part("footer")?,
        logo: logo(t, &ctx)?,
        signed_marker: part("signed_marker")?,
        blocks,
        findings,
        orphans,
    })
}

/// Practice defaults, then field data, then declared-but-absent optional fields as "" and
/// `date` as today unless given.
fn context(t: &Template, fields: &Fields) -> Result<Value, DocumentError> {
    let mut ctx = Fields::from_value(t.defaults.clone());
    ctx.merge(fields);
    let missing: Vec<String> = t
        .fields
        .iter()
        .filter(|f| f.required && !ctx.has(&f.name))
        .map(|f| f.name.clone())
        .collect();
    if !missing.is_empty() {
        return Err(DocumentError::MissingFields {
            template: t.name.clone(),
            fields: missing,
        });
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
    Ok(ctx.to_value())
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
    ctx.get(key).and_then(Value::as_str).unwrap_or("").to_string()
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
fn push_prose(blocks: &mut Vec<Block>, kind: BlockKind, text: &str) {
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
/// The template's `opening` is used only when the dictation has no opening text of its own.
fn body(t: &Template, draft: &Draft, findings: &[Finding], opening_text: &str, blocks: &mut Vec<Block>) {
    let whole;
    let sections: &[Section] = if draft.sections.is_empty() {
        whole = [Section {
            heading: None,
            key: None,
            body: draft.text.clone(),
            start: 0,
            end: draft.text.chars().count(),
        }];
        &whole
    } else {
        &draft.sections
    };
    let text: Vec<char> = draft.text.chars().collect();

    let mut opening = Vec::new();
    let mut mapped: Vec<Vec<&Section>> = vec![Vec::new(); t.sections.len()];
    let mut other: Vec<(String, Vec<&Section>)> = Vec::new();
    for s in sections {
        let slot = s
            .key
            .as_deref()
            .and_then(|k| t.sections.iter().position(|spec| spec.keys.iter().any(|x| x == k)));
        let heading = s.heading.as_deref().map(str::trim).filter(|h| !h.is_empty());
        match (slot, heading) {
            (Some(i), _) => mapped[i].push(s),
            (None, None) if s.key.is_none() => opening.push(s),
            (None, h) => {
                let h = clean(h.unwrap_or(&t.other_heading));
                match other.iter_mut().find(|(x, _)| x.eq_ignore_ascii_case(&h)) {
                    Some((_, v)) => v.push(s),
                    None => other.push((h, vec![s])),
                }
            }
        }
    }
    if opening.iter().all(|s| s.body.trim().is_empty()) {
        push_prose(blocks, BlockKind::Body, opening_text);
    }
    for s in opening {
        paragraphs(s, &text, findings, blocks);
    }
    let named = t.sections.iter().map(|s| s.heading.clone()).zip(mapped);
    for (heading, secs) in named.chain(other) {
        if secs.iter().all(|s| s.body.trim().is_empty()) {
            continue;
        }
        blocks.push(Block::plain(BlockKind::Heading, heading));
        for s in secs {
            paragraphs(s, &text, findings, blocks);
        }
    }
}

/// Splits one section body into paragraph blocks, cutting runs at finding boundaries.
fn paragraphs(s: &Section, text: &[char], findings: &[Finding], blocks: &mut Vec<Block>) {
    let body: Vec<char> = s.body.chars().collect();
    // Offsets are only trusted when the body really is text[start..end].
    let aligned = s.end >= s.start
        && s.end - s.start == body.len()
        && text.get(s.start..s.end) == Some(&body[..]);
    let mut line_start = 0;
    let mut para: Option<(usize, usize)> = None;
    for i in 0..=body.len() {
        if i < body.len() && body[i] != '\n' {
            continue;
        }
        let line = &body[line_start..i];
        if line.iter().all(|c| c.is_whitespace()) {
            if let Some((a, b)) = para.take() {
                blocks.push(paragraph(&body, a, b, aligned.then_some(s.start), findings));
            }
        } else {
            let first = line_start + line.iter().position(|c| !c.is_whitespace()).unwrap_or(0);
            let last = line_start + line.iter().rposition(|c| !c.is_whitespace()).unwrap_or(0) + 1;
            para = Some(para.map_or((first, last), |(a, _)| (a, last)));
        }
        line_start = i + 1;
    }
    if let Some((a, b)) = para {
        blocks.push(paragraph(&body, a, b, aligned.then_some(s.start), findings));
    }
}

/// One body paragraph `body[a..b]`; `base` is the body's offset in Draft.text when aligned.
fn paragraph(body: &[char], a: usize, b: usize, base: Option<usize>, findings: &[Finding]) -> Block {
    // Each finding's local range in this paragraph (zero-width ones widened to one char).
    let mut ranges: Vec<(usize, usize, usize)> = Vec::new();
    if let Some(base) = base {
        for (id, f) in findings.iter().enumerate() {
            if f.start > f.end {
                continue;
            }
            let (mut fs, mut fe) = (f.start.saturating_sub(base), f.end.saturating_sub(base));
            let (pa, pb) = (base + a, base + b);
            let zero = f.start == f.end;
            if (f.end <= pa && !(zero && f.start == pa)) || f.start > pb || (f.start == pb && !zero) {
                continue;
            }
            if fs == fe {
                fe = (fs + 1).min(b);
                fs = fe.saturating_sub(1).max(a);
            }
            ranges.push((id, fs.max(a), fe.min(b)));
        }
    }
    let mut cuts: Vec<usize> = vec![a, b];
    for &(_, s, e) in &ranges {
        cuts.extend([s, e]);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut spans: Vec<Span> = Vec::new();
    for w in cuts.windows(2) {
        let (s, e) = (w[0], w[1]);
        let ids: Vec<usize> = ranges
            .iter()
            .filter(|&&(_, fs, fe)| fs < e && s < fe)
            .map(|&(id, _, _)| id)
            .collect();
        let text = clean(&body[s..e].iter().collect::<String>());
        match spans.last_mut() {
            Some(last) if last.findings == ids => last.text.push_str(&text),
            _ => spans.push(Span { text, findings: ids }),
        }
    }
    Block {
        kind: BlockKind::Body,
        spans,
    }
}

/// Findings with no place in the body are anchored (without highlight) on the patient
/// reference line, or the first paragraph that can carry them, so none is lost.
fn orphans(blocks: &mut Vec<Block>, count: usize) -> Option<(usize, Vec<usize>)> {
    let mut anchored = vec![false; count];
    for id in blocks.iter().flat_map(|b| &b.spans).flat_map(|s| &s.findings) {
        if let Some(a) = anchored.get_mut(*id) {
            *a = true;
        }
    }
    let orphans: Vec<usize> = (0..count).filter(|&i| !anchored[i]).collect();
    if orphans.is_empty() {
        return None;
    }
    let target = [BlockKind::Reference, BlockKind::Title, BlockKind::Salutation, BlockKind::Body]
        .iter()
        .find_map(|k| blocks.iter().position(|b| b.kind == *k));
    let i = match target {
        Some(i) => i,
        None => {
            blocks.push(Block::plain(BlockKind::Body, "Queries on this dictation"));
            blocks.len() - 1
        }
    };
    Some((i, orphans))
}

fn logo(t: &Template, ctx: &Value) -> Result<Option<(Vec<u8>, u32, u32)>, DocumentError> {
    let Some(path) = ctx.pointer("/practice/logo").and_then(Value::as_str) else {
        return Ok(None);
    };
    if path.trim().is_empty() {
        return Ok(None);
    }
    let path = PathBuf::from(path.trim());
    let path = if path.is_absolute() { path } else { t.dir.join(path) };
    let bytes = std::fs::read(&path).map_err(|e| DocumentError::Logo {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let png = bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR");
    let dim = |r: std::ops::Range<usize>| {
        bytes.get(r).and_then(|b| b.try_into().ok()).map(u32::from_be_bytes)
    };
    match (png, dim(16..20), dim(20..24)) {
        (true, Some(w), Some(h)) if w > 0 && h > 0 => Ok(Some((bytes, w, h))),
        _ => Err(DocumentError::Logo {
            path,
            message: "not a PNG image (the logo must be a .png file)".to_string(),
        }),
    }
}
