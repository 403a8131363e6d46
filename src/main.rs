//! The `medscribe` command: parse arguments, call the library, print. Thin by design; all
//! behaviour lives in the library so that the web app and tests share it.

mod cli;

fn main() {
    if let Err(e) = cli::run() {
        // One line, no backtrace: what failed and what to do about it. A cause whose words
        // the message already holds ("x.wav: cannot read: No such file ...") is not repeated.
        let mut msg = e.to_string();
        for cause in e.chain().skip(1).map(|c| c.to_string()) {
            if !msg.contains(&cause) {
                msg = format!("{msg}: {cause}");
            }
        }
        eprintln!("medscribe: error: {}", msg.replace('\n', " "));
        std::process::exit(1);
    }
}
