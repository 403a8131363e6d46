//! inconsistency: facts about the patient that contradict each other — the stated sex
//! ("woman", "Mrs", "male") against he/she pronouns or an organ of the other sex ("Mrs …
//! enlarged prostate"). Ages that disagree are `ages.rs`; a date of birth against the age is
//! `birth_date.rs`.
//!
//! Third parties stay quiet: a pronoun in a sentence (or after one) that names a husband, wife,
//! mother, doctor … is not the patient's; neither is "her 45-year-old husband". Never edits text.

use std::sync::OnceLock;

use regex::Regex;

use super::text::{Doc, Hit};
use super::{FindingKind, Severity};

fn sex_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?i)(?:\b(?:\d+[- ](?:year|yr|month|week)s?[- ]old|y/?o|aged \d+|is an?|was an?|this|pleasant|elderly|young|baby|newborn)\s+(?:[a-z]+\s+){0,3}?(woman|lady|female|girl|man|gentleman|male|boy)\b)|(?-i:\b(Mrs|Ms|Miss|Mr)\.?\s+[A-Z])|(?-i:\b\d+\s*(?:y/?o\s+)?(?:RH|LH)(F|M)\b)",
        )
        .expect("constant regex is valid")
    })
}

pub(super) const THIRD_PARTY: [&str; 44] = [
    "husband",
    "wife",
    "son",
    "daughter",
    "father",
    "mother",
    "mom",
    "mum",
    "dad",
    "brother",
    "sister",
    "boyfriend",
    "girlfriend",
    "partner",
    "grandfather",
    "grandmother",
    "grandson",
    "granddaughter",
    "uncle",
    "aunt",
    "nephew",
    "niece",
    "friend",
    "dr",
    "doctor",
    "gp",
    "surgeon",
    "consultant",
    "physician",
    "colleague",
    "nurse",
    "baby",
    "child",
    "infant",
    "carer",
    "caregiver",
    "spouse",
    "sibling",
    "twin",
    "fiance",
    "fiancee",
    "neighbour",
    "neighbor",
    "cousin",
];

fn female(word: &str) -> Option<bool> {
    match word.to_lowercase().as_str() {
        "woman" | "lady" | "female" | "girl" | "mrs" | "ms" | "miss" | "f" => Some(true),
        "man" | "gentleman" | "male" | "boy" | "mr" | "m" => Some(false),
        _ => None,
    }
}

fn pronoun(word: &str) -> Option<bool> {
    match word {
        "she" | "She" | "her" | "Her" | "hers" | "herself" | "Herself" => Some(true),
        "he" | "He" | "him" | "Him" | "his" | "His" | "himself" | "Himself" => Some(false),
        _ => None,
    }
}

