//! unknown_term: words or runs of 2-3 words that look like a misheard medical term
//! ("met foreman" → metformin, "lie sino pril" → lisinopril, "hyper lipid anemia").
//!
//! Joins adjacent lowercase words and matches vocabulary terms by consonant skeleton plus edit
//! distance. Stays quiet on names, capitalised words, abbreviations, numbers, hyphenated words,
//! units and anything in `never_query.txt`. Only suggests; never replaces a word.

use std::collections::HashMap;

use super::text::{Doc, Hit, Tok};
use super::{FindingKind, Severity};
use crate::vocab::Vocab;
use crate::vocab::phonetic::{levenshtein, skeleton, sound_key};

const STOP: [&str; 64] = [
    "a", "an", "the", "and", "or", "of", "to", "in", "on", "at", "by", "for", "with", "from", "is",
    "was", "are", "were", "be", "been", "has", "have", "had", "he", "she", "it", "his", "her",
    "him", "they", "them", "their", "this", "that", "these", "those", "not", "no", "as", "but",
    "if", "then", "than", "we", "you", "i", "our", "your", "my", "me", "us", "so", "do", "did",
    "will", "would", "should", "can", "may", "there", "which", "who", "up", "out",
];

/// Small words that a split term hardly ever holds: auxiliary verbs and some pronouns (a split
/// may hold "you", "I" or "me": "dupe ill you mab").
const CLAUSE_WORDS: [&str; 14] = [
    "has", "have", "had", "was", "were", "been", "will", "would", "should", "did", "she", "they",
    "them", "we",
];

const UNITS: [&str; 27] = [
    "mm",
    "cm",
    "mg",
    "ml",
    "kg",
    "mcg",
    "mmhg",
    "hr",
    "hrs",
    "min",
    "mins",
    "sec",
    "cc",
    "mmol",
    "meq",
    "mls",
    "micromol",
    "micromoles",
    "umol",
    "nmol",
    "pmol",
    "mol",
    "ng",
    "pg",
    "dl",
    "mosmol",
    "kpa",
];

/// Whether `word` is just a different ending of `term` ("echocardiography"/"echocardiogram").
fn same_stem(word: &str, term: &str) -> bool {
    let common = word
        .bytes()
        .zip(term.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    common + 3 >= term.len().min(word.len())
}

/// Whether one word is the other plus an ending of at most two letters ("triptan"/"triptans").
fn inflects(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    long.starts_with(short) && long.len() - short.len() <= 2
}

/// A word that may be a piece of a misheard term: plain lowercase letters (a capital only at
/// the start of a sentence), not a stop word.
fn piece(doc: &Doc, t: &Tok) -> Option<String> {
    let w = t.text;
    let first_in_sentence = doc.sentences.get(t.sent).is_some_and(|s| s.0 == t.start);
    let mut chars = w.chars();
    let head_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || (first_in_sentence && c.is_ascii_uppercase()));
    if !head_ok || !chars.all(|c| c.is_ascii_lowercase()) {
        return None;
    }
    let l = w.to_ascii_lowercase();
    (!STOP.contains(&l.as_str()) && !UNITS.contains(&l.as_str())).then_some(l)
}

/// Whether the run's other words account for what `term` adds to a medical word the run
/// already holds whole: "ankle losing spondylitis" is ankylosing spondylitis, but "eye on
/// latanoprost one" is latanoprost between ordinary words, not latanoprostene.
fn adds_up(words: &[&str], term: &str, ix: &crate::vocab::Index) -> bool {
    let Some(whole) = words
        .iter()
        .find(|w| w.len() >= 5 && ix.is_medical_only(w) && term.contains(**w))
    else {
        return true;
    };
    let rest: String = words.iter().filter(|w| *w != whole).copied().collect();
    let residue = term.replacen(whole, "", 1);
    let residue = residue.trim();
    levenshtein(&rest, residue, residue.len()) <= residue.len() / 2
}

