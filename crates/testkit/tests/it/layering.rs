//! Who may depend on whom, and who reads the clock (ARCHITECTURE.md, "Who may depend on whom"). The layers and what each
//! may depend on are [`LAYERS`] and [`ALLOWED`], the one table of the rule; the test reads the
//! workspace's dependency graph from `cargo metadata` and fails on any edge the table does not
//! allow, on a workspace crate the table does not place, and on a table entry that names no
//! crate.

use std::collections::{BTreeMap, BTreeSet};

/// Every workspace crate (package name) in its layer.
const LAYERS: &[(&str, &[&str])] = &[
    // Pure cores: values in, values out, no IO (ARCHITECTURE.md invariant 1).
    (
        "core",
        &[
            "gongkai-model",
            "gongkai-parse",
            "gongkai-rules",
            "gongkai-render",
            "gongkai-office",
            "gongkai-synth",
            "gongkai-calendar",
            "gongkai-clock",
            "gongkai-fees",
            "gongkai-register",
            "gongkai-letters",
            "gongkai-compile",
        ],
    ),
    // Reading inputs: pdftotext in a child process, and the one entry for every input.
    ("input", &["gongkai-pdf", "gongkai-ingest"]),
    // The store trait and its write workflows (no SQL).
    ("store", &["gongkai-store"]),
    // The SQL backends of the store.
    ("backend", &["gongkai-store-sqlite", "gongkai-store-postgres"]),
    // The store factory: a location → a backend.
    ("factory", &["gongkai-store-open"]),
    // The service layer: use cases, authorization, views.
    ("app", &["gongkai-app"]),
    // Front ends: the web server, and the clerks' binary (which also hosts `gongkai serve`).
    ("web", &["gongkai-web"]),
    ("cli", &["gongkai"]),
    // Tools beside the product: the benchmarks.
    ("tool", &["gongkai-bench"]),
    // Test support: a dev-dependency only.
    ("dev", &["gongkai-testkit"]),
];

/// The layers a crate of each layer may depend on (normal and build dependencies).
const ALLOWED: &[(&str, &[&str])] = &[
    ("core", &["core"]),
    ("input", &["core", "input"]),
    ("store", &["core"]),
    ("backend", &["core", "store"]),
    ("factory", &["store", "backend"]),
    ("app", &["core", "input", "store"]),
    ("web", &["core", "input", "store", "factory", "app"]),
    ("cli", &["core", "input", "store", "factory", "app", "web"]),
    ("tool", &["core", "input", "store", "backend", "factory", "app"]),
    ("dev", &[]),
];

/// Single edges allowed outside the table, each with its reason.
const EXCEPTIONS: &[(&str, &str, &str)] = &[(
    "gongkai",
    "gongkai-store-sqlite",
    "a register the user may only read is opened as a private SQLite snapshot (register_cmd::open_read)",
)];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Normal,
    Dev,
}

/// A dependency edge between workspace crates: (from, to, kind).
type Edge = (String, String, Kind);

fn layer_of(krate: &str) -> Option<&'static str> {
    LAYERS.iter().find(|(_, crates)| crates.contains(&krate)).map(|(l, _)| *l)
}

fn allowed(from_layer: &str) -> &'static [&'static str] {
    ALLOWED.iter().find(|(l, _)| *l == from_layer).map_or(&[], |(_, a)| a)
}

/// Every edge the rule refuses, with the reason. Normal and build dependencies follow
/// [`ALLOWED`]; a dev-dependency (tests only) may reach any crate but a front end, and only a
/// dev-dependency may reach the test support.
fn violations(crates: &BTreeSet<String>, edges: &[Edge]) -> Vec<String> {
    let mut out = Vec::new();
    for c in crates {
        if layer_of(c).is_none() {
            out.push(format!("{c} is in no layer: add it to LAYERS in {}", file!()));
        }
    }
    for (_, members) in LAYERS {
        for c in *members {
            if !crates.contains(*c) {
                out.push(format!("LAYERS names {c}, which is not a workspace crate"));
            }
        }
    }
    for (from, to, kind) in edges {
        let (Some(lf), Some(lt)) = (layer_of(from), layer_of(to)) else { continue };
        let ok = match kind {
            Kind::Normal => allowed(lf).contains(&lt) || EXCEPTIONS.iter().any(|(f, t, _)| f == from && t == to),
            Kind::Dev => !matches!(lt, "web" | "cli") || from == to,
        };
        if !ok {
            out.push(format!(
                "{from} ({lf}) depends on {to} ({lt}){}",
                if *kind == Kind::Dev { " for its tests" } else { "" }
            ));
        }
    }
    out
}

