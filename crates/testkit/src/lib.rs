//! Test support for the workspace's own tests (a dev-dependency only; never linked into a
//! product binary).
//!
//! * [`skipped`]: a test that cannot run says so **on the console** (written to the process's
//!   stderr directly, which the test harness does not capture) and appends a line to
//!   `target/test-skips.txt`, which `.ci/run` prints as a summary after the test run.
//! * [`shared`] / [`corpus`]: the shared folder with the real reports (`GONGKAI_SHARED`, else
//!   `../shared` beside the checkout), or a loud skip.
//! * [`rust_files`]: the `.rs` files below a folder, for tests that hold the source to a rule.
//! * [`postgres_url`]: `GONGKAI_TEST_PG` when set; otherwise a throwaway cluster started from the
//!   installed PostgreSQL binaries (initdb in a temporary folder, on a free loopback port, trust
//!   authentication, fsync off), stopped and deleted when the test process exits. Only where no
//!   binaries exist is the test skipped, loudly; with `CI` set that is a failure instead.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The workspace root (this crate lives in `crates/testkit`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn skips_file() -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"));
    target.join("test-skips.txt")
}

/// Says loudly that the calling test did not run (all or part of it), and why. The line goes to
/// the console even when the harness captures output, and into `target/test-skips.txt`.
pub fn skipped(what: &str, why: &str) {
    let line = skip_line(what, why);
    let _ = writeln!(std::io::stderr().lock(), "\n*** {line} ***");
    append(&skips_file(), &line);
}

fn skip_line(what: &str, why: &str) -> String {
    let test = std::thread::current().name().unwrap_or("?").to_string();
    let krate = std::env::var("CARGO_CRATE_NAME").or_else(|_| std::env::var("CARGO_PKG_NAME")).unwrap_or_default();
    format!("SKIPPED {krate}::{test}: {what} — {why}")
}

fn append(path: &Path, line: &str) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = writeln!(f, "{line}");
    }
}

/// The shared folder (`GONGKAI_SHARED`, else `../shared` beside the checkout) when it holds the
/// corpus; otherwise a loud skip naming `what` and `None` (a failure when
/// `GONGKAI_REQUIRE_CORPUS` is set).
pub fn shared(what: &str) -> Option<PathBuf> {
    let p = std::env::var_os("GONGKAI_SHARED").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("../shared"));
    if p.join("corpus").is_dir() {
        Some(p)
    } else {
        skipped(what, &format!("{} not found (set GONGKAI_SHARED to the shared folder)", p.display()));
        assert!(
            std::env::var_os("GONGKAI_REQUIRE_CORPUS").is_none(),
            "GONGKAI_REQUIRE_CORPUS is set but {} has no corpus",
            p.display()
        );
        None
    }
}

/// Every `.rs` file below `dir`, sorted (for tests that hold the source to a rule).
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let (mut out, mut stack) = (Vec::new(), vec![dir.to_path_buf()]);
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for e in entries {
            let path = e.unwrap_or_else(|e| panic!("{}: {e}", d.display())).path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `shared(what)/corpus`.
pub fn corpus(what: &str) -> Option<PathBuf> {
    shared(what).map(|p| p.join("corpus"))
}

/// The bytes of the seed report (`shared/seed/000_64ff3bdd190e597a.txt`), or a loud skip
/// naming `what` and `None`.
pub fn seed(what: &str) -> Option<Vec<u8>> {
    let p = shared(what)?.join("seed/000_64ff3bdd190e597a.txt");
    match std::fs::read(&p) {
        Ok(b) => Some(b),
        Err(e) => {
            skipped(what, &format!("{}: {e}", p.display()));
            None
        }
    }
}

/// Whether poppler's `pdftotext` runs; when it does not, a loud skip naming `what`.
pub fn pdftotext(what: &str) -> bool {
    static HAVE: OnceLock<bool> = OnceLock::new();
    let have = *HAVE.get_or_init(|| {
        Command::new("pdftotext").arg("-v").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok()
    });
    if !have {
        skipped(what, "pdftotext (poppler-utils) is not installed");
    }
    have
}

/// A PostgreSQL server for the store tests: `GONGKAI_TEST_PG`, or a throwaway cluster (see the
/// crate docs). `None` (after a loud skip) only where neither exists and `CI` is unset.
pub fn postgres_url(what: &str) -> Option<String> {
    if let Ok(u) = std::env::var("GONGKAI_TEST_PG")
        && !u.is_empty()
    {
        return Some(u);
    }
    static CLUSTER: OnceLock<Result<String, String>> = OnceLock::new();
    match CLUSTER.get_or_init(throwaway_cluster) {
        Ok(url) => Some(url.clone()),
        Err(why) => {
            if std::env::var_os("CI").is_some() {
                panic!("CI is set but no PostgreSQL server is available: {why}");
            }
            skipped(what, why);
            None
        }
    }
}

/// The supervisor's stdin: open while this process lives. When the process exits the pipe
/// closes, and the supervisor stops the server and deletes its folder.
static SUPERVISOR: Mutex<Option<(Child, ChildStdin)>> = Mutex::new(None);

fn bindir() -> Option<PathBuf> {
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if p.join("initdb").is_file() && p.join("postgres").is_file() {
            return Some(p);
        }
    }
    // Debian keeps the server binaries out of PATH: /usr/lib/postgresql/<major>/bin.
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let major: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            (bin.join("initdb").is_file() && bin.join("postgres").is_file()).then_some((major, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, p)| p)
}

