//! Decode any common recorder file into a stream of mono blocks at the source rate.
//!
//! Job: sniff the content (not the extension), send RIFF/WAV through hound and everything else
//! (MP3, AAC/M4A, OGG Vorbis, FLAC, ALAC, CAF, MKV/WebM audio, WAVs hound rejects) through
//! symphonia, packet by packet, downmixing each packet to mono before it reaches the sink.
//! Must never: hold the whole decoded file, trust the file extension, or panic on corrupt,
//! truncated or non-audio input — every failure is an `AudioError` naming the file.

use std::fs::File;
use std::io::{ErrorKind, Read};
use std::path::Path;

use symphonia::core::audio::{SampleBuffer, SignalSpec};
use symphonia::core::codecs::{CODEC_TYPE_NULL, CODEC_TYPE_OPUS, DecoderOptions};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use super::error::show;
use super::resample::downmix_into;
use super::wav::{WavOpen, decode_wav, is_short_read};
use super::{AudioError, MIN_RATE};

/// What the decoder learned about the source before the first block.
pub(crate) struct Source {
    pub rate: u32,
    pub channels: u16,
    /// Frames the container claims to hold, when it says.
    pub frames_hint: Option<u64>,
}

/// Receives decoded audio: `start` once before any block (it may be called again, before any
/// block, if a first decoder gives up and a second one takes over), then mono blocks.
pub(crate) trait MonoSink<E> {
    fn start(&mut self, source: &Source) -> Result<(), E>;
    fn block(&mut self, mono: &[f32]) -> Result<(), E>;
}

/// Decode `path` into `sink`; returns warnings (one line each, e.g. a truncated file).
pub(crate) fn decode<E: From<AudioError>>(
    path: &Path,
    sink: &mut impl MonoSink<E>,
) -> Result<Vec<String>, E> {
    let read_err = |source| AudioError::Read {
        file: show(path),
        source,
    };
    let mut file = File::open(path).map_err(read_err)?;
    let len = file.metadata().map_err(read_err)?.len();
    if len == 0 {
        return Err(AudioError::Empty { file: show(path) }.into());
    }
    let mut magic = [0u8; 4];
    let got = read_up_to(&mut file, &mut magic).map_err(read_err)?;
    drop(file);
    if magic[..got] == *b"RF64" || magic[..got] == *b"RIFX" {
        return Err(AudioError::Unsupported {
            file: show(path),
            detail: "RF64/RIFX WAV is not supported; convert it first, \
                     e.g. `ffmpeg -i in.wav -ar 16000 -ac 1 out.wav`"
                .into(),
        }
        .into());
    }
    if magic[..got] != *b"RIFF" {
        return match decode_symphonia(path, sink)? {
            Some(w) => Ok(w),
            None => Err(AudioError::NotAudio { file: show(path) }.into()),
        };
    }
    let hound_err = match decode_wav(path, sink)? {
        Ok(warnings) => return Ok(warnings),
        Err(WavOpen::Rejected(e)) => e,
    };
    if let Some(w) = decode_symphonia(path, sink)? {
        return Ok(w);
    }
    let file = show(path);
    Err(match hound_err {
        e if is_short_read(&e) => AudioError::Truncated {
            file,
            detail: "the file ends inside the WAV header".into(),
        },
        hound::Error::IoError(source) => AudioError::Read { file, source },
        hound::Error::Unsupported => AudioError::Unsupported {
            file,
            detail: "this WAV encoding is not supported; convert to 16-bit PCM \
                     (e.g. `sox in.wav -b 16 out.wav`)"
                .into(),
        },
        hound::Error::FormatError(_) => AudioError::NotAudio { file },
        other => AudioError::Corrupt {
            file,
            detail: other.to_string(),
        },
    }
    .into())
}

