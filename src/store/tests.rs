//! The store against a real SQLite file and a real PostgreSQL database, the same tests on
//! both: the queue's leases and fencing, exactly-once results, the append-only audit log,
//! accounts, and a database from a newer version.

use super::testdb::fresh_pg_database;
use super::*;
use crate::transcript::Transcript;
use crate::workflow::{Priority, Role};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// One database to test on: SQLite in `dir`, or PostgreSQL at `url` (audio in `dir`).
struct Target {
    dir: tempfile::TempDir,
    url: Option<String>,
}

impl Target {
    async fn open(&self) -> Store {
        Store::connect(self.url.as_deref(), self.dir.path())
            .await
            .unwrap()
    }
}

/// A fresh SQLite store and a fresh PostgreSQL one.
fn targets() -> Vec<Target> {
    vec![
        Target {
            dir: tempfile::tempdir().unwrap(),
            url: None,
        },
        Target {
            dir: tempfile::tempdir().unwrap(),
            url: Some(fresh_pg_database()),
        },
    ]
}

async fn store_with_dictation(t: &Target, priority: Priority, id: &str) -> (Store, i64) {
    let store = t.open().await;
    let author = match store.user_by_name("drmarsh").await.unwrap() {
        Some(u) => u,
        None => store
            .add_user("drmarsh", "", Role::Author, None, &[])
            .await
            .unwrap(),
    };
    add(&store, author.id, priority, id).await;
    (store, author.id)
}

async fn add(store: &Store, author: i64, priority: Priority, id: &str) {
    let d = NewDictation {
        id: id.into(),
        author_id: author,
        priority,
        title: String::new(),
        template: String::new(),
        due: None,
        patient: serde_json::json!({}),
        recipient: serde_json::json!({}),
        fields: serde_json::json!({}),
        note: String::new(),
        audio_name: format!("{id}.wav"),
        audio_type: "audio/wav".into(),
        audio_bytes: 10,
        duration: 1.0,
    };
    store.create_dictation(&d, "drmarsh").await.unwrap();
}

#[test]
fn a_stale_worker_cannot_save_and_the_result_is_saved_once() {
    for t in targets() {
        rt().block_on(async {
            let (store, _) = store_with_dictation(&t, Priority::Routine, "d1").await;
            let first = store.claim_job("w1", 60_000).await.unwrap().unwrap();
            assert_eq!(first.attempt, 1);
            // Nothing else is ready while the lease holds.
            assert!(store.claim_job("w2", 60_000).await.unwrap().is_none());
            // The server restarts: the lease is expired and another worker takes the job.
            assert_eq!(store.expire_orphaned_leases().await.unwrap(), 1);
            let second = store.claim_job("w2", 60_000).await.unwrap().unwrap();
            assert_eq!(second.attempt, 2);
            let t = Transcript {
                text: "Seen today.".into(),
                ..Default::default()
            };
            assert!(matches!(
                store.finish_job(&first, "w1", &t, None).await,
                Err(Error::LostLease)
            ));
            assert!(matches!(
                store.renew_lease(&first, 1000).await,
                Err(Error::LostLease)
            ));
            store.finish_job(&second, "w2", &t, None).await.unwrap();
            assert!(matches!(
                store.finish_job(&second, "w2", &t, None).await,
                Err(Error::LostLease)
            ));
            assert_eq!(store.result_count("d1").await.unwrap(), 1);
            let d = store.dictation("d1").await.unwrap().unwrap();
            assert_eq!(d.status, crate::workflow::Status::Review);
            assert_eq!(d.attempts, 2);
            assert_eq!(d.transcript.unwrap().text, "Seen today.");
        });
    }
}

