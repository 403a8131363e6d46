//! Error paths: each must fail with a one-line message naming the file/template/field and
//! the problem, never a panic, never a field value in the message, never a partial file.

use std::path::Path;

use crate::document::{DocumentError, Fields, load_template, render, write_atomic};

use super::*;

/// A copy of the real templates folder plus one extra file, for breaking things safely.
fn templates_with(extra: &str, body: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    for entry in std::fs::read_dir(templates_dir())
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
    {
        let _ = std::fs::copy(entry.path(), tmp.path().join(entry.file_name()));
    }
    std::fs::write(tmp.path().join(extra), body).unwrap_or_else(|e| panic!("{e}"));
    tmp
}

fn err<T: std::fmt::Debug>(r: Result<T, DocumentError>) -> String {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => {
            let msg = e.to_string();
            assert!(!msg.contains('\n'), "message is not one line: {msg}");
            msg
        }
    }
}

#[test]
fn unknown_template_lists_available() {
    let msg = err(load_template(&templates_dir(), "referal-leter"));
    assert!(msg.contains("referal-leter"), "{msg}");
    for name in [
        "clinic-letter",
        "discharge-summary",
        "operative-note",
        "patient-letter",
        "referral-letter",
        "soap-note",
    ] {
        assert!(msg.contains(name), "{msg} does not list {name}");
    }
    assert!(
        !msg.contains("practice"),
        "practice.toml is not a template: {msg}"
    );
}

#[test]
fn missing_templates_dir_names_it() {
    let msg = err(load_template(
        Path::new("/nonexistent/templates"),
        "referral-letter",
    ));
    assert!(msg.starts_with("/nonexistent/templates: "), "{msg}");
}

#[test]
fn toml_syntax_error_gives_file_and_line() {
    let dir = templates_with(
        "broken.toml",
        "description = \"x\"\n\n[[fields]]\nname = \"patient.name\nrequired = true\n",
    );
    let msg = err(load_template(dir.path(), "broken"));
    let file = dir.path().join("broken.toml");
    assert!(msg.starts_with(&format!("{}:4: ", file.display())), "{msg}");
    // Other templates still load; list_templates reports the broken one.
    assert!(load_template(dir.path(), "soap-note").is_ok());
    let msg = err(crate::document::list_templates(dir.path()));
    assert!(msg.contains("broken.toml:4"), "{msg}");
}

#[test]
fn unknown_keys_are_rejected_with_line() {
    let dir = templates_with(
        "typo.toml",
        "description = \"x\"\n[text]\nsalutaton = \"Dear {{ x }}\"\n",
    );
    let msg = err(load_template(dir.path(), "typo"));
    assert!(
        msg.contains("typo.toml:3:") && msg.contains("salutaton"),
        "{msg}"
    );
}

#[test]
fn minijinja_syntax_error_gives_file_line_and_part() {
    let src = "description = \"x\"\n\n[text]\nsignature = \"\"\"\n{{ author.name }}\n{{ author.title \"\"\"\n";
    let dir = templates_with("badjinja.toml", src);
    let msg = err(load_template(dir.path(), "badjinja"));
    assert!(
        msg.contains("badjinja.toml:6:"),
        "line of the broken expression: {msg}"
    );
    assert!(
        msg.contains("[text].signature") && msg.contains("syntax error"),
        "{msg}"
    );
}

#[test]
fn missing_required_fields_become_placeholders_and_queries() {
    let t = load_template(&templates_dir(), "referral-letter").unwrap_or_else(|e| panic!("{e}"));
    let mut f = Fields::new();
    f.set("patient.name", "Mrs Secret Name");
    f.set("patient.mrn", "   ");
    let d = draft(&[(Some("Plan"), Some("plan"), "Review in six weeks.")]);
    let letter = render(&t, &f, &d, &[]).unwrap_or_else(|e| panic!("{e}"));
    let missing: Vec<&str> = letter
        .unresolved()
        .iter()
        .filter(|q| q.kind == FindingKind::MissingField)
        .map(|q| q.text.as_str())
        .collect();
    assert_eq!(
        missing,
        [
            "[missing: patient.dob]",
            "[missing: patient.mrn]",
            "[missing: recipient.name]",
            "[missing: recipient.address]",
            "[missing: author.name]",
            "[missing: author.title]",
        ]
    );
    for q in letter.unresolved() {
        assert!(!q.message.contains("Secret"), "{}", q.message);
    }
    // Each placeholder is in the letter, highlighted by exactly its own query.
    let anchors = letter.anchors();
    for (id, q) in letter.unresolved().iter().enumerate() {
        let span = letter
            .blocks
            .iter()
            .flat_map(|b| &b.spans)
            .find(|s| s.findings.contains(&id))
            .unwrap_or_else(|| panic!("{} not anchored on a span", q.text));
        assert_eq!(span.text, q.text);
        assert!(anchors[id].is_some());
    }
    assert!(
        letter
            .to_text()
            .contains("Re: Mrs Secret Name, DOB [missing: patient.dob]")
    );
    // A letter with open queries cannot be signed.
    assert!(letter.finalize().is_err());
}

