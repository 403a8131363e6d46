//! Receiving audio: stream an upload to a temporary file in the data directory (owner-only),
//! stop at the size limit, recognise the format from the bytes (never from the client's
//! file name or type), and check that it really decodes before anything is queued.
//!
//! The client's file name is never used as a path: stored audio is named `{id}.{ext}` with
//! an extension chosen here. Nothing is left behind when an upload is refused.

use std::path::{Path, PathBuf};

use axum::extract::multipart::Field;
use tokio::io::AsyncWriteExt;

use super::Error;
use crate::audio;

/// An accepted upload, still in its temporary file.
pub struct Received {
    pub file: tempfile::TempPath,
    pub bytes: u64,
}

/// What the audio is, by its first bytes: (extension, MIME type).
pub fn sniff(head: &[u8]) -> Option<(&'static str, &'static str)> {
    let starts = |m: &[u8]| head.starts_with(m);
    if starts(b"RIFF") && head.get(8..12) == Some(b"WAVE") {
        Some(("wav", "audio/wav"))
    } else if starts(b"fLaC") {
        Some(("flac", "audio/flac"))
    } else if starts(b"OggS") {
        Some(("ogg", "audio/ogg"))
    } else if starts(b"ID3") || (head.len() > 1 && head[0] == 0xff && head[1] & 0xe0 == 0xe0) {
        Some(("mp3", "audio/mpeg"))
    } else if head.get(4..8) == Some(b"ftyp") {
        Some(("m4a", "audio/mp4"))
    } else if starts(&[0x1a, 0x45, 0xdf, 0xa3]) {
        Some(("webm", "audio/webm"))
    } else {
        None
    }
}

/// Streams one multipart field into a new owner-only temporary file in `dir`.
pub async fn receive(mut field: Field<'_>, dir: &Path, max: u64) -> Result<Received, Error> {
    let tmp = tempfile::Builder::new()
        .prefix(".upload-")
        .suffix(".partial")
        .tempfile_in(dir)
        .map_err(Error::io)?;
    crate::paths::restrict_to_owner(tmp.path()).map_err(Error::io)?;
    let (std_file, path) = tmp.into_parts();
    let mut file = tokio::fs::File::from_std(std_file);
    let mut bytes = 0u64;
    loop {
        let chunk = match field.chunk().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Error::TooLarge(max / (1024 * 1024)));
            }
            Err(e) => return Err(Error::Invalid(format!("the upload was cut off ({e})"))),
        };
        bytes += chunk.len() as u64;
        let refused = if bytes > max {
            Some(Error::TooLarge(max / (1024 * 1024)))
        } else {
            file.write_all(&chunk).await.map_err(Error::io).err()
        };
        if let Some(e) = refused {
            // Read (and drop) the rest, so the client gets this answer rather than a reset
            // connection; the body limit on the route bounds how much is read.
            while let Ok(Some(_)) = field.chunk().await {}
            return Err(e);
        }
    }
    file.flush().await.map_err(Error::io)?;
    file.sync_all().await.map_err(Error::io)?;
    Ok(Received { file: path, bytes })
}

/// Checks that the received file is audio medscribe can decode, returning (extension, MIME
/// type, duration in seconds). The reason for a refusal names the problem, not the file.
pub async fn verify(path: PathBuf, bytes: u64) -> Result<(&'static str, &'static str, f64), Error> {
    if bytes == 0 {
        return Err(Error::NotAudio("the uploaded file is empty".into()));
    }
    let mut head = [0u8; 16];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(&path).map_err(Error::io)?;
        f.read(&mut head).map_err(Error::io)?
    };
    let Some((ext, mime)) = sniff(&head[..n]) else {
        return Err(Error::NotAudio(
            "the upload is not audio medscribe can read (WAV, FLAC, OGG, MP3, M4A or WebM)".into(),
        ));
    };
    let decoded = tokio::task::spawn_blocking(move || audio::load_with_warnings(&path))
        .await
        .map_err(|e| Error::Internal(format!("decoder stopped: {e}")))?;
    match decoded {
        Ok((a, _)) if a.samples.is_empty() => {
            Err(Error::NotAudio("the recording holds no sound".into()))
        }
        Ok((a, _)) => Ok((ext, mime, a.duration())),
        Err(e) => {
            // The decoder's message names the temporary path; say what is wrong without it.
            let why = e.to_string();
            let why = why.split_once(": ").map(|(_, w)| w).unwrap_or(&why);
            Err(Error::NotAudio(format!(
                "the upload could not be decoded as {ext} audio: {why}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn formats_are_told_by_their_bytes() {
        assert_eq!(sniff(b"RIFF\0\0\0\0WAVEfmt ").unwrap().0, "wav");
        assert_eq!(sniff(b"fLaC\0\0").unwrap().0, "flac");
        assert_eq!(sniff(b"ID3\x04").unwrap().0, "mp3");
        assert_eq!(sniff(b"\0\0\0\x20ftypM4A ").unwrap().0, "m4a");
        assert!(sniff(b"<html><script>").is_none());
        assert!(sniff(b"RIFF\0\0\0\0AVI ").is_none());
        assert!(sniff(b"").is_none());
    }
}
