//! Every template rendered from a realistic dictation + fixture fields, written as DOCX,
//! opened by LibreOffice, and read back: fields, headings (with real styles), every
//! dictated paragraph, and one highlighted, anchored comment per finding.

use std::path::PathBuf;

use crate::check::{Finding, FindingKind};
use crate::dictation::Draft;
use crate::document::{BlockKind, load_template, render, write_atomic};

use super::*;

/// One template's test: the dictation, its findings, and what the letter must show.
struct Case {
    template: &'static str,
    draft: Draft,
    findings: Vec<Finding>,
    /// Field-derived lines that must appear, in this order.
    expect: Vec<&'static str>,
    /// Section headings that must appear (styled Heading 2), in this order.
    headings: Vec<&'static str>,
}

fn referral() -> Case {
    let d = draft(&[
        (
            None,
            None,
            "Thank you for seeing this 68-year-old retired engineer with a six-week history of exertional chest tightness.",
        ),
        (
            Some("History"),
            Some("history"),
            "He describes central chest tightness on walking uphill, relieved by rest within five minutes. No symptoms at rest. He has had two episodes of palpitations.\n\nHe is an ex-smoker of 30 pack-years and his father had a myocardial infarction at 59.",
        ),
        (
            Some("Social History"),
            None,
            "Lives with his wife, still drives, walks his dog daily.",
        ),
        (
            Some("Medications"),
            Some("medications"),
            "Ramipril 5 mg once daily, atorvastatin 40 mg at night, aspirin 75 mg once daily.",
        ),
        (Some("Allergies"), Some("allergies"), "Penicillin (rash)."),
        (
            Some("Examination"),
            Some("examination"),
            "BP 148/86, pulse 78 regular. Heart sounds normal, no murmurs. Chest clear. No peripheral oedema.",
        ),
        (
            Some("Investigations"),
            Some("investigations"),
            "ECG shows sinus rhythm with T-wave inversion in V4 to V6. Troponin negative.",
        ),
        (
            Some("Impression"),
            Some("impression"),
            "Probable stable angina.",
        ),
        (
            Some("Plan"),
            Some("plan"),
            "I have started bisoprolol 2.5 mg once daily and GTN spray as required. I would be grateful for your assessment and consideration of CT coronary angiography.",
        ),
    ]);
    let findings = vec![
        finding(
            &d,
            "two episodes",
            0,
            FindingKind::LowConfidence,
            "Low confidence in the transcription; please check the recording.",
            &["two episodes", "few episodes"],
        ),
        finding(
            &d,
            "GTN",
            0,
            FindingKind::Abbreviation,
            "Abbreviation GTN: spell out in correspondence?",
            &["glyceryl trinitrate (GTN)"],
        ),
        // Offsets inside a heading: no body text to anchor on, must still be commented.
        finding(
            &d,
            "Investigations:",
            0,
            FindingKind::MissingField,
            "No date given for the ECG.",
            &[],
        ),
    ];
    Case {
        template: "referral-letter",
        draft: d,
        findings,
        expect: vec![
            "Riverside Medical Centre",
            "22 November 2026",
            "Dr Anjali Patel, Consultant Cardiologist",
            "Riverside General Hospital",
            "Urgent referral",
            "Re: Mr Harold Whitcombe, DOB 3 March 1958, MRN RMC-0048213",
            "Dear Dr Patel,",
            "Yours sincerely,",
            "Dr Eleanor Marsh",
            "General Practitioner",
            "Dictated but not read",
            "cc: Mr Harold Whitcombe (patient)",
            "cc: Practice records",
            "Enc: ECG 18 November 2026",
            "Enc: Blood results 19 November 2026",
        ],
        headings: vec![
            "History",
            "Medications",
            "Allergies",
            "Examination",
            "Investigations",
            "Impression",
            "Plan",
            "Social History",
        ],
    }
}

