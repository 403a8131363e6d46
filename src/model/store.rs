//! The models folder: listing, choosing the default, resolving `--model`, and importing
//! a CTranslate2 directory into it atomically (temp file + verify + rename, mode 0600).

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::convert::{self, HParams};
use super::quantize::WeightType;
use super::{ModelError, read_ct2_dir};

/// One installed model file.
#[derive(Debug, Clone)]
pub struct ModelInfo {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub hparams: HParams,
    /// "f16", "q8_0", ...
    pub weight_type: String,
    pub is_default: bool,
}

/// The models folder: `$MEDSCRIBE_MODELS`; else `models/` of the source tree or of an
/// installed copy (see `paths::project_subdir`); else, for an installed binary with no
/// models beside it, the user's `~/.local/share/medscribe/models` (where `models fetch`
/// then puts them).
pub fn models_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("MEDSCRIBE_MODELS") {
        return PathBuf::from(d);
    }
    let dir = crate::paths::project_subdir("models");
    if dir.is_dir() {
        return dir;
    }
    let user = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    match user {
        Some(d) => d.join("medscribe/models"),
        None => dir,
    }
}

const DEFAULT_FILE: &str = "default";

/// A model file's dimensions, weight type name and size, read from its header.
pub fn describe(path: &Path) -> Result<(HParams, String, u64), ModelError> {
    use std::io::Read;
    let mut head = [0u8; 48];
    let mut f = std::fs::File::open(path).map_err(|e| ModelError::io(path, e))?;
    let bytes = f.metadata().map_err(|e| ModelError::io(path, e))?.len();
    f.read_exact(&mut head).map_err(|_| ModelError::BadGgml {
        path: path.display().to_string(),
    })?;
    let (hp, ftype) = convert::read_header(&head).ok_or_else(|| ModelError::BadGgml {
        path: path.display().to_string(),
    })?;
    let wt = WeightType::from_file_ftype(ftype)
        .unwrap_or("unknown")
        .to_string();
    Ok((hp, wt, bytes))
}

/// Installed models, sorted by name; unreadable files are skipped.
pub fn list(dir: &Path) -> Vec<ModelInfo> {
    let default = default_model(dir);
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out: Vec<ModelInfo> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .filter_map(|path| {
            let name = path.file_stem()?.to_string_lossy().to_string();
            let (hparams, weight_type, bytes) = describe(&path).ok()?;
            Some(ModelInfo {
                is_default: Some(&name) == default.as_ref(),
                name,
                path,
                bytes,
                hparams,
                weight_type,
            })
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The default model's name: the one recorded in `models/default`, else `tiny.en`, else
/// the first installed model.
pub fn default_model(dir: &Path) -> Option<String> {
    let exists = |n: &str| dir.join(format!("{n}.bin")).is_file();
    if let Ok(s) = std::fs::read_to_string(dir.join(DEFAULT_FILE)) {
        let n = s.trim();
        if exists(n) {
            return Some(n.to_string());
        }
    }
    if exists("tiny.en") {
        return Some("tiny.en".into());
    }
    let rd = std::fs::read_dir(dir).ok()?;
    let mut names: Vec<String> = rd
        .filter_map(Result::ok)
        .filter_map(|e| {
            let p = e.path();
            (p.extension()? == "bin")
                .then(|| p.file_stem().map(|s| s.to_string_lossy().to_string()))?
        })
        .collect();
    names.sort();
    names.into_iter().next()
}

pub fn set_default(dir: &Path, name: &str) -> Result<(), ModelError> {
    resolve(dir, Some(name))?;
    crate::paths::write_atomic(&dir.join(DEFAULT_FILE), format!("{name}\n").as_bytes())
        .map_err(|e| ModelError::io(&dir.join(DEFAULT_FILE), e))
}

/// Resolve `--model`: an existing file path, or a model name in `dir`, or the default.
pub fn resolve(dir: &Path, model: Option<&str>) -> Result<PathBuf, ModelError> {
    let path = match model {
        Some(m) if Path::new(m).is_file() => PathBuf::from(m),
        Some(m) => {
            let p = dir.join(format!("{m}.bin"));
            if !p.is_file() {
                let installed: Vec<String> = list(dir).into_iter().map(|i| i.name).collect();
                return Err(ModelError::UnknownModel {
                    name: m.to_string(),
                    dir: dir.display().to_string(),
                    installed: if installed.is_empty() {
                        "none".into()
                    } else {
                        installed.join(", ")
                    },
                });
            }
            p
        }
        None => match default_model(dir) {
            Some(n) => dir.join(format!("{n}.bin")),
            None => return Err(ModelError::NoModel),
        },
    };
    describe(&path)?;
    Ok(path)
}

/// Convert the CTranslate2 model in `ct2_dir` into `dir/NAME.bin`, proving with `verify`
/// (which loads it in whisper.cpp) before it is renamed into place.
pub fn import(
    ct2_dir: &Path,
    dir: &Path,
    name: &str,
    wtype: WeightType,
    verify: &dyn Fn(&Path) -> Result<(), String>,
) -> Result<ModelInfo, ModelError> {
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(ModelError::BadCt2 {
            path: name.into(),
            why: "invalid model name".into(),
        });
    }
    let (model, vocab) = read_ct2_dir(ct2_dir)?;
    std::fs::create_dir_all(dir).map_err(|e| ModelError::io(dir, e))?;
    let target = dir.join(format!("{name}.bin"));
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(|e| ModelError::io(dir, e))?;
    {
        let mut w = BufWriter::new(tmp.as_file());
        convert::write_ggml(&model, &vocab, wtype, &mut w)?;
        std::io::Write::flush(&mut w).map_err(|e| ModelError::io(tmp.path(), e))?;
    }
    drop(model);
    verify(tmp.path()).map_err(|why| ModelError::DoesNotLoad {
        path: target.display().to_string(),
        why,
    })?;
    crate::paths::restrict_to_owner(tmp.path()).map_err(|e| ModelError::io(tmp.path(), e))?;
    tmp.persist(&target)
        .map_err(|e| ModelError::io(&target, e.error))?;
    let (hparams, weight_type, bytes) = describe(&target)?;
    Ok(ModelInfo {
        is_default: default_model(dir).as_deref() == Some(name),
        name: name.to_string(),
        path: target,
        bytes,
        hparams,
        weight_type,
    })
}
