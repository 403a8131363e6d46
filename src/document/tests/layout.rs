//! Merge rules without LibreOffice: where dictated text lands, how findings are cut into
//! runs and anchored, and the Markdown/text exports.

use crate::check::FindingKind;
use crate::document::{BlockKind, Letter, load_template, render};

use super::*;

fn soap(d: &crate::dictation::Draft, f: &[crate::check::Finding]) -> Letter {
    let t = load_template(&templates_dir(), "soap-note").unwrap_or_else(|e| panic!("{e}"));
    render(&t, &fixture("soap-note"), d, f).unwrap_or_else(|e| panic!("{e}"))
}

fn headings(l: &Letter) -> Vec<String> {
    l.blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Heading)
        .map(|b| b.text())
        .collect()
}

#[test]
fn draft_without_sections_keeps_all_text() {
    let d = crate::dictation::Draft {
        text: "Seen today with cough.\n\nChest clear.".to_string(),
        sections: vec![],
    };
    let l = soap(&d, &[]);
    let text = l.to_text();
    assert!(
        text.contains("Seen today with cough.\n\nChest clear."),
        "{text}"
    );
    assert!(headings(&l).is_empty());
}

#[test]
fn unmapped_sections_keep_their_heading_or_go_under_other() {
    let d = draft(&[
        (Some("Plan"), Some("plan"), "Review in two weeks."),
        (
            Some("Social History"),
            Some("social_history"),
            "Lives alone.",
        ),
        (None, Some("weird_key"), "Text with a key but no heading."),
        (Some("Subjective"), Some("subjective"), "Cough for a week."),
        (Some("Empty"), None, "  "),
    ]);
    let l = soap(&d, &[]);
    // Template order first, then dictation order for the rest; empty sections omitted.
    assert_eq!(
        headings(&l),
        ["Subjective", "Plan", "Social History", "Other"]
    );
    let text = l.to_text();
    for s in [
        "Review in two weeks.",
        "Lives alone.",
        "Text with a key but no heading.",
        "Cough for a week.",
    ] {
        assert!(text.contains(s), "{s} dropped");
    }
}

#[test]
fn same_key_twice_merges_under_one_heading() {
    let d = draft(&[
        (Some("History"), Some("history"), "First part."),
        (Some("Plan"), Some("plan"), "Plan text."),
        (Some("History continued"), Some("history"), "Second part."),
    ]);
    let l = soap(&d, &[]);
    assert_eq!(headings(&l), ["Subjective", "Plan"]);
    let text = l.to_text();
    assert!(
        text.find("First part.") < text.find("Second part.")
            && text.find("Second part.") < text.find("Plan text.")
    );
}

#[test]
fn template_opening_only_without_dictated_opening() {
    let t = load_template(&templates_dir(), "patient-letter").unwrap_or_else(|e| panic!("{e}"));
    let f = fixture("patient-letter");
    let with = draft(&[
        (None, None, "Your scan was normal."),
        (Some("Plan"), Some("plan"), "No follow-up needed."),
    ]);
    let without = draft(&[(Some("Plan"), Some("plan"), "No follow-up needed.")]);
    let opening = "Thank you for coming to see us.";
    let a = render(&t, &f, &with, &[])
        .unwrap_or_else(|e| panic!("{e}"))
        .to_text();
    let b = render(&t, &f, &without, &[])
        .unwrap_or_else(|e| panic!("{e}"))
        .to_text();
    assert!(
        a.contains("Your scan was normal.") && !a.contains(opening),
        "{a}"
    );
    assert!(b.contains(opening), "{b}");
}

