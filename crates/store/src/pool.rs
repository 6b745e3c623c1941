//! One store value for many threads: a bounded pool of backend connections with the
//! register's calendar shared by all of them. [`Pooled`] is the [`Store`] every backend
//! returns; each of its methods checks one connection out for the length of the call (a write
//! workflow does all its reads inside its own transaction, so a pool of one never waits for
//! itself).
//!
//! A pool of our own rather than `r2d2`: the first connection (the one that ran the
//! migrations and loaded the calendar) is adopted, which an in-memory SQLite register needs;
//! a connection that cannot be opened is reported at once, where `r2d2` retries until its
//! checkout timeout (a mistyped PostgreSQL URL would stall the CLI for that long); no
//! background threads; and the timeout is a Chinese [`StoreError::PoolTimeout`].
//!
//! **Who may call the store from where.** Every call blocks on the database. A front end
//! running an async runtime installs [`forbid_blocking_when`] with a test for "this thread is
//! an async worker" (the web: a tokio worker outside its `spawn_blocking` wrapper); a checkout
//! on such a thread panics in debug builds (so every test of the front end proves the rule)
//! and is refused with [`StoreError::AsyncWorker`] in release builds.

use crate::workflow::{self, Backend, WriteTx};
use crate::*;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// Opens connections of one backend to one register (with the backend's settings: SQLite's
/// pragmas, PostgreSQL's schema).
pub trait Connect: Send + Sync + 'static {
    type Conn: Backend;
    fn connect(&self) -> Result<Self::Conn>;
}

/// How long a call waits for a free connection before [`StoreError::PoolTimeout`].
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(30);

/// The default pool size: twice the cores (SQLite readers run in parallel in WAL mode; a
/// PostgreSQL connection waits on the network), at least 4 and at most 32.
pub fn default_size() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    (2 * cores).clamp(4, 32)
}

/// The register's calendar, shared by every connection of a store, with the stamp of the
/// holiday rows it was built from: readers take a snapshot (an `Arc`), a write takes the
/// current one inside its transaction ([`SharedCalendar::current`]), a holiday import replaces
/// it while its transaction commits.
#[derive(Debug)]
pub struct SharedCalendar(RwLock<(Arc<Calendar>, String)>);

impl SharedCalendar {
    pub fn new(cal: Calendar, stamp: String) -> SharedCalendar {
        SharedCalendar(RwLock::new((Arc::new(cal), stamp)))
    }

    /// The calendar as this store last saw it (reads; no database access).
    pub fn get(&self) -> Arc<Calendar> {
        self.0.read().unwrap_or_else(PoisonError::into_inner).0.clone()
    }

    /// The calendar as committed, inside a write transaction: takes the holiday lock, and
    /// when another process has imported holidays since (the stamp differs), rebuilds the
    /// calendar from the rows and shares it.
    pub fn current(&self, tx: &mut impl WriteTx) -> Result<Arc<Calendar>> {
        let stamp = tx.calendar_stamp()?;
        {
            let held = self.0.read().unwrap_or_else(PoisonError::into_inner);
            if held.1 == stamp {
                return Ok(held.0.clone());
            }
        }
        let fresh = Arc::new(register_calendar(&tx.holidays()?)?);
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = (fresh.clone(), stamp);
        Ok(fresh)
    }

    /// Commit `tx` and make `cal` the calendar, with no moment in between at which another
    /// thread, having waited for this transaction's locks, could read the old calendar.
    pub fn commit_with(&self, tx: impl WriteTx, cal: Calendar, stamp: String) -> Result<()> {
        let mut w = self.0.write().unwrap_or_else(PoisonError::into_inner);
        tx.commit()?;
        *w = (Arc::new(cal), stamp);
        Ok(())
    }
}

/// The test a front end installs: `true` when the current thread must not block.
static FORBIDDEN: OnceLock<fn() -> bool> = OnceLock::new();

/// Install the test of threads that must never block on the register (the first call wins;
/// the web server installs "a tokio worker outside the blocking wrapper"). See the module
/// documentation.
pub fn forbid_blocking_when(test: fn() -> bool) {
    let _ = FORBIDDEN.set(test);
}

