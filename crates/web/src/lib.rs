//! The clerks' workbench in the browser (`gongkai serve`): a thin axum adapter over
//! `gongkai-app`. Each handler reads a form or query, resumes the session, calls one `App`
//! method (or an `accounts` function) on a blocking thread, and renders the view with an
//! askama template checked at compile time. No domain rule and no authorization rule lives
//! here: a refused use case comes back as `AppError::Denied` and is shown with its status.
//!
//! * **Store calls never block an async worker**: the server holds one store (`Arc<dyn
//!   Store>`, a pool of connections inside) that only [`Web::run`] reaches, and it calls it in
//!   `spawn_blocking`. [`Web::new`] installs the store's thread check
//!   ([`gongkai_store::pool::forbid_blocking_when`]): a store call on a tokio worker outside
//!   [`Web::run`] panics in debug builds (every test of this crate proves the rule) and is
//!   refused in release builds.
//! * **Sessions live in the register** (`app::accounts`): the browser holds a random token in
//!   an `HttpOnly; SameSite=Strict` cookie; the store keeps its SHA-256.
//! * **Every form that changes state carries the session's CSRF token** and is refused with 403
//!   without it ([`check_csrf`]); logins are throttled per account (in the store) and per
//!   address (here, in memory).
//! * Pages work without JavaScript; the only script-free enhancement is CSS.

mod ledger;
mod pages;

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{ConnectInfo, Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_app::accounts::{self, Login};
use gongkai_app::{App, AppError, Principal, Role};
use gongkai_store::{Session, Store, User};

pub use pages::Page;

/// Name of the session cookie.
pub const COOKIE: &str = "gongkai_session";
/// Logins from one address within [`ADDRESS_WINDOW`] seconds before it must wait.
pub const ADDRESS_LIMIT: u32 = 20;
pub const ADDRESS_WINDOW: i64 = 15 * 60;
/// The server's shared state.
pub struct Web {
    /// The register: reached only through [`Web::run`], on a blocking thread.
    store: Arc<dyn Store>,
    /// Add `Secure` to the cookie (behind HTTPS).
    secure: bool,
    /// Failed logins per address: (count, window start).
    failures: Mutex<HashMap<IpAddr, (u32, i64)>>,
    /// Ledger uploads that passed their preview, by session (see [`ledger`]).
    staged: Mutex<HashMap<String, ledger::Staged>>,
    /// Dashboards by (role, scope, window), valid while the register's change mark and the
    /// day are those they were computed at (see [`dashboard`]).
    dashboards: MarkCache<DashKey, Arc<gongkai_app::DashboardView>>,
    /// Totals of application lists (the pager's count) by principal's role and scope and the
    /// filters, under the same rule (see [`applications`]).
    totals: MarkCache<ListKey, u64>,
    /// The register's organ tree, indexed, under the same rule: every page authorizes against
    /// it, so a request whose change mark has it reads no organs.
    trees: MarkCache<(), Arc<gongkai_app::OrganTree>>,
    /// One lock per dashboard key, held while that dashboard is computed (single flight).
    flights: Mutex<HashMap<DashKey, Arc<tokio::sync::Mutex<()>>>>,
    /// Dashboards computed (not taken from the cache) since the start.
    computed: std::sync::atomic::AtomicU64,
}

/// Whose dashboard: the view depends only on the role, the scope (`None`: the whole register)
/// and the window.
type DashKey = (Role, Option<gongkai_register::OrganId>, u32);

/// Whose list total: role, scope and the list's filters without the page.
type ListKey = (Role, Option<gongkai_register::OrganId>, gongkai_app::ListQuery);

/// Values derived from the register (dashboards, list totals), each valid while the register's
/// change mark (`Store::change_mark`: any committed write, by this server or the command line,
/// changes it) and the day are those it was computed at. The caller reads the mark *before*
/// computing, so a write that lands meanwhile makes the next request compute again. A backend
/// without a mark caches nothing. At most [`CACHED`] entries (the map is emptied when full).
struct MarkCache<K, V> {
    map: Mutex<HashMap<K, (String, jiff::civil::Date, V)>>,
}

impl<K: std::hash::Hash + Eq, V: Clone> MarkCache<K, V> {
    fn new() -> MarkCache<K, V> {
        MarkCache { map: Mutex::new(HashMap::new()) }
    }

    /// The value of `key` if it was computed at `mark` on `day`.
    fn get(&self, key: &K, mark: Option<&str>, day: jiff::civil::Date) -> Option<V> {
        let mark = mark?;
        let map = self.map.lock().ok()?;
        map.get(key).filter(|(m, d, _)| m == mark && *d == day).map(|(_, _, v)| v.clone())
    }

    /// Keep `value`, computed at `mark` (read before computing) on `day`.
    fn put(&self, key: K, mark: Option<String>, day: jiff::civil::Date, value: V) {
        if let Some(mark) = mark
            && let Ok(mut map) = self.map.lock()
        {
            if map.len() >= CACHED {
                map.clear();
            }
            map.insert(key, (mark, day, value));
        }
    }
}

/// Entries a [`MarkCache`] keeps at most.
const CACHED: usize = 1024;

impl std::fmt::Debug for Web {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Web").field("secure", &self.secure).finish_non_exhaustive()
    }
}

/// Why a request failed, as a page.
#[derive(Debug)]
pub enum WebError {
    App(AppError),
    /// The store could not be opened, a blocking task failed, or a use case answered what it
    /// cannot: a stable `code` naming the place and the error's `kind` (both fixed strings, so
    /// no stored value, path or backend message can reach the log through them).
    Internal {
        code: &'static str,
        kind: &'static str,
    },
    Csrf,
    NotFound,
}

impl From<AppError> for WebError {
    fn from(e: AppError) -> WebError {
        WebError::App(e)
    }
}

