//! Markdown export: headings as `##`, the reference line bold, queried text marked with a
//! footnote per finding. Field and dictated text is escaped so it cannot inject markup.
//! Must never drop a block or a finding.

use super::letter::{BlockKind, Letter, comment_text};

pub fn to_markdown(l: &Letter) -> String {
    let anchors = l.anchors();
    let mut out = String::new();
    for (bi, b) in l.blocks.iter().enumerate() {
        let mut line = String::new();
        for (si, span) in b.spans.iter().enumerate() {
            let text = escape(&span.text).replace('\n', "  \n");
            if span.findings.is_empty() {
                line.push_str(&text);
            } else {
                line.push_str(&format!("=={text}=="));
            }
            // Footnote markers go after the last span a finding is anchored on.
            for (id, a) in anchors.iter().enumerate() {
                if matches!(a, Some((_, _, b1, s1)) if (*b1, *s1) == (bi, si)) {
                    line.push_str(&format!("[^q{}]", id + 1));
                }
            }
        }
        let line = match b.kind {
            BlockKind::Letterhead => format!("# {line}"),
            BlockKind::Title => format!("# {line}"),
            BlockKind::Heading => format!("## {line}"),
            BlockKind::Reference => format!("**{line}**"),
            BlockKind::Marker => format!("*{line}*"),
            _ => line,
        };
        out.push_str(&line);
        out.push_str("\n\n");
    }
    if !l.footer.is_empty() {
        out.push_str(&format!("---\n\n*{}*\n\n", escape(&l.footer)));
    }
    for (i, f) in l.findings.iter().enumerate() {
        let text = comment_text(f).replace('\n', " ");
        out.push_str(&format!(
            "[^q{}]: **{}**: {}\n",
            i + 1,
            f.kind.as_str(),
            escape(&text)
        ));
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '`' | '=' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
