//! The rendered letter: an ordered list of styled blocks whose spans carry the ids of the
//! findings that cover them, plus page-level parts (footer, logo) and the findings
//! themselves. Plain data; output formats live in docx.rs and markdown.rs.
//!
//! Must never lose a finding: every finding passed to `render` is in `unresolved()` and
//! anchored on some span (its own text, or the patient reference line when its offsets
//! are outside the dictated body).

use crate::check::Finding;

use super::DocumentError;

/// What a block is; each kind maps to one Word paragraph style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Letterhead,
    LetterheadDetails,
    Date,
    Recipient,
    Title,
    Reference,
    Salutation,
    Heading,
    Body,
    SignOff,
    Signature,
    Marker,
    Cc,
    Enclosures,
}

/// A run of text; `\n` inside means a line break within the paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    /// Indices into the letter's findings that cover (and highlight) this text.
    pub findings: Vec<usize>,
}

/// One paragraph.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    pub spans: Vec<Span>,
}

impl Block {
    pub fn plain(kind: BlockKind, text: impl Into<String>) -> Self {
        Block {
            kind,
            spans: vec![Span {
                text: text.into(),
                findings: Vec::new(),
            }],
        }
    }

    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}

#[derive(Debug, Clone)]
pub struct Letter {
    pub template: String,
    pub blocks: Vec<Block>,
    /// Footer text (confidentiality notice); "Page X of Y" is added by the DOCX writer.
    pub footer: String,
    /// Header on pages 2 and later (patient identifiers), empty for none.
    pub continuation: String,
    /// PNG bytes of the practice logo and its size in pixels.
    pub logo: Option<(Vec<u8>, u32, u32)>,
    pub(crate) findings: Vec<Finding>,
    /// Findings whose offsets are outside the dictated body: (block index, finding ids).
    pub(crate) orphans: Option<(usize, Vec<usize>)>,
    pub(crate) signed_marker: String,
}

impl Letter {
    /// Findings still open; `--final` must refuse to write while this is non-empty.
    pub fn unresolved(&self) -> &[Finding] {
        &self.findings
    }

    /// True once `finalize` has replaced "Dictated but not read" with the signed marker.
    pub fn is_signed(&self) -> bool {
        self.blocks
            .iter()
            .any(|b| b.kind == BlockKind::Marker && b.text() == self.signed_marker)
    }

    /// Marks the letter electronically signed; refuses while findings are unresolved.
    pub fn finalize(mut self) -> Result<Letter, DocumentError> {
        if !self.findings.is_empty() {
            return Err(DocumentError::Unresolved {
                count: self.findings.len(),
            });
        }
        for b in &mut self.blocks {
            if b.kind == BlockKind::Marker {
                *b = Block::plain(BlockKind::Marker, self.signed_marker.clone());
            }
        }
        Ok(self)
    }

    /// Plain text: one paragraph per block, blank line between, queries listed at the end.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            out.push_str(b.text().trim_end());
            out.push_str("\n\n");
        }
        if !self.footer.is_empty() {
            out.push_str(&self.footer);
            out.push_str("\n\n");
        }
        if !self.findings.is_empty() {
            out.push_str(&format!("Queries ({}):\n", self.findings.len()));
            for (i, f) in self.findings.iter().enumerate() {
                let text = comment_text(f).replace('\n', " ");
                out.push_str(&format!("{}. \"{}\": {text}\n", i + 1, f.text));
            }
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        out
    }

    /// Where each finding is anchored: (first block, first span, last block, last span).
    pub(crate) fn anchors(&self) -> Vec<Option<(usize, usize, usize, usize)>> {
        let mut out: Vec<Option<(usize, usize, usize, usize)>> = vec![None; self.findings.len()];
        for (bi, b) in self.blocks.iter().enumerate() {
            for (si, s) in b.spans.iter().enumerate() {
                for &id in &s.findings {
                    if let Some(slot) = out.get_mut(id) {
                        *slot =
                            Some(slot.map_or((bi, si, bi, si), |(b0, s0, _, _)| (b0, s0, bi, si)));
                    }
                }
            }
        }
        if let Some((bi, ids)) = &self.orphans {
            let last = self
                .blocks
                .get(*bi)
                .map_or(0, |b| b.spans.len().saturating_sub(1));
            for &id in ids {
                if let Some(slot) = out.get_mut(id) {
                    *slot = Some((*bi, 0, *bi, last));
                }
            }
        }
        out
    }

    pub fn to_markdown(&self) -> String {
        super::markdown::to_markdown(self)
    }

    pub fn to_docx_bytes(&self) -> Result<Vec<u8>, DocumentError> {
        super::docx::to_docx_bytes(self)
    }
}

/// What a secretary reads in a comment: the message and the suggestions.
pub(crate) fn comment_text(f: &Finding) -> String {
    let mut s = f.message.clone();
    if !f.suggestions.is_empty() {
        s.push_str("\nSuggestions: ");
        s.push_str(&f.suggestions.join("; "));
    }
    s
}
