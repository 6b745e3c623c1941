//! The store factory: open the register from where it is. A `postgres://` (or
//! `postgresql://`) URL opens the PostgreSQL backend (with the `postgres` feature; without it
//! the refusal says how to build it), anything else is the path of a SQLite file. Every front end
//! (the CLI, the web server) opens its handles here, so the choice, the private file modes and
//! the messages are the same everywhere.
//!
//! The register holds applicants' personal data: a SQLite file created here gets a folder made
//! 0700 and the file 0600 before SQLite opens it (SQLite gives `-wal`/`-shm` the database
//! file's mode), and opening an existing file that group or others may read returns a warning
//! for the caller to show.
//!
//! Dependency direction: this crate depends on `gongkai-store` and the backends; nothing below
//! it (the store, the backends, `gongkai-app`) depends on it.

use gongkai_store::{Store, StoreError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Why the register could not be opened. Messages are Chinese and name the location (a
/// PostgreSQL URL is never quoted: it may hold a password).
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("登记簿“{0}”不存在，请先运行 gongkai init（或用 --db / GONGKAI_DB 指定）")]
    Missing(String),
    #[error("无法创建目录“{}”", .dir.display())]
    CreateDir {
        dir: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("无法创建登记簿“{spec}”")]
    Create {
        spec: String,
        #[source]
        source: std::io::Error,
    },
    #[error("目录“{}”不存在，未创建登记簿“{spec}”：请检查 --db / GONGKAI_DB 的路径，或先建好该目录（mkdir -p）", .dir.display())]
    NoFolder { dir: PathBuf, spec: String },
    #[error("登记簿“{spec}”是只读的（没有写入权限），不能修改；查询（show、due、organ list、history 等）仍可使用")]
    ReadOnly {
        spec: String,
        #[source]
        source: StoreError,
    },
    #[error("无法打开登记簿“{spec}”")]
    Sqlite {
        spec: String,
        #[source]
        source: StoreError,
    },
    #[error("无法连接 PostgreSQL 登记簿")]
    Postgres(#[source] StoreError),
    #[error(
        "此 gongkai 程序编译时未包含 PostgreSQL 支持。请用 `cargo build --release -p gongkai --features postgres` 重新编译，或改用 SQLite 文件路径"
    )]
    NoPostgres,
}

impl OpenError {
    /// A stable code for programs and logs (never changes with the wording).
    pub fn code(&self) -> &'static str {
        match self {
            OpenError::Missing(_) => "open.missing",
            OpenError::CreateDir { .. } => "open.create_dir",
            OpenError::Create { .. } => "open.create",
            OpenError::NoFolder { .. } => "open.no_folder",
            OpenError::ReadOnly { .. } => "open.read_only",
            OpenError::Sqlite { .. } => "open.sqlite",
            OpenError::Postgres(_) => "open.postgres",
            OpenError::NoPostgres => "open.no_postgres",
        }
    }
}

/// An opened register and what the caller should tell the user about it.
pub struct Opened {
    /// One store for the whole process: `Send + Sync`, shared by every thread (a pool of
    /// connections inside).
    pub store: Arc<dyn Store>,
    /// Warnings in Chinese (files of the register that other users may read).
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened").field("backend", &self.store.backend()).field("warnings", &self.warnings).finish()
    }
}

/// Whether a location is a PostgreSQL URL.
pub fn is_postgres(spec: &str) -> bool {
    spec.starts_with("postgres://") || spec.starts_with("postgresql://")
}

/// How a location is shown to the user: the path of a SQLite file, or just `PostgreSQL` (a URL
/// may hold a password).
pub fn shown(spec: &str) -> String {
    if is_postgres(spec) { "PostgreSQL".to_string() } else { spec.to_string() }
}

/// The default register file: `$XDG_DATA_HOME/gongkai/gongkai.db`, else
/// `~/.local/share/gongkai/gongkai.db`, else `./gongkai.db`.
pub fn default_path() -> PathBuf {
    if let Some(x) = std::env::var_os("XDG_DATA_HOME").filter(|x| !x.is_empty()) {
        return PathBuf::from(x).join("gongkai/gongkai.db");
    }
    if let Some(h) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(h).join(".local/share/gongkai/gongkai.db");
    }
    PathBuf::from("gongkai.db")
}

