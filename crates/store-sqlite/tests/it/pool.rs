//! The connection pool on SQLite files: at most `size` connections, opened when needed; a
//! call that finds them all lent waits, and gives up after the checkout timeout with a Chinese
//! error naming the pool and the remedy; a connection that cannot be opened is reported at
//! once.

use gongkai_store::{Store, StoreError};
use std::time::{Duration, Instant};

#[test]
fn the_pool_is_bounded_and_a_full_pool_times_out_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let s =
        gongkai_store_sqlite::open_pool(dir.path().join("p.db"), 2).unwrap().with_timeout(Duration::from_millis(300));
    assert_eq!((s.size(), s.open_connections()), (2, 1), "one connection from the open, more when needed");
    let a = s.get().unwrap();
    let b = s.get().unwrap();
    assert_eq!(s.open_connections(), 2);
    let started = Instant::now();
    let err = s.organs().unwrap_err();
    assert!(started.elapsed() >= Duration::from_millis(300), "it waited for the timeout");
    assert!(matches!(err, StoreError::PoolTimeout { size: 2, waited_secs: 1 }), "{err:?}");
    let msg = err.to_string();
    assert!(msg.contains("2 个连接都在使用中") && msg.contains("--db-pool"), "{msg}");
    assert_eq!(err.code(), "store.pool_timeout");
    assert_eq!(s.open_connections(), 2, "never more than the size");
    // A connection given back serves a waiting call.
    std::thread::scope(|sc| {
        let waiting = sc.spawn(|| s.organs().map(|o| o.len()));
        std::thread::sleep(Duration::from_millis(50));
        drop(a);
        assert_eq!(waiting.join().unwrap().unwrap(), 0);
    });
    drop(b);
    assert_eq!(s.open_connections(), 2);
}

#[test]
fn a_connection_that_cannot_be_opened_is_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("data");
    std::fs::create_dir(&sub).unwrap();
    let s = gongkai_store_sqlite::open_pool(sub.join("p.db"), 2).unwrap();
    let held = s.get().unwrap();
    // The folder is gone: a second connection cannot be opened.
    std::fs::remove_dir_all(&sub).unwrap();
    let started = Instant::now();
    let err = s.organs().unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5), "not after a checkout timeout");
    assert!(matches!(err, StoreError::Backend { .. }), "{err:?}");
    assert_eq!(s.open_connections(), 1, "the failed connection does not count");
    drop(held);
}
