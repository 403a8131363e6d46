//! Vocabulary: the word lists, dose ranges, sound-alike pairs and abbreviations in `vocab/`.
//!
//! Loaded once (bundled into the binary with `include_str!`, optionally extended from a
//! practice's own directory) and then read-only; the checks and the Whisper prompt use it.
//! Never does network I/O; never logs; a malformed line is an error naming file and line.

mod index;
mod parse;
pub mod phonetic;

use std::collections::BTreeMap;
use std::path::Path;

pub(crate) use index::{Index, normalise_sentence};
pub use index::{SoundsLike, americanise};

/// Usual adult dose range of one drug by one route (a line of `doses.tsv`).
#[derive(Debug, Clone, PartialEq)]
pub struct DoseRange {
    pub drug: String,
    pub route: String,
    pub unit: DoseUnit,
    pub min_single: f64,
    pub max_single: f64,
    pub max_daily: f64,
    pub aliases: Vec<String>,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoseUnit {
    Mg,
    Mcg,
    Units,
    Ml,
}

impl DoseUnit {
    pub fn as_str(self) -> &'static str {
        match self {
            DoseUnit::Mg => "mg",
            DoseUnit::Mcg => "mcg",
            DoseUnit::Units => "units",
            DoseUnit::Ml => "mL",
        }
    }
}

/// Two drug names that are confused, with each one's typical indications (word stems).
#[derive(Debug, Clone, PartialEq)]
pub struct SoundAlikePair {
    pub a: String,
    pub b: String,
    pub a_indications: Vec<String>,
    pub b_indications: Vec<String>,
}

/// How an abbreviation from `abbreviations.tsv` is matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbbrevRule {
    Word,
    WordCi,
    AfterNumber,
    DoseContext,
    /// As `DoseContext`, or within 3 words of a word about the eye or ear ("vision OS").
    SiteContext,
    TrailingZero,
    LeadingZero,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Abbreviation {
    pub abbr: String,
    pub rule: AbbrevRule,
    pub problem: String,
    pub use_instead: String,
    pub source: String,
}

#[derive(Debug, thiserror::Error)]
pub enum VocabError {
    #[error("{file}, line {line}: {reason}")]
    Malformed {
        file: String,
        line: usize,
        reason: String,
    },
    #[error("{file}: cannot read: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: not valid UTF-8 text")]
    NotUtf8 { file: String },
}

/// All vocabulary lists, loaded once, plus the lookup index the checks use.
#[derive(Debug, Clone)]
pub struct Vocab {
    pub(crate) english: Vec<String>,
    pub(crate) medical: Vec<String>,
    pub(crate) never_query: Vec<String>,
    pub(crate) doses: Vec<DoseRange>,
    pub(crate) sound_alike: Vec<SoundAlikePair>,
    pub(crate) abbreviations: Vec<Abbreviation>,
    pub(crate) artifacts: Vec<String>,
    /// Sided body parts and procedures (`laterality.tsv`): word → the part it names.
    pub(crate) sided_parts: Vec<(String, String)>,
    pub(crate) specialty: BTreeMap<String, Vec<String>>,
    pub(crate) index: Index,
}