pub fn check(doc: &Doc, hits: &mut Vec<Hit>) {
    // Sentences mentioning someone other than the patient.
    let mut third = vec![false; doc.sentences.len()];
    for t in &doc.toks {
        if THIRD_PARTY.iter().any(|w| w.eq_ignore_ascii_case(t.text))
            && let Some(s) = third.get_mut(t.sent)
        {
            *s = true;
        }
    }
    let near_third = |sent: usize| {
        third.get(sent).copied().unwrap_or(false)
            || sent
                .checked_sub(1)
                .is_some_and(|p| third.get(p).copied().unwrap_or(false))
    };
    // A letter to the patient says "your" about them more than once, and never "your patient".
    let yours = doc
        .toks
        .iter()
        .filter(|t| t.text.eq_ignore_ascii_case("your"))
        .count();
    let to_patient = yours >= 2
        && !doc.toks.windows(2).any(|w| {
            w[0].text.eq_ignore_ascii_case("your") && w[1].text.eq_ignore_ascii_case("patient")
        });
    let stated = sex_re().captures_iter(doc.text).find_map(|c| {
        let m = c.get(1).or_else(|| c.get(2)).or_else(|| c.get(3))?;
        let whole = c.get(0)?;
        // "her husband, a 40-year-old man": not the patient.
        let (s, _) = doc.sentence_at(whole.start());
        let before = doc.slice(s, whole.start()).to_lowercase();
        let prev = before.split_whitespace().last();
        let possessed = prev.is_some_and(|w| matches!(w, "his" | "her" | "their"));
        // "Dear Mr Patel": the addressee (often a surgeon in the UK), not the patient,
        // unless the letter is to the patient ("your colonoscopy", "your hysterectomy").
        let addressee = c.get(2).is_some() && prev == Some("dear") && !to_patient;
        if possessed || addressee {
            return None;
        }
        female(m.as_str()).map(|f| (f, m.as_str().to_string()))
    });
    let pronouns: Vec<(usize, &super::text::Tok, bool)> = doc
        .toks
        .iter()
        .enumerate()
        .filter_map(|(k, t)| pronoun(t.text).map(|f| (k, t, f)))
        .collect();
    let is_stated = stated.is_some();
    let title_stated = stated
        .as_ref()
        .is_some_and(|(_, w)| matches!(w.as_str(), "Mrs" | "Ms" | "Miss" | "Mr"));
    let (patient_female, basis) = match stated {
        Some((f, word)) => (f, format!("the patient is described as \"{word}\"")),
        None => {
            let fem = pronouns.iter().filter(|p| p.2).count();
            let masc = pronouns.len() - fem;
            if fem >= 3 && masc == 1 {
                (true, "the patient is otherwise \"she\"".to_string())
            } else if masc >= 3 && fem == 1 {
                (false, "the patient is otherwise \"he\"".to_string())
            } else {
                (false, String::new())
            }
        }
    };
    if is_stated {
        sexed_organs(doc, patient_female, &basis, &near_third, hits);
        sex_words(doc, patient_female, &basis, title_stated, &near_third, hits);
    }
    if !basis.is_empty() {
        for (k, t, f) in &pronouns {
            let owned = matches!(t.text.to_lowercase().as_str(), "his" | "her").then_some(k + 1);
            if *f != patient_female && !could_be_third(doc, t.sent, *f, owned) {
                wrong_sex(hits, t.start, t.end, t.text, &basis);
            }
        }
    }
}

/// The sex of a relative's word ("wife": female), `None` for anyone else or unknown.
fn relative_female(word: &str) -> Option<bool> {
    match word.to_lowercase().as_str() {
        "wife" | "mother" | "mom" | "mum" | "sister" | "girlfriend" | "grandmother"
        | "granddaughter" | "daughter" | "aunt" | "niece" | "fiancee" => Some(true),
        "husband" | "father" | "dad" | "brother" | "boyfriend" | "grandfather" | "grandson"
        | "son" | "uncle" | "nephew" | "fiance" => Some(false),
        _ => None,
    }
}

/// Whether a pronoun of this sex in sentence `sent` may be about a third party named there or
/// in the sentence before. "His wife reports snoring" about Mrs Adeyemi cannot be: the only
/// other person is a woman.
/// "Her mother" names the mother, so "Her" is someone else: the word right after the
/// pronoun (`owned`) is left out.
fn could_be_third(doc: &Doc, sent: usize, female: bool, owned: Option<usize>) -> bool {
    doc.toks
        .iter()
        .enumerate()
        .filter(|(k, t)| (t.sent == sent || t.sent + 1 == sent) && Some(*k) != owned)
        .filter(|(_, t)| THIRD_PARTY.iter().any(|w| w.eq_ignore_ascii_case(t.text)))
        .any(|(_, t)| relative_female(t.text).is_none_or(|f| f == female))
}

