//! The service's state: users, sessions, dictations, the job queue and the audit log, in
//! SQLite (the embedded default: one file in the data directory, WAL, busy timeout) or
//! PostgreSQL (a department's shared database, for several servers and workers).
//!
//! Everything the server and the workers share goes through [`Store`]; they share nothing
//! else, so workers can run in other processes and on other machines. One body of SQL
//! serves both databases (numbered `$N` parameters, integer millisecond times computed here,
//! simple column types, through sqlx's `Any` driver); where the dialects differ (claiming a
//! job, waking workers) the store picks by [`Backend`]. Migrations live in
//! `migrations/{sqlite,postgres}` with the same version numbers. Audio files live in the
//! data directory, which every server and worker of a department must share. This module
//! must never log patient text, and never let a request's input become SQL (every value is
//! a bound parameter).

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::AnyPool;
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;

mod accounts;
mod audit;
mod dictations;
mod jobs;

pub use accounts::{LoginOutcome, User, valid_user_name};

/// A browser session's longest life, in seconds (the cookie's Max-Age).
pub const SESSION_MAX_S: i64 = accounts::SESSION_MAX_MS / 1000;
pub use audit::AuditEvent;
pub use dictations::{Dictation, DictationList, FieldChanges, FindingDecision, NewDictation};
pub use jobs::{Claim, JobFailure, QueueStats, WorkerInfo};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error(
        "{path}: this database was written by a newer medscribe (it has migration {version} \
         that this version does not know); run the newer medscribe, or restore a backup"
    )]
    NewerDatabase { path: String, version: i64 },
    #[error(
        "the database at {at} is unreachable ({why}); check that it runs and that the address is right"
    )]
    Unreachable { at: String, why: String },
    #[error(
        "--database {0}: use a postgres://USER@HOST/DB address (SQLite, the default, lives in --data-dir)"
    )]
    BadUrl(String),
    #[error("{path}: cannot upgrade the database ({why}); restore a backup or ask for help")]
    Migrate { path: String, why: String },
    #[error("{0} already exists")]
    Conflict(String),
    #[error("not found")]
    NotFound,
    #[error("this job's lease was lost: another worker has taken it over")]
    LostLease,
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("stored data is damaged ({0}); restore a backup")]
    Corrupt(String),
}

pub type Result<T> = std::result::Result<T, Error>;

/// Milliseconds since 1970 (UTC): every time in the store.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A stored time as RFC 3339 (UTC), for JSON.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// A random hex string from the operating system's generator (ids, tokens, lease tokens).
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    // getrandom only fails where the OS has no entropy source at all; fall back to time and
    // address bits rather than panicking (ids stay unique through the database's constraints).
    if getrandom::fill(&mut buf).is_err() {
        let seed = now_ms() as u64 ^ (&buf as *const _ as u64);
        for (i, b) in buf.iter_mut().enumerate() {
            *b = (seed.rotate_left(i as u32 * 7) & 0xff) as u8;
        }
    }
    buf.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a secret (tokens, session ids), hex: only this is stored.
pub fn secret_hash(secret: &str) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The data directory: the database and the audio files beside it.
#[derive(Debug, Clone)]
pub struct DataDir {
    pub root: PathBuf,
}

impl DataDir {
    /// Creates the directory (owner-only) if needed.
    pub fn create(root: &Path) -> Result<DataDir> {
        let io = |source| Error::Io {
            path: root.display().to_string(),
            source,
        };
        std::fs::create_dir_all(root.join("audio")).map_err(io)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for d in [root.to_path_buf(), root.join("audio")] {
                std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).map_err(
                    |source| Error::Io {
                        path: d.display().to_string(),
                        source,
                    },
                )?;
            }
        }
        Ok(DataDir {
            root: root.to_path_buf(),
        })
    }

    /// Removes temporary files left by uploads and imports that a killed process never
    /// finished (the client was never told they were stored). Only the process holding the
    /// data directory's lock may call this: another's upload may be in flight otherwise.
    pub fn sweep_partials(&self) -> usize {
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return 0;
        };
        entries
            .filter_map(|e| e.ok())
            .filter(|e| {
                let n = e.file_name().to_string_lossy().to_string();
                (n.starts_with(".upload-") || n.starts_with(".import-")) && n.ends_with(".partial")
            })
            .filter(|e| std::fs::remove_file(e.path()).is_ok())
            .count()
    }

    pub fn database(&self) -> PathBuf {
        self.root.join("medscribe.db")
    }

    /// Where a dictation's audio lives. `name` is generated by the store, never a client's.
    pub fn audio(&self, name: &str) -> PathBuf {
        self.root.join("audio").join(name)
    }
}

/// The default data directory: `$MEDSCRIBE_DATA`, else `$XDG_DATA_HOME/medscribe`, else
/// `~/.local/share/medscribe`.
pub fn default_data_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("MEDSCRIBE_DATA") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_DATA_HOME") {
        return PathBuf::from(d).join("medscribe");
    }
    match std::env::var_os("HOME") {
        Some(h) => PathBuf::from(h).join(".local/share/medscribe"),
        None => PathBuf::from("medscribe-data"),
    }
}

