//! Record numbers as said: "RMC 0048213", "R M C zero zero four eight two one three",
//! "K double four seven oh nine two", "four five zero, five five seven, two one nine eight".
//!
//! Letters come first, then digits; a number with fewer than four digits, or words that are
//! neither, is not a record number (it was misheard), so the caller queries it rather than
//! guessing.

use super::words::Tok;

const DIGITS: [(&str, char); 13] = [
    ("zero", '0'),
    ("oh", '0'),
    ("o", '0'),
    ("nought", '0'),
    ("one", '1'),
    ("two", '2'),
    ("three", '3'),
    ("four", '4'),
    ("five", '5'),
    ("six", '6'),
    ("seven", '7'),
    ("eight", '8'),
    ("nine", '9'),
];

fn digit(t: &Tok) -> Option<char> {
    if t.low.len() == 1 && t.low.chars().all(|c| c.is_ascii_digit()) {
        return t.low.chars().next();
    }
    DIGITS.iter().find(|(w, _)| t.low == *w).map(|(_, d)| *d)
}

/// The record number starting at `toks[0]` and how many words it took.
pub(super) fn read(toks: &[Tok]) -> Option<(String, usize)> {
    let mut code = String::new();
    let mut digits = 0;
    let mut i = 0;
    while let Some(t) = toks.get(i) {
        let before = i;
        if let Some(times) = match t.low.as_str() {
            "double" => Some(2),
            "triple" => Some(3),
            _ => None,
        } && let Some(d) = toks.get(i + 1).and_then(digit)
        {
            code.extend(std::iter::repeat_n(d, times));
            digits += times;
            i += 2;
        } else if let Some(d) = digit(t).filter(|_| t.low != "o" || digits > 0) {
            code.push(d);
            digits += 1;
            i += 1;
        } else if t
            .core
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && t.core.chars().any(|c| c.is_ascii_digit())
        {
            // "0048213", "RMC0048213", "K447092", "RMC-0048-213"
            let joined: String = t.core.chars().filter(|c| *c != '-').collect();
            let letters = joined.chars().take_while(char::is_ascii_alphabetic).count();
            if digits > 0 && letters > 0 {
                break;
            }
            code.push_str(&joined.to_ascii_uppercase());
            digits += joined.chars().filter(char::is_ascii_digit).count();
            i += 1;
        } else if digits == 0
            && t.core.len() <= 4
            && t.core.chars().all(|c| c.is_ascii_alphabetic())
        {
            code.push_str(&t.core.to_ascii_uppercase());
            i += 1;
        } else {
            break;
        }
        let last = &toks[i - 1];
        let next_is_digit = toks.get(i).is_some_and(|n| {
            digit(n).is_some() || n.core.starts_with(|c: char| c.is_ascii_digit())
        });
        // A full stop ends the number; a comma only when no digit follows ("four five zero,
        // five five seven, ...").
        if i > before && last.comma && !next_is_digit {
            break;
        }
    }
    (digits >= 4 && code.len() <= 16).then_some((code, i))
}
