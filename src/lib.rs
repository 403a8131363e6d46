//! medscribe: offline medical dictation → transcript → clarification queries → letters.
//!
//! One module per stage of the data flow in DESIGN.md; each stage takes plain data from
//! the one before and never reaches back upstream. Nothing here makes a network call
//! except `model::fetch`, which runs only when the user asks for a model download.
//!
//! The service (`medscribe serve`) lives in three rooms above the stages: `store` (SQLite),
//! `jobs` (the workers) and `server` (HTTP). `workflow` holds the department's rules as
//! plain data. The stages never use any of them.

pub mod asr;
pub mod audio;
pub mod check;
pub mod dictation;
pub mod document;
pub mod jobs;
pub mod model;
pub mod paths;
pub mod pipeline;
pub mod record;
pub mod server;
pub mod store;
pub mod subtitles;
pub mod transcript;
pub mod vocab;
pub mod workflow;
