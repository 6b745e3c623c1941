//! PostgreSQL backend of [`gongkai_store::Store`], on the synchronous `postgres` client. Dates
//! are `DATE` (through the client's jiff 0.2 support), audit times `TIMESTAMPTZ`. Writes run in
//! a transaction that locks the row they are based on (`SELECT … FOR UPDATE`), so two clerks
//! appending to one application are serialised and the second sees the new version and gets
//! [`StoreError::Stale`]; catalogue serials lock the organ row so concurrent adds cannot take
//! the same 索引号 (the unique constraints guard anyway). Parameterised SQL only.
//!
//! Migrations are the numbered files in `migrations/` (PostgreSQL's dialect), embedded and
//! applied by a small runner under an advisory lock, recorded in `schema_version`. The store
//! works in the connection's `search_path`; [`PgStore::open_in_schema`] selects a schema (tests
//! use one schema each).

use gongkai_clock::{Event, Outcome};
use gongkai_register::{
    AppId, Applicant, Application, Case, CaseId, CaseResult, CatalogueEntry, EntryId, Organ, OrganId, YearlyCounts,
};
use gongkai_store::{
    AppFilter, ApplicationSummary, AuditEntry, Calendar, Derived, DueItem, Entity, HolidayImport, Listed,
    NewApplication, NewCase, NewCatalogueEntry, NewOrgan, NewUser, Personal, Result, Session, StateCount, StateFilter,
    Store, StoreError, StoredState, User, UserChange, UserId, YearItem, applicant_kind_of, counts_key, enum_parse,
    enum_str, mask_snapshot, pattern_of, snapshot, validate_new_application, validate_new_organ,
};
use jiff::civil::Date;
use postgres::error::SqlState;
use postgres::{Client, GenericClient, NoTls, Row, Transaction};
use std::str::FromStr;

/// The embedded migrations, in order. Their position + 1 is the schema version.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_init.sql"),
    include_str!("../migrations/0002_year_covering_index.sql"),
    include_str!("../migrations/0003_fee_events_index.sql"),
    include_str!("../migrations/0004_due_includes_overdue_paused.sql"),
    include_str!("../migrations/0005_holidays.sql"),
    include_str!("../migrations/0006_users_sessions.sql"),
    include_str!("../migrations/0007_state_counts_index.sql"),
];

/// The schema version this build writes and reads (the number of migrations).
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// An arbitrary constant naming the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x0067_6f6e_676b_6169;

/// A handle (one connection) to a PostgreSQL register.
pub struct PgStore {
    client: Client,
    /// The register's calendar (its holiday rows, provisional years filled in), rebuilt when
    /// holiday data is imported through this handle. Another handle's import is seen on the
    /// next open.
    cal: Calendar,
}

fn read_holidays(c: &mut impl GenericClient) -> Result<Vec<Listed>> {
    Ok(c.query("SELECT date, workday, name FROM holidays ORDER BY date", &[])
        .map_err(be)?
        .iter()
        .map(|r| Listed { date: r.get(0), workday: r.get(1), name: r.get(2) })
        .collect())
}

