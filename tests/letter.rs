//! `medscribe letter` end to end: the bundled dictation (audio) becomes a referral letter
//! that LibreOffice opens and whose text holds the dictated content and the fields; a
//! transcript file works too; bad requests fail with one line and leave no file.

mod common;

use common::*;
use std::path::Path;

#[test]
fn dictation_audio_becomes_a_referral_letter_libreoffice_opens() {
    tiny_en();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("referral-letter.docx");
    let o = run(&[
        "letter",
        "tests/fixtures/referral-dictation.flac",
        "--template",
        "referral-letter",
        "--data",
        "tests/fixtures/letters/referral-letter.toml",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("wrote"), "{}", stdout(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let text = libreoffice_text(&out);
    for needle in [
        "Mr Harold Whitcombe",
        "RMC-0048213",
        "Dr Patel",
        "Dr Eleanor Marsh",
        "chest tightness",
        "diabetes",
        "hypertension",
        "aspirin",
    ] {
        assert!(
            text.to_lowercase().contains(&needle.to_lowercase()),
            "missing {needle:?} in:\n{text}"
        );
    }
}

#[test]
fn corrected_transcript_renders_and_final_refuses_while_queries_remain() {
    let dir = tempfile::tempdir().unwrap();
    let transcript = dir.path().join("dictation.txt");
    std::fs::write(
        &transcript,
        "History: Right knee pain for two months. Examination: effusion of the left knee. \
         Plan: Start naproxen 500 mg twice daily and review in six weeks.",
    )
    .unwrap();
    let draft = dir.path().join("draft.docx");
    let args = |out: &Path, extra: &[&str]| {
        let mut v = vec![
            "letter".to_string(),
            transcript.to_str().unwrap().to_string(),
            "-t".into(),
            "clinic-letter".into(),
            "-d".into(),
            "tests/fixtures/letters/clinic-letter.toml".into(),
            "-o".into(),
            out.to_str().unwrap().to_string(),
        ];
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let o = medscribe().args(args(&draft, &[])).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("laterality"),
        "the left/right knee conflict is queried: {out}"
    );
    let text = libreoffice_text(&draft);
    assert!(text.contains("naproxen 500 mg"), "{text}");
    assert!(text.contains("Dictated but not read"), "{text}");

    let signed = dir.path().join("signed.docx");
    let o = medscribe()
        .args(args(&signed, &["--final"]))
        .output()
        .unwrap();
    assert_one_line_error(&o, &["signed.docx", "--final", "laterality"]);
    assert!(
        !signed.exists(),
        "no file may be written while queries are open"
    );
}

#[test]
fn bad_requests_fail_with_one_line_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let transcript = dir.path().join("t.txt");
    std::fs::write(&transcript, "Plan: review in clinic.").unwrap();
    let t = transcript.to_str().unwrap();

    let o = run(&["letter", t, "-t", "no-such-template", "-o", "x.docx"]);
    assert_one_line_error(&o, &["no-such-template", "referral-letter"]);

    // No field data: --final refuses, naming the missing fields, and writes nothing ...
    let out = dir.path().join("a.docx");
    let o = run(&[
        "letter",
        t,
        "-t",
        "referral-letter",
        "--final",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_one_line_error(&o, &["a.docx", "missing_field", "[missing: patient.name]"]);
    assert!(!out.exists());

    let nowhere = dir.path().join("missing-dir/a.docx");
    let o = run(&[
        "letter",
        t,
        "-t",
        "referral-letter",
        "-d",
        "tests/fixtures/letters/referral-letter.toml",
        "-o",
        nowhere.to_str().unwrap(),
    ]);
    assert_one_line_error(&o, &["missing-dir", "does not exist"]);

    let bytes = dir.path().join("bad.txt");
    std::fs::write(&bytes, [0x66, 0x6f, 0xff, 0xfe, 0x6f]).unwrap();
    let o = run(&[
        "letter",
        bytes.to_str().unwrap(),
        "-t",
        "referral-letter",
        "-d",
        "tests/fixtures/letters/referral-letter.toml",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_one_line_error(&o, &["bad.txt", "not UTF-8"]);
}

#[test]
fn missing_fields_and_sections_are_drafted_as_queries_not_errors() {
    let dir = tempfile::tempdir().unwrap();
    let transcript = dir.path().join("t.txt");
    std::fs::write(
        &transcript,
        "History: two weeks of productive cough. Examination: crackles at the right base.",
    )
    .unwrap();
    let out = dir.path().join("draft.docx");
    let o = run(&[
        "letter",
        transcript.to_str().unwrap(),
        "-t",
        "referral-letter",
        "--set",
        "patient.name=Mr Test Patient",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let listed = stdout(&o);
    for needle in [
        "missing_field",
        "[missing: patient.dob]",
        "[not dictated]",
        "Plan",
    ] {
        assert!(listed.contains(needle), "{needle:?} not listed: {listed}");
    }
    assert!(!listed.contains("[missing: patient.name]"), "{listed}");
    let text = libreoffice_text(&out);
    for needle in [
        "Mr Test Patient",
        "[missing: patient.dob]",
        "[missing: recipient.name]",
        "[not dictated]",
        "productive cough",
    ] {
        assert!(
            text.contains(needle),
            "{needle:?} not in the letter:\n{text}"
        );
    }
}
