//! Lookup tables derived from the vocabulary lists: known words, drug names, sound-alike
//! partners, abbreviations and a skeleton index for fuzzy term suggestions.
//!
//! Built once per `Vocab`; read-only afterwards. Never panics on odd list contents.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::phonetic::{deletions, levenshtein, skeleton, sound_key};
use super::{AbbrevRule, Vocab};

/// One drug a sound-alike pair says this name is confused with.
#[derive(Debug, Clone, Default)]
pub struct Partner {
    pub name: String,
    pub indications: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Known words while `build` gathers them; then moved to `sounds` (read them there).
    known: HashSet<String>,
    pub never: HashSet<String>,
    /// Drug name or alias (lowercase) → rows of `Vocab::doses`.
    pub drugs: HashMap<String, Vec<usize>>,
    /// Every drug-like name (dose table and sound-alike lists), lowercase.
    pub drug_names: HashSet<String>,
    /// Drug names of 5+ plain letters with their skeleton and sound key, for matching the
    /// words before a dose (`check::drug_name`); built once here, not per check.
    pub drug_keys: Vec<(String, String, String)>,
    /// Drug name → its own indications (union over pairs).
    pub indications: HashMap<String, Vec<String>>,
    /// Drug name → the drugs it is confused with.
    pub partners: HashMap<String, Vec<Partner>>,
    /// Abbreviation (exact case) → row of `Vocab::abbreviations`; `abbr_ci` keyed lowercase.
    pub abbr_exact: HashMap<String, usize>,
    pub abbr_ci: HashMap<String, usize>,
    pub abbr_trailing_zero: Option<usize>,
    pub abbr_leading_zero: Option<usize>,
    /// Sided body-part word → the part it names (`laterality.tsv`; "*" for a bare procedure).
    pub sided_parts: HashMap<String, String>,
    pub artifact_sentences: HashSet<String>,
    /// The listed hallucinations of 3+ words, to find them glued inside a sentence ("... her
    /// headaches have resolved. Sous-titrage Société Radio-Canada She is"): each as (the phrase
    /// with a space either side, for a substring test; its words).
    pub artifact_phrases: Vec<(String, Vec<String>)>,
    pub artifact_tags: HashSet<String>,
    /// Single-word medical terms and drug/specialty words, lowercase (English overlap kept).
    pub medical_words: HashSet<String>,
    /// Medical words that are not ordinary English ("spondylitis", not "ankle").
    medical_only: HashSet<String>,
    targets: Vec<(String, bool)>,
    /// Targets from the drug and specialty lists (the terms letters use most).
    core_terms: HashSet<String>,
    /// Hyphenated terms matched as one word → their spelling ("ehlersdanlos" → "ehlers-danlos").
    compounds: HashMap<String, String>,
    /// `phonetic::sound_key` of each target, same order.
    target_sounds: Vec<String>,
    skel: HashMap<String, Vec<u32>>,
    skel_del: HashMap<String, Vec<u32>>,
    /// Medical words by sound, shared with transcription threads (`check::heard`).
    pub sounds: Arc<SoundsLike>,
}

/// Medical words of 5+ letters, English ones included ("anterior", "irregular"), by sound:
/// `keys` maps each word's sound key and each one-letter deletion of it to the word.
#[derive(Debug, Default)]
pub struct SoundsLike {
    words: Vec<(String, String)>,
    keys: HashMap<String, Vec<u32>>,
    medical: HashSet<String>,
    /// Every known word (English, medical, never queried), lowercase.
    known: HashSet<String>,
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase())
}

