//! Recorder docking: `medscribe serve --watch DIR` imports audio files that appear in a folder
//! (a docked recorder's, or a shared drive's), once each, for the author named in the
//! folder's `medscribe-folder.toml`:
//!
//! ```toml
//! author = "drmarsh"        # required: the user name the dictations belong to
//! priority = "routine"      # optional
//! template = "clinic-letter" # optional
//! ```
//!
//! A file is taken when its size has stopped changing between two scans (the copy is
//! finished), and recognised by its content's SHA-256, so renaming or copying it again
//! does not import it twice. Files are left where they are. Never logs file names (they
//! may name a patient), only counts and the folder.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::{AppState, dictations, upload};
use crate::store::{NewDictation, random_hex};
use crate::workflow::{Priority, Role};

pub const SETTINGS_FILE: &str = "medscribe-folder.toml";
const SCAN: Duration = Duration::from_secs(2);
const AUDIO_EXTS: [&str; 8] = ["wav", "flac", "ogg", "mp3", "m4a", "mp4", "opus", "webm"];

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FolderSettings {
    author: String,
    priority: Option<String>,
    template: Option<String>,
}

/// A folder's settings, checked: the author is an enabled author, the priority and template
/// exist. Errors name the settings file and the problem.
struct Folder {
    author_id: i64,
    priority: Priority,
    template: String,
}

async fn folder(state: &AppState, dir: &Path) -> Result<Folder, String> {
    let path = dir.join(SETTINGS_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: cannot read ({e}); create it with a line author = \"USER\"",
            path.display()
        )
    })?;
    let s: FolderSettings =
        toml::from_str(&text).map_err(|e| format!("{}: {}", path.display(), e.message()))?;
    let author = match state.store.user_by_name(&s.author).await {
        Ok(Some(u)) if u.role == Role::Author && !u.disabled => u,
        Ok(_) => {
            return Err(format!(
                "{}: {:?} is not an enabled author (medscribe users list)",
                path.display(),
                s.author
            ));
        }
        Err(e) => return Err(format!("the store is unavailable: {e}")),
    };
    let priority = match s.priority.as_deref() {
        None => Priority::Routine,
        Some(p) => Priority::parse(p).ok_or_else(|| {
            format!(
                "{}: priority {p:?}: use routine, urgent or stat",
                path.display()
            )
        })?,
    };
    let template = s.template.unwrap_or_default();
    dictations::check_template(state, &template).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Folder {
        author_id: author.id,
        priority,
        template,
    })
}

/// Checks a watched folder before the server starts: it exists and its settings are good.
pub async fn check_folder(state: &AppState, dir: &Path) -> Result<(), String> {
    if !dir.is_dir() {
        return Err(format!("--watch {}: no such folder", dir.display()));
    }
    folder(state, dir).await.map(|_| ())
}
/// Watches `dir` until the task is dropped.
pub async fn watch(state: AppState, dir: PathBuf) {
    let mut sizes: HashMap<PathBuf, u64> = HashMap::new();
    let mut unreadable: HashSet<String> = HashSet::new();
    loop {
        match scan(&state, &dir, &mut sizes, &mut unreadable).await {
            Ok(0) => {}
            Ok(n) => eprintln!(
                "medscribe: serve: imported {n} dictation(s) from {}",
                dir.display()
            ),
            Err(e) => eprintln!("medscribe: serve: --watch {}: {e}", dir.display()),
        }
        tokio::time::sleep(SCAN).await;
    }
}

/// One pass over the folder; returns how many files were imported.
async fn scan(
    state: &AppState,
    dir: &Path,
    sizes: &mut HashMap<PathBuf, u64>,
    unreadable: &mut HashSet<String>,
) -> Result<usize, String> {
    let f = folder(state, dir).await?;
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot list the folder: {e}"))?;
    let mut seen = HashMap::new();
    let mut imported = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let Ok(meta) = entry.metadata() else { continue };
        if name.starts_with('.') || !meta.is_file() || !AUDIO_EXTS.contains(&ext.as_str()) {
            continue;
        }
        let size = meta.len();
        seen.insert(path.clone(), size);
        if size > state.config.max_upload {
            if !unreadable.contains(&name) {
                eprintln!(
                    "medscribe: serve: --watch {}: a file is larger than --max-upload-mb; skipped",
                    dir.display()
                );
                unreadable.insert(name);
            }
            continue;
        }
        // Still being copied, or new since the last scan: wait for a steady size.
        if sizes.get(&path) != Some(&size) || size == 0 {
            continue;
        }
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(_) => continue,
        };
        let sha = format!("{:x}", Sha256::digest(&bytes));
        if unreadable.contains(&sha) || state.store.imported(&sha).await.unwrap_or(true) {
            continue;
        }
        match import(state, &bytes, &f, &sha).await {
            Ok(_) => imported += 1,
            Err(e) => {
                eprintln!(
                    "medscribe: serve: --watch {}: a file was not imported: {e}",
                    dir.display()
                );
                unreadable.insert(sha);
            }
        }
    }
    *sizes = seen;
    Ok(imported)
}

async fn import(
    state: &AppState,
    bytes: &[u8],
    f: &Folder,
    sha256: &str,
) -> Result<String, super::Error> {
    let mut tmp = tempfile::Builder::new()
        .prefix(".import-")
        .suffix(".partial")
        .tempfile_in(&state.store.dir.root)
        .map_err(super::Error::io)?;
    crate::paths::restrict_to_owner(tmp.path()).map_err(super::Error::io)?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(super::Error::io)?;
    let path = tmp.into_temp_path();
    let (ext, mime, duration) = upload::verify(path.to_path_buf(), bytes.len() as u64).await?;
    let id = random_hex(8);
    let new = NewDictation {
        audio_name: format!("{id}.{ext}"),
        id,
        author_id: f.author_id,
        priority: f.priority,
        title: String::new(),
        template: f.template.clone(),
        due: None,
        patient: serde_json::json!({}),
        recipient: serde_json::json!({}),
        fields: serde_json::json!({}),
        note: String::new(),
        audio_type: mime.into(),
        audio_bytes: bytes.len() as i64,
        duration,
    };
    dictations::store_new(state, path, new, "watch", Some(sha256)).await
}
