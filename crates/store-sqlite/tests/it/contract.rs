//! The shared contract suite on SQLite: every test gets its own database file in a temporary
//! folder; each call of the factory opens a new store (a pool of connections) on that file.

use gongkai_store::Store;

fn fixture() -> Option<impl Fn(usize) -> Box<dyn Store> + Sync> {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("register.db");
    Some(move |size| {
        let _keep = &dir;
        Box::new(gongkai_store_sqlite::open_pool(&path, size).expect("open sqlite")) as Box<dyn Store>
    })
}

gongkai_store::contract_tests!(fixture());