/// `cargo metadata` of the workspace (its own crates only).
fn metadata() -> serde_json::Value {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(gongkai_testkit::workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON")
}

/// The workspace crates and the dependency edges between them, from `cargo metadata`.
fn workspace_graph() -> (BTreeSet<String>, Vec<Edge>) {
    let meta = metadata();
    let packages = meta["packages"].as_array().expect("packages");
    let crates: BTreeSet<String> = packages.iter().filter_map(|p| p["name"].as_str().map(str::to_string)).collect();
    let mut edges = BTreeMap::new();
    for p in packages {
        let from = p["name"].as_str().expect("package name");
        for d in p["dependencies"].as_array().expect("dependencies") {
            let to = d["name"].as_str().expect("dependency name");
            if !crates.contains(to) {
                continue;
            }
            let kind = if d["kind"].as_str() == Some("dev") { Kind::Dev } else { Kind::Normal };
            // A crate both a normal and a dev-dependency counts as normal.
            let e = edges.entry((from.to_string(), to.to_string())).or_insert(kind);
            *e = (*e).min(kind);
        }
    }
    (crates, edges.into_iter().map(|((f, t), k)| (f, t, k)).collect())
}

#[test]
fn every_dependency_follows_the_layers() {
    let (crates, edges) = workspace_graph();
    assert!(
        crates.len() >= 20 && edges.len() >= 30,
        "{} crates, {} edges: the graph was read",
        crates.len(),
        edges.len()
    );
    let v = violations(&crates, &edges);
    assert!(v.is_empty(), "who may depend on whom (ARCHITECTURE.md):\n  {}", v.join("\n  "));
}

#[test]
fn the_table_refuses_the_edges_the_architecture_forbids() {
    let (crates, _) = workspace_graph();
    let edge = |f: &str, t: &str, k: Kind| (f.to_string(), t.to_string(), k);
    for (f, t) in [
        ("gongkai-model", "gongkai-store"),
        ("gongkai-parse", "gongkai-app"),
        ("gongkai-rules", "gongkai-web"),
        ("gongkai-compile", "gongkai"),
        ("gongkai-store", "gongkai-store-sqlite"),
        ("gongkai-store-sqlite", "gongkai-store-open"),
        ("gongkai-app", "gongkai-store-sqlite"),
        ("gongkai-app", "gongkai-store-open"),
        ("gongkai-app", "gongkai-web"),
        ("gongkai-app", "gongkai"),
        ("gongkai-web", "gongkai"),
        ("gongkai-register", "gongkai-testkit"),
    ] {
        assert_eq!(violations(&crates, &[edge(f, t, Kind::Normal)]).len(), 1, "{f} → {t} is refused");
    }
    assert_eq!(violations(&crates, &[edge("gongkai-app", "gongkai-web", Kind::Dev)]).len(), 1);
    // And allows what the code does.
    for (f, t, k) in [
        ("gongkai-app", "gongkai-store", Kind::Normal),
        ("gongkai", "gongkai-web", Kind::Normal),
        ("gongkai-app", "gongkai-store-sqlite", Kind::Dev),
        ("gongkai-parse", "gongkai-testkit", Kind::Dev),
    ] {
        assert!(violations(&crates, &[edge(f, t, k)]).is_empty(), "{f} → {t}");
    }
    let mut unknown = crates.clone();
    unknown.insert("gongkai-new".to_string());
    assert_eq!(violations(&unknown, &[]).len(), 1, "a crate in no layer is refused");
}

// ---- the clock ------------------------------------------------------------------------------

/// Calls that read the wall clock.
const CLOCK_READS: &[&str] =
    &["Timestamp::now(", "Zoned::now(", "SystemTime::now(", "Local::now(", "Utc::now(", "Local::today("];

/// The library files that may read the wall clock, each with its reason. Everywhere else in the
/// library crates "today" and "now" come from the caller: the front ends (cli, web) and the
/// tools read the clock (ARCHITECTURE.md, "Time").
const CLOCK_READERS: &[(&str, &str)] = &[
    ("crates/app/src/lib.rs", "`today_in_china`, which the front ends call to pass today in; no use case calls it"),
    ("crates/store/src/lib.rs", "the time of an audit row, stamped by the store as it writes it (UTC)"),
    ("crates/store/src/workflow.rs", "an account's creation time, stamped as it is written"),
    (
        "crates/store-postgres/src/lib.rs",
        "the time a migration, an event, a holiday import or an audit row is written (UTC)",
    ),
];

/// The library crates (every layer but the front ends, the tools and the test support) read
/// the wall clock only in [`CLOCK_READERS`]. Monotonic `Instant`s (durations, deadlines) are not
/// the date and are not counted.
#[test]
fn libraries_take_today_from_their_caller() {
    let meta = metadata();
    let root = std::fs::canonicalize(gongkai_testkit::workspace_root()).expect("workspace root");
    let (mut files, mut found) = (0, Vec::new());
    for p in meta["packages"].as_array().expect("packages") {
        let name = p["name"].as_str().expect("name");
        if matches!(layer_of(name), Some("web" | "cli" | "tool" | "dev")) {
            continue;
        }
        let dir = std::path::Path::new(p["manifest_path"].as_str().expect("manifest_path")).with_file_name("src");
        for path in gongkai_testkit::rust_files(&dir) {
            files += 1;
            let text = std::fs::read_to_string(&path).expect("source");
            let rel = path.strip_prefix(&root).unwrap_or(&path).to_string_lossy().into_owned();
            if CLOCK_READS.iter().any(|c| text.contains(c)) && !CLOCK_READERS.iter().any(|(f, _)| *f == rel) {
                found.push(rel);
            }
        }
    }
    assert!(files > 50, "only {files} library sources read");
    assert!(
        found.is_empty(),
        "these library files read the clock; take today/now from the caller (or list the file with its reason \
         in CLOCK_READERS):\n  {}",
        found.join("\n  ")
    );
    for (f, _) in CLOCK_READERS {
        let text = std::fs::read_to_string(root.join(f)).unwrap_or_default();
        assert!(CLOCK_READS.iter().any(|c| text.contains(c)), "{f} is listed in CLOCK_READERS but reads no clock");
    }
}

// ---- the pure cores -------------------------------------------------------------------------

/// What the source of a crate that does IO says somewhere.
const IO_CALLS: &[&str] = &[
    "std::fs",
    "std::net",
    "std::process",
    "std::env",
    "fs::",
    "File::open",
    "File::create",
    "Command::new",
    "TcpStream",
    "UdpSocket",
];

/// The pure cores do no IO (ARCHITECTURE.md invariant 1): no file system, network, child
/// process or environment in their source; tests need no files.
#[test]
fn the_pure_cores_do_no_io() {
    let meta = metadata();
    let (mut files, mut found) = (0, Vec::new());
    for p in meta["packages"].as_array().expect("packages") {
        if layer_of(p["name"].as_str().expect("name")) != Some("core") {
            continue;
        }
        let dir = std::path::Path::new(p["manifest_path"].as_str().expect("manifest_path")).with_file_name("src");
        for path in gongkai_testkit::rust_files(&dir) {
            files += 1;
            let text = std::fs::read_to_string(&path).expect("source");
            for call in IO_CALLS.iter().filter(|c| text.contains(**c)) {
                found.push(format!("{}: {call}", path.display()));
            }
        }
    }
    assert!(files > 50, "only {files} core sources read");
    assert!(found.is_empty(), "a pure core does IO (ARCHITECTURE.md invariant 1):\n  {}", found.join("\n  "));
}
