//! PostgreSQL backend of [`gongkai_store::Store`], on the synchronous `postgres` client. Dates
//! are `DATE` (through the client's jiff 0.2 support), audit times `TIMESTAMPTZ`. Writes run in
//! a transaction that locks the row they are based on (`SELECT … FOR UPDATE`, asked for by the
//! workflow with [`Lock::Update`]), so two clerks appending to one application are serialised
//! and the second sees the new version and gets [`StoreError::Stale`]; catalogue serials lock
//! the organ row so concurrent adds cannot take the same 索引号 (the unique constraints guard
//! anyway). Parameterised SQL only.
//!
//! This crate is SQL and row mapping only: [`PgConn`] implements [`gongkai_store::Backend`] and
//! [`PgTx`] [`gongkai_store::WriteTx`]; the store ([`PgStore`], a [`gongkai_store::Pooled`] of
//! connections) and its write workflows come from `gongkai_store`. The client is synchronous:
//! call the store from a thread that may block, never from an async worker (see
//! `gongkai_store::pool`). Batches are written with one `unnest` statement per table.
//!
//! Migrations are the numbered files in `migrations/` (PostgreSQL's dialect), embedded and
//! applied by a small runner under an advisory lock, recorded in `schema_version`. The store
//! works in the connection's `search_path`; [`open_in_schema`] selects a schema (tests
//! use one schema each).

use gongkai_clock::Event;
use gongkai_register::{
    AppId, Application, Case, CaseId, CaseResult, CatalogueEntry, EntryId, Organ, OrganId, YearlyCounts,
};
use gongkai_store::{
    AppFilter, ApplicationSummary, AuditEntry, AuditRow, Backend, CatalogueRow, Connect, Derived, DueItem, Entity,
    FilterValue, Listed, Lock, NewApplication, NewCase, NewOrgan, NewUser, Personal, Pooled, Result, Resumed, Session,
    StateCount, StoreError, StoredState, User, UserId, WriteTx, YearItem, applicant_kind_of, applicant_of, audit_json,
    count_column, count_of, enum_parse, enum_str, event_of, outcome_of, snapshot,
};
use jiff::civil::Date;
use postgres::error::SqlState;
use postgres::{Client, GenericClient, NoTls, Row, Transaction};
use std::collections::HashMap;

/// The embedded migrations, in order. Their position + 1 is the schema version.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_year_covering_index.sql"),
    include_str!("../migrations/0003_fee_events_index.sql"),
    include_str!("../migrations/0004_due_includes_overdue_paused.sql"),
    include_str!("../migrations/0005_holidays.sql"),
    include_str!("../migrations/0006_users_sessions.sql"),
    include_str!("../migrations/0007_state_counts_index.sql"),
    include_str!("../migrations/0008_change_mark.sql"),
];

/// The schema version this build writes and reads (the number of migrations).
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// An arbitrary constant naming the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x0067_6f6e_676b_6169;

/// A PostgreSQL register: a pool of [`PgConn`]s, opened with [`open`], [`open_pool`] or
/// [`open_in_schema`].
pub type PgStore = Pooled<Postgres>;

/// Where the connections of a [`PgStore`] go: a server URL and, optionally, a schema to work
/// in (tests use one schema each).
#[derive(Clone)]
pub struct Postgres {
    url: String,
    schema: Option<String>,
}

impl std::fmt::Debug for Postgres {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the URL: it may hold a password.
        f.debug_struct("Postgres").field("schema", &self.schema).finish_non_exhaustive()
    }
}

impl Connect for Postgres {
    type Conn = PgConn;

    fn connect(&self) -> Result<PgConn> {
        let mut client = Client::connect(&self.url, NoTls).map_err(be)?;
        if let Some(schema) = &self.schema {
            client.batch_execute(&format!("SET search_path TO {schema}")).map_err(be)?;
        }
        Ok(PgConn { client, prepared: HashMap::new() })
    }
}

/// Connect with a `postgres://` URL, bring the schema up to date and return a store with a
/// pool of [`gongkai_store::pool::default_size`] connections.
pub fn open(url: &str) -> Result<PgStore> {
    open_pool(url, gongkai_store::pool::default_size())
}

/// [`open`] with a pool of at most `size` connections.
pub fn open_pool(url: &str, size: usize) -> Result<PgStore> {
    let connect = Postgres { url: url.to_string(), schema: None };
    let mut first = connect.connect()?;
    first.migrate()?;
    Pooled::new(connect, first, size)
}

/// Connect and work in `schema` (created if missing); a pool of at most `size` connections,
/// every one in that schema.
pub fn open_in_schema(url: &str, schema: &str, size: usize) -> Result<PgStore> {
    if !valid_schema(schema) {
        return Err(StoreError::Invalid(format!("模式名“{schema}”不合法（只允许小写字母、数字和下划线）")));
    }
    let mut client = Client::connect(url, NoTls).map_err(be)?;
    client.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}")).map_err(be)?;
    let mut first = PgConn { client, prepared: HashMap::new() };
    first.migrate()?;
    Pooled::new(Postgres { url: url.to_string(), schema: Some(schema.to_string()) }, first, size)
}

/// One connection to a PostgreSQL register (the synchronous client: never on an async worker,
/// see `gongkai_store::pool`).
pub struct PgConn {
    client: Client,
    /// The statements the per-request reads use, prepared once per connection: an unprepared
    /// query costs a second round trip and a parse and plan each time.
    prepared: HashMap<String, postgres::Statement>,
}

fn read_holidays(c: &mut impl GenericClient) -> Result<Vec<Listed>> {
    Ok(c.query("SELECT date, workday, name FROM holidays ORDER BY date", &[])
        .map_err(be)?
        .iter()
        .map(|r| Listed { date: r.get(0), workday: r.get(1), name: r.get(2) })
        .collect())
}

