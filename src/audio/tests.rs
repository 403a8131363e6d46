//! Tests for the audio stage. Fixtures are generated at test time with sox, ffmpeg and
//! espeak-ng into temp dirs; a missing tool fails the test (the Makefile installs them).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

// ---------- helpers ----------

/// Run an external tool; panic (fail, not skip) when it is missing or fails.
fn tool(program: &str, args: &[&str]) {
    let out = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("`{program}` is required by the audio tests but could not run ({e}); install it (sox, ffmpeg, espeak-ng)")
    });
    assert!(
        out.status.success(),
        "`{program} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn p(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// sox: 2 s of a 440 Hz sine at half scale with the given output options.
fn sox_tone(dir: &Path, name: &str, opts: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let mut args = vec!["-n"];
    args.extend_from_slice(opts);
    args.extend_from_slice(&[p(&out), "synth", "2", "sine", "440", "vol", "0.5"]);
    tool("sox", &args);
    out
}

/// ffmpeg: 2 s of a 440 Hz sine (ffmpeg's sine source is 1/8 scale) encoded with `codec`.
fn ffmpeg_tone(dir: &Path, name: &str, rate: u32, codec: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let src = format!("sine=frequency=440:duration=2:sample_rate={rate}");
    let mut args = vec![
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "lavfi",
        "-i",
        &src,
    ];
    args.extend_from_slice(codec);
    args.push(p(&out));
    tool("ffmpeg", &args);
    out
}

/// Goertzel power of `f` Hz in 16 kHz samples.
fn power_at(samples: &[f32], f: f64) -> f64 {
    let w = 2.0 * std::f64::consts::PI * f / WHISPER_RATE as f64;
    let c = 2.0 * w.cos();
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &x in samples {
        let s0 = x as f64 + c * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    (s1 * s1 + s2 * s2 - c * s1 * s2) / samples.len().max(1) as f64
}

/// The strongest frequency between 100 and 4000 Hz in 10 Hz steps.
fn dominant(samples: &[f32]) -> f64 {
    (10..400)
        .map(|k| k as f64 * 10.0)
        .map(|f| (f, power_at(samples, f)))
        .fold((0.0, -1.0), |best, x| if x.1 > best.1 { x } else { best })
        .0
}

fn rms(samples: &[f32]) -> f64 {
    (samples.iter().map(|&s| (s as f64).powi(2)).sum::<f64>() / samples.len().max(1) as f64).sqrt()
}

fn sine(freq: f64, rate: u32, seconds: f64, amp: f32) -> Vec<f32> {
    let n = (rate as f64 * seconds) as usize;
    (0..n)
        .map(|i| amp * (2.0 * std::f64::consts::PI * freq * i as f64 / rate as f64).sin() as f32)
        .collect()
}

/// Assert a loaded 2 s, 440 Hz tone: duration, dominant frequency, and (if given) RMS level.
fn assert_tone(audio: &Audio, tol_s: f64, want_rms: Option<f64>) {
    let d = audio.duration();
    assert!(
        (d - 2.0).abs() <= tol_s,
        "duration {d} s, want 2 s ± {tol_s}"
    );
    let mid = &audio.samples[1600..audio.samples.len() - 1600];
    let f = dominant(mid);
    assert!(
        (f - 440.0).abs() < 1.0,
        "dominant frequency {f} Hz, want 440 Hz"
    );
    // A clean tone: 440 Hz dwarfs its neighbours and the first harmonic.
    let p440 = power_at(mid, 440.0);
    for other in [300.0, 400.0, 480.0, 880.0, 1320.0] {
        assert!(
            p440 > 100.0 * power_at(mid, other),
            "{other} Hz too strong vs 440 Hz"
        );
    }
    if let Some(want) = want_rms {
        let got = rms(mid);
        assert!(
            (got - want).abs() / want < 0.03,
            "RMS {got}, want {want} ± 3 %"
        );
    }
    assert!(audio.samples.iter().all(|s| (-1.0..=1.0).contains(s)));
}

fn err_text(path: &Path) -> String {
    match load(path) {
        Ok(a) => panic!(
            "{} loaded ({} s) but should fail",
            path.display(),
            a.duration()
        ),
        Err(e) => e.to_string(),
    }
}

/// Ranges are a contiguous cover of 0..len, each at most `max` long.
fn assert_cover(ranges: &[Range<usize>], len: usize, max: usize) {
    let mut at = 0;
    for r in ranges {
        assert_eq!(r.start, at, "gap or overlap at {at}: {ranges:?}");
        assert!(r.end > r.start, "empty chunk {r:?}");
        assert!(r.len() <= max, "chunk {r:?} longer than {max}");
        at = r.end;
    }
    assert_eq!(at, len, "chunks do not reach the end: {ranges:?}");
}

const HALF_SCALE_RMS: f64 = 0.5 / std::f64::consts::SQRT_2;

// ---------- formats ----------

#[test]
fn wav_8k_16bit() {
    let d = tempfile::tempdir().unwrap();
    let f = sox_tone(d.path(), "a.wav", &["-r", "8000", "-b", "16", "-c", "1"]);
    let a = load(&f).unwrap();
    assert_eq!((a.source_rate, a.source_channels), (8000, 1));
    assert_eq!(a.samples.len(), 32000);
    assert_tone(&a, 0.001, Some(HALF_SCALE_RMS));
}

#[test]
fn wav_44k_stereo_24bit() {
    let d = tempfile::tempdir().unwrap();
    let f = sox_tone(d.path(), "a.wav", &["-r", "44100", "-b", "24", "-c", "2"]);
    let a = load(&f).unwrap();
    assert_eq!((a.source_rate, a.source_channels), (44100, 2));
    assert_eq!(a.samples.len(), 32000);
    assert_tone(&a, 0.001, Some(HALF_SCALE_RMS));
}

#[test]
fn wav_48k_float32() {
    let d = tempfile::tempdir().unwrap();
    let f = sox_tone(
        d.path(),
        "a.wav",
        &["-r", "48000", "-e", "floating-point", "-b", "32"],
    );
    let a = load(&f).unwrap();
    assert_eq!(a.source_rate, 48000);
    assert_tone(&a, 0.001, Some(HALF_SCALE_RMS));
}

#[test]
fn wav_8_channels_downmixed() {
    let d = tempfile::tempdir().unwrap();
    let f = sox_tone(d.path(), "a.wav", &["-r", "22050", "-b", "16", "-c", "8"]);
    let a = load(&f).unwrap();
    assert_eq!((a.source_rate, a.source_channels), (22050, 8));
    assert_tone(&a, 0.001, Some(HALF_SCALE_RMS));
}

#[test]
fn wav_8bit_unsigned_and_32bit_int() {
    let d = tempfile::tempdir().unwrap();
    let f = sox_tone(
        d.path(),
        "u8.wav",
        &["-r", "16000", "-b", "8", "-e", "unsigned"],
    );
    assert_tone(&load(&f).unwrap(), 0.001, Some(HALF_SCALE_RMS));
    let f = sox_tone(
        d.path(),
        "s32.wav",
        &["-r", "32000", "-b", "32", "-e", "signed"],
    );
    assert_tone(&load(&f).unwrap(), 0.001, Some(HALF_SCALE_RMS));
}

#[test]
fn wav_alaw_and_mulaw_fall_back_to_symphonia() {
    let d = tempfile::tempdir().unwrap();
    for enc in ["a-law", "u-law"] {
        let name = format!("{enc}.wav");
        let f = sox_tone(d.path(), &name, &["-r", "8000", "-e", enc]);
        let a = load(&f).unwrap_or_else(|e| panic!("{enc}: {e}"));
        assert_tone(&a, 0.01, Some(HALF_SCALE_RMS));
    }
}

#[test]
fn flac() {
    let d = tempfile::tempdir().unwrap();
    let f = sox_tone(d.path(), "a.flac", &["-r", "44100", "-b", "16", "-c", "2"]);
    let a = load(&f).unwrap();
    assert_eq!((a.source_rate, a.source_channels), (44100, 2));
    assert_tone(&a, 0.001, Some(HALF_SCALE_RMS));
}

#[test]
fn mp3() {
    let d = tempfile::tempdir().unwrap();
    let f = ffmpeg_tone(
        d.path(),
        "a.mp3",
        44100,
        &["-c:a", "libmp3lame", "-b:a", "128k"],
    );
    let a = load(&f).unwrap();
    assert_eq!(a.source_rate, 44100);
    assert_tone(&a, 0.06, None);
}

#[test]
fn m4a_aac() {
    let d = tempfile::tempdir().unwrap();
    let f = ffmpeg_tone(d.path(), "a.m4a", 48000, &["-c:a", "aac", "-b:a", "128k"]);
    let a = load(&f).unwrap();
    assert_eq!(a.source_rate, 48000);
    assert_tone(&a, 0.06, None);
}

#[test]
fn ogg_vorbis() {
    let d = tempfile::tempdir().unwrap();
    let f = ffmpeg_tone(d.path(), "a.ogg", 44100, &["-c:a", "libvorbis"]);
    let a = load(&f).unwrap();
    assert_eq!(a.source_rate, 44100);
    assert_tone(&a, 0.06, None);
}

#[test]
fn content_not_extension_decides_format() {
    let d = tempfile::tempdir().unwrap();
    let mp3 = ffmpeg_tone(d.path(), "a.mp3", 44100, &["-c:a", "libmp3lame"]);
    let renamed = d.path().join("really-an-mp3.wav");
    std::fs::rename(&mp3, &renamed).unwrap();
    assert_tone(&load(&renamed).unwrap(), 0.06, None);
}

#[test]
fn opus_is_refused_with_a_conversion_hint() {
    let d = tempfile::tempdir().unwrap();
    let f = ffmpeg_tone(d.path(), "a.opus", 48000, &["-c:a", "libopus"]);
    let msg = err_text(&f);
    assert!(msg.starts_with(&format!("{}: ", f.display())), "{msg}");
    assert!(msg.contains("Opus") && msg.contains("ffmpeg"), "{msg}");
}

// ---------- bad input ----------

#[test]
fn empty_file() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("x.wav");
    std::fs::write(&f, b"").unwrap();
    assert_eq!(err_text(&f), format!("{}: file is empty", f.display()));
}

#[test]
fn text_renamed_wav() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("d.wav");
    std::fs::write(
        &f,
        "Dear Dr Smith,\nThank you for seeing this patient.\n".repeat(50),
    )
    .unwrap();
    assert!(matches!(load(&f), Err(AudioError::NotAudio { .. })));
    assert_eq!(
        err_text(&f),
        format!(
            "{}: not an audio file (no RIFF header / unrecognised format)",
            f.display()
        )
    );
}

