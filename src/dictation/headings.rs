//! Section headings: a sentence that is only a known heading phrase ("History of present
//! illness.", "Plan"), an inline label ("Plan: start ramipril"), or an explicit
//! "heading X" becomes a `Tok::Heading` with its typed form and canonical key.
//!
//! It must never turn prose into a heading: a phrase only counts when it is the whole
//! sentence, or is followed by a colon at the start of a sentence.

use super::tokens::{Tok, is_sentence_end, listed, word_at};

/// (spoken phrases, canonical key). The typed heading is the spoken phrase in title case.
const HEADINGS: &[(&[&str], &str)] = &[
    (
        &[
            "chief complaint",
            "presenting complaint",
            "reason for referral",
            "reason for consultation",
            "reason for visit",
        ],
        "presenting_complaint",
    ),
    (
        &[
            "history of present illness",
            "history of presenting illness",
            "history of presenting complaint",
            "history of the presenting complaint",
            "history of present complaint",
            "history",
        ],
        "history",
    ),
    (
        &[
            "past medical history",
            "past history",
            "medical history",
            "previous medical history",
        ],
        "past_history",
    ),
    (
        &["past surgical history", "surgical history"],
        "past_surgical_history",
    ),
    (
        &[
            "medications",
            "medication",
            "current medications",
            "current medication",
            "drug history",
            "medication history",
            "medications on admission",
        ],
        "medications",
    ),
    (
        &["discharge medications", "medications on discharge"],
        "discharge_medications",
    ),
    (&["allergies", "allergy", "drug allergies"], "allergies"),
    (&["social history"], "social_history"),
    (&["family history"], "family_history"),
    (
        &[
            "review of systems",
            "systems review",
            "systemic enquiry",
            "systemic inquiry",
        ],
        "review_of_systems",
    ),
    (
        &[
            "examination",
            "on examination",
            "physical examination",
            "physical exam",
            "clinical examination",
            "exam",
        ],
        "examination",
    ),
    (
        &[
            "investigations",
            "results",
            "laboratory results",
            "laboratory data",
            "test results",
            "labs",
        ],
        "investigations",
    ),
    (&["assessment"], "assessment"),
    (
        &["assessment and plan", "impression and plan"],
        "assessment_plan",
    ),
    (&["impression", "clinical impression"], "impression"),
    (&["diagnosis", "diagnoses", "final diagnosis"], "diagnosis"),
    (&["preoperative diagnosis"], "preoperative_diagnosis"),
    (&["postoperative diagnosis"], "postoperative_diagnosis"),
    (&["differential diagnosis"], "differential_diagnosis"),
    (
        &["plan", "management", "management plan", "treatment plan"],
        "plan",
    ),
    (&["recommendations", "recommendation"], "recommendations"),
    (
        &[
            "procedure",
            "procedures",
            "procedure performed",
            "operation",
            "operative procedure",
        ],
        "procedure",
    ),
    (&["findings", "operative findings"], "findings"),
    (
        &["indications", "indication", "indications for procedure"],
        "indications",
    ),
    (&["anesthesia", "anaesthesia"], "anesthesia"),
    (&["complications"], "complications"),
    (&["estimated blood loss", "blood loss"], "blood_loss"),
    (&["closure", "wound closure"], "closure"),
    (
        &[
            "instructions",
            "postoperative instructions",
            "discharge instructions",
        ],
        "instructions",
    ),
    (&["interval history"], "interval_history"),
    (&["progress"], "progress"),
    (&["hospital course"], "hospital_course"),
    (&["follow up", "followup"], "follow_up"),
    (&["subjective"], "subjective"),
    (&["objective"], "objective"),
    (&["summary"], "summary"),
];

const SMALL_WORDS: &str = "of and the for on in to a an or with at by";

