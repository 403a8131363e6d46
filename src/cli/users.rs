//! `medscribe users add|list|disable|enable|token|password`: manage the service's accounts from the
//! server's own machine (the first admin is made here). Works while the server runs.

use std::io::Read;

use anyhow::{Context, bail};
use clap::Subcommand;
use medscribe::store::{self, Store, valid_user_name};

pub use super::store_args::StoreArgs;
use medscribe::workflow::Role;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Add a user: medscribe users add NAME --role admin|secretary|author [--password-stdin]
    Add {
        name: String,
        #[arg(long)]
        role: String,
        /// The name signed on letters, e.g. "Dr Eleanor Marsh"
        #[arg(long, default_value = "")]
        full_name: String,
        /// Read the password from standard input (one line); without it the user can only
        /// use API tokens
        #[arg(long)]
        password_stdin: bool,
        /// An author's specialties: their dictations are primed with these vocabulary lists
        /// (comma-separated, e.g. surgery,urology; see vocab/specialty/)
        #[arg(long, value_delimiter = ',')]
        specialties: Vec<String>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List users and their roles
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Disable a user: their sessions and tokens stop working at once
    Disable {
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Enable a disabled user again
    Enable {
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print a new API token for a user (alone on stdout); only its hash is stored
    Token {
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Set a user's password, read from standard input
    Password {
        name: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("<stdin>: cannot read the password")?;
    let p = s.lines().next().unwrap_or("").to_string();
    if p.chars().count() < 10 {
        bail!("<stdin>: the password must have at least 10 characters");
    }
    Ok(p)
}

pub fn run(a: Args) -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(run_async(a))
}

async fn user(store: &Store, name: &str) -> anyhow::Result<store::User> {
    store
        .user_by_name(name)
        .await?
        .with_context(|| format!("no user {name:?} (medscribe users list shows them)"))
}

async fn run_async(a: Args) -> anyhow::Result<()> {
    match a.command {
        UsersCommand::Add {
            name,
            role,
            full_name,
            password_stdin,
            specialties,
            store,
        } => {
            if full_name.chars().count() > 200 {
                bail!("--full-name: at most 200 characters");
            }
            if !valid_user_name(&name) {
                bail!("{name:?}: a user name is 1-64 letters, digits, dots, dashes or underscores");
            }
            let role = Role::parse(&role)
                .with_context(|| format!("--role {role}: use admin, secretary or author"))?;
            let known = super::common::load_vocab(None)?.specialties();
            if let Some(s) = specialties.iter().find(|s| !known.contains(s)) {
                bail!(
                    "--specialties {s}: unknown specialty; known: {}",
                    known.join(", ")
                );
            }
            let password = password_stdin.then(read_password).transpose()?;
            let store = store.open().await?;
            let u = store
                .add_user(&name, &full_name, role, password, &specialties)
                .await?;
            store.audit("cli", "user_add", None, &u.name).await?;
            println!("added {} ({})", u.name, u.role.as_str());
        }
        UsersCommand::List { store } => {
            let store = store.open().await?;
            for u in store.list_users().await? {
                println!(
                    "{}\t{}\t{}{}",
                    u.name,
                    u.role.as_str(),
                    u.specialties.join(","),
                    if u.disabled { "\tdisabled" } else { "" }
                );
            }
        }
        UsersCommand::Disable { name, store } => {
            let store = store.open().await?;
            user(&store, &name).await?;
            store.disable_user(&name).await?;
            store.audit("cli", "user_disable", None, &name).await?;
            println!("disabled {name}");
        }
        UsersCommand::Enable { name, store } => {
            let store = store.open().await?;
            let u = user(&store, &name).await?;
            store.enable_user(u.id).await?;
            store.audit("cli", "user_enable", None, &name).await?;
            println!("enabled {name}");
        }
        UsersCommand::Token { name, store } => {
            let store = store.open().await?;
            let u = user(&store, &name).await?;
            if u.disabled {
                bail!("{name} is disabled");
            }
            let token = store.new_api_token(u.id).await?;
            store.audit("cli", "token", None, &name).await?;
            println!("{token}");
        }
        UsersCommand::Password { name, store } => {
            let password = read_password()?;
            let store = store.open().await?;
            let u = user(&store, &name).await?;
            store.set_password(u.id, password).await?;
            store.audit("cli", "password", None, &name).await?;
            println!("password set for {name}");
        }
    }
    Ok(())
}
