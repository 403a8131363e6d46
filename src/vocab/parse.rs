//! Parsing of the plain-text vocabulary files (word lists and TSV tables).
//!
//! Every malformed line is an error naming the file and the 1-based line number; nothing here
//! panics or guesses. `#` starts a comment line, blank lines are skipped, a header row is skipped.

use super::{AbbrevRule, Abbreviation, DoseRange, DoseUnit, SoundAlikePair, VocabError};

fn malformed(file: &str, line: usize, reason: impl Into<String>) -> VocabError {
    VocabError::Malformed {
        file: file.to_string(),
        line,
        reason: reason.into(),
    }
}

/// Non-comment, non-blank lines with their 1-based line numbers.
fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
}

/// One term per line (case kept; the index lowercases). A TAB in a line is malformed (probably a TSV in the wrong place).
pub fn word_list(file: &str, text: &str) -> Result<Vec<String>, VocabError> {
    data_lines(text)
        .map(|(n, l)| {
            if l.contains('\t') {
                Err(malformed(
                    file,
                    n,
                    "expected one term per line, found a TAB",
                ))
            } else {
                Ok(l.trim().to_string())
            }
        })
        .collect()
}

/// TSV rows with exactly `cols` fields, header row (first field == `header`) skipped.
fn tsv<'a>(
    file: &'a str,
    text: &'a str,
    cols: usize,
    header: &'a str,
) -> impl Iterator<Item = Result<(usize, Vec<&'a str>), VocabError>> + 'a {
    data_lines(text)
        .map(|(n, l)| (n, l.split('\t').map(str::trim).collect::<Vec<_>>()))
        .filter(move |(_, f)| !f.first().is_some_and(|h| h.eq_ignore_ascii_case(header)))
        .map(move |(n, f)| {
            if f.len() == cols {
                Ok((n, f))
            } else {
                Err(malformed(
                    file,
                    n,
                    format!("expected {cols} TAB-separated columns, found {}", f.len()),
                ))
            }
        })
}

fn number(file: &str, line: usize, what: &str, s: &str) -> Result<f64, VocabError> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(malformed(
            file,
            line,
            format!("{what} must be a non-negative number, found {s:?}"),
        )),
    }
}

pub fn doses(file: &str, text: &str) -> Result<Vec<DoseRange>, VocabError> {
    tsv(file, text, 8, "drug")
        .map(|row| {
            let (n, f) = row?;
            let unit = match f[2].to_lowercase().as_str() {
                "mg" => DoseUnit::Mg,
                "mcg" => DoseUnit::Mcg,
                "units" => DoseUnit::Units,
                "ml" => DoseUnit::Ml,
                other => {
                    return Err(malformed(
                        file,
                        n,
                        format!("unit must be mg, mcg, units or mL, found {other:?}"),
                    ));
                }
            };
            if f[0].is_empty() {
                return Err(malformed(file, n, "drug name is empty"));
            }
            let min_single = number(file, n, "min_single", f[3])?;
            let max_single = number(file, n, "max_single", f[4])?;
            let max_daily = number(file, n, "max_daily", f[5])?;
            if min_single > max_single || max_single > max_daily {
                return Err(malformed(
                    file,
                    n,
                    "expected min_single <= max_single <= max_daily",
                ));
            }
            Ok(DoseRange {
                drug: f[0].to_lowercase(),
                route: f[1].to_lowercase(),
                unit,
                min_single,
                max_single,
                max_daily,
                aliases: split_list(f[6], ','),
                source: f[7].to_string(),
            })
        })
        .collect()
}

fn split_list(s: &str, sep: char) -> Vec<String> {
    s.split(sep)
        .map(|x| x.trim().to_lowercase())
        .filter(|x| !x.is_empty())
        .collect()
}

/// `laterality.tsv`: one lowercase word and the sided part it names.
pub fn sided_parts(file: &str, text: &str) -> Result<Vec<(String, String)>, VocabError> {
    tsv(file, text, 2, "word")
        .map(|row| {
            let (n, f) = row?;
            let word = f[0].to_lowercase();
            if word.is_empty() || word.contains(' ') || f[1].is_empty() {
                return Err(malformed(
                    file,
                    n,
                    "expected one word and the part it names",
                ));
            }
            Ok((word, f[1].to_lowercase()))
        })
        .collect()
}

pub fn sound_alike(file: &str, text: &str) -> Result<Vec<SoundAlikePair>, VocabError> {
    tsv(file, text, 4, "drug_a")
        .map(|row| {
            let (n, f) = row?;
            let pair = SoundAlikePair {
                a: f[0].to_lowercase(),
                b: f[1].to_lowercase(),
                a_indications: split_list(f[2], ';'),
                b_indications: split_list(f[3], ';'),
            };
            if pair.a.is_empty() || pair.b.is_empty() || pair.a == pair.b {
                return Err(malformed(file, n, "expected two different drug names"));
            }
            if pair.a_indications.is_empty() || pair.b_indications.is_empty() {
                return Err(malformed(
                    file,
                    n,
                    "each drug needs at least one indication",
                ));
            }
            Ok(pair)
        })
        .collect()
}

pub fn abbreviations(file: &str, text: &str) -> Result<Vec<Abbreviation>, VocabError> {
    tsv(file, text, 5, "abbreviation")
        .map(|row| {
            let (n, f) = row?;
            let rule = match f[1] {
                "word" => AbbrevRule::Word,
                "word_ci" => AbbrevRule::WordCi,
                "after_number" => AbbrevRule::AfterNumber,
                "dose_context" => AbbrevRule::DoseContext,
                "site_context" => AbbrevRule::SiteContext,
                "trailing_zero" => AbbrevRule::TrailingZero,
                "leading_zero" => AbbrevRule::LeadingZero,
                other => {
                    return Err(malformed(
                        file,
                        n,
                        format!(
                            "rule must be word, word_ci, after_number, dose_context, \
                             site_context, trailing_zero or leading_zero, found {other:?}"
                        ),
                    ));
                }
            };
            if f[0].is_empty() || f[2].is_empty() {
                return Err(malformed(
                    file,
                    n,
                    "abbreviation and problem must not be empty",
                ));
            }
            Ok(Abbreviation {
                abbr: f[0].to_string(),
                rule,
                problem: f[2].to_string(),
                use_instead: f[3].to_string(),
                source: f[4].to_string(),
            })
        })
        .collect()
}
