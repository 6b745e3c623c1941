//! Black-box HTTP tests: the server on a random loopback port over a fresh SQLite register
//! (`spawn_app`), driven with plain HTTP/1.1 requests as a browser would send them.

use crate::common;
use common::enc;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use sha2::Digest;

struct TestApp {
    addr: SocketAddr,
    web: std::sync::Arc<gongkai_web::Web>,
    admin_password: String,
    _dir: tempfile::TempDir,
}

/// The server on 127.0.0.1:0 with a new register and its first administrator.
fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let first = gongkai_store_sqlite::open(&db).unwrap();
    let (_, admin_password) = gongkai_app::accounts::bootstrap_admin(&first).unwrap().unwrap();
    drop(first);
    let (addr, web) = common::serve(db);
    TestApp { addr, web, admin_password, _dir: dir }
}

#[derive(Debug)]
struct Res {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

impl Res {
    fn location(&self) -> &str {
        self.headers.get("location").map(String::as_str).unwrap_or("")
    }
}

/// One request with an optional session cookie and an urlencoded form body.
fn request(app: &TestApp, method: &str, path: &str, cookie: Option<&str>, form: &[(&str, &str)]) -> Res {
    let body: String = form.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
    let kind = (method == "POST").then_some("application/x-www-form-urlencoded");
    exchange(app, method, path, cookie, kind, body.as_bytes())
}

/// A file upload (`multipart/form-data`) with text fields and one file.
fn upload(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> Res {
    let body = common::multipart(fields, Some(file));
    let kind = format!("multipart/form-data; boundary={}", common::BOUNDARY);
    exchange(app, "POST", path, Some(cookie), Some(&kind), &body)
}

/// Send one HTTP/1.1 request and read the whole response.
fn exchange(app: &TestApp, method: &str, path: &str, cookie: Option<&str>, kind: Option<&str>, body: &[u8]) -> Res {
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", app.addr);
    if let Some(c) = cookie {
        req.push_str(&format!("Cookie: gongkai_session={c}\r\n"));
    }
    if let Some(k) = kind {
        req.push_str(&format!("Content-Type: {k}\r\nContent-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    bytes.extend_from_slice(body);
    let mut s = TcpStream::connect(app.addr).unwrap();
    s.write_all(&bytes).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, rest) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|s| s.parse().ok()).unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let body =
        if head.to_ascii_lowercase().contains("transfer-encoding: chunked") { dechunk(rest) } else { rest.to_string() };
    Res { status, headers, body }
}

fn dechunk(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

fn get(app: &TestApp, path: &str, cookie: &str) -> Res {
    request(app, "GET", path, Some(cookie), &[])
}

/// The session token from a login response.
fn cookie_of(r: &Res) -> String {
    let c = r.headers.get("set-cookie").expect("a session cookie");
    assert!(c.contains("HttpOnly") && c.contains("SameSite=Strict"), "{c}");
    c.split(';').next().unwrap().split_once('=').unwrap().1.to_string()
}

/// The CSRF token of a page's forms.
fn csrf_of(body: &str) -> String {
    let at = body.find("name=\"csrf\" value=\"").expect("a CSRF field") + "name=\"csrf\" value=\"".len();
    body[at..].split('"').next().unwrap().to_string()
}

fn login(app: &TestApp, name: &str, password: &str) -> String {
    let r = request(app, "POST", "/login", None, &[("name", name), ("password", password)]);
    assert_eq!(r.status, 303, "{}", r.body);
    cookie_of(&r)
}

/// The first administrator changes the initial password and is then at the dashboard.
fn admin(app: &TestApp) -> (String, String) {
    let c = login(app, "admin", &app.admin_password);
    let page = get(app, "/", &c);
    assert_eq!((page.status, page.location()), (303, "/password"), "the initial password must be changed first");
    let csrf = csrf_of(&get(app, "/password", &c).body);
    let new = "管理员的新密码abc123";
    let r = request(
        app,
        "POST",
        "/password",
        Some(&c),
        &[("csrf", &csrf), ("old", &app.admin_password), ("new", new), ("again", new)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    (c, csrf)
}

#[test]
fn health_answers_without_login() {
    let app = spawn_app();
    let r = request(&app, "GET", "/health", None, &[]);
    assert_eq!(r.status, 200);
    assert!(r.body.contains("\"status\":\"ok\"") && r.body.contains("sqlite"), "{}", r.body);
}

#[test]
fn pages_need_a_login_and_wrong_passwords_are_refused() {
    let app = spawn_app();
    // Unreadable paths and queries too: the login comes first.
    for path in [
        "/",
        "/applications",
        "/applications/new",
        "/organs",
        "/users",
        "/applications/1",
        "/applications/abc",
        "/applications/1?registered=x",
        "/applications?page=%FF",
    ] {
        let r = request(&app, "GET", path, None, &[]);
        assert_eq!((r.status, r.location()), (303, "/login"), "{path}");
    }
    let r = request(&app, "GET", "/", Some("forged-token"), &[]);
    assert_eq!(r.location(), "/login");
    let r = request(&app, "POST", "/login", None, &[("name", "admin"), ("password", "wrong-password")]);
    assert_eq!(r.status, 401);
    assert!(r.body.contains("用户名或密码错误"), "{}", r.body);
    assert!(!r.headers.contains_key("set-cookie"));
    let r = request(&app, "GET", "/login", None, &[]);
    assert!(r.headers.get("content-security-policy").is_some_and(|v| v.contains("default-src 'self'")));
    assert_eq!(r.headers.get("x-frame-options").map(String::as_str), Some("DENY"));
}

#[test]
fn a_form_without_the_session_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app();
    let (c, csrf) = admin(&app);
    let form = [("name", "示例县人民政府"), ("kind", "government"), ("parent", ""), ("code", "1")];
    let r = request(&app, "POST", "/organs", Some(&c), &form);
    assert_eq!(r.status, 403);
    assert!(r.body.contains("防伪令牌"), "{}", r.body);
    let mut forged = form.to_vec();
    forged.push(("csrf", "0000"));
    assert_eq!(request(&app, "POST", "/organs", Some(&c), &forged).status, 403);
    assert!(!get(&app, "/organs", &c).body.contains("示例县人民政府"));
    let mut good = form.to_vec();
    good.push(("csrf", &csrf));
    assert_eq!(request(&app, "POST", "/organs", Some(&c), &good).status, 303);
    assert!(get(&app, "/organs", &c).body.contains("示例县人民政府"));
}

#[test]
fn admin_creates_an_organ_and_a_clerk_who_registers_and_answers_an_application() {
    let app = spawn_app();
    let (c, csrf) = admin(&app);
    for (name, kind, parent) in [("示例县人民政府", "government", ""), ("示例县科学技术局", "department", "1")]
    {
        let r = request(
            &app,
            "POST",
            "/organs",
            Some(&c),
            &[("csrf", &csrf), ("name", name), ("kind", kind), ("parent", parent), ("code", "9")],
        );
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let r = request(
        &app,
        "POST",
        "/users",
        Some(&c),
        &[
            ("csrf", &csrf),
            ("name", "wang"),
            ("display_name", "王科员"),
            ("role", "clerk"),
            ("organ", "2"),
            ("password", "王科员的初始密码12345"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(get(&app, "/users", &c).body.contains("王科员"));
    // The clerk logs in, changes the initial password, registers an application.
    let k = login(&app, "wang", "王科员的初始密码12345");
    let kcsrf = csrf_of(&get(&app, "/password", &k).body);
    let new = "王科员自己的密码22";
    request(
        &app,
        "POST",
        "/password",
        Some(&k),
        &[("csrf", &kcsrf), ("old", "王科员的初始密码12345"), ("new", new), ("again", new)],
    );
    let form_page = get(&app, "/applications/new", &k);
    assert_eq!(form_page.status, 200);
    assert!(form_page.body.contains("示例县科学技术局"));
    let today = gongkai_app::today_in_china().to_string();
    let mut reg = vec![
        ("csrf", kcsrf.as_str()),
        ("organ", "2"),
        ("serial", "2026-001"),
        ("received", today.as_str()),
        ("channel", "in_person"),
        ("kind", "自然人"),
        ("name", "张三"),
        ("id_number", ""),
        ("phone", "13812345678"),
        ("address", ""),
        ("email", ""),
        ("description", "某项目的环境影响评价批复"),
        ("form", "electronic"),
    ];
    // A bad phone number: the form comes back with the error inline and the values kept.
    reg[8].1 = "12345";
    let bad = request(&app, "POST", "/applications", Some(&k), &reg);
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("请改正以下问题") && bad.body.contains("某项目的环境影响评价批复"), "{}", bad.body);
    reg[8].1 = "13812345678";
    let ok = request(&app, "POST", "/applications", Some(&k), &reg);
    assert_eq!(ok.status, 303, "{}", ok.body);
    let detail = get(&app, ok.location(), &k);
    assert!(detail.body.contains("已登记。答复期限"), "{}", detail.body);
    assert!(detail.body.contains("期限如何得出"));
    assert!(detail.body.contains("张*") && !detail.body.contains("张三（"), "masked by default");
    // The clerk cannot approve an extension (the head alone may): not offered, and refused.
    assert!(!detail.body.contains("value=\"extended\""));
    let ext = [
        ("csrf", kcsrf.as_str()),
        ("version", "1"),
        ("seen", "1"),
        ("kind", "extended"),
        ("date", today.as_str()),
        ("days", "10"),
    ];
    assert_eq!(request(&app, "POST", "/applications/1/events", Some(&k), &ext).status, 403);
    // Reply; a second reply on the old version is a stale write, shown with what changed.
    let reply = [
        ("csrf", kcsrf.as_str()),
        ("version", "1"),
        ("seen", "1"),
        ("kind", "replied"),
        ("date", today.as_str()),
        ("outcome", "R3.1"),
    ];
    assert_eq!(request(&app, "POST", "/applications/1/events", Some(&k), &reply).status, 303);
    let stale = request(&app, "POST", "/applications/1/events", Some(&k), &reply);
    assert_eq!(stale.status, 409);
    assert!(stale.body.contains("记录已被他人修改") && stale.body.contains("他人刚刚记录"), "{}", stale.body);
    // The reply letter as a Word file; generating it is audited.
    let letter = get(&app, "/applications/1/letter?kind=reply", &k);
    assert_eq!(letter.status, 200);
    assert!(letter.headers.get("content-disposition").is_some_and(|d| d.contains("attachment")));
    assert!(letter.body.starts_with("PK"), "a DOCX (ZIP) body");
    let none = get(&app, "/applications/1/letter?kind=extension", &k);
    assert_eq!(none.status, 422);
    assert!(none.body.contains("没有延期记录"), "{}", none.body);
    let history = get(&app, "/applications/1/history", &k);
    assert!(history.body.contains("查看个人信息（生成政府信息公开申请答复书）"), "{}", history.body);
    assert!(history.body.contains("王科员") && history.body.contains("版本 1 → 2"), "{}", history.body);
    // The catalogue: an entry gets its 索引号.
    let entry = [
        ("csrf", kcsrf.as_str()),
        ("organ", "2"),
        ("kind", "normative"),
        ("title", "关于某事的通知"),
        ("doc_number", "示科发〔2026〕1号"),
        ("issued", today.as_str()),
    ];
    assert_eq!(request(&app, "POST", "/catalogue", Some(&k), &entry).status, 303);
    let cat = get(&app, "/catalogue?organ=2", &k);
    assert!(cat.body.contains("关于某事的通知") && cat.body.contains("/2026-00001"), "{}", cat.body);
    let list = get(&app, "/applications?state=closed", &k);
    assert!(list.body.contains("2026-001") && list.body.contains("已办结"), "{}", list.body);
    // The clerk sees no admin pages.
    assert_eq!(get(&app, "/users", &k).status, 200);
    assert!(!get(&app, "/users", &k).body.contains("王科员的"), "no other users listed");
    // Logout ends the session.
    let kc = csrf_of(&get(&app, "/", &k).body);
    assert_eq!(request(&app, "POST", "/logout", Some(&k), &[("csrf", &kc)]).status, 303);
    assert_eq!(get(&app, "/", &k).location(), "/login");
}

/// A clerk (`wang`) and a head (`li`) of organ 2 (示例县科学技术局), each logged in with a
/// changed password: (cookie, CSRF token) of each.
fn staff(app: &TestApp) -> ((String, String), (String, String)) {
    let (c, csrf) = admin(app);
    for (name, kind, parent) in [("示例县人民政府", "government", ""), ("示例县科学技术局", "department", "1")]
    {
        let f = [("csrf", csrf.as_str()), ("name", name), ("kind", kind), ("parent", parent), ("code", "9")];
        assert_eq!(request(app, "POST", "/organs", Some(&c), &f).status, 303);
    }
    let mut out = Vec::new();
    for (name, display, role) in [("wang", "王科员", "clerk"), ("li", "李主任", "head")] {
        let initial = "一个初始密码12345";
        let f = [
            ("csrf", csrf.as_str()),
            ("name", name),
            ("display_name", display),
            ("role", role),
            ("organ", "2"),
            ("password", initial),
        ];
        assert_eq!(request(app, "POST", "/users", Some(&c), &f).status, 303);
        let k = login(app, name, initial);
        let kcsrf = csrf_of(&get(app, "/password", &k).body);
        let new = format!("{display}自己的密码22");
        let f = [("csrf", kcsrf.as_str()), ("old", initial), ("new", new.as_str()), ("again", new.as_str())];
        assert_eq!(request(app, "POST", "/password", Some(&k), &f).status, 303);
        out.push((k, kcsrf));
    }
    let head = out.pop().unwrap();
    (out.pop().unwrap(), head)
}

#[test]
fn a_letter_is_a_draft_until_the_head_signs_off_its_exact_text() {
    let app = spawn_app();
    let ((k, kcsrf), (h, hcsrf)) = staff(&app);
    // A fresh form preselects the channel every front end defaults to (`Channel::DEFAULT`).
    let form = get(&app, "/applications/new", &k).body;
    assert!(form.contains(r#"<option value="online" selected>"#), "{form}");
    let today = gongkai_app::today_in_china().to_string();
    let reg = [
        ("csrf", kcsrf.as_str()),
        ("organ", "2"),
        ("serial", "2026-010"),
        ("received", today.as_str()),
        ("channel", "online"),
        ("kind", "自然人"),
        ("name", "张三"),
        ("description", "某项目的批复"),
        ("form", "electronic"),
    ];
    assert_eq!(request(&app, "POST", "/applications", Some(&k), &reg).status, 303);
    let url = "/applications/1/letter?kind=third_party&third_party=%E6%9F%90%E5%85%AC%E5%8F%B8";
    let draft = get(&app, url, &k);
    assert_eq!(draft.status, 200);
    assert!(draft.headers["content-disposition"].contains("draft"), "{:?}", draft.headers);
    // The clerk may not sign off; nor may anyone without the CSRF token.
    let sign = [("csrf", kcsrf.as_str()), ("kind", "third_party"), ("third_party", "某公司")];
    assert_eq!(request(&app, "POST", "/applications/1/letter/sign", Some(&k), &sign).status, 403);
    let no_csrf = [("kind", "third_party"), ("third_party", "某公司")];
    assert_eq!(request(&app, "POST", "/applications/1/letter/sign", Some(&h), &no_csrf).status, 403);
    // A made-up unmasking purpose cannot pass for a sign-off.
    let forged = get(&app, "/applications/1?unmask=%E7%AD%BE%E5%8F%91%EF%BC%9Ax", &k);
    assert_eq!(forged.status, 422, "{}", forged.body);
    assert!(get(&app, url, &k).headers["content-disposition"].contains("draft"));
    // The head signs off: the page says who and when; the same letter downloads signed.
    let sign = [("csrf", hcsrf.as_str()), ("kind", "third_party"), ("third_party", "某公司")];
    let r = request(&app, "POST", "/applications/1/letter/sign", Some(&h), &sign);
    assert_eq!((r.status, r.location()), (303, "/applications/1?signed=1"), "{}", r.body);
    let page = get(&app, r.location(), &h);
    assert!(
        page.body.contains("已签发：政府信息公开征求第三方意见函") && page.body.contains("李主任"),
        "{}",
        page.body
    );
    let signed = get(&app, url, &k);
    assert!(signed.headers["content-disposition"].contains("signed"), "{:?}", signed.headers);
    // Signing the same text again is refused; another text (another third party) is a draft.
    let again = request(&app, "POST", "/applications/1/letter/sign", Some(&h), &sign);
    assert_eq!(again.status, 422);
    assert!(again.body.contains("无需再次签发"), "{}", again.body);
    let other =
        get(&app, "/applications/1/letter?kind=third_party&third_party=%E5%8F%A6%E4%B8%80%E5%85%AC%E5%8F%B8", &k);
    assert!(other.headers["content-disposition"].contains("draft"));
    // A letter that cannot be made yet cannot be signed off.
    let reply = [("csrf", hcsrf.as_str()), ("kind", "reply")];
    let r = request(&app, "POST", "/applications/1/letter/sign", Some(&h), &reply);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("尚未答复"), "{}", r.body);
    // The history names the sign-off.
    let history = get(&app, "/applications/1/history", &k);
    assert!(history.body.contains("签发文书：政府信息公开征求第三方意见函"), "{}", history.body);
}

#[test]
fn a_ledger_is_previewed_with_every_bad_row_then_imported_all_or_nothing_and_exported_masked() {
    let app = spawn_app();
    let ((k, csrf), _) = staff(&app);
    assert_eq!(get(&app, "/ledger", &k).status, 200);
    // Bad rows: each is listed with its row, column and problem; personal values masked; nothing written.
    let bad = "受理编号,收到申请日期,提交方式,申请人类型,申请人姓名或名称,联系电话,申请内容\n\
               L-1,2024-09-02,网络,自然人,王五,13812345678,某文件\n\
               L-2,2024-13-40,网络,自然人,赵六,13812345678,某文件\n\
               L-3,2024-09-03,飞鸽,自然人,钱七,12345,某文件\n";
    let r = upload(&app, "/ledger/preview", &k, &[("csrf", &csrf), ("organ", "2")], ("台账.csv", bad.as_bytes()));
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("未导入任何一行"), "{}", r.body);
    for (row, column) in [("第3行", "收到申请日期"), ("第4行", "提交方式"), ("第4行", "联系电话")] {
        assert!(r.body.contains(&format!("<td>{row}</td><td>{column}</td>")), "{row} {column}: {}", r.body);
    }
    assert!(!r.body.contains("赵六") && !r.body.contains("钱七") && !r.body.contains("12345<"), "masked: {}", r.body);
    assert!(!r.body.contains("name=\"digest\""), "no import offered for a bad file");
    assert!(get(&app, "/applications?organ=2", &k).body.contains("共 0 件"), "nothing was written");
    // Without the CSRF token the upload is refused before it is read.
    let good = common::ledger_csv("L-9");
    let r = upload(&app, "/ledger/preview", &k, &[("organ", "2")], ("台账.csv", &good));
    assert_eq!(r.status, 403);
    // A good file: previewed (nothing written), bound to its digest.
    let r = upload(&app, "/ledger/preview", &k, &[("csrf", &csrf), ("organ", "2")], ("台账.csv", &good));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("校验通过") && r.body.contains("共 1 行"), "{}", r.body);
    let digest: String = sha2::Sha256::digest(&good).iter().map(|b| format!("{b:02x}")).collect();
    assert!(r.body.contains(&digest), "the preview names the digest it is bound to");
    assert!(!get(&app, "/applications?organ=2", &k).body.contains("L-9"), "a preview writes nothing");
    // Another digest (a different file than the one previewed) imports nothing; no CSRF neither.
    let other = "0".repeat(64);
    let f = [("csrf", csrf.as_str()), ("organ", "2"), ("digest", other.as_str())];
    assert_eq!(request(&app, "POST", "/ledger/import", Some(&k), &f).status, 409);
    let f = [("organ", "2"), ("digest", digest.as_str())];
    assert_eq!(request(&app, "POST", "/ledger/import", Some(&k), &f).status, 403);
    assert!(!get(&app, "/applications?organ=2", &k).body.contains("L-9"));
    // The previewed bytes are imported, once.
    let f = [("csrf", csrf.as_str()), ("organ", "2"), ("digest", digest.as_str())];
    let r = request(&app, "POST", "/ledger/import", Some(&k), &f);
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(get(&app, r.location(), &k).body.contains("已导入 1 件申请"));
    assert!(get(&app, "/applications?organ=2", &k).body.contains("L-9"));
    assert_eq!(request(&app, "POST", "/ledger/import", Some(&k), &f).status, 409, "a staged file imports once");
    // The same file again: its 受理编号 is already registered, shown as the row's error.
    let r = upload(&app, "/ledger/preview", &k, &[("csrf", &csrf), ("organ", "2")], ("台账.csv", &good));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("已登记"), "{}", r.body);
    // Not a ledger at all, and the wrong kind of file.
    let r = upload(&app, "/ledger/preview", &k, &[("csrf", &csrf), ("organ", "2")], ("台账.xlsx", b"not a zip"));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("“台账.xlsx”"), "{}", r.body);
    let r = upload(&app, "/ledger/preview", &k, &[("csrf", &csrf), ("organ", "2")], ("台账.pdf", b"%PDF"));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不是 .xlsx 或 .csv 文件"), "{}", r.body);
    // Export, masked, as CSV and XLSX.
    let csv = get(&app, "/ledger/export?organ=2&format=csv", &k);
    assert_eq!(csv.status, 200);
    assert!(csv.headers.get("content-disposition").is_some_and(|d| d.contains("attachment")));
    assert!(csv.body.contains("L-9") && csv.body.contains("王*") && !csv.body.contains("王五"), "{}", csv.body);
    assert!(csv.body.contains("已隐去"));
    let xlsx = get(&app, "/ledger/export?organ=2&format=xlsx", &k);
    assert_eq!(xlsx.status, 200);
    assert!(xlsx.body.starts_with("PK"));
    // A masked export cannot come back as data.
    let r = upload(&app, "/ledger/preview", &k, &[("csrf", &csrf), ("organ", "2")], ("back.csv", csv.body.as_bytes()));
    assert_eq!(r.status, 422, "{}", r.body);
}

#[test]
fn the_unmasked_ledger_export_needs_the_role_a_purpose_and_the_token_and_is_audited() {
    let app = spawn_app();
    let ((k, csrf), _) = staff(&app);
    let reg = [
        ("csrf", csrf.as_str()),
        ("organ", "2"),
        ("serial", "U-1"),
        ("received", "2024-09-02"),
        ("channel", "online"),
        ("kind", "自然人"),
        ("name", "欧阳导出"),
        ("phone", "13712345678"),
        ("description", "某文件"),
        ("form", "electronic"),
    ];
    assert_eq!(request(&app, "POST", "/applications", Some(&k), &reg).status, 303);
    let page = get(&app, "/ledger?organ=2", &k).body;
    assert!(page.contains("id=\"export-unmasked\"") && page.contains("name=\"purpose\""), "{page}");
    let audited = || {
        let s = gongkai_store_sqlite::open(app._dir.path().join("register.db")).unwrap();
        gongkai_store::Store::audit_log(&s, gongkai_store::Entity::Organ, "2", gongkai_store::Personal::Masked).unwrap()
    };
    let before = audited().len();
    // No token, no purpose: refused, nothing disclosed, nothing audited.
    let f = [("organ", "2"), ("format", "csv"), ("purpose", "核对申请人身份")];
    assert_eq!(request(&app, "POST", "/ledger/export-unmasked", Some(&k), &f).status, 403);
    let f = [("csrf", csrf.as_str()), ("organ", "2"), ("format", "csv"), ("purpose", "  ")];
    let r = request(&app, "POST", "/ledger/export-unmasked", Some(&k), &f);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("须填写用途") && !r.body.contains("欧阳导出"), "{}", r.body);
    assert_eq!(audited().len(), before, "a refused export is not audited");
    // The administrator (no casework, no personal data) may not; the page does not offer it.
    let c = login(&app, "admin", "管理员的新密码abc123");
    let acsrf = csrf_of(&get(&app, "/password", &c).body);
    assert!(!get(&app, "/ledger?organ=2", &c).body.contains("export-unmasked"));
    let f = [("csrf", acsrf.as_str()), ("organ", "2"), ("format", "csv"), ("purpose", "核对申请人身份")];
    let r = request(&app, "POST", "/ledger/export-unmasked", Some(&c), &f);
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(!r.body.contains("欧阳导出"));
    assert_eq!(audited().len(), before);
    // The clerk of the organ, with a purpose: the file holds the personal data and says so,
    // and the audit trail names who, the organ and the purpose.
    let f = [("csrf", csrf.as_str()), ("organ", "2"), ("format", "csv"), ("purpose", "核对申请人身份")];
    let r = request(&app, "POST", "/ledger/export-unmasked", Some(&k), &f);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("欧阳导出") && r.body.contains("13712345678"), "{}", r.body);
    let disposition = r.headers.get("content-disposition").cloned().unwrap_or_default();
    assert!(disposition.contains("ledger-unmasked-2.csv"), "{disposition}");
    let log = audited();
    assert_eq!(log.len(), before + 1, "one disclosure recorded");
    let last = log.last().unwrap();
    assert!(last.after.as_ref().is_some_and(|a| a.to_string().contains("核对申请人身份")), "{last:?}");
    assert!(!format!("{last:?}").contains("欧阳导出"), "the audit row names the purpose, not the data");
    // The masked export stays the default.
    let csv = get(&app, "/ledger/export?organ=2&format=csv", &k).body;
    assert!(csv.contains("U-1") && !csv.contains("欧阳导出"), "{csv}");
}

#[test]
fn an_admin_renames_and_moves_organs_within_their_subtree_never_into_a_cycle_and_audited() {
    let app = spawn_app();
    let (c, csrf) = admin(&app);
    for (name, parent) in [
        ("示例县人民政府", ""),
        ("示例县科学技术局", "1"),
        ("示例县科技服务中心", "2"),
        ("示例县水利局", "1"),
        ("示例县科技情报所", "2"),
    ] {
        let f = [("csrf", csrf.as_str()), ("name", name), ("kind", "department"), ("parent", parent), ("code", "9")];
        assert_eq!(request(&app, "POST", "/organs", Some(&c), &f).status, 303);
    }
    // An administrator of 示例县科学技术局 (2) and what is below it.
    let initial = "一个初始密码12345";
    let f = [
        ("csrf", csrf.as_str()),
        ("name", "sub"),
        ("display_name", "科技局管理员"),
        ("role", "admin"),
        ("organ", "2"),
        ("password", initial),
    ];
    assert_eq!(request(&app, "POST", "/users", Some(&c), &f).status, 303);
    let k = login(&app, "sub", initial);
    let kcsrf = csrf_of(&get(&app, "/password", &k).body);
    let new = "科技局管理员的密码33";
    let f = [("csrf", kcsrf.as_str()), ("old", initial), ("new", new), ("again", new)];
    assert_eq!(request(&app, "POST", "/password", Some(&k), &f).status, 303);
    let parent_of = |id: i64| {
        let s = gongkai_store_sqlite::open(app._dir.path().join("register.db")).unwrap();
        gongkai_store::Store::organ(&s, gongkai_register::OrganId(id)).unwrap().parent.map(|p| p.0)
    };
    let page = get(&app, "/organs", &k).body;
    assert!(page.contains("href=\"/organs/3\""), "{page}");
    let page = get(&app, "/organs/3", &k);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"organ-change\""), "{}", page.body);
    assert_eq!(get(&app, "/organs/4", &k).status, 403, "an organ outside the subtree has no page");
    // Rename (the parent stays when the form does not name one).
    let f = [("csrf", kcsrf.as_str()), ("name", "示例县科技创新服务中心")];
    let r = request(&app, "POST", "/organs/3", Some(&k), &f);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("已保存") && r.body.contains("示例县科技创新服务中心"), "{}", r.body);
    assert_eq!(parent_of(3), Some(2));
    // Move within the subtree: 5 under 3.
    let f = [("csrf", kcsrf.as_str()), ("name", "示例县科技情报所"), ("parent", "3")];
    assert_eq!(request(&app, "POST", "/organs/5", Some(&k), &f).status, 200);
    assert_eq!(parent_of(5), Some(3));
    // Out of the subtree (under 水利局, or to the top level) is refused; so is a cycle.
    for (organ, parent, status, says) in [
        ("3", "4", 403, "无权"),
        ("3", "", 403, "无权"),
        ("2", "5", 422, "成环"),
        ("3", "5", 422, "成环"),
        ("3", "x", 422, "无效"),
    ] {
        let f = [("csrf", kcsrf.as_str()), ("name", "某机关"), ("parent", parent)];
        let r = request(&app, "POST", &format!("/organs/{organ}"), Some(&k), &f);
        assert_eq!(r.status, status, "{organ} → {parent}: {}", r.body);
        assert!(r.body.contains(says), "{organ} → {parent}: {}", r.body);
    }
    // A duplicate name under the same parent, and no CSRF token.
    let f = [("csrf", kcsrf.as_str()), ("name", "示例县科技情报所"), ("parent", "3")];
    let r = request(&app, "POST", "/organs/3", Some(&k), &f);
    assert_eq!(r.status, 422, "{}", r.body);
    let f = [("name", "示例县另一个名字"), ("parent", "2")];
    assert_eq!(request(&app, "POST", "/organs/3", Some(&k), &f).status, 403);
    assert_eq!((parent_of(2), parent_of(3), parent_of(5)), (Some(1), Some(2), Some(3)), "refusals changed nothing");
    // The audit trail has each change, before and after, by the sub-administrator.
    let s = gongkai_store_sqlite::open(app._dir.path().join("register.db")).unwrap();
    let log = gongkai_store::Store::audit_log(&s, gongkai_store::Entity::Organ, "3", gongkai_store::Personal::Masked)
        .unwrap();
    assert_eq!(log.len(), 2, "added, renamed: {log:?}");
    let last = &log[1];
    assert_eq!(last.actor, "科技局管理员");
    let (before, after) = (last.before.as_ref().unwrap().to_string(), last.after.as_ref().unwrap().to_string());
    assert!(before.contains("示例县科技服务中心") && after.contains("示例县科技创新服务中心"), "{before} → {after}");
    let log = gongkai_store::Store::audit_log(&s, gongkai_store::Entity::Organ, "5", gongkai_store::Personal::Masked)
        .unwrap();
    assert!(log[1].after.as_ref().unwrap()["parent"] == 3, "{:?}", log[1]);
}

