//! The migration runner: a fresh file gets every migration once, reopening applies nothing,
//! a database newer than the program is refused, and every connection of the pool has the
//! promised settings.

use gongkai_store::Store;
use gongkai_store_sqlite::{SqliteConn, open, open_in_memory, open_pool};

#[test]
fn migrations_apply_once_and_newer_schemas_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.db");
    let s = open_pool(&path, 3).unwrap();
    assert_eq!(s.with_conn(|c| c.schema_version()).unwrap().unwrap(), gongkai_store_sqlite::SCHEMA_VERSION);
    // Three connections lent at once: each one opened by the pool has the same settings.
    let lent = [s.get().unwrap(), s.get().unwrap(), s.get().unwrap()];
    assert_eq!(s.open_connections(), 3);
    for l in &lent {
        let c = l.connection();
        let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        let fk: i64 = c.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        let busy: i64 = c.query_row("PRAGMA busy_timeout", [], |r| r.get(0)).unwrap();
        assert_eq!(
            (mode.as_str(), sync, fk, busy),
            ("wal", 2, 1, 30_000),
            "WAL, synchronous=FULL, foreign keys, busy timeout"
        );
    }
    drop(lent);
    assert!(s.organs().unwrap().is_empty(), "the store works on with its connections back");
    drop(s);
    let s = open(&path).unwrap();
    let rows: i64 = s
        .with_conn(|c| c.connection().query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0)))
        .unwrap()
        .unwrap();
    assert_eq!(rows, gongkai_store_sqlite::SCHEMA_VERSION);
    s.with_conn(|c| {
        c.connection().execute("INSERT INTO schema_version (version, applied_at) VALUES (99, 'future')", [])
    })
    .unwrap()
    .unwrap();
    drop(s);
    let err = open(&path).unwrap_err().to_string();
    assert!(err.contains("数据库结构版本为 99") && err.contains("请升级"), "{err}");
}

#[test]
fn events_are_append_only_in_the_schema() {
    let s = open_in_memory().unwrap();
    let lent = s.get().unwrap();
    let c = SqliteConn::connection(&lent);
    c.execute_batch(
        "INSERT INTO organs (name, kind) VALUES ('x', 'department');
         INSERT INTO applications (organ, serial, applicant_kind, applicant, description, form, channel, state,
           received, late, version) VALUES (1, 's', 'other', '{}', '', 'paper', 'online', 'open', '2024-01-02', 0, 1);
         INSERT INTO events (app, seq, event, actor, recorded_at) VALUES (1, 1, '{}', 'a', 't');",
    )
    .unwrap();
    assert!(c.execute("UPDATE events SET event = 'x'", []).is_err());
    assert!(c.execute("DELETE FROM events", []).is_err());
}
