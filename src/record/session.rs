//! One recording session: device → convert → 16 kHz mono → crash-safe WAV, until a key, a
//! signal, `--max-seconds` or the device going away stops it.
//!
//! Job: run the loop and report progress through a callback (the CLI draws the meter).
//! Must never: lose audio that reached the process (every buffer is written; the header is
//! checkpointed every [`CHECKPOINT`]), start capturing before the output is known to be
//! writable, or leave an empty file behind when the device cannot be opened.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::capture::{self, Msg};
use super::devices::{self, InputInfo};
use super::error::RecordError;
use super::keys::{self, Key};
use super::meter::{Level, Meter, Warning};
use super::resample::LiveResampler;
use super::wav_sink::{self, Repair, WavSink};
use crate::audio::WHISPER_RATE;

/// How often the WAV header is brought up to date on disk.
pub const CHECKPOINT: Duration = Duration::from_millis(500);
/// No buffer from the device for this long (after the first) means it has gone.
pub const STALL: Duration = Duration::from_secs(4);
/// No buffer for this long after a stream error means the error was fatal.
pub const AFTER_ERROR: Duration = Duration::from_secs(1);
/// How long the first buffer may take to arrive.
pub const FIRST_BUFFER: Duration = Duration::from_secs(10);
const TICK: Duration = Duration::from_millis(100);

/// What to record and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub output: PathBuf,
    /// Continue `output` instead of creating it.
    pub append: bool,
    /// Replace an existing `output`.
    pub overwrite: bool,
    /// Device name or id (default input if `None`).
    pub device: Option<String>,
    /// Stop after this many seconds of new audio.
    pub max_seconds: Option<f64>,
}

/// Progress reported to the caller.
#[derive(Debug)]
pub enum Event<'a> {
    /// An interrupted recording found next to the output was repaired.
    Recovered {
        path: &'a Path,
        repair: Option<&'a Repair>,
    },
    /// Capture has started.
    Started {
        device: &'a InputInfo,
        rate: u32,
        channels: u16,
        format: String,
        existing_seconds: f64,
    },
    /// About ten times a second.
    Tick {
        seconds: f64,
        level: Level,
        paused: bool,
    },
    Paused(bool),
    Warning(Warning),
    /// A non-fatal stream problem (e.g. an overrun).
    StreamProblem(&'a str),
    /// New audio, 16 kHz mono, exactly as stored in the WAV (for live transcription).
    Audio(&'a [f32]),
}

/// Why the recording ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    Key,
    Signal,
    MaxSeconds,
    /// The device vanished or stopped delivering; what was recorded is kept.
    DeviceLost(String),
}

/// The result of a session.
#[derive(Debug, Clone)]
pub struct Summary {
    pub path: PathBuf,
    pub device: String,
    /// New audio in this session.
    pub seconds: f64,
    /// The whole file (earlier dictation included when appending).
    pub total_seconds: f64,
    pub stop: Stop,
    pub repaired: Option<Repair>,
}

/// Where stop requests come from.
pub struct Controls {
    pub keys: Option<Receiver<Key>>,
}

/// Record until stopped. See the module docs.
pub fn record(
    opts: &Options,
    controls: &Controls,
    mut on: impl FnMut(Event),
) -> Result<Summary, RecordError> {
    if let Some(m) = opts.max_seconds
        && !(m > 0.0 && m.is_finite())
    {
        return Err(RecordError::Option(format!(
            "--max-seconds {m}: must be a positive number of seconds"
        )));
    }
    if !opts.append {
        wav_sink::check_new(&opts.output, opts.overwrite)?;
    }
    let dir = match opts.output.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let own = opts.output.file_name().map(|n| dir.join(n));
    let mut own_repair = None;
    for (path, repair) in wav_sink::recover_interrupted(&dir) {
        if Some(&path) == own.as_ref() {
            own_repair = repair;
        } else {
            on(Event::Recovered {
                path: &path,
                repair: repair.as_ref(),
            });
        }
    }
    // The file first: a bad output fails before any device is touched.
    let (mut sink, repaired) = if opts.append {
        let (sink, r) = WavSink::append(&opts.output)?;
        (sink, r.or(own_repair))
    } else {
        (WavSink::create(&opts.output, opts.overwrite)?, None)
    };
    let (info, cap, resampler) = match open_device(opts.device.as_deref()) {
        Ok(v) => v,
        Err(e) => {
            sink.discard_if_empty();
            return Err(e);
        }
    };
    on(Event::Started {
        device: &info,
        rate: cap.rate,
        channels: cap.channels,
        format: cap.format.to_string(),
        existing_seconds: sink.total_seconds(),
    });
    let stop = run_loop(
        &info.label(),
        opts,
        controls,
        &cap,
        resampler,
        &mut sink,
        &mut on,
    );
    drop(cap);
    let stop = match stop {
        Ok(s) => s,
        Err(e) => {
            let _ = sink.checkpoint();
            return Err(e);
        }
    };
    if sink.written == 0 && sink.existing == 0 {
        sink.discard_if_empty();
        let why = match &stop {
            Stop::DeviceLost(d) => format!("it delivered no audio ({d})"),
            _ => "stopped before any audio arrived; nothing was saved".into(),
        };
        return Err(RecordError::Device {
            name: info.label(),
            detail: why,
        });
    }
    let seconds = sink.written as f64 / WHISPER_RATE as f64;
    let total_seconds = sink.total_seconds();
    let path = sink.path().to_path_buf();
    sink.finish()?;
    Ok(Summary {
        path,
        device: info.label(),
        seconds,
        total_seconds,
        stop,
        repaired,
    })
}

