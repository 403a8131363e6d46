//! The `medscribe` command: parse arguments, call the library, print. Thin by design; all
//! behaviour lives in the library so that the web app and tests share it.

mod cli;

fn main() {
    if let Err(e) = cli::run() {
        // One line, no backtrace: what failed and what to do about it.
        let msg = format!("{e:#}").replace('\n', " ");
        eprintln!("medscribe: error: {msg}");
        std::process::exit(1);
    }
}
