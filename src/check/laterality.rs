//! laterality: the same body part dictated as both left and right in one document; the
//! minority side (or, on a tie, the later side that conflicts with the first) is queried.
//!
//! Quiet when a sentence names both sides of that part ("left and right", "the right carotid
//! ... on the left"), when the part is said to be bilateral, when the sides belong to
//! different parts, or when the odd side is introduced as another finding ("there is also a
//! stone in the left kidney", "the other knee"). Never changes a side.

use std::collections::HashMap;

use super::text::{Doc, Hit, capitalise};
use super::{FindingKind, Severity};

/// Body-part words → the part they name (plural and adjective forms folded together).
fn body_part(word: &str) -> Option<&'static str> {
    Some(match word {
        "shoulder" | "shoulders" => "shoulder",
        "elbow" | "elbows" => "elbow",
        "wrist" | "wrists" => "wrist",
        "hand" | "hands" => "hand",
        "thumb" => "thumb",
        "hip" | "hips" => "hip",
        "knee" | "knees" => "knee",
        "ankle" | "ankles" => "ankle",
        "foot" | "feet" => "foot",
        "leg" | "legs" => "leg",
        "arm" | "arms" => "arm",
        "thigh" => "thigh",
        "calf" => "calf",
        "forearm" => "forearm",
        "eye" | "eyes" => "eye",
        "ear" | "ears" => "ear",
        "kidney" | "kidneys" | "renal" => "kidney",
        "ureter" | "ureteric" | "ureteral" => "ureter",
        "testis" | "testicle" | "testicular" | "hemiscrotum" => "testis",
        "breast" => "breast",
        "ovary" | "ovarian" => "ovary",
        "lung" => "lung",
        "groin" | "inguinal" => "groin",
        "femur" | "femoral" => "femur",
        "tibia" | "tibial" => "tibia",
        "fibula" => "fibula",
        "humerus" => "humerus",
        "radius" => "radius",
        "ulna" => "ulna",
        "clavicle" => "clavicle",
        "patella" => "patella",
        "hemithorax" => "hemithorax",
        "carotid" => "carotid",
        "loin" | "flank" => "loin",
        "carpal" => "carpal tunnel",
        "rotator" | "supraspinatus" | "infraspinatus" | "subscapularis" => "shoulder",
        "acromioclavicular" | "glenohumeral" => "shoulder",
        "achilles" => "achilles",
        "heel" => "heel",
        "buttock" => "buttock",
        "hallux" | "bunion" => "hallux",
        "cornea" | "corneal" | "retina" | "retinal" => "eye",
        "adrenal" => "adrenal",
        "tonsil" => "tonsil",
        "parotid" => "parotid",
        "hemicolectomy" => "colon",
        "ureteroscopy" | "ureteroscopic" => "ureter",
        "nephrectomy" | "nephrostomy" | "pyeloplasty" => "kidney",
        "mastectomy" | "lumpectomy" => "breast",
        "orchidectomy" | "orchiectomy" | "orchidopexy" => "testis",
        "tympanic" | "tympanoplasty" | "myringotomy" => "ear",
        _ => return None,
    })
}

/// Words that introduce a further, separate finding rather than restate one.
const CONTRAST: [&str; 9] = [
    "also",
    "other",
    "contralateral",
    "opposite",
    "additionally",
    "whereas",
    "both",
    "each",
    "too",
];

struct Mention {
    right: bool,
    start: usize,
    end: usize,
    sent: usize,
}

pub fn check(doc: &Doc, hits: &mut Vec<Hit>) {
    let toks = &doc.toks;
    let mut parts: HashMap<&'static str, Vec<Mention>> = HashMap::new();
    let mut bilateral: Vec<(usize, &'static str)> = Vec::new();
    // Sentences with a side word that names no body part ("on the left"): (sentence, right).
    let mut loose_sides: Vec<(usize, bool)> = Vec::new();
    // Sentences that introduce a further finding ("also", "other", "contralateral").
    let mut contrast = std::collections::HashSet::new();
    for t in toks {
        if CONTRAST.contains(&t.text.to_lowercase().as_str()) {
            contrast.insert(t.sent);
        }
    }
    for (i, t) in toks.iter().enumerate() {
        let w = t.text.to_lowercase();
        let side = match w.as_str() {
            "left" => Some(false),
            "right" => Some(true),
            "bilateral" | "bilaterally" | "both" => None,
            _ => continue,
        };
        // The first body-part word within 3 words, same sentence, no punctuation between.
        let mut found = None;
        for (j, u) in toks.iter().enumerate().skip(i + 1).take(4) {
            let gap = doc.slice(toks[j - 1].end, u.start);
            if u.sent != t.sent || !gap.chars().all(char::is_whitespace) {
                break;
            }
            if let Some(p) = body_part(&u.text.to_lowercase()) {
                found = Some((p, u.end));
                break;
            }
        }
        let Some((part, end)) = found else {
            if let Some(right) = side {
                loose_sides.push((t.sent, right));
            }
            continue;
        };
        match side {
            Some(right) => parts.entry(part).or_default().push(Mention {
                right,
                start: t.start,
                end,
                sent: t.sent,
            }),
            None => bilateral.push((t.sent, part)),
        }
    }
    for (part, ms) in parts {
        let rights = ms.iter().filter(|m| m.right).count();
        let lefts = ms.len() - rights;
        if rights == 0 || lefts == 0 || bilateral.iter().any(|&(_, p)| p == part) {
            continue;
        }
        // Both sides of this part in one sentence: deliberate.
        let right_sents: std::collections::HashSet<usize> =
            ms.iter().filter(|m| m.right).map(|m| m.sent).collect();
        if ms.iter().any(|m| !m.right && right_sents.contains(&m.sent)) {
            continue;
        }
        // A mention of this part beside a loose mention of the other side: compared on purpose.
        if ms.iter().any(|m| {
            loose_sides
                .iter()
                .any(|&(s, r)| s == m.sent && r != m.right)
        }) {
            continue;
        }
        let flag_right = match rights.cmp(&lefts) {
            std::cmp::Ordering::Less => true,
            std::cmp::Ordering::Greater => false,
            std::cmp::Ordering::Equal => !ms.first().is_some_and(|m| m.right),
        };
        let (other, n_other) = if flag_right {
            ("left", lefts)
        } else {
            ("right", rights)
        };
        for m in ms
            .iter()
            .filter(|m| m.right == flag_right && !contrast.contains(&m.sent))
        {
            let said = doc.slice(m.start, m.end);
            let times = if n_other == 1 { "once" } else { "more often" };
            hits.push(Hit {
                kind: FindingKind::Laterality,
                severity: Severity::High,
                start: m.start,
                end: m.end,
                message: format!(
                    "{} — elsewhere this document says {other} {part} ({times}); check the side",
                    capitalise(said)
                ),
                suggestions: vec![format!(
                    "{other}{}",
                    said.trim_start_matches(|c: char| c.is_alphabetic())
                )],
            });
        }
    }
}