impl Index {
    pub fn build(v: &Vocab) -> Index {
        let mut ix = Index::default();
        let lower = |s: &String| s.trim().to_lowercase();
        let english: HashSet<String> = v.english.iter().map(lower).collect();
        ix.never = v.never_query.iter().map(lower).collect();
        ix.known.extend(english.iter().cloned());
        ix.known.extend(ix.never.iter().cloned());
        let mut core: HashSet<String> = HashSet::new();
        let mut medical_words: HashSet<String> = HashSet::new();
        for term in &v.medical {
            let t = lower(term);
            for tok in t.split(|c: char| !c.is_alphanumeric()) {
                if !tok.is_empty() {
                    ix.known.insert(tok.to_string());
                    ix.known.insert(americanise(tok));
                }
            }
            if is_word(&t) {
                medical_words.insert(t);
            }
        }
        for terms in v.specialty.values() {
            for t in terms.iter().map(lower) {
                // "Ehlers-Danlos" is also a target as one word, for splits like "ailers dan loss".
                for chunk in t.split_whitespace().filter(|c| c.contains('-')) {
                    let joined: String = chunk.chars().filter(|c| *c != '-').collect();
                    // Only when no part is English: "ehlers-danlos", not "two-week".
                    let foreign = chunk.split('-').all(|p| !english.contains(p));
                    if is_word(&joined) && foreign {
                        ix.compounds.insert(joined.clone(), chunk.to_string());
                        core.insert(joined);
                    }
                }
                for tok in t.split(|c: char| !c.is_alphanumeric()) {
                    if !tok.is_empty() {
                        ix.known.insert(tok.to_string());
                        ix.known.insert(americanise(tok));
                        if is_word(tok) {
                            core.insert(tok.to_string());
                        }
                    }
                }
            }
        }
        for (i, d) in v.doses.iter().enumerate() {
            for name in std::iter::once(&d.drug).chain(&d.aliases) {
                ix.drugs.entry(name.clone()).or_default().push(i);
                ix.drug_names.insert(name.clone());
                ix.known.insert(name.clone());
                core.insert(name.clone());
            }
        }
        for p in &v.sound_alike {
            for (name, own, other, other_ind) in [
                (&p.a, &p.a_indications, &p.b, &p.b_indications),
                (&p.b, &p.b_indications, &p.a, &p.a_indications),
            ] {
                ix.drug_names.insert(name.clone());
                ix.known.insert(name.clone());
                core.insert(name.clone());
                let own_list = ix.indications.entry(name.clone()).or_default();
                for i in own {
                    if !own_list.contains(i) {
                        own_list.push(i.clone());
                    }
                }
                let partners = ix.partners.entry(name.clone()).or_default();
                match partners.iter_mut().find(|x| &x.name == other) {
                    Some(x) => x.indications.extend(other_ind.iter().cloned()),
                    None => partners.push(Partner {
                        name: other.clone(),
                        indications: other_ind.clone(),
                    }),
                }
            }
        }
        for (i, a) in v.abbreviations.iter().enumerate() {
            match a.rule {
                AbbrevRule::TrailingZero => ix.abbr_trailing_zero = Some(i),
                AbbrevRule::LeadingZero => ix.abbr_leading_zero = Some(i),
                AbbrevRule::WordCi => {
                    ix.abbr_ci.insert(a.abbr.to_lowercase(), i);
                }
                _ => {
                    ix.abbr_exact.insert(a.abbr.clone(), i);
                }
            }
        }
        let mut names: Vec<&String> = ix
            .drug_names
            .iter()
            .filter(|n| n.len() >= 5 && n.bytes().all(|b| b.is_ascii_lowercase()))
            .collect();
        names.sort();
        ix.drug_keys = names
            .into_iter()
            .map(|n| (n.clone(), skeleton(n), sound_key(n)))
            .collect();
        ix.sided_parts = v.sided_parts.iter().cloned().collect();
        for a in v.artifacts.iter().map(lower) {
            if a.starts_with('[') || a.starts_with('(') {
                let inner = a.trim_matches(|c| matches!(c, '[' | ']' | '(' | ')'));
                ix.artifact_tags.insert(inner.trim().to_string());
            } else {
                let key: String = normalise_sentence(&a);
                ix.artifact_sentences.insert(key);
            }
        }
        ix.artifact_phrases = ix
            .artifact_sentences
            .iter()
            .map(|p| {
                (
                    format!(" {p} "),
                    p.split(' ').map(str::to_string).collect::<Vec<_>>(),
                )
            })
            .filter(|(_, words)| words.len() >= 3)
            .collect();
        ix.artifact_phrases.sort_unstable();
        // Fuzzy targets: single-word terms that are not ordinary English.
        let mut seen = HashSet::new();
        let mut add = |t: &str, is_core: bool, ix: &mut Index| {
            if t.len() >= 5 && is_word(t) && !english.contains(t) && seen.insert(t.to_string()) {
                let id = ix.targets.len() as u32;
                ix.targets.push((t.to_string(), is_core));
                if is_core {
                    ix.core_terms.insert(t.to_string());
                }
                ix.target_sounds.push(sound_key(t));
                let key = skeleton(t);
                for d in deletions(&key) {
                    ix.skel_del.entry(d).or_default().push(id);
                }
                ix.skel.entry(key).or_default().push(id);
            }
        };
        ix.medical_words = medical_words.union(&core).cloned().collect();
        ix.medical_only = ix
            .medical_words
            .iter()
            .filter(|w| !english.contains(*w))
            .cloned()
            .collect();
        let mut core_sorted: Vec<&String> = core.iter().collect();
        core_sorted.sort();
        for t in core_sorted {
            add(t, true, &mut ix);
        }
        let mut med_sorted: Vec<&String> = medical_words.iter().collect();
        med_sorted.sort();
        for t in med_sorted {
            add(t, false, &mut ix);
        }
        // The known words move to `sounds`, shared with transcription threads, not copied.
        let known = std::mem::take(&mut ix.known);
        ix.sounds = Arc::new(SoundsLike::build(&ix.medical_words, known));
        ix
    }
}

