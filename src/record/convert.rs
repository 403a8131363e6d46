//! Sample-format conversion: whatever the device delivers (i8/i16/i32/u8/u16/u32/f32/f64)
//! becomes interleaved f32 in -1..1.
//!
//! Job: one function per cpal buffer, called on the audio thread, so it must be cheap.
//! Must never: panic on a format it does not know (it reports `false`), drop or reorder
//! samples, or look at what the samples say.

use cpal::{Data, FromSample, Sample, SampleFormat};

/// Formats the recorder can take, best first (used to pick a device configuration).
pub const SUPPORTED: [SampleFormat; 8] = [
    SampleFormat::F32,
    SampleFormat::I16,
    SampleFormat::I32,
    SampleFormat::U16,
    SampleFormat::F64,
    SampleFormat::U32,
    SampleFormat::I8,
    SampleFormat::U8,
];

/// Whether [`data_to_f32`] understands `format`.
pub fn is_supported(format: SampleFormat) -> bool {
    SUPPORTED.contains(&format)
}

/// Append `samples` converted to f32 (-1..1, clamped) to `out`.
pub fn to_f32<T>(samples: &[T], out: &mut Vec<f32>)
where
    T: Sample,
    f32: FromSample<T>,
{
    out.extend(
        samples
            .iter()
            .map(|s| s.to_sample::<f32>().clamp(-1.0, 1.0)),
    );
}

/// Convert one cpal buffer, appending to `out`. Returns `false` (appending nothing) for a
/// format outside [`SUPPORTED`].
pub fn data_to_f32(data: &Data, out: &mut Vec<f32>) -> bool {
    fn go<T>(data: &Data, out: &mut Vec<f32>) -> bool
    where
        T: cpal::SizedSample,
        f32: FromSample<T>,
    {
        match data.as_slice::<T>() {
            Some(s) => {
                to_f32(s, out);
                true
            }
            None => false,
        }
    }
    match data.sample_format() {
        SampleFormat::F32 => go::<f32>(data, out),
        SampleFormat::I16 => go::<i16>(data, out),
        SampleFormat::I32 => go::<i32>(data, out),
        SampleFormat::U16 => go::<u16>(data, out),
        SampleFormat::F64 => go::<f64>(data, out),
        SampleFormat::U32 => go::<u32>(data, out),
        SampleFormat::I8 => go::<i8>(data, out),
        SampleFormat::U8 => go::<u8>(data, out),
        _ => false,
    }
}
