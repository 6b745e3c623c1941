//! What the black-box web tests share: the server on a random loopback port over a SQLite
//! register file, and form encoding.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use gongkai_store::Store;
use gongkai_store_sqlite::SqliteStore;

/// Serve the register at `db` on 127.0.0.1:0 in a background runtime; the bound address.
pub fn serve(db: PathBuf) -> SocketAddr {
    let open: gongkai_web::Opener =
        Arc::new(move || SqliteStore::open(&db).map(|s| Box::new(s) as Box<dyn Store>).map_err(|e| e.to_string()));
    let web = gongkai_web::Web::new(open, false);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            gongkai_web::serve(listener, web).await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// Percent-encoding for a form or query value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