/// The longest run (2-6 words) starting at `i` that sounds like one term, when it holds a
/// small word inside or has 4+ words (shorter plain runs are matched above).
fn sound_run(
    doc: &Doc,
    pieces: &[Option<String>],
    loose: &[Option<String>],
    known: &[bool],
    i: usize,
    ix: &crate::vocab::Index,
) -> Option<(usize, String)> {
    let toks = &doc.toks;
    pieces.get(i)?.as_ref()?;
    for n in (2..=6).rev() {
        let Some(run) = toks.get(i..i + n) else {
            continue;
        };
        let words = &loose[i..i + n];
        let spaced = run
            .windows(2)
            .all(|w| w[0].sent == w[1].sent && doc.slice(w[0].end, w[1].start) == " ");
        let has_stop = pieces[i..i + n].iter().any(Option::is_none);
        // A verb or pronoun makes the run a clause ("eye has a dense"), not a split term.
        let clause = words
            .iter()
            .flatten()
            .any(|w| CLAUSE_WORDS.contains(&w.as_str()));
        // A run may end on "in" or "an" only when it sounds exactly like a drug or specialty
        // term ("mess a lazy in" → mesalazine).
        let stop_end = pieces[i + n - 1].is_none();
        if !spaced
            || clause
            || words.iter().any(Option::is_none)
            || (stop_end && !matches!(words[n - 1].as_deref(), Some("in" | "an")))
            || (n < 4 && !has_stop)
        {
            continue;
        }
        let joined: String = words.iter().flatten().map(String::as_str).collect();
        if skeleton(&joined).len() < 4 || ix.is_known(&joined) {
            continue;
        }
        if stop_end {
            // Three words at least, none of them already a medical word ("renal as an").
            if n < 3
                || words
                    .iter()
                    .flatten()
                    .any(|w| w.len() >= 5 && ix.medical_words.contains(w))
            {
                continue;
            }
            match ix.sound_exact(&joined).filter(|t| ix.is_core(t)) {
                Some(term) if !words.iter().flatten().any(|w| w == term) => {
                    return Some((n, term.to_string()));
                }
                _ => continue,
            }
        }
        let all_known = (i..i + n).all(|j| known[j]);
        // Correct text: medical words joined by small ones ("piperacillin with tazobactam"),
        // ordinary words that are mostly small ones, or a noun phrase ("both the right": an
        // article starts a phrase, it is not a piece of a term).
        let content: Vec<&str> = words
            .iter()
            .flatten()
            .map(String::as_str)
            .filter(|w| !STOP.contains(w))
            .collect();
        let article = words.iter().flatten().any(|w| w == "the");
        if content.iter().all(|w| ix.is_medical_only(w))
            || (all_known && (content.len() < 2 || article))
        {
            continue;
        }
        // A run of ordinary English words must not contain the term's own word.
        let plain: Vec<&str> = words.iter().flatten().map(String::as_str).collect();
        // A run of ordinary words must sound like the term, not just share its consonants.
        // Ordinary words may only sound like a term letters use (not "both the right" →
        // butyrate).
        if let Some((term, _)) = ix.sound_match(&joined)
            && (!all_known || ix.is_core(term))
            && !(all_known && words.iter().flatten().any(|w| *w == term))
            && adds_up(&plain, term, ix)
            && (!all_known || {
                let key = sound_key(term);
                levenshtein(&sound_key(&joined), &key, 1) <= usize::from(key.len() >= 10)
            })
        {
            return Some((n, term.to_string()));
        }
    }
    None
}

pub fn check(doc: &Doc, vocab: &Vocab, hits: &mut Vec<Hit>) {
    let ix = &vocab.index;
    lowercase_runs(doc, ix, hits);
    capitalised_runs(doc, ix, hits);
}