#[test]
fn stat_is_claimed_before_routine_and_failures_retry_then_fail() {
    for t in targets() {
        rt().block_on(async {
            let (store, author) = store_with_dictation(&t, Priority::Routine, "r1").await;
            add(&store, author, Priority::Stat, "s1").await;
            add(&store, author, Priority::Urgent, "u1").await;
            let order: Vec<String> = [
                store.claim_job("w", 60_000).await.unwrap().unwrap(),
                store.claim_job("w", 60_000).await.unwrap().unwrap(),
                store.claim_job("w", 60_000).await.unwrap().unwrap(),
            ]
            .iter()
            .map(|c| c.dictation_id.clone())
            .collect();
            assert_eq!(order, ["s1", "u1", "r1"]);

            let t2 = Target {
                dir: tempfile::tempdir().unwrap(),
                url: t.url.as_ref().map(|_| fresh_pg_database()),
            };
            let (store, _) = store_with_dictation(&t2, Priority::Routine, "x").await;
            let transient = JobFailure {
                reason: "disk full".into(),
                permanent: false,
            };
            let c = store.claim_job("w", 60_000).await.unwrap().unwrap();
            store.fail_job(&c, &transient).await.unwrap();
            let d = store.dictation("x").await.unwrap().unwrap();
            assert_eq!(d.status, crate::workflow::Status::Queued);
            assert_eq!(d.error.as_deref(), Some("disk full"));
            // Not ready again until the back-off has passed.
            assert!(store.claim_job("w", 60_000).await.unwrap().is_none());
            let permanent = JobFailure {
                reason: "not audio".into(),
                permanent: true,
            };
            sqlx::query("UPDATE jobs SET run_after = 0")
                .execute(&store.pool)
                .await
                .unwrap();
            let c = store.claim_job("w", 60_000).await.unwrap().unwrap();
            store.fail_job(&c, &permanent).await.unwrap();
            let d = store.dictation("x").await.unwrap().unwrap();
            assert_eq!(d.status, crate::workflow::Status::Failed);
            assert_eq!(d.attempts, 2);
            assert_eq!(store.result_count("x").await.unwrap(), 0);
        });
    }
}

#[test]
fn the_audit_log_refuses_changes() {
    for t in targets() {
        rt().block_on(async {
            let (store, _) = store_with_dictation(&t, Priority::Routine, "d1").await;
            let events = store.audit_events(Some("d1"), 10).await.unwrap();
            assert_eq!(events.len(), 1);
            assert_eq!(events[0].action, "create");
            let upd = sqlx::query("UPDATE audit SET user_name = 'someone else'")
                .execute(&store.pool)
                .await;
            assert!(upd.unwrap_err().to_string().contains("append-only"));
            let del = sqlx::query("DELETE FROM audit").execute(&store.pool).await;
            assert!(del.unwrap_err().to_string().contains("append-only"));
        });
    }
}