fn clinic() -> Case {
    let d = draft(&[
        (
            Some("Diagnosis"),
            Some("diagnosis"),
            "Type 2 diabetes mellitus, HbA1c 64 mmol/mol, with microalbuminuria. Hypertension, suboptimally controlled.",
        ),
        (
            Some("History"),
            Some("history"),
            "Mrs Raman reports good adherence to metformin but finds gliclazide causes hypoglycaemia mid-morning. She walks 30 minutes most days.",
        ),
        (
            Some("Examination"),
            Some("examination"),
            "Weight 84 kg, BMI 31. Blood pressure 152/94. Foot examination: monofilament sensation intact, pulses palpable bilaterally.",
        ),
        (
            Some("Investigations"),
            Some("investigations"),
            "HbA1c 64 mmol/mol. Urine albumin:creatinine ratio 8.2 mg/mmol. eGFR 78.",
        ),
        (
            Some("Plan"),
            Some("plan"),
            "Stop gliclazide. Start dapagliflozin 10 mg once daily. Increase ramipril to 10 mg once daily.\n\nPlease repeat renal function and potassium in two weeks. I will review her in clinic in four months.",
        ),
        (
            Some("Family History"),
            Some("family_history"),
            "Mother and two brothers have type 2 diabetes.",
        ),
    ]);
    let findings = vec![
        finding(
            &d,
            "dapagliflozin 10 mg",
            0,
            FindingKind::SoundAlike,
            "Sound-alike drug: dapagliflozin or dapoxetine? Check the recording.",
            &["dapagliflozin 10 mg"],
        ),
        finding(
            &d,
            "two weeks",
            0,
            FindingKind::Inconsistency,
            "History says 'two weeks' but the plan elsewhere says 'ten days'.",
            &["two weeks", "ten days"],
        ),
    ];
    Case {
        template: "clinic-letter",
        draft: d,
        findings,
        expect: vec![
            "Riverside General Hospital",
            "22 November 2026",
            "Dr Eleanor Marsh",
            "Re: Mrs Priya Raman, DOB 14 August 1969, MRN RGH-7730192",
            "Seen in the Diabetes and Endocrinology Clinic on 18 November 2026",
            "Diagnoses: Type 2 diabetes mellitus with microalbuminuria; Hypertension",
            "Dear Dr Marsh,",
            "I reviewed Mrs Priya Raman in the Diabetes and Endocrinology Clinic on 18 November 2026.",
            "Thank you for your ongoing care of this patient.",
            "Yours sincerely,",
            "Dr Samuel Okonjo",
            "Consultant Diabetologist",
            "Dictated but not read",
            "cc: Mrs Priya Raman (patient)",
        ],
        headings: vec![
            "Diagnosis",
            "History",
            "Examination",
            "Investigations",
            "Plan",
            "Family History",
        ],
    }
}

fn discharge() -> Case {
    let d = draft(&[
        (
            Some("Diagnosis"),
            Some("diagnosis"),
            "Acute decompensated heart failure secondary to new atrial fibrillation with fast ventricular response.",
        ),
        (
            Some("Presenting Complaint"),
            Some("presenting_complaint"),
            "Three days of worsening breathlessness, orthopnoea and bilateral ankle swelling.",
        ),
        (
            Some("Course in Hospital"),
            Some("course"),
            "He was treated with intravenous furosemide 80 mg twice daily with good diuresis, losing 6 kg. Rate control was achieved with bisoprolol. Echocardiogram showed an ejection fraction of 35 percent.\n\nHe was anticoagulated with apixaban after a CHA2DS2-VASc score of 4.",
        ),
        (
            Some("Medications"),
            Some("medications"),
            "Apixaban 5 mg twice daily (new). Bisoprolol 5 mg once daily (new). Furosemide 40 mg once daily (changed from 20 mg). Ramipril 2.5 mg once daily (continued).",
        ),
        (
            Some("Allergies"),
            Some("allergies"),
            "No known drug allergies.",
        ),
        (
            Some("Follow-up"),
            Some("follow_up"),
            "GP to check renal function and potassium in one week. Heart failure nurse review in two weeks. Cardiology clinic in six weeks.",
        ),
    ]);
    let findings = vec![finding(
        &d,
        "Apixaban 5 mg twice daily",
        0,
        FindingKind::DoseRange,
        "Check apixaban dose against age, weight and creatinine.",
        &["Apixaban 5 mg twice daily", "Apixaban 2.5 mg twice daily"],
    )];
    Case {
        template: "discharge-summary",
        draft: d,
        findings,
        expect: vec![
            "Riverside General Hospital",
            "22 November 2026",
            "Dr Eleanor Marsh",
            "Discharge Summary",
            "Patient: Mr Thomas Brennan, DOB 9 January 1947, MRN RGH-5521980",
            "Ward: Ward 7B (Cardiology)",
            "Admitted 15 November 2026",
            "Discharged 21 November 2026",
            "Dr Lucy Fenwick",
            "Foundation Year 2 Doctor, on behalf of Dr Anjali Patel",
            "Dictated but not read",
            "cc: Community heart failure nurses",
        ],
        headings: vec![
            "Diagnosis",
            "Presenting Complaint",
            "Course in Hospital",
            "Medications on Discharge",
            "Allergies",
            "Follow-up",
        ],
    }
}