fn output_of(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn throwaway_cluster() -> Result<String, String> {
    let bin = bindir()
        .ok_or("no PostgreSQL server binaries (initdb, postgres) are installed and GONGKAI_TEST_PG is not set")?;
    // initdb refuses to run as root: as root, the cluster belongs to the `postgres` user.
    let root = output_of(Command::new("id").arg("-u")).as_deref() == Some("0");
    let as_user = if root {
        let uid = output_of(Command::new("id").args(["-u", "postgres"]))
            .ok_or("running as root and there is no `postgres` user to own a throwaway cluster")?;
        let gid = output_of(Command::new("id").args(["-g", "postgres"])).unwrap_or_default();
        Some((uid.parse::<u32>().map_err(|e| e.to_string())?, gid.parse::<u32>().ok()))
    } else {
        None
    };
    let dir = std::env::temp_dir().join(format!("gongkai-pg-{}-{:08x}", std::process::id(), fastrand::u32(..)));
    std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if let Some((uid, gid)) = as_user {
        std::os::unix::fs::chown(&dir, Some(uid), gid)
            .map_err(|e| format!("cannot hand {} to postgres: {e}", dir.display()))?;
    }
    let wrap = |program: &Path| -> Command {
        if as_user.is_some() {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        }
    };
    let data = dir.join("data");
    let init = wrap(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run initdb: {e}"))?;
    if !init.status.success() {
        let _ = std::fs::remove_dir_all(&dir);
        return Err(format!("initdb failed: {}", String::from_utf8_lossy(&init.stderr).trim()));
    }
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    // The supervisor runs the server until its stdin closes (this process exited), then stops
    // it and deletes the folder. It prints "up" once the server accepts connections.
    let script = r#"
        "$1/postgres" -D "$2/data" -p "$3" -k "$2" -c listen_addresses=127.0.0.1 -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 >"$2/log" 2>&1 &
        pid=$!
        i=0
        until "$1/pg_isready" -q -h 127.0.0.1 -p "$3"; do
            i=$((i+1)); if [ $i -gt 300 ] || ! kill -0 $pid 2>/dev/null; then echo failed; cat "$2/log"; exit 1; fi
            sleep 0.1
        done
        echo up
        read _ignored
        kill -INT $pid; wait $pid
        rm -rf "$2"
    "#;
    let mut child = wrap(Path::new("/bin/sh"))
        .arg("-c")
        .arg(script)
        .arg("sh")
        .arg(&bin)
        .arg(&dir)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start the throwaway server: {e}"))?;
    let stdin = child.stdin.take().ok_or("no stdin pipe")?;
    let stdout = child.stdout.take().ok_or("no stdout pipe")?;
    let mut lines = BufReader::new(stdout).lines();
    match lines.next() {
        Some(Ok(l)) if l == "up" => {}
        other => {
            let log: Vec<String> = lines.map_while(Result::ok).collect();
            let _ = std::fs::remove_dir_all(&dir);
            return Err(format!("the throwaway server did not start: {other:?} {}", log.join("\n")));
        }
    }
    *SUPERVISOR.lock().unwrap_or_else(|p| p.into_inner()) = Some((child, stdin));
    let _ =
        writeln!(std::io::stderr().lock(), "(a throwaway PostgreSQL cluster on 127.0.0.1:{port}, {})", dir.display());
    Ok(format!("postgres://postgres@127.0.0.1:{port}/postgres"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_skip_line_names_the_test_and_the_reason_and_is_appended() {
        let line = super::skip_line("the corpus tests", "not found");
        assert!(
            line.starts_with("SKIPPED ")
                && line.contains("a_skip_line_names_the_test")
                && line.ends_with("the corpus tests — not found"),
            "{line}"
        );
        let dir = std::env::temp_dir().join(format!("gongkai-testkit-{}", std::process::id()));
        let file = dir.join("skips.txt");
        super::append(&file, "one");
        super::append(&file, "two");
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "one\ntwo\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Everything a log writer is given, kept for assertions: pass a clone to a `tracing`
/// subscriber's `with_writer(move || log.clone())` and read [`CapturedLog::text`] afterwards.
#[derive(Debug, Clone, Default)]
pub struct CapturedLog(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLog {
    /// What was written so far (lossy UTF-8).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }
}

impl std::io::Write for CapturedLog {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
