//! Input level metering: dBFS per 100 ms window, a text bar, and warnings when the input
//! stays silent or clips for several seconds.
//!
//! Job: tell the provider the microphone is working (or is muted / too hot) while they speak.
//! Must never: keep or log the audio it measures (it keeps two numbers per window).

/// Quietest level shown; anything below is "silence" on the bar.
pub const FLOOR_DB: f32 = -60.0;
/// RMS below this for [`SILENT_SECONDS`] → [`Warning::Silent`].
pub const SILENT_DB: f32 = -50.0;
pub const SILENT_SECONDS: f64 = 5.0;
/// A window whose peak reaches this (about -0.1 dBFS) counts as clipped.
pub const CLIP_PEAK: f32 = 0.989;
/// Clipped windows in the last [`CLIP_SECONDS`] needed for [`Warning::Clipping`].
pub const CLIP_SECONDS: f64 = 3.0;
const CLIP_SHARE: f64 = 0.3;

/// Level of one window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// RMS level in dBFS (a full-scale sine is -3 dBFS); `-inf` for digital silence.
    pub rms_db: f32,
    /// Peak level in dBFS.
    pub peak_db: f32,
    /// Any sample at or above [`CLIP_PEAK`].
    pub clipped: bool,
}

/// dBFS of an amplitude ratio (`-inf` for 0).
pub fn db(x: f32) -> f32 {
    20.0 * x.max(0.0).log10()
}

/// Level of a block of samples (interleaved channels are fine).
pub fn level_of(samples: &[f32]) -> Level {
    let mut sum = 0.0f64;
    let mut peak = 0.0f32;
    for s in samples {
        sum += (*s as f64) * (*s as f64);
        peak = peak.max(s.abs());
    }
    let rms = if samples.is_empty() {
        0.0
    } else {
        (sum / samples.len() as f64).sqrt() as f32
    };
    Level {
        rms_db: db(rms),
        peak_db: db(peak),
        clipped: peak >= CLIP_PEAK,
    }
}

/// A text bar `width` wide for `level` (RMS filled with '#', peak marked with '|').
pub fn bar(level: &Level, width: usize) -> String {
    let pos = |d: f32| -> usize {
        if !d.is_finite() || d <= FLOOR_DB {
            return 0;
        }
        (((d - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0) * width as f32).round() as usize
    };
    let fill = pos(level.rms_db).min(width);
    let peak = pos(level.peak_db).min(width);
    (0..width)
        .map(|i| match i {
            _ if i < fill => '#',
            _ if peak > 0 && i + 1 == peak => '|',
            _ => '-',
        })
        .collect()
}

/// A condition worth telling the provider about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Warning {
    /// Nothing above [`SILENT_DB`] for several seconds.
    Silent,
    /// Clipping in a good share of windows over several seconds.
    Clipping,
}

impl Warning {
    pub fn message(self) -> &'static str {
        match self {
            Warning::Silent => {
                "the input has been silent for 5 s: is the microphone muted, or is another input the default? (`medscribe devices`)"
            }
            Warning::Clipping => {
                "the input is clipping (too loud): move the microphone away from your mouth or lower the input gain"
            }
        }
    }
}

/// Cuts the sample stream into windows and watches for long silence and clipping.
pub struct Meter {
    window: usize,
    seconds_per_window: f64,
    buf: Vec<f32>,
    silent_for: f64,
    silent_warned: bool,
    recent_clips: std::collections::VecDeque<bool>,
    clip_warned: bool,
    last: Level,
}

impl Meter {
    /// Windows of 100 ms of `rate` Hz audio with `channels` channels.
    pub fn new(rate: u32, channels: u16) -> Self {
        let frames = (rate as usize / 10).max(1);
        Self {
            window: frames * channels.max(1) as usize,
            seconds_per_window: frames as f64 / rate.max(1) as f64,
            buf: Vec::new(),
            silent_for: 0.0,
            silent_warned: false,
            recent_clips: Default::default(),
            clip_warned: false,
            last: level_of(&[]),
        }
    }

    /// Level of the last complete window.
    pub fn last(&self) -> Level {
        self.last
    }

    /// Measure `samples`; returns the warnings that became due.
    pub fn push(&mut self, samples: &[f32]) -> Vec<Warning> {
        let mut due = Vec::new();
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (self.window - self.buf.len()).min(rest.len());
            self.buf.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.buf.len() == self.window {
                let level = level_of(&self.buf);
                self.buf.clear();
                due.extend(self.window_done(level));
            }
        }
        due
    }

    fn window_done(&mut self, level: Level) -> Option<Warning> {
        self.last = level;
        let mut due = None;
        if level.rms_db < SILENT_DB {
            self.silent_for += self.seconds_per_window;
            if self.silent_for >= SILENT_SECONDS - 1e-9 && !self.silent_warned {
                self.silent_warned = true;
                due = Some(Warning::Silent);
            }
        } else {
            self.silent_for = 0.0;
            self.silent_warned = false;
        }
        let span = (CLIP_SECONDS / self.seconds_per_window).round().max(1.0) as usize;
        self.recent_clips.push_back(level.clipped);
        while self.recent_clips.len() > span {
            self.recent_clips.pop_front();
        }
        let clips = self.recent_clips.iter().filter(|c| **c).count();
        if self.recent_clips.len() == span && clips as f64 >= CLIP_SHARE * span as f64 {
            if !self.clip_warned {
                self.clip_warned = true;
                due = due.or(Some(Warning::Clipping));
            }
        } else if clips == 0 {
            self.clip_warned = false;
        }
        due
    }
}