impl SoundsLike {
    fn build(medical: &HashSet<String>, known: HashSet<String>) -> SoundsLike {
        let mut s = SoundsLike {
            medical: medical.clone(),
            known,
            ..Default::default()
        };
        let mut words: Vec<&String> = medical.iter().filter(|w| w.len() >= 5).collect();
        words.sort();
        for w in words {
            let id = s.words.len() as u32;
            let key = sound_key(w);
            for d in deletions(&key) {
                s.keys.entry(d).or_default().push(id);
            }
            s.keys.entry(key.clone()).or_default().push(id);
            s.words.push((w.clone(), key));
        }
        s
    }

    /// Whether a lowercase word is a medical word (English or not).
    pub fn is_medical(&self, w: &str) -> bool {
        self.medical.contains(w)
    }

    /// Whether a lowercase word is a word at all: known, or known with a common ending
    /// taken off or its British spelling made American.
    pub fn is_word(&self, w: &str) -> bool {
        let known = |x: &str| self.known.contains(x) || self.known.contains(&americanise(x));
        known(w)
            || w.strip_suffix("ies")
                .is_some_and(|stem| known(&format!("{stem}y")))
            || ["s", "es", "ed", "d", "ing", "ly"].iter().any(|e| {
                w.strip_suffix(e).is_some_and(|stem| {
                    stem.len() >= 3 && (known(stem) || known(&format!("{stem}e")))
                })
            })
    }