/// Read into `buf` until full or EOF; returns bytes read.
fn read_up_to(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match file.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Decode with symphonia. `Ok(None)`: symphonia does not recognise the container at all.
fn decode_symphonia<E: From<AudioError>>(
    path: &Path,
    sink: &mut impl MonoSink<E>,
) -> Result<Option<Vec<String>>, E> {
    let name = show(path);
    let file = File::open(path).map_err(|source| AudioError::Read {
        file: name.clone(),
        source,
    })?;
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let opts = FormatOptions {
        enable_gapless: true,
        ..Default::default()
    };
    let probed = match symphonia::default::get_probe().format(
        &hint,
        mss,
        &opts,
        &MetadataOptions::default(),
    ) {
        Ok(p) => p,
        Err(_) => return Ok(None),
    };
    let mut format = probed.format;
    let Some(track) = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
    else {
        return Err(AudioError::NoTrack { file: name }.into());
    };
    let params = track.codec_params.clone();
    let track_id = track.id;
    if params.codec == CODEC_TYPE_OPUS {
        return Err(AudioError::Unsupported {
            file: name,
            detail: "Opus audio cannot be decoded (no pure-Rust Opus decoder); convert it first, \
                     e.g. `ffmpeg -i in.opus -ar 16000 -ac 1 out.wav`"
                .into(),
        }
        .into());
    }
    let mut decoder =
        match symphonia::default::get_codecs().make(&params, &DecoderOptions::default()) {
            Ok(d) => d,
            Err(_) => {
                let codec = symphonia::default::get_codecs()
                    .get_codec(params.codec)
                    .map(|d| d.short_name)
                    .unwrap_or("unknown");
                return Err(AudioError::Unsupported {
                    file: name,
                    detail: format!("codec `{codec}` cannot be decoded"),
                }
                .into());
            }
        };
    if let Some(rate) = params.sample_rate {
        check_rate(&name, rate)?;
    }

    let mut warnings = Vec::new();
    let mut spec: Option<SignalSpec> = None;
    let mut buf: Option<SampleBuffer<f32>> = None;
    let mut buf_channels = 0usize;
    let mut mono: Vec<f32> = Vec::new();
    let mut frames: u64 = 0;
    let mut bad_packets: u64 = 0;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymError::IoError(e)) if e.kind() == ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(e) if frames > 0 => {
                warnings.push(format!(
                    "{name}: stopped at unreadable data ({e}); using what is there"
                ));
                break;
            }
            Err(e) => {
                return Err(AudioError::Corrupt {
                    file: name,
                    detail: e.to_string(),
                }
                .into());
            }
        };
        if packet.track_id() != track_id {
            continue;
        }
        let decoded = match decoder.decode(&packet) {
            Ok(d) => d,
            Err(SymError::DecodeError(_)) | Err(SymError::IoError(_)) => {
                bad_packets += 1;
                continue;
            }
            Err(e) => {
                return Err(AudioError::Corrupt {
                    file: name,
                    detail: e.to_string(),
                }
                .into());
            }
        };
        let this_spec = *decoded.spec();
        match spec {
            None => {
                check_rate(&name, this_spec.rate)?;
                sink.start(&Source {
                    rate: this_spec.rate,
                    channels: this_spec.channels.count() as u16,
                    frames_hint: params.n_frames,
                })?;
                spec = Some(this_spec);
            }
            Some(s) if s.rate != this_spec.rate => {
                return Err(AudioError::Unsupported {
                    file: name,
                    detail: format!(
                        "sample rate changes mid-stream ({} → {} Hz)",
                        s.rate, this_spec.rate
                    ),
                }
                .into());
            }
            Some(_) => {}
        }
        let ch = this_spec.channels.count();
        if ch == 0 {
            return Err(AudioError::Corrupt {
                file: name,
                detail: "a packet decodes to zero channels".into(),
            }
            .into());
        }
        let needed = decoded.frames() * ch;
        let reuse = matches!(&buf, Some(b) if b.capacity() >= needed && buf_channels == ch);
        if !reuse {
            let frames_cap = (decoded.capacity().max(decoded.frames())) as u64;
            buf = Some(SampleBuffer::<f32>::new(frames_cap, this_spec));
            buf_channels = ch;
        }
        let Some(sb) = buf.as_mut() else {
            continue;
        };
        sb.copy_interleaved_ref(decoded);
        mono.clear();
        downmix_into(sb.samples(), ch, &mut mono);
        for s in mono.iter_mut() {
            if !s.is_finite() {
                *s = 0.0;
            }
        }
        frames += mono.len() as u64;
        sink.block(&mono)?;
    }
    if frames == 0 {
        return Err(if bad_packets > 0 {
            AudioError::Corrupt {
                file: name,
                detail: format!("none of {bad_packets} audio packets could be decoded"),
            }
        } else {
            AudioError::NoSamples { file: name }
        }
        .into());
    }
    if bad_packets > 0 {
        warnings.push(format!(
            "{name}: skipped {bad_packets} corrupt audio packet(s)"
        ));
    }
    Ok(Some(warnings))
}

fn check_rate(name: &str, rate: u32) -> Result<(), AudioError> {
    if rate < MIN_RATE {
        return Err(AudioError::RateTooLow {
            file: name.to_string(),
            rate,
            min: MIN_RATE,
        });
    }
    Ok(())
}
