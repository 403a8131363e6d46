//! Body layout: places the Draft's sections under the template's headings and cuts each
//! paragraph into runs at finding offsets (chars into `Draft.text`).
//!
//! Must never drop dictated text: unmapped sections keep their own heading (or "Other"),
//! text before the first heading opens the body, and offsets that do not match the text
//! leave the text intact and the finding un-highlighted (anchored on the reference line).

use crate::check::Finding;
use crate::dictation::{Draft, Section};

use super::letter::{Block, BlockKind, Span};
use super::render::push_prose;
use super::sanitize::clean;
use super::template::Template;

/// What the letter shows under a required heading nothing was dictated for.
pub(crate) const NOT_DICTATED: &str = "[not dictated]";

/// The template's `opening` is used only when the dictation has no opening text of its own.
/// Returns a `missing_field` finding for each required section nothing was dictated for
/// (when the dictation has headings at all);
/// they take the ids after `findings` and are anchored on the section's placeholder.
pub(crate) fn body(
    t: &Template,
    draft: &Draft,
    findings: &[Finding],
    opening_text: &str,
    blocks: &mut Vec<Block>,
) -> Vec<Finding> {
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
    let greeted = without_greeting(t, sections);
    let sections: &[Section] = greeted.as_deref().unwrap_or(sections);
    let text: Vec<char> = draft.text.chars().collect();

    let mut opening = Vec::new();
    let mut mapped: Vec<Vec<&Section>> = vec![Vec::new(); t.sections.len()];
    let mut other: Vec<(String, Vec<&Section>)> = Vec::new();
    for s in sections {
        let slot = s.key.as_deref().and_then(|k| {
            t.sections
                .iter()
                .position(|spec| spec.keys.iter().any(|x| x == k))
        });
        let heading = s
            .heading
            .as_deref()
            .map(str::trim)
            .filter(|h| !h.is_empty());
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
    for (k, s) in opening.into_iter().enumerate() {
        let first_block = blocks.len();
        paragraphs(s, &text, findings, blocks);
        // "thank you for seeing ..." after a removed greeting starts the letter: capitalised.
        if k == 0
            && greeted.is_some()
            && let Some(span) = blocks
                .get_mut(first_block)
                .and_then(|b| b.spans.first_mut())
            && let Some(c) = span.text.get(..1).map(str::to_uppercase)
        {
            span.text.replace_range(..1, &c);
        }
    }
    // Only a dictation laid out under headings can be said to lack one; free prose may
    // hold the plan without a "Plan" heading.
    let has_headings = sections.iter().any(|s| s.key.is_some());
    let mut missing = Vec::new();
    let named = t.sections.iter().map(|s| (s.heading.clone(), s.required));
    let unnamed = other.into_iter().map(|(h, secs)| ((h, false), secs));
    for ((heading, required), secs) in named.zip(mapped).chain(unnamed) {
        if secs.iter().all(|s| s.body.trim().is_empty()) {
            if required && has_headings {
                let id = findings.len() + missing.len();
                missing.push(Finding::missing_field(
                    &heading,
                    NOT_DICTATED,
                    &format!(
                        "The {} needs a \"{heading}\" section and none was dictated — ask the \
                         author, or type it in",
                        t.name.replace('-', " ")
                    ),
                ));
                blocks.push(Block::plain(BlockKind::Heading, heading));
                blocks.push(Block {
                    kind: BlockKind::Body,
                    spans: vec![Span {
                        text: NOT_DICTATED.to_string(),
                        findings: vec![id],
                    }],
                });
            }
            continue;
        }
        blocks.push(Block::plain(BlockKind::Heading, heading));
        for s in secs {
            paragraphs(s, &text, findings, blocks);
        }
    }
    missing
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
fn paragraph(
    body: &[char],
    a: usize,
    b: usize,
    base: Option<usize>,
    findings: &[Finding],
) -> Block {
    // Each finding's local range in this paragraph (zero-width ones widened to one char).
    let mut ranges: Vec<(usize, usize, usize)> = Vec::new();
    if let Some(base) = base {
        for (id, f) in findings.iter().enumerate() {
            // A query on the spoken job (no span in the text) goes on the reference line.
            if f.start > f.end || f.is_job_query() {
                continue;
            }
            let (mut fs, mut fe) = (f.start.saturating_sub(base), f.end.saturating_sub(base));
            let (pa, pb) = (base + a, base + b);
            let zero = f.start == f.end;
            if (f.end <= pa && !(zero && f.start == pa)) || f.start > pb || (f.start == pb && !zero)
            {
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
            _ => spans.push(Span {
                text,
                findings: ids,
            }),
        }
    }
    Block {
        kind: BlockKind::Body,
        spans,
    }
}

/// Findings with no place in the body are anchored (without highlight) on the patient
/// reference line, or the first paragraph that can carry them, so none is lost.
pub(crate) fn orphans(blocks: &mut Vec<Block>, count: usize) -> Option<(usize, Vec<usize>)> {
    let mut anchored = vec![false; count];
    for id in blocks
        .iter()
        .flat_map(|b| &b.spans)
        .flat_map(|s| &s.findings)
    {
        if let Some(a) = anchored.get_mut(*id) {
            *a = true;
        }
    }
    let orphans: Vec<usize> = (0..count).filter(|&i| !anchored[i]).collect();
    if orphans.is_empty() {
        return None;
    }
    let target = [
        BlockKind::Reference,
        BlockKind::Title,
        BlockKind::Salutation,
        BlockKind::Body,
    ]
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

/// The sections without a dictated greeting ("Dear Dr Patel, thank you ..." → "thank you
/// ..."): the template writes its own salutation, so the letter does not greet twice.
fn without_greeting(t: &Template, sections: &[Section]) -> Option<Vec<Section>> {
    if !t.parts.contains_key("salutation") {
        return None;
    }
    let first = sections.first()?;
    // "Their Dr Patel," is how the recogniser sometimes hears "Dear Dr Patel,".
    let mut words = first.body.split_whitespace();
    let greeting = match words.next() {
        Some("Dear") => true,
        Some("Their" | "There") => words.next().is_some_and(|w| {
            matches!(
                w.trim_end_matches('.'),
                "Dr" | "Mr" | "Mrs" | "Ms" | "Miss" | "Professor" | "Prof"
            )
        }),
        _ => false,
    };
    if !greeting {
        return None;
    }
    let head: String = first.body.chars().take(60).collect();
    let comma = head.find([',', '\n'])?;
    let cut_bytes = comma + 1;
    let rest = &first.body[cut_bytes..];
    let rest_trim = rest.trim_start();
    let cut = first.body[..cut_bytes].chars().count()
        + (rest.chars().count() - rest_trim.chars().count());
    let mut out = sections.to_vec();
    out[0] = Section {
        body: rest_trim.to_string(),
        start: first.start + cut,
        ..first.clone()
    };
    Some(out)
}