/// Rewrite an application's derived columns; with `expected_version` the version is checked
/// and bumped (an event was appended), without it only the derivation changed (the calendar).
/// Returns the number of rows written.
fn write_derived(tx: &mut Transaction, id: AppId, derived: &Derived, expected_version: Option<i64>) -> Result<u64> {
    tx.execute(
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

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

fn be(e: postgres::Error) -> StoreError {
    StoreError::Backend(e.to_string())
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

fn i64_of(v: Option<u64>) -> Result<Option<i64>> {
    v.map(|v| i64::try_from(v).map_err(|_| StoreError::Invalid(format!("数量 {v} 过大")))).transpose()
}

fn outcome_of(s: &str) -> Result<Outcome> {
    Outcome::from_id(s).ok_or_else(|| StoreError::Backend(format!("未知的表三行“{s}”")))
}

fn now() -> jiff::Timestamp {
    jiff::Timestamp::now()
}

impl PgStore {
    /// Connect with a `postgres://` URL and bring the schema up to date.
    pub fn open(url: &str) -> Result<PgStore> {
        let client = Client::connect(url, NoTls).map_err(be)?;
        PgStore::setup(client)
    }

    fn setup(client: Client) -> Result<PgStore> {
        let mut s = PgStore { client, cal: Calendar::official().clone() };
        s.migrate()?;
        let rows = read_holidays(&mut s.client)?;
        let missing = gongkai_store::missing_official(&rows);
        if missing.is_empty() {
            s.cal = gongkai_store::register_calendar(&rows)?;
        } else {
            s.import_holidays(&missing, gongkai_store::EMBEDDED_SOURCE, "gongkai")?;
        }
        Ok(s)
    }

    /// Connect and work in `schema` (created if missing).
    pub fn open_in_schema(url: &str, schema: &str) -> Result<PgStore> {
        if !valid_schema(schema) {
            return Err(StoreError::Invalid(format!("模式名“{schema}”不合法（只允许小写字母、数字和下划线）")));
        }
        let mut client = Client::connect(url, NoTls).map_err(be)?;
        client
            .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}; SET search_path TO {schema}"))
            .map_err(be)?;
        PgStore::setup(client)
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
            return Err(StoreError::Backend(format!(
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

fn audit(
    tx: &mut Transaction,
    actor: &str,
    entity: Entity,
    id: &str,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit (at, actor, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6)",
        &[&now(), &actor, &entity.as_str(), &id, &before, &after],
    )
    .map_err(be)?;
    Ok(())
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
    let applicant: Applicant =
        serde_json::from_str(r.get(3)).map_err(|e| StoreError::Backend(format!("申请人数据无法读取：{e}")))?;
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

fn get_user(c: &mut impl GenericClient, id: UserId, lock: bool) -> Result<User> {
    let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1{}", if lock { " FOR UPDATE" } else { "" });
    let row = c.query_opt(&sql, &[&id.0]).map_err(be)?.ok_or_else(|| Entity::User.not_found(id.0))?;
    Ok(user_of(&row))
}

fn get_organ(c: &mut impl GenericClient, id: OrganId, lock: bool) -> Result<Organ> {
    let sql = format!("SELECT {ORGAN_COLS} FROM organs WHERE id = $1{}", if lock { " FOR UPDATE" } else { "" });
    let row = c.query_opt(&sql, &[&id.0]).map_err(be)?.ok_or_else(|| Entity::Organ.not_found(id.0))?;
    organ_of(&row)
}

fn load_app(c: &mut impl GenericClient, id: AppId, lock: bool) -> Result<Application> {
    let sql = format!(
        "SELECT organ, serial, applicant, description, form, version FROM applications WHERE id = $1{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    let row = c.query_opt(&sql, &[&id.0]).map_err(be)?.ok_or_else(|| Entity::Application.not_found(id.0))?;
    let events = c
        .query("SELECT event FROM events WHERE app = $1 ORDER BY seq", &[&id.0])
        .map_err(be)?
        .iter()
        .map(|r| serde_json::from_str::<Event>(r.get(0)).map_err(|e| StoreError::Backend(format!("事件无法读取：{e}"))))
        .collect::<Result<Vec<_>>>()?;
    let applicant: Applicant =
        serde_json::from_str(row.get(2)).map_err(|e| StoreError::Backend(format!("申请人数据无法读取：{e}")))?;
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

/// The columns of a batch of validated applications, for one `unnest` insert each.
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
    ev_app: Vec<i64>,
    ev_seq: Vec<i32>,
    ev_json: Vec<String>,
    au_id: Vec<String>,
    au_after: Vec<String>,
}

/// Insert validated applications (ids already drawn) with their events and audit rows.
fn insert_apps(
    tx: &mut Transaction,
    cal: &Calendar,
    news: &[NewApplication],
    ids: &[i64],
    actor: &str,
) -> Result<Vec<Application>> {
    let mut b = Batch::default();
    let mut apps = Vec::with_capacity(news.len());
    let mut organs: Vec<i64> = news.iter().map(|n| n.organ.0).collect();
    organs.sort_unstable();
    organs.dedup();
    let found: i64 = tx.query_one("SELECT COUNT(*) FROM organs WHERE id = ANY($1)", &[&organs]).map_err(be)?.get(0);
    if found as usize != organs.len() {
        let known: Vec<i64> = tx
            .query("SELECT id FROM organs WHERE id = ANY($1)", &[&organs])
            .map_err(be)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let missing = organs.iter().find(|o| !known.contains(o)).copied().unwrap_or_default();
        return Err(Entity::Organ.not_found(missing));
    }
    for (new, &id) in news.iter().zip(ids) {
        let derived = validate_new_application(cal, new)?;
        let applicant = serde_json::to_string(&new.applicant).map_err(|e| StoreError::Backend(e.to_string()))?;
        b.ids.push(id);
        b.organ.push(new.organ.0);
        b.serial.push(new.serial.clone());
        b.kind.push(enum_str(&new.applicant.kind));
        b.applicant.push(applicant);
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
        for (i, ev) in new.events.iter().enumerate() {
            b.ev_app.push(id);
            b.ev_seq.push(i as i32 + 1);
            b.ev_json.push(snapshot(ev));
        }
        let app = Application {
            id: AppId(id),
            organ: new.organ,
            serial: new.serial.clone(),
            applicant: new.applicant.clone(),
            channel: derived.channel,
            description: new.description.clone(),
            form: new.form,
            events: new.events.clone(),
            version: 1,
        };
        b.au_id.push(id.to_string());
        b.au_after.push(snapshot(&app));
        apps.push(app);
    }
    let res = tx.execute(
        "INSERT INTO applications (id, organ, serial, applicant_kind, applicant, description, form, channel, state, \
         received, due, concluded, outcome, late, provisional, version) \
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
                .and_then(|d| d.split_once("=(")?.1.split_once(", ")?.1.rsplit_once(") already")?.0.to_string().into())
                .unwrap_or_else(|| news.first().map(|n| n.serial.clone()).unwrap_or_default());
            return Err(StoreError::DuplicateSerial(serial));
        }
        return Err(be(e));
    }
    let now = now();
    tx.execute(
        "INSERT INTO events (app, seq, event, actor, recorded_at) \
         SELECT a, s, e, $4, $5 FROM unnest($1::bigint[], $2::int[], $3::text[]) AS t(a, s, e)",
        &[&b.ev_app, &b.ev_seq, &b.ev_json, &actor, &now],
    )
    .map_err(be)?;
    tx.execute(
        "INSERT INTO audit (at, actor, entity, entity_id, before, after) \
         SELECT $1, $2, 'application', i, NULL, a FROM unnest($3::text[], $4::text[]) WITH ORDINALITY AS t(i, a, n) ORDER BY n",
        &[&now, &actor, &b.au_id, &b.au_after],
    )
    .map_err(be)?;
    Ok(apps)
}

fn draw_ids(tx: &mut Transaction, n: usize) -> Result<Vec<i64>> {
    Ok(tx
        .query(
            "SELECT nextval(pg_get_serial_sequence('applications', 'id')) FROM generate_series(1, $1::bigint)",
            &[&(n as i64)],
        )
        .map_err(be)?
        .iter()
        .map(|r| r.get(0))
        .collect())
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
    let concluded = match (r.get::<_, Option<Date>>(5), r.get::<_, Option<&str>>(6)) {
        (Some(d), Some(res)) => Some((d, enum_parse::<CaseResult>(res)?)),
        _ => None,
    };
    Ok(Case {
        id: CaseId(r.get(0)),
        organ: OrganId(r.get(1)),
        kind: enum_parse(r.get::<_, &str>(2))?,
        number: r.get(3),
        filed: r.get(4),
        concluded,
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
    let u = |v: Option<i64>| v.and_then(|v| u64::try_from(v).ok());
    let fee_wan = r
        .get::<_, Option<&str>>(3)
        .map(|s| rust_decimal::Decimal::from_str(s).map_err(|e| StoreError::Backend(format!("金额“{s}”：{e}"))))
        .transpose()?;
    Ok(Some(YearlyCounts {
        organ,
        year,
        licences: u(r.get(0)),
        penalties: u(r.get(1)),
        coercions: u(r.get(2)),
        fee_wan,
        confirmed_on: r.get(4),
    }))
}

fn ids_of(organs: &[OrganId]) -> Vec<i64> {
    organs.iter().map(|o| o.0).collect()
}

impl Store for PgStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn calendar(&self) -> &Calendar {
        &self.cal
    }

    fn catalogue_entry(&mut self, id: EntryId) -> Result<CatalogueEntry> {
        let row = self
            .client
            .query_opt(&format!("SELECT {ENTRY_COLS} FROM catalogue WHERE id = $1"), &[&id.0])
            .map_err(be)?
            .ok_or_else(|| Entity::CatalogueEntry.not_found(id.0))?;
        entry_of(&row)
    }

    fn case(&mut self, id: CaseId) -> Result<Case> {
        let row = self
            .client
            .query_opt(&format!("SELECT {CASE_COLS} FROM cases WHERE id = $1"), &[&id.0])
            .map_err(be)?
            .ok_or_else(|| Entity::Case.not_found(id.0))?;
        case_of(&row)
    }

    fn add_user(&mut self, new: &NewUser, actor: &str) -> Result<User> {
        gongkai_store::validate_new_user(new)?;
        let mut tx = self.client.transaction().map_err(be)?;
        if let Some(o) = new.organ {
            get_organ(&mut tx, o, false)?;
        }
        let now = jiff::Timestamp::now().as_second();
        let res = tx.query_one(
            "INSERT INTO users (name, display_name, role, organ, password_hash, must_change, created_at, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1) RETURNING id",
            &[
                &new.name.trim(),
                &new.display_name.trim(),
                &new.role,
                &new.organ.map(|o| o.0),
                &new.password_hash,
                &new.must_change,
                &now,
            ],
        );
        let id: i64 = match res {
            Ok(r) => r.get(0),
            Err(e) if is_unique(&e) => {
                return Err(StoreError::Invalid(format!("用户名“{}”已被使用", new.name.trim())));
            }
            Err(e) => return Err(be(e)),
        };
        let user = get_user(&mut tx, UserId(id), false)?;
        audit(&mut tx, actor, Entity::User, &id.to_string(), None, Some(gongkai_store::user_snapshot(&user)))?;
        tx.commit().map_err(be)?;
        Ok(user)
    }

    fn user(&mut self, id: UserId) -> Result<User> {
        get_user(&mut self.client, id, false)
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

    fn change_user(&mut self, id: UserId, expected_version: i64, change: &UserChange, actor: &str) -> Result<User> {
        let mut tx = self.client.transaction().map_err(be)?;
        let before = get_user(&mut tx, id, true)?;
        let after = gongkai_store::changed_user(&before, expected_version, change)?;
        if let Some(o) = after.organ {
            get_organ(&mut tx, o, false)?;
        }
        tx.execute(
            "UPDATE users SET role = $1, organ = $2, password_hash = $3, must_change = $4, disabled = $5, \
             failed_logins = $6, locked_until = $7, version = $8 WHERE id = $9 AND version = $10",
            &[
                &after.role,
                &after.organ.map(|o| o.0),
                &after.password_hash,
                &after.must_change,
                &after.disabled,
                &(after.failed_logins as i32),
                &after.locked_until,
                &after.version,
                &id.0,
                &expected_version,
            ],
        )
        .map_err(be)?;
        audit(
            &mut tx,
            actor,
            Entity::User,
            &id.0.to_string(),
            Some(gongkai_store::user_snapshot(&before)),
            Some(gongkai_store::user_snapshot(&after)),
        )?;
        tx.commit().map_err(be)?;
        Ok(after)
    }

    fn record_login(&mut self, id: UserId, ok: bool, locked_until: Option<i64>) -> Result<()> {
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
        if n == 0 {
            return Err(Entity::User.not_found(id.0));
        }
        Ok(())
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
        Ok(self
            .client
            .query_opt(
                "SELECT token_hash, user_id, csrf, created_at, expires_at FROM sessions \
                 WHERE token_hash = $1 AND expires_at > $2",
                &[&token_hash, &now],
            )
            .map_err(be)?
            .map(|r| Session {
                token_hash: r.get(0),
                user: UserId(r.get(1)),
                csrf: r.get(2),
                created_at: r.get(3),
                expires_at: r.get(4),
            }))
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

    fn audit_disclosure(&mut self, entity: Entity, id: &str, actor: &str, purpose: &str) -> Result<()> {
        let mut tx = self.client.transaction().map_err(be)?;
        audit(&mut tx, actor, entity, id, None, Some(gongkai_store::disclosure_snapshot(purpose)))?;
        tx.commit().map_err(be)
    }

    fn import_holidays(&mut self, listed: &[Listed], source: &str, actor: &str) -> Result<HolidayImport> {
        let mut tx = self.client.transaction().map_err(be)?;
        // One importer at a time: the recomputation below must see every row written before it.
        tx.execute("LOCK TABLE holidays IN SHARE ROW EXCLUSIVE MODE", &[]).map_err(be)?;
        let at = now();
        let dates: Vec<Date> = listed.iter().map(|l| l.date).collect();
        let workdays: Vec<bool> = listed.iter().map(|l| l.workday).collect();
        let names: Vec<&str> = listed.iter().map(|l| l.name.as_str()).collect();
        tx.execute(
            "INSERT INTO holidays (date, workday, name, source, imported_at) \
             SELECT d, w, n, $4, $5 FROM unnest($1::date[], $2::bool[], $3::text[]) AS t(d, w, n) \
             ON CONFLICT (date) DO UPDATE SET workday = excluded.workday, name = excluded.name, \
             source = excluded.source, imported_at = excluded.imported_at",
            &[&dates, &workdays, &names, &source, &at],
        )
        .map_err(be)?;
        let cal = gongkai_store::register_calendar(&read_holidays(&mut tx)?)?;
        let ids: Vec<i64> = tx
            .query("SELECT id FROM applications WHERE provisional ORDER BY id FOR UPDATE", &[])
            .map_err(be)?
            .iter()
            .map(|r| r.get(0))
            .collect();
        let mut still = 0;
        for id in &ids {
            let app = load_app(&mut tx, AppId(*id), false)?;
            let derived = gongkai_store::derive(&cal, &app.events)?;
            still += usize::from(derived.provisional);
            write_derived(&mut tx, AppId(*id), &derived, None)?;
        }
        let report = HolidayImport {
            dates: listed.len(),
            covered: cal.covered_years(),
            recomputed: ids.len(),
            still_provisional: still,
        };
        let years = gongkai_store::years_of(listed);
        audit(
            &mut tx,
            actor,
            Entity::Calendar,
            &years,
            None,
            Some(gongkai_store::holiday_snapshot(listed, source, &report)),
        )?;
        tx.commit().map_err(be)?;
        self.cal = cal;
        Ok(report)
    }

    fn add_organ(&mut self, new: &NewOrgan, actor: &str) -> Result<Organ> {
        validate_new_organ(new)?;
        let mut tx = self.client.transaction().map_err(be)?;
        if let Some(p) = new.parent {
            get_organ(&mut tx, p, false)?;
        }
        let id: i64 = tx
            .query_one(
                "INSERT INTO organs (name, kind, parent, code, index_pattern) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&new.name, &enum_str(&new.kind), &new.parent.map(|p| p.0), &new.code, &new.index_pattern],
            )
            .map_err(be)?
            .get(0);
        let organ = Organ {
            id: OrganId(id),
            name: new.name.clone(),
            kind: new.kind,
            parent: new.parent,
            code: new.code.clone(),
            index_pattern: new.index_pattern.clone(),
        };
        audit(&mut tx, actor, Entity::Organ, &id.to_string(), None, Some(snapshot(&organ)))?;
        tx.commit().map_err(be)?;
        Ok(organ)
    }

    fn organ(&mut self, id: OrganId) -> Result<Organ> {
        get_organ(&mut self.client, id, false)
    }

    fn organs(&mut self) -> Result<Vec<Organ>> {
        self.client
            .query(&format!("SELECT {ORGAN_COLS} FROM organs ORDER BY id"), &[])
            .map_err(be)?
            .iter()
            .map(organ_of)
            .collect()
    }

    fn register(&mut self, new: &NewApplication, actor: &str) -> Result<Application> {
        validate_new_application(&self.cal, new)?;
        let mut tx = self.client.transaction().map_err(be)?;
        let ids = draw_ids(&mut tx, 1)?;
        let mut apps = insert_apps(&mut tx, &self.cal, std::slice::from_ref(new), &ids, actor)?;
        tx.commit().map_err(be)?;
        apps.pop().ok_or_else(|| StoreError::Backend("登记失败".into()))
    }

    fn import_applications(&mut self, batch: &[NewApplication], actor: &str) -> Result<Vec<AppId>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        for new in batch {
            validate_new_application(&self.cal, new)?;
        }
        let mut tx = self.client.transaction().map_err(be)?;
        let ids = draw_ids(&mut tx, batch.len())?;
        insert_apps(&mut tx, &self.cal, batch, &ids, actor)?;
        tx.commit().map_err(be)?;
        Ok(ids.into_iter().map(AppId).collect())
    }

    fn application(&mut self, id: AppId, personal: Personal) -> Result<Application> {
        let mut app = load_app(&mut self.client, id, false)?;
        app.applicant = personal.apply(app.applicant);
        Ok(app)
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
        let organs = ids_of(&f.organs);
        let mut args: Vec<Box<dyn ToSql + Sync>> = vec![Box::new(organs)];
        let mut cond = vec!["organ = ANY($1)".to_string()];
        let arg = |v: Box<dyn ToSql + Sync>, args: &mut Vec<Box<dyn ToSql + Sync>>| {
            args.push(v);
            format!("${}", args.len())
        };
        match f.state {
            None => {}
            Some(StateFilter::Is(st)) => {
                let n = arg(Box::new(st.as_str().to_string()), &mut args);
                cond.push(format!("state = {n}"));
            }
            Some(StateFilter::OverdueOn(day)) => {
                let n = arg(Box::new(day), &mut args);
                cond.push(format!("state IN ('open', 'paused') AND due IS NOT NULL AND due < {n}"));
            }
        }
        if let Some(d0) = f.received_from {
            let n = arg(Box::new(d0), &mut args);
            cond.push(format!("received >= {n}"));
        }
        if let Some(d1) = f.received_to {
            let n = arg(Box::new(d1), &mut args);
            cond.push(format!("received <= {n}"));
        }
        if let Some(k) = f.kind {
            let n = arg(Box::new(enum_str(&k)), &mut args);
            cond.push(format!("applicant_kind = {n}"));
        }
        if let Some(o) = f.outcome {
            let n = arg(Box::new(o.id().to_string()), &mut args);
            cond.push(format!("outcome = {n}"));
        }
        if let Some(part) = f.serial.as_deref().filter(|p| !p.is_empty()) {
            let n = arg(Box::new(gongkai_store::like_pattern(part)), &mut args);
            cond.push(format!("serial LIKE {n} ESCAPE '\\'"));
        }
        let wh = cond.join(" AND ");
        let refs: Vec<&(dyn ToSql + Sync)> = args.iter().map(|b| b.as_ref()).collect();
        let total: i64 =
            self.client.query_one(&format!("SELECT COUNT(*) FROM applications WHERE {wh}"), &refs).map_err(be)?.get(0);
        let limit = i64::try_from(f.limit).unwrap_or(i64::MAX);
        let offset = i64::try_from(f.offset).unwrap_or(i64::MAX);
        let (nl, no) = (args.len() + 1, args.len() + 2);
        let mut refs = refs;
        refs.push(&limit);
        refs.push(&offset);
        let rows = self
            .client
            .query(
                &format!(
                    "SELECT {SUMMARY_COLS} FROM applications WHERE {wh} ORDER BY received, id LIMIT ${nl} OFFSET ${no}"
                ),
                &refs,
            )
            .map_err(be)?;
        let page = rows.iter().map(|r| summary_of(r, personal)).collect::<Result<Vec<_>>>()?;
        Ok((page, total as u64))
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

    fn append_event(&mut self, id: AppId, expected_version: i64, event: &Event, actor: &str) -> Result<Application> {
        let mut tx = self.client.transaction().map_err(be)?;
        // FOR UPDATE: a concurrent writer waits here and then sees the committed version.
        let before = load_app(&mut tx, id, true)?;
        gongkai_store::check_version(expected_version, before.version)?;
        let mut after = before.clone();
        after.events.push(event.clone());
        let derived = gongkai_store::derive(&self.cal, &after.events)?;
        after.version += 1;
        let n = write_derived(&mut tx, id, &derived, Some(expected_version))?;
        if n != 1 {
            return Err(StoreError::Stale { expected: expected_version, current: before.version });
        }
        tx.execute(
            "INSERT INTO events (app, seq, event, actor, recorded_at) VALUES ($1, $2, $3, $4, $5)",
            &[&id.0, &(after.events.len() as i32), &snapshot(event), &actor, &now()],
        )
        .map_err(be)?;
        audit(&mut tx, actor, Entity::Application, &id.0.to_string(), Some(snapshot(&before)), Some(snapshot(&after)))?;
        tx.commit().map_err(be)?;
        Ok(after)
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
        let events = rows
            .iter()
            .map(|r| {
                serde_json::from_str::<Event>(r.get::<_, &str>(1))
                    .map(|e| (r.get::<_, i64>(0), e))
                    .map_err(|e| StoreError::Backend(format!("事件无法读取：{e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        // The prefix also matches fee_not_paid, which closes an application and is not a fee.
        Ok(gongkai_store::group_by_app(events.into_iter().filter(|(_, e)| gongkai_store::is_fee_event(e))))
    }

    fn add_catalogue_entry(&mut self, new: &NewCatalogueEntry, actor: &str) -> Result<CatalogueEntry> {
        if new.title.trim().is_empty() {
            return Err(StoreError::Invalid("文件标题不能为空".into()));
        }
        let mut tx = self.client.transaction().map_err(be)?;
        // Lock the organ row: concurrent adds for one organ take their serials one after another.
        let organ = get_organ(&mut tx, new.organ, true)?;
        let pattern = pattern_of(&organ)?;
        let scope = pattern.scope_key(&organ.code, new.issued);
        let seq: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM catalogue WHERE organ = $1 AND scope = $2",
                &[&organ.id.0, &scope],
            )
            .map_err(be)?
            .get(0);
        let seq32 = u32::try_from(seq).map_err(|_| StoreError::Invalid("流水号已用尽".into()))?;
        let index_no = pattern.render(&organ.code, new.issued, seq32);
        let res = tx.query_one(
            "INSERT INTO catalogue (organ, kind, title, doc_number, index_no, scope, seq, issued, repealed, version) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, 1) RETURNING id",
            &[&organ.id.0, &enum_str(&new.kind), &new.title, &new.doc_number, &index_no, &scope, &seq, &new.issued],
        );
        let id: i64 = match res {
            Ok(r) => r.get(0),
            Err(e) if is_unique(&e) => return Err(StoreError::DuplicateIndexNo(index_no)),
            Err(e) => return Err(be(e)),
        };
        let entry = CatalogueEntry {
            id: EntryId(id),
            organ: organ.id,
            kind: new.kind,
            title: new.title.clone(),
            doc_number: new.doc_number.clone(),
            index_no,
            issued: new.issued,
            repealed: None,
            version: 1,
        };
        audit(&mut tx, actor, Entity::CatalogueEntry, &id.to_string(), None, Some(snapshot(&entry)))?;
        tx.commit().map_err(be)?;
        Ok(entry)
    }

    fn repeal_catalogue_entry(
        &mut self,
        id: EntryId,
        expected_version: i64,
        repealed: Date,
        actor: &str,
    ) -> Result<CatalogueEntry> {
        let mut tx = self.client.transaction().map_err(be)?;
        let row = tx
            .query_opt(&format!("SELECT {ENTRY_COLS} FROM catalogue WHERE id = $1 FOR UPDATE"), &[&id.0])
            .map_err(be)?
            .ok_or_else(|| Entity::CatalogueEntry.not_found(id.0))?;
        let before = entry_of(&row)?;
        let after = gongkai_store::repealed_entry(&before, expected_version, repealed)?;
        tx.execute(
            "UPDATE catalogue SET repealed = $1, version = version + 1 WHERE id = $2 AND version = $3",
            &[&repealed, &id.0, &expected_version],
        )
        .map_err(be)?;
        audit(
            &mut tx,
            actor,
            Entity::CatalogueEntry,
            &id.0.to_string(),
            Some(snapshot(&before)),
            Some(snapshot(&after)),
        )?;
        tx.commit().map_err(be)?;
        Ok(after)
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

    fn set_counts(&mut self, c: &YearlyCounts, actor: &str) -> Result<()> {
        let mut tx = self.client.transaction().map_err(be)?;
        get_organ(&mut tx, c.organ, true)?;
        let before = get_counts(&mut tx, c.organ, c.year)?;
        tx.execute(
            "INSERT INTO yearly_counts (organ, year, licences, penalties, coercions, fee_wan, confirmed_on) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (organ, year) DO UPDATE SET licences = EXCLUDED.licences, \
             penalties = EXCLUDED.penalties, coercions = EXCLUDED.coercions, fee_wan = EXCLUDED.fee_wan, \
             confirmed_on = EXCLUDED.confirmed_on",
            &[
                &c.organ.0,
                &c.year,
                &i64_of(c.licences)?,
                &i64_of(c.penalties)?,
                &i64_of(c.coercions)?,
                &c.fee_wan.map(|f| f.to_string()),
                &c.confirmed_on,
            ],
        )
        .map_err(be)?;
        audit(
            &mut tx,
            actor,
            Entity::YearlyCounts,
            &counts_key(c.organ, c.year),
            before.as_ref().map(snapshot),
            Some(snapshot(c)),
        )?;
        tx.commit().map_err(be)
    }

    fn counts(&mut self, organ: OrganId, year: i16) -> Result<Option<YearlyCounts>> {
        get_counts(&mut self.client, organ, year)
    }

    fn add_case(&mut self, new: &NewCase, actor: &str) -> Result<Case> {
        let mut tx = self.client.transaction().map_err(be)?;
        get_organ(&mut tx, new.organ, false)?;
        let id: i64 = tx
            .query_one(
                "INSERT INTO cases (organ, kind, number, filed, concluded, result, version) \
                 VALUES ($1, $2, $3, $4, NULL, NULL, 1) RETURNING id",
                &[&new.organ.0, &enum_str(&new.kind), &new.number, &new.filed],
            )
            .map_err(be)?
            .get(0);
        let case = Case {
            id: CaseId(id),
            organ: new.organ,
            kind: new.kind,
            number: new.number.clone(),
            filed: new.filed,
            concluded: None,
            version: 1,
        };
        audit(&mut tx, actor, Entity::Case, &id.to_string(), None, Some(snapshot(&case)))?;
        tx.commit().map_err(be)?;
        Ok(case)
    }

    fn conclude_case(
        &mut self,
        id: CaseId,
        expected_version: i64,
        on: Date,
        result: CaseResult,
        actor: &str,
    ) -> Result<Case> {
        let mut tx = self.client.transaction().map_err(be)?;
        let row = tx
            .query_opt(&format!("SELECT {CASE_COLS} FROM cases WHERE id = $1 FOR UPDATE"), &[&id.0])
            .map_err(be)?
            .ok_or_else(|| Entity::Case.not_found(id.0))?;
        let before = case_of(&row)?;
        let after = gongkai_store::concluded_case(&before, expected_version, on, result)?;
        tx.execute(
            "UPDATE cases SET concluded = $1, result = $2, version = version + 1 WHERE id = $3 AND version = $4",
            &[&on, &enum_str(&result), &id.0, &expected_version],
        )
        .map_err(be)?;
        audit(&mut tx, actor, Entity::Case, &id.0.to_string(), Some(snapshot(&before)), Some(snapshot(&after)))?;
        tx.commit().map_err(be)?;
        Ok(after)
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

    fn analyze(&mut self) -> Result<()> {
        // VACUUM too, so that the visibility map lets the yearly selection be an index-only
        // scan right after a bulk load. Unqualified names: the tables of the search_path.
        self.client
            .batch_execute("VACUUM (ANALYZE) organs, applications, events, catalogue, yearly_counts, cases, audit")
            .map_err(be)
    }

    /// The current snapshot (xmin:xmax:running xids): equal snapshots see the same committed
    /// transactions. (The largest audit sequence number would not do: sequence values are
    /// taken before commit, so a smaller one can commit after a larger one was seen.)
    fn change_mark(&mut self) -> Result<Option<String>> {
        let row = self.client.query_one("SELECT pg_current_snapshot()::text", &[]).map_err(be)?;
        Ok(Some(format!("snapshot:{}", row.get::<_, String>(0))))
    }

    fn audit_log(&mut self, entity: Entity, id: &str, personal: Personal) -> Result<Vec<AuditEntry>> {
        let rows = self
            .client
            .query(
                "SELECT seq, at, actor, before, after FROM audit WHERE entity = $1 AND entity_id = $2 ORDER BY seq",
                &[&entity.as_str(), &id],
            )
            .map_err(be)?;
        let parse = |s: Option<&str>| -> Result<Option<serde_json::Value>> {
            s.map(|s| {
                serde_json::from_str(s)
                    .map(|v| mask_snapshot(personal, v))
                    .map_err(|e| StoreError::Backend(format!("审计记录无法读取：{e}")))
            })
            .transpose()
        };
        rows.iter()
            .map(|r| {
                Ok(AuditEntry {
                    seq: r.get(0),
                    at: r.get::<_, jiff::Timestamp>(1).to_string(),
                    actor: r.get(2),
                    entity,
                    entity_id: id.to_string(),
                    before: parse(r.get(3))?,
                    after: parse(r.get(4))?,
                })
            })
            .collect()
    }
}