    /// Medical words (5+ letters) whose sound key is at most one edit from that of `joined`
    /// (lowercase letters: a word or words run together): "interior" → anterior, "regular" →
    /// irregular, "ofnormal" → abnormal. Exact sound matches first, then by spelling distance.
    pub fn sounds_like(&self, joined: &str) -> Vec<&str> {
        let key = sound_key(joined);
        if key.len() < 4 {
            return Vec::new();
        }
        let mut ids: Vec<u32> = Vec::new();
        for k in std::iter::once(key.clone()).chain(deletions(&key)) {
            if let Some(v) = self.keys.get(&k) {
                ids.extend(v);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        let mut out: Vec<(usize, usize, &str)> = ids
            .into_iter()
            .filter_map(|id| self.words.get(id as usize))
            .filter(|(w, _)| w != joined)
            .filter_map(|(w, k)| {
                let ds = levenshtein(&key, k, 1);
                (ds <= 1).then(|| (ds, levenshtein(joined, w, usize::MAX - 1), w.as_str()))
            })
            .collect();
        out.sort_unstable();
        out.into_iter().map(|(_, _, w)| w).collect()
    }
}

impl Index {
    /// Targets whose skeleton is `key` or one consonant from it (`two_away`: or one deletion
    /// from each, two consonants apart).
    fn candidates(&self, key: &str, two_away: bool) -> Vec<u32> {
        let mut ids: Vec<u32> = Vec::new();
        let mut take = |m: &HashMap<String, Vec<u32>>, k: &str| {
            if let Some(v) = m.get(k) {
                ids.extend(v);
            }
        };
        take(&self.skel, key);
        take(&self.skel_del, key);
        for d in deletions(key) {
            take(&self.skel, &d);
            if two_away {
                take(&self.skel_del, &d);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The term that `joined` (a run of misheard pieces, lowercase letters) sounds like: its
    /// consonant skeleton equals the term's or is one consonant away, and either at most half
    /// of the term's letters differ ("rivalrocksaban" → rivaroxaban, "pollymyalgae" →
    /// polymyalgia) or the sound keys (`phonetic::sound_key`) agree, to one edit for long terms
    /// ("thighroydectomy" → thyroidectomy, "meningeoma" → meningioma). Terms shorter than 7
    /// letters are never matched this way.
    pub fn sound_match(&self, joined: &str) -> Option<(&str, usize)> {
        let key = skeleton(joined);
        if key.len() < 4 {
            return None;
        }
        let sound = sound_key(joined);
        let ids = self.candidates(&key, false);
        // Ranked by sound-key distance, then letters.
        let mut best: Option<(&str, usize, usize)> = None;
        for id in ids {
            let (Some((term, _)), Some(term_sound)) = (
                self.targets.get(id as usize),
                self.target_sounds.get(id as usize),
            ) else {
                continue;
            };
            if term.len() < 7 {
                continue;
            }
            let sound_limit = usize::from(term_sound.len() >= 10);
            let ds = levenshtein(&sound, term_sound, sound_limit);
            let limit = term.len() / 2;
            let d = levenshtein(joined, term, limit);
            let fits = if key.len() < 5 {
                ds <= sound_limit
            } else {
                d <= limit || ds <= sound_limit
            };
            if fits
                && best.is_none_or(|(b, bds, bd)| {
                    (ds, d) < (bds, bd) || (ds, d) == (bds, bd) && term.as_str() < b
                })
            {
                best = Some((term, ds, d));
            }
        }
        best.map(|(t, _, d)| (t, d))
    }

    /// The target term that sounds exactly like `joined` (equal `phonetic::sound_key`, so an
    /// equal skeleton too: one hash lookup), 7 letters or longer, 4 consonants or more.
    pub fn sound_exact(&self, joined: &str) -> Option<&str> {
        let key = skeleton(joined);
        if key.len() < 4 {
            return None;
        }
        let ids = self.skel.get(&key)?;
        let sound = sound_key(joined);
        ids.iter()
            .filter_map(|&id| {
                let (term, _) = self.targets.get(id as usize)?;
                let key = self.target_sounds.get(id as usize)?;
                (term.len() >= 7 && *key == sound).then_some(term.as_str())
            })
            .min_by_key(|t| (levenshtein(joined, t, usize::MAX - 1), *t))
    }

    /// Whether a target comes from the drug or specialty lists rather than the long list.
    pub fn is_core(&self, term: &str) -> bool {
        self.core_terms.contains(term)
    }

    /// How a matched target is written: hyphenated terms get their hyphens back.
    pub fn spelling<'a>(&'a self, term: &'a str) -> &'a str {
        self.compounds.get(term).map_or(term, String::as_str)
    }

    /// Whether a lowercase word is a medical term that is not ordinary English.
    pub fn is_medical_only(&self, w: &str) -> bool {
        self.medical_only.contains(w)
    }

    /// Whether a lowercase word is ordinary English, a known medical term, or never queried,
    /// allowing for British spellings, simple inflections and a known word behind a common
    /// prefix ("restenosis", "nonobstructing", "postoperatively").
    pub fn is_known(&self, w: &str) -> bool {
        self.is_inflected_known(w)
            || PREFIXES.iter().any(|p| {
                w.strip_prefix(p)
                    .is_some_and(|rest| rest.len() >= 4 && self.is_inflected_known(rest))
            })
            // A known word with an operation's ending: "lumpectomy", "stomaplasty".
            || OPERATION_ENDINGS.iter().any(|e| {
                w.strip_suffix(e)
                    .is_some_and(|stem| stem.len() >= 4 && self.sounds.known.contains(stem))
            })
    }

    fn is_inflected_known(&self, w: &str) -> bool {
        if self.sounds.known.contains(w) {
            return true;
        }
        let american = americanise(w);
        if self.sounds.known.contains(&american) {
            return true;
        }
        [w, american.as_str()].iter().any(|base| {
            INFLECTIONS.iter().any(|(suffix, repl)| {
                base.strip_suffix(suffix).is_some_and(|stem| {
                    stem.len() >= 3 && {
                        let v = format!("{stem}{repl}");
                        // "paraesthesiae" → "paraesthesia", known as "paresthesia".
                        self.sounds.known.contains(&v)
                            || (*suffix == "ae" && self.sounds.known.contains(&americanise(&v)))
                    }
                })
            })
        })
    }

    /// The closest target term to `joined` (lowercase letters), if within the edit budget.
    /// `core_only` limits suggestions to drugs and specialty terms (for all-English runs).
    pub fn fuzzy(&self, joined: &str, core_only: bool) -> Option<(&str, usize)> {
        let key = skeleton(joined);
        if key.len() < 3 {
            return None;
        }
        let ids = self.candidates(&key, true);
        let mut best: Option<(&str, usize, bool)> = None;
        for id in ids {
            let Some((term, is_core)) = self.targets.get(id as usize) else {
                continue;
            };
            if core_only && !is_core {
                continue;
            }
            let limit = ((term.len() + 1) / 4).max(1);
            if term.len().abs_diff(joined.len()) > limit {
                continue;
            }
            let d = levenshtein(joined, term, limit);
            if d > limit {
                continue;
            }
            let better = match best {
                None => true,
                Some((_, bd, bc)) => d < bd || (d == bd && *is_core && !bc),
            };
            if better {
                best = Some((term, d, *is_core));
            }
        }
        best.map(|(t, d, _)| (t, d))
    }
}

/// Endings that make other forms of a known word: (ending, what replaces it).
const INFLECTIONS: [(&str, &str); 19] = [
    ("ies", "y"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("ally", "al"),
    // Latin plurals: paraesthesiae, axillae.
    ("ae", "a"),
    // Adjectives of known nouns and back: keratotic/keratosis, diuresis/diuretic,
    // ischaemic/ischaemia, atopic/atopy.
    ("tic", "sis"),
    ("sis", "tic"),
    ("ic", "ia"),
    ("ic", "y"),
    // reducible/reduce, treatable/treat.
    ("ible", "e"),
    ("able", "e"),
    ("able", ""),
    ("ly", ""),
    ("'s", ""),
    ("’s", ""),
];

/// Endings that make an operation's name from the part operated on.
const OPERATION_ENDINGS: [&str; 5] = ["ectomy", "otomy", "ostomy", "plasty", "oscopy"];

/// Prefixes and combining forms that make new words from known ones in clinical writing
/// ("neurovascular", "cardiorespiratory", "gastroprotection").
const PREFIXES: [&str; 46] = [
    "re", "pre", "post", "non", "anti", "hyper", "hypo", "sub", "inter", "intra", "peri", "para",
    "trans", "micro", "macro", "neo", "de", "un", "multi", "poly", "semi", "bi", "co", "extra",
    "neuro", "cardio", "gastro", "hepato", "nephro", "osteo", "arthro", "vaso", "broncho",
    "pneumo", "angio", "myo", "haemo", "hemo", "thrombo", "immuno", "cyto", "musculo", "cerebro",
    "supra", "infra", "retro",
];

/// British → American spelling, roughly ("oesophageal" → "esophageal"), for lookups only.
pub fn americanise(w: &str) -> String {
    w.replace("ae", "e")
        .replace("oe", "e")
        .replace("our", "or")
        .replace("isation", "ization")
        .replace("ise", "ize")
        .replace("yse", "yze")
        .replace("tre", "ter")
}

/// Lowercase, letters/digits/spaces only, single-spaced (for comparing sentences).
pub fn normalise_sentence(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}
