//! Document stage: templates, field data, merge with a dictated [`Draft`] and its
//! [`Finding`]s, and export as DOCX (plus Markdown and plain text).
//!
//! Flow: [`load_template`] reads `templates/NAME.toml` (+ shared `templates/practice.toml`),
//! [`Fields`] holds the letter's field data, [`render`] merges everything into a
//! [`Letter`] (styled blocks whose runs carry finding ids), and [`Letter::to_docx_bytes`]
//! turns that into a Word file with real styles and one comment per finding.
//! [`write_atomic`] puts bytes on disk (temp file + rename, owner-only).
//!
//! This module must never drop dictated text, never leave a raw placeholder in output,
//! never panic on user input, and never log or put field values into error messages.
//!
//! [`Draft`]: crate::dictation::Draft
//! [`Finding`]: crate::check::Finding

mod body;
mod docx;
mod error;
mod fields;
mod job_fields;
mod letter;
mod markdown;
mod render;
mod sanitize;
mod template;
mod write;

pub use error::DocumentError;
pub use fields::Fields;
pub use letter::{Block, BlockKind, Letter, Span};
pub use render::render;
pub use template::{
    FieldSpec, SectionSpec, Template, WORK_TYPES_FILE, list_templates, load_template,
    template_for_work_type,
};
pub use write::write_atomic;

#[cfg(test)]
mod tests;
