//! `medscribe serve`: open the store (an SQLite data directory locked to this process, or a
//! department's PostgreSQL), load the model once, start the workers and folder watchers,
//! and serve HTTP until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, bail};
use medscribe::jobs::{self, Engine};
use medscribe::server::{self, AppState, Config};
use medscribe::store::Backend;
use medscribe::{model, paths};

use super::common::load_vocab;
use super::users::StoreArgs;

#[derive(clap::Args)]
pub struct Args {
    /// Address to listen on (loopback by default; put a TLS reverse proxy in front to serve
    /// a network)
    #[arg(long, default_value = "127.0.0.1:8480")]
    addr: SocketAddr,
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    work: WorkArgs,
    /// Import audio that appears in this folder (repeatable); the folder's
    /// medscribe-folder.toml names the author
    #[arg(long)]
    watch: Vec<PathBuf>,
    /// Also answer to this host name (repeatable), e.g. the name a reverse proxy forwards
    #[arg(long)]
    allow_host: Vec<String>,
    /// Largest upload accepted, in MB
    #[arg(long, default_value_t = 200)]
    max_upload_mb: u64,
    /// Mark the session cookie Secure (when served over HTTPS by a reverse proxy)
    #[arg(long)]
    secure_cookies: bool,
    /// Templates folder (default: the installed templates/)
    #[arg(long)]
    templates_dir: Option<PathBuf>,
    /// Extra vocabulary folder (a practice's own lists)
    #[arg(long)]
    vocab_dir: Option<PathBuf>,
}

/// How this process transcribes: shared by `serve` and `worker`.
#[derive(clap::Args)]
pub struct WorkArgs {
    /// Transcription workers in this process (each decodes one dictation at a time; 0 runs
    /// none: dictations are queued for `medscribe worker` processes or a later start).
    /// Default: one per core, each with one Whisper thread, sharing one loaded model: the
    /// most audio per hour on 2 cores (docs/benchmarks.md)
    #[arg(long)]
    pub workers: Option<usize>,
    /// Whisper model name or path (default: $MEDSCRIBE_MODEL, else the installed default)
    #[arg(long, short = 'm', env = "MEDSCRIBE_MODEL", hide_env = true)]
    pub model: Option<String>,
    /// Whisper threads per worker (default: the cores shared among the workers)
    #[arg(long)]
    pub threads: Option<usize>,
    /// Seconds a claimed job stays with a worker that stops renewing it (it is renewed every
    /// third of this while the worker lives); a dead worker's job waits this long
    #[arg(long, default_value_t = 30)]
    pub lease_seconds: u64,
}

impl WorkArgs {
    /// The workers to run: as given, else one per core (at most 8).
    pub fn workers(&self) -> usize {
        self.workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get().min(8)))
    }

    /// Loads the model once and starts the workers (none when `--workers 0`).
    pub async fn start(
        &self,
        store: &medscribe::store::Store,
        vocab: Arc<medscribe::vocab::Vocab>,
        templates_dir: PathBuf,
    ) -> anyhow::Result<Option<(jobs::Pool, Vec<tokio::task::JoinHandle<()>>)>> {
        let workers = self.workers();
        if workers == 0 {
            return Ok(None);
        }
        let path = model::resolve(&model::models_dir(), self.model.as_deref())?;
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let threads = self
            .threads
            .unwrap_or(cores.checked_div(workers).unwrap_or(1).max(1));
        let model = tokio::task::spawn_blocking(move || {
            medscribe::asr::Transcriber::load_with(&path, true)
        })
        .await??;
        let engine = Arc::new(Engine {
            model,
            vocab,
            threads,
            templates_dir,
        });
        let lease_ms = (self.lease_seconds.max(3) * 1000) as i64;
        Ok(Some(jobs::Pool::start(
            store.clone(),
            engine,
            workers,
            lease_ms,
        )))
    }
}

pub async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