/// What a failure inside the server shows the user: a fixed Chinese sentence with the
/// stable codes and the request's number (the same as in the log), never an error's own
/// message (a store's message may quote stored values: names, phone numbers).
fn internal_message(code: &str, kind: &str) -> String {
    let request = request_id().map(|id| format!("，请求编号 {id}")).unwrap_or_default();
    format!("服务器内部错误，请稍后重试；如果问题持续，请把错误代码（{code} / {kind}{request}）告诉管理员")
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let request = request_id().unwrap_or_default();
        let (status, message) = match &self {
            WebError::App(e) => {
                let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST);
                if status == StatusCode::INTERNAL_SERVER_ERROR {
                    // The message may quote stored values: only the codes are logged and shown.
                    let kind = app_error_kind(e);
                    tracing::error!(code = e.code(), kind, request, "use case failed");
                    (status, internal_message(e.code(), kind))
                } else {
                    if status.is_server_error() {
                        tracing::error!(code = e.code(), kind = app_error_kind(e), request, "use case failed");
                    }
                    (status, e.to_string())
                }
            }
            WebError::Internal { code, kind } => {
                tracing::error!(code, kind, request, "internal error");
                (StatusCode::INTERNAL_SERVER_ERROR, internal_message(code, kind))
            }
            WebError::Csrf => {
                (StatusCode::FORBIDDEN, "表单已过期或来源不明（缺少有效的防伪令牌），请返回刷新页面后重试".into())
            }
            WebError::NotFound => (StatusCode::NOT_FOUND, "页面不存在".into()),
        };
        (status, pages::error_page(status.as_u16(), &message)).into_response()
    }
}

/// The stable code of what went wrong inside an [`AppError`] (the store's, the clock's, …),
/// for the log.
fn app_error_kind(e: &AppError) -> &'static str {
    match e {
        AppError::Store(s) => s.code(),
        AppError::Clock(c) => c.code(),
        AppError::Calendar(c) => c.code(),
        AppError::Compile(c) => c.code(),
        _ => e.code(),
    }
}

type WebResult<T> = Result<T, WebError>;

thread_local! {
    /// Set while [`Web::run`]'s closure runs on its blocking thread.
    static IN_RUN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The thread check the web installs in the store: a thread inside a tokio runtime (a worker,
/// or a blocking thread not entered through [`Web::run`]) must not call the store.
/// (`Handle::try_current` alone cannot tell a worker from a `spawn_blocking` thread: both are
/// inside the runtime; the flag set by [`Web::run`] does.)
fn on_async_worker() -> bool {
    tokio::runtime::Handle::try_current().is_ok() && !IN_RUN.with(std::cell::Cell::get)
}

/// Clears [`IN_RUN`] when the closure ends, panicking or not.
struct InRun;

impl InRun {
    fn enter() -> InRun {
        IN_RUN.with(|f| f.set(true));
        InRun
    }
}

impl Drop for InRun {
    fn drop(&mut self) {
        IN_RUN.with(|f| f.set(false));
    }
}

impl Web {
    /// The server over one store (opened by the caller, e.g. with `gongkai_store_open`).
    pub fn new(store: Arc<dyn Store>, secure: bool) -> Arc<Web> {
        gongkai_store::pool::forbid_blocking_when(on_async_worker);
        Arc::new(Web {
            store,
            secure,
            failures: Mutex::new(HashMap::new()),
            staged: Mutex::new(HashMap::new()),
            dashboards: MarkCache::new(),
            totals: MarkCache::new(),
            trees: MarkCache::new(),
            flights: Mutex::new(HashMap::new()),
            computed: std::sync::atomic::AtomicU64::new(0),
        })
    }

    /// How many dashboards were computed rather than taken from the cache since the start.
    pub fn dashboards_computed(&self) -> u64 {
        self.computed.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Run `f` with the store on a blocking thread (never on an async worker). The only way
    /// the server reaches the store.
    pub async fn run<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&dyn Store) -> T + Send + 'static,
    ) -> WebResult<T> {
        let store = self.store.clone();
        tokio::task::spawn_blocking(move || {
            let _in_run = InRun::enter();
            f(&*store)
        })
        .await
        .map_err(|e| WebError::Internal { code: "web.task", kind: if e.is_panic() { "panicked" } else { "cancelled" } })
    }
}

/// The router with every page.
pub fn router(web: Arc<Web>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/login", get(login_page).post(login_post))
        .route("/logout", post(logout))
        .route("/password", get(password_page).post(password_post))
        .route("/", get(dashboard))
        .route("/applications", get(applications).post(register_post))
        .route("/applications/new", get(register_page))
        .route("/applications/{id}", get(application))
        .route("/applications/{id}/events", post(event_post))
        .route("/applications/{id}/history", get(history))
        .route("/applications/{id}/letter", get(letter))
        .route("/applications/{id}/letter/sign", post(letter_sign))
        .route("/catalogue", get(catalogue).post(catalogue_post))
        .route("/catalogue/{id}/repeal", post(catalogue_repeal))
        .route("/cases", get(cases).post(case_post))
        .route("/cases/{id}/conclude", post(case_conclude))
        .route("/counts", get(counts).post(counts_post))
        .route("/ledger", get(ledger::page))
        .route("/ledger/preview", upload_post(ledger::preview))
        .route("/ledger/import", post(ledger::import))
        .route("/ledger/export", get(ledger::export))
        .route("/ledger/export-unmasked", post(ledger::export_unmasked))
        .route("/organs", get(organs).post(organ_post))
        .route("/organs/{id}", get(organ_page).post(organ_change))
        .route("/users", get(users).post(user_post))
        .route("/users/{id}", get(user_page).post(user_change))
        .route("/static/style.css", get(style))
        .fallback(|| async { WebError::NotFound })
        .layer(axum::middleware::from_fn(security_headers))
        .layer(axum::middleware::from_fn(request_log))
        .with_state(web)
}

/// A POST route that takes a file upload: the body may be up to [`ledger::UPLOAD_LIMIT`] (plus
/// the form's other fields) instead of axum's default 2 MB.
fn upload_post<H, T>(handler: H) -> axum::routing::MethodRouter<Arc<Web>>
where
    H: axum::handler::Handler<T, Arc<Web>>,
    T: 'static,
{
    post(handler).layer(axum::extract::DefaultBodyLimit::max(ledger::UPLOAD_LIMIT + 64 * 1024))
}

/// Serve on a bound listener until the process ends.
pub async fn serve(listener: tokio::net::TcpListener, web: Arc<Web>) -> std::io::Result<()> {
    axum::serve(listener, router(web).into_make_service_with_connect_info::<SocketAddr>()).await
}

tokio::task_local! {
    /// The number of the request being handled (see [`request_log`]).
    static REQUEST_ID: u64;
}

/// The request's number as shown on an error page and in the log: 16 hex digits.
fn request_id() -> Option<String> {
    REQUEST_ID.try_with(|id| format!("{id:016x}")).ok()
}

/// Request numbers: counted from the server's start time in microseconds, so a number names
/// one request in one server's log and is unlikely to recur after a restart.
static NEXT_REQUEST: std::sync::LazyLock<std::sync::atomic::AtomicU64> = std::sync::LazyLock::new(|| {
    let start = jiff::Timestamp::now().as_microsecond();
    std::sync::atomic::AtomicU64::new(u64::try_from(start).unwrap_or(0) << 8)
});

/// One event per request: its number, method, matched route pattern (`/applications/{id}`),
/// status and latency. Never the path's values, the query string or the form body (they may
/// hold personal data).
async fn request_log(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let id = NEXT_REQUEST.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let method = req.method().clone();
    let route = req.extensions().get::<axum::extract::MatchedPath>().map(|p| p.as_str().to_owned());
    let started = std::time::Instant::now();
    let res = REQUEST_ID.scope(id, next.run(req)).await;
    let elapsed_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let route = route.as_deref().unwrap_or("(unmatched)");
    tracing::info!(request = format_args!("{id:016x}"), method = %method, route, status = res.status().as_u16(), elapsed_us, "request");
    res
}

async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], pages::STYLE)
}

