//! `medscribe serve` end to end: a real server on a loopback port, a real SQLite data
//! directory, the real tiny.en model and speech synthesised by espeak-ng.

mod common;

use std::time::{Duration, Instant};

use common::server::*;
use serde_json::{Value, json};

fn audit_actions(s: &Server, admin: &str, id: &str) -> Vec<String> {
    let a = s.json(admin, &format!("/api/audit?dictation={id}"));
    a["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_dictation_goes_from_upload_through_queries_to_a_sent_letter() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let (admin, author, _, sec) = department(&dir);
    let wav = dictation_wav(tmp.path(), "d.wav", SHORT_DICTATION);
    let s = Server::start(&dir, &[]);

    let meta = json!({"title": "Chest pain", "priority": "urgent", "template": "clinic-letter",
        "patient": {"name": "Harold Whitcombe", "dob": "3 March 1958", "mrn": "RMC0048213"}});
    let (code, body) = s.upload(&author, &wav, Some(&meta.to_string()));
    assert_eq!(code, 201, "{body}");
    assert_eq!(body["status"], "queued");
    let id = body["id"].as_str().unwrap().to_string();

    // The author sees it in their list; it is transcribed by the in-process worker.
    let list = s.json(&author, "/api/dictations");
    assert_eq!(list["dictations"][0]["id"], id.as_str());
    assert_eq!(list["dictations"][0]["priority"], "urgent");
    let d = s.wait_status(&sec, &id, &["review"], 120);
    assert_eq!(d["attempts"], 1);
    assert_eq!(
        d["locked_by"], "sam",
        "opening it locks it to the secretary"
    );
    let t = &d["transcript"];
    let text = t["text"].as_str().unwrap();
    assert!(
        text.to_lowercase().contains("ramipril") || text.contains("mg"),
        "{text}"
    );
    let words: Vec<&Value> = t["segments"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["words"].as_array().unwrap())
        .collect();
    assert!(words.len() > 10);

    // The secretary corrects the text: an impossible dose is queried at once, and the
    // words she did not touch keep their audio times.
    let edited = format!("{text}\n\nAtorvastatin 200 mg at night.");
    // An edit made on a text that has changed since is refused, not written over it.
    let r = s
        .put(&sec, &format!("/api/dictations/{id}/transcript"))
        .json(&json!({ "text": edited, "base": "0123456789abcdef" }))
        .send()
        .unwrap();
    assert_eq!(r.status(), 409);
    let r = s
        .put(&sec, &format!("/api/dictations/{id}/transcript"))
        .json(&json!({ "text": edited, "base": t["revision"] }))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let t2: Value = r.json().unwrap();
    assert_ne!(t2["revision"], t["revision"]);
    assert_eq!(t2["text"], edited.as_str());
    assert_eq!(t2["segments"], t["segments"], "timed words are kept");
    let dose = t2["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "dose_range")
        .expect("the edit is re-checked: the dose is queried")
        .clone();
    assert_eq!(dose["state"], "open");
    let fid = dose["id"].as_str().unwrap().to_string();

    // Sent to the author: the dictation is queried; the author answers; back to review.
    let r = s
        .post(&sec, &format!("/api/dictations/{id}/findings/{fid}"))
        .json(&json!({"action": "ask", "note": "200 mg or 20 mg?"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let d: Value = r.json().unwrap();
    assert_eq!(d["status"], "queried");
    let r = s
        .post(&author, &format!("/api/dictations/{id}/findings/{fid}"))
        .json(&json!({"action": "answer", "note": "20 mg, sorry"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let d: Value = r.json().unwrap();
    assert_eq!(d["status"], "review");
    let f = d["transcript"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == fid.as_str())
        .unwrap()
        .clone();
    assert_eq!(f["answer"], "20 mg, sorry");
    assert_eq!(f["state"], "open");

    // A final letter is refused while queries are open, and names them.
    let r = s
        .get(
            &author,
            &format!("/api/dictations/{id}/letter?format=md&final=true"),
        )
        .send()
        .unwrap();
    assert_eq!(r.status(), 409);
    let body: Value = r.json().unwrap();
    assert!(
        body["queries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q["kind"] == "dose_range")
    );
    // Approval is refused too.
    let r = s
        .post(&author, &format!("/api/dictations/{id}/status"))
        .json(&json!({"status": "approved"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 409);

    // The secretary fixes the text and settles every query.
    let fixed = edited.replace("200 mg", "20 mg");
    let r = s
        .put(&sec, &format!("/api/dictations/{id}/transcript"))
        .json(&json!({ "text": fixed }))
        .send()
        .unwrap();
    let t3: Value = r.json().unwrap();
    for f in t3["findings"].as_array().unwrap() {
        let r = s
            .post(
                &sec,
                &format!(
                    "/api/dictations/{id}/findings/{}",
                    f["id"].as_str().unwrap()
                ),
            )
            .json(&json!({"action": "resolve"}))
            .send()
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = s
        .patch(&sec, &format!("/api/dictations/{id}"))
        .json(&json!({"recipient": {"name": "Dr Anjali Patel", "address": "Riverside General"},
            "fields": {"author.title": "Consultant Cardiologist", "clinic.name": "Chest Pain Clinic"}}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);

    // Secretaries cannot approve; the author can; the secretary marks it sent.
    let status = |tok: &str, st: &str| {
        s.post(tok, &format!("/api/dictations/{id}/status"))
            .json(&json!({ "status": st }))
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(status(&sec, "approved"), 403);
    assert_eq!(status(&author, "approved"), 200);
    assert_eq!(status(&author, "sent"), 403);
    assert_eq!(status(&sec, "sent"), 200);

    // The signed letter: DOCX, and Markdown with the patient's fields merged.
    let r = s
        .get(
            &sec,
            &format!("/api/dictations/{id}/letter?format=md&final=true"),
        )
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let md = r.text().unwrap();
    assert!(
        md.contains("Harold Whitcombe") && md.contains("Dr Eleanor Marsh"),
        "{md}"
    );
    assert!(md.contains("Electronically signed"), "{md}");
    assert!(md.contains("20 mg") && !md.contains("200 mg"));
    let r = s
        .get(&sec, &format!("/api/dictations/{id}/letter?format=docx"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let docx = r.bytes().unwrap();
    let path = tmp.path().join("letter.docx");
    std::fs::write(&path, &docx).unwrap();
    let text = common::libreoffice_text(&path);
    assert!(
        text.contains("Harold Whitcombe") && text.contains("20 mg"),
        "{text}"
    );

    // The audio, whole and in part (the player seeks with Range requests).
    let r = s
        .get(&sec, &format!("/api/dictations/{id}/audio"))
        .send()
        .unwrap();
    assert_eq!(
        r.bytes().unwrap().len() as u64,
        std::fs::metadata(&wav).unwrap().len()
    );
    let r = s
        .get(&sec, &format!("/api/dictations/{id}/audio"))
        .header("Range", "bytes=100-199")
        .send()
        .unwrap();
    assert_eq!(r.status(), 206);
    assert_eq!(
        r.headers()["content-range"]
            .to_str()
            .unwrap()
            .split('/')
            .next(),
        Some("bytes 100-199")
    );
    assert_eq!(r.bytes().unwrap().len(), 100);

    // Every step is in the audit log, with who did it; nothing in the server's log
    // carries patient text.
    let actions = audit_actions(&s, &admin, &id);
    for a in [
        "create",
        "transcribed",
        "view",
        "edit_transcript",
        "query",
        "edit_fields",
        "status",
        "export",
    ] {
        assert!(actions.iter().any(|x| x == a), "no {a} in {actions:?}");
    }
    let log = s.stderr_text();
    assert!(
        !log.contains("Whitcombe") && !log.contains("ramipril"),
        "{log}"
    );
}

#[test]
fn sigkill_while_transcribing_loses_nothing_and_saves_one_result() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let (admin, author, _, _) = department(&dir);
    // Long enough (about 30 s of speech) to be caught mid-transcription.
    let long = [SHORT_DICTATION; 3].join(" New paragraph. ");
    let wav = dictation_wav(tmp.path(), "long.wav", &long);
    let mut s = Server::start(&dir, &[]);
    let (code, body) = s.upload(&author, &wav, None);
    assert_eq!(code, 201);
    let id = body["id"].as_str().unwrap().to_string();
    s.wait_status(&author, &id, &["transcribing"], 30);
    s.kill();

    let t0 = Instant::now();
    let s = Server::start(&dir, &[]);
    let d = s.wait_status(&author, &id, &["review"], 120);
    assert_eq!(d["attempts"], 2, "claimed once before the kill, once after");
    assert!(d["transcript"]["text"].as_str().unwrap().len() > 50);
    // Taken up again at once, not after the 30-s lease ran out.
    let health = s.json(&admin, "/api/health");
    assert_eq!(health["running"], 0);
    let actions = audit_actions(&s, &admin, &id);
    assert_eq!(
        actions.iter().filter(|a| *a == "transcribed").count(),
        1,
        "{actions:?}"
    );
    eprintln!(
        "re-transcribed {} s after the restart",
        t0.elapsed().as_secs_f32()
    );
}

#[test]
fn every_endpoint_checks_who_is_asking() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let (admin, author, other, sec) = department(&dir);
    let wav = dictation_wav(tmp.path(), "d.wav", "Review in six weeks.");
    let s = Server::start(&dir, &["--workers", "0"]);
    let (_, body) = s.upload(&author, &wav, None);
    let id = body["id"].as_str().unwrap().to_string();
    let c = client();
    let u = |p: &str| format!("{}{p}", s.url);

    // No credentials, or a made-up token: 401 everywhere but the login page and health.
    let endpoints: Vec<(&str, String)> = vec![
        ("GET", "/api/dictations".into()),
        ("POST", "/api/dictations".into()),
        ("GET", format!("/api/dictations/{id}")),
        ("PATCH", format!("/api/dictations/{id}")),
        ("DELETE", format!("/api/dictations/{id}")),
        ("GET", format!("/api/dictations/{id}/audio")),
        ("PUT", format!("/api/dictations/{id}/transcript")),
        ("POST", format!("/api/dictations/{id}/findings/abc")),
        ("POST", format!("/api/dictations/{id}/status")),
        ("POST", format!("/api/dictations/{id}/release")),
        ("POST", format!("/api/dictations/{id}/lock")),
        ("GET", format!("/api/dictations/{id}/letter")),
        ("GET", "/api/templates".into()),
        ("GET", "/api/authors".into()),
        ("GET", "/api/audit".into()),
        ("GET", "/api/users".into()),
        ("POST", "/api/users".into()),
        ("POST", "/api/users/sam/disable".into()),
        ("GET", "/api/me".into()),
        ("POST", "/api/password".into()),
    ];
    for (m, p) in &endpoints {
        let method = reqwest::Method::from_bytes(m.as_bytes()).unwrap();
        let r = c.request(method.clone(), u(p)).send().unwrap();
        assert_eq!(r.status(), 401, "{m} {p} without credentials");
        assert!(r.headers().contains_key("www-authenticate"));
        let r = c
            .request(method, u(p))
            .bearer_auth("ms_forged")
            .send()
            .unwrap();
        assert_eq!(r.status(), 401, "{m} {p} with a forged token");
    }
    assert_eq!(c.get(u("/api/health")).send().unwrap().status(), 200);
    assert_eq!(c.get(u("/login")).send().unwrap().status(), 200);
    // The pages send anyone not signed in to the sign-in form; their scripts hold no data.
    let no_redirect = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for p in [
        "/",
        "/new",
        &format!("/dictations/{id}"),
        "/admin",
        "/account",
    ] {
        let r = no_redirect.get(u(p)).send().unwrap();
        assert_eq!(r.status(), 303, "{p} without a session");
        let back = if p == "/" {
            "/login".to_string()
        } else {
            format!("/login?next={p}")
        };
        assert_eq!(r.headers()["location"], back.as_str(), "{p}");
    }
    // Signing in returns to that page; never to another site.
    let page = c
        .get(u(&format!("/login?next=/dictations/{id}")))
        .send()
        .unwrap();
    assert!(
        page.text()
            .unwrap()
            .contains(&format!("value=\"/dictations/{id}\""))
    );
    for (next, to) in [
        (format!("/dictations/{id}"), format!("/dictations/{id}")),
        ("//evil.example/x".to_string(), "/".to_string()),
        ("https://evil.example".to_string(), "/".to_string()),
    ] {
        let r = no_redirect
            .post(u("/login"))
            .form(&[
                ("username", "sam"),
                ("password", "sam-password-12"),
                ("next", next.as_str()),
            ])
            .send()
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], to.as_str(), "next={next}");
    }
    assert_eq!(c.get(u("/assets/review.js")).send().unwrap().status(), 200);
    assert_eq!(
        c.get(u("/assets/../Cargo.toml")).send().unwrap().status(),
        404
    );

    // Another author's dictation does not exist for them: 404 on every route.
    for (m, p) in endpoints.iter().filter(|(_, p)| p.contains(&id)) {
        let method = reqwest::Method::from_bytes(m.as_bytes()).unwrap();
        let r = c
            .request(method, u(p))
            .bearer_auth(&other)
            .json(&json!({"text": "x", "status": "approved", "action": "resolve"}))
            .send()
            .unwrap();
        assert_eq!(r.status(), 404, "{m} {p} as another author");
    }
    assert_eq!(s.json(&other, "/api/dictations")["dictations"], json!([]));

    // Wrong role: 403.
    assert_eq!(s.get(&sec, "/api/audit").send().unwrap().status(), 403);
    assert_eq!(s.get(&author, "/api/users").send().unwrap().status(), 403);
    let r = s
        .post(&sec, "/api/users")
        .json(&json!({"name": "eve", "role": "admin"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = client()
        .delete(u(&format!("/api/dictations/{id}")))
        .bearer_auth(&sec)
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(s.get(&admin, "/api/audit").send().unwrap().status(), 200);

    // A browser session: the cookie is HttpOnly and SameSite=Strict.
    let r = c
        .post(u("/login"))
        .form(&[("username", "sam"), ("password", "sam-password-12")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Strict"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();
    let r = c
        .get(u("/api/me"))
        .header("Cookie", &cookie)
        .send()
        .unwrap();
    assert_eq!(r.json::<Value>().unwrap()["name"], "sam");
    // A state-changing request from another site, with the valid cookie: refused.
    let release = u(&format!("/api/dictations/{id}/release"));
    let host = s.url.trim_start_matches("http://").to_string();
    let own = format!("http://{host}");
    // (Origin, Sec-Fetch-Site) → status. Chromium's own form posts under
    // `Referrer-Policy: no-referrer` say `Origin: null` with `Sec-Fetch-Site: same-origin`:
    // accepted; `Origin: null` alone is not.
    let cases: [(Option<&str>, Option<&str>, u16); 5] = [
        (Some("http://evil.example"), None, 403),
        (None, Some("cross-site"), 403),
        (Some(own.as_str()), Some("same-origin"), 204),
        (Some("null"), Some("same-origin"), 204),
        (Some("null"), None, 403),
    ];
    for (origin, site, status) in cases {
        let mut req = c.post(&release).header("Cookie", &cookie);
        if let Some(o) = origin {
            req = req.header("Origin", o);
        }
        if let Some(f) = site {
            req = req.header("Sec-Fetch-Site", f);
        }
        let r = req.send().unwrap();
        assert_eq!(
            r.status(),
            status,
            "Origin {origin:?}, Sec-Fetch-Site {site:?}"
        );
    }
    // A foreign Host header (DNS rebinding) is refused.
    let r = c
        .get(u("/api/health"))
        .header("Host", "evil.example")
        .send()
        .unwrap();
    assert_eq!(r.status(), 421);
    // Logging out ends the session.
    c.post(u("/logout"))
        .header("Cookie", &cookie)
        .send()
        .unwrap();
    let r = c
        .get(u("/api/me"))
        .header("Cookie", &cookie)
        .send()
        .unwrap();
    assert_eq!(r.status(), 401);

    // Failed sign-ins lock the account for a while, even for the right password.
    for _ in 0..5 {
        let r = c
            .post(u("/login"))
            .form(&[("username", "drmarsh"), ("password", "guess")])
            .send()
            .unwrap();
        assert_eq!(r.status(), 401);
    }
    let r = c
        .post(u("/login"))
        .form(&[("username", "drmarsh"), ("password", "marsh-password-1")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 429);
    // The browser gets the form again saying how long to wait, not a JSON error.
    assert!(r.headers().contains_key("retry-after"));
    let page = r.text().unwrap();
    assert!(page.contains("Too many failed sign-ins. Wait"), "{page}");
    assert!(page.contains("name=\"password\""), "{page}");
    let failed: Vec<Value> = s.json(&admin, "/api/audit")["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "login_failed")
        .cloned()
        .collect();
    assert_eq!(failed.len(), 5);
}

#[test]
fn bad_uploads_and_requests_get_clear_errors_and_nothing_is_queued() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let (admin, author, _, sec) = department(&dir);
    let s = Server::start(&dir, &["--max-upload-mb", "1"]);

    let (code, body) = s.upload_bytes(
        &author,
        b"<html><script>alert(1)</script>".to_vec(),
        "x.wav",
        None,
    );
    assert_eq!(code, 415, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("not audio"),
        "{body}"
    );
    let (code, body) = s.upload_bytes(&author, Vec::new(), "empty.wav", None);
    assert_eq!(code, 415);
    assert!(body["error"].as_str().unwrap().contains("empty"), "{body}");
    // A WAV header with garbage after it: recognised as WAV, refused as undecodable.
    let mut fake = b"RIFF\x24\x00\x00\x00WAVEfmt ".to_vec();
    fake.extend(std::iter::repeat_n(0xAB, 64));
    let (code, body) = s.upload_bytes(&author, fake, "fake.wav", None);
    assert_eq!(code, 415, "{body}");
    let (code, body) = s.upload_bytes(&author, vec![0u8; 2 * 1024 * 1024], "big.wav", None);
    assert_eq!(code, 413, "{body}");
    let wav = dictation_wav(tmp.path(), "d.wav", "Review in six weeks.");
    let (code, body) = s.upload(&author, &wav, Some("{\"priority\": "));
    assert_eq!(code, 400);
    assert!(body["error"].as_str().unwrap().contains("meta"), "{body}");
    let (code, _) = s.upload(&author, &wav, Some(r#"{"priority": "yesterday"}"#));
    assert_eq!(code, 400);
    let (code, _) = s.upload(&author, &wav, Some(r#"{"template": "../../etc/passwd"}"#));
    assert_eq!(code, 400);
    let (code, body) = s.upload(&sec, &wav, None);
    assert_eq!(
        code, 400,
        "a secretary must say whose dictation it is: {body}"
    );
    assert_eq!(
        s.json(&admin, "/api/dictations")["dictations"],
        json!([]),
        "nothing queued"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .chain(std::fs::read_dir(dir.join("audio")).unwrap())
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("partial"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    assert_eq!(std::fs::read_dir(dir.join("audio")).unwrap().count(), 0);

    // A hostile file name is never a path; markup in fields is kept as text.
    let bytes = std::fs::read(&wav).unwrap();
    let meta = json!({"title": "<script>alert('x')</script>", "patient": {"name": "O'Brien <b>"},
                      "author": "drmarsh"});
    let (code, body) = s.upload_bytes(
        &sec,
        bytes,
        "../../../../tmp/evil\".wav",
        Some(&meta.to_string()),
    );
    assert_eq!(code, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let d = s.json(&sec, &format!("/api/dictations/{id}"));
    assert_eq!(d["title"], "<script>alert('x')</script>");
    assert_eq!(d["patient"]["name"], "O'Brien <b>");
    assert_eq!(d["author"], "drmarsh");
    let stored: Vec<String> = std::fs::read_dir(dir.join("audio"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    assert_eq!(stored, [format!("{id}.wav")]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("audio").join(&stored[0]))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "audio is readable by the owner only");
        let mode = std::fs::metadata(dir.join("medscribe.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the database is readable by the owner only"
        );
    }

    // Malformed JSON, unknown ids, unknown queries, impossible moves.
    let r = s
        .put(&sec, &format!("/api/dictations/{id}/transcript"))
        .header("Content-Type", "application/json")
        .body("{\"text\": ")
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(
        r.json::<Value>().unwrap()["error"]
            .as_str()
            .unwrap()
            .contains("JSON")
    );
    assert_eq!(
        s.get(&sec, "/api/dictations/nope").send().unwrap().status(),
        404
    );
    assert_eq!(
        s.get(&sec, "/api/dictations/..%2F..%2Fetc")
            .send()
            .unwrap()
            .status(),
        404
    );
    let r = s
        .post(&sec, &format!("/api/dictations/{id}/status"))
        .json(&json!({"status": "sent"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 409);
    let r = s
        .post(&sec, &format!("/api/dictations/{id}/status"))
        .json(&json!({"status": "lost"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);

    // Silence is accepted as audio but fails with the reason, once, without retries.
    let silent = tmp.path().join("silent.wav");
    common::sox(&[
        "-n",
        "-r",
        "16000",
        "-c",
        "1",
        "-b",
        "16",
        silent.to_str().unwrap(),
        "trim",
        "0",
        "3",
    ]);
    let (code, body) = s.upload(&author, &silent, None);
    assert_eq!(code, 201);
    let sid = body["id"].as_str().unwrap();
    let d = s.wait_status(&author, sid, &["failed"], 60);
    assert!(d["error"].as_str().unwrap().contains("silent"), "{d}");
    let history = s.json(&admin, &format!("/api/audit?dictation={sid}"));
    assert_eq!(d["attempts"], 1, "{history} {}", s.stderr_text());
    assert!(!s.stderr_text().contains("panicked"));
}

#[test]
fn fifty_uploads_from_five_clients_are_each_transcribed_once() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let (admin, author, _, sec) = department(&dir);
    let wav = dictation_wav(tmp.path(), "short.wav", "Review in six weeks, thank you.");
    let s = Server::start(&dir, &["--workers", "2"]);
    let bytes = std::fs::read(&wav).unwrap();

    let t0 = Instant::now();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..5)
            .map(|_| {
                let (s, author, bytes) = (&s, &author, &bytes);
                scope.spawn(move || {
                    (0..10)
                        .map(|_| {
                            let (code, body) = s.upload_bytes(author, bytes.clone(), "d.wav", None);
                            assert_eq!(code, 201, "{body}");
                            body["id"].as_str().unwrap().to_string()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let upload_s = t0.elapsed().as_secs_f64();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 50);

    // While the workers are busy, the API answers: time the worklist and one dictation.
    let mut latencies = Vec::new();
    loop {
        let t = Instant::now();
        let list = s.json(&sec, "/api/dictations");
        s.json(&sec, &format!("/api/dictations/{}", ids[0]));
        latencies.push(t.elapsed().as_secs_f64() * 1000.0 / 2.0);
        let done = list["dictations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["status"] == "review")
            .count();
        if done == 50 {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(600),
            "only {done} of 50 done"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let total_s = t0.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    for id in &ids {
        let d = s.json(&sec, &format!("/api/dictations/{id}"));
        assert_eq!(d["attempts"], 1, "{id} ran more than once");
        let n = audit_actions(&s, &admin, id)
            .iter()
            .filter(|a| *a == "transcribed")
            .count();
        assert_eq!(n, 1, "{id} saved {n} times");
    }
    eprintln!(
        "load: 50 uploads from 5 clients in {upload_s:.1} s; all transcribed in {total_s:.1} s \
         (2 workers); API latency while busy over {} samples: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        latencies.len(),
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
}

#[test]
fn a_watched_folder_imports_each_recording_once_for_its_author() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let (_, author, _, sec) = department(&dir);
    let inbox = tmp.path().join("recorder");
    std::fs::create_dir(&inbox).unwrap();
    std::fs::write(
        inbox.join("medscribe-folder.toml"),
        "author = \"drmarsh\"\npriority = \"urgent\"\n",
    )
    .unwrap();
    let s = Server::start(
        &dir,
        &["--watch", inbox.to_str().unwrap(), "--workers", "0"],
    );
    let wav = dictation_wav(tmp.path(), "d.wav", "Review in six weeks.");
    std::fs::copy(&wav, inbox.join("DS400001.wav")).unwrap();
    std::fs::write(inbox.join("notes.txt"), "not audio").unwrap();
    let t0 = Instant::now();
    while s.json(&sec, "/api/dictations")["dictations"]
        .as_array()
        .unwrap()
        .is_empty()
    {
        assert!(t0.elapsed() < Duration::from_secs(20), "not imported");
        std::thread::sleep(Duration::from_millis(200));
    }
    // The same recording again under another name is not imported twice.
    std::fs::copy(&wav, inbox.join("DS400001 (copy).wav")).unwrap();
    std::thread::sleep(Duration::from_secs(6));
    let list = s.json(&author, "/api/dictations");
    let list = list["dictations"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["author"], "drmarsh");
    assert_eq!(list[0]["priority"], "urgent");
}

#[test]
fn users_cli_manages_accounts_and_serve_refuses_a_second_server_on_one_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let (_, author, _, _) = department(&dir);
    let _s = Server::start(&dir, &["--workers", "0"]);
    let o = common::run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--workers",
        "0",
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    common::assert_one_line_error(
        &o,
        &["another medscribe serve is using this data directory"],
    );
    let o = common::run(&[
        "users",
        "add",
        "x",
        "--role",
        "nurse",
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    common::assert_one_line_error(&o, &["--role nurse"]);
    let o = common::run(&[
        "users",
        "add",
        "drmarsh",
        "--role",
        "author",
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    common::assert_one_line_error(&o, &["already exists"]);
    let o = common::run(&["users", "list", "--data-dir", dir.to_str().unwrap()]);
    let list = common::stdout(&o);
    assert!(list.contains("drmarsh\tauthor\tcardiology"), "{list}");
    // Disabling an account stops its token at once, while the server runs.
    let o = common::run(&[
        "users",
        "disable",
        "drmarsh",
        "--data-dir",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(
        _s.get(&author, "/api/dictations").send().unwrap().status(),
        401
    );
}

/// Unmounts the small file system at the end of the full-disk test, whatever happens.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.0)
            .status();
    }
}

#[test]
fn a_full_disk_refuses_uploads_cleanly_and_recovers() {
    // A real full disk: the data directory on an 8 MB tmpfs (needs root, as in CI).
    let tmp = tempfile::tempdir().unwrap();
    let mnt = tmp.path().join("small");
    std::fs::create_dir(&mnt).unwrap();
    let ok = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"])
        .arg(&mnt)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!("SKIPPED: cannot mount a tmpfs here (not root); CI runs this as root");
        return;
    }
    let _guard = Mounted(mnt.clone());
    let dir = mnt.join("data");
    std::fs::create_dir(&dir).unwrap();
    let (_, author, _, sec) = department(&dir);
    let s = Server::start(&dir, &["--workers", "0"]);
    let wav = dictation_wav(tmp.path(), "d.wav", SHORT_DICTATION);
    let (code, _) = s.upload(&author, &wav, None);
    assert_eq!(code, 201);
    // Fill the disk, leaving less than the recording needs.
    let free = {
        let out = std::process::Command::new("df")
            .args(["-B1", "--output=avail"])
            .arg(&mnt)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .unwrap()
            .trim()
            .parse::<u64>()
            .unwrap()
    };
    let filler = mnt.join("filler");
    std::fs::write(&filler, vec![0u8; free.saturating_sub(64 * 1024) as usize]).unwrap();
    let (code, body) = s.upload(&author, &wav, None);
    assert_eq!(code, 507, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("disk is full"),
        "{body}"
    );
    assert_eq!(
        s.json(&sec, "/api/dictations")["dictations"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let partial = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .any(|e| e.file_name().to_string_lossy().contains("partial"));
    assert!(!partial, "a partial upload was left behind");
    // Space again: uploads work, and the first dictation is intact.
    std::fs::remove_file(&filler).unwrap();
    let (code, _) = s.upload(&author, &wav, None);
    assert_eq!(code, 201);
    assert_eq!(
        s.json(&sec, "/api/dictations")["dictations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

/// The spoken preamble in the service: the dictation's empty patient fields are filled from
/// what was said (audited), the patient said is checked against the one it was filed under,
/// and a mismatch blocks approval and the final letter until it is settled.
#[test]
fn the_spoken_preamble_fills_the_dictation_and_guards_the_patient() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    std::fs::create_dir(&dir).unwrap();
    let (admin, author, _, sec) = department(&dir);
    let wav = tmp.path().join("preamble.wav");
    let st = std::process::Command::new("espeak-ng")
        .args(["-v", "en-us", "-s", "130", "-w"])
        .arg(&wav)
        .arg(
            "This is Doctor Marsh dictating a referral letter to Doctor Anjali Patel, \
             cardiology, Riverside General, regarding Mister John Smith. Date of birth, the \
             third of March nineteen fifty eight. Urgent please. Copy to the patient. Dear \
             Doctor Patel, thank you for seeing this man with chest pain on exertion.",
        )
        .status()
        .unwrap();
    assert!(st.success());
    let s = Server::start(&dir, &[]);
    // Filed under a patient born in May, with no name typed.
    let meta = json!({"title": "Referral", "patient": {"dob": "3 May 1958"}});
    let (code, body) = s.upload(&author, &wav, Some(&meta.to_string()));
    assert_eq!(code, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_string();
    let d = s.wait_status(&sec, &id, &["review"], 180);
    let t = &d["transcript"];
    assert_eq!(t["job"]["patient"]["dob"], "1958-03-03", "{:#}", t["job"]);
    assert!(
        !t["text"].as_str().unwrap().contains("dictating"),
        "the preamble is not in the text: {}",
        t["text"]
    );

    // Filled: the name said (the typed date of birth is kept), the priority raised.
    assert_eq!(
        d["patient"]["dob"], "3 May 1958",
        "typed values are never overwritten"
    );
    assert_eq!(d["patient"]["name"], t["job"]["patient"]["name"], "{d:#}");
    assert_eq!(d["priority"], "urgent");
    assert!(audit_actions(&s, &admin, &id).contains(&"filled_from_dictation".to_string()));

    // The wrong-patient guard names both dates and blocks approval and the final letter.
    let mismatch = t["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == "patient_mismatch")
        .unwrap_or_else(|| panic!("no patient_mismatch in {:#}", t["findings"]))
        .clone();
    assert_eq!(mismatch["severity"], "high");
    assert_eq!(mismatch["field"], "patient.dob");
    let msg = mismatch["message"].as_str().unwrap();
    assert!(
        msg.contains("3 March 1958") && msg.contains("3 May 1958"),
        "{msg}"
    );
    let r = s
        .post(&author, &format!("/api/dictations/{id}/status"))
        .json(&json!({"status": "approved"}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 409);
    let r = s
        .get(
            &author,
            &format!("/api/dictations/{id}/letter?format=md&final=true"),
        )
        .send()
        .unwrap();
    assert_eq!(r.status(), 409);

    // The draft letter carries what was said: the copy and the urgency.
    let r = s
        .get(&sec, &format!("/api/dictations/{id}/letter?format=md"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let letter = r.text().unwrap();
    assert!(letter.contains("cc: the patient"), "{letter}");
    assert!(letter.contains("patient_mismatch"), "{letter}");
}
