//! `medscribe serve`: open the data directory (locked to this process), load the model once,
//! start the workers and folder watchers, and serve HTTP until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::{Context, bail};
use medscribe::jobs::{self, Engine};
use medscribe::server::{self, AppState, Config};
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
    /// Transcription workers in this process (each decodes one dictation at a time; 0 runs
    /// none: dictations are stored and queued until a server with workers runs)
    #[arg(long, default_value_t = 1)]
    workers: usize,
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
    /// Whisper model name or path (default: the installed default)
    #[arg(long, short = 'm')]
    model: Option<String>,
    /// Whisper threads per worker (default: the cores shared among the workers)
    #[arg(long)]
    threads: Option<usize>,
    /// Templates folder (default: the installed templates/)
    #[arg(long)]
    templates_dir: Option<PathBuf>,
    /// Extra vocabulary folder (a practice's own lists)
    #[arg(long)]
    vocab_dir: Option<PathBuf>,
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

async fn shutdown_signal() {
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

async fn run_async(a: Args) -> anyhow::Result<()> {
    let dir = a.store.dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let _lock = lock_dir(&dir)?;
    let store = a.store.open().await?;
    let orphans = store.expire_orphaned_leases().await?;
    store.dir.sweep_partials();
    let vocab = Arc::new(load_vocab(a.vocab_dir.as_ref())?);
    let templates_dir = a
        .templates_dir
        .clone()
        .unwrap_or_else(|| paths::project_subdir("templates"));
    medscribe::document::list_templates(&templates_dir)
        .with_context(|| format!("{}: cannot read the templates", templates_dir.display()))?;

    let engine = if a.workers > 0 {
        let path = model::resolve(&model::models_dir(), a.model.as_deref())?;
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let threads = a
            .threads
            .unwrap_or(cores.checked_div(a.workers).unwrap_or(1).max(1));
        let model = tokio::task::spawn_blocking(move || {
            medscribe::asr::Transcriber::load_with(&path, true)
        })
        .await??;
        Some(Arc::new(Engine {
            model,
            vocab: vocab.clone(),
            threads,
        }))
    } else {
        None
    };

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
    let (pool, handles) = match &engine {
        Some(e) => {
            let (p, h) = jobs::Pool::start(store.clone(), e.clone(), a.workers);
            (Some(p), h)
        }
        None => (None, Vec::new()),
    };
    let state = AppState {
        store: store.clone(),
        vocab,
        config: Arc::new(Config {
            allowed_hosts,
            max_upload: a.max_upload_mb * 1024 * 1024,
            templates_dir,
            secure_cookies: a.secure_cookies,
        }),
        wake: pool.as_ref().map(|p| p.wake.clone()).unwrap_or_default(),
        limiter: Arc::new(Mutex::new(server::ClientLimiter::default())),
    };
    let mut watchers = Vec::new();
    for w in &a.watch {
        server::watch::check_folder(&state, w)
            .await
            .map_err(anyhow::Error::msg)?;
        watchers.push(tokio::spawn(server::watch::watch(state.clone(), w.clone())));
    }
    println!(
        "medscribe: serving http://{local} (data in {}, {} worker{}{})",
        dir.display(),
        a.workers,
        if a.workers == 1 { "" } else { "s" },
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
    if let Some(p) = pool {
        p.stop();
        for h in handles {
            let _ = h.await;
        }
    }
    store.close().await;
    Ok(())
}