impl std::fmt::Debug for PgConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConn").finish_non_exhaustive()
    }
}

fn be(e: postgres::Error) -> StoreError {
    StoreError::backend(e)
}

fn is_unique(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

/// A schema name we are willing to splice into `SET search_path` (identifiers cannot be
/// parameters): lower-case ASCII letters, digits and `_`, starting with a letter.
fn valid_schema(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

impl PgConn {
    /// `sql` prepared on this connection (once).
    fn prepared(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(st) = self.prepared.get(sql) {
            return Ok(st.clone());
        }
        let st = self.client.prepare(sql).map_err(be)?;
        self.prepared.insert(sql.to_string(), st.clone());
        Ok(st)
    }

    fn migrate(&mut self) -> Result<()> {
        let mut tx = self.client.transaction().map_err(be)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).map_err(be)?;
        tx.batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
        )
        .map_err(be)?;
        let current: i32 =
            tx.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_version", &[]).map_err(be)?.get(0);
        let known = MIGRATIONS.len() as i32;
        if current > known {
            return Err(StoreError::corrupt(format!(
                "数据库结构版本为 {current}，本程序只认识到 {known}，请升级 gongkai"
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.batch_execute(sql).map_err(be)?;
            tx.execute("INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)", &[&(i as i32 + 1), &now()])
                .map_err(be)?;
        }
        tx.commit().map_err(be)
    }

    /// The schema version of the database.
    pub fn schema_version(&mut self) -> Result<i32> {
        Ok(self.client.query_one("SELECT MAX(version) FROM schema_version", &[]).map_err(be)?.get(0))
    }

    /// The raw client, for checks in tests and benchmarks.
    pub fn client(&mut self) -> &mut Client {
        &mut self.client
    }
}

/// ` FOR UPDATE` when the workflow bases its write on the row.
fn for_update(lock: Lock) -> &'static str {
    match lock {
        Lock::Update => " FOR UPDATE",
        Lock::Share => "",
    }
}

/// The row of `table` with this id (locked with [`Lock::Update`]), or `entity`'s not-found error.
fn by_id(c: &mut impl GenericClient, cols: &str, table: &str, id: i64, lock: Lock, entity: Entity) -> Result<Row> {
    let sql = format!("SELECT {cols} FROM {table} WHERE id = $1{}", for_update(lock));
    c.query_opt(&sql, &[&id]).map_err(be)?.ok_or_else(|| entity.not_found(id))
}

const ORGAN_COLS: &str = "id, name, kind, parent, code, index_pattern";

fn organ_of(r: &Row) -> Result<Organ> {
    Ok(Organ {
        id: OrganId(r.get(0)),
        name: r.get(1),
        kind: enum_parse(r.get::<_, &str>(2))?,
        parent: r.get::<_, Option<i64>>(3).map(OrganId),
        code: r.get(4),
        index_pattern: r.get(5),
    })
}

const SUMMARY_COLS: &str =
    "id, organ, serial, applicant, channel, received, state, due, concluded, outcome, late, version, provisional";

fn summary_of(r: &Row, personal: Personal) -> Result<ApplicationSummary> {
    let applicant = applicant_of(r.get(3))?;
    Ok(ApplicationSummary {
        id: AppId(r.get(0)),
        organ: OrganId(r.get(1)),
        serial: r.get(2),
        applicant: personal.apply(applicant),
        channel: enum_parse(r.get::<_, &str>(4))?,
        received: r.get(5),
        state: StoredState::parse(r.get(6))?,
        due: r.get(7),
        concluded: r.get(8),
        outcome: r.get::<_, Option<&str>>(9).map(outcome_of).transpose()?,
        late: r.get(10),
        provisional: r.get(12),
        version: r.get(11),
    })
}

const USER_COLS: &str = "id, name, display_name, role, organ, password_hash, must_change, disabled, failed_logins, \
    locked_until, created_at, version";

/// [`Backend::resume`]'s statement: [`USER_COLS`] (of `users u`), then the session's csrf,
/// created_at and expires_at, then the change mark.
static RESUME: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let user = USER_COLS.split(',').map(|c| format!("u.{}", c.trim())).collect::<Vec<_>>().join(", ");
    format!(
        "SELECT {user}, s.csrf, s.created_at, s.expires_at, (SELECT n FROM change_mark WHERE id = 1) \
         FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2"
    )
});

/// The change mark of counter value `n` (migration 0008).
fn mark_of(n: i64) -> String {
    format!("changes:{n}")
}

fn user_of(r: &Row) -> User {
    User {
        id: UserId(r.get(0)),
        name: r.get(1),
        display_name: r.get(2),
        role: r.get(3),
        organ: r.get::<_, Option<i64>>(4).map(OrganId),
        password_hash: r.get(5),
        must_change: r.get(6),
        disabled: r.get(7),
        failed_logins: i64::from(r.get::<_, i32>(8)),
        locked_until: r.get(9),
        created_at: r.get(10),
        version: r.get(11),
    }
}

fn get_user(c: &mut impl GenericClient, id: UserId, lock: Lock) -> Result<User> {
    let row = by_id(c, USER_COLS, "users", id.0, lock, Entity::User)?;
    Ok(user_of(&row))
}

fn get_organ(c: &mut impl GenericClient, id: OrganId, lock: Lock) -> Result<Organ> {
    let row = by_id(c, ORGAN_COLS, "organs", id.0, lock, Entity::Organ)?;
    organ_of(&row)
}

/// An application and its log in one statement (one snapshot), for reads outside a write.
const APP_WITH_LOG: &str = "SELECT organ, serial, applicant, description, form, version, \
     ARRAY(SELECT event FROM events WHERE app = a.id ORDER BY seq) FROM applications a WHERE id = $1";