#[test]
fn findings_split_runs_at_char_offsets_with_overlaps_and_unicode() {
    // Non-ASCII before the finding: offsets are chars, not bytes.
    let d = draft(&[
        (
            Some("Subjective"),
            Some("subjective"),
            "Café owner, naïve to β-blockers. Took atenolol 50 mg daily.",
        ),
        (
            Some("Plan"),
            Some("plan"),
            "Stop it.\n\nSee the patient's GP in one week.",
        ),
    ]);
    let a = finding(
        &d,
        "atenolol 50 mg",
        0,
        FindingKind::DoseRange,
        "dose?",
        &[],
    );
    let b = finding(
        &d,
        "50 mg daily",
        0,
        FindingKind::LowConfidence,
        "heard?",
        &[],
    );
    let mut z = finding(&d, "Stop", 0, FindingKind::Artifact, "zero width", &[]);
    z.end = z.start;
    // Crosses the paragraph break inside Plan.
    let c = finding(
        &d,
        "it.\n\nSee",
        0,
        FindingKind::Inconsistency,
        "across",
        &[],
    );
    let l = soap(&d, &[a, b, z, c]);
    let body: Vec<_> = l
        .blocks
        .iter()
        .filter(|b| b.kind == BlockKind::Body)
        .collect();
    let spans: Vec<(&str, &[usize])> = body[0]
        .spans
        .iter()
        .map(|s| (s.text.as_str(), s.findings.as_slice()))
        .collect();
    assert_eq!(
        spans,
        vec![
            ("Café owner, naïve to β-blockers. Took ", &[][..]),
            ("atenolol ", &[0][..]),
            ("50 mg", &[0, 1][..]),
            (" daily", &[1][..]),
            (".", &[][..]),
        ]
    );
    assert_eq!(body[1].spans[0].text, "S");
    assert_eq!(body[1].spans[0].findings, [2]);
    assert!(
        body[1]
            .spans
            .iter()
            .any(|s| s.text == "it." && s.findings == [3])
    );
    assert_eq!(body[2].spans[0].text, "See");
    assert_eq!(body[2].spans[0].findings, [3]);
    // One comment per finding even when its range spans two paragraphs.
    let (_, doc, comments) = docx_texts(&l);
    assert_eq!(comments.matches("<w:comment ").count(), 4);
    let s = doc
        .find(r#"<w:commentRangeStart w:id="4" />"#)
        .unwrap_or(usize::MAX);
    let e = doc.find(r#"<w:commentRangeEnd w:id="4" />"#).unwrap_or(0);
    assert!(s < e && xml_text(&doc[s..e]).contains("it.\nSee"));
}

#[test]
fn misaligned_offsets_never_misplace_a_comment() {
    let mut d = draft(&[(Some("Plan"), Some("plan"), "Aspirin 75 mg daily.")]);
    let f = finding(&d, "75 mg", 0, FindingKind::DoseRange, "dose?", &[]);
    d.sections[0].start += 3; // body no longer equals text[start..end]
    d.sections[0].end += 3;
    let l = soap(&d, &[f]);
    let anchored = l
        .blocks
        .iter()
        .find(|b| b.spans.iter().any(|s| !s.findings.is_empty()));
    assert!(anchored.is_none(), "highlighted wrong text");
    assert_eq!(l.unresolved().len(), 1);
    let (_, doc, comments) = docx_texts(&l);
    assert_eq!(comments.matches("<w:comment ").count(), 1);
    let s = doc
        .find(r#"<w:commentRangeStart w:id="1" />"#)
        .unwrap_or(usize::MAX);
    assert!(
        xml_text(&doc[s.min(doc.len())..]).starts_with("Patient: "),
        "orphan not on the reference line"
    );
}

#[test]
fn markdown_and_text_exports() {
    let d = draft(&[(
        Some("Plan"),
        Some("plan"),
        "Amoxicillin 250 mg *three* times daily.",
    )]);
    let f = finding(
        &d,
        "250 mg",
        0,
        FindingKind::DoseRange,
        "Check dose.",
        &["500 mg"],
    );
    let l = soap(&d, &[f]);
    let md = l.to_markdown();
    assert!(
        md.contains("# SOAP Note: Face-to-face consultation"),
        "{md}"
    );
    assert!(md.contains("## Plan"), "{md}");
    assert!(
        md.contains("Amoxicillin ==250 mg==[^q1] \\*three\\* times daily."),
        "{md}"
    );
    assert!(
        md.contains("[^q1]: **dose_range**: Check dose. Suggestions: 500 mg"),
        "{md}"
    );
    assert!(md.contains("**Patient: Master Oliver Grant"), "{md}");
    let text = l.to_text();
    assert!(
        text.contains("Queries (1):\n1. \"250 mg\": Check dose. Suggestions: 500 mg"),
        "{text}"
    );
    assert!(
        !text.contains("Page") && text.contains("CONFIDENTIAL"),
        "{text}"
    );
}
