//! Where medscribe's folders are, and how files are written: atomically (temp file in the
//! same folder, then rename) and readable by their owner only. Patient data must never
//! be left half-written or world-readable.

use std::io::Write;
use std::path::{Path, PathBuf};

/// `sub` (models, templates, vocab) of medscribe's data: `$MEDSCRIBE_HOME/sub` if set; else
/// the source tree's (the first ancestor of the current directory or of the executable that
/// has `sub` and a Cargo.toml); else an installed copy (`PREFIX/share/medscribe/sub` beside
/// the installed binary's `PREFIX/bin`, then /usr/local/share and /usr/share); else `./sub`.
pub fn project_subdir(sub: &str) -> PathBuf {
    if let Some(home) = std::env::var_os("MEDSCRIBE_HOME") {
        return PathBuf::from(home).join(sub);
    }
    let exe = std::env::current_exe().ok();
    let starts = [std::env::current_dir().ok(), exe.clone()];
    for start in starts.into_iter().flatten() {
        for dir in start.ancestors() {
            let candidate = dir.join(sub);
            if candidate.is_dir() && dir.join("Cargo.toml").is_file() {
                return candidate;
            }
        }
    }
    installed_subdir(exe.as_deref(), sub).unwrap_or_else(|| PathBuf::from(sub))
}

/// Where `make install` put `sub`: `PREFIX/share/medscribe/sub` for the binary in
/// `PREFIX/bin`, else the usual prefixes.
pub fn installed_subdir(exe: Option<&Path>, sub: &str) -> Option<PathBuf> {
    let beside = exe
        .and_then(|e| e.parent())
        .and_then(|bin| bin.parent())
        .map(|prefix| prefix.join("share/medscribe"));
    beside
        .into_iter()
        .chain(["/usr/local/share/medscribe", "/usr/share/medscribe"].map(PathBuf::from))
        .map(|d| d.join(sub))
        .find(|d| d.is_dir())
}

/// Make `path` readable and writable by its owner only (0600).
pub fn restrict_to_owner(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    let _ = path;
    Ok(())
}

/// Write `bytes` to `path` atomically with mode 0600: a reader sees the old file or the
/// whole new one, never a partial one, and nothing is left behind on failure.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".medscribe-")
        .suffix(".partial")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    restrict_to_owner(tmp.path())?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
