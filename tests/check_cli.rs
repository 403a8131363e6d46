//! `medscribe check`: text and JSON output per DESIGN.md, stdin, bad input.

mod common;

use common::*;
use std::io::Write;
use std::process::Stdio;

fn check_stdin(text: &str, args: &[&str]) -> std::process::Output {
    let mut child = medscribe()
        .arg("check")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn json_findings_follow_the_contract() {
    let text = "Continue Celexa 200 mg daily for osteoarthritis pain. Digoxin 0.125 mg QD.";
    let o = check_stdin(text, &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = v["findings"].as_array().unwrap();
    let kinds: Vec<&str> = f.iter().map(|x| x["kind"].as_str().unwrap()).collect();
    for k in ["sound_alike", "dose_range", "abbreviation"] {
        assert!(kinds.contains(&k), "{kinds:?}");
    }
    let chars: Vec<char> = text.chars().collect();
    for x in f {
        for key in [
            "kind",
            "severity",
            "text",
            "start",
            "end",
            "message",
            "suggestions",
            "time",
        ] {
            assert!(x.get(key).is_some(), "finding lacks {key}: {x}");
        }
        let (s, e) = (
            x["start"].as_u64().unwrap() as usize,
            x["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            chars[s..e].iter().collect::<String>(),
            x["text"].as_str().unwrap()
        );
    }
}

#[test]
fn text_mode_marks_queries_and_clean_text_says_so() {
    let o = check_stdin("Start hydralazine 25 mg at night for his itching.", &[]);
    let out = stdout(&o);
    assert!(out.contains("«hydralazine»[1]"), "{out}");
    assert!(out.contains("Hydroxyzine"), "{out}");
    let o = check_stdin("Continue ramipril 5 mg daily. Review in six months.", &[]);
    assert!(stdout(&o).contains("No queries."), "{}", stdout(&o));
}

#[test]
fn invalid_utf8_and_missing_files_are_one_line_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, [b'a', 0xff, b'b']).unwrap();
    assert_one_line_error(
        &run(&["check", bad.to_str().unwrap()]),
        &["bad.txt", "not UTF-8"],
    );
    assert_one_line_error(&run(&["check", "/nonexistent/notes.txt"]), &["notes.txt"]);
    // The reason is said once, not once per layer of the error.
    let o = run(&["transcribe", "/nonexistent/dictation.wav"]);
    assert_one_line_error(&o, &["dictation.wav", "cannot read", "No such file"]);
    assert_eq!(
        stderr(&o).matches("No such file").count(),
        1,
        "{}",
        stderr(&o)
    );
}
