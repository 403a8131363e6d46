use chrono::NaiveDate;

use super::*;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or_default()
}

#[test]
fn the_canonical_preamble() {
    let r = read(
        "This is Dr Marsh dictating a referral letter to Dr Anjali Patel, cardiology, \
         Riverside General, regarding Mr Harold Whitcombe, date of birth 3rd of March 1958, \
         hospital number RMC 0048213. Urgent please. Copy to the patient. Dear Dr Patel, \
         thank you.",
        today(),
    );
    let j = &r.job;
    assert_eq!(j.template.as_deref(), Some("referral-letter"));
    assert_eq!(j.author.as_deref(), Some("Dr Marsh"));
    assert_eq!(j.priority, Some(Priority::Urgent));
    assert_eq!(j.patient.name.as_deref(), Some("Mr Harold Whitcombe"));
    assert_eq!(j.patient.dob, NaiveDate::from_ymd_opt(1958, 3, 3));
    assert_eq!(j.patient.mrn.as_deref(), Some("RMC0048213"));
    assert_eq!(j.recipient.name.as_deref(), Some("Dr Anjali Patel"));
    assert_eq!(j.recipient.role.as_deref(), Some("cardiology"));
    assert_eq!(
        j.recipient.organisation.as_deref(),
        Some("Riverside General")
    );
    assert_eq!(j.cc, ["the patient"]);
    assert_eq!(r.body, "Dear Dr Patel, thank you.");
    assert!(r.doubts.is_empty(), "{:?}", r.doubts);
}

#[test]
fn no_preamble_leaves_the_text_alone() {
    let text = "Seen in clinic today. We discussed an urgent referral to surgery. Copies of the \
                scan were reviewed.";
    let r = read(text, today());
    assert!(r.job.is_empty(), "{:?}", r.job);
    assert_eq!(r.body, text);
}

#[test]
fn any_input_is_read_without_panic() {
    for text in [
        "",
        ".",
        "Dr",
        "date of birth",
        "hospital number",
        "regarding Mr",
        "copy to",
        "This is Dr. . . ,,, Mr Mrs Ms",
        "double double triple",
        "é ü 日本 date of birth 31/2/99",
    ] {
        let _ = read(text, today());
    }
}
