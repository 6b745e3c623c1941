//! Crash test: a child process registers applications and appends events in a loop, printing
//! each id after its transaction committed; the parent kills it with SIGKILL at different
//! points, reopens the database and checks that every acknowledged write is there, whole, that
//! `PRAGMA integrity_check` is `ok`, and that the stored derived columns agree with a fresh
//! `Clock::replay` of the stored log. (SIGKILL tests atomicity and WAL recovery; the page cache
//! survives it, so it does not test power loss — `synchronous=FULL` is what covers that.)

use gongkai_calendar::Calendar;
use gongkai_clock::{Clock, Event};
use gongkai_register::{AppId, OrganId};
use gongkai_store::{Personal, Store, derived_of};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

#[path = "../../src/bin/crash_writer.rs"]
#[allow(dead_code)]
mod writer;

#[test]
fn acknowledged_writes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    // id → (serial number, events acknowledged)
    let mut acked: BTreeMap<i64, (u64, usize)> = BTreeMap::new();
    // Kill after this many acknowledgements; 0 = as soon as the child prints anything.
    for (round, kill_after) in [1usize, 17, 64, 3, 150, 41, 0].into_iter().enumerate() {
        let first = round as u64 * 1_000_000;
        let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai-sqlite-crash-writer"))
            .arg(&db)
            .arg(first.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut seen = 0;
        while seen <= kill_after {
            let Some(Ok(line)) = lines.next() else { break };
            let mut it = line.split_whitespace();
            let (what, id, n) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
            let (id, n): (i64, u64) = (id.parse().unwrap(), n.parse().unwrap());
            let count = if what == "registered" { 2 } else { 3 };
            acked.insert(id, (n, count));
            seen += 1;
        }
        // SIGKILL mid-stream: the child is still writing.
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert_eq!(status.code(), None, "round {round}: the writer died before the kill: {status}");
        // Acknowledgements still in the pipe were committed too.
        for line in lines.map_while(|l| l.ok()) {
            let mut it = line.split_whitespace();
            let (what, id, n) = (it.next().unwrap(), it.next().unwrap(), it.next().unwrap());
            let count = if what == "registered" { 2 } else { 3 };
            acked.insert(id.parse().unwrap(), (n.parse().unwrap(), count));
        }
        eprintln!("round {round}: {} acknowledged so far", acked.len());
        check(&db, &acked, round);
    }
    assert!(acked.len() > 100, "the writer made progress: {}", acked.len());
}

fn check(db: &std::path::Path, acked: &BTreeMap<i64, (u64, usize)>, round: usize) {
    let s = gongkai_store_sqlite::open(db).unwrap();
    assert_eq!(s.with_conn(|c| c.integrity_check()).unwrap().unwrap(), "ok", "round {round}");
    for (&id, &(n, count)) in acked {
        let app = s.application(AppId(id), Personal::Visible).unwrap_or_else(|e| panic!("round {round}: {id}: {e}"));
        assert_eq!(app.serial, format!("K-{n}"));
        let (mut expected, reply): (Vec<Event>, Event) = writer::events(n);
        // One more event than acknowledged may have committed before the kill.
        assert!(app.events.len() >= count, "round {round}: app {id} lost events");
        if app.events.len() == 3 {
            expected.push(reply);
        }
        assert_eq!(app.events, expected, "round {round}: app {id}");
        assert_eq!(app.version, app.events.len() as i64 - 1);
    }
    // Every stored application (acknowledged or not) is whole and its derived columns agree
    // with a fresh replay.
    let organs: Vec<OrganId> = s.organs().unwrap().into_iter().map(|o| o.id).collect();
    for row in s.applications(&organs, Personal::Masked).unwrap() {
        let app = s.application(row.id, Personal::Masked).unwrap();
        assert!(app.events.len() >= 2, "a registration is all or nothing");
        let d = derived_of(&Clock::replay(Calendar::official(), &app.events).unwrap());
        assert_eq!(
            (row.state, row.received, row.due, row.concluded, row.outcome, row.late),
            (d.state, d.received, d.due, d.concluded, d.outcome, d.late)
        );
    }
}