async fn health(State(web): State<Arc<Web>>) -> WebResult<impl IntoResponse> {
    let backend = web.run(|s| s.organs().map(|_| s.backend())).await?.map_err(AppError::from)?;
    Ok(axum::Json(serde_json::json!({ "status": "ok", "backend": backend })))
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

fn today() -> jiff::civil::Date {
    gongkai_app::today_in_china()
}

/// The session token from the Cookie header.
fn token_of(headers: &HeaderMap) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == COOKIE && !v.is_empty() && v.len() <= 128).then(|| v.to_string())
    })
}

/// The logged-in user of a request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub principal: Principal,
    pub session: Session,
    pub user: User,
    /// The register's change mark, read with the session (before anything the request
    /// computes), which keys the caches ([`MarkCache`]); `None` (no cache) but for a GET.
    pub mark: Option<String>,
}

/// Resume the session, or send the browser to the login page.
async fn ctx(web: &Arc<Web>, headers: &HeaderMap) -> Result<Ctx, Response> {
    let Some(token) = token_of(headers) else { return Err(Redirect::to("/login").into_response()) };
    let resumed = web.run(move |s| accounts::resume(s, &token, now())).await;
    match resumed {
        Ok(Ok(Some((principal, r)))) => Ok(Ctx { principal, session: r.session, user: r.user, mark: r.mark }),
        Ok(Ok(None)) => Err(Redirect::to("/login").into_response()),
        Ok(Err(e)) => Err(WebError::App(e).into_response()),
        Err(e) => Err(e.into_response()),
    }
}

/// Resume the session and insist on a changed initial password before anything else.
async fn ctx_ready(web: &Arc<Web>, headers: &HeaderMap) -> Result<Ctx, Response> {
    let c = ctx(web, headers).await?;
    if c.user.must_change {
        return Err(Redirect::to("/password").into_response());
    }
    Ok(c)
}

/// [`Ready`] and a use case in one blocking run (one handoff to a blocking thread and back
/// instead of two), for the GET pages read most (the list, the detail page): the session is
/// resumed as [`Ready`] does (to `/login` or `/password` when it must), then `f` runs with the
/// request's context on the same thread. For GET handlers only: the context keeps the change
/// mark, so `f` may use the caches (see [`reads_only`]).
async fn ready_then<T: Send + 'static>(
    web: &Arc<Web>,
    headers: &HeaderMap,
    f: impl FnOnce(&Web, &dyn Store, &Ctx) -> Result<T, AppError> + Send + 'static,
) -> Result<(Ctx, T), Response> {
    /// How the run ended.
    enum Ran<T> {
        Login,
        Password,
        Done(Box<Ctx>, T),
        Failed(AppError),
    }
    let Some(token) = token_of(headers) else { return Err(Redirect::to("/login").into_response()) };
    let w = web.clone();
    let ran = web
        .run(move |s| {
            let (principal, r) = match accounts::resume(s, &token, now()) {
                Ok(Some(x)) => x,
                Ok(None) => return Ran::Login,
                Err(e) => return Ran::Failed(e),
            };
            let c = Ctx { principal, session: r.session, user: r.user, mark: r.mark };
            if c.user.must_change {
                return Ran::Password;
            }
            match f(&w, s, &c) {
                Ok(v) => Ran::Done(Box::new(c), v),
                Err(e) => Ran::Failed(e),
            }
        })
        .await;
    match ran {
        Ok(Ran::Done(c, v)) => Ok((*c, v)),
        Ok(Ran::Failed(e)) => Err(WebError::App(e).into_response()),
        Ok(Ran::Password) => Err(Redirect::to("/password").into_response()),
        Ok(Ran::Login) => Err(Redirect::to("/login").into_response()),
        Err(e) => Err(e.into_response()),
    }
}

/// A logged-in user whose initial password has been changed (else: to `/login` or
/// `/password`).
#[derive(Debug)]
pub struct Ready(pub Ctx);

/// A logged-in user, initial password or not (the password page itself, logout).
#[derive(Debug)]
pub struct LoggedIn(pub Ctx);

impl axum::extract::FromRequestParts<Arc<Web>> for Ready {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, web: &Arc<Web>) -> Result<Self, Response> {
        ctx_ready(web, &parts.headers).await.map(|c| Ready(reads_only(c, parts)))
    }
}

impl axum::extract::FromRequestParts<Arc<Web>> for LoggedIn {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut axum::http::request::Parts, web: &Arc<Web>) -> Result<Self, Response> {
        ctx(web, &parts.headers).await.map(|c| LoggedIn(reads_only(c, parts)))
    }
}

/// Only a GET uses the caches: a form's handler writes and may then show a page in the same
/// request, which must not come from the mark read before its own write.
fn reads_only(mut c: Ctx, parts: &axum::http::request::Parts) -> Ctx {
    if parts.method != axum::http::Method::GET {
        c.mark = None;
    }
    c
}

/// Refuse a state-changing form whose CSRF token is not the session's.
pub fn check_csrf(ctx: &Ctx, token: &str) -> WebResult<()> {
    let a = ctx.session.csrf.as_bytes();
    let b = token.as_bytes();
    // Constant-time comparison.
    let same = a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
    if same { Ok(()) } else { Err(WebError::Csrf) }
}

fn session_cookie(web: &Web, token: &str, max_age: i64) -> HeaderValue {
    let secure = if web.secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static("gongkai_session=; Path=/; Max-Age=0"))
}

// ---------------------------------------------------------------------- login

#[derive(serde::Deserialize)]
struct LoginForm {
    name: String,
    password: String,
}

async fn login_page() -> Response {
    pages::login(None, "")
}