fn patient() -> Case {
    let d = draft(&[
        (
            None,
            None,
            "I am pleased to say your recent blood tests have come back.",
        ),
        (
            Some("Results"),
            Some("results"),
            "Your thyroid test showed that your thyroid gland is a little underactive. Your TSH level was 9.8 and your free T4 was slightly low. Your blood count and kidney tests were normal.",
        ),
        (
            Some("Plan"),
            Some("plan"),
            "I have prescribed levothyroxine 50 micrograms to take once each morning, 30 minutes before breakfast. Please book a repeat blood test in six weeks so we can check the dose.",
        ),
    ]);
    let findings = vec![finding(
        &d,
        "TSH",
        0,
        FindingKind::Abbreviation,
        "Abbreviation in a letter to a patient: explain TSH?",
        &["thyroid-stimulating hormone (TSH)"],
    )];
    Case {
        template: "patient-letter",
        draft: d,
        findings,
        expect: vec![
            "Riverside Medical Centre",
            "22 November 2026",
            "Ms Chloe Adebayo",
            "Flat 3, 82 Canal Road",
            "Your record number: RMC-0091377",
            "Dear Ms Adebayo,",
            "If you have any questions, please contact the practice on 01632 960 418.",
            "Yours sincerely,",
            "Dr Eleanor Marsh",
            "Dictated but not read",
            "cc: Dr Eleanor Marsh, Riverside Medical Centre",
            "Enc: Leaflet: Living with an underactive thyroid",
        ],
        headings: vec!["What we found", "What happens next"],
    }
}

fn soap() -> Case {
    let d = draft(&[
        (
            Some("Subjective"),
            Some("subjective"),
            "Seven-year-old boy brought by his mother with two days of left ear pain and fever to 38.9. Eating and drinking less but passing urine normally. No discharge from the ear.",
        ),
        (
            Some("Objective"),
            Some("objective"),
            "Temperature 38.4, heart rate 112, respiratory rate 22, oxygen saturation 98 percent on air. Left tympanic membrane red and bulging. Right ear normal. Throat mildly inflamed. Chest clear.",
        ),
        (
            Some("Assessment"),
            Some("assessment"),
            "Acute otitis media, left ear.",
        ),
        (
            Some("Plan"),
            Some("plan"),
            "Amoxicillin 250 mg three times daily for five days. Regular paracetamol and ibuprofen for pain and fever. Safety-netting advice given; return if not improving in 48 hours or if drowsy or a rash develops.",
        ),
    ]);
    let findings = vec![
        finding(
            &d,
            "left ear",
            1,
            FindingKind::Laterality,
            "Side check: the plan mentions no side; confirm the left ear.",
            &["left ear"],
        ),
        finding(
            &d,
            "Amoxicillin 250 mg",
            0,
            FindingKind::DoseRange,
            "Check amoxicillin dose for age 7 (usual 500 mg three times daily).",
            &["Amoxicillin 500 mg"],
        ),
    ];
    Case {
        template: "soap-note",
        draft: d,
        findings,
        expect: vec![
            "Riverside Medical Centre",
            "22 November 2026",
            "SOAP Note: Face-to-face consultation",
            "Patient: Master Oliver Grant, DOB 2 February 2019, MRN RMC-0102264",
            "Dr Eleanor Marsh",
            "General Practitioner",
            "Dictated but not read",
        ],
        headings: vec!["Subjective", "Objective", "Assessment", "Plan"],
    }
}

