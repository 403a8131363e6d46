//! Where the service keeps its state, as given on the command line: `--data-dir` (SQLite
//! and audio) and `--database` (a department's PostgreSQL), shared by `serve`, `worker` and
//! `users`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use medscribe::store::{self, Store};

#[derive(clap::Args, Clone)]
pub struct StoreArgs {
    /// The service's data directory: the SQLite database and the audio files (default:
    /// $MEDSCRIBE_DATA, else $XDG_DATA_HOME/medscribe, else ~/.local/share/medscribe). With
    /// --database it holds only the audio, and every server and worker must share it.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// A department's PostgreSQL database, e.g. postgres://medscribe@db.example.org/medscribe
    /// (default: SQLite in the data directory)
    #[arg(long, env = "MEDSCRIBE_DATABASE")]
    pub database: Option<String>,
}

impl StoreArgs {
    pub fn dir(&self) -> PathBuf {
        self.data_dir
            .clone()
            .unwrap_or_else(store::default_data_dir)
    }

    pub async fn open(&self) -> anyhow::Result<Store> {
        let dir = self.dir();
        Store::connect(self.database.as_deref(), &dir)
            .await
            .with_context(|| match &self.database {
                Some(_) => "cannot open the service's database".to_string(),
                None => format!("{}: cannot open the service's data", dir.display()),
            })
    }

    /// `open`, waiting for a database that is not reachable yet (starting, or the network
    /// is down): tries again with back-off up to 30 s apart, saying so each time. Any other
    /// problem (a newer database, a bad address) is an error at once.
    pub async fn open_waiting(&self) -> anyhow::Result<Store> {
        let mut wait = Duration::from_secs(1);
        loop {
            match Store::connect(self.database.as_deref(), &self.dir()).await {
                Ok(s) => return Ok(s),
                Err(e @ store::Error::Unreachable { .. }) => {
                    eprintln!("medscribe: {e}; trying again in {} s", wait.as_secs());
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(30));
                }
                Err(e) => return Err(e).context("cannot open the service's database"),
            }
        }
    }
}
