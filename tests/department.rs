//! A department on PostgreSQL: one server, `medscribe worker` processes, a real PostgreSQL
//! started by scripts/test-postgres.sh. Workers killed mid-job and a database restart lose
//! nothing and save every result once.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::pg;
use common::server::*;

/// `medscribe worker` processes, killed when dropped.
struct Workers(Vec<Child>);

impl Workers {
    fn spawn(&mut self, dir: &Path, db: &str, log: &Path) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .unwrap();
        let child = common::medscribe()
            .args([
                "worker",
                "--model",
                "tiny.en",
                "--threads",
                "1",
                "--lease-seconds",
                "4",
            ])
            .args(["--database", db, "--data-dir"])
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        self.0.push(child);
    }

    fn kill_pid(&mut self, pid: u32) -> bool {
        let Some(i) = self.0.iter().position(|c| c.id() == pid) else {
            return false;
        };
        let mut c = self.0.remove(i);
        let _ = c.kill();
        let _ = c.wait();
        true
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The pid of one of `ours` that is transcribing now (worker ids are host-pid-n), if any.
fn busy_worker(s: &Server, ours: &Workers) -> Option<u32> {
    let r = client().get(format!("{}/api/health", s.url)).send().ok()?;
    let h: serde_json::Value = r.json().ok()?;
    h["workers"].as_array()?.iter().find_map(|w| {
        w["job"].as_str()?;
        let pid: u32 = w["id"].as_str()?.rsplit('-').nth(1)?.parse().ok()?;
        ours.0.iter().any(|c| c.id() == pid).then_some(pid)
    })
}

#[test]
fn sixty_dictations_survive_two_killed_workers_and_a_database_restart() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shared");
    std::fs::create_dir(&dir).unwrap();
    let db = pg::fresh_database();
    let (_, author, _, _) = department_on(&dir, Some(&db));
    let s = Server::start_on(&dir, Some(&db), &["--workers", "0"]);
    let log = tmp.path().join("workers.log");
    let mut workers = Workers(Vec::new());
    for _ in 0..3 {
        workers.spawn(&dir, &db, &log);
    }
    let clips: Vec<Vec<u8>> = (0..4)
        .map(|i| {
            let text = format!(
                "Review in {} weeks. Blood pressure is stable on ramipril.",
                i + 2
            );
            std::fs::read(dictation_wav(tmp.path(), &format!("c{i}.wav"), &text)).unwrap()
        })
        .collect();
    let mut ids = Vec::new();
    for i in 0..60 {
        let (code, body) = s.upload_bytes(&author, clips[i % 4].clone(), "d.wav", None);
        assert_eq!(code, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }

    let t0 = Instant::now();
    let done = || {
        pg::psql(
            &db,
            "SELECT COUNT(*) FROM dictations WHERE status = 'review'",
        )
    };
    let mut kills = 0;
    let mut restarted = false;
    loop {
        let n: usize = done().parse().unwrap_or(0);
        if n == 60 {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(420),
            "only {n} of 60 done; workers said: {}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        // Two SIGKILLs of a worker that is transcribing, each replaced at once; then a
        // database restart while work is still queued.
        if kills < 2 && n >= 8 * (kills + 1) {
            if let Some(pid) = busy_worker(&s, &workers)
                && workers.kill_pid(pid)
            {
                kills += 1;
                workers.spawn(&dir, &db, &log);
            }
        } else if kills == 2 && !restarted && n >= 30 {
            pg::restart();
            restarted = true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(kills, 2, "no worker was caught mid-job");
    assert!(restarted);

    // Exactly one saved result per dictation; none lost; attempts reported.
    let results = pg::psql(
        &db,
        "SELECT COUNT(*), COUNT(DISTINCT dictation_id) FROM results",
    );
    assert_eq!(results, "60|60");
    let attempts = pg::psql(
        &db,
        "SELECT attempts, COUNT(*) FROM jobs GROUP BY 1 ORDER BY 1",
    );
    let per: BTreeMap<String, String> = attempts
        .lines()
        .filter_map(|l| l.split_once('|'))
        .map(|(a, n)| (a.to_string(), n.to_string()))
        .collect();
    let transcribed = pg::psql(
        &db,
        "SELECT COUNT(*) FROM audit WHERE action = 'transcribed'",
    );
    assert_eq!(transcribed, "60");
    eprintln!(
        "fault test: 60 dictations, 3 workers, 2 SIGKILLs, 1 database restart: all done in \
         {:.0} s; jobs by attempts {per:?}",
        t0.elapsed().as_secs_f32()
    );
    assert!(
        per.keys().any(|a| a != "1"),
        "the killed jobs ran again: {per:?}"
    );
}

#[test]
fn the_api_answers_the_same_on_postgresql() {
    // The permissions and life of a dictation, against PostgreSQL (serve.rs runs them on
    // SQLite): every status code and state the same.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shared");
    std::fs::create_dir(&dir).unwrap();
    let db = pg::fresh_database();
    let (admin, author, other, sec) = department_on(&dir, Some(&db));
    let s = Server::start_on(&dir, Some(&db), &[]);
    let wav = dictation_wav(tmp.path(), "d.wav", SHORT_DICTATION);
    let (code, body) = s.upload(&author, &wav, Some(r#"{"priority": "stat"}"#));
    assert_eq!(code, 201);
    let id = body["id"].as_str().unwrap().to_string();
    assert_eq!(
        s.get(&other, &format!("/api/dictations/{id}"))
            .send()
            .unwrap()
            .status(),
        404
    );
    assert_eq!(s.get(&sec, "/api/audit").send().unwrap().status(), 403);
    assert_eq!(
        client()
            .get(format!("{}/api/dictations", s.url))
            .send()
            .unwrap()
            .status(),
        401
    );
    let d = s.wait_status(&sec, &id, &["review"], 120);
    assert_eq!(d["attempts"], 1);
    assert_eq!(d["priority"], "stat");
    let text = d["transcript"]["text"].as_str().unwrap().to_string();
    let r = s
        .put(&sec, &format!("/api/dictations/{id}/transcript"))
        .json(&serde_json::json!({"text": format!("{text} Atorvastatin 200 mg at night.")}))
        .send()
        .unwrap();
    let t: serde_json::Value = r.json().unwrap();
    let fid = t["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "dose_range")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = s
        .post(&sec, &format!("/api/dictations/{id}/findings/{fid}"))
        .json(&serde_json::json!({"action": "ask"}))
        .send()
        .unwrap();
    assert_eq!(r.json::<serde_json::Value>().unwrap()["status"], "queried");
    let health = s.json(&admin, "/api/health");
    assert_eq!(health["workers"][0]["alive"], true);
    assert!(health["workers"][0]["host"].as_str().is_some());
    let audit = s.json(&admin, &format!("/api/audit?dictation={id}"));
    assert!(audit["events"].as_array().unwrap().len() >= 5);
}

#[test]
fn workers_wait_for_the_database_refuse_a_newer_one_and_fail_jobs_without_audio() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shared");
    std::fs::create_dir(&dir).unwrap();

    // Unreachable at start: a clear message, and it keeps trying.
    let mut w = common::medscribe()
        .args([
            "worker",
            "--model",
            "tiny.en",
            "--database",
            "postgres://medscribe:secret@127.0.0.1:1/nowhere",
            "--data-dir",
        ])
        .arg(&dir)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(4));
    let _ = w.kill();
    let out = w.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.matches("unreachable").count() >= 2, "{err}");
    assert!(err.contains("trying again"), "{err}");
    assert!(
        !err.contains("secret"),
        "the password is never printed: {err}"
    );

    // A worker without --database is told how workers run with SQLite.
    let o = common::run(&["worker", "--data-dir", dir.to_str().unwrap()]);
    common::assert_one_line_error(&o, &["--database"]);

    // A database that a newer medscribe has migrated: refused, by name.
    let db = pg::fresh_database();
    let (_, author, _, _) = department_on(&dir, Some(&db));
    pg::psql(
        &db,
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, '\\x00', 0)",
    );
    let o = Command::new(env!("CARGO_BIN_EXE_medscribe"))
        .args([
            "worker",
            "--model",
            "tiny.en",
            "--database",
            &db,
            "--data-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    common::assert_one_line_error(&o, &["newer medscribe", "9999"]);
    pg::psql(&db, "DELETE FROM _sqlx_migrations WHERE version = 9999");

    // A job whose audio vanished from the shared folder fails with the reason.
    let s = Server::start_on(&dir, Some(&db), &["--workers", "0"]);
    let wav = dictation_wav(tmp.path(), "d.wav", SHORT_DICTATION);
    let (_, body) = s.upload(&author, &wav, None);
    let id = body["id"].as_str().unwrap().to_string();
    for e in std::fs::read_dir(dir.join("audio")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let mut workers = Workers(Vec::new());
    workers.spawn(&dir, &db, &tmp.path().join("w.log"));
    let d = s.wait_status(&author, &id, &["failed"], 60);
    assert!(
        d["error"]
            .as_str()
            .unwrap()
            .contains("audio file is missing"),
        "{d}"
    );
}