#[test]
fn missing_file() {
    let msg = err_text(Path::new("/nonexistent/dir/x.wav"));
    assert!(
        msg.starts_with("/nonexistent/dir/x.wav: cannot read"),
        "{msg}"
    );
}

#[test]
fn truncated_wav() {
    let d = tempfile::tempdir().unwrap();
    // 3 s at 16 kHz 16-bit mono: 44-byte header + 96000 bytes.
    let f = d.path().join("full.wav");
    tool(
        "sox",
        &[
            "-n",
            "-r",
            "16000",
            "-b",
            "16",
            p(&f),
            "synth",
            "3",
            "sine",
            "440",
            "vol",
            "0.5",
        ],
    );
    let cut = |name: &str, bytes: usize| {
        let out = d.path().join(name);
        let cmd = format!("head -c {bytes} '{}' > '{}'", p(&f), p(&out));
        tool("sh", &["-c", &cmd]);
        out
    };
    // Half the audio is there: accepted, with a warning naming the file.
    let half = cut("half.wav", 44 + 48000 + 1);
    let (a, warnings) = load_with_warnings(&half).unwrap();
    assert!((a.duration() - 1.5).abs() < 0.001, "{}", a.duration());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("truncated WAV") && warnings[0].contains("3.00 s"),
        "{warnings:?}"
    );
    // Too little left: a clear error.
    let msg = err_text(&cut("tiny.wav", 44 + 6400));
    assert!(
        msg.contains("truncated WAV") && msg.contains("0.20 s"),
        "{msg}"
    );
    // Cut inside the header.
    let msg = err_text(&cut("hdr.wav", 20));
    assert!(
        msg.contains("truncated WAV") || msg.contains("not an audio file"),
        "{msg}"
    );
}