#[test]
fn an_admin_disables_enables_rescopes_and_resets_a_user() {
    let app = spawn_app();
    let ((k, _), _) = staff(&app);
    let c = login(&app, "admin", "管理员的新密码abc123");
    let page = get(&app, "/users/2", &c);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("用户 wang（王科员）"), "{}", page.body);
    let csrf = csrf_of(&page.body);
    let version = |app: &TestApp| {
        let b = get(app, "/users/2", &c).body;
        let at = b.find("name=\"version\" value=\"").unwrap() + "name=\"version\" value=\"".len();
        b[at..].split('"').next().unwrap().to_string()
    };
    // Without the CSRF token nothing changes.
    let v = version(&app);
    assert_eq!(request(&app, "POST", "/users/2", Some(&c), &[("version", &v), ("op", "disable")]).status, 403);
    assert_eq!(get(&app, "/", &k).status, 200, "still logged in");
    // Disabled: the session ends and the login is refused.
    let r = request(&app, "POST", "/users/2", Some(&c), &[("csrf", &csrf), ("version", &v), ("op", "disable")]);
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("已停用"), "{}", r.body);
    assert_eq!(get(&app, "/", &k).location(), "/login", "the disabled user's session ended");
    let r = request(&app, "POST", "/login", None, &[("name", "wang"), ("password", "王科员自己的密码22")]);
    assert_ne!(r.status, 303, "a disabled user cannot log in");
    // A stale version is refused, not applied.
    let r = request(&app, "POST", "/users/2", Some(&c), &[("csrf", &csrf), ("version", &v), ("op", "enable")]);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("记录已被他人修改"), "{}", r.body);
    let v = version(&app);
    let r = request(&app, "POST", "/users/2", Some(&c), &[("csrf", &csrf), ("version", &v), ("op", "enable")]);
    assert!(r.body.contains("已启用"), "{}", r.body);
    // A new role and scope.
    let v = version(&app);
    let f = [("csrf", csrf.as_str()), ("version", v.as_str()), ("op", "role"), ("role", "supervisor"), ("organ", "1")];
    let r = request(&app, "POST", "/users/2", Some(&c), &f);
    assert!(r.body.contains("<dd>监督人</dd>") && r.body.contains("<dd>示例县人民政府</dd>"), "{}", r.body);
    // A password too short is refused in Chinese; a good one must be changed at the next login.
    let v = version(&app);
    let f = [("csrf", csrf.as_str()), ("version", v.as_str()), ("op", "reset"), ("password", "短")];
    let r = request(&app, "POST", "/users/2", Some(&c), &f);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("10"), "{}", r.body);
    let f = [("csrf", csrf.as_str()), ("version", v.as_str()), ("op", "reset"), ("password", "管理员重设的密码0001")];
    let r = request(&app, "POST", "/users/2", Some(&c), &f);
    assert!(r.body.contains("已重设密码"), "{}", r.body);
    let w = login(&app, "wang", "管理员重设的密码0001");
    assert_eq!(get(&app, "/", &w).location(), "/password");
    // The admin cannot disable itself; a clerk cannot manage accounts.
    let v1 = {
        let b = get(&app, "/users/1", &c).body;
        let at = b.find("name=\"version\" value=\"").unwrap() + "name=\"version\" value=\"".len();
        b[at..].split('"').next().unwrap().to_string()
    };
    let r = request(&app, "POST", "/users/1", Some(&c), &[("csrf", &csrf), ("version", &v1), ("op", "disable")]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("不能停用自己的账户"), "{}", r.body);
    let ((_, _), (h, hcsrf)) = ((String::new(), String::new()), login_head(&app));
    assert_eq!(get(&app, "/users/2", &h).status, 403);
    let r = request(&app, "POST", "/users/2", Some(&h), &[("csrf", &hcsrf), ("version", &v), ("op", "disable")]);
    assert_eq!(r.status, 403);
}