/// Stops the workers after their current jobs.
pub async fn stop_workers(pool: Option<(jobs::Pool, Vec<tokio::task::JoinHandle<()>>)>) {
    if let Some((p, handles)) = pool {
        p.stop();
        for h in handles {
            let _ = h.await;
        }
    }
}

/// Holds an exclusive lock on the data directory for the life of the process, so two
/// servers never share one SQLite store (and a restarted server knows every job still
/// marked running belonged to a process that is gone).
struct DirLock(#[allow(dead_code)] std::fs::File);

fn lock_dir(dir: &std::path::Path) -> anyhow::Result<DirLock> {
    use std::os::unix::io::AsRawFd;
    let path = dir.join("medscribe.lock");
    let f = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("{}: cannot create the lock file", path.display()))?;
    // SAFETY: flock on a file descriptor we own; no memory is shared.
    let rc = unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        bail!(
            "{}: another medscribe serve is using this data directory; stop it first or use \
             another --data-dir",
            dir.display()
        );
    }
    Ok(DirLock(f))
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(run_async(a))
}

async fn run_async(a: Args) -> anyhow::Result<()> {
    let dir = a.store.dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    // SQLite: this process owns the data directory, so every job still marked running at
    // start belonged to a process that is gone. PostgreSQL: other servers and workers may be
    // running; their jobs are taken over only when their leases run out.
    let _lock = match a.store.database {
        None => Some(lock_dir(&dir)?),
        Some(_) => None,
    };
    let store = a.store.open_waiting().await?;
    let orphans = match store.backend {
        Backend::Sqlite => {
            store.dir.sweep_partials();
            store.expire_orphaned_leases().await?
        }
        Backend::Postgres => 0,
    };
    let vocab = Arc::new(load_vocab(a.vocab_dir.as_ref())?);
    let templates_dir = a
        .templates_dir
        .clone()
        .unwrap_or_else(|| paths::project_subdir("templates"));
    medscribe::document::list_templates(&templates_dir)
        .with_context(|| format!("{}: cannot read the templates", templates_dir.display()))?;
    let pool = a
        .work
        .start(&store, vocab.clone(), templates_dir.clone())
        .await?;

    let listener = tokio::net::TcpListener::bind(a.addr)
        .await
        .with_context(|| {
            format!(
                "{}: cannot listen (in use, or not this machine's address)",
                a.addr
            )
        })?;
    let local = listener.local_addr()?;
    let mut allowed_hosts = vec![
        local.to_string(),
        format!("localhost:{}", local.port()),
        format!("127.0.0.1:{}", local.port()),
        format!("[::1]:{}", local.port()),
    ];
    allowed_hosts.extend(a.allow_host.iter().cloned());
    let state = AppState {
        store: store.clone(),
        vocab,
        config: Arc::new(Config {
            allowed_hosts,
            max_upload: a.max_upload_mb * 1024 * 1024,
            templates_dir,
            secure_cookies: a.secure_cookies,
        }),
        wake: pool
            .as_ref()
            .map(|(p, _)| p.wake.clone())
            .unwrap_or_default(),
        limiter: Arc::new(Mutex::new(server::ClientLimiter::default())),
    };
    let mut watchers = Vec::new();
    for w in &a.watch {
        server::watch::check_folder(&state, w)
            .await
            .map_err(anyhow::Error::msg)?;
        watchers.push(tokio::spawn(server::watch::watch(state.clone(), w.clone())));
    }
    let workers = a.work.workers();
    println!(
        "medscribe: serving http://{local} (data in {}, {workers} worker{}{})",
        store.describe(),
        if workers == 1 { "" } else { "s" },
        if orphans > 0 {
            format!(", {orphans} interrupted job(s) taken up again")
        } else {
            String::new()
        }
    );
    use std::io::Write;
    let _ = std::io::stdout().flush();
    server::serve(listener, state, shutdown_signal()).await?;
    for w in watchers {
        w.abort();
    }
    stop_workers(pool).await;
    store.close().await;
    Ok(())
}