#[test]
fn logins_lock_after_repeated_failures_and_tokens_are_stored_hashed() {
    for t in targets() {
        rt().block_on(async {
            let store = t.open().await;
            let sam = store
                .add_user(
                    "sam",
                    "",
                    Role::Secretary,
                    Some("correct horse".into()),
                    &[],
                )
                .await
                .unwrap();
            assert!(matches!(
                store.add_user("sam", "", Role::Admin, None, &[]).await,
                Err(Error::Conflict(_))
            ));
            assert!(matches!(
                store.login("sam", "correct horse".into()).await.unwrap(),
                LoginOutcome::Ok(_)
            ));
            for _ in 0..accounts::MAX_FAILED_LOGINS {
                assert!(matches!(
                    store.login("sam", "wrong".into()).await.unwrap(),
                    LoginOutcome::WrongPassword
                ));
            }
            // Locked now, even with the right password.
            assert!(matches!(
                store.login("sam", "correct horse".into()).await.unwrap(),
                LoginOutcome::Locked { .. }
            ));
            let token = store.new_api_token(sam.id).await.unwrap();
            assert_eq!(
                store.user_by_token(&token).await.unwrap().unwrap().name,
                "sam"
            );
            let stored: Vec<String> = sqlx::query_scalar("SELECT hash FROM api_tokens")
                .fetch_all(&store.pool)
                .await
                .unwrap();
            assert!(!stored.contains(&token));
            store.disable_user("sam").await.unwrap();
            assert!(store.user_by_token(&token).await.unwrap().is_none());
        });
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused_by_name() {
    for t in targets() {
        rt().block_on(async {
            let store = t.open().await;
            let sql = match store.backend {
                Backend::Sqlite => {
                    "INSERT INTO _sqlx_migrations (version, description, \
                installed_on, success, checksum, execution_time) \
                VALUES (9999, 'future', '2030-01-01', 1, x'00', 0)"
                }
                Backend::Postgres => {
                    "INSERT INTO _sqlx_migrations (version, description, \
                success, checksum, execution_time) VALUES (9999, 'future', TRUE, '\\x00', 0)"
                }
            };
            sqlx::query(sql).execute(&store.pool).await.unwrap();
            store.close().await;
            let err = Store::connect(t.url.as_deref(), t.dir.path())
                .await
                .err()
                .unwrap()
                .to_string();
            assert!(err.contains("newer medscribe"), "{err}");
            assert!(err.contains("9999"), "{err}");
            assert!(!err.contains("password"), "{err}");
        });
    }
}

#[test]
fn background_polling_does_not_keep_an_idle_session_alive() {
    use super::accounts::SESSION_IDLE_MS;
    use sqlx::Row;
    rt().block_on(async {
        for t in targets() {
            let store = t.open().await;
            let u = store
                .add_user(
                    "sam",
                    "",
                    Role::Secretary,
                    Some("sam-password-1".into()),
                    &[],
                )
                .await
                .unwrap();
            let token = store.new_session(u.id).await.unwrap();
            let hash = secret_hash(&token);
            let seen = |store: &Store| {
                let pool = store.pool.clone();
                let hash = hash.clone();
                async move {
                    let row = sqlx::query("SELECT last_seen FROM sessions WHERE hash = $1")
                        .bind(hash)
                        .fetch_optional(&pool)
                        .await
                        .unwrap();
                    row.map(|r| r.try_get::<i64, _>("last_seen").unwrap())
                }
            };
            let set_seen = |store: &Store, at: i64| {
                let pool = store.pool.clone();
                let hash = hash.clone();
                async move {
                    sqlx::query("UPDATE sessions SET last_seen = $1 WHERE hash = $2")
                        .bind(at)
                        .bind(hash)
                        .execute(&pool)
                        .await
                        .unwrap();
                }
            };
            // Nearly idle: a background poll still answers, but does not count as presence.
            let nearly = now_ms() - SESSION_IDLE_MS + 60_000;
            set_seen(&store, nearly).await;
            assert!(store.session_user(&token, false).await.unwrap().is_some());
            assert_eq!(seen(&store).await, Some(nearly));
            // Past the idle limit the poll ends the session.
            set_seen(&store, now_ms() - SESSION_IDLE_MS - 1_000).await;
            assert!(store.session_user(&token, false).await.unwrap().is_none());
            assert_eq!(seen(&store).await, None);
            // The user's own requests keep a session alive.
            let token = store.new_session(u.id).await.unwrap();
            let hash2 = secret_hash(&token);
            sqlx::query("UPDATE sessions SET last_seen = $1 WHERE hash = $2")
                .bind(nearly)
                .bind(&hash2)
                .execute(&store.pool)
                .await
                .unwrap();
            assert!(store.user_by_session(&token).await.unwrap().is_some());
            let row = sqlx::query("SELECT last_seen FROM sessions WHERE hash = $1")
                .bind(&hash2)
                .fetch_one(&store.pool)
                .await
                .unwrap();
            assert!(row.try_get::<i64, _>("last_seen").unwrap() > nearly);
        }
    });
}
