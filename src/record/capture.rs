//! Live capture with cpal: open the chosen device and hand its buffers, converted to f32, to
//! the recording loop over a channel.
//!
//! Job: the audio-thread side of recording: convert and forward, nothing else (no file I/O,
//! no locks the main thread holds for long). Stream errors travel on the same channel so the
//! loop can tell a vanished device from a hiccup.
//! Must never: block or panic in the audio callback, drop a buffer (the channel is
//! unbounded), or log audio content.

use std::sync::mpsc::{Receiver, Sender, channel};

use cpal::traits::{DeviceTrait, StreamTrait};

use super::convert;

/// What the audio thread sends.
pub enum Msg {
    /// Interleaved f32 samples in the stream's channel layout.
    Data(Vec<f32>),
    /// A buffer in a format the converter does not know (should not happen: the config is
    /// chosen from the supported ones).
    BadFormat,
    /// The backend reported an error; `fatal` when the device is gone.
    Error { fatal: bool, detail: String },
}

/// A running input stream (stops when dropped).
pub struct Capture {
    _stream: cpal::Stream,
    pub rx: Receiver<Msg>,
    pub rate: u32,
    pub channels: u16,
    pub format: cpal::SampleFormat,
}

/// Open and start `dev` with `config`.
pub fn start(dev: &cpal::Device, config: &cpal::SupportedStreamConfig) -> Result<Capture, String> {
    let (tx, rx) = channel::<Msg>();
    let err_tx: Sender<Msg> = tx.clone();
    let on_data = move |data: &cpal::Data, _: &cpal::InputCallbackInfo| {
        let mut buf = Vec::with_capacity(data.len());
        let msg = if convert::data_to_f32(data, &mut buf) {
            Msg::Data(buf)
        } else {
            Msg::BadFormat
        };
        let _ = tx.send(msg);
    };
    let on_error = move |e: cpal::Error| {
        use cpal::ErrorKind as K;
        let fatal = matches!(
            e.kind(),
            K::DeviceNotAvailable | K::StreamInvalidated | K::DeviceChanged
        );
        let _ = err_tx.send(Msg::Error {
            fatal,
            detail: e.to_string(),
        });
    };
    let quiet = super::quiet::Quiet::new();
    let stream = dev
        .build_input_stream_raw(
            config.config(),
            config.sample_format(),
            on_data,
            on_error,
            Some(std::time::Duration::from_secs(5)),
        )
        .map_err(|e| e.to_string())?;
    stream.play().map_err(|e| e.to_string())?;
    drop(quiet);
    Ok(Capture {
        _stream: stream,
        rx,
        rate: config.sample_rate(),
        channels: config.channels(),
        format: config.sample_format(),
    })
}
