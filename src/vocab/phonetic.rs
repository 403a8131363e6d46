//! Spelling keys for fuzzy term matching: a consonant skeleton ("sounds like") and edit distance.
//!
//! Pure functions on short words; they never allocate more than the word's length and never panic.

/// Consonant skeleton of a word: lowercase ASCII letters only, vowels/h/w dropped, common
/// spellings of one sound folded together (ph→f, c→k or s, x→ks, z→s, q→k), doubles collapsed.
/// "met foreman" and "metformin" both give `mtfrmn`.
pub fn skeleton(word: &str) -> String {
    fold(word, false)
}

/// Sound spelling: the skeleton's consonants with each run of vowels kept as one `a`, and a
/// silent final "e" dropped, so the rhythm of the word counts as well as its consonants.
/// "leave it a rest a tam" gives `lavatarastatam`, levetiracetam `lavatarasatam`; "thigh royd
/// ectomy" and thyroidectomy both give `taradaktama`.
pub fn sound_key(word: &str) -> String {
    fold(word, true)
}

fn fold(word: &str, vowels: bool) -> String {
    let s: Vec<u8> = word
        .bytes()
        .filter(u8::is_ascii_alphabetic)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let mut out = String::with_capacity(s.len());
    let push = |c: char, out: &mut String| {
        if !out.ends_with(c) {
            out.push(c);
        }
    };
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let next = s.get(i + 1).copied().unwrap_or(b' ');
        match c {
            b'e' if vowels && i + 1 == s.len() && i >= 2 && !is_vowel(s[i - 1]) => {}
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' if vowels => push('a', &mut out),
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'h' | b'w' => {}
            b'p' if next == b'h' => {
                push('f', &mut out);
                i += 1;
            }
            b't' if next == b'h' => {
                push('t', &mut out);
                i += 1;
            }
            // "-tion", "-tial", "-tient" sound like "sh": claudication and "cloud occasion".
            b't' if i > 0 && next == b'i' && sh_ending(&s[i + 2..]) => push('s', &mut out),
            b'c' if next == b'h' || next == b'k' => {
                push('k', &mut out);
                i += 1;
            }
            b'c' if matches!(next, b'e' | b'i' | b'y') => push('s', &mut out),
            b'c' | b'q' => push('k', &mut out),
            b'g' if next == b'h' => i += 1,
            b'x' => {
                push('k', &mut out);
                push('s', &mut out);
            }
            b'z' => push('s', &mut out),
            other => push(other as char, &mut out),
        }
        i += 1;
    }
    out
}

/// What follows "ti" in "-tion", "-tian", "-tial", "-tious", "-tient" (not "quetiapine").
fn sh_ending(rest: &[u8]) -> bool {
    matches!(rest, [b'o' | b'a' | b'e' | b'u', b'n' | b'l' | b's', ..])
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

/// Whether two skeletons are equal or one char apart by a deletion from either ("rmpr" and
/// "rmprl"): `deletions` without building the strings.
pub fn one_deletion_apart(a: &str, b: &str) -> bool {
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    if long.len() == short.len() {
        return long == short;
    }
    let (l, s) = (long.as_bytes(), short.as_bytes());
    let i = l.iter().zip(s).take_while(|(x, y)| x == y).count();
    l[i + 1..] == s[i..]
}

/// All strings made by deleting one char from `key` (for a one-edit skeleton index).
pub fn deletions(key: &str) -> Vec<String> {
    let chars: Vec<char> = key.chars().collect();
    let mut out: Vec<String> = (0..chars.len())
        .map(|skip| {
            chars
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != skip)
                .map(|(_, c)| *c)
                .collect()
        })
        .collect();
    out.dedup();
    out
}

/// Levenshtein distance over chars, with an early exit once every cell exceeds `limit`
/// (then returns `limit + 1`).
pub fn levenshtein(a: &str, b: &str, limit: usize) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return limit + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > limit {
            return limit + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misheard_splits_share_a_skeleton() {
        assert_eq!(skeleton("met foreman"), skeleton("metformin"));
        assert_eq!(skeleton("lie sino pril"), skeleton("lisinopril"));
        assert_eq!(skeleton("amlodi pine"), skeleton("amlodipine"));
        assert_ne!(skeleton("aspirin"), skeleton("metformin"));
        assert_eq!(skeleton("Ünïcode ✓"), "nkd");
        assert_eq!(skeleton(""), "");
    }

    #[test]
    fn sound_keys_keep_the_rhythm_of_split_words() {
        assert_eq!(sound_key("thigh royd ectomy"), sound_key("thyroidectomy"));
        assert_eq!(sound_key("men in geo ma"), sound_key("meningioma"));
        assert_eq!(sound_key("levetiracetam"), "lavatarasatam");
        assert_eq!(
            levenshtein(&sound_key("leave it a rest a tam"), "lavatarasatam", 3),
            1
        );
        assert_eq!(
            levenshtein(
                &sound_key("mirror tazza peen"),
                &sound_key("mirtazapine"),
                3
            ),
            2
        );
        // Vowels count: "pain" and "open" share a skeleton, not a sound key.
        assert_eq!(skeleton("pain"), skeleton("open"));
        assert_ne!(sound_key("pain"), sound_key("open"));
        assert_eq!(sound_key(""), "");
    }

    #[test]
    fn tion_sounds_like_sion() {
        assert_eq!(sound_key("cloud occasion"), sound_key("claudication"));
        assert_eq!(skeleton("patient"), skeleton("pasient"));
        // Only before "-on", "-al", "-ent" …: quetiapine keeps its t.
        assert_ne!(skeleton("quetiapine"), skeleton("quesiapine"));
    }

    #[test]
    fn levenshtein_counts_edits() {
        assert_eq!(levenshtein("kitten", "sitting", 5), 3);
        assert_eq!(levenshtein("kitten", "sitting", 1), 2);
        assert_eq!(levenshtein("", "abc", 5), 3);
        assert_eq!(deletions("abc"), vec!["bc", "ac", "ab"]);
    }

    #[test]
    fn one_deletion_apart_matches_the_deletion_sets() {
        for (a, b) in [
            ("rmpr", "rmprl"),
            ("rmprl", "rmpr"),
            ("klpd", "klpd"),
            ("xbc", "bc"),
        ] {
            assert!(one_deletion_apart(a, b), "{a} {b}");
        }
        for (a, b) in [("rmpr", "rmtr"), ("abcd", "ab"), ("abc", "acb"), ("", "ab")] {
            assert!(!one_deletion_apart(a, b), "{a} {b}");
        }
    }
}