#[test]
fn rate_1khz_refused_8khz_accepted() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("low.wav");
    tool(
        "sox",
        &[
            "-n",
            "-r",
            "1000",
            "-b",
            "16",
            p(&f),
            "synth",
            "2",
            "sine",
            "100",
        ],
    );
    assert_eq!(
        err_text(&f),
        format!(
            "{}: sample rate 1000 Hz is too low for speech (need ≥ 8000 Hz)",
            f.display()
        )
    );
    assert!(from_interleaved(&[0.0; 100], 1, 1000).is_err());
}

#[test]
fn zero_length_wav() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("zero.wav");
    write_wav(&f, &[], 16000).unwrap();
    assert_eq!(
        err_text(&f),
        format!("{}: contains no audio (zero samples)", f.display())
    );
    let f = d.path().join("zero2.wav");
    tool(
        "sox",
        &["-n", "-r", "44100", "-c", "2", p(&f), "trim", "0", "0"],
    );
    assert!(matches!(load(&f), Err(AudioError::NoSamples { .. })));
}

#[test]
fn all_silent_audio_has_no_speech() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("silent.wav");
    tool("sox", &["-n", "-r", "44100", p(&f), "trim", "0", "3"]);
    let a = load(&f).unwrap();
    assert!((a.duration() - 3.0).abs() < 0.001);
    assert!(speech_ranges(&a.samples).is_empty());
    assert!(speech_span(&a.samples).is_none());
    // Low hiss (−70 dBFS) is not speech either.
    let hiss = d.path().join("hiss.wav");
    tool(
        "sox",
        &[
            "-n",
            "-r",
            "16000",
            p(&hiss),
            "synth",
            "3",
            "whitenoise",
            "vol",
            "0.0003",
        ],
    );
    assert!(speech_ranges(&load(&hiss).unwrap().samples).is_empty());
}

