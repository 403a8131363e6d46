//! Whisper tokens → words: a token that starts with a space (or follows punctuation-only
//! text at the start) begins a new word; a word's time spans its tokens and its confidence
//! is the lowest token probability in it, so one doubtful piece makes the word doubtful.
//! Times come from DTW alignment when whisper.cpp computed it (`t_dtw` ≥ 0), else from the
//! timestamp-token estimates, and are kept inside the chunk.

use crate::transcript::Word;

/// A decoded text token: raw bytes (may be part of a UTF-8 character), probability and
/// times in centiseconds relative to the chunk.
pub struct Token {
    pub bytes: Vec<u8>,
    pub p: f32,
    pub t0: i64,
    pub t1: i64,
    /// DTW-aligned time, or -1 when not computed.
    pub t_dtw: i64,
    /// Where the token is in everything the window decoded.
    pub seq: usize,
}

/// The tokens as words, each with the range of `Token::seq` it spans.
pub fn group(tokens: &[Token], offset: f64, chunk_end: f64) -> Vec<(Word, (usize, usize))> {
    struct Acc {
        bytes: Vec<u8>,
        p: f32,
        t0: i64,
        t1: i64,
        seq: (usize, usize),
    }
    let mut words: Vec<Acc> = Vec::new();
    let use_dtw = !tokens.is_empty() && tokens.iter().all(|t| t.t_dtw >= 0);
    for t in tokens {
        let (t0, t1) = if use_dtw {
            (t.t_dtw, t.t_dtw)
        } else {
            (t.t0, t.t1)
        };
        let starts_word = t.bytes.first() == Some(&b' ') || words.is_empty();
        match words.last_mut() {
            Some(w) if !starts_word => {
                w.bytes.extend_from_slice(&t.bytes);
                w.p = w.p.min(t.p);
                w.t1 = w.t1.max(t1);
                w.seq.1 = t.seq + 1;
            }
            _ => words.push(Acc {
                bytes: t.bytes.clone(),
                p: t.p,
                t0,
                t1,
                seq: (t.seq, t.seq + 1),
            }),
        }
    }
    // A DTW time marks where a word is; let each word run on to where the next begins.
    if use_dtw {
        for i in 0..words.len().saturating_sub(1) {
            let next = words[i + 1].t0;
            if next > words[i].t1 {
                words[i].t1 = next;
            }
        }
    }
    let secs = |cs: i64| (offset + cs.max(0) as f64 / 100.0).min(chunk_end);
    words
        .into_iter()
        .filter_map(|w| {
            let text = String::from_utf8_lossy(&w.bytes).trim().to_string();
            (!text.is_empty()).then(|| {
                let word = Word {
                    text,
                    start: secs(w.t0),
                    end: secs(w.t1.max(w.t0)),
                    confidence: w.p.clamp(0.0, 1.0),
                    alternatives: Vec::new(),
                };
                (word, w.seq)
            })
        })
        .collect()
}

/// Timed words as sentence-sized segments: a segment ends after a word that ends a
/// sentence (. ? !), and its times are its first word's start and last word's end.
pub fn sentences(words: Vec<crate::transcript::Word>) -> Vec<crate::transcript::Segment> {
    let mut out = Vec::new();
    let mut cur: Vec<crate::transcript::Word> = Vec::new();
    let n = words.len();
    for (i, w) in words.into_iter().enumerate() {
        let ends = w.text.trim_end().ends_with(['.', '?', '!']);
        cur.push(w);
        if ends || i + 1 == n {
            let text = cur
                .iter()
                .map(|w| w.text.trim())
                .collect::<Vec<_>>()
                .join(" ");
            let start = cur.first().map(|w| w.start).unwrap_or(0.0);
            let end = cur.last().map(|w| w.end).unwrap_or(start).max(start);
            out.push(crate::transcript::Segment {
                start,
                end,
                text,
                words: std::mem::take(&mut cur),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(s: &str, p: f32, t0: i64, t1: i64) -> Token {
        Token {
            bytes: s.as_bytes().to_vec(),
            p,
            t0,
            t1,
            t_dtw: -1,
            seq: 0,
        }
    }

    fn words(tokens: &[Token], offset: f64, end: f64) -> Vec<Word> {
        group(tokens, offset, end)
            .into_iter()
            .map(|(w, _)| w)
            .collect()
    }

    #[test]
    fn joins_subword_tokens_and_keeps_the_weakest_probability() {
        let w = words(
            &[
                tok(" met", 0.9, 0, 20),
                tok("formin", 0.4, 20, 50),
                tok(" 500", 0.95, 50, 80),
                tok(".", 0.99, 80, 81),
            ],
            10.0,
            60.0,
        );
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].text, "metformin");
        assert!((w[0].confidence - 0.4).abs() < 1e-6);
        assert_eq!((w[0].start, w[0].end), (10.0, 10.5));
        assert_eq!(w[1].text, "500.");
    }

    #[test]
    fn each_word_knows_its_token_range() {
        let mut t = [
            tok(" met", 0.9, 0, 20),
            tok("formin", 0.4, 20, 50),
            tok(" 500", 0.9, 50, 80),
        ];
        for (i, x) in t.iter_mut().enumerate() {
            x.seq = i + 3;
        }
        let ranges: Vec<(usize, usize)> =
            group(&t, 0.0, 60.0).into_iter().map(|(_, r)| r).collect();
        assert_eq!(ranges, vec![(3, 5), (5, 6)]);
    }

    #[test]
    fn dtw_times_win_and_words_run_to_the_next_word() {
        let mut a = tok(" chest", 0.9, 0, 3000);
        a.t_dtw = 120;
        let mut b = tok(" pain", 0.9, 0, 3000);
        b.t_dtw = 160;
        let w = words(&[a, b], 5.0, 20.0);
        assert_eq!((w[0].start, w[0].end), (6.2, 6.6));
        assert_eq!(w[1].start, 6.6);
    }

    #[test]
    fn times_stay_inside_the_chunk() {
        let w = words(&[tok(" late", 0.9, 2900, 3000)], 0.0, 12.0);
        assert_eq!((w[0].start, w[0].end), (12.0, 12.0));
    }

    #[test]
    fn split_utf8_bytes_are_rejoined() {
        let e = "é".as_bytes();
        let w = words(
            &[
                Token {
                    bytes: vec![b' ', e[0]],
                    p: 0.9,
                    t0: 0,
                    t1: 1,
                    t_dtw: -1,
                    seq: 0,
                },
                Token {
                    bytes: vec![e[1]],
                    p: 0.9,
                    t0: 1,
                    t1: 2,
                    t_dtw: -1,
                    seq: 0,
                },
            ],
            0.0,
            60.0,
        );
        assert_eq!(w[0].text, "é");
    }
}