fn operative() -> Case {
    let d = draft(&[
        (
            Some("Indication"),
            Some("indication"),
            "Recurrent biliary colic with ultrasound-confirmed gallstones.",
        ),
        (
            Some("Findings"),
            Some("findings"),
            "Chronically inflamed gallbladder with multiple small stones. Normal-calibre common bile duct. Liver appeared normal.",
        ),
        (
            Some("Procedure"),
            Some("procedure"),
            "Open Hasson entry at the umbilicus, pneumoperitoneum to 12 mmHg. Three further 5 mm ports. Calot's triangle dissected and critical view of safety obtained. Cystic duct and artery clipped and divided. Gallbladder dissected from the liver bed with diathermy and removed in a retrieval bag.\n\nHaemostasis checked. Ports removed under vision.",
        ),
        (
            Some("Closure"),
            Some("closure"),
            "Umbilical fascia closed with 0 PDS. Skin closed with 4-0 Monocryl subcuticular. Local anaesthetic infiltrated to port sites.",
        ),
        (
            Some("Estimated Blood Loss"),
            Some("ebl"),
            "Minimal, less than 20 ml.",
        ),
        (
            Some("Post-operative Instructions"),
            Some("post_op"),
            "Day-case discharge if comfortable. Oral analgesia. Enoxaparin 40 mg once daily is not required. Follow-up with histology in six weeks.",
        ),
        (Some("Specimens"), None, "Gallbladder sent for histology."),
    ]);
    let findings = vec![finding(
        &d,
        "Enoxaparin 40 mg once daily is not required",
        0,
        FindingKind::Inconsistency,
        "Unclear instruction: is thromboprophylaxis required or not?",
        &[
            "No enoxaparin required",
            "Enoxaparin 40 mg once daily for 7 days",
        ],
    )];
    Case {
        template: "operative-note",
        draft: d,
        findings,
        expect: vec![
            "Riverside General Hospital",
            "22 November 2026",
            "Operative Note",
            "Patient: Mrs Margaret Ellison, DOB 17 October 1952, MRN RGH-3309145",
            "Procedure: Laparoscopic cholecystectomy (Elective)",
            "Surgeon: Mr David Achebe, Consultant General Surgeon",
            "Assistant: Dr Hannah Lowe, Core Surgical Trainee",
            "Anaesthetist: Dr Ruth Kimani",
            "Anaesthesia: General anaesthetic",
            "Mr David Achebe",
            "Dictated but not read",
        ],
        headings: vec![
            "Indication",
            "Findings",
            "Procedure",
            "Closure",
            "Estimated Blood Loss",
            "Post-operative Instructions",
            "Specimens",
        ],
    }
}

fn cases() -> Vec<Case> {
    vec![
        referral(),
        clinic(),
        discharge(),
        patient(),
        soap(),
        operative(),
    ]
}

/// The `<w:p>` element whose visible text is exactly `text`.
fn paragraph_with<'a>(doc: &'a str, text: &str) -> Option<&'a str> {
    doc.split("</w:p>").find(|p| xml_text(p).trim() == text)
}

