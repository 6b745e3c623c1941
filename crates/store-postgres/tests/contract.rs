//! The shared contract suite on PostgreSQL. The server comes from `GONGKAI_TEST_PG`
//! (`postgres://user:pass@host/db`); unset, from a throwaway cluster that `gongkai-testkit`
//! starts with the installed PostgreSQL binaries. Only where there are none are the tests
//! skipped, loudly (`target/test-skips.txt`), and with `CI` set that is a failure. Each test works in its own schema
//! `t_<random>`, dropped at the end, so tests run in parallel and leave nothing behind.

use gongkai_store::Store;
use gongkai_store_postgres::open_in_schema;

/// Drops the test's schema when the fixture goes away.
struct Schema {
    url: String,
    name: String,
}

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.url, postgres::NoTls) {
            let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name));
        }
    }
}

fn fixture() -> Option<impl Fn(usize) -> Box<dyn Store> + Sync> {
    let url = gongkai_testkit::postgres_url("the PostgreSQL contract tests")?;
    let schema = Schema { name: format!("t_{:016x}", fastrand::u64(..)), url };
    // The first store creates the schema and runs the migrations.
    drop(open_in_schema(&schema.url, &schema.name, 1).expect("connect to GONGKAI_TEST_PG"));
    Some(move |size| Box::new(open_in_schema(&schema.url, &schema.name, size).expect("connect")) as Box<dyn Store>)
}

gongkai_store::contract_tests!(fixture());

#[test]
fn schemas_are_dropped_after_tests() {
    let Some(url) = gongkai_testkit::postgres_url("schemas_are_dropped_after_tests") else { return };
    let name = {
        let schema = Schema { name: format!("t_{:016x}", fastrand::u64(..)), url: url.clone() };
        let s = open_in_schema(&schema.url, &schema.name, 2).unwrap();
        assert_eq!(s.with_conn(|c| c.schema_version()).unwrap().unwrap(), gongkai_store_postgres::SCHEMA_VERSION);
        schema.name.clone()
    };
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let n: i64 = c.query_one("SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1", &[&name]).unwrap().get(0);
    assert_eq!(n, 0);
}

/// A connection the server closed is dropped when it comes back to the pool (the call that
/// had it fails with the driver's error), and the next call gets a new one.
#[test]
fn broken_connections_are_dropped() {
    let Some(url) = gongkai_testkit::postgres_url("broken_connections_are_dropped") else { return };
    let schema = Schema { name: format!("t_{:016x}", fastrand::u64(..)), url: url.clone() };
    let s = open_in_schema(&schema.url, &schema.name, 2).unwrap();
    assert_eq!(s.open_connections(), 1);
    let pid: i32 = s.with_conn(|c| c.client().query_one("SELECT pg_backend_pid()", &[]).unwrap().get(0)).unwrap();
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin.execute("SELECT pg_terminate_backend($1)", &[&pid]).unwrap();
    let err = s.organs().unwrap_err();
    assert_eq!(err.code(), "store.backend", "{err}");
    assert_eq!(s.open_connections(), 0, "the closed connection was dropped");
    assert!(s.organs().unwrap().is_empty(), "a new connection serves the next call");
    assert_eq!(s.open_connections(), 1);
}
