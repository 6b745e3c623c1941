//! Accounts and sessions for the web workbench: argon2id password hashes, logins throttled per
//! account, sessions whose tokens only the browser holds (the store keeps their SHA-256), a
//! CSRF token per session, and the first administrator of an empty register.
//!
//! Time is passed in as Unix seconds (`now`), so every rule here is tested without a clock.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use gongkai_register::OrganId;
use gongkai_store::{NewUser, Resumed, Session, Store, User, UserChange, UserId};
use sha2::{Digest, Sha256};

use crate::auth::{Principal, Role, Scope};
use crate::{Action, App, AppError, Result};

/// Failed logins in a row after which an account is locked for [`LOCK_SECONDS`].
pub const MAX_FAILURES: i64 = 5;
/// How long a locked account waits.
pub const LOCK_SECONDS: i64 = 15 * 60;
/// How long a session lasts without a new login.
pub const SESSION_SECONDS: i64 = 8 * 3600;
/// Shortest accepted password.
pub const MIN_PASSWORD: usize = 10;

/// The message for every failed login: it never says whether the name exists.
const BAD_LOGIN: &str = "用户名或密码错误";

impl Role {
    /// The role's name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Clerk => "clerk",
            Role::Head => "head",
            Role::Supervisor => "supervisor",
            Role::Operator => "operator",
        }
    }

    /// A stored role name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// The principal a stored user acts as.
pub fn principal_of(u: &User) -> Result<Principal> {
    let role =
        Role::parse(&u.role).ok_or_else(|| AppError::Invalid(format!("用户“{}”的角色“{}”无法识别", u.name, u.role)))?;
    Ok(Principal {
        user: u.display_name.clone(),
        role,
        scope: u.organ.map_or(Scope::Everywhere, Scope::Organ),
        account: Some(u.id),
    })
}

/// Hash a password (argon2id, random salt) after checking it is acceptable.
pub fn hash_password(password: &str) -> Result<String> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AppError::Invalid(format!("密码至少需要{MIN_PASSWORD}个字符")));
    }
    if password.chars().count() > 256 {
        return Err(AppError::Invalid("密码不能超过256个字符".into()));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AppError::Invalid(format!("无法生成密码散列：{e}")))
}

fn verify(password: &str, hash: &str) -> bool {
    Argon2::default().verify_password(password.as_bytes(), hash).is_ok()
}

/// `n` random bytes from the operating system, hex-encoded.
fn random_hex(n: usize) -> Result<String> {
    let mut buf = vec![0u8; n];
    getrandom::fill(&mut buf).map_err(|e| AppError::Invalid(format!("无法取得随机数：{e}")))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// A new login: the token for the browser's cookie (shown once, never stored) and the session.
#[derive(Debug, Clone)]
pub struct Login {
    pub token: String,
    pub session: Session,
    pub principal: Principal,
    /// The password was set by an administrator and must be changed now.
    pub must_change: bool,
}

/// Log in. Unknown names and wrong passwords get the same message; after [`MAX_FAILURES`]
/// failures in a row the account is locked for [`LOCK_SECONDS`] (even the right password is
/// refused until then). A disabled account is refused.
pub fn login(store: &dyn Store, name: &str, password: &str, now: i64) -> Result<Login> {
    let Some(user) = store.user_by_name(name)? else {
        // Same work as a real check, so timing does not tell which names exist.
        let _ = verify(password, dummy_hash());
        return Err(AppError::Invalid(BAD_LOGIN.into()));
    };
    if let Some(until) = user.locked_until.filter(|t| *t > now) {
        let minutes = (until - now + 59) / 60;
        return Err(AppError::Invalid(format!("登录失败次数过多，账户已暂时锁定，请{minutes}分钟后再试")));
    }
    if !verify(password, &user.password_hash) {
        let lock = (user.failed_logins + 1 >= MAX_FAILURES).then_some(now + LOCK_SECONDS);
        store.record_login(user.id, false, lock)?;
        return Err(AppError::Invalid(BAD_LOGIN.into()));
    }
    if user.disabled {
        return Err(AppError::Invalid("该账户已停用，请联系管理员".into()));
    }
    store.record_login(user.id, true, None)?;
    let token = random_hex(32)?;
    let session = Session {
        token_hash: token_hash(&token),
        user: user.id,
        csrf: random_hex(16)?,
        created_at: now,
        expires_at: now + SESSION_SECONDS,
    };
    store.create_session(&session)?;
    Ok(Login { token, session, principal: principal_of(&user)?, must_change: user.must_change })
}

/// An argon2id hash of a random string (made once), for timing-equal refusals of unknown
/// names.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| {
        let pw = random_hex(16).unwrap_or_else(|_| "gongkai-dummy-password".into());
        Argon2::default().hash_password(pw.as_bytes()).map(|h| h.to_string()).unwrap_or_default()
    })
}