/// The head `li` of [`staff`], logged in again.
fn login_head(app: &TestApp) -> (String, String) {
    let h = login(app, "li", "李主任自己的密码22");
    let csrf = csrf_of(&get(app, "/", &h).body);
    (h, csrf)
}

#[test]
fn a_catalogue_entry_is_repealed_once_and_a_stale_repeal_is_refused() {
    let app = spawn_app();
    let ((k, csrf), _) = staff(&app);
    let today = gongkai_app::today_in_china().to_string();
    let entry = [
        ("csrf", csrf.as_str()),
        ("organ", "2"),
        ("kind", "normative"),
        ("title", "关于某事的通知"),
        ("doc_number", ""),
        ("issued", "2024-03-01"),
    ];
    assert_eq!(request(&app, "POST", "/catalogue", Some(&k), &entry).status, 303);
    assert!(get(&app, "/catalogue?organ=2", &k).body.contains("action=\"/catalogue/1/repeal\""));
    let f = [("version", "1"), ("on", today.as_str())];
    assert_eq!(request(&app, "POST", "/catalogue/1/repeal", Some(&k), &f).status, 403, "no CSRF token");
    let f = [("csrf", csrf.as_str()), ("version", "1"), ("on", "不是日期")];
    let r = request(&app, "POST", "/catalogue/1/repeal", Some(&k), &f);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("废止日期"), "{}", r.body);
    let f = [("csrf", csrf.as_str()), ("version", "1"), ("on", today.as_str())];
    let r = request(&app, "POST", "/catalogue/1/repeal", Some(&k), &f);
    assert_eq!((r.status, r.location()), (303, "/catalogue?organ=2"), "{}", r.body);
    let page = get(&app, "/catalogue?organ=2", &k).body;
    assert!(!page.contains("action=\"/catalogue/1/repeal\""), "a repealed entry offers no second repeal");
    assert!(page.contains(&gongkai_clock::zh_date(gongkai_app::today_in_china())), "{page}");
    let r = request(&app, "POST", "/catalogue/1/repeal", Some(&k), &f);
    assert_eq!(r.status, 409, "{}", r.body);
    assert!(r.body.contains("记录已被他人修改"), "{}", r.body);
}

