//! Crash-safe WAV output: 16 kHz mono 16-bit PCM written incrementally with hound, the header
//! checkpointed every half second, and repair of a WAV whose header does not match its data.
//!
//! Job: whatever happens to the process (kill -9, power cut, device gone), the file on disk is
//! a playable WAV holding everything up to the last checkpoint; the next start repairs it to
//! hold everything that reached the disk. New files are created with mode 0600.
//! Must never: overwrite an existing recording unless asked to, lose samples already written,
//! or log what the audio contains.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use hound::{SampleFormat, WavSpec, WavWriter};

use super::error::{RecordError, show};
use crate::audio::WHISPER_RATE;

/// The only format the recorder writes (and accepts for `--append`).
pub const SPEC: WavSpec = WavSpec {
    channels: 1,
    sample_rate: WHISPER_RATE,
    bits_per_sample: 16,
    sample_format: SampleFormat::Int,
};

/// An open recording.
pub struct WavSink {
    path: PathBuf,
    writer: Option<WavWriter<BufWriter<File>>>,
    /// Samples already in the file before this session (`--append`).
    pub existing: u64,
    /// Samples written in this session.
    pub written: u64,
}

/// The marker file that says "this WAV is being recorded" (removed on a clean finish).
pub fn marker_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.recording"))
}

fn out_err(path: &Path, detail: impl ToString) -> RecordError {
    RecordError::Output {
        file: show(path),
        detail: detail.to_string(),
    }
}

/// Check that `path` can become a new recording, before any device is opened.
pub fn check_new(path: &Path, overwrite: bool) -> Result<(), RecordError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match fs::metadata(dir) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => return Err(out_err(path, format!("{} is not a folder", dir.display()))),
        Err(e) => return Err(out_err(path, format!("folder {}: {e}", dir.display()))),
    }
    if path.is_dir() {
        return Err(out_err(path, "is a folder"));
    }
    if path.exists() && !overwrite {
        return Err(out_err(
            path,
            "already exists; use --append to continue it, --force to replace it, or choose another name",
        ));
    }
    // Probe that the folder takes new files now rather than after minutes of dictation.
    let probe = tempfile::Builder::new()
        .prefix(".medscribe-probe")
        .tempfile_in(dir);
    probe.map(drop).map_err(|e| out_err(path, e))
}

impl WavSink {
    /// Create a new recording (mode 0600) and its marker.
    pub fn create(path: &Path, overwrite: bool) -> Result<Self, RecordError> {
        let mut opts = OpenOptions::new();
        opts.write(true).read(true).mode(0o600);
        if overwrite {
            opts.create(true).truncate(true)
        } else {
            opts.create_new(true)
        };
        let file = opts.open(path).map_err(|e| out_err(path, e))?;
        // An overwritten file keeps its old mode; recordings are for the owner only.
        let _ = file.set_permissions(fs::Permissions::from_mode(0o600));
        let writer = WavWriter::new(BufWriter::new(file), SPEC).map_err(|e| out_err(path, e))?;
        let mut sink = Self {
            path: path.to_path_buf(),
            writer: Some(writer),
            existing: 0,
            written: 0,
        };
        sink.checkpoint()?;
        write_marker(path)?;
        Ok(sink)
    }