#[test]
fn required_section_not_dictated_is_queried_in_place() {
    let t = load_template(&templates_dir(), "discharge-summary").unwrap_or_else(|e| panic!("{e}"));
    let f = fixture("discharge-summary");
    let d = draft(&[
        (
            Some("Diagnosis"),
            Some("diagnosis"),
            "Community-acquired pneumonia.",
        ),
        (
            Some("Follow-up"),
            Some("follow_up"),
            "GP review in one week.",
        ),
    ]);
    let letter = render(&t, &f, &d, &[]).unwrap_or_else(|e| panic!("{e}"));
    let qs = letter.unresolved();
    assert_eq!(qs.len(), 1, "{qs:?}");
    assert_eq!(qs[0].kind, FindingKind::MissingField);
    assert!(
        qs[0].message.contains("Medications on Discharge"),
        "{}",
        qs[0].message
    );
    let text = letter.to_text();
    let at = text
        .find("Medications on Discharge")
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        text[at..].starts_with("Medications on Discharge\n\n[not dictated]"),
        "{text}"
    );
    // Dictated sections that are not required and are empty stay out of the letter.
    assert!(!text.contains("Course in Hospital"), "{text}");

    let complete = draft(&[
        (
            Some("Diagnosis"),
            Some("diagnosis"),
            "Community-acquired pneumonia.",
        ),
        (
            Some("Medications on discharge"),
            Some("discharge_medications"),
            "Amoxicillin 500 mg three times a day for 5 days.",
        ),
        (
            Some("Follow-up"),
            Some("follow_up"),
            "GP review in one week.",
        ),
    ]);
    let letter = render(&t, &f, &complete, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(letter.unresolved().is_empty(), "{:?}", letter.unresolved());
}

#[test]
fn undeclared_variable_is_a_render_error_not_a_gap() {
    let dir = templates_with(
        "undeclared.toml",
        "description = \"x\"\n[text]\nsalutation = \"Dear {{ recipient.nickname }},\"\n",
    );
    let t = load_template(dir.path(), "undeclared").unwrap_or_else(|e| panic!("{e}"));
    let msg = err(render(&t, &Fields::new(), &draft(&[]), &[]));
    assert!(
        msg.contains("undeclared") && msg.contains("[text].salutation"),
        "{msg}"
    );
    assert!(msg.contains("recipient.nickname"), "{msg}");
}

#[test]
fn bad_fields_files_name_file_and_line_without_values() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let toml = tmp.path().join("f.toml");
    std::fs::write(&toml, "[patient]\nname = \"Mrs Secret\nmrn = 1\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let msg = err(Fields::from_file(&toml));
    assert!(
        msg.starts_with(&format!("{}: line 2", toml.display())) && !msg.contains("Secret"),
        "{msg}"
    );
    let json = tmp.path().join("f.json");
    std::fs::write(&json, "{\"patient\": {\"name\": \"Mrs Secret\"")
        .unwrap_or_else(|e| panic!("{e}"));
    let msg = err(Fields::from_file(&json));
    assert!(msg.contains("f.json") && !msg.contains("Secret"), "{msg}");
    std::fs::write(&json, "{\"patient\": {\"name\": \"Mrs A\\u0007 Jones\"}}")
        .unwrap_or_else(|e| panic!("{e}"));
    let f = Fields::from_file(&json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        f.get("patient.name").and_then(|v| v.as_str()),
        Some("Mrs A Jones")
    );
    let msg = err(Fields::from_file(&tmp.path().join("f.yaml")));
    assert!(
        msg.contains("f.yaml") && msg.contains(".toml or .json"),
        "{msg}"
    );
}