/// The application of a row of [`APP_WITH_LOG`].
fn app_with_log(id: AppId, row: Option<Row>) -> Result<Application> {
    let row = row.ok_or_else(|| Entity::Application.not_found(id.0))?;
    let events = row.get::<_, Vec<&str>>(6).into_iter().map(event_of).collect::<Result<Vec<_>>>()?;
    app_of(id, &row, events)
}

/// An application with its log. A plain read is one statement (one snapshot: outside a
/// transaction two statements could see the row before a commit and the events after it); a
/// locking read takes the row lock first and then reads the events, which no one else can
/// change while the lock is held (one statement would read them in the snapshot taken before
/// waiting for the lock).
fn load_app(c: &mut impl GenericClient, id: AppId, lock: Lock) -> Result<Application> {
    match lock {
        Lock::Share => app_with_log(id, c.query_opt(APP_WITH_LOG, &[&id.0]).map_err(be)?),
        Lock::Update => {
            let sql = "SELECT organ, serial, applicant, description, form, version FROM applications WHERE id = $1 \
                       FOR UPDATE";
            let row = c.query_opt(sql, &[&id.0]).map_err(be)?.ok_or_else(|| Entity::Application.not_found(id.0))?;
            let events = c
                .query("SELECT event FROM events WHERE app = $1 ORDER BY seq", &[&id.0])
                .map_err(be)?
                .iter()
                .map(|r| event_of(r.get(0)))
                .collect::<Result<Vec<_>>>()?;
            app_of(id, &row, events)
        }
    }
}

/// An application from its row (organ, serial, applicant, description, form, version) and log.
fn app_of(id: AppId, row: &Row, events: Vec<Event>) -> Result<Application> {
    let applicant = applicant_of(row.get(2))?;
    gongkai_store::assemble(
        id,
        OrganId(row.get(0)),
        row.get(1),
        applicant,
        row.get(3),
        enum_parse(row.get::<_, &str>(4))?,
        events,
        row.get(5),
    )
}

const ENTRY_COLS: &str = "id, organ, kind, title, doc_number, index_no, issued, repealed, version";

fn entry_of(r: &Row) -> Result<CatalogueEntry> {
    Ok(CatalogueEntry {
        id: EntryId(r.get(0)),
        organ: OrganId(r.get(1)),
        kind: enum_parse(r.get::<_, &str>(2))?,
        title: r.get(3),
        doc_number: r.get(4),
        index_no: r.get(5),
        issued: r.get(6),
        repealed: r.get(7),
        version: r.get(8),
    })
}

const CASE_COLS: &str = "id, organ, kind, number, filed, concluded, result, version";

fn case_of(r: &Row) -> Result<Case> {
    Ok(Case {
        id: CaseId(r.get(0)),
        organ: OrganId(r.get(1)),
        kind: enum_parse(r.get::<_, &str>(2))?,
        number: r.get(3),
        filed: r.get(4),
        concluded: gongkai_store::case_conclusion(r.get(5), r.get(6))?,
        version: r.get(7),
    })
}

fn get_counts(c: &mut impl GenericClient, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>> {
    let Some(r) = c
        .query_opt(
            "SELECT licences, penalties, coercions, fee_wan, confirmed_on FROM yearly_counts WHERE organ = $1 AND year = $2",
            &[&organ.0, &year],
        )
        .map_err(be)?
    else {
        return Ok(None);
    };
    Ok(Some(YearlyCounts {
        organ,
        year,
        licences: count_of(r.get(0)),
        penalties: count_of(r.get(1)),
        coercions: count_of(r.get(2)),
        fee_wan: gongkai_store::fee_of(r.get(3))?,
        confirmed_on: r.get(4),
    }))
}

fn ids_of(organs: &[OrganId]) -> Vec<i64> {
    organs.iter().map(|o| o.0).collect()
}

fn get_entry(c: &mut impl GenericClient, id: EntryId, lock: Lock) -> Result<CatalogueEntry> {
    let row = by_id(c, ENTRY_COLS, "catalogue", id.0, lock, Entity::CatalogueEntry)?;
    entry_of(&row)
}

fn get_case(c: &mut impl GenericClient, id: CaseId, lock: Lock) -> Result<Case> {
    let row = by_id(c, CASE_COLS, "cases", id.0, lock, Entity::Case)?;
    case_of(&row)
}

/// The columns of a batch of validated applications, for one `unnest` insert.
#[derive(Default)]
struct Batch {
    ids: Vec<i64>,
    organ: Vec<i64>,
    serial: Vec<String>,
    kind: Vec<String>,
    applicant: Vec<String>,
    description: Vec<String>,
    form: Vec<String>,
    channel: Vec<String>,
    state: Vec<String>,
    received: Vec<Date>,
    due: Vec<Option<Date>>,
    concluded: Vec<Option<Date>>,
    outcome: Vec<Option<String>>,
    late: Vec<bool>,
    provisional: Vec<bool>,
}

/// A write transaction; reads a workflow bases its write on take row locks ([`Lock::Update`]).
pub struct PgTx<'a>(Transaction<'a>);

impl std::fmt::Debug for PgTx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTx").finish_non_exhaustive()
    }
}

