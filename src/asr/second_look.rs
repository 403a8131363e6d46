//! The second look: after a window is decoded, medical readings of words Whisper was unsure of
//! (proposed by the caller, e.g. `check::heard::propose`) are forced through the decoder on
//! the same audio and scored against what Whisper wrote. Those nearly as likely are kept on
//! the word (`Word::alternatives`), as evidence for the checks; the text is never changed.
//!
//! Each score is the log-probability of the words followed by the next written token, given
//! the window's prompt and the words before them, so an alternative must also fit what comes
//! after it. Costs a few decoder steps per proposal; the encoder is not run again.
//! Must never: change the transcript's words or times, or fail a transcription (a scoring
//! error drops that window's alternatives).

use std::sync::Arc;

use whisper_rs::WhisperState;

use crate::transcript::{Alternative, Proposal, Word};

/// Alternatives further below what Whisper wrote than this (nats) are not kept.
const KEEP_WITHIN: f32 = 24.0;

/// Readings to score for a window's words (in order, times in the window).
pub type Propose = dyn Fn(&[Word]) -> Vec<Proposal> + Send + Sync;

/// What proposes readings to score, shared with transcription threads.
#[derive(Clone)]
pub struct Proposer(pub Arc<Propose>);

impl std::fmt::Debug for Proposer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Proposer")
    }
}

/// One decoded window: the tokens before its text (prompt, start-of-transcript...), every
/// token it decoded, and each word's token range in `decoded`.
pub(super) struct Window<'a> {
    pub init: &'a [i32],
    pub decoded: &'a [i32],
    pub ranges: &'a [(usize, usize)],
    pub plogs: &'a [f32],
}

struct Scorer<'a> {
    ctx: &'a whisper_rs::WhisperContext,
    state: &'a mut WhisperState,
    threads: usize,
    eot: i32,
}

/// log-softmax of `logits` at `token`.
fn log_prob(logits: &[f32], token: i32) -> f32 {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let sum: f32 = logits.iter().map(|l| (l - max).exp()).sum();
    let at = usize::try_from(token)
        .ok()
        .and_then(|t| logits.get(t))
        .copied()
        .unwrap_or(f32::NEG_INFINITY);
    at - max - sum.ln()
}

impl Scorer<'_> {
    fn decode(&mut self, tokens: &[i32], n_past: usize) -> Result<Vec<f32>, String> {
        // whisper.cpp keeps a batch's logits in the batch's last row, but whisper-rs's
        // `get_logits` reads the first: decode the last token on its own.
        let (last, before) = tokens.split_last().ok_or("nothing to decode")?;
        if !before.is_empty() {
            self.state
                .decode(before, n_past, self.threads)
                .map_err(|e| e.to_string())?;
        }
        self.state
            .decode(&[*last], n_past + before.len(), self.threads)
            .map_err(|e| e.to_string())?;
        self.state
            .get_logits()
            .map(<[f32]>::to_vec)
            .map_err(|e| e.to_string())
    }

    /// Sum of log P(tokens) when the decoder has `n_past` tokens of context whose next-token
    /// logits are `first`.
    fn score(&mut self, first: &[f32], tokens: &[i32], n_past: usize) -> Result<f32, String> {
        let Some(&t0) = tokens.first() else {
            return Ok(0.0);
        };
        let mut total = log_prob(first, t0);
        for (k, pair) in tokens.windows(2).enumerate() {
            let logits = self.decode(&pair[..1], n_past + k)?;
            total += log_prob(&logits, pair[1]);
        }
        Ok(total)
    }

    fn tokenize(&self, text: &str) -> Result<Vec<i32>, String> {
        self.ctx
            .tokenize(text, text.len() + 8)
            .map_err(|e| e.to_string())
    }
}

