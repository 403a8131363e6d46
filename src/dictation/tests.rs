//! End-to-end tests of `draft`: exact output text, sections and offset invariants.

use super::*;

fn text(raw: &str) -> String {
    draft(raw).text
}

/// Every section body is exactly `text` chars [start..end].
fn assert_offsets(d: &Draft) {
    let chars: Vec<char> = d.text.chars().collect();
    for s in &d.sections {
        assert!(
            s.start <= s.end && s.end <= chars.len(),
            "{s:?} in {:?}",
            d.text
        );
        let slice: String = chars[s.start..s.end].iter().collect();
        assert_eq!(slice, s.body, "offsets of {:?}", s.heading);
    }
}

const BRIEF: &str = "History of present illness. This 54 year old man presents with chest pain, \
    full stop. New paragraph. He takes metformin five hundred milligrams twice a day. Scratch \
    that. He takes metformin 1000 milligrams twice a day. Examination. Blood pressure one \
    thirty two over eighty four, pulse 72. Plan. Start ramipril 2.5 mg once daily.";

#[test]
fn brief_example_text() {
    assert_eq!(
        text(BRIEF),
        "History of Present Illness:\n\n\
         This 54-year-old man presents with chest pain.\n\n\
         He takes metformin 1000 mg twice a day.\n\n\
         Examination:\n\n\
         Blood pressure 132/84, pulse 72.\n\n\
         Plan:\n\n\
         Start ramipril 2.5 mg once daily."
    );
}

#[test]
fn brief_example_sections() {
    let d = draft(BRIEF);
    assert_offsets(&d);
    let got: Vec<(Option<&str>, Option<&str>, &str)> = d
        .sections
        .iter()
        .map(|s| (s.heading.as_deref(), s.key.as_deref(), s.body.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Some("History of Present Illness"),
                Some("history"),
                "This 54-year-old man presents with chest pain.\n\nHe takes metformin 1000 mg twice a day."
            ),
            (
                Some("Examination"),
                Some("examination"),
                "Blood pressure 132/84, pulse 72."
            ),
            (
                Some("Plan"),
                Some("plan"),
                "Start ramipril 2.5 mg once daily."
            ),
        ]
    );
}

#[test]
fn empty_and_blank_input() {
    assert_eq!(draft(""), Draft::default());
    assert_eq!(draft("   \n\n \t "), Draft::default());
    assert_eq!(draft(" , . "), Draft::default());
}

#[test]
fn text_without_headings_is_one_unheaded_section() {
    let d = draft("He is well.  Pulse 72 .");
    assert_eq!(d.text, "He is well. Pulse 72.");
    assert_eq!(d.sections.len(), 1);
    assert_eq!(d.sections[0].heading, None);
    assert_eq!(d.sections[0].key, None);
    assert_offsets(&d);
}

#[test]
fn preamble_before_first_heading() {
    let d = draft("Dear Dr Jones, thank you for seeing him. Plan: review in clinic.");
    assert_eq!(
        d.text,
        "Dear Dr Jones, thank you for seeing him.\n\nPlan:\n\nReview in clinic."
    );
    assert_eq!(d.sections.len(), 2);
    assert_eq!(d.sections[1].key.as_deref(), Some("plan"));
    assert_offsets(&d);
}

#[test]
fn inline_mtsamples_headings() {
    let d = draft("CHIEF COMPLAINT: Chest pain. ALLERGIES: NKDA. PLAN: Start aspirin.");
    assert_eq!(
        d.text,
        "Chief Complaint:\n\nChest pain.\n\nAllergies:\n\nNKDA.\n\nPlan:\n\nStart aspirin."
    );
    let keys: Vec<_> = d
        .sections
        .iter()
        .map(|s| s.key.clone().unwrap_or_default())
        .collect();
    assert_eq!(keys, ["presenting_complaint", "allergies", "plan"]);
    assert_offsets(&d);
}

#[test]
fn spoken_colon_after_heading() {
    assert_eq!(
        text("Plan colon start ramipril."),
        "Plan:\n\nStart ramipril."
    );
}

#[test]
fn explicit_heading() {
    let d = draft("Heading discharge summary. He went home.");
    assert_eq!(d.text, "Discharge Summary:\n\nHe went home.");
    assert_eq!(d.sections[0].heading.as_deref(), Some("Discharge Summary"));
    assert_eq!(d.sections[0].key, None);
}

