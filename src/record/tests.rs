//! Unit tests for the recorder's pure parts: sample conversion, streaming resampling, level
//! metering, keys, and WAV header repair.

use std::io::{Seek, SeekFrom, Write};

use super::*;
use crate::audio::WHISPER_RATE;

#[test]
fn converts_i16_u16_f32_to_f32() {
    let mut out = Vec::new();
    to_f32(&[0i16, i16::MIN, 16384, i16::MAX], &mut out);
    assert_eq!(&out[..3], &[0.0, -1.0, 0.5]);
    assert!((out[3] - 1.0).abs() < 1e-4);
    out.clear();
    to_f32(&[32768u16, 0, 49152, u16::MAX], &mut out);
    assert_eq!(&out[..3], &[0.0, -1.0, 0.5]);
    assert!((out[3] - 1.0).abs() < 1e-4);
    out.clear();
    to_f32(&[0.25f32, -2.0, 3.0], &mut out);
    assert_eq!(out, vec![0.25, -1.0, 1.0], "f32 passes through, clamped");
    out.clear();
    to_f32(&[i32::MIN, 0i32], &mut out);
    assert_eq!(out, vec![-1.0, 0.0]);
}

#[test]
fn converts_cpal_buffers_by_format() {
    let mut samples = [100i16, -100, 0, 32767];
    let data = unsafe {
        cpal::Data::from_parts(
            samples.as_mut_ptr() as *mut (),
            samples.len(),
            cpal::SampleFormat::I16,
        )
    };
    let mut out = Vec::new();
    assert!(data_to_f32(&data, &mut out));
    assert_eq!(out.len(), 4);
    assert!((out[0] - 100.0 / 32768.0).abs() < 1e-6);
}

fn sine(freq: f32, rate: u32, secs: f32, amp: f32) -> Vec<f32> {
    let n = (rate as f32 * secs) as usize;
    (0..n)
        .map(|i| amp * (2.0 * std::f32::consts::PI * freq * i as f32 / rate as f32).sin())
        .collect()
}

/// Frequency from zero crossings (good enough for a clean tone).
fn freq_of(x: &[f32], rate: u32) -> f32 {
    let crossings = x.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count();
    crossings as f32 * rate as f32 / x.len() as f32
}

fn resample_in_blocks(interleaved: &[f32], channels: u16, rate: u32, block: usize) -> Vec<f32> {
    let mut rs = LiveResampler::new(channels, rate).expect("valid rate");
    let mut out = Vec::new();
    for b in interleaved.chunks(block) {
        rs.push(b, &mut out).expect("push");
    }
    rs.finish(&mut out).expect("finish");
    out
}

#[test]
fn streams_48k_stereo_to_16k_mono() {
    let left = sine(440.0, 48_000, 2.0, 0.5);
    let stereo: Vec<f32> = left.iter().flat_map(|s| [*s, *s]).collect();
    // Odd block sizes split frames across calls, as a device may.
    for block in [1001, 4096, 333] {
        let out = resample_in_blocks(&stereo, 2, 48_000, block);
        assert_eq!(out.len(), 32_000, "block {block}");
        let f = freq_of(&out[1600..30_400], WHISPER_RATE);
        assert!((f - 440.0).abs() < 3.0, "tone at {f} Hz");
        let level = level_of(&out[1600..30_400]);
        assert!(
            (level.rms_db - db(0.5 / 2f32.sqrt())).abs() < 0.3,
            "{level:?}"
        );
    }
}

#[test]
fn streaming_matches_one_shot_conversion() {
    let x = sine(300.0, 44_100, 1.5, 0.3);
    let streamed = resample_in_blocks(&x, 1, 44_100, 512);
    let whole = crate::audio::from_interleaved(&x, 1, 44_100).expect("one-shot");
    assert_eq!(streamed.len(), whole.len());
    let worst = streamed
        .iter()
        .zip(&whole)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    assert!(worst < 1e-3, "differs by {worst}");
}

#[test]
fn resampler_passes_16k_through_and_rejects_bad_input() {
    let x = sine(1000.0, 16_000, 0.5, 0.5);
    assert_eq!(resample_in_blocks(&x, 1, 16_000, 100), x);
    assert!(LiveResampler::new(0, 48_000).is_err());
    assert!(LiveResampler::new(1, 4_000).is_err());
}

#[test]
fn level_meter_reads_known_signals() {
    let full = level_of(&sine(1000.0, 48_000, 0.1, 1.0));
    assert!((full.rms_db + 3.01).abs() < 0.05, "{full:?}");
    assert!(full.peak_db.abs() < 0.01 && full.clipped);
    let quiet = level_of(&sine(1000.0, 48_000, 0.1, 0.01));
    assert!((quiet.rms_db + 43.01).abs() < 0.05, "{quiet:?}");
    assert!(!quiet.clipped);
    assert_eq!(level_of(&[0.0; 100]).rms_db, f32::NEG_INFINITY);
    assert_eq!(bar(&level_of(&[0.0; 10]), 10), "----------");
    assert!(bar(&full, 10).starts_with("#########"));
}