/// One unknown_term query suggesting `term` (hyphens restored), with `message` built from the
/// quoted words and the suggestion.
fn query(
    hits: &mut Vec<Hit>,
    doc: &Doc,
    ix: &crate::vocab::Index,
    (start, end): (usize, usize),
    term: &str,
    message: impl Fn(&str, &str) -> String,
) {
    let spelt = ix.spelling(term);
    hits.push(Hit {
        kind: FindingKind::UnknownTerm,
        severity: Severity::Medium,
        start,
        end,
        message: message(doc.slice(start, end), spelt),
        suggestions: vec![spelt.to_string()],
    });
}

/// The message for a run of words that should be one term.
fn not_a_known_term(words: &str, term: &str) -> String {
    format!("\"{words}\" is not a known term — did you mean {term}?")
}

/// Whether a word lies in a span already queried as an unknown term. The spans are sorted
/// and do not overlap each other, so a binary search and a look at the few before it do;
/// a 5 MB text with thousands of queries stays linear.
fn queried(hits: &[Hit]) -> impl Fn(&Tok) -> bool + use<> {
    let mut spans: Vec<(usize, usize)> = hits
        .iter()
        .filter(|h| h.kind == FindingKind::UnknownTerm)
        .map(|h| (h.start, h.end))
        .collect();
    spans.sort_unstable();
    move |t: &Tok| {
        let k = spans.partition_point(|&(s, _)| s < t.end);
        spans[..k].iter().rev().take(4).any(|&(_, e)| t.start < e)
    }
}