fn check(case: &Case, out: &std::path::Path) -> PathBuf {
    let name = case.template;
    let t = load_template(&templates_dir(), name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let fields = fixture(name);
    let letter =
        render(&t, &fields, &case.draft, &case.findings).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        letter.unresolved().len(),
        case.findings.len(),
        "{name}: unresolved"
    );
    let (bytes, doc, comments) = docx_texts(&letter);
    let text = xml_text(&doc);
    assert!(
        !text.contains("{{") && !text.contains("{%") && !text.contains("}}"),
        "{name}: raw placeholder in\n{text}"
    );

    let mut at = 0;
    for e in &case.expect {
        let Some(i) = text[at..].find(e) else {
            panic!("{name}: {e:?} missing or out of order in\n{text}")
        };
        at += i + e.len();
    }
    let mut at = 0;
    for h in &case.headings {
        let Some(i) = text[at..].find(&format!("\n{h}\n")) else {
            panic!("{name}: heading {h:?} missing or out of order in\n{text}")
        };
        at += i + h.len();
        let p = paragraph_with(&doc, h).unwrap_or_default();
        assert!(
            p.contains(r#"<w:pStyle w:val="Heading2" />"#),
            "{name}: heading {h:?} not styled Heading2: {p}"
        );
    }
    // Every dictated paragraph is in the letter, word for word.
    for s in &case.draft.sections {
        for para in s.body.split("\n\n") {
            assert!(
                text.contains(para.trim()),
                "{name}: dictated text dropped: {para:?}"
            );
        }
    }
    // Each finding: a comment by medscribe holding message + suggestions, whose range
    // covers the queried text (or, for one outside the body, the reference line), highlighted.
    assert_eq!(
        comments.matches("<w:comment ").count(),
        case.findings.len(),
        "{name}: comments.xml:\n{comments}"
    );
    assert!(comments.contains(r#"w:author="medscribe""#));
    let ctext = xml_text(&comments);
    for (i, f) in case.findings.iter().enumerate() {
        assert!(
            ctext.contains(&f.message),
            "{name}: comment message {:?} missing",
            f.message
        );
        for s in &f.suggestions {
            assert!(
                ctext.contains(s.as_str()),
                "{name}: suggestion {s:?} missing"
            );
        }
        let id = i + 1;
        let start = doc.find(&format!(r#"<w:commentRangeStart w:id="{id}" />"#));
        let end = doc.find(&format!(r#"<w:commentRangeEnd w:id="{id}" />"#));
        let (Some(s), Some(e)) = (start, end) else {
            panic!("{name}: comment {id} not anchored")
        };
        assert!(s < e, "{name}: comment {id} range reversed");
        let range = &doc[s..e];
        let inside = xml_text(range);
        let body = letter
            .blocks
            .iter()
            .any(|b| b.kind == BlockKind::Body && b.text().contains(&f.text));
        let highlighted = range.contains(r#"<w:highlight w:val="yellow" />"#);
        if body {
            assert_eq!(
                inside.trim(),
                f.text,
                "{name}: comment {id} anchored on the wrong text"
            );
            assert!(highlighted, "{name}: comment {id} text not highlighted");
        } else {
            // Offsets outside the body: on the patient reference line, not highlighted.
            assert!(
                inside.starts_with("Re:") || inside.starts_with("Patient:"),
                "{name}: orphan comment {id} on {inside:?}"
            );
            assert!(!highlighted, "{name}: orphan comment {id} highlighted");
        }
    }
    // Real styles, footer with page fields.
    let styles = docx_part(&bytes, "word/styles.xml").unwrap_or_default();
    for s in [
        r#"w:styleId="Heading1""#,
        r#"w:styleId="Heading2""#,
        r#"w:styleId="Normal""#,
        r#"w:val="heading 1""#,
    ] {
        assert!(styles.contains(s), "{name}: styles.xml lacks {s}");
    }
    let footer = docx_part(&bytes, "word/footer1.xml").unwrap_or_default();
    assert!(
        footer.contains("PAGE")
            && footer.contains("NUMPAGES")
            && xml_text(&footer).contains("CONFIDENTIAL"),
        "{name}: footer: {footer}"
    );

    let header = docx_part(&bytes, "word/header1.xml").unwrap_or_default();
    assert!(
        xml_text(&header).contains(
            case.expect
                .iter()
                .find(|e| e.contains("DOB"))
                .map_or("", |e| e.split(", DOB").next().unwrap_or(""))
                .trim_start_matches("Re: ")
                .trim_start_matches("Patient: ")
        ),
        "{name}: continuation header: {header}"
    );

    let path = out.join(format!("{name}.docx"));
    write_atomic(&path, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    path
}

/// All templates: content checks, then one LibreOffice run converting every DOCX to PDF.
/// Set MEDSCRIBE_RENDER_DIR to keep the PDFs (docs/templates/*.png are made from them).
#[test]
fn every_template_renders_and_opens_in_libreoffice() {
    let tmp = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    let cases = cases();
    let docs: Vec<PathBuf> = cases.iter().map(|c| check(c, tmp.path())).collect();
    let pdfs = to_pdf(&docs, tmp.path());
    for (case, pdf) in cases.iter().zip(&pdfs) {
        let text = pdf_text(pdf);
        let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = squash(&text);
        assert!(
            text.contains("Page 1 of"),
            "{}: no page number in PDF:\n{text}",
            case.template
        );
        assert!(
            text.contains(&squash(case.expect[0])),
            "{}: PDF text lacks {:?}",
            case.template,
            case.expect[0]
        );
        if let Ok(dir) = std::env::var("MEDSCRIBE_RENDER_DIR") {
            let _ = std::fs::copy(
                pdf,
                PathBuf::from(dir).join(pdf.file_name().unwrap_or_default()),
            );
        }
    }
    let templates =
        crate::document::list_templates(&templates_dir()).unwrap_or_else(|e| panic!("{e}"));
    let names: Vec<&str> = templates.iter().map(|t| t.name.as_str()).collect();
    let tested: Vec<&str> = cases.iter().map(|c| c.template).collect();
    for n in names {
        assert!(tested.contains(&n), "template {n} has no test case");
    }
}
