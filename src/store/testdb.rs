//! Test databases: a fresh SQLite directory, or a fresh database on the test PostgreSQL
//! server that `scripts/test-postgres.sh` starts (started here if the environment does not
//! name one, so `cargo test` alone works too).

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The test server's admin address, starting it if needed.
pub fn pg_admin_url() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(u) = std::env::var("MEDSCRIBE_TEST_PG_URL") {
            return u;
        }
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/test-postgres.sh");
        let out = Command::new(&script)
            .arg("start")
            .output()
            .expect("run scripts/test-postgres.sh");
        assert!(
            out.status.success(),
            "the test PostgreSQL did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("export MEDSCRIBE_TEST_PG_URL="))
            .expect("test-postgres.sh prints the URL")
            .to_string()
    })
    .clone()
}

/// A new, empty database on the test server; its address.
pub fn fresh_pg_database() -> String {
    let admin = pg_admin_url();
    let name = format!("medscribe_t_{}", super::random_hex(6));
    let out = Command::new("psql")
        .arg(&admin)
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql is installed with postgresql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{name}")
}