/// Pick the device, choose its format and start capturing.
fn open_device(
    name: Option<&str>,
) -> Result<(InputInfo, capture::Capture, LiveResampler), RecordError> {
    let (info, dev) = devices::pick(name)?;
    let dev_err = |detail: String| RecordError::Device {
        name: info.label(),
        detail,
    };
    let config = devices::choose_config(&dev).map_err(dev_err)?;
    let resampler =
        LiveResampler::new(config.channels(), config.sample_rate()).map_err(|detail| {
            RecordError::Format {
                name: info.label(),
                detail,
            }
        })?;
    let cap = capture::start(&dev, &config).map_err(dev_err)?;
    Ok((info, cap, resampler))
}

fn run_loop(
    name: &str,
    opts: &Options,
    controls: &Controls,
    cap: &capture::Capture,
    mut rs: LiveResampler,
    sink: &mut WavSink,
    on: &mut impl FnMut(Event),
) -> Result<Stop, RecordError> {
    let limit_frames = opts
        .max_seconds
        .map(|s| (s * cap.rate as f64).round() as u64);
    let ch = cap.channels.max(1) as usize;
    let mut meter = Meter::new(cap.rate, cap.channels);
    let mut out = Vec::new();
    let mut paused = false;
    let started = Instant::now();
    let mut last_data: Option<Instant> = None;
    let mut last_checkpoint = Instant::now();
    let mut last_tick = Instant::now();
    // The last non-fatal stream error: if no audio follows it, the device has gone.
    let mut last_error: Option<(Instant, String)> = None;
    let fmt_err = |detail: String| RecordError::Format {
        name: name.to_string(),
        detail,
    };
    let stop = loop {
        match cap.rx.recv_timeout(TICK) {
            Ok(Msg::Data(mut block)) => {
                last_data = Some(Instant::now());
                for w in meter.push(&block) {
                    on(Event::Warning(w));
                }
                if !paused {
                    let mut reached = false;
                    if let Some(limit) = limit_frames {
                        let room = limit.saturating_sub(rs.frames_in()) as usize;
                        if block.len() / ch >= room {
                            block.truncate(room * ch);
                            reached = true;
                        }
                    }
                    out.clear();
                    rs.push(&block, &mut out).map_err(fmt_err)?;
                    write(sink, &mut out, on)?;
                    if reached {
                        break Stop::MaxSeconds;
                    }
                }
            }
            Ok(Msg::BadFormat) => {
                break Stop::DeviceLost("the device sent samples in an unexpected format".into());
            }
            Ok(Msg::Error {
                fatal: true,
                detail,
            }) => break Stop::DeviceLost(detail),
            Ok(Msg::Error {
                fatal: false,
                detail,
            }) => {
                let fresh = match &last_error {
                    None => true,
                    Some((at, _)) => last_data.is_some_and(|t| t > *at),
                };
                if fresh {
                    if last_error.is_none() {
                        on(Event::StreamProblem(&detail));
                    }
                    last_error = Some((Instant::now(), detail));
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                break Stop::DeviceLost("the audio stream ended".into());
            }
        }
        if keys::signalled() {
            break Stop::Signal;
        }
        if let Some(rx) = &controls.keys {
            let mut stop_key = false;
            while let Ok(k) = rx.try_recv() {
                match k {
                    Key::Stop => stop_key = true,
                    Key::TogglePause => {
                        paused = !paused;
                        on(Event::Paused(paused));
                    }
                }
            }
            if stop_key {
                break Stop::Key;
            }
        }
        let silent_for = last_data.map_or(started.elapsed(), |t| t.elapsed());
        let allowed = if last_data.is_some() {
            STALL
        } else {
            FIRST_BUFFER
        };
        if silent_for > allowed {
            break Stop::DeviceLost(format!(
                "no audio from the device for {} s",
                allowed.as_secs()
            ));
        }
        if let Some((at, detail)) = &last_error
            && at.elapsed() > AFTER_ERROR
            && last_data.is_none_or(|t| t < *at)
        {
            break Stop::DeviceLost(detail.clone());
        }
        if last_checkpoint.elapsed() >= CHECKPOINT {
            sink.checkpoint()?;
            last_checkpoint = Instant::now();
        }
        if last_tick.elapsed() >= TICK {
            last_tick = Instant::now();
            let seconds = sink.written as f64 / WHISPER_RATE as f64;
            on(Event::Tick {
                seconds,
                level: meter.last(),
                paused,
            });
        }
    };
    // Buffers already captured when a key or signal stopped us are part of the dictation.
    if matches!(stop, Stop::Key | Stop::Signal) && !paused {
        while let Ok(Msg::Data(block)) = cap.rx.try_recv() {
            out.clear();
            rs.push(&block, &mut out).map_err(fmt_err)?;
            write(sink, &mut out, on)?;
        }
    }
    out.clear();
    rs.finish(&mut out).map_err(fmt_err)?;
    write(sink, &mut out, on)?;
    Ok(stop)
}

/// Store new samples, then hand them on exactly as a reader of the WAV will see them.
fn write(
    sink: &mut WavSink,
    samples: &mut [f32],
    on: &mut impl FnMut(Event),
) -> Result<(), RecordError> {
    sink.write(samples)?;
    if !samples.is_empty() {
        for s in samples.iter_mut() {
            *s = wav_sink::as_stored(*s);
        }
        on(Event::Audio(samples));
    }
    Ok(())
}
