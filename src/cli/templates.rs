//! `medscribe templates`: the available templates and the fields each needs.

use std::path::PathBuf;

use medscribe::{document, paths};

#[derive(clap::Args)]
pub struct Args {
    /// Templates folder (default: the project's templates/)
    #[arg(long)]
    templates_dir: Option<PathBuf>,
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let dir = a
        .templates_dir
        .unwrap_or_else(|| paths::project_subdir("templates"));
    for t in document::list_templates(&dir)? {
        println!("{:<18} {}", t.name, t.description);
        for f in &t.fields {
            println!(
                "    {:<22} {}{}",
                f.name,
                if f.required { "(required) " } else { "" },
                f.description
            );
        }
    }
    Ok(())
}