#[test]
fn too_long_is_refused_by_header_and_while_decoding() {
    let d = tempfile::tempdir().unwrap();
    let wav = sox_tone(d.path(), "a.wav", &["-r", "16000"]);
    let mp3 = ffmpeg_tone(d.path(), "a.mp3", 44100, &["-c:a", "libmp3lame"]);
    for f in [&wav, &mp3] {
        match load_limited(f, 16000) {
            Err(AudioError::TooLong { limit_min, .. }) => {
                assert_eq!(limit_min, MAX_LOAD_SECONDS / 60)
            }
            other => panic!("{}: {other:?}", f.display()),
        }
        assert!(load_limited(f, 3 * 16000).is_ok());
    }
    // An MP3 whose length the container does not state is stopped while decoding.
    let mut sink = Collect {
        file: "x".into(),
        state: None,
        out: Vec::new(),
        limit: 16000,
    };
    sink.start(&decode::Source {
        rate: 16000,
        channels: 1,
        frames_hint: None,
    })
    .unwrap();
    assert!(sink.block(&[0.0; 12000]).is_ok());
    assert!(matches!(
        sink.block(&[0.0; 12000]),
        Err(AudioError::TooLong { .. })
    ));
    let msg = AudioError::TooLong {
        file: "x.wav".into(),
        limit_min: 120,
    }
    .to_string();
    assert!(
        msg.starts_with("x.wav: recording is longer than 120 minutes"),
        "{msg}"
    );
}

// ---------- resampling ----------

#[test]
fn resample_48k_keeps_amplitude_and_length() {
    let x = sine(1000.0, 48000, 3.0, 0.8);
    let y = from_interleaved(&x, 1, 48000).unwrap();
    assert_eq!(y.len(), 48000);
    let got = rms(&y[800..y.len() - 800]);
    let want = 0.8 / std::f64::consts::SQRT_2;
    assert!((got - want).abs() / want < 0.02, "RMS {got} vs {want}");
    assert!((dominant(&y) - 1000.0).abs() < 1.0);
}

#[test]
fn resample_removes_10khz_instead_of_aliasing() {
    let x = sine(10_000.0, 48000, 2.0, 0.8);
    let y = from_interleaved(&x, 1, 48000).unwrap();
    // Nearest-sample decimation would fold 10 kHz to 6 kHz at full level.
    let inside = &y[1600..y.len() - 1600];
    assert!(rms(inside) < 0.001, "residual RMS {}", rms(inside));
    assert!(power_at(inside, 6000.0) < 1e-8);
}

