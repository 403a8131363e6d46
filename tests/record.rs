//! `medscribe record` / `medscribe devices` through a real audio path: a private PulseAudio
//! with a null sink, ALSA routed to it by libasound2-plugins, speech played into the sink with
//! `paplay` while the real binary captures the sink's monitor through cpal's ALSA backend.
//! Then the recording is checked (16 kHz mono 16-bit, length, level), transcribed with the
//! tiny.en weights, and the words asserted; kill -9, Ctrl-C, a vanishing device and bad input
//! are exercised the same way.
//!
//! Each test starts its own PulseAudio (own HOME, runtime dir and socket) and tears it down.
//! Missing pulseaudio / paplay / pactl is a failure, not a skip: `make test` installs them.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;

const SINK: &str = "medscribe_test";

/// A private PulseAudio server and the environment that routes ALSA to it.
struct Pulse {
    dir: tempfile::TempDir,
    server: Option<Child>,
}

fn tool(name: &str) -> Command {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "{name} is missing: run `make test` (it installs pulseaudio, pulseaudio-utils, libasound2-plugins)"
    );
    Command::new(name)
}

impl Pulse {
    fn start() -> Pulse {
        let dir = tempfile::tempdir().expect("tempdir");
        for sub in ["home", "run/pulse"] {
            std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        std::fs::write(
            dir.path().join("home/.asoundrc"),
            "pcm.!default { type pulse }\nctl.!default { type pulse }\n",
        )
        .expect("asoundrc");
        let log = std::fs::File::create(dir.path().join("pulse.log")).expect("log");
        let mut p = Pulse { server: None, dir };
        let socket = p.socket();
        let mut cmd = tool("pulseaudio");
        cmd.args([
            "--daemonize=no",
            "-n",
            "--exit-idle-time=-1",
            "--use-pid-file=no",
            "--disable-shm=yes",
            "--log-target=stderr",
        ])
        .arg(format!(
            "--load=module-null-sink sink_name={SINK} rate=48000 channels=2"
        ))
        .arg(format!(
            "--load=module-native-protocol-unix auth-anonymous=1 socket={socket}"
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log);
        p.env(&mut cmd);
        p.server = Some(cmd.spawn().expect("start pulseaudio"));
        let t0 = Instant::now();
        loop {
            let ok = p
                .cmd("pactl")
                .arg("info")
                .output()
                .is_ok_and(|o| o.status.success());
            if ok {
                break;
            }
            let log = std::fs::read_to_string(p.dir.path().join("pulse.log")).unwrap_or_default();
            assert!(
                t0.elapsed() < Duration::from_secs(15),
                "pulseaudio did not start:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let st = p
            .cmd("pactl")
            .args(["set-default-source", &format!("{SINK}.monitor")])
            .status();
        assert!(st.is_ok_and(|s| s.success()), "pactl set-default-source");
        p
    }

    fn socket(&self) -> String {
        self.dir
            .path()
            .join("run/pulse/native")
            .display()
            .to_string()
    }

    fn env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        let d = self.dir.path();
        cmd.env("HOME", d.join("home"))
            .env("XDG_RUNTIME_DIR", d.join("run"))
            .env("PULSE_RUNTIME_PATH", d.join("run/pulse"))
            .env("PULSE_SERVER", format!("unix:{}", self.socket()))
            .env_remove("ALSA_CONFIG_PATH")
    }

    fn cmd(&self, program: &str) -> Command {
        let mut c = tool(program);
        self.env(&mut c);
        c
    }

    fn medscribe(&self) -> Command {
        let mut c = medscribe();
        self.env(&mut c).stdin(Stdio::null());
        c
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Play a WAV into the null sink (returns the running paplay).
    fn play(&self, wav: &Path) -> Child {
        self.cmd("paplay")
            .arg(format!("--device={SINK}"))
            .arg(wav)
            .spawn()
            .expect("paplay")
    }

    fn stop_server(&mut self) {
        if let Some(mut c) = self.server.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Pulse {
    fn drop(&mut self) {
        self.stop_server();
    }
}

/// Seconds of audio the WAV header at `path` currently promises (0 if unreadable).
fn header_seconds(path: &Path) -> f64 {
    let Ok(b) = std::fs::read(path) else {
        return 0.0;
    };
    if b.len() < 44 {
        return 0.0;
    }
    u32::from_le_bytes([b[40], b[41], b[42], b[43]]) as f64 / 32_000.0
}

/// Wait until the recorder has checkpointed at least `secs` of audio (audio is flowing).
fn wait_for_audio(path: &Path, secs: f64, rec: &mut Child) {
    let t0 = Instant::now();
    while header_seconds(path) < secs {
        if let Ok(Some(st)) = rec.try_wait() {
            panic!("recorder exited early with {st}");
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "no audio reached {}",
            path.display()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_output(child: Child, limit: Duration) -> Output {
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(limit) {
        Ok(o) => o.expect("wait"),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("medscribe record did not stop within {limit:?}");
        }
    }
}

fn spawn_record(pulse: &Pulse, args: &[&str]) -> Child {
    pulse
        .medscribe()
        .arg("record")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn medscribe record")
}

/// Samples of a 16 kHz mono 16-bit WAV, asserting that format.
fn read_wav(path: &Path) -> Vec<i16> {
    let r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let s = r.spec();
    assert_eq!(
        (s.sample_rate, s.channels, s.bits_per_sample),
        (16_000, 1, 16),
        "{s:?}"
    );
    assert_eq!(s.sample_format, hound::SampleFormat::Int);
    r.into_samples::<i16>()
        .collect::<Result<_, _>>()
        .expect("samples")
}

fn rms(x: &[i16]) -> f64 {
    let sum: f64 = x.iter().map(|s| (*s as f64 / 32768.0).powi(2)).sum();
    (sum / x.len().max(1) as f64).sqrt()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

const DICTATION: &str =
    "The patient reports central chest pain and shortness of breath on exertion.";

#[test]
fn records_speech_played_into_pulseaudio_and_transcribes_it() {
    let model = tiny_en();
    let pulse = Pulse::start();
    let speech = pulse.path("speech.wav");
    espeak(DICTATION, &speech);
    let out = pulse.path("dictation.wav");
    let out_s = out.display().to_string();
    let mut rec = spawn_record(&pulse, &["--max-seconds", "9", "-o", &out_s]);
    wait_for_audio(&out, 0.3, &mut rec);
    let mut player = pulse.play(&speech);
    let o = wait_output(rec, Duration::from_secs(40));
    let _ = player.wait();
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("recording from"), "start line: {err}");
    assert!(
        !err.contains("ALSA lib") && !err.contains('\r'),
        "no library chatter or redraws: {err}"
    );
    let text = stdout(&o);
    assert!(text.contains("Recorded 9.0 s to"), "{text}");
    // Transcribed while recording: the transcript is beside the recording, and the letter
    // command starts from it.
    let json = pulse.path("dictation.json");
    assert!(err.contains("transcript ready"), "{err}");
    assert!(
        text.contains(&format!(
            "medscribe letter {} --template referral-letter",
            json.display()
        )),
        "{text}"
    );
    assert_eq!(mode(&json), 0o600);

    let samples = read_wav(&out);
    assert_eq!(samples.len(), 9 * 16_000, "exactly --max-seconds of audio");
    assert!(
        rms(&samples) > 0.01,
        "speech level, got rms {}",
        rms(&samples)
    );
    assert_eq!(mode(&out), 0o600);
    assert!(
        !pulse.path(".dictation.wav.recording").exists(),
        "marker removed"
    );

    let model_s = model.display().to_string();
    let t = run(&["transcribe", &out_s, "--model", &model_s]);
    assert!(t.status.success(), "{}", stderr(&t));
    let w = words(&stdout(&t));
    for needle in ["patient", "pain", "breath"] {
        assert!(
            w.iter().any(|x| x == needle),
            "{needle:?} not heard in {:?}",
            stdout(&t)
        );
    }
    let live: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("transcript")).expect("JSON");
    assert_eq!(
        live["text"].as_str().map(str::trim),
        Some(stdout(&t).trim()),
        "the live transcript is the file's"
    );
}

/// A dictation longer than one Whisper window, with the author pausing to think, played into
/// the null sink and stopped with Enter: the first window is transcribed while the author is
/// still talking, and the transcript written at Enter has the words (and times) that
/// `medscribe transcribe` gives for the saved recording.
#[test]
fn live_transcription_while_recording_matches_the_file() {
    let pulse = Pulse::start();
    espeak_with_pauses(
        &[
            "Thank you for referring this sixty two year old man with central chest pain on \
             exertion for the last three months. He has a history of hypertension and type two \
             diabetes, and he smoked twenty cigarettes a day until last year.",
            "Examination today showed a regular pulse of seventy two and a blood pressure of \
             one hundred and forty over eighty five. Heart sounds were normal and the chest was \
             clear. I have arranged an exercise tolerance test and an echocardiogram.",
        ],
        6.0,
        &pulse.path("speech.wav"),
    );
    let out = pulse.path("clinic.wav");
    let out_s = out.display().to_string();
    let mut rec = pulse
        .medscribe()
        .args(["record", "-o", &out_s, "--model", "tiny.en"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn medscribe record");
    wait_for_audio(&out, 0.3, &mut rec);
    let mut player = pulse.play(&pulse.path("speech.wav"));
    let _ = player.wait();
    std::thread::sleep(Duration::from_millis(500));
    {
        use std::io::Write;
        let mut stdin = rec.stdin.take().expect("stdin");
        stdin.write_all(b"\n").expect("Enter");
    }
    let o = wait_output(rec, Duration::from_secs(60));
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");

    // "transcript ready 0.84 s after recording stopped (9.6 s of 44.1 s left to transcribe
    // then)": most of the dictation was transcribed before Enter.
    let ready = err
        .lines()
        .find(|l| l.contains("transcript ready"))
        .unwrap_or_else(|| panic!("no transcript line: {err}"));
    let nums: Vec<f64> = ready
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|t| t.parse().ok())
        .collect();
    let (left, total) = (nums[1], nums[2]);
    assert!(total > 35.0, "{ready}");
    assert!(
        left < total - 20.0,
        "the first window was decoded while recording: {ready}"
    );

    let live: serde_json::Value = serde_json::from_slice(
        &std::fs::read(pulse.path("clinic.json")).expect("transcript beside the recording"),
    )
    .expect("JSON");
    let t = run(&[
        "transcribe",
        &out_s,
        "--model",
        "tiny.en",
        "--format",
        "json",
    ]);
    assert!(t.status.success(), "{}", stderr(&t));
    let file: serde_json::Value = serde_json::from_str(&stdout(&t)).expect("JSON");
    assert_eq!(live["text"], file["text"]);
    assert_eq!(
        live["segments"], file["segments"],
        "same words at the same times"
    );
    // Speech, not noise: tiny.en mishears a word or two depending on where the capture
    // started ("an ache cardiogram"), so most of these, not all, must be there.
    let text = live["text"].as_str().unwrap_or_default().to_lowercase();
    let words = [
        "hypertension",
        "diabetes",
        "cigarettes",
        "examination",
        "exercise",
        "echocardiogram",
    ];
    let heard = words.iter().filter(|w| text.contains(*w)).count();
    assert!(heard >= 4, "only {heard} of {words:?} in {text:?}");
}

#[test]
fn kill_9_leaves_a_playable_file_that_append_continues() {
    let pulse = Pulse::start();
    let speech = pulse.path("speech.wav");
    espeak(DICTATION, &speech);
    let long = pulse.path("long.wav");
    let (speech_s, long_s) = (speech.display().to_string(), long.display().to_string());
    sox(&[&speech_s, &long_s, "repeat", "4"]);
    let mut player = pulse.play(&long);
    let out = pulse.path("crash.wav");
    let out_s = out.display().to_string();
    let mut rec = spawn_record(&pulse, &["-o", &out_s]);
    wait_for_audio(&out, 0.5, &mut rec);
    std::thread::sleep(Duration::from_secs(3));
    rec.kill().expect("kill -9");
    let _ = rec.wait();

    // Playable as it is: a valid header covering everything up to the last checkpoint.
    let before = read_wav(&out).len() as f64 / 16_000.0;
    assert!((2.5..=6.0).contains(&before), "header covers {before} s");
    let st = Command::new("sox")
        .args(["--i", "-D", &out_s])
        .output()
        .expect("sox --i");
    assert!(st.status.success(), "sox cannot read the crashed file");
    assert!(
        pulse.path(".crash.wav.recording").exists(),
        "marker left by the crash"
    );
    let on_disk = (std::fs::metadata(&out).expect("meta").len() - 44) / 2;

    // --append repairs the header (recovering the tail after the last checkpoint) and goes on.
    let rec = spawn_record(&pulse, &["--append", &out_s, "--max-seconds", "1"]);
    let o = wait_output(rec, Duration::from_secs(30));
    let _ = player.kill();
    let _ = player.wait();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Recorded 1.0 s more to"),
        "{}",
        stdout(&o)
    );
    let after = read_wav(&out);
    assert_eq!(
        after.len() as u64,
        on_disk + 16_000,
        "crashed part fully kept, 1 s added"
    );
    assert!(rms(&after) > 0.01);
    assert!(!pulse.path(".crash.wav.recording").exists());
}

#[test]
fn ctrl_c_stops_and_keeps_the_recording() {
    let pulse = Pulse::start();
    let out = pulse.path("int.wav");
    let out_s = out.display().to_string();
    let mut rec = spawn_record(&pulse, &["-o", &out_s]);
    wait_for_audio(&out, 0.5, &mut rec);
    std::thread::sleep(Duration::from_secs(1));
    let st = Command::new("kill")
        .args(["-INT", &rec.id().to_string()])
        .status()
        .expect("kill");
    assert!(st.success());
    let o = wait_output(rec, Duration::from_secs(10));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("kept what was recorded"),
        "{}",
        stderr(&o)
    );
    let n = read_wav(&out).len();
    assert!(n >= 24_000, "kept {n} samples");
    assert!(stdout(&o).contains("Recorded"), "{}", stdout(&o));
    assert!(!pulse.path(".int.wav.recording").exists());
}

#[test]
fn a_device_that_disappears_keeps_what_was_recorded() {
    let mut pulse = Pulse::start();
    let out = pulse.path("gone.wav");
    let out_s = out.display().to_string();
    let mut rec = spawn_record(&pulse, &["-o", &out_s]);
    wait_for_audio(&out, 1.0, &mut rec);
    pulse.stop_server();
    let o = wait_output(rec, Duration::from_secs(20));
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("stopped after") && err.contains("kept what was recorded"),
        "{err}"
    );
    assert!(read_wav(&out).len() >= 16_000);
}

#[test]
fn devices_lists_the_pulse_default_input() {
    let pulse = Pulse::start();
    let o = pulse.medscribe().arg("devices").output().expect("run");
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("[default]") && text.contains("pulse"),
        "{text}"
    );
    assert!(text.contains("Hz") && text.contains("channels"), "{text}");
    assert!(stderr(&o).is_empty(), "library chatter: {}", stderr(&o));
    let j = pulse
        .medscribe()
        .args(["devices", "--json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).expect("json");
    assert!(
        v.as_array()
            .is_some_and(|a| a.iter().any(|d| d["default"] == true)),
        "{v}"
    );
}

#[test]
fn bad_input_fails_before_recording_with_one_line() {
    let pulse = Pulse::start();
    let run_rec = |args: &[&str]| {
        pulse
            .medscribe()
            .arg("record")
            .args(args)
            .output()
            .expect("run")
    };

    let t0 = Instant::now();
    let o = run_rec(&["-o", "/nonexistent-dir/x.wav", "--max-seconds", "5"]);
    assert_one_line_error(&o, &["/nonexistent-dir/x.wav", "cannot write"]);
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "checked before recording"
    );

    let ok = pulse.path("ok.wav").display().to_string();
    let o = run_rec(&["--device", "no-such-mic", "-o", &ok]);
    assert_one_line_error(&o, &["no-such-mic", "available", "pulse"]);
    assert!(!pulse.path("ok.wav").exists(), "nothing left behind");

    let cd = pulse.path("cd.wav").display().to_string();
    sox(&[
        "-n", "-r", "44100", "-c", "2", "-b", "16", &cd, "trim", "0", "0.5",
    ]);
    let o = run_rec(&["--append", &cd, "--max-seconds", "1"]);
    assert_one_line_error(&o, &["cd.wav", "cannot append", "44100 Hz"]);
    let o = run_rec(&["-o", &cd, "--max-seconds", "1"]);
    assert_one_line_error(&o, &["cd.wav", "already exists"]);
    let o = run_rec(&["--append", &pulse.path("missing.wav").display().to_string()]);
    assert_one_line_error(&o, &["missing.wav", "no such file"]);
}

#[test]
fn no_microphone_is_one_clear_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("empty-alsa.conf");
    std::fs::write(&conf, "\n").expect("write");
    let out = dir.path().join("x.wav").display().to_string();
    let o = medscribe()
        .args(["record", "-o", &out, "--max-seconds", "1"])
        .env("ALSA_CONFIG_PATH", &conf)
        .stdin(Stdio::null())
        .output()
        .expect("run");
    assert_one_line_error(&o, &["no microphone found", "medscribe devices"]);
    assert!(!dir.path().join("x.wav").exists());
    let o = medscribe()
        .arg("devices")
        .env("ALSA_CONFIG_PATH", &conf)
        .output()
        .expect("run");
    assert!(o.status.success());
    assert!(stdout(&o).contains("no microphone found"), "{}", stdout(&o));
}