/// Lowercase, hyphens as spaces, single spaces.
fn normalise(phrase: &str) -> String {
    phrase
        .to_lowercase()
        .replace('-', " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The canonical key of a known heading phrase ("Past medical history" → "past_history").
pub(crate) fn lookup(phrase: &str) -> Option<&'static str> {
    let n = normalise(phrase);
    HEADINGS
        .iter()
        .find(|(phrases, _)| phrases.contains(&n.as_str()))
        .map(|(_, key)| *key)
}

/// Title case as a transcriptionist types a heading: "history of present illness" →
/// "History of Present Illness"; "follow up" → "Follow-Up"; words already holding
/// capitals after the first letter ("MRI", "eGFR") are kept.
pub(crate) fn title_case(phrase: &str) -> String {
    let n = normalise(phrase);
    if n == "follow up" || n == "followup" {
        return "Follow-Up".to_string();
    }
    let spoken: Vec<&str> = phrase
        .split(|c: char| c.is_whitespace() || c == '-')
        .collect();
    let spoken: Vec<&str> = spoken.into_iter().filter(|w| !w.is_empty()).collect();
    let mut out = Vec::with_capacity(spoken.len());
    for (i, w) in spoken.iter().enumerate() {
        let lower = w.to_lowercase();
        if w.chars().skip(1).any(|c| c.is_uppercase()) {
            out.push((*w).to_string());
        } else if i > 0 && listed(SMALL_WORDS, &lower) {
            out.push(lower);
        } else {
            let mut cs = lower.chars();
            let first: String = cs
                .next()
                .map(|c| c.to_uppercase().collect())
                .unwrap_or_default();
            out.push(first + cs.as_str());
        }
    }
    out.join(" ")
}

/// Heading for the words `words` (joined with spaces): a known phrase, or "heading X".
pub(crate) fn heading_for(words: &str) -> Option<(String, Option<String>)> {
    if let Some(key) = lookup(words) {
        return Some((title_case(&normalise(words)), Some(key.to_string())));
    }
    let rest = words
        .strip_prefix("heading ")
        .or_else(|| words.strip_prefix("Heading "))
        .or_else(|| words.strip_prefix("HEADING "))?;
    if rest.trim().is_empty() {
        return None;
    }
    Some((title_case(rest), lookup(rest).map(str::to_string)))
}

/// Words (and '-' joiners) from `s`; returns the joined phrase and the index after it.
fn word_run(toks: &[Tok], s: usize) -> (String, usize) {
    let mut words: Vec<&str> = Vec::new();
    let mut k = s;
    while let Some(w) = word_at(toks, k) {
        words.push(w);
        k += 1;
        if toks.get(k) == Some(&Tok::P('-')) && word_at(toks, k + 1).is_some() {
            k += 1;
        }
    }
    (words.join(" "), k)
}

/// Section keys recognised even when Whisper joined the heading to the sentence before
/// with a comma.
const MAIN_AFTER_COMMA: &[&str] = &[
    "examination",
    "impression",
    "plan",
    "assessment",
    "diagnosis",
    "medications",
    "allergies",
    "investigations",
];

/// Replace heading sentences and inline "Label:" openings with `Tok::Heading`.
pub(crate) fn apply(toks: Vec<Tok>) -> Vec<Tok> {
    let mut out: Vec<Tok> = Vec::with_capacity(toks.len());
    let mut i = 0;
    while i < toks.len() {
        let at_start = out.last().is_none_or(is_sentence_end);
        let after_comma = out.last() == Some(&Tok::P(','));
        if (at_start || after_comma) && word_at(&toks, i).is_some() {
            let (phrase, k) = word_run(&toks, i);
            let end = match toks.get(k) {
                None | Some(Tok::Para | Tok::Line) => Some(k),
                Some(Tok::P(':')) => Some(k + 1),
                Some(Tok::P('.')) => match toks.get(k + 1) {
                    None | Some(Tok::Para | Tok::Line | Tok::P(_)) => Some(k + 1),
                    Some(Tok::Word(w)) if w.chars().next().is_some_and(char::is_uppercase) => {
                        Some(k + 1)
                    }
                    _ => None,
                },
                _ => None,
            };
            // Whisper often runs a spoken heading into the previous sentence with a comma
            // ("the chest was clear, impression. Likely angina"): only a main section
            // heading followed by a full stop counts there.
            let comma_ok = !after_comma
                || (toks.get(k) == Some(&Tok::P('.'))
                    && lookup(&phrase).is_some_and(|key| MAIN_AFTER_COMMA.contains(&key)));
            if let Some(end) = end
                && comma_ok
                && let Some((display, key)) = heading_for(&phrase)
            {
                if after_comma {
                    out.pop();
                    out.push(Tok::P('.'));
                }
                out.push(Tok::Heading { display, key });
                i = end;
                continue;
            }
        }
        if let Some(t) = toks.get(i) {
            out.push(t.clone());
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    fn headings(s: &str) -> Vec<(String, Option<String>)> {
        apply(tokenize(s))
            .into_iter()
            .filter_map(|t| match t {
                Tok::Heading { display, key } => Some((display, key)),
                _ => None,
            })
            .collect()
    }

    fn key(s: &str) -> Option<String> {
        headings(s).into_iter().next().and_then(|(_, k)| k)
    }

    #[test]
    fn each_heading_phrase_maps_to_its_key() {
        let cases = [
            ("Chief complaint.", "presenting_complaint"),
            ("History of present illness.", "history"),
            ("History of presenting complaint.", "history"),
            ("Past medical history.", "past_history"),
            ("Past surgical history.", "past_surgical_history"),
            ("Medications.", "medications"),
            ("Drug history.", "medications"),
            ("Allergies.", "allergies"),
            ("Social history.", "social_history"),
            ("Family history.", "family_history"),
            ("Review of systems.", "review_of_systems"),
            ("Examination.", "examination"),
            ("On examination.", "examination"),
            ("Physical examination.", "examination"),
            ("Investigations.", "investigations"),
            ("Results.", "investigations"),
            ("Assessment.", "assessment"),
            ("Assessment and plan.", "assessment_plan"),
            ("Impression.", "impression"),
            ("Diagnosis.", "diagnosis"),
            ("Preoperative diagnosis.", "preoperative_diagnosis"),
            ("Postoperative diagnosis.", "postoperative_diagnosis"),
            ("Plan.", "plan"),
            ("Recommendations.", "recommendations"),
            ("Procedure.", "procedure"),
            ("Findings.", "findings"),
            ("Indications.", "indications"),
            ("Anaesthesia.", "anesthesia"),
            ("Complications.", "complications"),
            ("Discharge medications.", "discharge_medications"),
            ("Estimated blood loss.", "blood_loss"),
            ("Closure.", "closure"),
            ("Postoperative instructions.", "instructions"),
            ("Interval history.", "interval_history"),
            ("Hospital course.", "hospital_course"),
            ("Follow-up.", "follow_up"),
            ("Follow up.", "follow_up"),
            ("Subjective.", "subjective"),
            ("Objective.", "objective"),
            ("Summary.", "summary"),
        ];
        for (spoken, want) in cases {
            assert_eq!(key(spoken).as_deref(), Some(want), "{spoken}");
        }
    }

    #[test]
    fn typed_in_title_case() {
        assert_eq!(
            headings("history of present illness:"),
            vec![(
                "History of Present Illness".to_string(),
                Some("history".to_string())
            )]
        );
        assert_eq!(headings("Follow-up.")[0].0, "Follow-Up");
    }

    #[test]
    fn explicit_heading_unknown_key() {
        assert_eq!(
            headings("Heading discharge summary."),
            vec![("Discharge Summary".to_string(), None)]
        );
        assert_eq!(
            headings("Heading allergies.")[0].1.as_deref(),
            Some("allergies")
        );
    }

    #[test]
    fn inline_label_splits() {
        let t = apply(tokenize("PLAN: Start ramipril."));
        assert_eq!(
            t[0],
            Tok::Heading {
                display: "Plan".into(),
                key: Some("plan".into())
            }
        );
        assert_eq!(t[1], Tok::Word("Start".into()));
    }

    #[test]
    fn main_heading_run_on_after_a_comma_splits() {
        assert_eq!(
            headings("His chest was clear, impression. Likely stable angina, plan. Start aspirin."),
            vec![
                ("Impression".to_string(), Some("impression".to_string())),
                ("Plan".to_string(), Some("plan".to_string()))
            ]
        );
        // Not a heading: no full stop after it, or not a main heading.
        assert!(headings("We discussed it, plan to review in a week.").is_empty());
        assert!(headings("He was seen, history. Then left.").is_empty());
    }

    #[test]
    fn prose_is_not_a_heading() {
        assert!(headings("The plan is to start ramipril.").is_empty());
        assert!(headings("He has a family history of diabetes.").is_empty());
        assert!(headings("Plan, start ramipril.").is_empty());
        assert!(headings("Heading.").is_empty());
    }
}