/// Runs of lowercase pieces and single lowercase words (the main pass).
fn lowercase_runs(doc: &Doc, ix: &crate::vocab::Index, hits: &mut Vec<Hit>) {
    let toks = &doc.toks;
    // Words `drug_name` already queried are not queried twice.
    let taken = queried(hits);
    let pieces: Vec<Option<String>> = toks
        .iter()
        .map(|t| if taken(t) { None } else { piece(doc, t) })
        .collect();
    // Pieces that may sit inside a longer run: stop words too ("co a mocks a clav").
    let loose: Vec<Option<String>> = toks
        .iter()
        .zip(&pieces)
        .map(|(t, p)| {
            p.clone().or_else(|| {
                let l = t.text.to_ascii_lowercase();
                (!taken(t) && STOP.contains(&l.as_str())).then_some(l)
            })
        })
        .collect();
    let mut known_memo: HashMap<&str, bool> = HashMap::new();
    let known: Vec<bool> = pieces
        .iter()
        .map(|p| {
            p.as_ref().is_none_or(|w| {
                *known_memo
                    .entry(w.as_str())
                    .or_insert_with(|| ix.is_known(w) || ix.drug_names.contains(w))
            })
        })
        .collect();
    // Long texts repeat themselves; remember each joined run's answer.
    let mut memo: HashMap<(String, bool), Option<(String, usize)>> = HashMap::new();
    let mut fuzzy = |joined: &str, core_only: bool| {
        memo.entry((joined.to_string(), core_only))
            .or_insert_with(|| ix.fuzzy(joined, core_only).map(|(t, d)| (t.to_string(), d)))
            .clone()
    };
    let mut i = 0;
    while i < toks.len() {
        let mut best: Option<(usize, String, usize)> = None; // (run length, term, distance)
        for n in [3, 2] {
            let Some(run) = toks.get(i..i + n) else {
                continue;
            };
            let spaced = run
                .windows(2)
                .all(|w| w[0].sent == w[1].sent && doc.slice(w[0].end, w[1].start) == " ");
            if !spaced || pieces[i..i + n].iter().any(Option::is_none) {
                continue;
            }
            let joined: String = pieces[i..i + n]
                .iter()
                .flatten()
                .map(String::as_str)
                .collect();
            let all_known = known[i..i + n].iter().all(|&k| k);
            // "ankle losing spondylitis": English words next to a medical-only word may be a
            // split medical term, so they are matched against all terms, by sound.
            let beside_medical = all_known && {
                let near = |j: Option<usize>| {
                    j.and_then(|j| toks.get(j)).is_some_and(|t| {
                        t.sent == toks[i].sent && ix.is_medical_only(&t.text.to_ascii_lowercase())
                    })
                };
                near(i.checked_sub(1)) || near(Some(i + n))
            };
            // "osteo por osis": the pieces spell a medical word exactly.
            if !all_known && ix.medical_words.contains(&joined) {
                best = Some((n, joined, 0));
                break;
            }
            if joined.len() < 7 || ix.is_known(&joined) && !ix.drug_names.contains(&joined) {
                continue;
            }
            let core_only = all_known && !beside_medical;
            // A run with a word nobody knows, or three words, may also sound exactly like a
            // term spelt quite differently ("thigh royd ectomy", "carrot oh conus").
            let found = fuzzy(&joined, core_only).or_else(|| {
                (!all_known || n == 3 || joined.len() >= 12)
                    .then(|| ix.sound_exact(&joined))
                    .flatten()
                    .map(|t| (t.to_string(), levenshtein(&joined, t, usize::MAX - 1)))
            });
            // A term that is one of the words with another ending ("triptan use" →
            // triptans) explains nothing.
            if let Some((term, d)) = found
                && !pieces[i..i + n]
                    .iter()
                    .flatten()
                    .any(|p| *p == term || (p.len() >= 5 && inflects(p, &term)))
                && (!all_known || core_only || skeleton(&joined) == skeleton(&term))
            {
                // All-English runs must match closely (they are usually just English), or
                // sound exactly like the term.
                if all_known && d * 5 > joined.len() && sound_key(&term) != sound_key(&joined) {
                    continue;
                }
                if best.as_ref().is_none_or(|b| d < b.2) {
                    best = Some((n, term, d));
                }
            }
        }
        // Else longer runs, or runs with small words inside ("rival rocks a ban",
        // "polly my algae"), that sound like one term; each starts and ends on a real piece.
        let run = best
            .map(|(n, term, _)| (n, term))
            .or_else(|| sound_run(doc, &pieces, &loose, &known, i, ix));
        if let Some((n, term)) = run {
            query(
                hits,
                doc,
                ix,
                (toks[i].start, toks[i + n - 1].end),
                &term,
                not_a_known_term,
            );
            i += n;
            continue;
        }
        // A single unknown word close to a known term, or sounding exactly like one
        // ("lamotrijeen").
        if let Some(w) = &pieces[i]
            && !known[i]
            && w.len() >= 5
            && let Some((term, d)) = fuzzy(w, true).or_else(|| {
                ix.sound_exact(w)
                    .map(|t| (t.to_string(), levenshtein(w, t, usize::MAX - 1)))
            })
            && d > 0
            && !same_stem(w, &term)
        {
            query(
                hits,
                doc,
                ix,
                (toks[i].start, toks[i].end),
                &term,
                |w, t| format!("\"{w}\" is not a known word — did you mean {t}?"),
            );
        } else if let Some(w) = &pieces[i]
            && !known[i]
            && (3..=4).contains(&w.len())
            && w.contains(['a', 'e', 'i', 'o', 'u', 'y'])
            && !ix.drug_names.contains(w)
        {
            fragment(doc, ix, i, hits);
        }
        i += 1;
    }
}