#[test]
fn resample_is_time_aligned() {
    // A click at exactly 1.000 s must come out at sample 16000 (delay compensated).
    for rate in [8000u32, 11025, 22050, 44100, 44101, 48000, 96000] {
        let mut x = vec![0.0f32; rate as usize * 2];
        x[rate as usize] = 1.0;
        let y = from_interleaved(&x, 1, rate).unwrap();
        let peak = (0..y.len())
            .max_by(|&a, &b| y[a].abs().total_cmp(&y[b].abs()))
            .unwrap();
        assert!(peak.abs_diff(16000) <= 1, "{rate} Hz: click at {peak}");
    }
}

#[test]
fn resample_lengths_and_passthrough() {
    for (rate, n) in [
        (48000u32, 0usize),
        (48000, 1),
        (48000, 100),
        (44100, 4095),
        (44100, 44101),
        (8000, 7),
    ] {
        let x = vec![0.1f32; n];
        let y = from_interleaved(&x, 1, rate).unwrap();
        let want = ((n as u64 * 16000 + rate as u64 / 2) / rate as u64) as usize;
        assert_eq!(y.len(), want, "{rate} Hz, {n} samples");
    }
    let x = sine(300.0, 16000, 1.0, 0.5);
    assert_eq!(from_interleaved(&x, 1, 16000).unwrap(), x);
}

#[test]
fn downmix_and_bad_input() {
    let mono = sine(440.0, 44100, 1.0, 0.5);
    let stereo: Vec<f32> = mono.iter().flat_map(|&s| [s, s]).collect();
    assert_eq!(
        from_interleaved(&stereo, 2, 44100).unwrap(),
        from_interleaved(&mono, 1, 44100).unwrap()
    );
    assert!(matches!(
        from_interleaved(&stereo, 0, 44100),
        Err(AudioError::InvalidInput { .. })
    ));
    assert!(matches!(
        from_interleaved(&[0.0; 3], 2, 44100),
        Err(AudioError::InvalidInput { .. })
    ));
    assert!(from_interleaved(&[0.0; 4], 2, 0).is_err());
}

#[test]
fn streaming_resampler_matches_one_shot() {
    let x = sine(440.0, 44100, 2.5, 0.5);
    let whole = from_interleaved(&x, 1, 44100).unwrap();
    let mut rs = resample::ToWhisperRate::new(44100).unwrap();
    let mut out = Vec::new();
    for block in x.chunks(1000).chain(std::iter::once(&[][..])) {
        rs.push(block, &mut out).unwrap();
    }
    rs.finish(&mut out).unwrap();
    assert_eq!(out, whole);
}

// ---------- pauses ----------

/// "Speech" bursts (amplitude-modulated tones, syllable dips but no silence) separated by
/// silences; returns samples at 16 kHz and the silent ranges.
fn bursts(pattern: &[(f64, f64)]) -> (Vec<f32>, Vec<Range<usize>>) {
    let mut out = Vec::new();
    let mut silences = Vec::new();
    for (k, &(speech_s, pause_s)) in pattern.iter().enumerate() {
        let n = (speech_s * 16000.0) as usize;
        let f = 180.0 + 40.0 * (k % 3) as f64;
        for i in 0..n {
            let t = i as f64 / 16000.0;
            let env = 0.55 + 0.45 * (2.0 * std::f64::consts::PI * 4.0 * t).sin();
            let v = env
                * (0.3 * (2.0 * std::f64::consts::PI * f * t).sin()
                    + 0.1 * (2.0 * std::f64::consts::PI * 3.0 * f * t).sin());
            out.push(v as f32);
        }
        let start = out.len();
        out.extend(std::iter::repeat_n(0.0f32, (pause_s * 16000.0) as usize));
        silences.push(start..out.len());
    }
    (out, silences)
}

fn cut_in_silence(cut: usize, silences: &[Range<usize>]) -> bool {
    silences.iter().any(|s| s.contains(&cut))
}

#[test]
fn split_cuts_inside_pauses() {
    let pattern: Vec<(f64, f64)> = (0..20)
        .map(|k| (2.0 + (k % 4) as f64 * 0.9, 0.4 + (k % 3) as f64 * 0.2))
        .collect();
    let (x, silences) = bursts(&pattern);
    for max in [30.0f32, 10.0, 7.5] {
        let ranges = split_at_pauses(&x, max);
        assert_cover(&ranges, x.len(), (max * 16000.0) as usize);
        assert!(ranges.len() > 1);
        for r in &ranges[..ranges.len() - 1] {
            assert!(
                cut_in_silence(r.end, &silences),
                "max {max}: cut at {} s is mid-speech",
                r.end as f64 / 16000.0
            );
            assert!(
                r.len() as f32 >= max * 16000.0 * 0.4,
                "chunk {r:?} needlessly short"
            );
        }
    }
}

