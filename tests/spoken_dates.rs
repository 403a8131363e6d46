//! Dates of birth in the job-preamble cases (tests/fixtures/job_cases.jsonl, written blind to
//! the code): the phrase after "date of birth", "DOB" or "born on" parses to the date the
//! case expects, and an impossible date to none. The held-out set is not read here.

use chrono::NaiveDate;
use medscribe::dictation::spoken_date;

/// The words after the first date-of-birth cue (a whole word or words), up to the next
/// ", " or ". " (or the end).
fn dob_phrase(text: &str) -> Option<String> {
    let cue = regex::Regex::new(r"(?i)\b(date of birth|d o b|dob|born on)\b").unwrap();
    let at = cue.find(text)?;
    let rest = &text[at.end()..];
    let end = [", ", ". ", ","]
        .iter()
        .filter_map(|s| rest.find(s))
        .min()
        .unwrap_or(rest.len());
    Some(rest[..end].trim().trim_end_matches('.').to_string())
}

#[test]
fn dates_of_birth_in_the_dev_cases() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/job_cases.jsonl"),
    )
    .unwrap();
    let (mut checked, mut wrong) = (0, Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let want = case["job"]["patient"]["dob"].as_str();
        let unclear = case["expect_queries"]
            .as_array()
            .is_some_and(|q| q.iter().any(|k| k == "unclear_field"));
        if want.is_none() && !unclear {
            continue;
        }
        let Some(phrase) = dob_phrase(case["text"].as_str().unwrap()) else {
            continue;
        };
        let child = case["job"]["patient"]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Master"));
        let got = spoken_date::parse_prefix(&phrase, today, child).map(|(d, _)| d.to_string());
        checked += 1;
        if got.as_deref() != want {
            wrong.push(format!(
                "{}: {phrase:?} -> {got:?}, want {want:?}",
                case["id"]
            ));
        }
    }
    assert!(checked >= 50, "only {checked} dates found");
    assert!(
        wrong.is_empty(),
        "{} of {checked} wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn a_numeric_date_with_no_such_month_is_read_month_first() {
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let p = |s: &str| spoken_date::parse(s, today, false);
    assert_eq!(p("04/18/1957"), NaiveDate::from_ymd_opt(1957, 4, 18));
    assert_eq!(
        p("3/9/58"),
        NaiveDate::from_ymd_opt(1958, 9, 3),
        "UK order first"
    );
    assert_eq!(p("13/13/1958"), None);
}