/// The principal, session and user of a browser's token, with the register's change mark
/// read with them ([`Store::resume`]: one round trip), if the session is live and the user is
/// enabled.
pub fn resume(store: &dyn Store, token: &str, now: i64) -> Result<Option<(Principal, Resumed)>> {
    let Some(r) = store.resume(&token_hash(token), now)? else { return Ok(None) };
    if r.user.disabled {
        store.delete_sessions_of(r.user.id)?;
        return Ok(None);
    }
    Ok(Some((principal_of(&r.user)?, r)))
}

/// End a session.
pub fn logout(store: &dyn Store, token: &str) -> Result<()> {
    Ok(store.delete_session(&token_hash(token))?)
}

/// On a register with no users: create the first administrator (whole register), with a
/// random password that must be changed at first login. Returns the name and password to show
/// once; `None` when users exist.
pub fn bootstrap_admin(store: &dyn Store) -> Result<Option<(String, String)>> {
    if !store.users()?.is_empty() {
        return Ok(None);
    }
    let password = random_hex(10)?;
    let new = NewUser {
        name: "admin".into(),
        display_name: "管理员".into(),
        role: Role::Admin.as_str().into(),
        organ: None,
        password_hash: hash_password(&password)?,
        must_change: true,
    };
    store.add_user(&new, "gongkai")?;
    Ok(Some(("admin".into(), password)))
}

/// A new account as an administrator enters it.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub name: String,
    pub display_name: String,
    pub role: Role,
    pub organ: Option<OrganId>,
    /// The initial password (the user must change it at first login).
    pub password: String,
}

/// A change to an account by its manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountChange {
    Disable,
    Enable,
    /// A new role and organ scope (`None`: the whole register).
    Role {
        role: Role,
        organ: Option<gongkai_register::OrganId>,
    },
    /// A new initial password, to be changed at the next login.
    ResetPassword {
        password: String,
    },
}

