//! The request log holds method, matched route pattern, status and latency only: a login
//! with a known name and password and a list query with a known applicant's name and phone
//! leave none of those values in the captured logs (errors: see the unit test
//! `errors_are_logged_by_code_and_kind_never_by_message` in `src/lib.rs`).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;

use gongkai_testkit::CapturedLog;

/// Everything the global subscriber writes (the server runs on its own threads).
fn captured() -> &'static CapturedLog {
    static LOGS: OnceLock<CapturedLog> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = CapturedLog::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_ansi(false)
            .without_time()
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber of this test binary");
        logs
    })
}

fn send(addr: std::net::SocketAddr, raw: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    String::from_utf8_lossy(&out).lines().next().unwrap_or_default().to_string()
}

#[test]
fn requests_are_logged_without_query_strings_or_form_values() {
    let logs = captured();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let first = gongkai_store_sqlite::open(&db).unwrap();
    gongkai_app::accounts::bootstrap_admin(&first).unwrap();
    drop(first);
    let (addr, _) = crate::common::serve(db);
    let body = format!("name={}&password={}", crate::common::enc("欧阳请求"), crate::common::enc("机密口令xyz987"));
    let login = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let status = send(addr, &login);
    assert!(status.starts_with("HTTP/1.1 "), "{status}");
    let q = crate::common::enc("欧阳请求");
    let list =
        format!("GET /applications?q={q}&phone=13912345678 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    send(addr, &list);
    let text = logs.text();
    assert!(text.contains("method=POST route=\"/login\""), "{text}");
    assert!(text.contains("route=\"/applications\""), "{text}");
    for secret in ["欧阳请求", "机密口令xyz987", "13912345678", "q=", "phone=", &q] {
        assert!(!text.contains(secret), "“{secret}” leaked into the request log:\n{text}");
    }
}
