//! Vocabulary loading tests: bundled lists, user directories, malformed lines, prompt terms.

use super::*;

fn tmpdir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("medscribe-vocab-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}

#[test]
fn bundled_lists_load_with_enough_data() {
    let v = Vocab::bundled().expect("bundled vocabulary loads");
    assert!(v.doses.len() >= 200, "{} dose lines", v.doses.len());
    assert!(v.sound_alike.len() >= 80, "{} pairs", v.sound_alike.len());
    assert!(v.english.len() > 50_000);
    assert!(v.medical.len() > 19_000);
    assert!(v.index.is_known("metformin") && v.index.is_known("oesophageal"));
    assert!(!v.index.is_known("foremanx"));
    // Every file in vocab/specialty/ is bundled (a new list cannot be forgotten).
    let mut on_disk: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/vocab/specialty"))
            .expect("vocab/specialty is readable")
            .filter_map(Result::ok)
            .filter_map(|e| {
                e.file_name()
                    .to_str()?
                    .strip_suffix(".txt")
                    .map(str::to_string)
            })
            .collect();
    on_disk.sort();
    assert_eq!(v.specialties(), on_disk);
    assert!(v.specialties().len() >= 20);
    for (name, list) in &v.specialty {
        assert!(list.len() >= 140, "{name}: {}", list.len());
    }
}

#[test]
fn prompt_terms_mix_specialty_and_general() {
    let v = Vocab::bundled().expect("loads");
    let t = v.prompt_terms(&["urology"], 40);
    assert_eq!(t.len(), 40);
    assert!(t.iter().any(|x| x == "haematuria"));
    assert!(
        t.iter().any(|x| x == "hypertension"),
        "general always included"
    );
    let mut dedup = t.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), t.len());
    assert_eq!(v.prompt_terms(&["nonexistent"], 3).len(), 3);
    assert!(v.prompt_terms(&["cardiology"], 0).is_empty());
}

/// The error a practice's list `file` with `contents` gives on loading; the file is emptied
/// again afterwards so the next case stands alone.
fn user_list_error(d: &std::path::Path, file: &str, contents: &[u8]) -> String {
    std::fs::write(d.join(file), contents).expect("write");
    let msg = Vocab::bundled()
        .expect("loads")
        .with_user_dir(d)
        .expect_err("a malformed list must fail")
        .to_string();
    std::fs::write(d.join(file), "").expect("write");
    msg
}

#[test]
fn malformed_line_names_file_and_line() {
    let d = tmpdir("bad");
    let msg = user_list_error(
        &d,
        "doses.tsv",
        b"# comment\ndrug\troute\tunit\tmin_single\tmax_single\tmax_daily\taliases\tsource\n\
          newdrug\toral\tmg\t1\t10\t20\t\tlocal\nbaddrug\toral\tmg\tten\t10\t20\t\tlocal\n",
    );
    assert!(msg.contains("doses.tsv") && msg.contains("line 4"), "{msg}");
    assert!(msg.contains("min_single"), "{msg}");

    let msg = user_list_error(&d, "doses.tsv", b"x\toral\tmg\t1\n");
    assert!(
        msg.contains("line 1") && msg.contains("8 TAB-separated columns"),
        "{msg}"
    );

    let msg = user_list_error(&d, "abbreviations.tsv", b"XYZ\tsometimes\tp\tq\ts\n");
    assert!(
        msg.contains("abbreviations.tsv, line 1") && msg.contains("rule"),
        "{msg}"
    );

    let msg = user_list_error(
        &d,
        "laterality.tsv",
        b"word\tpart\nelbow\telbow\nknee cap\tknee\n",
    );
    assert!(
        msg.contains("laterality.tsv, line 3") && msg.contains("one word"),
        "{msg}"
    );

    let msg = user_list_error(&d, "never_query.txt", &[0xff, 0xfe, b'a']);
    assert!(
        msg.contains("never_query.txt") && msg.contains("UTF-8"),
        "{msg}"
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn user_dir_extends_lists() {
    let d = tmpdir("good");
    std::fs::write(
        d.join("doses.tsv"),
        "zorbicillin\toral\tmg\t10\t100\t300\tzorbex\tpractice formulary\n\
         metformin\toral\tmg\t250\t1000\t3000\t\tpractice formulary\n",
    )
    .expect("write");
    std::fs::write(d.join("never_query.txt"), "# local names\nkwazulu\n").expect("write");
    std::fs::create_dir_all(d.join("specialty")).expect("mkdir");
    std::fs::write(
        d.join("specialty/dermatology.txt"),
        "psoriasis\nmethotrexate\n",
    )
    .expect("w");
    let v = Vocab::bundled()
        .expect("loads")
        .with_user_dir(&d)
        .expect("user dir merges");
    assert!(v.index.drugs.contains_key("zorbex"));
    let metformin: Vec<_> = v.doses.iter().filter(|r| r.drug == "metformin").collect();
    assert_eq!(metformin.len(), 1);
    assert_eq!(metformin[0].max_daily, 3000.0);
    assert!(v.index.is_known("kwazulu"));
    assert!(v.specialties().contains(&"dermatology".to_string()));
    assert_eq!(v.prompt_terms(&["dermatology"], 1), ["psoriasis"]);
    // A missing directory just adds nothing.
    let v2 = Vocab::bundled()
        .expect("loads")
        .with_user_dir(&d.join("nope"))
        .expect("ok");
    assert_eq!(v2.doses.len(), Vocab::bundled().expect("loads").doses.len());
    let _ = std::fs::remove_dir_all(&d);
}
