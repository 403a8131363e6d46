//! An installed medscribe (the layout `make install` makes: PREFIX/bin/medscribe,
//! PREFIX/share/medscribe/{templates,models}) works outside the source tree.

mod common;

use std::process::Command;

#[test]
fn an_installed_binary_finds_its_templates_and_models_outside_the_source_tree() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = tmp.path().join("prefix");
    let share = prefix.join("share/medscribe");
    std::fs::create_dir_all(prefix.join("bin")).unwrap();
    std::fs::create_dir_all(share.join("templates")).unwrap();
    std::fs::create_dir_all(share.join("models")).unwrap();
    let bin = prefix.join("bin/medscribe");
    std::fs::copy(env!("CARGO_BIN_EXE_medscribe"), &bin).unwrap();
    for e in std::fs::read_dir(common::root().join("templates")).unwrap() {
        let e = e.unwrap();
        if e.path().is_file() {
            std::fs::copy(e.path(), share.join("templates").join(e.file_name())).unwrap();
        }
    }
    std::os::unix::fs::symlink(common::tiny_en(), share.join("models/tiny.en.bin")).unwrap();
    let home = tmp.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let run = |args: &[&str]| {
        Command::new(&bin)
            .args(args)
            .current_dir(&home)
            .env("HOME", &home)
            .env_remove("MEDSCRIBE_HOME")
            .env_remove("MEDSCRIBE_MODELS")
            .env_remove("XDG_DATA_HOME")
            .output()
            .unwrap()
    };
    let o = run(&["templates"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(common::stdout(&o).contains("referral-letter"));
    let o = run(&["models", "list"]);
    assert!(
        common::stdout(&o).contains("tiny.en"),
        "{}",
        common::stdout(&o)
    );
    let wav = tmp.path().join("d.wav");
    common::espeak(
        "The patient was seen in the clinic today with chest pain.",
        &wav,
    );
    let o = run(&["transcribe", wav.to_str().unwrap(), "--model", "tiny.en"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let text = common::stdout(&o).to_lowercase();
    assert!(text.contains("clinic") && text.contains("chest"), "{text}");
    // The service's data goes to the user's data directory by default.
    let o = run(&["users", "add", "admin", "--role", "admin"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(home.join(".local/share/medscribe/medscribe.db").is_file());
}
