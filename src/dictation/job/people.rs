//! People in a spoken preamble: a title and the names after it ("the Reverend Paul Ashdown",
//! "doctor priya nair", "Mrs Isla Mac Kenzie"), written the way a letter shows them, and the
//! recipient's name, role, organisation and address.
//!
//! Names are re-cased only when Whisper wrote them all in one case; a name is never guessed:
//! words that are not plainly a name end it.

use super::words::Tok;

/// Spoken titles and how a letter writes them.
const TITLES: [(&str, &str); 22] = [
    ("dr", "Dr"),
    ("doctor", "Dr"),
    ("mr", "Mr"),
    ("mister", "Mr"),
    ("mrs", "Mrs"),
    ("missus", "Mrs"),
    ("misses", "Mrs"),
    ("ms", "Ms"),
    ("miss", "Miss"),
    ("master", "Master"),
    ("professor", "Professor"),
    ("prof", "Professor"),
    ("sister", "Sister"),
    ("nurse", "Nurse"),
    ("reverend", "Rev"),
    ("rev", "Rev"),
    ("revd", "Rev"),
    ("sir", "Sir"),
    ("dame", "Dame"),
    ("lady", "Lady"),
    ("lord", "Lord"),
    ("mx", "Mx"),
];

/// Words that end a name: the preamble's own vocabulary and the small words around it.
const NOT_NAMES: [&str; 58] = [
    "dictating",
    "here",
    "speaking",
    "date",
    "dob",
    "d",
    "born",
    "hospital",
    "nhs",
    "mrn",
    "unit",
    "record",
    "regarding",
    "re",
    "for",
    "to",
    "at",
    "and",
    "who",
    "is",
    "was",
    "an",
    "a",
    "the",
    "please",
    "urgent",
    "routine",
    "stat",
    "consultant",
    "copy",
    "cc",
    "aged",
    "sorry",
    "that's",
    "thats",
    "i",
    "with",
    "in",
    "on",
    "has",
    "had",
    "this",
    "clinic",
    "letter",
    "note",
    "referral",
    "discharge",
    "summary",
    "patient",
    "gp",
    "of",
    "number",
    "spelled",
    "spelt",
    "also",
    "today",
    "dear",
    "from",
];

/// Clinicians' titles: an unannounced name with one of these is the author, not the patient.
pub(super) fn clinician(title: &str) -> bool {
    matches!(title, "Dr" | "Professor" | "Sister" | "Nurse")
}

/// The title a word is, written as a letter shows it.
pub(super) fn title(t: &Tok) -> Option<&'static str> {
    TITLES.iter().find(|(w, _)| t.low == *w).map(|(_, t)| *t)
}

/// A person as said: a title and the names after it.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Person {
    pub title: &'static str,
    pub names: Vec<String>,
}

