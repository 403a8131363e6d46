//! The test PostgreSQL server (scripts/test-postgres.sh): started if needed, a fresh
//! database per test, and a restart for fault tests.

use std::process::Command;
use std::sync::OnceLock;

pub struct TestPg {
    pub admin_url: String,
    pub data: String,
    pub bin: String,
}

/// The running test server, started by scripts/test-postgres.sh if it is not.
pub fn server() -> &'static TestPg {
    static PG: OnceLock<TestPg> = OnceLock::new();
    PG.get_or_init(|| {
        let out = Command::new(super::root().join("scripts/test-postgres.sh"))
            .arg("start")
            .output()
            .expect("run scripts/test-postgres.sh");
        assert!(
            out.status.success(),
            "the test PostgreSQL did not start: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let var = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(&format!("export {name}=")))
                .unwrap_or_else(|| panic!("test-postgres.sh printed no {name}"))
                .to_string()
        };
        TestPg {
            admin_url: var("MEDSCRIBE_TEST_PG_URL"),
            data: var("MEDSCRIBE_TEST_PGDATA"),
            bin: var("MEDSCRIBE_TEST_PGBIN"),
        }
    })
}

/// A new, empty database; its address.
pub fn fresh_database() -> String {
    let pg = server();
    let name = format!("medscribe_it_{}_{}", std::process::id(), nanos());
    let out = Command::new("psql")
        .arg(&pg.admin_url)
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .output()
        .expect("psql is installed with postgresql");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base = pg.admin_url.rsplit_once('/').map(|(b, _)| b).unwrap();
    format!("{base}/{name}")
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

/// Runs pg_ctl with `args` as the server's owner.
pub fn pg_ctl(args: &[&str]) {
    let pg = server();
    let ctl = format!("{}/pg_ctl", pg.bin);
    let mut c = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--", &ctl]);
        c
    } else {
        Command::new(&ctl)
    };
    // The server pg_ctl starts keeps its standard streams: never pipes we wait on.
    let log = std::path::Path::new(&pg.data).with_file_name("server.log");
    let st = c
        .args(["-D", &pg.data, "-w", "-l"])
        .arg(&log)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(
        st.success(),
        "pg_ctl {args:?} failed; see {}",
        log.display()
    );
}

/// Restarts the test server (fast shutdown: every connection is cut).
pub fn restart() {
    pg_ctl(&["-m", "fast", "restart"]);
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc_geteuid() == 0 }
}

unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

/// Runs a query and returns psql's unaligned output.
pub fn psql(url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .arg(url)
        .args(["-Atq", "-c", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
