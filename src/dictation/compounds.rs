//! Medical words Whisper wrote in hyphenated pieces ("endo-tracheal", "mid-line") written
//! whole, as a transcriptionist types them, when the whole word is in the medical
//! vocabulary. Ordinary hyphenated words ("follow-up", "x-ray", "e-mail") never join: their
//! pieces run together are no medical word.
//! Only removes hyphens; never changes a letter.

/// `text` with each hyphenated word whose pieces, run together, `is_medical` says is a
/// medical word, written as that one word (keeping the first piece's capital).
pub fn join(text: &str, is_medical: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let pieces: Vec<&str> = word.split('-').collect();
        let joinable = pieces.len() > 1
            && pieces
                .iter()
                .all(|p| p.len() >= 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
            && is_medical(&word.replace('-', "").to_ascii_lowercase());
        if joinable {
            out.push_str(&word.replace('-', ""));
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() || (c == '-' && !word.is_empty()) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::join;

    fn medical(w: &str) -> bool {
        ["endotracheal", "midline", "thoracoabdominal"].contains(&w)
    }

    #[test]
    fn medical_words_in_pieces_are_joined() {
        assert_eq!(
            join("An endo-tracheal tube in the Mid-line.", medical),
            "An endotracheal tube in the Midline."
        );
    }

    #[test]
    fn ordinary_hyphenated_words_and_odd_text_stay() {
        for s in [
            "follow-up in 2-3 weeks",
            "x-ray",
            "a - b",
            "end-",
            "-mid-line-",
            "é-à",
        ] {
            let joined = join(s, medical);
            assert_eq!(joined.replace('-', ""), s.replace('-', ""), "{s}");
        }
        assert_eq!(
            join("follow-up in 2-3 weeks, x-ray", medical),
            "follow-up in 2-3 weeks, x-ray"
        );
    }
}