impl WriteTx for PgTx<'_> {
    fn organ(&mut self, id: OrganId, lock: Lock) -> Result<Organ> {
        get_organ(&mut self.0, id, lock)
    }

    fn missing_organ(&mut self, ids: &[OrganId]) -> Result<Option<OrganId>> {
        let known: Vec<i64> = self
            .0
            .query("SELECT id FROM organs WHERE id = ANY($1)", &[&ids_of(ids)])
            .map_err(be)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Ok(ids.iter().find(|o| !known.contains(&o.0)).copied())
    }

    fn insert_organ(&mut self, new: &NewOrgan) -> Result<OrganId> {
        let row = self
            .0
            .query_one(
                "INSERT INTO organs (name, kind, parent, code, index_pattern) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&new.name, &enum_str(&new.kind), &new.parent.map(|p| p.0), &new.code, &new.index_pattern],
            )
            .map_err(be)?;
        Ok(OrganId(row.get(0)))
    }

    fn update_organ(&mut self, organ: &Organ) -> Result<()> {
        self.0
            .execute(
                "UPDATE organs SET name = $1, parent = $2 WHERE id = $3",
                &[&organ.name, &organ.parent.map(|p| p.0), &organ.id.0],
            )
            .map_err(be)?;
        Ok(())
    }

    fn application(&mut self, id: AppId, lock: Lock) -> Result<Application> {
        load_app(&mut self.0, id, lock)
    }

    fn insert_applications(&mut self, rows: &[(&NewApplication, Derived)]) -> Result<Vec<AppId>> {
        let ids: Vec<i64> = self
            .0
            .query(
                "SELECT nextval(pg_get_serial_sequence('applications', 'id')) FROM generate_series(1, $1::bigint)",
                &[&(rows.len() as i64)],
            )
            .map_err(be)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut b = Batch::default();
        for ((new, derived), &id) in rows.iter().zip(&ids) {
            b.ids.push(id);
            b.organ.push(new.organ.0);
            b.serial.push(new.serial.clone());
            b.kind.push(enum_str(&new.applicant.kind));
            b.applicant.push(gongkai_store::applicant_json(&new.applicant)?);
            b.description.push(new.description.clone());
            b.form.push(enum_str(&new.form));
            b.channel.push(enum_str(&derived.channel));
            b.state.push(derived.state.as_str().to_string());
            b.received.push(derived.received);
            b.due.push(derived.due);
            b.concluded.push(derived.concluded);
            b.outcome.push(derived.outcome.map(|o| o.id().to_string()));
            b.late.push(derived.late);
            b.provisional.push(derived.provisional);
        }
        let res = self.0.execute(
            "INSERT INTO applications (id, organ, serial, applicant_kind, applicant, description, form, channel, \
             state, received, due, concluded, outcome, late, provisional, version) \
             SELECT *, 1 FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], \
             $7::text[], $8::text[], $9::text[], $10::date[], $11::date[], $12::date[], $13::text[], $14::bool[], \
             $15::bool[])",
            &[
                &b.ids,
                &b.organ,
                &b.serial,
                &b.kind,
                &b.applicant,
                &b.description,
                &b.form,
                &b.channel,
                &b.state,
                &b.received,
                &b.due,
                &b.concluded,
                &b.outcome,
                &b.late,
                &b.provisional,
            ],
        );
        if let Err(e) = res {
            if is_unique(&e) {
                // `Key (organ, serial)=(5, 2024-001) already exists.` → the serial.
                let serial = e
                    .as_db_error()
                    .and_then(|d| d.detail())
                    .and_then(|d| {
                        d.split_once("=(")?.1.split_once(", ")?.1.rsplit_once(") already")?.0.to_string().into()
                    })
                    .unwrap_or_else(|| rows.first().map(|(n, _)| n.serial.clone()).unwrap_or_default());
                return Err(StoreError::DuplicateSerial(serial));
            }
            return Err(be(e));
        }
        Ok(ids.into_iter().map(AppId).collect())
    }

    fn insert_events(&mut self, rows: &[(AppId, usize, &Event)], actor: &str) -> Result<()> {
        let app: Vec<i64> = rows.iter().map(|r| r.0.0).collect();
        let seq: Vec<i32> = rows.iter().map(|r| r.1 as i32).collect();
        let json: Vec<String> = rows.iter().map(|r| snapshot(r.2)).collect();
        self.0
            .execute(
                "INSERT INTO events (app, seq, event, actor, recorded_at) \
                 SELECT a, s, e, $4, $5 FROM unnest($1::bigint[], $2::int[], $3::text[]) AS t(a, s, e)",
                &[&app, &seq, &json, &actor, &now()],
            )
            .map_err(be)?;
        Ok(())
    }

    fn update_derived(&mut self, id: AppId, derived: &Derived, expected_version: Option<i64>) -> Result<u64> {
        self.0
            .execute(
                "UPDATE applications SET state = $1, received = $2, due = $3, concluded = $4, outcome = $5, late = $6, \
                 provisional = $7, version = version + CASE WHEN $8::bigint IS NULL THEN 0 ELSE 1 END \
                 WHERE id = $9 AND ($8::bigint IS NULL OR version = $8)",
                &[
                    &derived.state.as_str(),
                    &derived.received,
                    &derived.due,
                    &derived.concluded,
                    &derived.outcome.map(|o| o.id()),
                    &derived.late,
                    &derived.provisional,
                    &expected_version,
                    &id.0,
                ],
            )
            .map_err(be)
    }

    fn provisional_applications(&mut self, lock: Lock) -> Result<Vec<AppId>> {
        let sql = format!("SELECT id FROM applications WHERE provisional ORDER BY id{}", for_update(lock));
        Ok(self.0.query(&sql, &[]).map_err(be)?.iter().map(|r| AppId(r.get(0))).collect())
    }

    fn next_catalogue_seq(&mut self, organ: OrganId, scope: &str) -> Result<i64> {
        Ok(self
            .0
            .query_one(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM catalogue WHERE organ = $1 AND scope = $2",
                &[&organ.0, &scope],
            )
            .map_err(be)?
            .get(0))
    }

    fn insert_catalogue_entry(&mut self, row: &CatalogueRow) -> Result<EntryId> {
        let new = row.new;
        let res = self.0.query_one(
            "INSERT INTO catalogue (organ, kind, title, doc_number, index_no, scope, seq, issued, repealed, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, 1) RETURNING id",
            &[
                &new.organ.0,
                &enum_str(&new.kind),
                &new.title,
                &new.doc_number,
                &row.index_no,
                &row.scope,
                &row.seq,
                &new.issued,
            ],
        );
        match res {
            Ok(r) => Ok(EntryId(r.get(0))),
            Err(e) if is_unique(&e) => Err(StoreError::DuplicateIndexNo(row.index_no.to_string())),
            Err(e) => Err(be(e)),
        }
    }

    fn catalogue_entry(&mut self, id: EntryId, lock: Lock) -> Result<CatalogueEntry> {
        get_entry(&mut self.0, id, lock)
    }

    fn set_repealed(&mut self, id: EntryId, repealed: Date, expected_version: i64) -> Result<()> {
        self.0
            .execute(
                "UPDATE catalogue SET repealed = $1, version = version + 1 WHERE id = $2 AND version = $3",
                &[&repealed, &id.0, &expected_version],
            )
            .map_err(be)?;
        Ok(())
    }

    fn counts(&mut self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>> {
        get_counts(&mut self.0, organ, year)
    }

    fn upsert_counts(&mut self, c: &YearlyCounts) -> Result<()> {
        self.0
            .execute(
                "INSERT INTO yearly_counts (organ, year, licences, penalties, coercions, fee_wan, confirmed_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (organ, year) DO UPDATE SET \
                 licences = EXCLUDED.licences, penalties = EXCLUDED.penalties, coercions = EXCLUDED.coercions, \
                 fee_wan = EXCLUDED.fee_wan, confirmed_on = EXCLUDED.confirmed_on",
                &[
                    &c.organ.0,
                    &c.year,
                    &count_column(c.licences)?,
                    &count_column(c.penalties)?,
                    &count_column(c.coercions)?,
                    &c.fee_wan.map(|f| f.to_string()),
                    &c.confirmed_on,
                ],
            )
            .map_err(be)?;
        Ok(())
    }

    fn insert_case(&mut self, new: &NewCase) -> Result<CaseId> {
        let row = self
            .0
            .query_one(
                "INSERT INTO cases (organ, kind, number, filed, concluded, result, version) \
                 VALUES ($1, $2, $3, $4, NULL, NULL, 1) RETURNING id",
                &[&new.organ.0, &enum_str(&new.kind), &new.number, &new.filed],
            )
            .map_err(be)?;
        Ok(CaseId(row.get(0)))
    }

    fn case(&mut self, id: CaseId, lock: Lock) -> Result<Case> {
        get_case(&mut self.0, id, lock)
    }

    fn set_concluded(&mut self, id: CaseId, on: Date, result: CaseResult, expected_version: i64) -> Result<()> {
        self.0
            .execute(
                "UPDATE cases SET concluded = $1, result = $2, version = version + 1 WHERE id = $3 AND version = $4",
                &[&on, &enum_str(&result), &id.0, &expected_version],
            )
            .map_err(be)?;
        Ok(())
    }

    fn insert_user(&mut self, new: &NewUser, created_at: i64) -> Result<UserId> {
        let res = self.0.query_one(
            "INSERT INTO users (name, display_name, role, organ, password_hash, must_change, created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id",
            &[
                &new.name.trim(),
                &new.display_name.trim(),
                &new.role,
                &new.organ.map(|o| o.0),
                &new.password_hash,
                &new.must_change,
                &created_at,
            ],
        );
        match res {
            Ok(r) => Ok(UserId(r.get(0))),
            Err(e) if is_unique(&e) => Err(StoreError::Invalid(format!("用户名“{}”已被使用", new.name.trim()))),
            Err(e) => Err(be(e)),
        }
    }

    fn user(&mut self, id: UserId, lock: Lock) -> Result<User> {
        get_user(&mut self.0, id, lock)
    }

    fn update_user(&mut self, after: &User, expected_version: i64) -> Result<()> {
        let failed = i32::try_from(after.failed_logins).unwrap_or(i32::MAX);
        self.0
            .execute(
                "UPDATE users SET role = $1, organ = $2, password_hash = $3, must_change = $4, disabled = $5, \
                 failed_logins = $6, locked_until = $7, version = $8 WHERE id = $9 AND version = $10",
                &[
                    &after.role,
                    &after.organ.map(|o| o.0),
                    &after.password_hash,
                    &after.must_change,
                    &after.disabled,
                    &failed,
                    &after.locked_until,
                    &after.version,
                    &after.id.0,
                    &expected_version,
                ],
            )
            .map_err(be)?;
        Ok(())
    }

    fn upsert_holidays(&mut self, listed: &[Listed], source: &str) -> Result<()> {
        // One importer at a time: the recomputation after this must see every row written before it.
        self.0.execute("LOCK TABLE holidays IN SHARE ROW EXCLUSIVE MODE", &[]).map_err(be)?;
        let dates: Vec<Date> = listed.iter().map(|l| l.date).collect();
        let workdays: Vec<bool> = listed.iter().map(|l| l.workday).collect();
        let names: Vec<&str> = listed.iter().map(|l| l.name.as_str()).collect();
        self.0
            .execute(
                "INSERT INTO holidays (date, workday, name, source, imported_at) \
                 SELECT d, w, n, $4, $5 FROM unnest($1::date[], $2::bool[], $3::text[]) AS t(d, w, n) \
                 ON CONFLICT (date) DO UPDATE SET workday = excluded.workday, name = excluded.name, \
                 source = excluded.source, imported_at = excluded.imported_at",
                &[&dates, &workdays, &names, &source, &now()],
            )
            .map_err(be)?;
        Ok(())
    }

    fn holidays(&mut self) -> Result<Vec<Listed>> {
        read_holidays(&mut self.0)
    }

    fn calendar_stamp(&mut self) -> Result<String> {
        // SHARE conflicts with the importer's SHARE ROW EXCLUSIVE (and not with itself): an
        // import in progress is waited for, and the next one waits for this transaction.
        self.0.execute("LOCK TABLE holidays IN SHARE MODE", &[]).map_err(be)?;
        let row = self.0.query_one("SELECT COUNT(*), MAX(imported_at) FROM holidays", &[]).map_err(be)?;
        let at: Option<jiff::Timestamp> = row.get(1);
        Ok(format!("{}@{}", row.get::<_, i64>(0), at.map(|t| t.to_string()).unwrap_or_default()))
    }

    fn audit(&mut self, actor: &str, rows: &[AuditRow]) -> Result<()> {
        let entity: Vec<&str> = rows.iter().map(|r| r.entity.as_str()).collect();
        let id: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        let before: Vec<Option<&str>> = rows.iter().map(|r| r.before.as_deref()).collect();
        let after: Vec<Option<&str>> = rows.iter().map(|r| r.after.as_deref()).collect();
        self.0
            .execute(
                "INSERT INTO audit (at, actor, entity, entity_id, before, after) \
                 SELECT $1, $2, e, i, b, a FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) \
                 WITH ORDINALITY AS t(e, i, b, a, n) ORDER BY n",
                &[&now(), &actor, &entity, &id, &before, &after],
            )
            .map_err(be)?;
        Ok(())
    }

    fn commit(self) -> Result<()> {
        self.0.commit().map_err(be)
    }
}

