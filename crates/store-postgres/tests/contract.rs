//! The shared contract suite on PostgreSQL. The server comes from `GONGKAI_TEST_PG`
//! (`postgres://user:pass@host/db`); unset, the tests are skipped with a message — unless `CI`
//! is set, where a missing server is a failure. Each test works in its own schema
//! `t_<random>`, dropped at the end, so tests run in parallel and leave nothing behind.

use gongkai_store::Store;
use gongkai_store_postgres::PgStore;

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

fn fixture() -> Option<impl Fn() -> Box<dyn Store> + Sync> {
    let url = match std::env::var("GONGKAI_TEST_PG") {
        Ok(u) if !u.is_empty() => u,
        _ if std::env::var_os("CI").is_some() => {
            panic!("CI is set but GONGKAI_TEST_PG is not: PostgreSQL tests cannot run")
        }
        _ => {
            // Written to the process's stderr directly (not eprintln!, which the test harness
            // captures), once, so that a skipped run says so on the console.
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                use std::io::Write;
                let _ = writeln!(
                    std::io::stderr(),
                    "skipped: GONGKAI_TEST_PG is not set — the PostgreSQL contract tests did not run \
                     (set it to postgres://user:pass@host/db; with CI set they fail instead)"
                );
            });
            return None;
        }
    };
    let schema = Schema { name: format!("t_{:016x}", fastrand::u64(..)), url };
    // The first handle creates the schema and runs the migrations.
    drop(PgStore::open_in_schema(&schema.url, &schema.name).expect("connect to GONGKAI_TEST_PG"));
    Some(move || Box::new(PgStore::open_in_schema(&schema.url, &schema.name).expect("connect")) as Box<dyn Store>)
}

gongkai_store::contract_tests!(fixture());

#[test]
fn schemas_are_dropped_after_tests() {
    let Ok(url) = std::env::var("GONGKAI_TEST_PG") else { return };
    let name = {
        let schema = Schema { name: format!("t_{:016x}", fastrand::u64(..)), url: url.clone() };
        let mut s = PgStore::open_in_schema(&schema.url, &schema.name).unwrap();
        assert_eq!(s.schema_version().unwrap(), gongkai_store_postgres::SCHEMA_VERSION);
        schema.name.clone()
    };
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let n: i64 = c.query_one("SELECT COUNT(*) FROM pg_namespace WHERE nspname = $1", &[&name]).unwrap().get(0);
    assert_eq!(n, 0);
}
