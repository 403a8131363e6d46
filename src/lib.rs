//! medscribe: offline medical dictation → transcript → clarification queries → letters.
//!
//! One module per stage of the data flow in DESIGN.md; each stage takes plain data from
//! the one before and never reaches back upstream. Nothing here makes a network call
//! except `model::fetch`, which runs only when the user asks for a model download.

pub mod asr;
pub mod audio;
pub mod check;
pub mod dictation;
pub mod document;
pub mod model;
pub mod paths;
pub mod pipeline;
pub mod record;
pub mod subtitles;
pub mod transcript;
pub mod vocab;
