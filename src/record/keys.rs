//! Keys and signals while recording: space pauses/resumes, Enter stops, Ctrl-C (SIGINT),
//! SIGTERM and SIGHUP stop and keep what was recorded.
//!
//! Job: on a terminal, switch stdin to unbuffered no-echo mode (restored on drop) and read
//! single keys; on a pipe, read lines (empty line stops, `p` or spaces toggle pause). End of
//! stdin (e.g. `< /dev/null`) does nothing: only a key, a signal or `--max-seconds` stops.
//! Must never: stop the recording because stdin closed, leave the terminal in raw mode after
//! a normal exit, or do anything in a signal handler beyond setting a flag.

use std::io::{IsTerminal, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, channel};

/// A request from the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    Stop,
    TogglePause,
}

static SIGNALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    // A second Ctrl-C while finishing means "now": the file is valid up to its last checkpoint.
    if SIGNALLED.swap(true, Ordering::SeqCst) {
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(130) };
    }
}

/// Route SIGINT, SIGTERM and SIGHUP to [`signalled`].
pub fn install_signal_handlers() {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction with a handler that only touches an atomic is valid.
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_signal as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
    }
}

/// Whether a stop signal arrived.
pub fn signalled() -> bool {
    SIGNALLED.load(Ordering::SeqCst)
}

/// Terminal in single-key, no-echo mode while alive.
pub struct RawMode {
    saved: libc::termios,
}

impl RawMode {
    /// `None` when stdin is not a terminal (or the terminal refuses).
    pub fn enable() -> Option<Self> {
        if !std::io::stdin().is_terminal() {
            return None;
        }
        // SAFETY: termios is plain data; tcgetattr/tcsetattr on fd 0 with valid pointers.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return None;
            }
            let saved = t;
            t.c_lflag &= !(libc::ICANON | libc::ECHO);
            t.c_cc[libc::VMIN] = 1;
            t.c_cc[libc::VTIME] = 0;
            if libc::tcsetattr(0, libc::TCSANOW, &t) != 0 {
                return None;
            }
            Some(Self { saved })
        }
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        // SAFETY: restores the settings read in `enable`.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, &self.saved);
        }
    }
}

/// Interpret one line typed on a non-terminal stdin.
pub fn parse_line(line: &str) -> Option<Key> {
    let line = line.trim_end_matches(['\r', '\n']);
    if line.is_empty() {
        return Some(Key::Stop);
    }
    match line.trim().to_ascii_lowercase().as_str() {
        "" | "p" | "pause" | "r" | "resume" => Some(Key::TogglePause),
        "q" | "s" | "stop" => Some(Key::Stop),
        _ => None,
    }
}

/// Interpret one byte in single-key mode.
pub fn parse_key(b: u8) -> Option<Key> {
    match b {
        b' ' | b'p' | b'P' => Some(Key::TogglePause),
        b'\n' | b'\r' | b'q' | b'Q' => Some(Key::Stop),
        _ => None,
    }
}

/// Read stdin on a thread: single keys when `raw`, lines otherwise.
pub fn spawn_reader(raw: bool) -> Receiver<Key> {
    let (tx, rx) = channel();
    let spawned = std::thread::Builder::new()
        .name("keys".into())
        .spawn(move || {
            let mut stdin = std::io::stdin().lock();
            let mut line = Vec::new();
            let mut buf = [0u8; 64];
            loop {
                let n = match stdin.read(&mut buf) {
                    Ok(0) => return, // end of input: keep recording
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(_) => return,
                };
                for &b in &buf[..n] {
                    let key = if raw {
                        parse_key(b)
                    } else if b == b'\n' {
                        let k = parse_line(&String::from_utf8_lossy(&line));
                        line.clear();
                        k
                    } else {
                        line.push(b);
                        None
                    };
                    if let Some(k) = key
                        && tx.send(k).is_err()
                    {
                        return;
                    }
                }
            }
        });
    if spawned.is_err() {
        // No key thread: the recording still stops on a signal or --max-seconds.
    }
    rx
}