/// Which database a store uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database address without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(at)) => {
            let user = rest[..at.saturating_sub(scheme.len() + 3)]
                .split(':')
                .next()
                .unwrap_or("");
            format!("{scheme}://{user}@{}", &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

/// The store. Cheap to clone (a connection pool).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    pub backend: Backend,
    /// The PostgreSQL address (for LISTEN), None for SQLite.
    url: Option<String>,
    pub dir: DataDir,
}

impl Store {
    /// Opens (creating if needed) the SQLite database in `dir` and brings its schema up to
    /// date. A database from a newer medscribe is refused with a clear message.
    pub async fn open(dir: &Path) -> Result<Store> {
        Store::connect(None, dir).await
    }

    /// Opens the store: PostgreSQL at `database` (a `postgres://` address) with audio in
    /// `dir`, or SQLite in `dir` when `database` is None. Brings the schema up to date; a
    /// database from a newer medscribe is refused with a clear message.
    pub async fn connect(database: Option<&str>, dir: &Path) -> Result<Store> {
        static DRIVERS: std::sync::Once = std::sync::Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let dir = DataDir::create(dir)?;
        let store = match database {
            None => {
                let path = dir.database();
                let url = format!("sqlite://{}?mode=rwc", path.display());
                let pool = AnyPoolOptions::new()
                    .max_connections(8)
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 10000; \
                                 PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await?;
                crate::paths::restrict_to_owner(&path).map_err(|source| Error::Io {
                    path: path.display().to_string(),
                    source,
                })?;
                Store {
                    pool,
                    backend: Backend::Sqlite,
                    url: None,
                    dir,
                }
            }
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                let unreachable = |e: sqlx::Error| Error::Unreachable {
                    at: redact(url),
                    why: e.to_string(),
                };
                // One direct attempt first: the pool would keep retrying a refused
                // connection until its timeout, and the user would see nothing meanwhile.
                use sqlx::Connection;
                let probe = sqlx::AnyConnection::connect(url)
                    .await
                    .map_err(unreachable)?;
                let _ = probe.close().await;
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(10))
                    .connect(url)
                    .await
                    .map_err(|e| Error::Unreachable {
                        at: redact(url),
                        why: e.to_string(),
                    })?;
                Store {
                    pool,
                    backend: Backend::Postgres,
                    url: Some(url.to_string()),
                    dir,
                }
            }
            Some(other) => return Err(Error::BadUrl(redact(other))),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Where the database is, for messages (no password).
    pub fn describe(&self) -> String {
        match &self.url {
            Some(u) => redact(u),
            None => self.dir.database().display().to_string(),
        }
    }

    async fn migrate(&self) -> Result<()> {
        let path = self.describe();
        let result = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite").run(&self.pool).await,
            Backend::Postgres => {
                sqlx::migrate!("./migrations/postgres")
                    .run(&self.pool)
                    .await
            }
        };
        result.map_err(|e| match e {
            sqlx::migrate::MigrateError::VersionMissing(version) => {
                Error::NewerDatabase { path, version }
            }
            other => Error::Migrate {
                path,
                why: other.to_string(),
            },
        })
    }

    /// A transaction that writes. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`, waiting out the busy timeout): a deferred transaction that reads and then
    /// writes fails with "database is locked" (SQLITE_BUSY_SNAPSHOT) when another connection
    /// commits in between, which the busy timeout does not retry. PostgreSQL begins as usual.
    pub(super) async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Wakes idle workers on every machine when a job becomes ready (PostgreSQL NOTIFY,
    /// delivered when the transaction commits); SQLite's workers share one process and
    /// are woken there.
    pub(crate) async fn notify_workers<'e, E>(&self, exec: E) -> Result<()>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        if self.backend == Backend::Postgres {
            sqlx::query("NOTIFY medscribe_jobs").execute(exec).await?;
        }
        Ok(())
    }

    /// For PostgreSQL, a task that calls `wake` whenever any server queues a job (LISTEN,
    /// reconnecting after a lost connection). None for SQLite.
    pub fn listen_for_jobs(
        &self,
        wake: std::sync::Arc<tokio::sync::Notify>,
    ) -> Option<tokio::task::JoinHandle<()>> {
        let url = self.url.clone()?;
        Some(tokio::spawn(async move {
            let mut backoff = Duration::from_millis(500);
            loop {
                let listener = async {
                    let mut l = sqlx::postgres::PgListener::connect(&url).await?;
                    l.listen("medscribe_jobs").await?;
                    loop {
                        l.recv().await?;
                        wake.notify_waiters();
                        wake.notify_one();
                    }
                };
                let r: std::result::Result<(), sqlx::Error> = listener.await;
                if r.is_err() {
                    // The workers' polling covers the gap; try again a little later.
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(30));
                }
            }
        }))
    }
}

#[cfg(test)]
mod testdb;
#[cfg(test)]
mod tests;
