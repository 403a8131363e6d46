//! Eval-set benchmark: transcribe every dictation of shared/eval with one model loaded
//! once, write the hypotheses for score.sh, and print one JSON line of measurements
//! (model load seconds, audio seconds, wall seconds, real-time factor, peak RSS).
//!
//!   cargo bench --bench eval -- EVAL_DIR OUT.jsonl [--model NAME] [--raw] [--prime]
//!                               [--vocab a,b] [--terms N] [--threads N] [--dtw|--no-dtw]
//!                               [--no-fallback] [--no-token-ts] [--carry|--no-carry] [--fit]
//!                               [--chunk SECONDS] [--pack] [--pairs]
//! scripts/bench.sh runs it beside the faster-whisper peer and writes docs/benchmarks.md.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use medscribe::asr::Transcriber;
use medscribe::pipeline::{self, Settings};
use medscribe::{audio, model, vocab::Vocab};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_string)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let [eval, out, rest @ ..] = args.as_slice() else {
        anyhow::bail!(
            "usage: eval EVAL_DIR OUT.jsonl [options]; the options are listed in benches/eval.rs"
        );
    };
    let mut settings = Settings::default();
    let (mut model_name, mut raw, mut dtw) = (None, false, None);
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--model" => model_name = it.next().cloned(),
            "--raw" => raw = true,
            "--prime" => settings.prime = true,
            "--vocab" => {
                settings.prime = true;
                settings.specialties = it
                    .next()
                    .map(|v| v.split(',').map(str::to_string).collect())
                    .unwrap_or_default()
            }
            "--terms" => {
                settings.prompt_terms = it.next().and_then(|v| v.parse().ok()).unwrap_or(24)
            }
            "--threads" => {
                settings.asr.threads = it.next().and_then(|v| v.parse().ok()).unwrap_or(2)
            }
            "--no-dtw" => dtw = Some(false),
            "--dtw" => dtw = Some(true),
            "--carry" => settings.asr.carry_context = true,
            "--no-fallback" => settings.asr.temperature_fallback = false,
            "--no-token-ts" => settings.asr.token_timestamps = false,
            "--no-carry" => settings.asr.carry_context = false,
            "--fit" => settings.asr.fit_encoder = true,
            "--pack" => settings.asr.pack_speech = true,
            "--pairs" => settings.asr.paired_windows = true,
            "--chunk" => {
                settings.asr.chunk_seconds = it.next().and_then(|v| v.parse().ok()).unwrap_or(28.0)
            }
            other => anyhow::bail!("unknown option {other}"),
        }
    }
    let vocab = Vocab::bundled()?;
    let path = model::resolve(&model::models_dir(), model_name.as_deref())?;
    let t = Instant::now();
    // As the CLI does: DTW word times only when a prompt will be used.
    let dtw = dtw.unwrap_or(settings.needs_word_alignment());
    let transcriber = Transcriber::load_with(&path, dtw)?;
    let load_s = t.elapsed().as_secs_f64();
    let eval = PathBuf::from(eval);
    let list = std::fs::read_to_string(eval.join("dictations.jsonl"))
        .context("reading dictations.jsonl")?;
    let mut out_f = std::fs::File::create(out)?;
    let (mut audio_s, mut wall_s) = (0.0, 0.0);
    for line in list.lines().filter(|l| !l.trim().is_empty()) {
        let d: serde_json::Value = serde_json::from_str(line)?;
        let id = d["id"].as_str().context("id")?;
        let file = eval.join(d["audio"].as_str().context("audio")?);
        let t = Instant::now();
        let text = if raw {
            let a = audio::load(&file)?;
            let opts = pipeline::asr_options(&vocab, &settings);
            transcriber.transcribe(&a.samples, &opts)?.text
        } else {
            pipeline::transcribe_file(&file, &transcriber, &vocab, &settings)?
                .transcript
                .text
        };
        wall_s += t.elapsed().as_secs_f64();
        audio_s += d["seconds"].as_f64().unwrap_or(0.0);
        writeln!(out_f, "{}", serde_json::json!({"id": id, "text": text}))?;
    }
    println!(
        "{}",
        serde_json::json!({
            "model": transcriber.name(), "threads": settings.asr.threads, "prime": settings.prime,
            "raw": raw, "dtw": dtw, "fallback": settings.asr.temperature_fallback,
            "token_ts": settings.asr.token_timestamps, "carry": settings.asr.carry_context,
            "fit": settings.asr.fit_encoder, "chunk": settings.asr.chunk_seconds,
            "pack": settings.asr.pack_speech,
            "pairs": settings.asr.paired_windows,
            "load_s": load_s, "audio_s": audio_s, "wall_s": wall_s,
            "rtf": wall_s / audio_s.max(1e-9), "peak_rss_mb": peak_rss_mb(),
        })
    );
    Ok(())
}
