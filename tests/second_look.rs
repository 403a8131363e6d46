//! The second look (`asr::second_look`, issue 15): readings of words forced through the
//! decoder on the same audio, with real speech from espeak-ng and the real tiny.en weights.
//! Proposing what Whisper wrote must score level with it (the decoder's context is rebuilt
//! exactly), a reading the audio does not hold must score far below, and the words and
//! times must be those of a transcription without the second look.

mod common;

use std::sync::Arc;

use common::*;
use medscribe::asr::{Options, Proposer, Transcriber};
use medscribe::audio;
use medscribe::transcript::{Proposal, Transcript, Word};

const SPEECH: &str = "Thank you for seeing this seventy year old man. On examination his pulse \
    was irregular and his abdomen was soft. A digital rectal examination was abnormal. I \
    have started bisoprolol and arranged an echocardiogram.";

fn plain(w: &str) -> String {
    w.chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn words(t: &Transcript) -> Vec<Word> {
    t.segments.iter().flat_map(|s| s.words.clone()).collect()
}

#[test]
fn written_words_score_level_and_readings_the_audio_lacks_score_far_below() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("dictation.wav");
    espeak(SPEECH, &wav);
    let samples = audio::load(&wav).expect("espeak wav").samples;
    let model = Transcriber::load_with(&tiny_en(), true).expect("tiny.en loads");
    let plain_opts = Options {
        threads: 2,
        ..Options::default()
    };
    let without = model
        .transcribe(&samples, &plain_opts)
        .expect("transcribes");

    // Every word of 5+ letters gets two readings: itself, and one nobody said.
    let proposer = Proposer(Arc::new(|ws: &[Word]| {
        let mut out = Vec::new();
        for (i, w) in ws.iter().enumerate() {
            let p = plain(&w.text);
            if p.len() >= 5 {
                for text in [p, "xylophone".to_string()] {
                    out.push(Proposal {
                        first: i,
                        words: 1,
                        text,
                    });
                }
            }
        }
        out
    }));
    let opts = Options {
        second_look: Some(proposer),
        ..plain_opts
    };
    let with = model.transcribe(&samples, &opts).expect("transcribes");

    let heard = words(&with);
    let strip = |ws: &[Word]| -> Vec<(String, f64, f64)> {
        ws.iter()
            .map(|w| (w.text.clone(), w.start, w.end))
            .collect()
    };
    assert_eq!(
        strip(&heard),
        strip(&words(&without)),
        "same words and times"
    );
    assert!(
        words(&without).iter().all(|w| w.alternatives.is_empty()),
        "no alternatives without the second look"
    );

    // Its own reading is tokenized the usual way; Whisper may have spelt a long word in
    // other pieces, which the decoder scores lower: most words, not all, score level.
    let (mut level, mut long) = (0, 0);
    for w in heard.iter().filter(|w| plain(&w.text).len() >= 5) {
        long += 1;
        let itself = w.alternatives.iter().find(|a| a.text == plain(&w.text));
        if itself.is_some_and(|a| a.margin.abs() < 0.25) {
            level += 1;
        }
        if let Some(x) = w.alternatives.iter().find(|a| a.text == "xylophone") {
            assert!(
                x.margin < -4.0,
                "{:?} heard as xylophone scored {}",
                w.text,
                x.margin
            );
        }
        assert!(
            w.alternatives
                .windows(2)
                .all(|p| p[0].margin >= p[1].margin),
            "best first"
        );
    }
    assert!(
        level * 10 >= long * 8,
        "{level} of {long} long words scored level with themselves"
    );
    assert!(long >= 12, "{long} long words heard");
}

#[test]
fn a_proposer_that_proposes_nothing_or_nonsense_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("short.wav");
    espeak(
        "The patient has atrial fibrillation and takes warfarin.",
        &wav,
    );
    let samples = audio::load(&wav).expect("espeak wav").samples;
    let model = Transcriber::load_with(&tiny_en(), true).expect("tiny.en loads");
    let base = Options {
        threads: 2,
        ..Options::default()
    };
    let without = model.transcribe(&samples, &base).expect("transcribes");
    // Out-of-range words, empty spans and empty text are ignored, not a failure.
    let odd = Proposer(Arc::new(|ws: &[Word]| {
        vec![
            Proposal {
                first: ws.len() + 3,
                words: 1,
                text: "warfarin".into(),
            },
            Proposal {
                first: 0,
                words: 0,
                text: "x".into(),
            },
            Proposal {
                first: 0,
                words: 1,
                text: String::new(),
            },
        ]
    }));
    let with = model
        .transcribe(
            &samples,
            &Options {
                second_look: Some(odd),
                ..base
            },
        )
        .expect("transcribes");
    assert_eq!(with.text, without.text);
}

/// End to end through `medscribe transcribe`: a dictation tiny.en mishears (on espeak-ng it
/// writes "irregular" as a word that is no word) gets `misheard` queries that point at a
/// word or two and say where to listen; `--no-second-look` leaves no alternatives on the
/// words. Which words tiny.en gets wrong depends on the voice, so the test asks for
/// queries of the right shape, not for particular words.
#[test]
fn a_misheard_dictation_gets_misheard_queries_with_times() {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("dictation.wav");
    espeak(
        "The patient has nocturia and an irregular pulse. Digital rectal examination was \
         abnormal. The xiphoid process and the pericardium were exposed with electrocautery.",
        &wav,
    );
    let wav_s = wav.to_str().unwrap();
    let o = run(&["transcribe", wav_s, "--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let t: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let duration = t["duration"].as_f64().expect("duration");
    let text = t["text"].as_str().expect("text");
    let misheard: Vec<&serde_json::Value> = t["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["kind"] == "misheard")
        .collect();
    assert!(!misheard.is_empty(), "no misheard query on: {text}");
    for f in &misheard {
        let span = f["text"].as_str().expect("span");
        assert!(span.split_whitespace().count() <= 2, "{f}");
        let time = f["time"].as_array().expect("a misheard query has a time");
        let (a, b) = (time[0].as_f64().unwrap(), time[1].as_f64().unwrap());
        assert!(0.0 <= a && a <= b && b <= duration + 0.01, "{f}");
        let message = f["message"].as_str().expect("message");
        assert!(message.contains("listen at 0:0"), "{message}");
    }
    let words_with_alternatives = |t: &serde_json::Value| {
        t["segments"]
            .as_array()
            .expect("segments")
            .iter()
            .flat_map(|s| s["words"].as_array().cloned().unwrap_or_default())
            .filter(|w| w.get("alternatives").is_some())
            .count()
    };
    let o = run(&["transcribe", wav_s, "--format", "json", "--no-second-look"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let plain: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(words_with_alternatives(&plain), 0);
    assert_eq!(
        plain["text"], t["text"],
        "the second look never changes the text"
    );
}