/// Every list in `vocab/specialty/` (a test checks none is left out).
const SPECIALTIES: [(&str, &str); 33] = [
    (
        "anaesthetics_icu",
        include_str!("../../vocab/specialty/anaesthetics_icu.txt"),
    ),
    (
        "cardiology",
        include_str!("../../vocab/specialty/cardiology.txt"),
    ),
    (
        "dermatology",
        include_str!("../../vocab/specialty/dermatology.txt"),
    ),
    (
        "endocrinology",
        include_str!("../../vocab/specialty/endocrinology.txt"),
    ),
    ("ent", include_str!("../../vocab/specialty/ent.txt")),
    ("eponyms", include_str!("../../vocab/specialty/eponyms.txt")),
    (
        "gastroenterology",
        include_str!("../../vocab/specialty/gastroenterology.txt"),
    ),
    ("general", include_str!("../../vocab/specialty/general.txt")),
    (
        "general_practice",
        include_str!("../../vocab/specialty/general_practice.txt"),
    ),
    (
        "genetics_immunology",
        include_str!("../../vocab/specialty/genetics_immunology.txt"),
    ),
    (
        "geriatrics_palliative",
        include_str!("../../vocab/specialty/geriatrics_palliative.txt"),
    ),
    (
        "haematology",
        include_str!("../../vocab/specialty/haematology.txt"),
    ),
    (
        "infectious_disease",
        include_str!("../../vocab/specialty/infectious_disease.txt"),
    ),
    (
        "maxillofacial",
        include_str!("../../vocab/specialty/maxillofacial.txt"),
    ),
    (
        "microbiology",
        include_str!("../../vocab/specialty/microbiology.txt"),
    ),
    (
        "neurology",
        include_str!("../../vocab/specialty/neurology.txt"),
    ),
    (
        "obstetrics_gynaecology",
        include_str!("../../vocab/specialty/obstetrics_gynaecology.txt"),
    ),
    (
        "oncology",
        include_str!("../../vocab/specialty/oncology.txt"),
    ),
    (
        "ophthalmology",
        include_str!("../../vocab/specialty/ophthalmology.txt"),
    ),
    (
        "orthopaedics",
        include_str!("../../vocab/specialty/orthopaedics.txt"),
    ),
    (
        "paediatrics",
        include_str!("../../vocab/specialty/paediatrics.txt"),
    ),
    (
        "pathology_labs",
        include_str!("../../vocab/specialty/pathology_labs.txt"),
    ),
    (
        "pharmacy",
        include_str!("../../vocab/specialty/pharmacy.txt"),
    ),
    (
        "plastics",
        include_str!("../../vocab/specialty/plastics.txt"),
    ),
    (
        "psychiatry",
        include_str!("../../vocab/specialty/psychiatry.txt"),
    ),
    (
        "radiology",
        include_str!("../../vocab/specialty/radiology.txt"),
    ),
    ("renal", include_str!("../../vocab/specialty/renal.txt")),
    (
        "respiratory",
        include_str!("../../vocab/specialty/respiratory.txt"),
    ),
    (
        "rheumatology",
        include_str!("../../vocab/specialty/rheumatology.txt"),
    ),
    (
        "sexual_health",
        include_str!("../../vocab/specialty/sexual_health.txt"),
    ),
    ("surgery", include_str!("../../vocab/specialty/surgery.txt")),
    ("urology", include_str!("../../vocab/specialty/urology.txt")),
    (
        "vascular",
        include_str!("../../vocab/specialty/vascular.txt"),
    ),
];

impl Vocab {
    /// The lists shipped inside the binary (from `vocab/` at build time).
    pub fn bundled() -> Result<Vocab, VocabError> {
        let mut specialty = BTreeMap::new();
        for (name, text) in SPECIALTIES {
            let file = format!("vocab/specialty/{name}.txt");
            specialty.insert(name.to_string(), parse::word_list(&file, text)?);
        }
        let mut v = Vocab {
            english: parse::word_list(
                "vocab/english_words.txt",
                include_str!("../../vocab/english_words.txt"),
            )?,
            medical: parse::word_list(
                "vocab/medical_terms.txt",
                include_str!("../../vocab/medical_terms.txt"),
            )?,
            never_query: parse::word_list(
                "vocab/never_query.txt",
                include_str!("../../vocab/never_query.txt"),
            )?,
            doses: parse::doses("vocab/doses.tsv", include_str!("../../vocab/doses.tsv"))?,
            sound_alike: parse::sound_alike(
                "vocab/sound_alike.tsv",
                include_str!("../../vocab/sound_alike.tsv"),
            )?,
            abbreviations: parse::abbreviations(
                "vocab/abbreviations.tsv",
                include_str!("../../vocab/abbreviations.tsv"),
            )?,
            artifacts: parse::word_list(
                "vocab/artifacts.txt",
                include_str!("../../vocab/artifacts.txt"),
            )?,
            sided_parts: parse::sided_parts(
                "vocab/laterality.tsv",
                include_str!("../../vocab/laterality.tsv"),
            )?,
            specialty,
            index: Index::default(),
        };
        v.index = Index::build(&v);
        Ok(v)
    }

