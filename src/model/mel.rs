//! The mel filterbank a whisper.cpp model file carries: librosa's default filters for
//! 16 kHz, n_fft 400, 80 mels (Slaney mel scale, Slaney area normalisation), the values
//! of openai/whisper's `mel_filters.npz`. Computed in f64 and stored as f32, as librosa does.

const SAMPLE_RATE: f64 = 16_000.0;
pub const N_FFT: usize = 400;

fn hz_to_mel(f: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if f >= min_log_hz {
        min_log_mel + (f / min_log_hz).ln() / logstep
    } else {
        f / f_sp
    }
}

fn mel_to_hz(m: f64) -> f64 {
    let f_sp = 200.0 / 3.0;
    let min_log_hz = 1000.0;
    let min_log_mel = min_log_hz / f_sp;
    let logstep = 6.4f64.ln() / 27.0;
    if m >= min_log_mel {
        min_log_hz * (logstep * (m - min_log_mel)).exp()
    } else {
        f_sp * m
    }
}

/// `n_mels` × (N_FFT/2 + 1) filter weights, row-major.
pub fn filters(n_mels: usize) -> Vec<f32> {
    let n_bins = N_FFT / 2 + 1;
    let fft_freqs: Vec<f64> = (0..n_bins)
        .map(|i| i as f64 * (SAMPLE_RATE / 2.0) / (n_bins - 1) as f64)
        .collect();
    let (lo, hi) = (hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE / 2.0));
    let mel_f: Vec<f64> = (0..n_mels + 2)
        .map(|i| mel_to_hz(lo + (hi - lo) * i as f64 / (n_mels + 1) as f64))
        .collect();
    let mut out = Vec::with_capacity(n_mels * n_bins);
    for i in 0..n_mels {
        let (f0, f1, f2) = (mel_f[i], mel_f[i + 1], mel_f[i + 2]);
        let enorm = 2.0 / (f2 - f0);
        for &f in &fft_freqs {
            let lower = (f - f0) / (f1 - f0);
            let upper = (f2 - f) / (f2 - f1);
            out.push((lower.min(upper).max(0.0) * enorm) as f32);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_known_whisper_filter_values() {
        // Spot values of openai/whisper's mel_filters.npz["mel_80"].
        let f = filters(80);
        assert_eq!(f.len(), 80 * 201);
        // Row 0 peaks at bin 1 with 0.02486259 (librosa, Slaney norm).
        assert!((f[1] - 0.024_862_59).abs() < 1e-6, "got {}", f[1]);
        assert_eq!(f[0], 0.0);
        let near = |got: f32, want: f32| assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        near(f[201 * 40 + 43], 0.014_735_566);
        near(f[201 * 79 + 187], 0.000_833_07);
        near(f.iter().map(|&v| v as f64).sum::<f64>() as f32, 1.999_024_1);
        // Every row has some weight, none negative.
        for r in 0..80 {
            let row = &f[r * 201..(r + 1) * 201];
            assert!(row.iter().all(|&v| v >= 0.0));
            assert!(row.iter().any(|&v| v > 0.0), "row {r} empty");
        }
    }
}
