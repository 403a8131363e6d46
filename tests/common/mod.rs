//! Shared helpers for the integration tests: run the real binary, make real speech.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod pg;
pub mod server;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The installed default model (make test fetches it first).
pub fn tiny_en() -> PathBuf {
    let p = root().join("models/tiny.en.bin");
    assert!(
        p.is_file(),
        "models/tiny.en.bin missing: run `make test` (it fetches the model)"
    );
    p
}

/// The real binary, run from the source tree, transcribing with tiny.en whatever the
/// installed default model is (`medscribe models default ...` must break no test).
pub fn medscribe() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_medscribe"));
    c.current_dir(root()).env("MEDSCRIBE_MODEL", "tiny.en");
    c
}

pub fn run(args: &[&str]) -> Output {
    medscribe().args(args).output().expect("run medscribe")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Speak `text` with espeak-ng into a 16-bit WAV at `path` (22.05 kHz, as espeak makes it).
pub fn espeak(text: &str, path: &Path) {
    let st = Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "150", "-w"])
        .arg(path)
        .arg(text)
        .status()
        .expect("espeak-ng is installed by make test");
    assert!(st.success());
}

/// Speak `parts` with espeak-ng into one WAV at `out` (22.05 kHz mono), with `pause_s`
/// seconds of digital silence between them: an author who stops to think.
pub fn espeak_with_pauses(parts: &[&str], pause_s: f64, out: &Path) {
    let dir = out.parent().unwrap_or(Path::new("."));
    let stem = out
        .file_stem()
        .map_or("speech".into(), |s| s.to_string_lossy().to_string());
    let silence = dir.join(format!("{stem}-pause.wav"));
    let (pause, silence_s) = (pause_s.to_string(), silence.display().to_string());
    sox(&[
        "-n", "-r", "22050", "-c", "1", "-b", "16", &silence_s, "trim", "0", &pause,
    ]);
    let mut args: Vec<String> = Vec::new();
    for (i, text) in parts.iter().enumerate() {
        let part = dir.join(format!("{stem}-part{i}.wav"));
        espeak(text, &part);
        if i > 0 {
            args.push(silence_s.clone());
        }
        args.push(part.display().to_string());
    }
    args.push(out.display().to_string());
    sox(&args.iter().map(String::as_str).collect::<Vec<_>>());
}

/// Run sox with the given arguments, asserting success.
pub fn sox(args: &[&str]) {
    let st = Command::new("sox")
        .args(args)
        .status()
        .expect("sox is installed by make test");
    assert!(st.success(), "sox {args:?}");
}

/// Assert the command failed with exactly one error line (progress lines may precede it)
/// that contains each needle, and no panic.
pub fn assert_one_line_error(o: &Output, needles: &[&str]) {
    assert!(
        !o.status.success(),
        "expected failure, got success: {}",
        stdout(o)
    );
    let err = stderr(o);
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "panic: {err}"
    );
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("medscribe: error:"))
        .collect();
    assert_eq!(lines.len(), 1, "expected one error line, got: {err}");
    for n in needles {
        assert!(
            lines[0].contains(n),
            "error line {:?} lacks {n:?}",
            lines[0]
        );
    }
}

/// Lower-cased words of a text, punctuation stripped.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '/' && c != '.')
        .map(|w| w.trim_matches('.').to_lowercase())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Text of a DOCX as LibreOffice reads it (converted to plain text).
pub fn libreoffice_text(docx: &Path) -> String {
    let out = docx.parent().unwrap();
    let st = Command::new("soffice")
        .args(["--headless", "--convert-to", "txt:Text", "--outdir"])
        .arg(out)
        .arg(docx)
        .env("HOME", out)
        .output()
        .expect("LibreOffice (soffice) is installed by make test");
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    std::fs::read_to_string(docx.with_extension("txt")).expect("LibreOffice wrote the text")
}