impl Backend for PgConn {
    type Tx<'a> = PgTx<'a>;

    fn name(&self) -> &'static str {
        "postgres"
    }

    fn begin(&mut self) -> Result<PgTx<'_>> {
        let tx = self.client.transaction().map_err(be)?;
        Ok(PgTx(tx))
    }

    fn is_broken(&mut self) -> bool {
        self.client.is_closed()
    }

    fn application(&mut self, id: AppId) -> Result<Application> {
        let st = self.prepared(APP_WITH_LOG)?;
        app_with_log(id, self.client.query_opt(&st, &[&id.0]).map_err(be)?)
    }

    fn organ(&mut self, id: OrganId) -> Result<Organ> {
        get_organ(&mut self.client, id, Lock::Share)
    }

    fn organs(&mut self) -> Result<Vec<Organ>> {
        let st = self.prepared(&format!("SELECT {ORGAN_COLS} FROM organs ORDER BY id"))?;
        self.client.query(&st, &[]).map_err(be)?.iter().map(organ_of).collect()
    }

    fn applications(&mut self, organs: &[OrganId], personal: Personal) -> Result<Vec<ApplicationSummary>> {
        let rows = self
            .client
            .query(
                &format!("SELECT {SUMMARY_COLS} FROM applications WHERE organ = ANY($1) ORDER BY received, id"),
                &[&ids_of(organs)],
            )
            .map_err(be)?;
        rows.iter().map(|r| summary_of(r, personal)).collect()
    }

    fn applications_page(&mut self, f: &AppFilter, personal: Personal) -> Result<(Vec<ApplicationSummary>, u64)> {
        use postgres::types::ToSql;
        type Arg = Box<dyn ToSql + Sync>;
        fn arg(v: FilterValue) -> Arg {
            match v {
                FilterValue::Text(t) => Box::new(t),
                FilterValue::Date(d) => Box::new(d),
                FilterValue::Int(i) => Box::new(i),
            }
        }
        // `sql` with each `{}` the next argument's placeholder.
        fn placed(sql: &str, values: impl IntoIterator<Item = FilterValue>, args: &mut Vec<Arg>) -> String {
            let mut sql = sql.to_string();
            for v in values {
                args.push(arg(v));
                sql = sql.replacen("{}", &format!("${}", args.len()), 1);
            }
            sql
        }
        // One organ (a clerk's list) as `organ = $1`: the planner then reads `applications_list`
        // in (received, id) order and stops after the page; with `= ANY` it sorts every row of
        // the organ (measured at 1M: a 29,000-row organ, 0.5–1.6 s for page 20).
        let (first, organ_cond): (Arg, &str) = match f.organs.as_slice() {
            [one] => (Box::new(one.0), "organ = $1"),
            _ => (Box::new(ids_of(&f.organs)), "organ = ANY($1)"),
        };
        let mut args: Vec<Arg> = vec![first];
        let mut cond = vec![organ_cond.to_string()];
        for (sql, v) in f.conditions() {
            cond.push(placed(sql, [v], &mut args));
        }
        let wh = cond.join(" AND ");
        if let Some((sql, values)) = f.key_condition() {
            cond.push(placed(sql, values, &mut args));
        }
        let page_wh = cond.join(" AND ");
        let (limit, offset) = f.limit_offset();
        // The page size is written into the statement, not passed: a parameter there makes the
        // planner assume a tenth of the rows, so it plans every execution afresh (a third of
        // the server's time on the list page under load); with the number, one plan per
        // connection serves every first and keyset page. It is an integer of our own: nothing
        // to escape. OFFSET stays a parameter.
        let page = if offset == 0 {
            // The first page, or a keyset page: the rows themselves, in index order.
            format!(
                "SELECT {SUMMARY_COLS} FROM applications WHERE {page_wh} ORDER BY {order} LIMIT {limit}",
                order = f.select_order()
            )
        } else {
            // The page's ids first (an index-only scan of `applications_list` when only the
            // organ is filtered), then their rows: the rows skipped by OFFSET are never read
            // from the table.
            args.push(Box::new(offset));
            format!(
                "SELECT {SUMMARY_COLS} FROM applications WHERE id IN \
                 (SELECT id FROM applications WHERE {page_wh} ORDER BY {order} LIMIT {limit} OFFSET ${no})",
                order = f.select_order(),
                no = args.len()
            )
        };
        let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|b| b.as_ref() as &(dyn ToSql + Sync)).collect();
        let (rows, total) = match f.known_total {
            Some(total) => {
                let st = self.prepared(&format!("SELECT * FROM ({page}) p ORDER BY received, id"))?;
                (self.client.query(&st, &refs).map_err(be)?, total)
            }
            // The count and the page in one statement (one snapshot: a write between them
            // cannot make the total disagree with the page; one round trip). The count is the
            // last column; an empty page is one row of the count alone.
            None => {
                let st = self.prepared(&format!(
                    "SELECT p.*, t.n FROM (SELECT COUNT(*) AS n FROM applications WHERE {wh}) t \
                     LEFT JOIN ({page}) p ON true ORDER BY p.received, p.id"
                ))?;
                let mut rows = self.client.query(&st, &refs).map_err(be)?;
                let total = rows.first().map_or(0, |r| r.get::<_, i64>(SUMMARY_COLS.split(',').count())) as u64;
                rows.retain(|r| r.get::<_, Option<i64>>(0).is_some());
                (rows, total)
            }
        };
        let page = rows.iter().map(|r| summary_of(r, personal)).collect::<Result<Vec<_>>>()?;
        Ok((page, total))
    }

    fn state_counts(&mut self, organs: &[OrganId], today: Date) -> Result<Vec<StateCount>> {
        let rows = self
            .client
            .query(
                "SELECT organ, state, COUNT(*), \
                 COUNT(*) FILTER (WHERE state IN ('open', 'paused') AND due IS NOT NULL AND due < $2) \
                 FROM applications WHERE organ = ANY($1) GROUP BY organ, state ORDER BY organ, state",
                &[&ids_of(organs), &today],
            )
            .map_err(be)?;
        rows.iter()
            .map(|r| {
                Ok(StateCount {
                    organ: OrganId(r.get(0)),
                    state: StoredState::parse(r.get(1))?,
                    count: r.get::<_, i64>(2) as u64,
                    overdue: r.get::<_, i64>(3) as u64,
                })
            })
            .collect()
    }

    fn due_list(&mut self, organs: &[OrganId], until: Date) -> Result<Vec<DueItem>> {
        let rows = self
            .client
            .query(
                "SELECT id, organ, serial, received, due, version, provisional FROM applications \
                 WHERE state IN ('open', 'paused') AND due IS NOT NULL AND organ = ANY($1) AND due <= $2 ORDER BY due, id",
                &[&ids_of(organs), &until],
            )
            .map_err(be)?;
        Ok(rows
            .iter()
            .map(|r| DueItem {
                id: AppId(r.get(0)),
                organ: OrganId(r.get(1)),
                serial: r.get(2),
                received: r.get(3),
                due: r.get(4),
                provisional: r.get(6),
                version: r.get(5),
            })
            .collect())
    }

    fn applications_for_year(&mut self, organs: &[OrganId], year: i16) -> Result<Vec<YearItem>> {
        let end = Date::new(year, 12, 31).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let start = Date::new(year, 1, 1).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let rows = self
            .client
            .query(
                "SELECT id, organ, applicant_kind, received, concluded, outcome FROM applications \
                 WHERE organ = ANY($1) AND received <= $2 AND (concluded IS NULL OR concluded >= $3)",
                &[&ids_of(organs), &end, &start],
            )
            .map_err(be)?;
        rows.iter()
            .map(|r| {
                Ok(YearItem {
                    id: AppId(r.get(0)),
                    organ: OrganId(r.get(1)),
                    applicant_kind: applicant_kind_of(r.get::<_, &str>(2))?,
                    received: r.get(3),
                    concluded: r.get(4),
                    outcome: r.get::<_, Option<&str>>(5).map(outcome_of).transpose()?,
                })
            })
            .collect()
    }

    fn fee_events_for_year(&mut self, organs: &[OrganId], year: i16) -> Result<Vec<(AppId, Vec<Event>)>> {
        let end = Date::new(year, 12, 31).map_err(|e| StoreError::Invalid(e.to_string()))?;
        let start = Date::new(year, 1, 1).map_err(|e| StoreError::Invalid(e.to_string()))?;
        // Events are JSON text with the tag first, so a prefix match picks the fee events.
        let rows = self
            .client
            .query(
                "SELECT e.app, e.event FROM applications a JOIN events e ON e.app = a.id \
                 WHERE a.organ = ANY($1) AND a.received <= $2 AND (a.concluded IS NULL OR a.concluded >= $3) \
                 AND e.event LIKE '{\"event\":\"fee_%' \
                 ORDER BY e.app, e.seq",
                &[&ids_of(organs), &end, &start],
            )
            .map_err(be)?;
        let events = rows.iter().map(|r| Ok((r.get::<_, i64>(0), event_of(r.get(1))?))).collect::<Result<Vec<_>>>()?;
        Ok(gongkai_store::fee_rows(events))
    }

    fn catalogue(&mut self, organ: OrganId) -> Result<Vec<CatalogueEntry>> {
        self.client
            .query(
                &format!("SELECT {ENTRY_COLS} FROM catalogue WHERE organ = $1 ORDER BY issued, seq, id"),
                &[&organ.0],
            )
            .map_err(be)?
            .iter()
            .map(entry_of)
            .collect()
    }

    fn catalogue_entry(&mut self, id: EntryId) -> Result<CatalogueEntry> {
        get_entry(&mut self.client, id, Lock::Share)
    }

    fn counts(&mut self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>> {
        get_counts(&mut self.client, organ, year)
    }

    fn cases(&mut self, organs: &[OrganId]) -> Result<Vec<Case>> {
        self.client
            .query(
                &format!("SELECT {CASE_COLS} FROM cases WHERE organ = ANY($1) ORDER BY filed, id"),
                &[&ids_of(organs)],
            )
            .map_err(be)?
            .iter()
            .map(case_of)
            .collect()
    }

    fn case(&mut self, id: CaseId) -> Result<Case> {
        get_case(&mut self.client, id, Lock::Share)
    }

    fn user(&mut self, id: UserId) -> Result<User> {
        let st = self.prepared(&format!("SELECT {USER_COLS} FROM users WHERE id = $1"))?;
        let row = self.client.query_opt(&st, &[&id.0]).map_err(be)?.ok_or_else(|| Entity::User.not_found(id.0))?;
        Ok(user_of(&row))
    }

    fn user_by_name(&mut self, name: &str) -> Result<Option<User>> {
        Ok(self
            .client
            .query_opt(&format!("SELECT {USER_COLS} FROM users WHERE name = $1"), &[&name.trim()])
            .map_err(be)?
            .map(|r| user_of(&r)))
    }

    fn users(&mut self) -> Result<Vec<User>> {
        Ok(self
            .client
            .query(&format!("SELECT {USER_COLS} FROM users ORDER BY id"), &[])
            .map_err(be)?
            .iter()
            .map(user_of)
            .collect())
    }

    fn record_login(&mut self, id: UserId, ok: bool, locked_until: Option<i64>) -> Result<bool> {
        let n = if ok {
            self.client.execute("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1", &[&id.0])
        } else {
            self.client.execute(
                "UPDATE users SET failed_logins = failed_logins + 1, locked_until = COALESCE($2, locked_until) \
                 WHERE id = $1",
                &[&id.0, &locked_until],
            )
        }
        .map_err(be)?;
        Ok(n > 0)
    }

    fn create_session(&mut self, session: &Session) -> Result<()> {
        self.client
            .execute(
                "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
                &[&session.token_hash, &session.user.0, &session.csrf, &session.created_at, &session.expires_at],
            )
            .map_err(be)?;
        Ok(())
    }

    fn session(&mut self, token_hash: &str, now: i64) -> Result<Option<Session>> {
        let st = self.prepared(
            "SELECT token_hash, user_id, csrf, created_at, expires_at FROM sessions \
             WHERE token_hash = $1 AND expires_at > $2",
        )?;
        Ok(self.client.query_opt(&st, &[&token_hash, &now]).map_err(be)?.map(|r| Session {
            token_hash: r.get(0),
            user: UserId(r.get(1)),
            csrf: r.get(2),
            created_at: r.get(3),
            expires_at: r.get(4),
        }))
    }

    /// Session, user and change mark in one statement (one round trip, one snapshot).
    fn resume(&mut self, token_hash: &str, now: i64) -> Result<Option<Resumed>> {
        let st = self.prepared(&RESUME)?;
        let Some(r) = self.client.query_opt(&st, &[&token_hash, &now]).map_err(be)? else { return Ok(None) };
        let user = user_of(&r);
        let session = Session {
            token_hash: token_hash.to_string(),
            user: user.id,
            csrf: r.get(12),
            created_at: r.get(13),
            expires_at: r.get(14),
        };
        Ok(Some(Resumed { session, user, mark: Some(mark_of(r.get(15))) }))
    }

    fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        self.client.execute("DELETE FROM sessions WHERE token_hash = $1", &[&token_hash]).map_err(be)?;
        Ok(())
    }

    fn delete_sessions_of(&mut self, user: UserId) -> Result<()> {
        self.client.execute("DELETE FROM sessions WHERE user_id = $1", &[&user.0]).map_err(be)?;
        Ok(())
    }

    fn purge_sessions(&mut self, now: i64) -> Result<usize> {
        Ok(self.client.execute("DELETE FROM sessions WHERE expires_at <= $1", &[&now]).map_err(be)? as usize)
    }

    fn analyze(&mut self) -> Result<()> {
        // VACUUM too, so that the visibility map lets the yearly selection be an index-only
        // scan right after a bulk load. Unqualified names: the tables of the search_path.
        self.client
            .batch_execute("VACUUM (ANALYZE) organs, applications, events, catalogue, yearly_counts, cases, audit")
            .map_err(be)
    }

    /// The register's change counter (migration 0008): every statement that writes audit rows
    /// bumps it in its transaction, so it moves when, and only when, a write of this register
    /// commits. (The largest audit sequence number would not do: sequence values are taken
    /// before commit, so a smaller one can commit after a larger one was seen. The cluster
    /// snapshot would, but it moves with every commit in every database.)
    fn change_mark(&mut self) -> Result<Option<String>> {
        let st = self.prepared("SELECT n FROM change_mark WHERE id = 1")?;
        Ok(Some(mark_of(self.client.query_one(&st, &[]).map_err(be)?.get(0))))
    }

    fn audit_log(&mut self, entity: Entity, id: &str) -> Result<Vec<AuditEntry>> {
        let st = self.prepared(
            "SELECT seq, at, actor, before, after FROM audit WHERE entity = $1 AND entity_id = $2 ORDER BY seq",
        )?;
        let rows = self.client.query(&st, &[&entity.as_str(), &id]).map_err(be)?;
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    seq: r.get(0),
                    at: r.get::<_, jiff::Timestamp>(1).to_string(),
                    actor: r.get(2),
                    entity,
                    entity_id: id.to_string(),
                    before: audit_json(r.get(3))?,
                    after: audit_json(r.get(4))?,
                })
            })
            .collect()
    }
}
