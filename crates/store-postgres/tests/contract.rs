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