/// `alt` written the way the words it replaces were: a capital if the first had one, and the
/// last one's trailing punctuation.
fn shaped(alt: &str, words: &[Word]) -> String {
    let mut out = String::from(" ");
    let capital = words
        .first()
        .and_then(|w| w.text.chars().next())
        .is_some_and(char::is_uppercase);
    let mut chars = alt.chars();
    if let Some(c) = chars.next() {
        if capital {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        out.extend(chars);
    }
    if let Some(last) = words.last() {
        let tail: String = last
            .text
            .chars()
            .rev()
            .take_while(|c| !c.is_alphanumeric())
            .collect();
        out.extend(tail.chars().rev());
    }
    out
}

/// Score each proposal against the window and put those within `KEEP_WITHIN` on their first
/// word, best first. The state must hold this window's encoding (just after `full`).
pub(super) fn look(
    ctx: &whisper_rs::WhisperContext,
    state: &mut WhisperState,
    window: &Window,
    words: &mut [&mut Word],
    mut proposals: Vec<Proposal>,
    threads: usize,
) -> Result<(), String> {
    let eot = ctx.token_eot();
    let mut s = Scorer {
        ctx,
        state,
        threads: threads.max(1),
        eot,
    };
    proposals.retain(|p| p.words > 0 && p.first + p.words <= window.ranges.len());
    proposals.sort_by_key(|p| window.ranges[p.first].0);
    // The decoder's context: `init` and `decoded[..at]`, with the logits for what comes next.
    let mut prefix: Option<(usize, Vec<f32>)> = None;
    let mut trusted: Option<bool> = None;
    let base = window.init.len();
    for p in proposals {
        let i = window.ranges[p.first].0;
        let j = window.ranges[p.first + p.words - 1].1;
        if i >= j || j > window.decoded.len() {
            continue;
        }
        let next = window.decoded.get(j).copied().unwrap_or(s.eot);
        let logits = match prefix.take() {
            Some((at, l)) if at == i => l,
            Some((at, _)) if at < i => s.decode(&window.decoded[at..i], base + at)?,
            _ => {
                let mut all = window.init.to_vec();
                all.extend_from_slice(&window.decoded[..i]);
                s.decode(&all, 0)?
            }
        };
        let mut written = window.decoded[i..j].to_vec();
        written.push(next);
        let replaced: Vec<Word> = words[p.first..p.first + p.words]
            .iter()
            .map(|w| (**w).clone())
            .collect();
        let mut alt = s.tokenize(&shaped(&p.text, &replaced))?;
        alt.push(next);
        // Tokens both readings start with score the same: start after them.
        let same = written
            .iter()
            .zip(&alt)
            .take_while(|(a, b)| a == b)
            .count()
            .min(written.len() - 1)
            .min(alt.len() - 1);
        let from = if same == 0 {
            logits.clone()
        } else {
            s.decode(&written[..same], base + i)?
        };
        // What Whisper wrote was scored as it was decoded; use that where the window's
        // first scored words show the decoder's context here is the same (no fallback
        // decode at a higher temperature), else score it again.
        let greedy: Option<f32> =
            (j < window.plogs.len()).then(|| window.plogs[i + same..=j].iter().sum());
        let heard = match (greedy, trusted) {
            (Some(g), Some(true)) => g,
            (g, _) => {
                let forced = s.score(&from, &written[same..], base + i + same)?;
                if trusted.is_none()
                    && let Some(g) = g
                {
                    trusted = Some((forced - g).abs() < 0.1);
                }
                forced
            }
        };
        let other = s.score(&from, &alt[same..], base + i + same)?;
        prefix = Some((i, logits));
        let margin = other - heard;
        if margin >= -KEEP_WITHIN
            && let Some(w) = words.get_mut(p.first)
        {
            w.alternatives.push(Alternative {
                text: p.text,
                words: p.words,
                margin,
            });
            w.alternatives.sort_by(|a, b| b.margin.total_cmp(&a.margin));
        }
    }
    Ok(())
}
