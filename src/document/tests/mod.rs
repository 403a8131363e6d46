//! Tests for the document stage: drafts built by hand with realistic clinical content,
//! field data from `tests/fixtures/letters/`, DOCX opened by LibreOffice and read back.
//! Helpers here never skip a check: a missing `soffice` fails the test.

mod errors;
mod layout;
mod templates;

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::check::{Finding, FindingKind, Severity};
use crate::dictation::{Draft, Section};

use super::{Fields, Letter};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn templates_dir() -> PathBuf {
    root().join("templates")
}

pub fn fixture(name: &str) -> Fields {
    let path = root()
        .join("tests/fixtures/letters")
        .join(format!("{name}.toml"));
    match Fields::from_file(&path) {
        Ok(f) => f,
        Err(e) => panic!("fixture {name}: {e}"),
    }
}

/// Builds a Draft the way the dictation stage lays it out: "Heading:\n\nbody" blocks
/// separated by blank lines, each section's start/end the char offsets of its body.
pub fn draft(parts: &[(Option<&str>, Option<&str>, &str)]) -> Draft {
    let mut text = String::new();
    let mut sections = Vec::new();
    for (heading, key, body) in parts {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        if let Some(h) = heading {
            text.push_str(h);
            text.push_str(":\n\n");
        }
        let start = text.chars().count();
        text.push_str(body);
        sections.push(Section {
            heading: heading.map(str::to_string),
            key: key.map(str::to_string),
            body: body.to_string(),
            start,
            end: text.chars().count(),
        });
    }
    Draft { text, sections }
}

/// A finding on the `nth` occurrence (0-based) of `needle` in the draft text.
pub fn finding(
    d: &Draft,
    needle: &str,
    nth: usize,
    kind: FindingKind,
    msg: &str,
    sugg: &[&str],
) -> Finding {
    let Some((byte, _)) = d.text.match_indices(needle).nth(nth) else {
        panic!("{needle:?} not in draft");
    };
    let start = d.text[..byte].chars().count();
    Finding {
        kind,
        severity: Severity::High,
        text: needle.to_string(),
        start,
        end: start + needle.chars().count(),
        message: msg.to_string(),
        suggestions: sugg.iter().map(|s| s.to_string()).collect(),
        time: Some([12.5, 13.1]),
        field: None,
    }
}

/// Reads one part of a DOCX (zip) as a string.
pub fn docx_part(bytes: &[u8], name: &str) -> Option<String> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut file = zip.by_name(name).ok()?;
    let mut s = String::new();
    file.read_to_string(&mut s).ok()?;
    Some(s)
}

/// The visible text of a WordprocessingML part: `<w:t>` contents, unescaped, with
/// paragraph ends as newlines.
pub fn xml_text(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        let Some(j) = rest[i..].find('>') else { break };
        let tag = &rest[i + 1..i + j];
        rest = &rest[i + j + 1..];
        if tag == "w:t" || tag.starts_with("w:t ") {
            let end = rest.find("</w:t>").unwrap_or(rest.len());
            out.push_str(&unescape(&rest[..end]));
        } else if tag == "/w:p" || tag.starts_with("w:br") {
            out.push('\n');
        }
    }
    out
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Converts DOCX files to PDF with LibreOffice (one process for all) and returns the PDFs.
pub fn to_pdf(docx: &[PathBuf], outdir: &Path) -> Vec<PathBuf> {
    let profile = outdir.join("lo-profile");
    let status = Command::new("soffice")
        .arg(format!(
            "-env:UserInstallation=file://{}",
            profile.display()
        ))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(outdir)
        .args(docx)
        .output();
    let out = match status {
        Ok(o) => o,
        Err(e) => panic!("soffice (LibreOffice) is needed to check DOCX output: {e}"),
    };
    assert!(
        out.status.success(),
        "soffice failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    docx.iter()
        .map(|d| {
            let pdf = outdir.join(d.with_extension("pdf").file_name().unwrap_or_default());
            assert!(
                pdf.is_file(),
                "LibreOffice did not produce {}: {}",
                pdf.display(),
                String::from_utf8_lossy(&out.stdout)
            );
            pdf
        })
        .collect()
}

pub fn pdf_text(pdf: &Path) -> String {
    let out = match Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
    {
        Ok(o) => o,
        Err(e) => panic!("pdftotext (poppler-utils) is needed: {e}"),
    };
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Renders a letter, writes it, and returns (docx bytes, document text, comments text).
pub fn docx_texts(letter: &Letter) -> (Vec<u8>, String, String) {
    let bytes = match letter.to_docx_bytes() {
        Ok(b) => b,
        Err(e) => panic!("docx: {e}"),
    };
    let doc = docx_part(&bytes, "word/document.xml").unwrap_or_default();
    let comments = docx_part(&bytes, "word/comments.xml").unwrap_or_default();
    (bytes.clone(), doc, comments)
}
