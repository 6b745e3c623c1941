//! The authorization matrix over HTTP: every route × every web role × the organ's relation to
//! the user's scope (own, descendant, ancestor, sibling, unrelated) × method, against a running
//! server. The expected answer of each cell comes from the one policy table
//! (`gongkai_app::auth::POLICY` through `allowed`) and the route's declared actions
//! (`ROUTES` below). A route in the router that is not in `ROUTES` fails the test, so a new
//! page cannot be added without saying who may use it.

use crate::common;
use common::enc;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use gongkai_app::accounts::{self, NewAccount};
use gongkai_app::{Action, App, Principal, Relation, Role, allowed};
use gongkai_clock::{Channel, Event};
use gongkai_register::{Applicant, ApplicantKind, OrganId, OrganKind, RequestedForm};
use gongkai_store::{NewApplication, NewOrgan, Store};
use sha2::{Digest, Sha256};

/// Who may use a route: anybody, any logged-in user (the page shows only the user's scope),
/// or the actions the route performs on the organ it names.
#[derive(Clone, Copy, Debug)]
enum Need {
    Public,
    LoggedIn,
    On(&'static [Action]),
}

/// (method, path with `{o}` = the target organ's id, `{a}` = its application's id, `{k}` = its
/// case's id, `{e}` = its catalogue entry's id and `{u}` = its clerk's account id, form, need).
/// Forms use `{o}` too, `{v}` = the application's current version and `{uv}` = the account's.
type Route = (&'static str, &'static str, &'static [(&'static str, &'static str)], Need);

const ROUTES: &[Route] = &[
    ("GET", "/health", &[], Need::Public),
    ("GET", "/login", &[], Need::Public),
    ("GET", "/static/style.css", &[], Need::Public),
    ("GET", "/", &[], Need::LoggedIn),
    ("GET", "/password", &[], Need::LoggedIn),
    ("GET", "/applications/new", &[], Need::LoggedIn),
    ("GET", "/organs", &[], Need::LoggedIn),
    ("GET", "/users", &[], Need::LoggedIn),
    ("GET", "/applications?organ={o}", &[], Need::On(&[Action::Read])),
    ("GET", "/applications/{a}", &[], Need::On(&[Action::Read])),
    ("GET", "/applications/{a}?unmask=%E6%A0%B8%E5%AF%B9", &[], Need::On(&[Action::Read, Action::Unmask])),
    ("GET", "/applications/{a}/history", &[], Need::On(&[Action::Read])),
    (
        "GET",
        "/applications/{a}/letter?kind=third_party&third_party=%E6%9F%90%E5%85%AC%E5%8F%B8",
        &[],
        Need::On(&[Action::Read, Action::Unmask]),
    ),
    (
        "POST",
        "/applications/{a}/letter/sign",
        &[("kind", "third_party"), ("third_party", "某公司")],
        Need::On(&[Action::Read, Action::Unmask, Action::SignLetter]),
    ),
    ("GET", "/catalogue?organ={o}", &[], Need::On(&[Action::Read])),
    ("GET", "/cases?organ={o}", &[], Need::On(&[Action::Read])),
    ("GET", "/counts?organ={o}&year=2024", &[], Need::On(&[Action::Read])),
    (
        "POST",
        "/counts",
        &[
            ("organ", "{o}"),
            ("year", "2024"),
            ("licences", "3"),
            ("penalties", ""),
            ("coercions", "0"),
            ("fee_wan", "1.5"),
        ],
        Need::On(&[Action::Keep]),
    ),
    (
        "POST",
        "/cases",
        &[("organ", "{o}"), ("kind", "review"), ("number", "复字1号"), ("filed", "2024-03-01")],
        Need::On(&[Action::Keep]),
    ),
    (
        "POST",
        "/cases/{k}/conclude",
        &[("version", "1"), ("on", "2024-08-01"), ("result", "maintained")],
        Need::On(&[Action::Keep]),
    ),
    (
        "POST",
        "/catalogue",
        &[
            ("organ", "{o}"),
            ("kind", "normative"),
            ("title", "关于某事的通知"),
            ("doc_number", ""),
            ("issued", "2024-03-01"),
        ],
        Need::On(&[Action::Keep]),
    ),
    (
        "POST",
        "/applications",
        &[
            ("organ", "{o}"),
            ("serial", "NEW-1"),
            ("received", "2024-09-02"),
            ("channel", "in_person"),
            ("kind", "自然人"),
            ("name", "李四"),
            ("description", "某文件"),
            ("form", "electronic"),
        ],
        Need::On(&[Action::Register]),
    ),
    (
        "POST",
        "/applications/{a}/events",
        &[
            ("version", "1"),
            ("seen", "1"),
            ("kind", "consultation_started"),
            ("date", "2024-09-05"),
            ("party", "third_party"),
        ],
        Need::On(&[Action::RecordEvent]),
    ),
    (
        "POST",
        "/applications/{a}/events",
        &[("version", "{v}"), ("seen", "1"), ("kind", "extended"), ("date", "2024-09-20"), ("days", "10")],
        Need::On(&[Action::ApproveExtension]),
    ),
    ("GET", "/ledger?organ={o}", &[], Need::LoggedIn),
    // A form with a `file` field is posted as multipart/form-data with the one-row ledger
    // `common::ledger_csv("L-1")`; `{d}` is that file's SHA-256, which the import is bound to.
    ("POST", "/ledger/preview", &[("organ", "{o}"), ("file", "ledger.csv")], Need::On(&[Action::Register])),
    ("POST", "/ledger/import", &[("organ", "{o}"), ("digest", "{d}")], Need::On(&[Action::Register])),
    ("GET", "/ledger/export?organ={o}&format=csv", &[], Need::On(&[Action::Read])),
    (
        "POST",
        "/ledger/export-unmasked",
        &[("organ", "{o}"), ("format", "csv"), ("purpose", "核对申请人身份")],
        Need::On(&[Action::Read, Action::Unmask]),
    ),
    ("POST", "/catalogue/{e}/repeal", &[("version", "1"), ("on", "2024-09-20")], Need::On(&[Action::Keep])),
    ("GET", "/users/{u}", &[], Need::On(&[Action::ManageOrgans])),
    (
        "POST",
        "/users/{u}",
        &[("version", "{uv}"), ("op", "reset"), ("password", "一个新的初始密码123")],
        Need::On(&[Action::ManageOrgans]),
    ),
    (
        "POST",
        "/users/{u}",
        &[("version", "{uv}"), ("op", "role"), ("role", "head"), ("organ", "{o}")],
        Need::On(&[Action::ManageOrgans]),
    ),
    ("POST", "/users/{u}", &[("version", "{uv}"), ("op", "disable")], Need::On(&[Action::ManageOrgans])),
    ("POST", "/users/{u}", &[("version", "{uv}"), ("op", "enable")], Need::On(&[Action::ManageOrgans])),
    (
        "POST",
        "/organs",
        &[("name", "新机关"), ("kind", "department"), ("parent", "{o}"), ("code", "9")],
        Need::On(&[Action::ManageOrgans]),
    ),
    ("GET", "/organs/{o}", &[], Need::On(&[Action::ManageOrgans])),
    // A rename (no `parent`: the organ stays where it is); moves are tested in http.rs.
    ("POST", "/organs/{o}", &[("name", "改名后的机关")], Need::On(&[Action::ManageOrgans])),
    (
        "POST",
        "/users",
        &[
            ("name", "newuser"),
            ("display_name", "新用户"),
            ("role", "clerk"),
            ("organ", "{o}"),
            ("password", "一个足够长的初始密码"),
        ],
        Need::On(&[Action::ManageOrgans]),
    ),
];

/// Routes that end or change the session itself (tested in http.rs), with what they need.
const SESSION_ROUTES: &[(&str, &str)] = &[("POST", "/login"), ("POST", "/logout"), ("POST", "/password")];

const PASSWORD: &str = "矩阵测试用的密码123";

struct Server {
    addr: SocketAddr,
    /// Application id of each organ, in the order R, A, AC, B, U.
    organs: Vec<(Relation, OrganId, i64)>,
    /// Case id of each organ, in the same order.
    cases: Vec<i64>,
    /// Catalogue entry id of each organ, in the same order.
    entries: Vec<i64>,
    /// A clerk account of each organ, in the same order.
    users: Vec<i64>,
    _dir: tempfile::TempDir,
}

fn app_of(organ: OrganId, serial: &str) -> NewApplication {
    NewApplication {
        organ,
        serial: serial.into(),
        applicant: Applicant {
            kind: ApplicantKind::NaturalPerson,
            name: "张三丰".into(),
            id_number: None,
            phone: None,
            address: None,
            email: None,
        },
        description: "某文件".into(),
        form: RequestedForm::Electronic,
        events: vec![Event::Received { date: jiff::civil::date(2024, 9, 2), channel: Channel::Online }],
    }
}

/// A register with R → A → AC, R → B and U, an application in each, and one user per web role
/// scoped at A (whose initial passwords are already changed).
fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("register.db");
    let s = gongkai_store_sqlite::open(&db).unwrap();
    let mut app = App::new(&s, Principal::local("seed"));
    let mut organ = |name: &str, parent: Option<OrganId>| {
        app.add_organ(&NewOrgan {
            name: name.into(),
            kind: OrganKind::Department,
            parent,
            code: "1".into(),
            index_pattern: None,
        })
        .unwrap()
        .id
    };
    let r = organ("R", None);
    let a = organ("A", Some(r));
    let ac = organ("AC", Some(a));
    let b = organ("B", Some(r));
    let u = organ("U", None);
    let mut organs = Vec::new();
    let mut cases = Vec::new();
    let mut entries = Vec::new();
    let mut users = Vec::new();
    for (rel, o) in [
        (Relation::Ancestor, r),
        (Relation::Own, a),
        (Relation::Descendant, ac),
        (Relation::Sibling, b),
        (Relation::Unrelated, u),
    ] {
        let v = app.register(&app_of(o, "S-1"), jiff::civil::date(2024, 9, 20)).unwrap();
        organs.push((rel, o, v.id.0));
        let k = app
            .add_case(&gongkai_store::NewCase {
                organ: o,
                kind: gongkai_register::CaseKind::Review,
                number: "1".into(),
                filed: jiff::civil::date(2024, 3, 1),
            })
            .unwrap();
        cases.push(k.id.0);
        let e = app
            .add_catalogue_entry(&gongkai_store::NewCatalogueEntry {
                organ: o,
                kind: gongkai_register::CatalogueKind::Normative,
                title: "关于某事的通知".into(),
                doc_number: String::new(),
                issued: jiff::civil::date(2024, 3, 1),
            })
            .unwrap();
        entries.push(e.id.0);
        let u = app
            .add_user(&NewAccount {
                name: format!("clerk-of-{}", o.0),
                display_name: "某经办人".into(),
                role: Role::Clerk,
                organ: Some(o),
                password: "初始密码初始密码初始".into(),
            })
            .unwrap();
        users.push(u.id.0);
    }
    for role in [Role::Admin, Role::Clerk, Role::Head, Role::Supervisor] {
        app.add_user(&NewAccount {
            name: role.as_str().into(),
            display_name: role.label().into(),
            role,
            organ: Some(a),
            password: "初始密码初始密码初始".into(),
        })
        .unwrap();
    }
    for role in [Role::Admin, Role::Clerk, Role::Head, Role::Supervisor] {
        let u = s.user_by_name(role.as_str()).unwrap().unwrap();
        accounts::change_password(&s, u.id, "初始密码初始密码初始", PASSWORD, None).unwrap();
    }
    drop(s);
    Server { addr: common::serve(db).0, organs, cases, entries, users, _dir: dir }
}

/// Status, Set-Cookie and body of one request. A form with a `file` field goes as
/// multipart/form-data carrying [`common::ledger_csv`].
fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    form: &[(String, String)],
) -> (u16, String, String) {
    let (kind, body) = if form.iter().any(|(k, _)| k == "file") {
        let fields: Vec<(&str, &str)> =
            form.iter().filter(|(k, _)| k != "file").map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let file = common::ledger_csv("L-1");
        (
            format!("multipart/form-data; boundary={}", common::BOUNDARY),
            common::multipart(&fields, Some(("ledger.csv", &file))),
        )
    } else {
        let body = form.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&");
        ("application/x-www-form-urlencoded".to_string(), body.into_bytes())
    };
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(c) = cookie {
        req.push_str(&format!("Cookie: gongkai_session={c}\r\n"));
    }
    if method == "POST" {
        req.push_str(&format!("Content-Type: {kind}\r\nContent-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    if method == "POST" {
        bytes.extend_from_slice(&body);
    }
    let mut s = TcpStream::connect(addr).unwrap();
    s.write_all(&bytes).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let cookie = text
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: ").or_else(|| l.strip_prefix("Set-Cookie: ")))
        .and_then(|c| c.split(';').next())
        .and_then(|c| c.split_once('='))
        .map(|(_, v)| v.to_string())
        .unwrap_or_default();
    (status, cookie, text)
}

/// Log in as `name`; the session cookie and the page's CSRF token.
fn login(addr: SocketAddr, name: &str) -> (String, String) {
    let form = [("name".to_string(), name.to_string()), ("password".to_string(), PASSWORD.to_string())];
    let (status, cookie, _) = send(addr, "POST", "/login", None, &form);
    assert_eq!(status, 303, "login of {name}");
    let (_, _, page) = send(addr, "GET", "/password", Some(&cookie), &[]);
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    (cookie, page[at..].split('"').next().unwrap().to_string())
}

/// An account's version, read from the register file directly.
fn user_version(user: i64, srv: &Server) -> String {
    let s = gongkai_store_sqlite::open(srv._dir.path().join("register.db")).unwrap();
    s.user(gongkai_store::UserId(user)).unwrap().version.to_string()
}

/// An application's version, read from the register file directly.
fn current_version(_organ: OrganId, app: i64, srv: &Server) -> String {
    let s = gongkai_store_sqlite::open(srv._dir.path().join("register.db")).unwrap();
    s.application(gongkai_register::AppId(app), gongkai_store::Personal::Masked).unwrap().version.to_string()
}

fn fill(s: &str, organ: OrganId, app: i64) -> String {
    let digest: String = Sha256::digest(common::ledger_csv("L-1")).iter().map(|b| format!("{b:02x}")).collect();
    s.replace("{o}", &organ.0.to_string()).replace("{a}", &app.to_string()).replace("{d}", &digest)
}

#[test]
fn every_route_role_and_relation_is_allowed_or_denied_as_the_policy_says() {
    let mut leaks = Vec::new();
    let mut checked = 0;
    for role in [Role::Admin, Role::Clerk, Role::Head, Role::Supervisor] {
        for rel in Relation::ORGAN {
            // A fresh server per role and relation: a write in one cell cannot change another.
            let srv = server();
            let at = srv.organs.iter().position(|x| x.0 == rel).unwrap();
            let (_, organ, app) = srv.organs[at];
            let case = srv.cases[at];
            let (entry, user) = (srv.entries[at], srv.users[at]);
            let (cookie, csrf) = login(srv.addr, role.as_str());
            for (method, path, form, need) in ROUTES {
                // The current version as an operator sees it (a refused principal is refused before
                // the version is looked at).
                let version = current_version(organ, app, &srv);
                let uv = user_version(user, &srv);
                let mut body: Vec<(String, String)> = form
                    .iter()
                    .map(|(k, v)| (k.to_string(), fill(v, organ, app).replace("{v}", &version).replace("{uv}", &uv)))
                    .collect();
                let path = path
                    .replace("{k}", &case.to_string())
                    .replace("{e}", &entry.to_string())
                    .replace("{u}", &user.to_string());
                if *method == "POST" {
                    body.push(("csrf".into(), csrf.clone()));
                }
                let url = fill(&path, organ, app);
                let (status, _, text) = send(srv.addr, method, &url, Some(&cookie), &body);
                let expected = match need {
                    Need::Public | Need::LoggedIn => true,
                    Need::On(actions) => actions.iter().all(|a| allowed(role, *a, rel)),
                };
                let ok = if expected { (200..400).contains(&status) } else { status == 403 };
                if !ok {
                    let why = text.split("class=\"error\"").nth(1).unwrap_or("").chars().take(120).collect::<String>();
                    leaks
                        .push(format!("{role:?} × {rel:?} × {method} {path}: expected {expected}, got {status} {why}"));
                }
                // Without a session the same request never reaches the use case.
                if !matches!(need, Need::Public) && rel == Relation::Own && role == Role::Clerk {
                    let (s, _, t) = send(srv.addr, method, &url, None, &body);
                    if !(s == 303 && t.to_ascii_lowercase().contains("location: /login")) {
                        leaks.push(format!("anonymous × {method} {path}: expected a redirect to /login, got {s}"));
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(leaks.is_empty(), "{} of {checked} cells differ:\n{}", leaks.len(), leaks.join("\n"));
    assert_eq!(checked, 4 * 5 * ROUTES.len());
}

#[test]
fn every_route_of_the_router_is_in_the_table() {
    // The router's routes, read from its source: `.route("PATH", get(..).post(..))`.
    let src = include_str!("../../src/lib.rs");
    let mut missing = Vec::new();
    for line in src.lines().filter(|l| l.trim_start().starts_with(".route(\"")) {
        let path = line.split('"').nth(1).unwrap();
        for method in ["get", "post"] {
            if !line.contains(&format!("{method}(")) {
                continue;
            }
            let m = method.to_ascii_uppercase();
            let placeholder = match path.split('/').nth(1) {
                Some("cases") => "{k}",
                Some("catalogue") => "{e}",
                Some("users") => "{u}",
                Some("organs") => "{o}",
                _ => "{a}",
            };
            let pattern = path.replace("{id}", placeholder);
            let known = ROUTES.iter().any(|(rm, rp, _, _)| *rm == m && rp.split('?').next() == Some(pattern.as_str()))
                || SESSION_ROUTES.iter().any(|(rm, rp)| *rm == m && *rp == path);
            if !known {
                missing.push(format!("{m} {path}"));
            }
        }
    }
    assert!(missing.is_empty(), "routes without an authorization entry: {missing:?}");
}