/// A short fragment nobody knows ("coal Esther toma", "in to sus exception"): part of a term
/// the recogniser split. The fragment with up to two words either side (same phrase, any
/// case) is matched by sound (`Index::sound_match`); a lowercase abbreviation ("obs",
/// "abdo") matches nothing and stays quiet.
fn fragment(doc: &Doc, ix: &crate::vocab::Index, i: usize, hits: &mut Vec<Hit>) {
    let toks = &doc.toks;
    let adjacent = |a: &Tok, b: &Tok| {
        a.sent == b.sent
            && doc.slice(a.end, b.start) == " "
            && b.text.chars().all(|c| c.is_ascii_alphabetic())
            && a.text.chars().all(|c| c.is_ascii_alphabetic())
    };
    let mut first = i;
    while first + 2 > i && first > 0 && adjacent(&toks[first - 1], &toks[first]) {
        first -= 1;
    }
    let mut last = i;
    while last < i + 2 && last + 1 < toks.len() && adjacent(&toks[last], &toks[last + 1]) {
        last += 1;
    }
    // The widest window that sounds like a term wins.
    let mut best: Option<(usize, usize, String)> = None;
    for a in first..=i {
        for b in i..=last {
            if best.as_ref().is_some_and(|(x, y, _)| y - x >= b - a) {
                continue;
            }
            let joined: String = toks[a..=b]
                .iter()
                .map(|t| t.text.to_ascii_lowercase())
                .collect();
            if let Some((term, _)) = ix.sound_match(&joined)
                && !toks[a..=b]
                    .iter()
                    .any(|t| t.text.eq_ignore_ascii_case(term))
            {
                best = Some((a, b, term.to_string()));
            }
        }
    }
    if let Some((a, b, term)) = best {
        query(
            hits,
            doc,
            ix,
            (toks[a].start, toks[b].end),
            &term,
            not_a_known_term,
        );
    }
}

/// Titles before a name: the capitalised words after one are a person.
const TITLES: [&str; 7] = ["mr", "mrs", "ms", "miss", "dr", "prof", "professor"];

/// Runs of 2-3 words with a capitalised piece that sound exactly like a term: Whisper
/// capitalises pieces it takes for names ("Ailers Dan loss" → Ehlers-Danlos, "Klebb see
/// Ella" → Klebsiella). A word nobody knows must be among them, and no title before.
fn capitalised_runs(doc: &Doc, ix: &crate::vocab::Index, hits: &mut Vec<Hit>) {
    let toks = &doc.toks;
    let taken = queried(hits);
    let free = |t: &Tok| !taken(t);
    let mut i = 0;
    while i < toks.len() {
        let mut found = None;
        for n in [3, 2] {
            let Some(run) = toks.get(i..i + n) else {
                continue;
            };
            let titled = i > 0 && TITLES.contains(&toks[i - 1].text.to_lowercase().as_str());
            let plain = run.iter().all(|t| {
                let mut c = t.text.chars();
                c.next().is_some_and(|h| h.is_ascii_alphabetic())
                    && c.all(|x| x.is_ascii_lowercase())
                    && free(t)
            });
            let spaced = run
                .windows(2)
                .all(|w| w[0].sent == w[1].sent && doc.slice(w[0].end, w[1].start) == " ");
            let sentence_start =
                |t: &Tok| doc.sentences.get(t.sent).is_some_and(|s| s.0 == t.start);
            let capital = run.iter().any(|t| {
                t.text.starts_with(|c: char| c.is_ascii_uppercase()) && !sentence_start(t)
            });
            // "Dr Weston", "vitamin K": a title or a lone letter is not part of a term.
            let named = run.iter().any(|t| {
                t.text.len() < 2 || TITLES.contains(&t.text.to_ascii_lowercase().as_str())
            });
            if titled || named || !capital || !plain || !spaced {
                continue;
            }
            let lower: Vec<String> = run.iter().map(|t| t.text.to_ascii_lowercase()).collect();
            let stop_end = [&lower[0], &lower[n - 1]]
                .iter()
                .any(|w| STOP.contains(&w.as_str()));
            if stop_end || lower.iter().all(|w| ix.is_known(w)) {
                continue;
            }
            let joined: String = lower.concat();
            if joined.len() < 8 {
                continue;
            }
            if let Some(term) = ix.sound_exact(&joined) {
                found = Some((n, term.to_string()));
                break;
            }
        }
        let Some((n, term)) = found else {
            i += 1;
            continue;
        };
        query(
            hits,
            doc,
            ix,
            (toks[i].start, toks[i + n - 1].end),
            &term,
            |w, t| format!("\"{w}\" sounds like {t} — check the term"),
        );
        i += n;
    }
}