/// Refuse a checkout on a thread that must not block.
fn check_thread() -> Result<()> {
    if FORBIDDEN.get().is_some_and(|forbidden| forbidden()) {
        if cfg!(debug_assertions) {
            panic!(
                "登记簿在异步工作线程上被调用 (a store call on an async worker thread): call it from a blocking thread"
            );
        }
        return Err(StoreError::AsyncWorker);
    }
    Ok(())
}

/// A store over a bounded pool of connections of one backend.
pub struct Pooled<C: Connect> {
    connect: C,
    name: &'static str,
    size: usize,
    timeout: Duration,
    slots: Mutex<Slots<C::Conn>>,
    freed: Condvar,
    cal: SharedCalendar,
}

struct Slots<T> {
    idle: Vec<T>,
    /// Connections open (idle or lent).
    open: usize,
}

impl<C: Connect> std::fmt::Debug for Pooled<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pooled").field("backend", &self.name).field("size", &self.size).finish_non_exhaustive()
    }
}

/// A connection lent by the pool; back to the pool when dropped (or closed if broken).
pub struct Lent<'p, C: Connect> {
    pool: &'p Pooled<C>,
    conn: Option<C::Conn>,
}

impl<C: Connect> std::fmt::Debug for Lent<'_, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lent").field("backend", &self.pool.name).finish_non_exhaustive()
    }
}

impl<C: Connect> std::ops::Deref for Lent<'_, C> {
    type Target = C::Conn;
    fn deref(&self) -> &C::Conn {
        self.conn.as_ref().expect("a lent connection is present until dropped")
    }
}

impl<C: Connect> std::ops::DerefMut for Lent<'_, C> {
    fn deref_mut(&mut self) -> &mut C::Conn {
        self.conn.as_mut().expect("a lent connection is present until dropped")
    }
}

impl<C: Connect> Drop for Lent<'_, C> {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        // A broken connection is closed, outside the lock; its place can be taken by a new one.
        let closed = if conn.is_broken() {
            self.pool.lock().open -= 1;
            Some(conn)
        } else {
            self.pool.lock().idle.push(conn);
            None
        };
        self.pool.freed.notify_one();
        drop(closed);
    }
}

impl<C: Connect> Pooled<C> {
    /// A store of at most `size` connections (at least 1) over `first`, a connection already
    /// made ready by the backend (schema migrated). The register's calendar is loaded through
    /// it (the embedded notices seeded when missing) and it becomes the pool's first idle
    /// connection.
    pub fn new(connect: C, mut first: C::Conn, size: usize) -> Result<Pooled<C>> {
        let (cal, stamp) = workflow::load_calendar(&mut first)?;
        Ok(Pooled {
            connect,
            name: first.name(),
            size: size.max(1),
            timeout: CHECKOUT_TIMEOUT,
            slots: Mutex::new(Slots { idle: vec![first], open: 1 }),
            freed: Condvar::new(),
            cal: SharedCalendar::new(cal, stamp),
        })
    }

    /// Wait at most `timeout` for a free connection (default [`CHECKOUT_TIMEOUT`]).
    pub fn with_timeout(mut self, timeout: Duration) -> Pooled<C> {
        self.timeout = timeout;
        self
    }

    /// The most connections this store opens.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Connections open now (idle or lent).
    pub fn open_connections(&self) -> usize {
        self.lock().open
    }

    /// The backend's connector (its location and settings).
    pub fn connector(&self) -> &C {
        &self.connect
    }

