//! Input devices: list what can record, and find the one the provider asked for.
//!
//! Job: `medscribe devices` (name, default marker, supported rates, channels and formats) and
//! `--device NAME` resolution with an error that lists the alternatives.
//! Must never: open a stream or capture audio while listing, or panic when the audio system
//! is missing or a device vanishes while being queried.

use cpal::traits::{DeviceTrait, HostTrait};
use serde::Serialize;

use super::convert;
use super::error::RecordError;
use super::quiet::Quiet;

/// One input device as shown to the user.
#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    /// Human name (what `--device` matches first).
    pub name: String,
    /// The backend's id (ALSA PCM name such as `default` or `hw:CARD=USB,DEV=0`).
    pub id: String,
    /// The system's default input.
    pub default: bool,
    /// Channel counts offered.
    pub channels: Vec<u16>,
    /// Lowest and highest sample rate offered (Hz).
    pub rates: Option<(u32, u32)>,
    /// Sample formats offered (`i16`, `f32`, ...).
    pub formats: Vec<String>,
    /// Why the capabilities could not be read, if they could not.
    pub problem: Option<String>,
}

impl InputInfo {
    /// Whether `query` names this device: exact (case-insensitive) name or id.
    fn is_exactly(&self, query: &str) -> bool {
        self.name.eq_ignore_ascii_case(query) || self.id.eq_ignore_ascii_case(query)
    }

    fn contains(&self, query: &str) -> bool {
        let q = query.to_lowercase();
        self.name.to_lowercase().contains(&q) || self.id.to_lowercase().contains(&q)
    }

    /// One line for lists and messages: `id (name)` (the id is what `--device` takes most
    /// easily), or just the name when there is no separate id.
    pub fn label(&self) -> String {
        if self.id.is_empty() || self.id == self.name {
            self.name.clone()
        } else {
            format!("{} ({})", self.id, self.name)
        }
    }
}

fn describe(dev: &cpal::Device, default_id: Option<&str>) -> InputInfo {
    let name = dev
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| "(unnamed device)".into());
    let id = dev.id().map(|i| i.id().to_string()).unwrap_or_default();
    let mut info = InputInfo {
        default: default_id.is_some_and(|d| d == id),
        name,
        id,
        channels: Vec::new(),
        rates: None,
        formats: Vec::new(),
        problem: None,
    };
    match dev.supported_input_configs() {
        Ok(configs) => {
            for c in configs {
                if !info.channels.contains(&c.channels()) {
                    info.channels.push(c.channels());
                }
                let f = c.sample_format().to_string();
                if !info.formats.contains(&f) {
                    info.formats.push(f);
                }
                let (lo, hi) = (c.min_sample_rate(), c.max_sample_rate());
                info.rates = Some(match info.rates {
                    Some((a, b)) => (a.min(lo), b.max(hi)),
                    None => (lo, hi),
                });
            }
            info.channels.sort_unstable();
        }
        Err(e) => info.problem = Some(e.to_string()),
    }
    info
}

/// The input devices of the default host, the default first.
pub fn list_inputs() -> Vec<InputInfo> {
    list_with_devices()
        .into_iter()
        .map(|(info, _)| info)
        .collect()
}

fn list_with_devices() -> Vec<(InputInfo, cpal::Device)> {
    let _quiet = Quiet::new();
    let host = cpal::default_host();
    let default_id = host
        .default_input_device()
        .and_then(|d| d.id().ok())
        .map(|i| i.id().to_string());
    let mut out: Vec<(InputInfo, cpal::Device)> = match host.input_devices() {
        Ok(devs) => devs
            .map(|d| (describe(&d, default_id.as_deref()), d))
            .collect(),
        Err(_) => Vec::new(),
    };
    // Plugins that cannot even say what they support (JACK without a server, OSS without
    // /dev/dsp, rate converters) cannot record either.
    // ALSA's "null" device only makes zeros: never a microphone.
    out.retain(|(i, _)| i.problem.is_none() && !i.channels.is_empty() && i.id != "null");
    out.sort_by_key(|(i, _)| !i.default);
    out
}

