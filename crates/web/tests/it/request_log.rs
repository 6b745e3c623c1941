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

/// A store error behind a 500 (stored data the program cannot read; its message quotes the
/// stored value, here a name and a phone number written where an application's state
/// belongs) shows the user a fixed sentence with the stable codes and the request's number,
/// never the store's message; the log names the same number, and neither the value.
#[test]
fn a_backend_error_shows_its_codes_and_request_number_never_the_stores_message() {
    let logs = captured();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let s = gongkai_store_sqlite::open(&db).unwrap();
    let organ = gongkai_store::Store::add_organ(
        &s,
        &gongkai_store::NewOrgan {
            name: "示例县人民政府".into(),
            kind: gongkai_register::OrganKind::Government,
            parent: None,
            code: "1".into(),
            index_pattern: None,
        },
        "测试",
    )
    .unwrap();
    let new = gongkai_store::contract::new_app(organ.id, "E-1", jiff::civil::date(2024, 9, 2), vec![]);
    gongkai_store::Store::register(&s, &new, "测试").unwrap();
    let password = "出错页测试的密码123";
    let user = gongkai_store::NewUser {
        name: "viewer".into(),
        display_name: "查看人".into(),
        role: "supervisor".into(),
        organ: Some(organ.id),
        password_hash: gongkai_app::accounts::hash_password(password).unwrap(),
        must_change: false,
    };
    gongkai_store::Store::add_user(&s, &user, "测试").unwrap();
    s.with_conn(|c| c.connection().execute_batch("UPDATE applications SET state = '司马内错 13800004321'"))
        .unwrap()
        .unwrap();
    drop(s);
    let (addr, _) = crate::common::serve(db);
    let body = format!("name=viewer&password={}", crate::common::enc(password));
    let login = format!(
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut st = TcpStream::connect(addr).unwrap();
    st.write_all(login.as_bytes()).unwrap();
    let mut answer = String::new();
    st.read_to_string(&mut answer).unwrap();
    let cookie = answer
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: gongkai_session="))
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    let mut st = TcpStream::connect(addr).unwrap();
    let list = format!(
        "GET /applications HTTP/1.1\r\nHost: {addr}\r\nCookie: gongkai_session={cookie}\r\nConnection: close\r\n\r\n"
    );
    st.write_all(list.as_bytes()).unwrap();
    let mut page = String::new();
    st.read_to_string(&mut page).unwrap();
    assert!(page.starts_with("HTTP/1.1 500"), "{page}");
    assert!(page.contains("服务器内部错误") && page.contains("backend / store.backend"), "{page}");
    let at = page.find("请求编号 ").expect("the request's number") + "请求编号 ".len();
    let number: String = page[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(number.len(), 16, "{page}");
    for secret in ["司马内错", "13800004321", "未知状态", "数据库错误"] {
        assert!(!page.contains(secret), "“{secret}” shown on the error page:\n{page}");
    }
    let text = logs.text();
    assert!(
        text.lines().any(|l| l.contains("ERROR") && l.contains("kind=\"store.backend\"") && l.contains(&number)),
        "the error's log line names the request {number}:\n{text}"
    );
    assert!(
        text.lines().any(|l| l.contains("status=500") && l.contains(&number)),
        "the request's log line names it too:\n{text}"
    );
    for secret in ["司马内错", "13800004321"] {
        assert!(!text.contains(secret), "“{secret}” leaked into the log:\n{text}");
    }
}