#[test]
fn the_dashboard_is_computed_once_for_concurrent_requests_and_shows_a_write_made_by_another_process_at_once() {
    let app = spawn_app();
    let ((k, csrf), _) = staff(&app);
    let today = gongkai_app::today_in_china().to_string();
    let reg = [
        ("csrf", csrf.as_str()),
        ("organ", "2"),
        ("serial", "WEB-1"),
        ("received", today.as_str()),
        ("channel", "online"),
        ("kind", "自然人"),
        ("name", "张三"),
        ("description", "某文件"),
        ("form", "electronic"),
    ];
    assert_eq!(request(&app, "POST", "/applications", Some(&k), &reg).status, 303);
    // Single flight: 16 requests at once on a cold cache, one computation, one answer.
    let before = app.web.dashboards_computed();
    let pages: Vec<Res> = std::thread::scope(|s| {
        let tasks: Vec<_> = (0..16).map(|_| s.spawn(|| get(&app, "/?within=40", &k))).collect();
        tasks.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert!(pages.iter().all(|p| p.status == 200 && p.body == pages[0].body), "{:?}", pages[0]);
    assert_eq!(app.web.dashboards_computed() - before, 1, "16 concurrent cold requests computed the dashboard once");
    let first = get(&app, "/?within=40", &k).body;
    assert!(first.contains("WEB-1"), "{first}");
    assert_eq!(get(&app, "/?within=40", &k).body, first, "the same register gives the same dashboard");
    // The command line registers on the same file: the next dashboard shows it.
    let cli = gongkai_store_sqlite::open(app._dir.path().join("register.db")).unwrap();
    let mut a = gongkai_app::App::new(&cli, gongkai_app::Principal::local("命令行"));
    let new = gongkai_store::NewApplication {
        organ: gongkai_register::OrganId(2),
        serial: "CLI-1".into(),
        applicant: gongkai_register::Applicant {
            kind: gongkai_register::ApplicantKind::NaturalPerson,
            name: "李四".into(),
            id_number: None,
            phone: None,
            address: None,
            email: None,
        },
        description: "某文件".into(),
        form: gongkai_register::RequestedForm::Electronic,
        events: vec![gongkai_clock::Event::Received {
            date: gongkai_app::today_in_china(),
            channel: gongkai_clock::Channel::Online,
        }],
    };
    a.register(&new, gongkai_app::today_in_china()).unwrap();
    drop(cli);
    let after = get(&app, "/?within=40", &k).body;
    assert!(after.contains("CLI-1") && after.contains("WEB-1"), "{after}");
}

/// The ids of the applications a list page shows, in order.
fn listed(body: &str) -> Vec<String> {
    body.split("<td><a href=\"/applications/").skip(1).filter_map(|s| s.split('"').next()).map(str::to_string).collect()
}

/// The pager's link named `label` (下一页 / 上一页), as the browser follows it.
fn pager_link(body: &str, label: &str) -> Option<String> {
    let end = body.find(&format!("\">{label}</a>"))?;
    let start = body[..end].rfind("href=\"")? + "href=\"".len();
    Some(body[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// The pager's links are keyset links (the rows after the last one shown, before the first
/// one), plain links a browser follows without JavaScript: forward and back they show the same
/// pages, numbers and total as the typed `?page=N`, receipts on one day ordered by id.
#[test]
fn the_pager_walks_the_list_by_keyset_links_with_the_same_pages_and_total() {
    let app = spawn_app();
    let ((k, _), _) = staff(&app);
    let s = gongkai_store_sqlite::open(app._dir.path().join("register.db")).unwrap();
    let batch: Vec<_> = (0..120)
        .map(|i| {
            // Three receipts a day: ties on the date.
            let day = jiff::civil::date(2024, 3, 1).checked_add(jiff::Span::new().days(i / 3)).unwrap();
            gongkai_store::contract::new_app(gongkai_register::OrganId(2), &format!("K-{i:03}"), day, vec![])
        })
        .collect();
    gongkai_store::Store::import_applications(&s, &batch, "测试").unwrap();
    drop(s);
    let typed: Vec<Vec<String>> =
        (1..=3).map(|p| listed(&get(&app, &format!("/applications?page={p}"), &k).body)).collect();
    assert_eq!(typed.iter().map(Vec::len).collect::<Vec<_>>(), [50, 50, 20]);
    let first = get(&app, "/applications", &k).body;
    assert_eq!(listed(&first), typed[0]);
    assert!(pager_link(&first, "上一页").is_none());
    let mut page = first;
    for (n, want) in typed.iter().enumerate().skip(1) {
        let next = pager_link(&page, "下一页").expect("a next link");
        assert!(next.contains(&format!("page={}", n + 1)) && next.contains("after="), "{next}");
        page = get(&app, &next, &k).body;
        assert_eq!(&listed(&page), want, "page {} by its link", n + 1);
        assert!(page.contains(&format!("共 120 件，第 {} 页", n + 1)), "{page}");
    }
    assert!(pager_link(&page, "下一页").is_none(), "the last page has no next link");
    for (n, want) in typed.iter().enumerate().take(2).rev() {
        let prev = pager_link(&page, "上一页").expect("a previous link");
        assert!(prev.contains(&format!("page={}", n + 1)), "{prev}");
        page = get(&app, &prev, &k).body;
        assert_eq!(&listed(&page), want, "page {} back by its link", n + 1);
        assert!(page.contains(&format!("共 120 件，第 {} 页", n + 1)), "{page}");
    }
    // Logged in, an unreadable path or query is a bad request.
    for path in ["/applications/abc", "/applications/1?registered=x"] {
        assert_eq!(get(&app, path, &k).status, 400, "{path}");
    }
    // A key that cannot be read is refused in Chinese, naming it.
    let r = get(&app, "/applications?page=2&after=yesterday", &k);
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("翻页位置“yesterday”无效"), "{}", r.body);
}