    /// Adds a practice's own lists from `dir` (same file names and formats as `vocab/`;
    /// each file optional). A drug in the user's `doses.tsv` replaces the bundled line(s).
    pub fn with_user_dir(mut self, dir: &Path) -> Result<Vocab, VocabError> {
        let read = |name: &str| -> Result<Option<(String, String)>, VocabError> {
            let path = dir.join(name);
            let file = path.display().to_string();
            if !path.is_file() {
                return Ok(None);
            }
            let bytes = std::fs::read(&path).map_err(|source| VocabError::Io {
                file: file.clone(),
                source,
            })?;
            let text =
                String::from_utf8(bytes).map_err(|_| VocabError::NotUtf8 { file: file.clone() })?;
            Ok(Some((file, text)))
        };
        for (name, list) in [
            ("english_words.txt", &mut self.english),
            ("medical_terms.txt", &mut self.medical),
            ("never_query.txt", &mut self.never_query),
            ("artifacts.txt", &mut self.artifacts),
        ] {
            if let Some((file, text)) = read(name)? {
                list.extend(parse::word_list(&file, &text)?);
            }
        }
        if let Some((file, text)) = read("doses.tsv")? {
            let extra = parse::doses(&file, &text)?;
            self.doses
                .retain(|d| !extra.iter().any(|e| e.drug == d.drug));
            self.doses.extend(extra);
        }
        if let Some((file, text)) = read("laterality.tsv")? {
            self.sided_parts.extend(parse::sided_parts(&file, &text)?);
        }
        if let Some((file, text)) = read("sound_alike.tsv")? {
            self.sound_alike.extend(parse::sound_alike(&file, &text)?);
        }
        if let Some((file, text)) = read("abbreviations.tsv")? {
            self.abbreviations
                .extend(parse::abbreviations(&file, &text)?);
        }
        let spec_dir = dir.join("specialty");
        if spec_dir.is_dir() {
            let entries = std::fs::read_dir(&spec_dir).map_err(|source| VocabError::Io {
                file: spec_dir.display().to_string(),
                source,
            })?;
            let mut names: Vec<String> = entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().to_str().map(str::to_string))
                .filter(|n| n.ends_with(".txt"))
                .collect();
            names.sort();
            for name in names {
                if let Some((file, text)) = read(&format!("specialty/{name}"))? {
                    let key = name.trim_end_matches(".txt").to_lowercase();
                    let terms = parse::word_list(&file, &text)?;
                    self.specialty.entry(key).or_default().extend(terms);
                }
            }
        }
        self.index = Index::build(&self);
        Ok(self)
    }

    /// Terms to prime Whisper with: the requested specialties' lists and "general", taken in
    /// turn from the top of each list (most useful first), without duplicates, at most `max_terms`.
    pub fn prompt_terms(&self, specialties: &[&str], max_terms: usize) -> Vec<String> {
        let mut lists: Vec<&Vec<String>> = Vec::new();
        for s in specialties
            .iter()
            .map(|s| s.trim().to_lowercase())
            .chain(std::iter::once("general".to_string()))
        {
            if let Some(l) = self.specialty.get(&s)
                && !lists.iter().any(|x| std::ptr::eq(*x, l))
            {
                lists.push(l);
            }
        }
        let mut out: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let longest = lists.iter().map(|l| l.len()).max().unwrap_or(0);
        'outer: for i in 0..longest {
            for l in &lists {
                if out.len() >= max_terms {
                    break 'outer;
                }
                if let Some(t) = l.get(i)
                    && seen.insert(t.to_lowercase())
                {
                    out.push(t.clone());
                }
            }
        }
        out
    }

    /// Names of the specialties with prompt-term lists, sorted.
    pub fn specialties(&self) -> Vec<String> {
        self.specialty.keys().cloned().collect()
    }

    /// The dose table (read-only), e.g. for a UI listing.
    pub fn doses(&self) -> &[DoseRange] {
        &self.doses
    }
}

#[cfg(test)]
mod tests;