impl Person {
    pub fn written(&self) -> String {
        std::iter::once(self.title.to_string())
            .chain(self.names.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The person starting at `toks[i]` ("the" is allowed before the title) and the index after
/// them. Needs a title and at least one name word.
pub(super) fn person(toks: &[Tok], i: usize) -> Option<(Person, usize)> {
    let mut i = i;
    if toks.get(i)?.is("the") && toks.get(i + 1).and_then(title).is_some() {
        i += 1;
    }
    let t = toks.get(i)?;
    let title = title(t)?;
    if t.comma {
        return None;
    }
    let first = toks.get(i + 1)?;
    let upper = first.capitalised();
    let mut names: Vec<String> = Vec::new();
    let mut j = i + 1;
    while let Some(w) = toks.get(j) {
        let particle = matches!(w.low.as_str(), "mac" | "mc");
        if names.len() == 4
            || !w.is_letters()
            || NOT_NAMES.contains(&w.low.as_str())
            || title_at(toks, j)
            || (upper && !w.capitalised() && !particle)
        {
            break;
        }
        names.push(w.core.to_string());
        j += 1;
        if w.comma {
            break;
        }
    }
    if names.is_empty() {
        return None;
    }
    Some((
        Person {
            title,
            names: recase(&names),
        },
        j,
    ))
}

fn title_at(toks: &[Tok], j: usize) -> bool {
    toks.get(j).and_then(title).is_some() && toks.get(j + 1).is_some_and(|n| n.is_letters())
}

/// Names as a letter writes them: "mac kenzie" → "MacKenzie", "o'brien-walsh" →
/// "O'Brien-Walsh"; a name already in mixed case is kept.
fn recase(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < names.len() {
        let w = &names[i];
        let lw = w.to_lowercase();
        if (lw == "mac" || lw == "mc") && i + 1 < names.len() {
            out.push(format!("{}{}", cap(&lw), cap_word(&names[i + 1])));
            i += 2;
            continue;
        }
        out.push(cap_word(w));
        i += 1;
    }
    out
}

fn cap_word(w: &str) -> String {
    let mixed = w.chars().any(char::is_uppercase) && w.chars().any(char::is_lowercase);
    if mixed {
        return w.to_string();
    }
    let lower = w.to_lowercase();
    let mut out = String::new();
    let mut start = true;
    for c in lower.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
            start = false;
        } else {
            out.push(c);
        }
        if c == '-' || c == '\'' || c == '’' {
            start = true;
        }
    }
    out
}

pub(super) fn cap(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Who the letter is to, as said after "to": "Dr Anjali Patel, cardiology, Riverside
/// General", "the GP, Dr Lee", "the ENT team at Northgate Hospital", "Dr Helen Forsyth,
/// consultant geriatrician, Riverside General Hospital, 12 Mill Lane, Leeds LS2 9JT".
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct Addressee {
    pub name: Option<String>,
    pub role: Option<String>,
    pub organisation: Option<String>,
    pub address: Option<String>,
}

/// Words that make a phrase a role ("consultant cardiologist", "breast surgeon").
const ROLE_WORDS: [&str; 9] = [
    "consultant",
    "surgeon",
    "team",
    "nurse",
    "registrar",
    "physician",
    "specialist",
    "gp",
    "practitioner",
];

pub(super) fn addressee(toks: &[Tok]) -> Addressee {
    let mut parts: Vec<Vec<&Tok>> = vec![Vec::new()];
    for t in toks {
        if t.is("at") || t.is("please") {
            if t.comma || t.is("at") {
                parts.push(Vec::new());
            }
            continue;
        }
        if let Some(p) = parts.last_mut() {
            p.push(t);
        }
        if t.comma {
            parts.push(Vec::new());
        }
    }
    let mut a = Addressee::default();
    let mut org: Vec<String> = Vec::new();
    let mut address: Vec<String> = Vec::new();
    for part in parts.into_iter().filter(|p| !p.is_empty()) {
        let owned: Vec<Tok> = part.iter().map(|t| (*t).clone()).collect();
        let text = words(&owned);
        if !address.is_empty() || owned[0].core.starts_with(|c: char| c.is_ascii_digit()) {
            address.push(text);
            continue;
        }
        if a.name.is_none()
            && let Some((p, next)) = person(&owned, 0)
        {
            a.name = Some(p.written());
            rest_of_name_part(&owned[next..], &mut a, &mut org);
            continue;
        }
        let body: Vec<Tok> = owned.into_iter().skip_while(|t| t.is("the")).collect();
        let text = words(&body);
        if body.len() == 1 && body[0].is("gp") || body.iter().any(|t| t.is("gp's")) {
            a.role.get_or_insert_with(|| "GP".into());
        } else if is_role(&body) {
            a.role.get_or_insert(text);
        } else if !text.is_empty() {
            org.push(text);
        }
    }
    if !org.is_empty() {
        a.organisation = Some(org.join(", "));
    }
    if !address.is_empty() {
        a.address = Some(address.join(", "));
    }
    a
}

/// "Dr Kamala Iyer consultant cardiologist Riverside General" said without commas: the
/// lower-case words after the name are the role, the capitalised ones after that the place.
fn rest_of_name_part(rest: &[Tok], a: &mut Addressee, org: &mut Vec<String>) {
    let role_len = rest
        .iter()
        .take_while(|t| !t.capitalised() || t.is("gp"))
        .count();
    if role_len > 0 {
        a.role.get_or_insert(words(&rest[..role_len]));
    }
    if rest.len() > role_len {
        org.push(words(&rest[role_len..]));
    }
}

fn is_role(part: &[Tok]) -> bool {
    part.first().is_some_and(|t| !t.capitalised() || t.is("gp"))
        || part.iter().any(|t| {
            ROLE_WORDS.contains(&t.low.as_str())
                || ["ology", "ologist", "iatrics", "iatrician"]
                    .iter()
                    .any(|end| t.low.ends_with(end))
        })
}

/// The words' cores joined by spaces ("Riverside General Hospital").
pub(super) fn words(toks: &[Tok]) -> String {
    toks.iter().map(|t| t.core).collect::<Vec<_>>().join(" ")
}
