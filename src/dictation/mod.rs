//! Dictation formatting (placeholder until the formatter lands).
mod draft;
pub use draft::{Draft, Section};
