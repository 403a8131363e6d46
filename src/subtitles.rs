//! Segments → SRT and WebVTT subtitle text, so a secretary can play the dictation with the
//! words on screen. Pure formatting of times and text; never alters the words.

use crate::transcript::Segment;

fn stamp(seconds: f64, sep: char) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    let (h, m, s, ms) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{h:02}:{m:02}:{s:02}{sep}{ms:03}")
}

pub fn srt(segments: &[Segment]) -> String {
    segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            format!(
                "{}\n{} --> {}\n{}\n\n",
                i + 1,
                stamp(s.start, ','),
                stamp(s.end, ','),
                s.text
            )
        })
        .collect()
}

pub fn vtt(segments: &[Segment]) -> String {
    let body: String = segments
        .iter()
        .map(|s| {
            format!(
                "{} --> {}\n{}\n\n",
                stamp(s.start, '.'),
                stamp(s.end, '.'),
                s.text
            )
        })
        .collect();
    format!("WEBVTT\n\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(start: f64, end: f64, text: &str) -> Segment {
        Segment {
            start,
            end,
            text: text.into(),
            words: vec![],
        }
    }

    #[test]
    fn srt_numbers_cues_and_uses_commas() {
        let s = srt(&[seg(0.0, 2.5, "Hello."), seg(3661.25, 3662.0, "Plan.")]);
        assert_eq!(
            s,
            "1\n00:00:00,000 --> 00:00:02,500\nHello.\n\n2\n01:01:01,250 --> 01:01:02,000\nPlan.\n\n"
        );
    }

    #[test]
    fn vtt_has_header_and_dots() {
        assert_eq!(
            vtt(&[seg(1.0, 2.0, "x")]),
            "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nx\n\n"
        );
    }
}
