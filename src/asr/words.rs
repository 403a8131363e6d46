//! Whisper tokens → words: a token that starts with a space (or follows punctuation-only
//! text at the start) begins a new word; a word's time spans its tokens and its confidence
//! is the lowest token probability in it, so one doubtful piece makes the word doubtful.

use crate::transcript::Word;

/// A decoded text token: raw bytes (may be part of a UTF-8 character), probability and
/// times in centiseconds relative to the chunk.
pub struct Token {
    pub bytes: Vec<u8>,
    pub p: f32,
    pub t0: i64,
    pub t1: i64,
}

pub fn group(tokens: &[Token], offset: f64) -> Vec<Word> {
    struct Acc {
        bytes: Vec<u8>,
        p: f32,
        t0: i64,
        t1: i64,
    }
    let mut words: Vec<Acc> = Vec::new();
    for t in tokens {
        let starts_word = t.bytes.first() == Some(&b' ') || words.is_empty();
        match words.last_mut() {
            Some(w) if !starts_word => {
                w.bytes.extend_from_slice(&t.bytes);
                w.p = w.p.min(t.p);
                w.t1 = w.t1.max(t.t1);
            }
            _ => words.push(Acc { bytes: t.bytes.clone(), p: t.p, t0: t.t0, t1: t.t1 }),
        }
    }
    words
        .into_iter()
        .filter_map(|w| {
            let text = String::from_utf8_lossy(&w.bytes).trim().to_string();
            (!text.is_empty()).then(|| Word {
                text,
                start: offset + w.t0.max(0) as f64 / 100.0,
                end: offset + w.t1.max(w.t0).max(0) as f64 / 100.0,
                confidence: w.p.clamp(0.0, 1.0),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(s: &str, p: f32, t0: i64, t1: i64) -> Token {
        Token { bytes: s.as_bytes().to_vec(), p, t0, t1 }
    }

    #[test]
    fn joins_subword_tokens_and_keeps_the_weakest_probability() {
        let w = group(
            &[tok(" met", 0.9, 0, 20), tok("formin", 0.4, 20, 50), tok(" 500", 0.95, 50, 80), tok(".", 0.99, 80, 81)],
            10.0,
        );
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].text, "metformin");
        assert!((w[0].confidence - 0.4).abs() < 1e-6);
        assert_eq!((w[0].start, w[0].end), (10.0, 10.5));
        assert_eq!(w[1].text, "500.");
    }

    #[test]
    fn split_utf8_bytes_are_rejoined() {
        let e = "é".as_bytes();
        let w = group(&[Token { bytes: vec![b' ', e[0]], p: 0.9, t0: 0, t1: 1 }, Token { bytes: vec![e[1]], p: 0.9, t0: 1, t1: 2 }], 0.0);
        assert_eq!(w[0].text, "é");
    }
}