/// Whether the nearest person named before an age in its sentence is someone other than the
/// patient: "Her partner, Tom, aged 41", "His daughter, Mrs Grace Ellis, aged 59", "her
/// first child, a boy now aged 4"; but "She had a hysterectomy aged 45" is the patient.
/// A titled name is the patient unless a relative comes right before it ("thank you for
/// referring Mr Harris, a 57-year-old" is the patient even after "Dear Dr Rowe").
pub(super) fn names_other(before: &str) -> bool {
    let words: Vec<&str> = before
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .collect();
    for (k, w) in words.iter().enumerate().rev() {
        if THIRD_PARTY.contains(w) {
            return true;
        }
        // "he", "she", or the words that introduce the patient ("thank you for referring
        // Samuel, aged 2", "I saw Amelia, aged 9 months").
        if matches!(
            *w,
            "he" | "she"
                | "patient"
                | "i"
                | "we"
                | "referring"
                | "seeing"
                | "saw"
                | "reviewed"
                | "re"
        ) {
            return false;
        }
        if matches!(*w, "mr" | "mrs" | "ms" | "miss" | "master") {
            return words[k.saturating_sub(3)..k]
                .iter()
                .any(|p| relative_female(p).is_some());
        }
    }
    false
}

/// "<said> does not match the patient's sex: <basis> — check".
fn wrong_sex(hits: &mut Vec<Hit>, start: usize, end: usize, said: &str, basis: &str) {
    query(
        hits,
        start,
        end,
        format!("\"{said}\" does not match the patient's sex: {basis} — check"),
    );
}

/// One inconsistency query (no suggestion: only the author knows which fact is right).
pub(super) fn query(hits: &mut Vec<Hit>, start: usize, end: usize, message: String) {
    hits.push(Hit {
        kind: FindingKind::Inconsistency,
        severity: Severity::Medium,
        start,
        end,
        message,
        suggestions: vec![],
    });
}

/// Organs only one sex has: (word, female organ).
const SEXED_ORGANS: [(&str, bool); 48] = [
    ("hysterectomy", true),
    ("oophorectomy", true),
    ("salpingectomy", true),
    ("caesarean", true),
    ("cesarean", true),
    ("pregnant", true),
    ("pregnancy", true),
    ("menopause", true),
    ("postmenopausal", true),
    ("menstrual", true),
    ("menstruation", true),
    ("menses", true),
    ("menorrhagia", true),
    ("dysmenorrhoea", true),
    ("dysmenorrhea", true),
    ("amenorrhoea", true),
    ("amenorrhea", true),
    ("endometriosis", true),
    ("antenatal", true),
    ("postnatal", true),
    ("gravida", true),
    ("vaginal", true),
    ("vulval", true),
    ("breastfeeding", true),
    ("uterus", true),
    ("uterine", true),
    ("ovary", true),
    ("ovarian", true),
    ("cervix", true),
    ("endometrial", true),
    ("vasectomy", false),
    ("prostatectomy", false),
    ("prostate", false),
    ("prostatic", false),
    ("testis", false),
    ("testes", false),
    ("testicle", false),
    ("testicular", false),
    ("scrotum", false),
    ("scrotal", false),
    ("penis", false),
    ("penile", false),
    ("erectile", false),
    ("orchitis", false),
    ("epididymitis", false),
    ("hydrocele", false),
    ("varicocele", false),
    ("phimosis", false),
];

/// Two-word names of tests or organs only one sex has: (words, female).
const SEXED_PHRASES: [(&str, bool); 6] = [
    ("cervical smear", true),
    ("cervical screening", true),
    ("cervical cytology", true),
    ("smear test", true),
    ("pap smear", true),
    ("psa level", false),
];

