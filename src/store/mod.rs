//! The service's state: users, sessions, dictations, the job queue and the audit log, in
//! SQLite (the embedded default: one file in the data directory, WAL, busy timeout).
//!
//! Everything the server and the workers share goes through [`Store`]; they share nothing
//! else, so a worker can later run in another process against the same database. The SQL is
//! written to run unchanged on PostgreSQL (numbered `$N` parameters, integer millisecond
//! times computed here, no SQLite-only functions) so that a PostgreSQL store can stand in
//! behind the same methods. This module must never log patient text, and never let a
//! request's input become SQL (every value is a bound parameter).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions};

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

/// The store. Cheap to clone (a connection pool).
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    pub dir: DataDir,
}

impl Store {
    /// Opens (creating if needed) the SQLite database in `dir` and brings its schema up to
    /// date. A database from a newer medscribe is refused with a clear message.
    pub async fn open(dir: &Path) -> Result<Store> {
        let dir = DataDir::create(dir)?;
        let path = dir.database();
        let url = format!("sqlite://{}", path.display());
        let opts = SqliteConnectOptions::from_str(&url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts)
            .await?;
        crate::paths::restrict_to_owner(&path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })?;
        let store = Store { pool, dir };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let migrator = sqlx::migrate!("./migrations/sqlite");
        let path = self.dir.database().display().to_string();
        migrator.run(&self.pool).await.map_err(|e| match e {
            sqlx::migrate::MigrateError::VersionMissing(version) => {
                Error::NewerDatabase { path, version }
            }
            other => Error::Migrate {
                path,
                why: other.to_string(),
            },
        })
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

#[cfg(test)]
mod tests;