    /// Continue an existing 16 kHz mono 16-bit WAV (repairing its header first).
    pub fn append(path: &Path) -> Result<(Self, Option<Repair>), RecordError> {
        let bad = |detail: String| RecordError::Append {
            file: show(path),
            detail,
        };
        if !path.is_file() {
            return Err(bad("no such file".into()));
        }
        if in_use(path) {
            return Err(bad(
                "another `medscribe record` is still recording into it".into()
            ));
        }
        let repaired = repair(path).map_err(|e| bad(e.to_string()))?;
        let spec = hound::WavReader::open(path)
            .map_err(|e| bad(e.to_string()))?
            .spec();
        if spec != SPEC {
            return Err(bad(format!(
                "it is {} Hz, {} channel(s), {}-bit {:?}; only recordings made by `medscribe record` (16000 Hz mono 16-bit) can be continued",
                spec.sample_rate, spec.channels, spec.bits_per_sample, spec.sample_format
            )));
        }
        let writer = WavWriter::append(path).map_err(|e| bad(e.to_string()))?;
        let existing = writer.duration() as u64;
        write_marker(path)?;
        let sink = Self {
            path: path.to_path_buf(),
            writer: Some(writer),
            existing,
            written: 0,
        };
        Ok((sink, repaired))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Seconds in the file (earlier part included).
    pub fn total_seconds(&self) -> f64 {
        (self.existing + self.written) as f64 / WHISPER_RATE as f64
    }

    fn failed(&self, e: impl ToString) -> RecordError {
        RecordError::WriteFailed {
            file: show(&self.path),
            seconds: self.total_seconds(),
            detail: e.to_string(),
        }
    }

    /// Append 16 kHz mono samples (-1..1).
    pub fn write(&mut self, samples: &[f32]) -> Result<(), RecordError> {
        let Some(w) = self.writer.as_mut() else {
            return Ok(());
        };
        let mut res = Ok(());
        for s in samples {
            let v = to_i16(*s);
            if let Err(e) = w.write_sample(v) {
                res = Err(e);
                break;
            }
        }
        res.map_err(|e| self.failed(e))?;
        self.written += samples.len() as u64;
        Ok(())
    }

    /// Make the file on disk a valid WAV holding everything written so far.
    pub fn checkpoint(&mut self) -> Result<(), RecordError> {
        let Some(w) = self.writer.as_mut() else {
            return Ok(());
        };
        let res = w.flush();
        res.map_err(|e| self.failed(e))
    }

    /// Finalize the header, sync to disk and remove the marker.
    pub fn finish(mut self) -> Result<(), RecordError> {
        if let Some(w) = self.writer.take() {
            w.finalize().map_err(|e| self.failed(e))?;
        }
        if let Ok(f) = File::open(&self.path) {
            let _ = f.sync_all();
        }
        let _ = fs::remove_file(marker_for(&self.path));
        Ok(())
    }

    /// Give up on a recording that never got any audio: remove the file and its marker.
    pub fn discard_if_empty(mut self) {
        if self.written == 0 && self.existing == 0 {
            self.writer.take();
            let _ = fs::remove_file(&self.path);
            let _ = fs::remove_file(marker_for(&self.path));
        } else {
            let _ = self.finish();
        }
    }
}

fn write_marker(path: &Path) -> Result<(), RecordError> {
    let marker = marker_for(path);
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true).mode(0o600);
    let mut f = opts.open(&marker).map_err(|e| out_err(&marker, e))?;
    // The recorder's process id: a marker whose process is still alive is a recording in
    // progress, not an interrupted one.
    f.write_all(format!("{}\n", std::process::id()).as_bytes())
        .map_err(|e| out_err(&marker, e))
}

/// Whether another live `medscribe record` is writing `path` right now.
pub fn in_use(path: &Path) -> bool {
    let Ok(text) = fs::read_to_string(marker_for(path)) else {
        return false;
    };
    match text.trim().parse::<u32>() {
        Ok(pid) => pid != std::process::id() && Path::new(&format!("/proc/{pid}")).exists(),
        Err(_) => false,
    }
}

/// What [`repair`] changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Repair {
    /// Seconds the header promised.
    pub header_seconds: f64,
    /// Seconds actually present (what the header says now).
    pub actual_seconds: f64,
}

