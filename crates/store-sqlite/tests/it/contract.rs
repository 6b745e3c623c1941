//! The shared contract suite on SQLite: every test gets its own database file in a temporary
//! folder; each call of the factory opens a new handle (connection) to that file.

use gongkai_store::Store;
use gongkai_store_sqlite::SqliteStore;

fn fixture() -> Option<impl Fn() -> Box<dyn Store> + Sync> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("register.db");
    Some(move || {
        let _keep = &dir;
        Box::new(SqliteStore::open(&path).expect("open sqlite")) as Box<dyn Store>
    })
}

gongkai_store::contract_tests!(fixture());