/// The location to open: the one given, else `GONGKAI_DB`, else [`default_path`].
pub fn location(given: Option<&str>) -> String {
    given
        .map(str::to_string)
        .or_else(|| std::env::var("GONGKAI_DB").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| default_path().to_string_lossy().into_owned())
}

/// The default size of a store's connection pool: [`gongkai_store::pool::default_size`]
/// (twice the cores, 4 to 32). `gongkai serve --db-pool N` overrides it.
pub fn default_pool() -> usize {
    gongkai_store::pool::default_size()
}

/// Open the register at `spec` with a pool of [`default_pool`] connections. `create`: make a
/// missing SQLite file (and its folder), private; without it a missing file is
/// [`OpenError::Missing`].
pub fn open(spec: &str, create: bool) -> Result<Opened, OpenError> {
    open_pool(spec, create, default_pool())
}

/// [`open`] with a pool of at most `pool` connections (at least 1; connections are opened
/// when first needed, so a command that makes one call at a time opens one).
pub fn open_pool(spec: &str, create: bool, pool: usize) -> Result<Opened, OpenError> {
    // Which backend, whether created, the outcome code: never the path or the URL (a URL may
    // hold a password; a path may name a person).
    let started = std::time::Instant::now();
    let opened = open_spec(spec, create, pool);
    let elapsed_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    match &opened {
        Ok(o) => tracing::info!(backend = o.store.backend(), create, pool, elapsed_us, "register opened"),
        Err(e) => tracing::warn!(postgres = is_postgres(spec), create, outcome = e.code(), "register not opened"),
    }
    opened
}

fn open_spec(spec: &str, create: bool, pool: usize) -> Result<Opened, OpenError> {
    if is_postgres(spec) {
        return Ok(Opened { store: open_postgres(spec, pool)?, warnings: Vec::new() });
    }
    let path = Path::new(spec);
    if !create && !path.exists() {
        return Err(OpenError::Missing(spec.to_string()));
    }
    if create && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() && path != default_path() {
            // A mistyped --db must not grow a folder tree somewhere: only the default place is
            // created.
            return Err(OpenError::NoFolder { dir: dir.to_path_buf(), spec: spec.to_string() });
        }
        create_private_dir_all(dir).map_err(|source| OpenError::CreateDir { dir: dir.to_path_buf(), source })?;
    }
    let warnings = if create && !path.exists() {
        create_private_file(path).map_err(|source| OpenError::Create { spec: spec.to_string(), source })?;
        Vec::new()
    } else {
        readable_files(path)
            .iter()
            .map(|p| {
                format!(
                    "警告：登记簿文件“{}”可被其他用户读取，其中有申请人的个人信息；请运行 chmod 600 “{}”（并 chmod 700 其所在目录）",
                    p.display(),
                    p.display()
                )
            })
            .collect()
    };
    let store = gongkai_store_sqlite::open_pool(path, pool).map_err(|source| {
        if source.to_string().contains("readonly") {
            OpenError::ReadOnly { spec: spec.to_string(), source }
        } else {
            OpenError::Sqlite { spec: spec.to_string(), source }
        }
    })?;
    Ok(Opened { store: Arc::new(store), warnings })
}

#[cfg(feature = "postgres")]
fn open_postgres(url: &str, pool: usize) -> Result<Arc<dyn Store>, OpenError> {
    Ok(Arc::new(gongkai_store_postgres::open_pool(url, pool).map_err(OpenError::Postgres)?))
}

#[cfg(not(feature = "postgres"))]
fn open_postgres(_url: &str, _pool: usize) -> Result<Arc<dyn Store>, OpenError> {
    Err(OpenError::NoPostgres)
}

/// Create a folder and its missing parents, each new one 0700 on unix (existing folders are
/// left as they are).
fn create_private_dir_all(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
}

/// Create an empty file only its owner can read and write (0600 on unix).
fn create_private_file(path: &Path) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path).map(drop)
}