#[test]
fn meter_warns_after_seconds_of_silence_or_clipping() {
    let mut m = Meter::new(16_000, 1);
    assert!(
        m.push(&vec![0.0; 16_000 * 4]).is_empty(),
        "4 s of silence is fine"
    );
    assert_eq!(m.push(&vec![0.0; 16_000]), vec![Warning::Silent]);
    assert!(m.push(&vec![0.0; 16_000 * 10]).is_empty(), "warned once");
    let mut m = Meter::new(16_000, 1);
    assert!(m.push(&sine(200.0, 16_000, 2.0, 0.3)).is_empty());
    let hot = sine(200.0, 16_000, 4.0, 1.0);
    assert_eq!(m.push(&hot), vec![Warning::Clipping]);
}

#[test]
fn keys_from_lines_and_single_keys() {
    assert_eq!(parse_line(""), Some(Key::Stop));
    assert_eq!(parse_line("\r"), Some(Key::Stop));
    assert_eq!(parse_line(" "), Some(Key::TogglePause));
    assert_eq!(parse_line("p"), Some(Key::TogglePause));
    assert_eq!(parse_line("stop"), Some(Key::Stop));
    assert_eq!(parse_line("hello"), None);
    assert_eq!(parse_key(b' '), Some(Key::TogglePause));
    assert_eq!(parse_key(b'\n'), Some(Key::Stop));
    assert_eq!(parse_key(b'x'), None);
}

fn header_sizes(path: &std::path::Path) -> (u32, u32, u64) {
    let b = std::fs::read(path).expect("read wav");
    let le = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    (le(4), le(40), b.len() as u64)
}

#[test]
fn repairs_header_after_a_crash_and_after_truncation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("d.wav");
    let mut sink = WavSink::create(&path, false).expect("create");
    sink.write(&sine(300.0, 16_000, 1.0, 0.5)).expect("write");
    sink.finish().expect("finish");
    let mode = std::fs::metadata(&path).expect("meta");
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o600
    );
    assert_eq!(
        repair(&path).expect("repair"),
        None,
        "a good file is left alone"
    );

    // Crash: data written past the last checkpoint (header says 0.5 s, 1 s + 1 byte present).
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open");
    f.seek(SeekFrom::Start(40)).expect("seek");
    f.write_all(&16_000u32.to_le_bytes()).expect("write");
    f.seek(SeekFrom::End(0)).expect("seek");
    f.write_all(&[7]).expect("write");
    drop(f);
    let r = repair(&path).expect("repair").expect("was broken");
    assert!(
        (r.header_seconds - 0.5).abs() < 1e-9 && (r.actual_seconds - 1.0).abs() < 1e-9,
        "{r:?}"
    );
    assert_eq!(header_sizes(&path), (36 + 32_000, 32_000, 44 + 32_000));
    let reader = hound::WavReader::open(&path).expect("readable");
    assert_eq!(reader.duration(), 16_000);

    // Cut-off copy: header promises more than is there.
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open");
    f.set_len(44 + 20_000).expect("truncate");
    drop(f);
    let r = repair(&path).expect("repair").expect("was broken");
    assert!((r.actual_seconds - 0.625).abs() < 1e-9, "{r:?}");
    assert_eq!(
        hound::WavReader::open(&path).expect("readable").duration(),
        10_000
    );
}

#[test]
fn append_continues_and_refuses_other_formats() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("a.wav");
    let mut sink = WavSink::create(&path, false).expect("create");
    sink.write(&[0.1; 8000]).expect("write");
    sink.checkpoint().expect("checkpoint");
    drop(sink); // like a crash after a checkpoint (hound finalizes on drop)
    let (mut sink, _) = WavSink::append(&path).expect("append");
    assert_eq!(sink.existing, 8000);
    sink.write(&[0.2; 8000]).expect("write");
    sink.finish().expect("finish");
    assert_eq!(
        hound::WavReader::open(&path).expect("read").duration(),
        16_000
    );
    assert!(
        !dir.path().join(".a.wav.recording").exists(),
        "marker removed"
    );

    let other = dir.path().join("cd.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    hound::WavWriter::create(&other, spec)
        .expect("create")
        .finalize()
        .expect("finalize");
    let err = WavSink::append(&other).err().expect("refused").to_string();
    assert!(err.contains("44100 Hz") && err.contains("cd.wav"), "{err}");
    let err = WavSink::append(&dir.path().join("missing.wav"))
        .err()
        .expect("refused")
        .to_string();
    assert!(err.contains("no such file"), "{err}");
    assert!(
        WavSink::create(&path, false).is_err(),
        "never overwrites unasked"
    );
}