async fn login_post(
    State(web): State<Arc<Web>>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(f): Form<LoginForm>,
) -> Response {
    let ip = addr.ip();
    let t = now();
    if let Ok(map) = web.failures.lock()
        && let Some((n, start)) = map.get(&ip)
        && *n >= ADDRESS_LIMIT
        && t - start < ADDRESS_WINDOW
    {
        return (StatusCode::TOO_MANY_REQUESTS, pages::login(Some("此地址登录失败次数过多，请15分钟后再试"), &f.name))
            .into_response();
    }
    let name = f.name.clone();
    let result = web.run(move |s| accounts::login(s, &f.name, &f.password, t)).await;
    match result {
        Ok(Ok(Login { token, must_change, .. })) => {
            if let Ok(mut map) = web.failures.lock() {
                map.remove(&ip);
            }
            let to = if must_change { "/password" } else { "/" };
            let mut res = Redirect::to(to).into_response();
            res.headers_mut().insert(header::SET_COOKIE, session_cookie(&web, &token, accounts::SESSION_SECONDS));
            res
        }
        Ok(Err(e)) => {
            if let Ok(mut map) = web.failures.lock() {
                let entry = map.entry(ip).or_insert((0, t));
                if t - entry.1 >= ADDRESS_WINDOW {
                    *entry = (0, t);
                }
                entry.0 += 1;
            }
            (StatusCode::UNAUTHORIZED, pages::login(Some(&e.to_string()), &name)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(State(web): State<Arc<Web>>, LoggedIn(c): LoggedIn, Form(f): Form<CsrfForm>) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let hash = c.session.token_hash.clone();
    let _ = web.run(move |s| s.delete_session(&hash)).await;
    let mut res = Redirect::to("/login").into_response();
    res.headers_mut().insert(header::SET_COOKIE, session_cookie(&web, "", 0));
    res
}

#[derive(serde::Deserialize)]
struct PasswordForm {
    csrf: String,
    old: String,
    new: String,
    again: String,
}

async fn password_page(LoggedIn(c): LoggedIn) -> Response {
    pages::password(&c, None)
}

async fn password_post(State(web): State<Arc<Web>>, LoggedIn(c): LoggedIn, Form(f): Form<PasswordForm>) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    if f.new != f.again {
        return (StatusCode::UNPROCESSABLE_ENTITY, pages::password(&c, Some("两次输入的新密码不一致"))).into_response();
    }
    let (id, session) = (c.user.id, c.session.clone());
    match web.run(move |s| accounts::change_password(s, id, &f.old, &f.new, Some(&session))).await {
        Ok(Ok(_)) => Redirect::to("/").into_response(),
        Ok(Err(e)) => (StatusCode::UNPROCESSABLE_ENTITY, pages::password(&c, Some(&e.to_string()))).into_response(),
        Err(e) => e.into_response(),
    }
}

// ---------------------------------------------------------------------- pages

/// Run a use case as the logged-in principal.
async fn as_user<T: Send + 'static>(
    web: &Arc<Web>,
    c: &Ctx,
    f: impl FnOnce(&mut App) -> Result<T, AppError> + Send + 'static,
) -> WebResult<T> {
    let (w, p, mark) = (web.clone(), c.principal.clone(), c.mark.clone());
    Ok(web.run(move |s| w.with_app(s, p, mark, f)).await??)
}

impl Web {
    /// Run `f` with an `App` for `p` that takes the organ tree from the cache when it was read
    /// at the request's change mark `mark`, and otherwise keeps the tree the use case read
    /// there (read after the mark: the [`MarkCache`] rule).
    fn with_app<T>(
        &self,
        s: &dyn Store,
        p: Principal,
        mark: Option<String>,
        f: impl FnOnce(&mut App) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        let day = today();
        let cached = self.trees.get(&(), mark.as_deref(), day);
        let hit = cached.is_some();
        let mut app = match cached {
            Some(t) => App::with_tree(s, p, t),
            None => App::new(s, p),
        };
        let out = f(&mut app);
        if !hit && let Some(t) = app.tree_read() {
            self.trees.put((), mark, day, t);
        }
        out
    }
}

#[derive(serde::Deserialize, Default)]
struct DueQuery {
    within: Option<u32>,
}

/// The dashboard. Its counts read every application in the scope, so the view is cached per
/// role, scope and window and reused while the register's change mark
/// (`Store::change_mark`: any committed write, by this server or the command line, changes it)
/// and the day are the same. The mark is the request's, read with its session before the view
/// is computed, so a write that lands meanwhile makes the next request compute again; a backend
/// without a mark is never cached. A hit reads nothing more from the store.
///
/// Single flight: on a miss, one request per key computes the view while the others for the
/// same key wait for it (on the async side, holding no store handle) and then take its
/// result from the cache. A failed computation is not cached: the next waiter computes.
async fn dashboard(State(web): State<Arc<Web>>, Ready(c): Ready, Query(q): Query<DueQuery>) -> Response {
    let within = q.within.unwrap_or(5).min(250);
    let key: DashKey = (c.principal.role, scope_of(&c.principal), within);
    let day = today();
    if let Some(v) = web.dashboards.get(&key, c.mark.as_deref(), day) {
        return pages::dashboard(&c, &v);
    }
    let flight = {
        let Ok(mut flights) = web.flights.lock() else {
            return WebError::Internal { code: "web.dashboard", kind: "poisoned" }.into_response();
        };
        if flights.len() >= CACHED {
            // Keep only the flights in progress.
            flights.retain(|_, l| Arc::strong_count(l) > 1);
        }
        flights.entry(key).or_default().clone()
    };
    let guard = flight.lock_owned().await;
    // Computed by the request this one waited for?
    if let Some(v) = web.dashboards.get(&key, c.mark.as_deref(), day) {
        return pages::dashboard(&c, &v);
    }
    let (w, p, mark) = (web.clone(), c.principal.clone(), c.mark.clone());
    let view = web
        .run(move |s| -> Result<Arc<gongkai_app::DashboardView>, AppError> {
            let _flight = guard;
            w.computed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let view = Arc::new(w.with_app(s, p, mark.clone(), |a| a.dashboard(within, day))?);
            w.dashboards.put(key, mark, day, view.clone());
            Ok(view)
        })
        .await;
    match view {
        Ok(Ok(v)) => pages::dashboard(&c, &v),
        Ok(Err(e)) => WebError::App(e).into_response(),
        Err(e) => e.into_response(),
    }
}

/// The list. Resumed and read in one blocking run ([`ready_then`]).
async fn applications(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    query: Result<Query<gongkai_app::ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    // A query that cannot be read is refused after the login, as with `Ready`.
    let (q, bad) = match query {
        Ok(Query(q)) => (q, None),
        Err(e) => (gongkai_app::ListQuery::default(), Some(e.into_response())),
    };
    let (query, read) = (q.clone(), bad.is_none());
    // The pager's total counts every matching application (29,000 rows for one organ at 1M):
    // it is kept by the change mark like the dashboard; the page itself is always read.
    let listed = ready_then(&web, &headers, move |w, s, c| {
        if !read {
            return Ok(None);
        }
        let key: ListKey = (c.principal.role, scope_of(&c.principal), query.unpaged());
        let day = today();
        let known = w.totals.get(&key, c.mark.as_deref(), day);
        let view = w.with_app(s, c.principal.clone(), c.mark.clone(), |a| a.list_applications(&query, day, known))?;
        if known.is_none() {
            w.totals.put(key, c.mark.clone(), day, view.total as u64);
        }
        Ok(Some(view))
    })
    .await;
    match listed {
        Ok((c, Some(v))) => pages::applications(&c, &q, &v),
        Ok((_, None)) => bad.unwrap_or_else(|| WebError::NotFound.into_response()),
        Err(r) => r,
    }
}

/// The organ a principal's scope is (`None`: the whole register), for cache keys.
fn scope_of(p: &Principal) -> Option<gongkai_register::OrganId> {
    match p.scope {
        gongkai_app::Scope::Organ(o) => Some(o),
        gongkai_app::Scope::Everywhere => None,
    }
}

async fn register_page(State(web): State<Arc<Web>>, Ready(c): Ready) -> Response {
    match as_user(&web, &c, |a| a.organs()).await {
        Ok(organs) => pages::register(&c, &organs, &pages::RegisterForm::default(), &[]),
        Err(e) => e.into_response(),
    }
}

async fn register_post(State(web): State<Arc<Web>>, Ready(c): Ready, Form(f): Form<pages::RegisterForm>) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let new = match f.to_new() {
        Ok(n) => n,
        Err(errors) => {
            let organs = as_user(&web, &c, |a| a.organs()).await.unwrap_or_default();
            return (StatusCode::UNPROCESSABLE_ENTITY, pages::register(&c, &organs, &f, &errors)).into_response();
        }
    };
    match as_user(&web, &c, move |a| a.register(&new, today())).await {
        Ok(v) => Redirect::to(&format!("/applications/{}?registered=1", v.id.0)).into_response(),
        Err(WebError::App(e)) if e.code() == "invalid" || e.code() == "duplicate" => {
            let errors = match &e {
                AppError::Fields(list) => list.iter().map(|i| (i.field.to_string(), i.reason.clone())).collect(),
                other => vec![(String::new(), other.to_string())],
            };
            let organs = as_user(&web, &c, |a| a.organs()).await.unwrap_or_default();
            (StatusCode::UNPROCESSABLE_ENTITY, pages::register(&c, &organs, &f, &errors)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize, Default)]
struct ShowQuery {
    registered: Option<u8>,
    signed: Option<u8>,
    unmask: Option<String>,
}

/// The detail page. Resumed and read in one blocking run ([`ready_then`]).
async fn application(
    State(web): State<Arc<Web>>,
    headers: HeaderMap,
    path: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    query: Result<Query<ShowQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    // A path or query that cannot be read is refused after the login, as with `Ready`.
    let (app_id, q) = match (path, query) {
        (Ok(Path(id)), Ok(Query(q))) => (Ok(gongkai_register::AppId(id)), q),
        (Err(e), _) => (Err(e.into_response()), ShowQuery::default()),
        (_, Err(e)) => (Err(e.into_response()), ShowQuery::default()),
    };
    let purpose = q.unmask.clone().filter(|p| !p.trim().is_empty());
    let (app_id, bad) = match app_id {
        Ok(id) => (Some(id), None),
        Err(r) => (None, Some(r)),
    };
    let shown = ready_then(&web, &headers, move |w, s, c| {
        let Some(app_id) = app_id else { return Ok(None) };
        w.with_app(s, c.principal.clone(), c.mark.clone(), |a| {
            a.show_with_sign_offs(app_id, purpose.as_deref(), today()).map(Some)
        })
    })
    .await;
    match shown {
        Ok((_, None)) => bad.unwrap_or_else(|| WebError::NotFound.into_response()),
        Ok((c, Some((v, signs)))) => {
            let signoffs = signs.into_iter().map(|(_, s)| s).collect::<Vec<_>>();
            let signed = if q.signed.is_some() { signoffs.last().cloned() } else { None };
            pages::application(
                &c,
                &v,
                pages::AppExtras { registered: q.registered.is_some(), signoffs, signed, error: None },
            )
        }
        Err(e) => e.into_response(),
    }
}

async fn event_post(
    State(web): State<Arc<Web>>,
    Ready(c): Ready,
    Path(id): Path<i64>,
    Form(f): Form<pages::EventForm>,
) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let app_id = gongkai_register::AppId(id);
    let event = match f.to_event(&c.principal.user) {
        Ok(e) => e,
        Err(msg) => return event_error(&web, &c, app_id, &msg, None).await,
    };
    let version = f.version;
    match as_user(&web, &c, move |a| a.record_event(app_id, version, &event, today())).await {
        Ok(_) => Redirect::to(&format!("/applications/{id}")).into_response(),
        Err(WebError::App(e)) if matches!(e.code(), "stale" | "invalid") => {
            let seen = if e.code() == "stale" { Some(f.seen) } else { None };
            event_error(&web, &c, app_id, &e.to_string(), seen).await
        }
        Err(e) => e.into_response(),
    }
}

/// The application page again with the refusal, and on a stale version the events that others
/// added since the page was loaded.
async fn event_error(web: &Arc<Web>, c: &Ctx, id: gongkai_register::AppId, msg: &str, seen: Option<usize>) -> Response {
    match as_user(web, c, move |a| Ok((a.show(id, None, today())?, a.sign_offs(id)?))).await {
        Ok((v, signs)) => {
            let status = if seen.is_some() { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            let x = pages::AppExtras {
                error: Some((msg.to_string(), seen)),
                signoffs: signs.into_iter().map(|(_, s)| s).collect(),
                ..Default::default()
            };
            (status, pages::application(c, &v, x)).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn history(State(web): State<Arc<Web>>, Ready(c): Ready, Path(id): Path<i64>) -> Response {
    let key = id.to_string();
    match as_user(&web, &c, move |a| a.history(gongkai_store::Entity::Application, &key, None)).await {
        Ok(rows) => pages::history(&c, id, &rows),
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct LetterQuery {
    kind: gongkai_app::letters::LetterKind,
    #[serde(default)]
    what: String,
    #[serde(default)]
    third_party: String,
    #[serde(default)]
    pages: String,
}

impl LetterQuery {
    /// The letter's details, or a refusal naming the bad field.
    fn input(&self) -> Result<gongkai_app::letters::LetterInput, WebError> {
        let pages = match self.pages.trim() {
            "" => None,
            p => Some(p.parse::<u64>().map_err(|_| WebError::App(AppError::Invalid(format!("页数“{p}”无效"))))?),
        };
        Ok(gongkai_app::letters::LetterInput {
            what: Some(self.what.clone()),
            days: 15,
            third_party: Some(self.third_party.clone()),
            pages,
            ..Default::default()
        })
    }
}

/// A letter to the applicant as a Word file (audited: it carries the applicant's name); a
/// draft (so marked in its title and file name) until a head has signed off its exact text.
async fn letter(
    State(web): State<Arc<Web>>,
    Ready(c): Ready,
    Path(id): Path<i64>,
    Query(q): Query<LetterQuery>,
) -> Response {
    let input = match q.input() {
        Ok(i) => i,
        Err(e) => return e.into_response(),
    };
    let kind = q.kind;
    match as_user(&web, &c, move |a| a.checked_letter(gongkai_register::AppId(id), kind, &input, today())).await {
        Ok(checked) => {
            let l = checked.marked();
            let bytes = gongkai_app::letters::docx(&l);
            let state = if checked.signed.is_some() { "signed" } else { "draft" };
            let name = format!("{}-{id}.docx", l.title);
            let disposition =
                format!("attachment; filename=\"letter-{id}-{state}.docx\"; filename*=UTF-8''{}", pages::encode(&name));
            (
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string(),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct SignForm {
    #[serde(default)]
    csrf: String,
    #[serde(flatten)]
    letter: LetterQuery,
}

/// A head signs a letter off (audited); back to the application with who and when.
async fn letter_sign(
    State(web): State<Arc<Web>>,
    Ready(c): Ready,
    Path(id): Path<i64>,
    Form(f): Form<SignForm>,
) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let app_id = gongkai_register::AppId(id);
    let input = match f.letter.input() {
        Ok(i) => i,
        Err(WebError::App(e)) => return event_error(&web, &c, app_id, &e.to_string(), None).await,
        Err(e) => return e.into_response(),
    };
    let kind = f.letter.kind;
    match as_user(&web, &c, move |a| a.sign_off_letter(app_id, kind, &input, today())).await {
        Ok(_) => Redirect::to(&format!("/applications/{id}?signed=1")).into_response(),
        Err(WebError::App(e)) if e.code() == "invalid" => event_error(&web, &c, app_id, &e.to_string(), None).await,
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize, Default)]
struct OrganQuery {
    organ: Option<String>,
}

async fn catalogue(State(web): State<Arc<Web>>, Ready(c): Ready, Query(q): Query<OrganQuery>) -> Response {
    let chosen = q.organ.as_deref().and_then(|o| o.trim().parse::<i64>().ok());
    match as_user(&web, &c, move |a| {
        let organs = a.organs()?;
        let organ = chosen.map(gongkai_register::OrganId).or_else(|| organs.first().map(|o| o.id));
        let entries = match organ {
            Some(o) => a.catalogue(o)?,
            None => Vec::new(),
        };
        Ok((organs, organ, entries))
    })
    .await
    {
        Ok((organs, organ, entries)) => pages::catalogue(&c, &organs, organ, &entries, None),
        Err(e) => e.into_response(),
    }
}

async fn catalogue_post(State(web): State<Arc<Web>>, Ready(c): Ready, Form(f): Form<pages::EntryForm>) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let new = match f.to_new() {
        Ok(n) => n,
        Err(m) => return catalogue_error(&web, &c, f.organ.trim().parse().ok(), &m).await,
    };
    let organ = new.organ;
    match as_user(&web, &c, move |a| a.add_catalogue_entry(&new)).await {
        Ok(_) => Redirect::to(&format!("/catalogue?organ={}", organ.0)).into_response(),
        Err(WebError::App(e)) if matches!(e.code(), "invalid" | "duplicate") => {
            catalogue_error(&web, &c, Some(organ.0), &e.to_string()).await
        }
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize)]
struct RepealForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    version: i64,
    #[serde(default)]
    on: String,
}

/// Repeal a catalogue entry (废止) at its version, on a date.
async fn catalogue_repeal(
    State(web): State<Arc<Web>>,
    Ready(c): Ready,
    Path(id): Path<i64>,
    Form(f): Form<RepealForm>,
) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let Ok(on) = f.on.trim().parse::<jiff::civil::Date>() else {
        return catalogue_error(&web, &c, None, "请填写有效的废止日期（YYYY-MM-DD）").await;
    };
    let (entry, version) = (gongkai_register::EntryId(id), f.version);
    match as_user(&web, &c, move |a| a.repeal_catalogue_entry(entry, version, on)).await {
        Ok(e) => Redirect::to(&format!("/catalogue?organ={}", e.organ.0)).into_response(),
        Err(WebError::App(e)) if matches!(e.code(), "invalid" | "stale") => {
            let organ = as_user(&web, &c, move |a| Ok(a.catalogue_entry(entry)?.organ.0)).await.ok();
            let status = if e.code() == "stale" { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            let mut res = catalogue_error(&web, &c, organ, &e.to_string()).await;
            *res.status_mut() = status;
            res
        }
        Err(e) => e.into_response(),
    }
}

async fn catalogue_error(web: &Arc<Web>, c: &Ctx, organ: Option<i64>, msg: &str) -> Response {
    let chosen = organ.map(gongkai_register::OrganId);
    match as_user(web, c, move |a| {
        let organs = a.organs()?;
        let entries = match chosen {
            Some(o) => a.catalogue(o).unwrap_or_default(),
            None => Vec::new(),
        };
        Ok((organs, entries))
    })
    .await
    {
        Ok((organs, entries)) => {
            (StatusCode::UNPROCESSABLE_ENTITY, pages::catalogue(c, &organs, chosen, &entries, Some(msg)))
                .into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn cases(State(web): State<Arc<Web>>, Ready(c): Ready, Query(q): Query<OrganQuery>) -> Response {
    let chosen = q.organ.as_deref().and_then(|o| o.trim().parse::<i64>().ok());
    cases_page(&web, &c, chosen, None).await
}

async fn cases_page(web: &Arc<Web>, c: &Ctx, chosen: Option<i64>, error: Option<String>) -> Response {
    match as_user(web, c, move |a| {
        let organs = a.organs()?;
        let organ = chosen.map(gongkai_register::OrganId).or_else(|| organs.first().map(|o| o.id));
        let list = match organ {
            Some(o) => a.cases(o)?,
            None => Vec::new(),
        };
        Ok((organs, organ, list))
    })
    .await
    {
        Ok((organs, organ, list)) => {
            let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            (status, pages::cases(c, &organs, organ, &list, error.as_deref())).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn case_post(State(web): State<Arc<Web>>, Ready(c): Ready, Form(f): Form<pages::CaseForm>) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let organ = f.organ.trim().parse::<i64>().ok();
    let new = match f.to_new() {
        Ok(n) => n,
        Err(m) => return cases_page(&web, &c, organ, Some(m)).await,
    };
    match as_user(&web, &c, move |a| a.add_case(&new)).await {
        Ok(k) => Redirect::to(&format!("/cases?organ={}", k.organ.0)).into_response(),
        Err(WebError::App(e)) if e.code() == "invalid" => cases_page(&web, &c, organ, Some(e.to_string())).await,
        Err(e) => e.into_response(),
    }
}

async fn case_conclude(
    State(web): State<Arc<Web>>,
    Ready(c): Ready,
    Path(id): Path<i64>,
    Form(f): Form<pages::ConcludeForm>,
) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let (on, result) = match f.parse() {
        Ok(x) => x,
        Err(m) => return cases_page(&web, &c, None, Some(m)).await,
    };
    let version = f.version;
    match as_user(&web, &c, move |a| a.conclude_case(gongkai_register::CaseId(id), version, on, result)).await {
        Ok(k) => Redirect::to(&format!("/cases?organ={}", k.organ.0)).into_response(),
        Err(WebError::App(e)) if matches!(e.code(), "invalid" | "stale") => {
            cases_page(&web, &c, None, Some(e.to_string())).await
        }
        Err(e) => e.into_response(),
    }
}

#[derive(serde::Deserialize, Default)]
struct CountsQuery {
    organ: Option<String>,
    year: Option<String>,
}

async fn counts(State(web): State<Arc<Web>>, Ready(c): Ready, Query(q): Query<CountsQuery>) -> Response {
    let organ = q.organ.as_deref().and_then(|o| o.trim().parse::<i64>().ok());
    let year = q.year.as_deref().and_then(|y| y.trim().parse::<i16>().ok());
    counts_page(&web, &c, organ, year, None).await
}

async fn counts_page(
    web: &Arc<Web>,
    c: &Ctx,
    organ: Option<i64>,
    year: Option<i16>,
    error: Option<String>,
) -> Response {
    let year = year.unwrap_or_else(|| today().year() - 1);
    match as_user(web, c, move |a| {
        let organs = a.organs()?;
        let organ = organ.map(gongkai_register::OrganId).or_else(|| organs.first().map(|o| o.id));
        let counts = match organ {
            Some(o) => a.counts(o, year)?,
            None => None,
        };
        Ok((organs, organ, counts))
    })
    .await
    {
        Ok((organs, organ, counts)) => {
            let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
            (status, pages::counts(c, &organs, organ, year, counts.as_ref(), error.as_deref())).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn counts_post(State(web): State<Arc<Web>>, Ready(c): Ready, Form(f): Form<pages::CountsForm>) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let organ = f.organ.trim().parse::<i64>().ok();
    let year = f.year.trim().parse::<i16>().ok();
    let counts = match f.to_counts(today()) {
        Ok(x) => x,
        Err(m) => return counts_page(&web, &c, organ, year, Some(m)).await,
    };
    let (o, y) = (counts.organ.0, counts.year);
    match as_user(&web, &c, move |a| a.set_counts(&counts)).await {
        Ok(()) => Redirect::to(&format!("/counts?organ={o}&year={y}")).into_response(),
        Err(WebError::App(e)) if e.code() == "invalid" => counts_page(&web, &c, organ, year, Some(e.to_string())).await,
        Err(e) => e.into_response(),
    }
}

async fn organs(State(web): State<Arc<Web>>, Ready(c): Ready) -> Response {
    match as_user(&web, &c, |a| a.organs()).await {
        Ok(v) => pages::organs(&c, &v, None),
        Err(e) => e.into_response(),
    }
}

async fn organ_post(State(web): State<Arc<Web>>, Ready(c): Ready, Form(f): Form<pages::OrganForm>) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let new = f.to_new();
    match as_user(&web, &c, move |a| a.add_organ(&new)).await {
        Ok(_) => Redirect::to("/organs").into_response(),
        Err(WebError::App(e)) if e.code() == "invalid" => {
            let list = as_user(&web, &c, |a| a.organs()).await.unwrap_or_default();
            (StatusCode::UNPROCESSABLE_ENTITY, pages::organs(&c, &list, Some(&e.to_string()))).into_response()
        }
        Err(e) => e.into_response(),
    }
}

async fn organ_page(State(web): State<Arc<Web>>, Ready(c): Ready, Path(id): Path<i64>) -> Response {
    organ_view(&web, &c, id, None, false, StatusCode::OK).await
}

/// The page of one organ for those who manage it (`Action::ManageOrgans` there).
async fn organ_view(web: &Arc<Web>, c: &Ctx, id: i64, error: Option<&str>, done: bool, status: StatusCode) -> Response {
    let id = gongkai_register::OrganId(id);
    let found = as_user(web, c, move |a| {
        a.authorize(gongkai_app::Action::ManageOrgans, Some(id))?;
        let organs = a.organs()?;
        let organ = organs.iter().find(|o| o.id == id).cloned();
        Ok((organ, organs))
    })
    .await;
    match found {
        Ok((Some(o), organs)) => (status, pages::organ(c, &o, &organs, error, done)).into_response(),
        Ok((None, _)) => WebError::NotFound.into_response(),
        Err(e) => e.into_response(),
    }
}

/// Rename an organ or move it under another parent.
async fn organ_change(
    State(web): State<Arc<Web>>,
    Ready(c): Ready,
    Path(id): Path<i64>,
    Form(f): Form<pages::OrganChangeForm>,
) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let parent = match f.parent() {
        Ok(p) => p,
        Err(m) => return organ_view(&web, &c, id, Some(&m), false, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let (organ, name) = (gongkai_register::OrganId(id), f.name.clone());
    let changed = as_user(&web, &c, move |a| {
        let parent = match parent {
            Some(p) => p,
            // Kept: the current parent (an organ the user cannot read is refused below anyway).
            None => a.organs()?.into_iter().find(|o| o.id == organ).and_then(|o| o.parent),
        };
        a.change_organ(organ, &gongkai_store::OrganChange { name, parent })
    })
    .await;
    match changed {
        Ok(_) => organ_view(&web, &c, id, None, true, StatusCode::OK).await,
        Err(WebError::App(e)) if matches!(e.code(), "invalid" | "duplicate") => {
            organ_view(&web, &c, id, Some(&e.to_string()), false, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => e.into_response(),
    }
}

async fn users(State(web): State<Arc<Web>>, Ready(c): Ready) -> Response {
    match as_user(&web, &c, |a| Ok((a.users()?, a.organs()?))).await {
        Ok((u, o)) => pages::users(&c, &u, &o, None),
        Err(e) => e.into_response(),
    }
}

async fn user_post(State(web): State<Arc<Web>>, Ready(c): Ready, Form(f): Form<pages::UserForm>) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let new = match f.to_new() {
        Ok(n) => n,
        Err(m) => return users_error(&web, &c, &m).await,
    };
    match as_user(&web, &c, move |a| a.add_user(&new)).await {
        Ok(_) => Redirect::to("/users").into_response(),
        Err(WebError::App(e)) if e.code() == "invalid" => users_error(&web, &c, &e.to_string()).await,
        Err(e) => e.into_response(),
    }
}

async fn user_page(State(web): State<Arc<Web>>, Ready(c): Ready, Path(id): Path<i64>) -> Response {
    user_view(&web, &c, id, None, None, StatusCode::OK).await
}

async fn user_view(
    web: &Arc<Web>,
    c: &Ctx,
    id: i64,
    error: Option<&str>,
    done: Option<&str>,
    status: StatusCode,
) -> Response {
    match as_user(web, c, move |a| Ok((a.user(gongkai_store::UserId(id))?, a.organs()?))).await {
        Ok((u, o)) => (status, pages::user(c, &u, &o, error, done)).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Disable or enable an account, change its role and scope, or reset its password.
async fn user_change(
    State(web): State<Arc<Web>>,
    Ready(c): Ready,
    Path(id): Path<i64>,
    Form(f): Form<pages::AccountForm>,
) -> Response {
    if let Err(e) = check_csrf(&c, &f.csrf) {
        return e.into_response();
    }
    let change = match f.to_change() {
        Ok(x) => x,
        Err(m) => return user_view(&web, &c, id, Some(&m), None, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let version = f.version;
    match as_user(&web, &c, move |a| a.change_account(gongkai_store::UserId(id), version, &change)).await {
        Ok(_) => user_view(&web, &c, id, None, Some(f.done()), StatusCode::OK).await,
        Err(WebError::App(e)) if matches!(e.code(), "invalid" | "stale") => {
            let status = if e.code() == "stale" { StatusCode::CONFLICT } else { StatusCode::UNPROCESSABLE_ENTITY };
            user_view(&web, &c, id, Some(&e.to_string()), None, status).await
        }
        Err(e) => e.into_response(),
    }
}

async fn users_error(web: &Arc<Web>, c: &Ctx, msg: &str) -> Response {
    match as_user(web, c, |a| Ok((a.users()?, a.organs()?))).await {
        Ok((u, o)) => (StatusCode::UNPROCESSABLE_ENTITY, pages::users(c, &u, &o, Some(msg))).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Whether a role sees the admin pages in the navigation.
pub fn manages(role: Role) -> bool {
    gongkai_app::allowed(role, gongkai_app::Action::ManageOrgans, gongkai_app::Relation::Own)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Errors are logged by code and kind, never by their message: a backend error whose text
    /// names a person and a phone number (as a driver's or a decoder's message can) leaves
    /// neither in the log, and neither does a failed blocking task.
    #[test]
    fn errors_are_logged_by_code_and_kind_never_by_message() {
        let logs = gongkai_testkit::CapturedLog::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let page = |r: Response| {
            assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
            let bytes = rt.block_on(axum::body::to_bytes(r.into_body(), 1 << 20)).unwrap();
            String::from_utf8(bytes.to_vec()).unwrap()
        };
        let pages = tracing::subscriber::with_default(subscriber, || {
            let stored = "记录 7 的申请人“司马内错”电话 13800004321 无法解码";
            let e = WebError::App(AppError::Store(gongkai_store::StoreError::corrupt(stored)));
            let backend = page(rt.block_on(REQUEST_ID.scope(0xabc, async { e.into_response() })));
            let e = WebError::Internal { code: "web.task", kind: "panicked" };
            [backend, page(e.into_response())]
        });
        // The pages name the codes (and the request's number when there is one), never the message.
        assert!(pages[0].contains("backend / store.backend，请求编号 0000000000000abc"), "{}", pages[0]);
        assert!(pages[1].contains("web.task / panicked") && pages[1].contains("服务器内部错误"), "{}", pages[1]);
        for p in &pages {
            for secret in ["司马内错", "13800004321", "无法解码", "数据库错误"] {
                assert!(!p.contains(secret), "“{secret}” shown on the error page:\n{p}");
            }
        }
        let text = logs.text();
        assert!(text.contains("code=\"backend\" kind=\"store.backend\" request=\"0000000000000abc\""), "{text}");
        assert!(text.contains("code=\"web.task\" kind=\"panicked\""), "{text}");
        for secret in ["司马内错", "13800004321", "无法解码"] {
            assert!(!text.contains(secret), "“{secret}” leaked into the error log:\n{text}");
        }
    }

    /// The rule "no store call on an async worker" is enforced: through [`Web::run`] the store
    /// answers; called directly on a tokio worker it panics (debug builds); a plain thread
    /// outside any runtime (the CLI) is not affected.
    #[test]
    fn store_calls_on_an_async_worker_are_caught() {
        let web = Web::new(Arc::new(gongkai_store_sqlite::open_in_memory().unwrap()), false);
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).build().unwrap();
        let through_run = rt.block_on(async { web.run(|s| s.organs().map(|o| o.len())).await });
        assert_eq!(through_run.unwrap().unwrap(), 0);
        let store = web.store.clone();
        let on_worker = rt.block_on(async move { tokio::spawn(async move { store.organs().map(|o| o.len()) }).await });
        let err = on_worker.expect_err("a store call on a worker must not run");
        assert!(err.is_panic(), "{err:?}");
        // spawn_blocking without the web's wrapper is refused too: only Web::run marks a thread.
        let store = web.store.clone();
        let bare = rt.block_on(async move { tokio::task::spawn_blocking(move || store.organs().is_ok()).await });
        assert!(bare.is_err_and(|e| e.is_panic()));
        assert!(web.store.organs().is_ok(), "outside a runtime the store is called directly");
    }
}
