//! The dictation recorder behind `medscribe record` and `medscribe devices`.
//!
//! Job: capture from a microphone with cpal (any sample format, rate and channel count),
//! convert to 16 kHz mono as it arrives, and write a 16-bit WAV that stays playable whatever
//! happens to the process; list input devices; handle pause/stop keys and Ctrl-C.
//! Must never: lose audio that reached the process, overwrite a recording unasked, log or
//! print anything the provider said, or panic on a missing, busy or vanishing device.
//!
//! Files: `devices` (listing, `--device` lookup), `capture` (cpal stream → channel),
//! `convert` (sample formats → f32), `resample` (streaming 16 kHz mono), `meter` (levels,
//! silence/clipping warnings), `quiet` (mute C-library chatter), `wav_sink` (crash-safe WAV, header repair), `keys` (keys,
//! signals), `session` (the loop).

mod capture;
mod convert;
mod devices;
mod error;
mod keys;
mod meter;
mod quiet;
mod resample;
mod session;
mod wav_sink;

#[cfg(test)]
mod tests;

pub use convert::{data_to_f32, to_f32};
pub use devices::{InputInfo, list_inputs, render as render_devices};
pub use error::RecordError;
pub use keys::{Key, RawMode, install_signal_handlers, parse_key, parse_line, spawn_reader};
pub use meter::{Level, Meter, Warning, bar, db, level_of};
pub use resample::LiveResampler;
pub use session::{Controls, Event, Options, Stop, Summary, record};
pub use wav_sink::{Repair, WavSink, repair};
