//! The spoken job preamble through the whole chain: a dictation spoken by espeak-ng, heard by
//! tiny.en, read into the transcript's "job", kept out of the letter's body, used for the
//! letter's template and fields, and checked against the patient the job is filed under.
//!
//! tiny.en mishears synthetic speech ("Dr Marsh Dick", "Dr Angeli Patel"), which is the
//! point: every field said is either right or queried, never silently wrong.

mod common;

use common::*;
use std::path::Path;

const DICTATION: &str = "This is Doctor Marsh dictating a referral letter to Doctor Anjali \
    Patel, cardiology, Riverside General, regarding Mister John Smith. Date of birth, the third \
    of March nineteen fifty eight. Hospital number, R M C zero zero four eight two one three. \
    Urgent please. Copy to the patient. Dear Doctor Patel, thank you for seeing this sixty \
    eight year old man with chest pain on exertion for three months. Secretary, please pull the \
    last clinic letter.";

/// The dictation spoken and transcribed once, as `transcribe --format json` gives it.
fn transcript(dir: &Path) -> (serde_json::Value, std::path::PathBuf) {
    tiny_en();
    let wav = dir.join("dictation.wav");
    let st = std::process::Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "130", "-w"])
        .arg(&wav)
        .arg(DICTATION)
        .status()
        .expect("espeak-ng is installed by make test");
    assert!(st.success());
    let o = run(&[
        "transcribe",
        wav.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let json = dir.join("dictation.json");
    std::fs::write(&json, stdout(&o)).expect("write transcript");
    (
        serde_json::from_str(&stdout(&o)).expect("transcript JSON"),
        json,
    )
}

/// `medscribe letter INPUT --format md` beside INPUT, with `extra` arguments: what it
/// printed and the letter it wrote.
fn markdown_letter(input: &Path, extra: &[&str]) -> (String, String) {
    let md = input.with_extension("md");
    let mut args = vec![
        "letter",
        input.to_str().unwrap_or_default(),
        "--format",
        "md",
    ];
    args.extend_from_slice(extra);
    args.extend(["-o", md.to_str().unwrap_or_default()]);
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let letter = std::fs::read_to_string(&md).expect("letter written");
    (stdout(&o), letter)
}

fn queried(t: &serde_json::Value, field: &str) -> bool {
    t["findings"].as_array().is_some_and(|fs| {
        fs.iter().any(|f| {
            f["kind"] == "unclear_field"
                && f["field"].as_str().is_some_and(|x| x.starts_with(field))
        })
    })
}

#[test]
fn spoken_job_is_read_right_or_queried_and_kept_out_of_the_body() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (t, json) = transcript(dir.path());
    let job = &t["job"];
    let mut silently_wrong = Vec::new();
    for (pointer, want, field) in [
        ("/template", "referral-letter", "template"),
        ("/priority", "urgent", "priority"),
        ("/author", "Dr Marsh", "author"),
        ("/patient/name", "Mr John Smith", "patient.name"),
        ("/patient/dob", "1958-03-03", "patient.dob"),
        ("/patient/mrn", "RMC0048213", "patient.mrn"),
        ("/recipient/name", "Dr Anjali Patel", "recipient"),
    ] {
        if job.pointer(pointer).and_then(|v| v.as_str()) != Some(want) && !queried(&t, field) {
            silently_wrong.push(format!("{pointer}: {:?}", job.pointer(pointer)));
        }
    }
    assert!(
        silently_wrong.is_empty(),
        "wrong and not queried: {silently_wrong:?}\n{t:#}"
    );
    // What was clearly heard is read exactly.
    assert_eq!(job["template"], "referral-letter", "{job}");
    assert_eq!(job["priority"], "urgent", "{job}");
    assert_eq!(job["patient"]["dob"], "1958-03-03", "{job}");
    assert_eq!(job["cc"], serde_json::json!(["the patient"]), "{job}");
    assert!(
        job["instructions"][0]
            .as_str()
            .is_some_and(|i| i.starts_with("please pull the last clinic")),
        "{job}"
    );

    // The body is the letter only: no preamble, no instruction to the secretary.
    let text = t["text"].as_str().unwrap_or_default().to_lowercase();
    assert!(text.contains("thank you for seeing"), "{text}");
    for said in [
        "dictating",
        "hospital number",
        "date of birth",
        "secretary",
        "urgent",
    ] {
        assert!(!text.contains(said), "{said:?} left in the body: {text}");
    }

    // `transcribe` as text shows the job block first, then the letter's text.
    let o = run(&[
        "transcribe",
        dir.path()
            .join("dictation.wav")
            .to_str()
            .unwrap_or_default(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown = stdout(&o);
    let lines: Vec<&str> = shown.lines().collect();
    assert!(
        lines.first().is_some_and(|l| l.starts_with("Letter:")),
        "{shown}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Patient:") && l.contains("born 3 March 1958")),
        "{shown}"
    );
    assert!(lines.iter().any(|l| l.starts_with("For you:")), "{shown}");
    let body_at = lines.iter().position(|l| l.is_empty()).unwrap_or(0);
    assert!(
        lines[body_at..]
            .join(" ")
            .to_lowercase()
            .contains("thank you for seeing"),
        "{shown}"
    );

    // Re-checking the transcript keeps the queries on the spoken job.
    let o = run(&[
        "check",
        json.to_str().unwrap_or_default(),
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rechecked: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let job_queries = |v: &serde_json::Value| {
        v["findings"]
            .as_array()
            .map_or(0, |a| a.iter().filter(|f| f["field"].is_string()).count())
    };
    assert_eq!(job_queries(&rechecked), job_queries(&t), "{rechecked:#}");

    // The letter takes its template and fields from what was said: no --template, no --data.
    let (_, letter) = markdown_letter(&json, &[]);
    assert!(letter.contains("DOB 3 March 1958"), "{letter}");
    assert!(letter.contains("Urgent"), "{letter}");
    assert!(letter.contains("cc: the patient"), "{letter}");
    assert!(
        !letter.contains("pull the last clinic"),
        "instruction printed: {letter}"
    );
    let greetings = letter
        .lines()
        .filter(|l| l.starts_with("Dear ") || l.starts_with("Their ") || l.contains(", thank you"))
        .count();
    assert_eq!(
        greetings, 1,
        "greeted once (the template's salutation, not the dictated one too): {letter}"
    );
    assert!(
        letter.contains("Dear Dr Patel,\n\nThank you for seeing"),
        "{letter}"
    );
}

#[test]
fn the_wrong_patient_blocks_the_final_letter() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (_, json) = transcript(dir.path());
    let out = dir.path().join("final.docx");
    let o = run(&[
        "letter",
        json.to_str().unwrap_or_default(),
        "--set",
        "patient.dob=1958-05-03",
        "--final",
        "-o",
        out.to_str().unwrap_or_default(),
    ]);
    assert!(!o.status.success(), "signed a letter for the wrong patient");
    let err = stderr(&o);
    assert!(err.contains("patient_mismatch"), "{err}");
    assert!(!out.exists(), "no partial file");

    // The draft names both dates in the query, and the record's value is the one printed.
    let (text, letter) = markdown_letter(&json, &["--set", "patient.dob=3 May 1958"]);
    assert!(
        text.contains("dictated: born 3 March 1958; record: born 3 May 1958"),
        "{text}"
    );
    assert!(letter.contains("DOB 3 May 1958"), "--set wins: {letter}");
}

#[test]
fn a_typed_preamble_fills_a_letter_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let txt = dir.path().join("dictation.txt");
    std::fs::write(
        &txt,
        "Dr Hughes dictating a clinic letter to Dr Ranjit Singh, GP, Parkside Surgery, 4 Quay \
         Street, Whitby YO21 3PU, regarding Mrs Rebecca Smith-Jones, date of birth 23/9/66, \
         hospital number RMC 0056 172. Please copy this to the diabetes nurse. Dear Dr Singh, \
         I reviewed Mrs Smith-Jones in clinic today. Her thyroid eye disease is inactive. \
         Secretary, please book a follow-up in six weeks. Plan: reduce carbimazole to 5 mg \
         daily.",
    )
    .expect("write");
    let (_, letter) = markdown_letter(&txt, &["--set", "clinic.name=Endocrine Clinic"]);
    for want in [
        "Dr Ranjit Singh, GP",
        "Parkside Surgery",
        "Whitby YO21 3PU",
        "Mrs Rebecca Smith-Jones, DOB 23 September 1966, MRN RMC0056172",
        "Dear Dr Singh,",
        "cc: the diabetes nurse",
        "Dr Hughes",
    ] {
        assert!(letter.contains(want), "{want:?} not in:\n{letter}");
    }
    for never in [
        "dictating",
        "hospital number",
        "book a follow-up",
        "Secretary",
    ] {
        assert!(!letter.contains(never), "{never:?} printed:\n{letter}");
    }
}