/// Text listing for `medscribe devices`.
pub fn render(list: &[InputInfo]) -> String {
    let mut s = String::new();
    for d in list {
        let mark = if d.default { "* " } else { "  " };
        let def = if d.default { "  [default]" } else { "" };
        s.push_str(&format!("{mark}{}{def}\n", d.label()));
        if let Some(p) = &d.problem {
            s.push_str(&format!("      cannot read capabilities: {p}\n"));
            continue;
        }
        let ch = ranges(&d.channels);
        let rates = match d.rates {
            Some((a, b)) if a == b => format!("{a} Hz"),
            Some((a, b)) => format!("{a}-{b} Hz"),
            None => "none".into(),
        };
        s.push_str(&format!(
            "      rates {rates}; channels {ch}; formats {}\n",
            d.formats.join(", ")
        ));
    }
    s
}

/// `1, 2, 4-8` for a sorted list of counts.
fn ranges(v: &[u16]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i;
        while j + 1 < v.len() && v[j + 1] == v[j] + 1 {
            j += 1;
        }
        parts.push(if j > i + 1 {
            format!("{}-{}", v[i], v[j])
        } else {
            v[i].to_string()
        });
        if j == i + 1 {
            parts.push(v[j].to_string());
        }
        i = j + 1;
    }
    parts.join(", ")
}

/// The device to record from: `name` (exact name/id, else a unique partial match) or the
/// system default.
pub fn pick(name: Option<&str>) -> Result<(InputInfo, cpal::Device), RecordError> {
    if name.is_none() {
        let quiet = Quiet::new();
        let dev = cpal::default_host().default_input_device();
        let usable = dev.filter(|d| choose_config(d).is_ok());
        drop(quiet);
        if let Some(dev) = usable {
            let info = InputInfo {
                default: true,
                ..describe(&dev, None)
            };
            return Ok((info, dev));
        }
    }
    let all = list_with_devices();
    let available = || {
        let names: Vec<String> = all.iter().map(|(i, _)| i.label()).collect();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    let Some(query) = name else {
        let detail = match all.first() {
            Some(_) => format!(
                " (the default input cannot record; try --device with one of: {})",
                available()
            ),
            None => String::new(),
        };
        return Err(RecordError::NoInputDevice { detail });
    };
    let exact: Vec<usize> = (0..all.len())
        .filter(|i| all[*i].0.is_exactly(query))
        .collect();
    let found = if exact.is_empty() {
        (0..all.len())
            .filter(|i| all[*i].0.contains(query))
            .collect()
    } else {
        exact
    };
    match found.as_slice() {
        [one] => Ok(all[*one].clone()),
        [] => Err(RecordError::UnknownDevice {
            problem: "no",
            name: query.to_string(),
            available: available(),
        }),
        many => Err(RecordError::UnknownDevice {
            problem: "more than one",
            name: query.to_string(),
            available: many
                .iter()
                .map(|i| all[*i].0.label())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// A stream configuration the recorder can take, the device's default if possible.
pub fn choose_config(dev: &cpal::Device) -> Result<cpal::SupportedStreamConfig, String> {
    let _quiet = Quiet::new();
    if let Ok(c) = dev.default_input_config()
        && convert::is_supported(c.sample_format())
    {
        return Ok(c);
    }
    let mut ranges: Vec<_> = dev
        .supported_input_configs()
        .map_err(|e| e.to_string())?
        .collect();
    ranges.retain(|r| convert::is_supported(r.sample_format()));
    let rank = |f: cpal::SampleFormat| {
        convert::SUPPORTED
            .iter()
            .position(|s| *s == f)
            .unwrap_or(usize::MAX)
    };
    ranges.sort_by_key(|r| (rank(r.sample_format()), r.channels()));
    let r = ranges
        .into_iter()
        .next()
        .ok_or("it offers no sample format the recorder understands (i16, u16, i32, f32, ...)")?;
    let rate = 48_000.clamp(r.min_sample_rate(), r.max_sample_rate());
    Ok(r.with_sample_rate(rate))
}
