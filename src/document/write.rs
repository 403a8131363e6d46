//! Atomic, owner-only file output: write to a temp file in the target's directory, fsync,
//! set mode 0600, rename over the target. Must never leave a partial or temp file behind
//! and never follow up a failure by writing elsewhere.

use std::io::Write;
use std::path::Path;

use super::DocumentError;

pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), DocumentError> {
    let err = |message: String| DocumentError::Write {
        path: path.to_path_buf(),
        message,
    };
    if path.file_name().is_none() {
        return Err(err("not a file path".to_string()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(err(format!("directory {} does not exist", dir.display())));
    }
    if path.is_dir() {
        return Err(err("a directory is in the way".to_string()));
    }
    let mut tmp = tempfile::Builder::new()
        .prefix(".medscribe-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| err(format!("cannot create a file in {}: {e}", dir.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))
            .map_err(|e| err(e.to_string()))?;
    }
    tmp.write_all(bytes).map_err(|e| err(e.to_string()))?;
    tmp.as_file().sync_all().map_err(|e| err(e.to_string()))?;
    // On failure the NamedTempFile inside the error is dropped, which deletes it.
    tmp.persist(path).map_err(|e| err(e.error.to_string()))?;
    Ok(())
}
