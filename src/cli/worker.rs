//! `medscribe worker --database URL`: transcription workers without a web server, for a
//! department's other machines. They claim jobs from the shared PostgreSQL, read audio from
//! the shared data directory, save results, and stop after their current jobs on SIGTERM.

use std::sync::Arc;

use anyhow::bail;

use super::common::load_vocab;
use super::serve::{WorkArgs, shutdown_signal, stop_workers};
use super::store_args::StoreArgs;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    store: StoreArgs,
    #[command(flatten)]
    work: WorkArgs,
    /// Extra vocabulary folder (a practice's own lists)
    #[arg(long)]
    vocab_dir: Option<std::path::PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    if a.store.database.is_none() {
        bail!(
            "medscribe worker needs --database postgres://...; with SQLite the workers run \
             inside medscribe serve (--workers N)"
        );
    }
    if a.work.workers() == 0 {
        bail!("--workers 0: a worker process needs at least one worker");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let store = a.store.open_waiting().await?;
        let vocab = Arc::new(load_vocab(a.vocab_dir.as_ref())?);
        let templates = medscribe::paths::project_subdir("templates");
        let pool = a.work.start(&store, vocab, templates).await?;
        println!(
            "medscribe: {} worker{} on {}",
            a.work.workers(),
            if a.work.workers() == 1 { "" } else { "s" },
            store.describe()
        );
        use std::io::Write;
        let _ = std::io::stdout().flush();
        shutdown_signal().await;
        stop_workers(pool).await;
        store.close().await;
        Ok(())
    })
}
