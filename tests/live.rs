//! Transcription as the audio arrives (`asr::Stream`, what `medscribe record` runs while the
//! author talks) against the whole file, with real speech from espeak-ng and the real tiny.en
//! weights: the same words at the same times, and word times on the recording's own clock
//! after a long pause was packed out of the encoder's window.

mod common;

use std::path::Path;

use common::*;
use medscribe::asr::{Options, Transcriber};
use medscribe::audio;
use medscribe::transcript::Transcript;

const BEFORE: &str = "Thank you for referring this sixty two year old man with central chest \
    pain on exertion for the last three months. He has a history of hypertension and type two \
    diabetes, and he smoked twenty cigarettes a day until last year.";
const AFTER: &str = "Examination today showed a regular pulse of seventy two and a blood \
    pressure of one hundred and forty over eighty five. Heart sounds were normal and the chest \
    was clear. I have arranged an exercise tolerance test and an echocardiogram, and started \
    aspirin seventy five milligrams daily.";
const PAUSE_S: f64 = 8.0;

/// BEFORE, eight seconds of silence (the author thinking), then AFTER, at 16 kHz; and where
/// AFTER starts in the recording.
fn dictation(dir: &Path) -> (Vec<f32>, f64) {
    let path = dir.join("dictation.wav");
    espeak_with_pauses(&[BEFORE, AFTER], PAUSE_S, &path);
    let before = audio::load(&dir.join("dictation-part0.wav"))
        .expect("first part")
        .samples
        .len();
    let all = audio::load(&path).expect("dictation.wav");
    (all.samples, before as f64 / 16_000.0 + PAUSE_S)
}

fn timed_words(t: &Transcript) -> Vec<(String, f64, f64)> {
    t.segments
        .iter()
        .flat_map(|s| &s.words)
        .map(|w| (w.text.clone(), w.start, w.end))
        .collect()
}

#[test]
fn pushed_in_blocks_gives_the_words_and_times_of_the_whole_file() {
    let dir = tempfile::tempdir().unwrap();
    let (samples, after_starts) = dictation(dir.path());
    assert!(
        samples.len() as f64 / 16_000.0 - PAUSE_S > 32.0,
        "more speech than one window holds"
    );
    let model = Transcriber::load_with(&tiny_en(), true).expect("tiny.en loads");
    let opts = Options {
        threads: 2,
        pack_speech: true,
        ..Options::default()
    };
    let whole = model.transcribe(&samples, &opts).expect("whole file");

    let mut stream = model.stream(&opts).expect("stream");
    let mut decoded_while_arriving = false;
    for block in samples.chunks(4_410) {
        stream.push(block).expect("push");
        decoded_while_arriving |= !stream.segments().is_empty();
    }
    assert!(
        decoded_while_arriving,
        "the first window is decoded before the audio ends"
    );
    assert!(stream.pending_seconds() < 30.0, "only the tail is left");
    let live = stream.finish().expect("finish");

    assert_eq!(live.text, whole.text);
    assert_eq!(timed_words(&live), timed_words(&whole));
    assert_eq!(live.duration, whole.duration);
    let text = whole.text.to_lowercase();
    for needle in [
        "hypertension",
        "cigarettes",
        "heart sounds",
        "echocardiogram",
    ] {
        assert!(text.contains(needle), "{needle:?} not in {text:?}");
    }

    // The pause was packed out of the encoder's window, but words are timed where they are
    // in the recording: none inside the pause, and "today" (the second word after it) within
    // two seconds of where the second part starts.
    let words = timed_words(&whole);
    let pause = (after_starts - PAUSE_S + 0.3)..(after_starts - 0.3);
    let inside: Vec<_> = words
        .iter()
        .filter(|w| pause.contains(&w.1) || pause.contains(&w.2))
        .collect();
    assert!(
        inside.is_empty(),
        "words timed inside the pause {pause:?}: {inside:?}"
    );
    let today = words
        .iter()
        .find(|w| w.0.to_lowercase().starts_with("today"))
        .expect("\"today\" heard");
    assert!(
        (after_starts..after_starts + 2.0).contains(&today.1),
        "\"today\" at {:.2} s, the second part starts at {after_starts:.2} s",
        today.1
    );
}

/// With windows decoded in pairs (two at once, both prompted with the text before the pair),
/// a stream still gives the whole file's words: it prompts each window the same way.
#[test]
fn paired_windows_give_the_same_words_live_and_from_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (samples, _) = dictation(dir.path());
    let model = Transcriber::load_with(&tiny_en(), true).expect("tiny.en loads");
    let opts = Options {
        threads: 2,
        paired_windows: true,
        ..Options::default()
    };
    let whole = model.transcribe(&samples, &opts).expect("whole file");
    let mut stream = model.stream(&opts).expect("stream");
    for block in samples.chunks(16_000) {
        stream.push(block).expect("push");
    }
    let live = stream.finish().expect("finish");
    assert_eq!(timed_words(&live), timed_words(&whole));
    let sequential = model
        .transcribe(
            &samples,
            &Options {
                threads: 2,
                ..Options::default()
            },
        )
        .expect("one window after another");
    assert!(
        whole.text.to_lowercase().contains("echocardiogram"),
        "{}",
        whole.text
    );
    // Two windows here: the second is prompted without the first's words, so the text may
    // differ from the sequential decode, but not by much.
    let (a, b) = (words(&whole.text), words(&sequential.text));
    let shared = a.iter().filter(|w| b.contains(w)).count();
    assert!(shared * 10 >= a.len() * 8, "{a:?} vs {b:?}");
}

fn words(t: &str) -> Vec<String> {
    t.split_whitespace().map(|w| w.to_lowercase()).collect()
}
