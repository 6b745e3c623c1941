//! Accounts: argon2id hashes, throttled logins, sessions by token hash, the first
//! administrator, and who may add users.

use gongkai_app::accounts::{self, LOCK_SECONDS, MAX_FAILURES, NewAccount, SESSION_SECONDS};
use gongkai_app::{App, Role, Scope};
use gongkai_register::{OrganId, OrganKind};
use gongkai_store::{NewOrgan, Store};
use gongkai_store_sqlite::SqliteStore;

const T0: i64 = 1_800_000_000;

fn store_with_admin() -> (SqliteStore, String) {
    let s = gongkai_store_sqlite::open_in_memory().unwrap();
    let (name, password) = accounts::bootstrap_admin(&s).unwrap().expect("first start creates the admin");
    assert_eq!(name, "admin");
    assert!(accounts::bootstrap_admin(&s).unwrap().is_none(), "only once");
    (s, password)
}

#[test]
fn the_first_administrator_logs_in_once_created_and_must_change_the_password() {
    let (s, pw) = store_with_admin();
    let stored = s.user_by_name("admin").unwrap().unwrap();
    assert!(stored.password_hash.starts_with("$argon2id$"), "argon2id");
    assert!(!stored.password_hash.contains(&pw));
    let login = accounts::login(&s, "admin", &pw, T0).unwrap();
    assert!(login.must_change);
    assert_eq!((login.principal.role, login.principal.scope), (Role::Admin, Scope::Everywhere));
    assert_eq!(login.token.len(), 64);
    assert_eq!(login.session.csrf.len(), 32);
    assert_ne!(login.session.token_hash, login.token, "only the hash is stored");
    // The session resumes from the token until it expires, then not.
    let (p, r) = accounts::resume(&s, &login.token, T0 + 60).unwrap().unwrap();
    assert_eq!((p.role, r.session.csrf.as_str(), r.user.id), (Role::Admin, login.session.csrf.as_str(), stored.id));
    assert_eq!(r.mark, s.change_mark().unwrap());
    assert!(accounts::resume(&s, &login.token, T0 + SESSION_SECONDS).unwrap().is_none());
    assert!(accounts::resume(&s, "not-a-token", T0).unwrap().is_none());
    // Changing the password keeps this session, ends the others, and clears must_change.
    let other = accounts::login(&s, "admin", &pw, T0 + 10).unwrap();
    let u = accounts::change_password(&s, stored.id, &pw, "新的足够长的密码123", Some(&login.session)).unwrap();
    assert!(!u.must_change);
    assert!(accounts::resume(&s, &login.token, T0 + 20).unwrap().is_some());
    assert!(accounts::resume(&s, &other.token, T0 + 20).unwrap().is_none());
    assert!(accounts::login(&s, "admin", &pw, T0 + 30).is_err(), "the old password no longer works");
    let e = accounts::change_password(&s, stored.id, "错误的原密码", "另一个足够长的密码", None).unwrap_err();
    assert!(e.to_string().contains("原密码不正确"), "{e}");
    let e = accounts::change_password(&s, stored.id, "新的足够长的密码123", "短", None).unwrap_err();
    assert!(e.to_string().contains("至少需要10个字符"), "{e}");
    accounts::logout(&s, &login.token).unwrap();
    assert!(accounts::resume(&s, &login.token, T0 + 40).unwrap().is_none());
}

#[test]
fn failed_logins_are_throttled_per_account_and_never_say_which_part_was_wrong() {
    let (s, pw) = store_with_admin();
    let unknown = accounts::login(&s, "nobody", "whatever-password", T0).unwrap_err().to_string();
    let wrong = accounts::login(&s, "admin", "wrong-password", T0).unwrap_err().to_string();
    assert_eq!(unknown, wrong);
    assert_eq!(wrong, "用户名或密码错误");
    for i in 1..MAX_FAILURES {
        assert_eq!(accounts::login(&s, "admin", "wrong-password", T0 + i).unwrap_err().to_string(), wrong);
    }
    // Locked now: even the right password is refused, with the wait in minutes.
    let locked = accounts::login(&s, "admin", &pw, T0 + 100).unwrap_err().to_string();
    assert!(locked.contains("暂时锁定") && locked.contains("分钟后再试"), "{locked}");
    // After the lock, the right password works and the count starts again.
    let ok = accounts::login(&s, "admin", &pw, T0 + MAX_FAILURES + LOCK_SECONDS).unwrap();
    assert_eq!(ok.principal.role, Role::Admin);
    assert_eq!(s.user_by_name("admin").unwrap().unwrap().failed_logins, 0);
}

#[test]
fn administrators_add_users_in_their_subtree_only() {
    let (s, _) = store_with_admin();
    let root_admin = accounts::principal_of(&s.user_by_name("admin").unwrap().unwrap()).unwrap();
    let mut app = App::new(&s, root_admin);
    let county = app
        .add_organ(&NewOrgan {
            name: "示例县人民政府".into(),
            kind: OrganKind::Government,
            parent: None,
            code: "1".into(),
            index_pattern: None,
        })
        .unwrap();
    let bureau = app
        .add_organ(&NewOrgan {
            name: "示例县科学技术局".into(),
            kind: OrganKind::Department,
            parent: Some(county.id),
            code: "2".into(),
            index_pattern: None,
        })
        .unwrap();
    let account = |name: &str, role: Role, organ: Option<OrganId>| NewAccount {
        name: name.into(),
        display_name: String::new(),
        role,
        organ,
        password: "初始密码初始密码12".into(),
    };
    let county_admin = app.add_user(&account("county", Role::Admin, Some(county.id))).unwrap();
    app.add_user(&account("clerk", Role::Clerk, Some(bureau.id))).unwrap();
    assert!(app.add_user(&account("op", Role::Operator, None)).is_err(), "no web operator");
    assert!(app.add_user(&account("clerk", Role::Clerk, Some(bureau.id))).is_err(), "names are unique");
    let mut short = account("short", Role::Clerk, Some(bureau.id));
    short.password = "123".into();
    assert!(app.add_user(&short).unwrap_err().to_string().contains("至少需要10个字符"));
    // The county's admin manages below the county but cannot make whole-register accounts.
    let p = accounts::principal_of(&county_admin).unwrap();
    assert_eq!(p.scope, Scope::Organ(county.id));
    let mut app = App::new(&s, p);
    assert!(app.add_user(&account("head", Role::Head, Some(bureau.id))).is_ok());
    assert_eq!(app.add_user(&account("root2", Role::Admin, None)).unwrap_err().code(), "denied");
    assert!(app.users().unwrap().iter().all(|u| u.organ.is_some()));
    // A clerk adds nobody.
    let clerk = accounts::principal_of(&s.user_by_name("clerk").unwrap().unwrap()).unwrap();
    assert_eq!(clerk.role, Role::Clerk);
    let mut app = App::new(&s, clerk);
    assert_eq!(app.add_user(&account("x", Role::Clerk, Some(bureau.id))).unwrap_err().code(), "denied");
    // A new user must change the initial password.
    assert!(accounts::login(&s, "clerk", "初始密码初始密码12", T0).unwrap().must_change);
}
