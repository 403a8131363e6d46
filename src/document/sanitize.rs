//! Text hygiene for anything that ends up in XML: strips control characters (other than
//! newline and tab) and the non-characters XML 1.0 forbids. Escaping of `<>&"'` is done
//! by docx-rs when text is written; this module must never change visible text otherwise.

/// Removes characters that cannot appear in an XML 1.0 document.
pub fn clean(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            c == '\n' || c == '\t' || (!c.is_control() && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn strips_controls_keeps_newlines_tabs_and_specials() {
        assert_eq!(clean("a\u{0}b\u{7}\r\nc\td<&>\u{FFFF}"), "ab\nc\td<&>");
    }
}