/// Every XML part must parse with a strict XML parser (Python's expat).
fn assert_valid_xml(docx: &Path) {
    let script = "import sys,zipfile,xml.dom.minidom as m\nz=zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist():\n    if n.endswith('.xml') or n.endswith('.rels'):\n        m.parseString(z.read(n))\n";
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(docx)
        .output();
    let out = out.unwrap_or_else(|e| panic!("python3 is needed to validate XML: {e}"));
    assert!(
        out.status.success(),
        "invalid XML in DOCX: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn xml_special_and_control_characters_round_trip() {
    let t = load_template(&templates_dir(), "referral-letter").unwrap_or_else(|e| panic!("{e}"));
    let mut f = fixture("referral-letter");
    f.set("patient.name", "<script>&\"'\u{0}\u{1b}Jo]]>");
    f.set("recipient.address", "1 <b>Road</b> & Sons\u{7}\nTown");
    let d = draft(&[(
        Some("History"),
        Some("history"),
        "Pain <10/10 & \"worse\" at night\u{0c}; O'Brien's sign]]>.",
    )]);
    let mut fi = finding(
        &d,
        "<10/10 &",
        0,
        crate::check::FindingKind::LowConfidence,
        "Check <score> & \"units\"",
        &["<10/10"],
    );
    fi.message.push('\u{1}');
    let letter = render(&t, &f, &d, &[fi]).unwrap_or_else(|e| panic!("{e}"));
    let (bytes, doc, comments) = docx_texts(&letter);
    let text = xml_text(&doc);
    assert!(text.contains("Re: <script>&\"'Jo]]>, DOB"), "{text}");
    assert!(text.contains("1 <b>Road</b> & Sons\nTown"), "{text}");
    assert!(
        text.contains("Pain <10/10 & \"worse\" at night; O'Brien's sign]]>."),
        "{text}"
    );
    assert!(xml_text(&comments).contains("Check <score> & \"units\""));
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = tmp.path().join("special.docx");
    write_atomic(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_valid_xml(&path);
    let pdfs = to_pdf(&[path], tmp.path());
    assert!(pdf_text(&pdfs[0]).contains("<script>&\"'Jo"));
    assert!(letter.to_markdown().contains("\\<script\\>"));
}

#[test]
fn write_atomic_missing_dir_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = tmp.path().join("no-such-dir/letter.docx");
    let msg = err(write_atomic(&path, b"x"));
    assert!(
        msg.contains("no-such-dir") && msg.contains("does not exist"),
        "{msg}"
    );
    assert!(!tmp.path().join("no-such-dir").exists());
    let msg = err(write_atomic(tmp.path(), b"x"));
    assert!(msg.contains("cannot write"), "{msg}");
    assert_eq!(
        std::fs::read_dir(tmp.path())
            .map(|d| d.count())
            .unwrap_or(99),
        0
    );
}

#[test]
fn write_atomic_replaces_owner_only_and_leaves_no_temp() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = tmp.path().join("letter.docx");
    std::fs::write(&path, b"old").unwrap_or_else(|e| panic!("{e}"));
    write_atomic(&path, b"new contents").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(std::fs::read(&path).unwrap_or_default(), b"new contents");
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["letter.docx".to_string()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0);
        assert_eq!(mode & 0o777, 0o600);
    }
    // A directory in the way of the target: error, the directory untouched, no temp file.
    let blocked = tmp.path().join("blocked.docx");
    std::fs::create_dir(&blocked).unwrap_or_else(|e| panic!("{e}"));
    let msg = err(write_atomic(&blocked, b"x"));
    assert!(msg.contains("blocked.docx"), "{msg}");
    assert_eq!(
        std::fs::read_dir(tmp.path())
            .map(|d| d.count())
            .unwrap_or(0),
        2
    );
}

#[test]
fn finalize_refuses_with_findings_and_signs_without() {
    let t = load_template(&templates_dir(), "soap-note").unwrap_or_else(|e| panic!("{e}"));
    let f = fixture("soap-note");
    let d = draft(&[(Some("Plan"), Some("plan"), "Review in one week.")]);
    let q = finding(
        &d,
        "one week",
        0,
        crate::check::FindingKind::LowConfidence,
        "Check",
        &[],
    );
    let letter = render(&t, &f, &d, &[q]).unwrap_or_else(|e| panic!("{e}"));
    assert!(err(letter.finalize()).contains("1 unresolved"));
    let letter = render(&t, &f, &d, &[]).unwrap_or_else(|e| panic!("{e}"));
    assert!(letter.to_text().contains("Dictated but not read"));
    let signed = letter.finalize().unwrap_or_else(|e| panic!("{e}"));
    assert!(signed.is_signed());
    let text = signed.to_text();
    assert!(
        text.contains("Electronically signed by Dr Eleanor Marsh on 22 November 2026"),
        "{text}"
    );
    assert!(!text.contains("Dictated but not read"));
}

#[test]
fn logo_must_be_a_png_and_is_embedded() {
    const PNG: [u8; 70] = [
        137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6,
        0, 0, 0, 31, 21, 196, 137, 0, 0, 0, 13, 73, 68, 65, 84, 120, 218, 99, 100, 96, 248, 95, 15,
        0, 2, 135, 1, 128, 235, 71, 186, 146, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
    ];
    let dir = templates_with("logo.png", "");
    std::fs::write(dir.path().join("logo.png"), PNG).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.path().join("logo.jpg"), b"\xff\xd8\xff\xe0 not a png")
        .unwrap_or_else(|e| panic!("{e}"));
    let t = load_template(dir.path(), "soap-note").unwrap_or_else(|e| panic!("{e}"));
    let mut f = fixture("soap-note");
    f.set("practice.logo", "logo.png");
    let letter = render(&t, &f, &draft(&[]), &[]).unwrap_or_else(|e| panic!("{e}"));
    let (bytes, doc, _) = docx_texts(&letter);
    assert!(
        doc.contains("<w:drawing>") || doc.contains("<w:drawing "),
        "no drawing in document.xml"
    );
    let zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        zip.file_names().any(|n| n.starts_with("word/media/")),
        "logo not embedded"
    );
    f.set("practice.logo", "logo.jpg");
    let msg = err(render(&t, &f, &draft(&[]), &[]));
    assert!(msg.contains("logo.jpg") && msg.contains("PNG"), "{msg}");
    f.set("practice.logo", "missing.png");
    assert!(err(render(&t, &f, &draft(&[]), &[])).contains("missing.png"));
}
