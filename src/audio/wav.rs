//! WAV in (via hound, streamed) and out (16-bit PCM mono, atomic, owner-only).
//!
//! Job: stream any PCM/float WAV hound understands to the decoder's mono sink, recovering what
//! is there from a truncated file; write WAVs atomically (temp file in the same folder, fsync,
//! rename) with mode 0600.
//! Must never: read the whole file into memory, leave a half-written WAV under the final name,
//! or create a file other users can read.

use std::fs::File;
use std::io::{BufReader, BufWriter, ErrorKind, Write};
use std::path::Path;

use super::decode::{MonoSink, Source};
use super::error::show;
use super::resample::downmix_into;
use super::{AudioError, MIN_RATE};

/// Frames per block handed to the sink.
const BLOCK_FRAMES: usize = 8192;
/// A truncated WAV with at least this much audio is accepted (with a warning).
const MIN_TRUNCATED_SECONDS: f64 = 1.0;

/// Why hound could not read the file before any audio was produced (the caller may then try
/// symphonia).
pub(crate) enum WavOpen {
    /// hound rejected the header or encoding; the error text for the final message.
    Rejected(hound::Error),
}

/// Stream a WAV through hound. `Ok(Err(WavOpen))` means "hound can't, try another decoder";
/// `Err` is final. On success returns warnings (e.g. truncation).
pub(crate) fn decode_wav<E: From<AudioError>>(
    path: &Path,
    sink: &mut impl MonoSink<E>,
) -> Result<Result<Vec<String>, WavOpen>, E> {
    let file = File::open(path).map_err(|source| AudioError::Read {
        file: show(path),
        source,
    })?;
    let file_len = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
    let mut reader = match hound::WavReader::new(BufReader::new(file)) {
        Ok(r) => r,
        Err(e) => return Ok(Err(WavOpen::Rejected(e))),
    };
    let spec = reader.spec();
    if spec.channels == 0 {
        return Ok(Err(WavOpen::Rejected(hound::Error::FormatError(
            "zero channels",
        ))));
    }
    let supported = match spec.sample_format {
        hound::SampleFormat::Int => (8..=32).contains(&spec.bits_per_sample),
        hound::SampleFormat::Float => spec.bits_per_sample == 32,
    };
    if !supported {
        return Ok(Err(WavOpen::Rejected(hound::Error::Unsupported)));
    }
    if spec.sample_rate < MIN_RATE {
        return Err(AudioError::RateTooLow {
            file: show(path),
            rate: spec.sample_rate,
            min: MIN_RATE,
        }
        .into());
    }
    let promised = reader.duration() as u64;
    // Never trust the header beyond the file size (streaming recorders write 0xFFFFFFFF).
    let frame_bytes = spec.channels as u64 * spec.bits_per_sample.div_ceil(8) as u64;
    let present = file_len / frame_bytes.max(1);
    sink.start(&Source {
        rate: spec.sample_rate,
        channels: spec.channels,
        frames_hint: Some(promised.min(present)),
    })?;

    let ch = spec.channels as usize;
    let mut inter: Vec<f32> = Vec::with_capacity(BLOCK_FRAMES * ch);
    let mut mono: Vec<f32> = Vec::with_capacity(BLOCK_FRAMES);
    let mut frames: u64 = 0;
    let mut failure: Option<hound::Error> = None;

    let mut flush = |inter: &mut Vec<f32>, frames: &mut u64| -> Result<(), E> {
        let whole = inter.len() - inter.len() % ch;
        mono.clear();
        downmix_into(&inter[..whole], ch, &mut mono);
        *frames += mono.len() as u64;
        inter.clear();
        sink.block(&mono)
    };

    match spec.sample_format {
        hound::SampleFormat::Float => {
            for s in reader.samples::<f32>() {
                match s {
                    Ok(v) => inter.push(if v.is_finite() { v } else { 0.0 }),
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
                if inter.len() == BLOCK_FRAMES * ch {
                    flush(&mut inter, &mut frames)?;
                }
            }
        }
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            for s in reader.samples::<i32>() {
                match s {
                    Ok(v) => inter.push(v as f32 * scale),
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
                if inter.len() == BLOCK_FRAMES * ch {
                    flush(&mut inter, &mut frames)?;
                }
            }
        }
    }
    flush(&mut inter, &mut frames)?;

    let mut warnings = Vec::new();
    if let Some(err) = failure {
        if !is_short_read(&err) {
            if frames == 0 {
                return Ok(Err(WavOpen::Rejected(err)));
            }
            return Err(AudioError::Corrupt {
                file: show(path),
                detail: err.to_string(),
            }
            .into());
        }
        let rate = spec.sample_rate as f64;
        let (want, got) = (promised as f64 / rate, frames as f64 / rate);
        let detail = format!("header promises {want:.2} s of audio but only {got:.2} s is present");
        if got < MIN_TRUNCATED_SECONDS {
            return Err(AudioError::Truncated {
                file: show(path),
                detail,
            }
            .into());
        }
        warnings.push(format!(
            "{}: truncated WAV: {detail}; using what is there",
            show(path)
        ));
    }
    Ok(Ok(warnings))
}

/// hound's way of saying "the file ended early" (it reports `Other`, not `UnexpectedEof`).
pub(crate) fn is_short_read(err: &hound::Error) -> bool {
    match err {
        hound::Error::IoError(io) => {
            io.kind() == ErrorKind::UnexpectedEof || io.to_string().contains("enough bytes")
        }
        _ => false,
    }
}

/// Write `samples` (mono, -1..1) as a 16-bit PCM WAV at `rate` Hz, atomically and with mode
/// 0600: a temp file in the same folder is written, synced and renamed over `path`.
pub fn write_wav(path: &Path, samples: &[f32], rate: u32) -> Result<(), AudioError> {
    let fail = |detail: String| AudioError::Write {
        file: show(path),
        detail,
    };
    if rate == 0 {
        return Err(fail("sample rate 0 Hz".into()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "audio".into());
    // tempfile creates the file with mode 0600 on Unix.
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| fail(e.to_string()))?;
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    {
        let mut writer = hound::WavWriter::new(BufWriter::new(tmp.as_file()), spec)
            .map_err(|e| fail(e.to_string()))?;
        for &s in samples {
            // NaN clamps to NaN and casts to 0.
            let v = (s.clamp(-1.0, 1.0) * 32767.0).round() as i16;
            writer.write_sample(v).map_err(|e| fail(e.to_string()))?;
        }
        writer.finalize().map_err(|e| fail(e.to_string()))?;
    }
    let mut file = tmp.as_file();
    file.flush().map_err(|e| fail(e.to_string()))?;
    file.sync_all().map_err(|e| fail(e.to_string()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o600))
            .map_err(|e| fail(e.to_string()))?;
    }
    tmp.persist(path).map_err(|e| fail(e.error.to_string()))?;
    Ok(())
}
