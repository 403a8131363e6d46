//! Clarification-check speed: a 2,000-word letter (real MTSamples report text from
//! tests/fixtures, with planted problems) checked end to end. Target: under 50 ms.
//!   cargo bench --bench check

use std::time::Instant;

use medscribe::check;
use medscribe::vocab::Vocab;

fn main() -> anyhow::Result<()> {
    let refs = include_str!("../tests/fixtures/mtsamples_references.jsonl");
    let mut text = String::new();
    for line in refs.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line)?;
        if let Some(t) = v["reference"].as_str().or_else(|| v["text"].as_str()) {
            text.push_str(t);
            text.push_str("\n\n");
        }
        if text.split_whitespace().count() >= 1_900 {
            break;
        }
    }
    text.push_str(
        "Start hydralazine 25 mg at night for his itching. Heparin 5000 U QD. Simvastatin 4 grams.",
    );
    let words = text.split_whitespace().count();
    let t = Instant::now();
    let vocab = Vocab::bundled()?;
    let load = t.elapsed();
    let first = Instant::now();
    let n = check::check_text(&text, &vocab).len();
    let first = first.elapsed();
    let runs = 20;
    let t = Instant::now();
    for _ in 0..runs {
        std::hint::black_box(check::check_text(std::hint::black_box(&text), &vocab));
    }
    let per = t.elapsed() / runs;
    println!(
        "check: {words} words, {n} findings; vocabulary load {:.1} ms; first check {:.1} ms; \
         warm check {:.1} ms (mean of {runs}); target < 50 ms",
        load.as_secs_f64() * 1e3,
        first.as_secs_f64() * 1e3,
        per.as_secs_f64() * 1e3
    );
    Ok(())
}