    fn lock(&self) -> MutexGuard<'_, Slots<C::Conn>> {
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lend a connection: an idle one, else a new one while fewer than `size` are open, else
    /// the first one given back within the timeout.
    pub fn get(&self) -> Result<Lent<'_, C>> {
        check_thread()?;
        let deadline = Instant::now() + self.timeout;
        let mut slots = self.lock();
        loop {
            if let Some(conn) = slots.idle.pop() {
                return Ok(Lent { pool: self, conn: Some(conn) });
            }
            if slots.open < self.size {
                slots.open += 1;
                drop(slots);
                return match self.connect.connect() {
                    Ok(conn) => Ok(Lent { pool: self, conn: Some(conn) }),
                    Err(e) => {
                        self.lock().open -= 1;
                        self.freed.notify_one();
                        Err(e)
                    }
                };
            }
            let now = Instant::now();
            if now >= deadline {
                let waited_secs = u64::try_from(self.timeout.as_millis().div_ceil(1000)).unwrap_or(u64::MAX);
                return Err(StoreError::PoolTimeout { size: self.size, waited_secs });
            }
            slots = self.freed.wait_timeout(slots, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }

    /// Run `f` on a lent connection (backend-specific checks in tests and tools).
    pub fn with_conn<T>(&self, f: impl FnOnce(&mut C::Conn) -> T) -> Result<T> {
        let mut conn = self.get()?;
        Ok(f(&mut conn))
    }
}

/// Nothing for no organs (no statement runs); else what `read` returns.
fn unless_empty<T: Default>(organs: &[OrganId], read: impl FnOnce() -> Result<T>) -> Result<T> {
    if organs.is_empty() { Ok(T::default()) } else { read() }
}

impl<C: Connect> Store for Pooled<C> {
    fn backend(&self) -> &'static str {
        self.name
    }
    fn calendar(&self) -> Arc<Calendar> {
        self.cal.get()
    }
    fn import_holidays(&self, listed: &[Listed], source: &str, actor: &str) -> Result<HolidayImport> {
        workflow::import_holidays(&mut *self.get()?, &self.cal, listed, source, actor)
    }
    fn add_organ(&self, new: &NewOrgan, actor: &str) -> Result<Organ> {
        workflow::add_organ(&mut *self.get()?, new, actor)
    }
    fn change_organ(&self, id: OrganId, change: &OrganChange, actor: &str) -> Result<Organ> {
        workflow::change_organ(&mut *self.get()?, id, change, actor)
    }
    fn organ(&self, id: OrganId) -> Result<Organ> {
        self.get()?.organ(id)
    }
    fn organs(&self) -> Result<Vec<Organ>> {
        self.get()?.organs()
    }
    fn register(&self, new: &NewApplication, actor: &str) -> Result<Application> {
        let mut apps = workflow::import_applications(&mut *self.get()?, &self.cal, std::slice::from_ref(new), actor)?;
        apps.pop().ok_or_else(|| StoreError::corrupt("登记失败"))
    }
    fn import_applications(&self, batch: &[NewApplication], actor: &str) -> Result<Vec<AppId>> {
        let apps = workflow::import_applications(&mut *self.get()?, &self.cal, batch, actor)?;
        Ok(apps.into_iter().map(|a| a.id).collect())
    }
    fn application(&self, id: AppId, personal: Personal) -> Result<Application> {
        let mut app = self.get()?.application(id)?;
        app.applicant = personal.apply(app.applicant);
        Ok(app)
    }
    fn applications(&self, organs: &[OrganId], personal: Personal) -> Result<Vec<ApplicationSummary>> {
        unless_empty(organs, || self.get()?.applications(organs, personal))
    }
    fn applications_page(&self, f: &AppFilter, personal: Personal) -> Result<(Vec<ApplicationSummary>, u64)> {
        unless_empty(&f.organs, || self.get()?.applications_page(f, personal))
    }
    fn state_counts(&self, organs: &[OrganId], today: Date) -> Result<Vec<StateCount>> {
        unless_empty(organs, || self.get()?.state_counts(organs, today))
    }
    fn append_event(&self, id: AppId, expected_version: i64, event: &Event, actor: &str) -> Result<Application> {
        workflow::append_event(&mut *self.get()?, &self.cal, id, expected_version, event, actor)
    }
    fn due_list(&self, organs: &[OrganId], until: Date) -> Result<Vec<DueItem>> {
        unless_empty(organs, || self.get()?.due_list(organs, until))
    }
    fn applications_for_year(&self, organs: &[OrganId], year: i16) -> Result<Vec<YearItem>> {
        unless_empty(organs, || self.get()?.applications_for_year(organs, year))
    }
    fn fee_events_for_year(&self, organs: &[OrganId], year: i16) -> Result<Vec<(AppId, Vec<Event>)>> {
        unless_empty(organs, || self.get()?.fee_events_for_year(organs, year))
    }
    fn add_catalogue_entry(&self, new: &NewCatalogueEntry, actor: &str) -> Result<CatalogueEntry> {
        workflow::add_catalogue_entry(&mut *self.get()?, new, actor)
    }
    fn repeal_catalogue_entry(
        &self,
        id: EntryId,
        expected_version: i64,
        repealed: Date,
        actor: &str,
    ) -> Result<CatalogueEntry> {
        workflow::repeal_catalogue_entry(&mut *self.get()?, id, expected_version, repealed, actor)
    }
    fn catalogue(&self, organ: OrganId) -> Result<Vec<CatalogueEntry>> {
        self.get()?.catalogue(organ)
    }
    fn catalogue_entry(&self, id: EntryId) -> Result<CatalogueEntry> {
        self.get()?.catalogue_entry(id)
    }
    fn set_counts(&self, counts: &YearlyCounts, actor: &str) -> Result<()> {
        workflow::set_counts(&mut *self.get()?, counts, actor)
    }
    fn counts(&self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>> {
        self.get()?.counts(organ, year)
    }
    fn add_case(&self, new: &NewCase, actor: &str) -> Result<Case> {
        workflow::add_case(&mut *self.get()?, new, actor)
    }
    fn conclude_case(
        &self,
        id: CaseId,
        expected_version: i64,
        on: Date,
        result: CaseResult,
        actor: &str,
    ) -> Result<Case> {
        workflow::conclude_case(&mut *self.get()?, id, expected_version, on, result, actor)
    }
    fn cases(&self, organs: &[OrganId]) -> Result<Vec<Case>> {
        unless_empty(organs, || self.get()?.cases(organs))
    }
    fn case(&self, id: CaseId) -> Result<Case> {
        self.get()?.case(id)
    }
    fn change_mark(&self) -> Result<Option<String>> {
        self.get()?.change_mark()
    }
    fn audit_log(&self, entity: Entity, id: &str, personal: Personal) -> Result<Vec<AuditEntry>> {
        let mut rows = self.get()?.audit_log(entity, id)?;
        for r in &mut rows {
            r.before = r.before.take().map(|v| mask_snapshot(personal, v));
            r.after = r.after.take().map(|v| mask_snapshot(personal, v));
        }
        Ok(rows)
    }
    fn audit_disclosure(&self, entity: Entity, id: &str, actor: &str, purpose: &str) -> Result<()> {
        workflow::audit_disclosure(&mut *self.get()?, entity, id, actor, purpose)
    }
    fn add_user(&self, new: &NewUser, actor: &str) -> Result<User> {
        workflow::add_user(&mut *self.get()?, new, actor)
    }
    fn user(&self, id: UserId) -> Result<User> {
        self.get()?.user(id)
    }
    fn user_by_name(&self, name: &str) -> Result<Option<User>> {
        self.get()?.user_by_name(name.trim())
    }
    fn users(&self) -> Result<Vec<User>> {
        self.get()?.users()
    }
    fn change_user(&self, id: UserId, expected_version: i64, change: &UserChange, actor: &str) -> Result<User> {
        workflow::change_user(&mut *self.get()?, id, expected_version, change, actor)
    }
    fn record_login(&self, id: UserId, ok: bool, locked_until: Option<i64>) -> Result<()> {
        if self.get()?.record_login(id, ok, locked_until)? { Ok(()) } else { Err(Entity::User.not_found(id.0)) }
    }
    fn create_session(&self, session: &Session) -> Result<()> {
        self.get()?.create_session(session)
    }
    fn session(&self, token_hash: &str, now: i64) -> Result<Option<Session>> {
        self.get()?.session(token_hash, now)
    }
    fn resume(&self, token_hash: &str, now: i64) -> Result<Option<Resumed>> {
        self.get()?.resume(token_hash, now)
    }
    fn delete_session(&self, token_hash: &str) -> Result<()> {
        self.get()?.delete_session(token_hash)
    }
    fn delete_sessions_of(&self, user: UserId) -> Result<()> {
        self.get()?.delete_sessions_of(user)
    }
    fn purge_sessions(&self, now: i64) -> Result<usize> {
        self.get()?.purge_sessions(now)
    }
    fn analyze(&self) -> Result<()> {
        self.get()?.analyze()
    }
}