/// An organ of the other sex in a sentence about the patient (not near a third party).
fn sexed_organs(
    doc: &Doc,
    patient_female: bool,
    basis: &str,
    near_third: &dyn Fn(usize) -> bool,
    hits: &mut Vec<Hit>,
) {
    for (k, t) in doc.toks.iter().enumerate() {
        let w = t.text.to_lowercase();
        // "cervical smear" (not "cervical spine"): two words name the organ.
        let next = doc.toks.get(k + 1).filter(|n| n.sent == t.sent);
        let phrase = |o: &str| {
            o.split_once(' ').is_some_and(|(first, second)| {
                first == w && next.is_some_and(|n| n.text.eq_ignore_ascii_case(second))
            })
        };
        let (organ_female, end) = if let Some(&(_, f)) = SEXED_ORGANS.iter().find(|(o, _)| *o == w)
        {
            (f, t.end)
        } else if let Some(&(_, f)) = SEXED_PHRASES.iter().find(|(o, _)| phrase(o)) {
            (f, next.map_or(t.end, |n| n.end))
        } else {
            continue;
        };
        if organ_female != patient_female && !near_third(t.sent) {
            query(
                hits,
                t.start,
                end,
                format!(
                    "\"{}\" does not fit the patient's sex: {basis} — check the patient or the organ",
                    doc.slice(t.start, end)
                ),
            );
        }
    }
}

/// Later words for the patient of the other sex: "this little girl" after "a 7-year-old boy",
/// "Mr Delgado" after "Mrs Rosa Delgado".
fn sex_words(
    doc: &Doc,
    patient_female: bool,
    basis: &str,
    title_stated: bool,
    near_third: &dyn Fn(usize) -> bool,
    hits: &mut Vec<Hit>,
) {
    let toks = &doc.toks;
    let mut surnames: Vec<(String, bool)> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        let lower = t.text.to_lowercase();
        let name_follows = toks.get(i + 1).is_some_and(|n| {
            n.sent == t.sent && n.text.chars().next().is_some_and(char::is_uppercase)
        });
        // Titles: the surname is the last capitalised word after the title.
        let title_sex = matches!(t.text, "Mr" | "Mrs" | "Ms" | "Miss")
            .then(|| female(t.text))
            .flatten();
        if let Some(f) = title_sex.filter(|_| name_follows) {
            let mut j = i + 1;
            while toks.get(j + 1).is_some_and(|n| {
                n.sent == t.sent
                    && j < i + 3
                    && n.text.chars().next().is_some_and(char::is_uppercase)
            }) {
                j += 1;
            }
            let surname = toks[j].text.to_string();
            // The first titled name in a letter about a patient described as a woman or man
            // is the patient ("this 52-year-old woman ... I reviewed Mr Kettering").
            if i > 0 && toks[i - 1].text.eq_ignore_ascii_case("dear") {
                continue; // the addressee
            }
            if surnames.is_empty() && !title_stated && f != patient_female && !near_third(t.sent) {
                wrong_sex(hits, t.start, t.end, t.text, basis);
            }
            match surnames.iter().find(|(s, _)| *s == surname) {
                Some(&(_, first)) if first != f && !near_third(t.sent) => query(
                    hits,
                    t.start,
                    toks[j].end,
                    format!(
                        "\"{}\" has a different title from earlier in the letter — check",
                        doc.slice(t.start, toks[j].end)
                    ),
                ),
                Some(_) => {}
                None => surnames.push((surname, f)),
            }
            continue;
        }
        // Nouns: "this little girl", "the young man".
        let Some(f) = matches!(
            lower.as_str(),
            "girl" | "boy" | "woman" | "man" | "lady" | "gentleman"
        )
        .then(|| female(&lower))
        .flatten() else {
            continue;
        };
        let lead = toks[i.saturating_sub(2)..i]
            .iter()
            .any(|p| p.sent == t.sent && matches!(p.text.to_lowercase().as_str(), "this" | "our"));
        // "This lady has a strong family history, as his mother ...": only a third party
        // named before the noun can be who "this lady" is.
        let third_before = toks[..i]
            .iter()
            .rev()
            .take_while(|u| u.sent + 1 >= t.sent)
            .any(|u| THIRD_PARTY.iter().any(|w| w.eq_ignore_ascii_case(u.text)));
        if lead && f != patient_female && !third_before {
            // The query covers the word before too ("little girl") when it is in the sentence.
            let prev = &toks[i.saturating_sub(1)];
            let start = if prev.sent == t.sent {
                prev.start
            } else {
                t.start
            };
            wrong_sex(hits, start, t.end, doc.slice(start, t.end), basis);
        }
    }
}