#[test]
fn split_prefers_the_latest_clear_pause() {
    // A long pause early in the 28-s window and a shorter, still clear sentence pause near
    // its end: the late one is taken, so the dictation needs fewer (30-s) encoder passes.
    let (x, silences) = bursts(&[(10.0, 1.5), (14.5, 0.5), (10.0, 0.0)]);
    let ranges = split_at_pauses(&x, 28.0);
    assert_cover(&ranges, x.len(), 28 * 16000);
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    assert!(
        silences[1].contains(&ranges[0].end),
        "cut at {} s, not in the late pause {:?}",
        ranges[0].end as f64 / 16000.0,
        silences[1]
    );
    // Gaps between words (150 ms) are not clear pauses: the cut goes to the real one.
    let mut pattern: Vec<(f64, f64)> = (0..40).map(|_| (0.45, 0.15)).collect();
    pattern[25] = (0.45, 0.6);
    let (x, silences) = bursts(&pattern);
    let ranges = split_at_pauses(&x, 20.0);
    assert!(silences[25].contains(&ranges[0].end), "{ranges:?}");
}

#[test]
fn split_with_noise_floor_and_no_pauses() {
    // Bursts over a −50 dB noise floor: cuts still land in the pauses.
    let (mut x, silences) = bursts(&[(6.0, 0.5), (9.0, 0.6), (7.0, 0.5), (8.0, 0.8), (5.0, 0.0)]);
    let mut seed = 12345u32;
    for s in x.iter_mut() {
        seed = seed.wrapping_mul(1664525).wrapping_add(1013904223);
        *s += ((seed >> 8) as f32 / (1 << 24) as f32 - 0.5) * 0.006;
    }
    let ranges = split_at_pauses(&x, 15.0);
    assert_cover(&ranges, x.len(), 15 * 16000);
    for r in &ranges[..ranges.len() - 1] {
        assert!(
            cut_in_silence(r.end, &silences),
            "cut at {} s",
            r.end as f64 / 16000.0
        );
    }
    // Continuous tone: no pause anywhere, still a valid cover.
    let tone = sine(440.0, 16000, 70.0, 0.5);
    assert_cover(&split_at_pauses(&tone, 30.0), tone.len(), 30 * 16000);
    // Edge cases.
    assert!(split_at_pauses(&[], 30.0).is_empty());
    assert_eq!(split_at_pauses(&[0.1; 100], 30.0), vec![0..100]);
    assert_cover(&split_at_pauses(&x, f32::NAN), x.len(), 30 * 16000);
    assert_cover(&split_at_pauses(&x, 0.0), x.len(), FRAME);
}

#[test]
fn speech_ranges_find_bursts() {
    let (x, silences) = bursts(&[(1.0, 1.0), (2.0, 1.5), (0.8, 2.0)]);
    let ranges = speech_ranges(&x);
    assert_eq!(ranges.len(), 3, "{ranges:?}");
    let mut speech_start = 0;
    for (r, s) in ranges.iter().zip(&silences) {
        // Each range covers its burst, padded by at most ~120 ms into the silence.
        assert!(
            r.start <= speech_start && speech_start - r.start <= 2000,
            "{r:?}"
        );
        assert!(
            r.end >= s.start && r.end - s.start <= 2000,
            "{r:?} vs {s:?}"
        );
        speech_start = s.end;
    }
    assert_eq!(speech_span(&x), Some(ranges[0].start..ranges[2].end));
}