impl App<'_> {
    /// Add a user in the principal's subtree. Nobody creates the local operator role, and an
    /// account for the whole register needs a principal whose scope is the whole register.
    pub fn add_user(&mut self, new: &NewAccount) -> Result<User> {
        self.use_case("add_user", |s| s.add_user_uc(new))
    }

    fn add_user_uc(&mut self, new: &NewAccount) -> Result<User> {
        if new.role == Role::Operator {
            return Err(AppError::Invalid("“本机操作员”不是网页账户的角色".into()));
        }
        match new.organ {
            Some(o) => {
                self.authorize(Action::ManageOrgans, Some(o))?;
            }
            None => self.authorize_whole_register(Action::ManageOrgans)?,
        }
        let user = NewUser {
            name: new.name.clone(),
            display_name: if new.display_name.trim().is_empty() { new.name.clone() } else { new.display_name.clone() },
            role: new.role.as_str().into(),
            organ: new.organ,
            password_hash: hash_password(&new.password)?,
            must_change: true,
        };
        let actor = self.principal().user.clone();
        Ok(self.store().add_user(&user, &actor)?)
    }

    /// One user the principal may manage (see [`App::users`]).
    pub fn user(&mut self, id: UserId) -> Result<User> {
        self.use_case("user", |s| s.user_uc(id))
    }

    fn user_uc(&mut self, id: UserId) -> Result<User> {
        let user = self.store().user(id)?;
        self.authorize_account(user.organ)?;
        Ok(user)
    }

    /// Manage an account at `version`: disable or enable it, change its role and organ scope,
    /// or reset its password (the user must change it at the next login). Needs
    /// [`Action::ManageOrgans`] on the account's organ (and on the new organ of a change of
    /// scope). A principal cannot disable or demote itself; disabling, a new role or scope and
    /// a reset end the user's sessions. Audited with before and after (hashes masked).
    pub fn change_account(&mut self, id: UserId, version: i64, change: &AccountChange) -> Result<User> {
        self.use_case("change_account", |s| s.change_account_uc(id, version, change))
    }

    fn change_account_uc(&mut self, id: UserId, version: i64, change: &AccountChange) -> Result<User> {
        let user = self.store().user(id)?;
        self.authorize_account(user.organ)?;
        let me = self.principal().user.clone();
        let myself = self.principal().account == Some(id);
        let store_change = match change {
            AccountChange::Disable if myself => {
                return Err(AppError::Invalid("不能停用自己的账户".into()));
            }
            AccountChange::Disable => UserChange::Disabled(true),
            AccountChange::Enable => UserChange::Disabled(false),
            AccountChange::Role { .. } if myself => {
                return Err(AppError::Invalid("不能修改自己的角色或机关范围，请由其他管理员修改".into()));
            }
            AccountChange::Role { role: Role::Operator, .. } => {
                return Err(AppError::Invalid("“本机操作员”不是网页账户的角色".into()));
            }
            AccountChange::Role { role, organ } => {
                self.authorize_account(*organ)?;
                UserChange::Role { role: role.as_str().into(), organ: *organ }
            }
            AccountChange::ResetPassword { password } => {
                UserChange::Password { hash: hash_password(password)?, must_change: true }
            }
        };
        let after = self.store().change_user(id, version, &store_change, &me)?;
        if !matches!(change, AccountChange::Enable) {
            self.store().delete_sessions_of(id)?;
        }
        Ok(after)
    }

    /// May the principal manage accounts of `organ` (`None`: whole-register accounts)?
    fn authorize_account(&mut self, organ: Option<gongkai_register::OrganId>) -> Result<()> {
        match organ {
            Some(o) => self.authorize(Action::ManageOrgans, Some(o)).map(drop),
            None => self.authorize_whole_register(Action::ManageOrgans),
        }
    }

    /// The users the principal may manage (those whose organ it may manage; whole-register
    /// accounts only for a whole-register principal).
    pub fn users(&mut self) -> Result<Vec<User>> {
        self.use_case("users", |s| s.users_uc())
    }

    fn users_uc(&mut self) -> Result<Vec<User>> {
        let all = self.store().users()?;
        let organs = self.tree()?;
        let me = self.principal().clone();
        Ok(all
            .into_iter()
            .filter(|u| match u.organ {
                Some(o) => crate::allowed(me.role, Action::ManageOrgans, organs.relation(me.scope, o)),
                None => {
                    me.scope == Scope::Everywhere && crate::allowed(me.role, Action::ManageOrgans, crate::Relation::Own)
                }
            })
            .collect())
    }
}

/// Change a logged-in user's own password (the old one is checked). Every other session of
/// the user ends; the session `keep` (the caller's) stays.
pub fn change_password(store: &dyn Store, id: UserId, old: &str, new: &str, keep: Option<&Session>) -> Result<User> {
    let user = store.user(id)?;
    if !verify(old, &user.password_hash) {
        return Err(AppError::Invalid("原密码不正确".into()));
    }
    if old == new {
        return Err(AppError::Invalid("新密码不能与原密码相同".into()));
    }
    let change = UserChange::Password { hash: hash_password(new)?, must_change: false };
    let after = store.change_user(id, user.version, &change, &user.display_name)?;
    store.delete_sessions_of(id)?;
    if let Some(s) = keep {
        store.create_session(s)?;
    }
    Ok(after)
}
