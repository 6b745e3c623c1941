//! What the black-box web tests share: the server on a random loopback port over a SQLite
//! register file (one store with a pool of one connection), and form encoding.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// Serve the register at `db` on 127.0.0.1:0 in a background runtime; the bound address and
/// the server's state. The strictest pool, one connection: every request takes turns on it, and
/// a use case that checked out a second connection while holding one would wait for itself.
pub fn serve(db: PathBuf) -> (SocketAddr, Arc<gongkai_web::Web>) {
    let web = gongkai_web::Web::new(Arc::new(gongkai_store_sqlite::open_pool(&db, 1).unwrap()), false);
    let state = web.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            gongkai_web::serve(listener, web).await.unwrap();
        });
    });
    (rx.recv().unwrap(), state)
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

/// The boundary of [`multipart`] bodies.
pub const BOUNDARY: &str = "gongkai-test-boundary-7MA4YWxkTrZu0gW";

/// A `multipart/form-data` body (Content-Type `multipart/form-data; boundary=BOUNDARY`) with
/// text fields and, when given, one file field `file` (name, bytes), as a browser posts it.
#[allow(dead_code)]
pub fn multipart(fields: &[(&str, &str)], file: Option<(&str, &[u8])>) -> Vec<u8> {
    let mut b = Vec::new();
    for (k, v) in fields {
        b.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
        );
    }
    if let Some((name, bytes)) = file {
        b.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        b.extend_from_slice(bytes);
        b.extend_from_slice(b"\r\n");
    }
    b.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    b
}

/// A valid one-row CSV ledger (受理编号 `serial`, received 2024-09-02).
#[allow(dead_code)]
pub fn ledger_csv(serial: &str) -> Vec<u8> {
    format!(
        "受理编号,收到申请日期,提交方式,申请人类型,申请人姓名或名称,申请内容\n{serial},2024-09-02,网络,自然人,王五,某项目的批复文件\n"
    )
    .into_bytes()
}
