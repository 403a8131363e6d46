//! A real `medscribe serve` on a loopback port with a real SQLite data directory and the
//! real tiny.en model, for the service tests.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, RequestBuilder, multipart};
use serde_json::Value;

pub struct Server {
    pub child: Child,
    pub url: String,
    pub dir: PathBuf,
    pub stderr: PathBuf,
}

impl Server {
    /// Starts a server on a free port; `extra` are more `serve` arguments.
    pub fn start(dir: &Path, extra: &[&str]) -> Server {
        Server::start_on(dir, None, extra)
    }

    /// Starts a server whose store is PostgreSQL at `db` (audio in `dir`), or SQLite in `dir`.
    pub fn start_on(dir: &Path, db: Option<&str>, extra: &[&str]) -> Server {
        let stderr = dir.with_extension("stderr.log");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&stderr)
            .unwrap();
        let mut child = super::medscribe()
            .args([
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--model",
                "tiny.en",
                "--data-dir",
            ])
            .arg(dir)
            .args(db.map(|u| vec!["--database", u]).unwrap_or_default())
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("start medscribe serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| {
                panic!(
                    "serve did not start: {line:?} {}",
                    std::fs::read_to_string(&stderr).unwrap_or_default()
                )
            })
            .to_string();
        Server {
            child,
            url,
            dir: dir.to_path_buf(),
            stderr,
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn stderr_text(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    pub fn get(&self, token: &str, path: &str) -> RequestBuilder {
        client()
            .get(format!("{}{path}", self.url))
            .bearer_auth(token)
    }

    pub fn post(&self, token: &str, path: &str) -> RequestBuilder {
        client()
            .post(format!("{}{path}", self.url))
            .bearer_auth(token)
    }

    pub fn put(&self, token: &str, path: &str) -> RequestBuilder {
        client()
            .put(format!("{}{path}", self.url))
            .bearer_auth(token)
    }

    pub fn patch(&self, token: &str, path: &str) -> RequestBuilder {
        client()
            .patch(format!("{}{path}", self.url))
            .bearer_auth(token)
    }

    pub fn json(&self, token: &str, path: &str) -> Value {
        let r = self.get(token, path).send().unwrap();
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().unwrap()
    }

    /// Uploads audio (and meta JSON) as `token`; returns (status, body).
    pub fn upload(&self, token: &str, audio: &Path, meta: Option<&str>) -> (u16, Value) {
        let bytes = std::fs::read(audio).unwrap();
        self.upload_bytes(token, bytes, "dictation.wav", meta)
    }

    pub fn upload_bytes(
        &self,
        token: &str,
        bytes: Vec<u8>,
        file_name: &str,
        meta: Option<&str>,
    ) -> (u16, Value) {
        let mut form = multipart::Form::new().part(
            "audio",
            multipart::Part::bytes(bytes).file_name(file_name.to_string()),
        );
        if let Some(m) = meta {
            form = form.text("meta", m.to_string());
        }
        let r = self
            .post(token, "/api/dictations")
            .multipart(form)
            .send()
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().unwrap_or(Value::Null))
    }

    /// Polls a dictation until its status is one of `want` (panics after `secs`).
    pub fn wait_status(&self, token: &str, id: &str, want: &[&str], secs: u64) -> Value {
        let t0 = Instant::now();
        loop {
            let d = self.json(token, &format!("/api/dictations/{id}"));
            if want.contains(&d["status"].as_str().unwrap_or("")) {
                return d;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(secs),
                "dictation {id} still {} after {secs} s (error: {})",
                d["status"],
                d["error"]
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// `medscribe users add NAME --role ROLE [--password-stdin]` in `dir`; `extra` may name
/// `--database`.
pub fn add_user(dir: &Path, name: &str, role: &str, password: Option<&str>, extra: &[&str]) {
    use std::io::Write;
    let mut c = super::medscribe();
    c.args(["users", "add", name, "--role", role, "--data-dir"])
        .arg(dir)
        .args(extra);
    if password.is_some() {
        c.arg("--password-stdin");
    }
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(p) = password {
        writeln!(child.stdin.take().unwrap(), "{p}").unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "users add {name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A new API token for `name`.
pub fn token(dir: &Path, name: &str) -> String {
    token_on(dir, None, name)
}

pub fn token_on(dir: &Path, db: Option<&str>, name: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_medscribe"))
        .args(["users", "token", name, "--data-dir"])
        .arg(dir)
        .args(db.map(|u| vec!["--database", u]).unwrap_or_default())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// The department used by most tests: an admin, two authors, a secretary; returns their
/// tokens (admin, author, other author, secretary).
pub fn department(dir: &Path) -> (String, String, String, String) {
    department_on(dir, None)
}

/// `department` with its store in PostgreSQL at `db` when given.
pub fn department_on(dir: &Path, db: Option<&str>) -> (String, String, String, String) {
    let d: Vec<&str> = db.map(|u| vec!["--database", u]).unwrap_or_default();
    let marsh: Vec<&str> = [
        "--specialties",
        "cardiology",
        "--full-name",
        "Dr Eleanor Marsh",
    ]
    .into_iter()
    .chain(d.iter().copied())
    .collect();
    add_user(dir, "admin", "admin", Some("admin-password-1"), &d);
    add_user(dir, "drmarsh", "author", Some("marsh-password-1"), &marsh);
    add_user(dir, "drlee", "author", None, &d);
    add_user(dir, "sam", "secretary", Some("sam-password-12"), &d);
    (
        token_on(dir, db, "admin"),
        token_on(dir, db, "drmarsh"),
        token_on(dir, db, "drlee"),
        token_on(dir, db, "sam"),
    )
}

/// A short dictation spoken by espeak-ng, as a WAV in `dir`.
pub fn dictation_wav(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    super::espeak(text, &p);
    p
}

pub const SHORT_DICTATION: &str = "Clinic letter. The patient is a sixty two year old man \
    seen today with chest pain on exertion. He takes ramipril five milligrams once daily. \
    Plan, review in six weeks.";