/// Make a PCM WAV's RIFF and data sizes match the bytes present (after a crash the data runs
/// past the last checkpoint; after a cut-off copy the header promises too much). Returns
/// `None` when the header was already right. Only files whose `data` chunk is the last one
/// are touched; anything that is not a RIFF/WAVE file is an error.
pub fn repair(path: &Path) -> std::io::Result<Option<Repair>> {
    let invalid = |m: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, m.to_string());
    let mut f = OpenOptions::new().read(true).write(true).open(path)?;
    let len = f.metadata()?.len();
    let mut head = [0u8; 12];
    f.read_exact(&mut head)
        .map_err(|_| invalid("not a WAV file (too short)"))?;
    if &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Err(invalid("not a WAV file (no RIFF/WAVE header)"));
    }
    let mut pos = 12u64;
    let mut align = 0u64;
    let mut rate = 0u64;
    loop {
        let mut ch = [0u8; 8];
        f.seek(SeekFrom::Start(pos))?;
        f.read_exact(&mut ch)
            .map_err(|_| invalid("no data chunk"))?;
        let size = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]) as u64;
        if &ch[0..4] == b"fmt " {
            let mut fmt = [0u8; 16];
            f.read_exact(&mut fmt)
                .map_err(|_| invalid("truncated fmt chunk"))?;
            rate = u32::from_le_bytes([fmt[4], fmt[5], fmt[6], fmt[7]]) as u64;
            align = u16::from_le_bytes([fmt[12], fmt[13]]) as u64;
        } else if &ch[0..4] == b"data" {
            if align == 0 || rate == 0 {
                return Err(invalid("data chunk before a valid fmt chunk"));
            }
            let start = pos + 8;
            let present = len.saturating_sub(start);
            let declared_end = start + size;
            if declared_end < len && trailing_chunk(&mut f, declared_end + size % 2, len)? {
                return Ok(None);
            }
            let actual = present - present % align;
            if actual == size && len == start + actual {
                return Ok(None);
            }
            let actual32 = u32::try_from(actual).map_err(|_| invalid("data exceeds 4 GiB"))?;
            f.set_len(start + actual)?;
            f.seek(SeekFrom::Start(4))?;
            f.write_all(&((start + actual - 8) as u32).to_le_bytes())?;
            f.seek(SeekFrom::Start(pos + 4))?;
            f.write_all(&actual32.to_le_bytes())?;
            f.sync_all()?;
            let secs = |b: u64| (b / align) as f64 / rate as f64;
            return Ok(Some(Repair {
                header_seconds: secs(size),
                actual_seconds: secs(actual),
            }));
        }
        pos += 8 + size + size % 2;
        if pos >= len {
            return Err(invalid("no data chunk"));
        }
    }
}

/// Whether a well-formed chunk ending exactly at `len` starts at `at` (then the data chunk is
/// not the last one, and its size is right).
fn trailing_chunk(f: &mut File, at: u64, len: u64) -> std::io::Result<bool> {
    let mut ch = [0u8; 8];
    f.seek(SeekFrom::Start(at))?;
    if at + 8 > len || f.read_exact(&mut ch).is_err() {
        return Ok(false);
    }
    let id_ok = ch[0..4]
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b' ');
    let size = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]) as u64;
    Ok(id_ok && at + 8 + size <= len)
}

/// Repair every recording in `dir` whose marker says it was interrupted; returns
/// `(path, repair)` for each, and removes the markers.
pub fn recover_interrupted(dir: &Path) -> Vec<(PathBuf, Option<Repair>)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut done = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        let Some(wav) = name
            .strip_prefix('.')
            .and_then(|n| n.strip_suffix(".recording"))
        else {
            continue;
        };
        let wav = dir.join(wav);
        if in_use(&wav) {
            continue;
        }
        if wav.is_file() {
            if let Ok(r) = repair(&wav) {
                done.push((wav, r));
                let _ = fs::remove_file(e.path());
            }
        } else {
            let _ = fs::remove_file(e.path());
        }
    }
    done
}

/// A sample as stored: 16-bit, full scale at ±1.
fn to_i16(s: f32) -> i16 {
    (s.clamp(-1.0, 1.0) * i16::MAX as f32).round() as i16
}

/// A sample as a reader of the stored WAV gets it back (`audio::load` scales by 1/32768).
pub fn as_stored(s: f32) -> f32 {
    to_i16(s) as f32 / 32_768.0
}