#[test]
fn empty_section_body() {
    let d = draft("Allergies. Plan. Review.");
    assert_eq!(d.text, "Allergies:\n\nPlan:\n\nReview.");
    assert_eq!(d.sections[0].body, "");
    assert_eq!(d.sections[0].start, 10);
    assert_offsets(&d);
}

#[test]
fn capitalises_after_commands() {
    assert_eq!(
        text("chest pain full stop. he is well"),
        "Chest pain. He is well"
    );
    // Without a clause end after it, "full stop" is left for the secretary.
    assert_eq!(
        text("chest pain full stop he is well"),
        "Chest pain full stop he is well"
    );
    assert_eq!(
        text("He is well. new paragraph. he is apyrexial."),
        "He is well.\n\nHe is apyrexial."
    );
    assert_eq!(text("eGFR is low. eGFR 45."), "eGFR is low. eGFR 45.");
}

#[test]
fn negative_cases_are_untouched() {
    for s in [
        "He had a full stop at the junction.",
        "Her period was late.",
        "One of the tablets was missed.",
        "No one was at home.",
        "At one point she fell.",
        "A new line was inserted.",
        "Carcinoma of the sigmoid colon.",
    ] {
        assert_eq!(text(s), s);
    }
}

#[test]
fn whisper_spacing_artefacts() {
    assert_eq!(
        text("He is  well , and  apyrexial ."),
        "He is well, and apyrexial."
    );
    assert_eq!(text("pain, , and. . swelling"), "Pain, and. Swelling");
}

#[test]
fn salutation_comma_kept_before_paragraph() {
    assert_eq!(
        text("Dear Dr Smith, new paragraph. Thank you for seeing him. Yours sincerely,"),
        "Dear Dr Smith,\n\nThank you for seeing him. Yours sincerely,"
    );
    assert_eq!(
        text("Dear Dr Smith, new line. Re: John"),
        "Dear Dr Smith,\nRe: John"
    );
}

#[test]
fn unicode_input() {
    let d = draft("Café patient Zoë, naïve — 東京 résumé full stop. Plan. Évaluer 😀 demain.");
    assert_eq!(
        d.text,
        "Café patient Zoë, naïve — 東京 résumé.\n\nPlan:\n\nÉvaluer 😀 demain."
    );
    assert_offsets(&d);
    assert_eq!(d.sections[1].body, "Évaluer 😀 demain.");
}

#[test]
fn scratch_that_first_and_last() {
    assert_eq!(draft("Scratch that."), Draft::default());
    assert_eq!(text("Scratch that. Plan. Review."), "Plan:\n\nReview.");
    assert_eq!(
        text("He is well. Plan. Review. Scratch that."),
        "He is well.\n\nPlan:"
    );
}

/// Deterministic pseudo-random inputs built from command words, headings, numbers,
/// punctuation and unicode: `draft` must not panic and offsets must hold.
#[test]
fn never_panics_and_offsets_hold() {
    const PIECES: &[&str] = &[
        "full",
        "stop",
        "period",
        "comma",
        "colon",
        "semi",
        "new",
        "paragraph",
        "line",
        "next",
        "scratch",
        "that",
        "delete",
        "open",
        "close",
        "bracket",
        "hyphen",
        "slash",
        "heading",
        "plan",
        "Plan:",
        "History",
        "of",
        "present",
        "illness.",
        "one",
        "thirty",
        "two",
        "over",
        "eighty",
        "four",
        "point",
        "five",
        "hundred",
        "and",
        "thousand",
        "milligrams",
        "mg",
        "year",
        "old",
        "-",
        "--",
        ".",
        ",",
        ":",
        "(",
        ")",
        "...",
        "…",
        "\n\n",
        "\n",
        "😀",
        "é",
        "東京",
        "5.0",
        ".5",
        "1,000",
        "500mg",
        "pressure",
        "pulse",
        "percent",
        "degrees",
        "?",
        "oh",
        "out",
        "a",
        "the",
        "Mr.",
        "e.g.",
        "-5",
        "x-",
        "-y",
        "'",
        "\"",
        "[",
        "]",
        "BP",
    ];
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..3000 {
        let mut s = String::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = (seed % 24) as usize;
        for _ in 0..n {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            s.push_str(PIECES[(seed % PIECES.len() as u64) as usize]);
            if seed & 0x100 != 0 {
                s.push(' ');
            }
        }
        let d = draft(&s);
        assert_offsets(&d);
        assert_eq!(d.text, d.text.trim(), "{s:?}");
    }
}
