//! Keep the C audio libraries quiet: ALSA, JACK and OSS plugins print diagnostics straight to
//! file descriptor 2 while devices are probed ("ALSA lib confmisc.c: Cannot get card index",
//! "jack server is not running"), which would bury the one-line messages medscribe promises.
//!
//! Job: point fd 2 at /dev/null for the duration of a probe, and put it back afterwards.
//! Must never: outlive the probe (the guard restores on drop, panics included), or hide
//! medscribe's own messages (nothing of ours prints while a guard is alive).

/// Stderr is silenced while this lives. Set `MEDSCRIBE_AUDIO_DEBUG=1` to see the chatter.
pub struct Quiet {
    saved: Option<libc::c_int>,
}

impl Quiet {
    pub fn new() -> Self {
        if std::env::var_os("MEDSCRIBE_AUDIO_DEBUG").is_some() {
            return Self { saved: None };
        }
        // SAFETY: plain fd calls; every fd opened here is closed or handed back in drop.
        unsafe {
            let saved = libc::dup(2);
            if saved < 0 {
                return Self { saved: None };
            }
            let null = libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY | libc::O_CLOEXEC);
            if null < 0 {
                libc::close(saved);
                return Self { saved: None };
            }
            libc::dup2(null, 2);
            libc::close(null);
            Self { saved: Some(saved) }
        }
    }
}

impl Drop for Quiet {
    fn drop(&mut self) {
        if let Some(fd) = self.saved.take() {
            // SAFETY: `fd` is the duplicate of the original stderr made in `new`.
            unsafe {
                libc::dup2(fd, 2);
                libc::close(fd);
            }
        }
    }
}