/// The register's files (the database, `-wal`, `-shm`) that others than the owner may read
/// (unix; none elsewhere).
fn readable_files(path: &Path) -> Vec<PathBuf> {
    let mut names = vec![path.to_path_buf()];
    for suffix in ["-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        names.push(PathBuf::from(p));
    }
    names.retain(|p| readable_by_others(p));
    names
}

fn readable_by_others(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_stable_and_unique() {
        let io = || std::io::Error::other("x");
        let store = || StoreError::corrupt("x");
        let codes: Vec<&str> = [
            OpenError::Missing(String::new()),
            OpenError::CreateDir { dir: PathBuf::new(), source: io() },
            OpenError::Create { spec: String::new(), source: io() },
            OpenError::NoFolder { dir: PathBuf::new(), spec: String::new() },
            OpenError::ReadOnly { spec: String::new(), source: store() },
            OpenError::Sqlite { spec: String::new(), source: store() },
            OpenError::Postgres(store()),
            OpenError::NoPostgres,
        ]
        .iter()
        .map(OpenError::code)
        .collect();
        assert_eq!(
            codes,
            [
                "open.missing",
                "open.create_dir",
                "open.create",
                "open.no_folder",
                "open.read_only",
                "open.sqlite",
                "open.postgres",
                "open.no_postgres"
            ]
        );
    }

    #[test]
    fn locations_are_sniffed() {
        assert!(is_postgres("postgres://u@h/db") && is_postgres("postgresql://h/db"));
        assert!(!is_postgres("/tmp/postgres.db") && !is_postgres("postgres.db"));
        assert_eq!(shown("postgres://u:secret@h/db"), "PostgreSQL");
        assert_eq!(shown("/data/r.db"), "/data/r.db");
        assert_eq!(location(Some("/x/y.db")), "/x/y.db");
    }

    #[test]
    fn a_missing_file_is_refused_in_chinese_unless_created() {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("sub/register.db").to_string_lossy().into_owned();
        let err = open(&spec, false).unwrap_err();
        assert!(matches!(err, OpenError::Missing(_)));
        assert!(err.to_string().contains(&spec) && err.to_string().contains("不存在"), "{err}");
        // A mistyped folder is not created (only the default place is).
        let err = open(&spec, true).unwrap_err();
        assert!(matches!(err, OpenError::NoFolder { .. }), "{err}");
        assert!(err.to_string().contains("目录") && err.to_string().contains("不存在"), "{err}");
        assert!(!dir.path().join("sub").exists());
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let opened = open(&spec, true).unwrap();
        assert_eq!(opened.store.backend(), "sqlite");
        assert!(opened.warnings.is_empty());
        drop(opened);
        assert_eq!(open(&spec, false).unwrap().store.backend(), "sqlite");
    }

    #[cfg(unix)]
    #[test]
    fn created_files_are_private_and_readable_ones_warned() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("data");
        let path = sub.join("register.db");
        let spec = path.to_string_lossy().into_owned();
        std::fs::create_dir(&sub).unwrap();
        drop(open(&spec, true).unwrap());
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let opened = open(&spec, false).unwrap();
        assert_eq!(opened.warnings.len(), 1, "{:?}", opened.warnings);
        assert!(opened.warnings[0].contains(&spec) && opened.warnings[0].contains("chmod 600"));
    }

    #[cfg(not(feature = "postgres"))]
    #[test]
    fn postgres_without_the_feature_says_how_to_build_it() {
        let err = open("postgres://u:secret@localhost/db", false).unwrap_err();
        assert!(matches!(err, OpenError::NoPostgres));
        assert!(err.to_string().contains("--features postgres") && !err.to_string().contains("secret"));
    }

    #[cfg(feature = "postgres")]
    #[test]
    fn postgres_urls_open_the_postgres_backend() {
        // Port 1 refuses the connection: the URL went to the PostgreSQL backend, and the message
        // does not quote the URL (it may hold a password).
        let err = open("postgres://u:secret@127.0.0.1:1/db", false).unwrap_err();
        assert!(matches!(err, OpenError::Postgres(_)), "{err:?}");
        assert_eq!(err.to_string(), "无法连接 PostgreSQL 登记簿");
    }
}