#[test]
fn espeak_speech_split_at_sentence_pauses() {
    let d = tempfile::tempdir().unwrap();
    let sentences = [
        "The patient is a sixty two year old man with chest pain on exertion.",
        "He takes aspirin seventy five milligrams once daily and atorvastatin.",
        "On examination the heart sounds were normal and the chest was clear.",
        "Plan: exercise tolerance test and review in clinic in six weeks.",
    ];
    let mut x: Vec<f32> = Vec::new();
    let mut pauses = Vec::new();
    for (i, s) in sentences.iter().enumerate() {
        let f = d.path().join(format!("s{i}.wav"));
        tool("espeak-ng", &["-w", p(&f), s]);
        let a = load(&f).unwrap();
        let span = speech_span(&a.samples).expect("espeak output has speech");
        x.extend_from_slice(&a.samples[span]);
        let start = x.len();
        x.extend(std::iter::repeat_n(0.0f32, 12000));
        pauses.push(start..x.len());
    }
    let total = x.len() as f32 / 16000.0;
    let max = total / 2.5;
    let ranges = split_at_pauses(&x, max);
    assert_cover(&ranges, x.len(), (max * 16000.0) as usize);
    for r in &ranges[..ranges.len() - 1] {
        assert!(
            cut_in_silence(r.end, &pauses),
            "cut at {} s is mid-sentence",
            r.end as f64 / 16000.0
        );
    }
    assert_eq!(speech_ranges(&x).len(), sentences.len());
}

#[test]
fn stream_chunks_matches_batch_split() {
    let (x, _) = bursts(
        &(0..12)
            .map(|k| (3.0 + (k % 3) as f64, 0.5))
            .collect::<Vec<_>>(),
    );
    let d = tempfile::tempdir().unwrap();
    // Write at 16 kHz, then convert to 44.1 kHz stereo so the stream path resamples.
    let f16 = d.path().join("b16.wav");
    write_wav(&f16, &x, 16000).unwrap();
    let f = d.path().join("b44.wav");
    tool("sox", &[p(&f16), "-r", "44100", "-c", "2", p(&f)]);
    let whole = load(&f).unwrap();
    let batch = split_at_pauses(&whole.samples, 12.0);
    let mut streamed = Vec::new();
    let info = stream_chunks::<AudioError, _>(&f, 12.0, |r, s| {
        assert_eq!(&whole.samples[r.clone()], s);
        streamed.push(r);
        Ok(())
    })
    .unwrap();
    assert_eq!(streamed, batch);
    assert_eq!(info.samples as usize, whole.samples.len());
    assert_eq!((info.source_rate, info.source_channels), (44100, 2));
    // The callback's error stops decoding and comes back.
    let r: Result<StreamInfo, String> = stream_chunks(&f, 5.0, |_, _| Err("stop".to_string()));
    assert_eq!(r, Err("stop".to_string()));
}

impl From<AudioError> for String {
    fn from(e: AudioError) -> Self {
        e.to_string()
    }
}

// ---------- writing ----------

#[test]
fn write_wav_roundtrip_atomic_private() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("out.wav");
    std::fs::write(&f, b"old").unwrap();
    let x = sine(440.0, 16000, 2.0, 0.5);
    write_wav(&f, &x, 16000).unwrap();
    let a = load(&f).unwrap();
    assert_eq!(a.samples.len(), x.len());
    assert!(a.samples.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-4));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let names: Vec<_> = std::fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        names,
        vec![std::ffi::OsString::from("out.wav")],
        "temp file left behind"
    );
    let err = write_wav(&d.path().join("no/such/dir/x.wav"), &x, 16000).unwrap_err();
    assert!(
        err.to_string().contains("no/such/dir/x.wav: cannot write"),
        "{err}"
    );
}

#[test]
fn natural_speech_cuts_land_between_words() {
    // One espeak-ng paragraph with only its own short sentence and word gaps.
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("para.wav");
    let text = "Thank you for referring this gentleman with breathlessness. He has a long history \
                of asthma treated with salbutamol and beclometasone. His peak flow today was three \
                hundred and eighty litres per minute. I have increased his inhaler dose and \
                arranged spirometry. I will see him again in three months with the results.";
    tool("espeak-ng", &["-w", p(&f), text]);
    let a = load(&f).unwrap();
    let speech_rms = rms(&a.samples);
    let ranges = split_at_pauses(&a.samples, 6.0);
    assert_cover(&ranges, a.samples.len(), 6 * 16000);
    assert!(ranges.len() >= 3);
    for r in &ranges[..ranges.len() - 1] {
        // 40 ms either side of the cut is (near) silent.
        let around = &a.samples[r.end - 640..(r.end + 640).min(a.samples.len())];
        assert!(
            rms(around) < 0.05 * speech_rms,
            "cut at {:.2} s is loud ({} vs {speech_rms})",
            r.end as f64 / 16000.0,
            rms(around)
        );
    }
}
