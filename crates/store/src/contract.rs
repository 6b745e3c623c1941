//! The contract every [`Store`] backend must satisfy. Each backend's tests call
//! [`contract_tests!`](crate::contract_tests) with a fixture: an expression giving
//! `Option<impl Fn(usize) -> Box<dyn Store> + Sync>` (None = skipped), where every call of the
//! function opens a *new store (with a pool of that many connections) on the same fresh
//! database*, so that concurrency can be tested both through one store value shared by
//! threads and between two stores (two processes). The functions panic on a violation (they
//! are test code).

use crate::*;
use gongkai_clock::Party;
use gongkai_register::{Applicant, ApplicantKind, CaseKind, CatalogueKind, OrganKind, RequestedForm};
use jiff::civil::date;
use rust_decimal::Decimal;
use std::str::FromStr;

/// A factory of stores over one test database: each call opens a new store (as another
/// process would) with a pool of at most this many connections.
pub type Factory<'a> = &'a (dyn Fn(usize) -> Box<dyn Store> + Sync);

/// The pool size of the stores the contract opens unless a test says otherwise.
pub const POOL: usize = 4;

/// Generate one `#[test]` per contract property. `$fixture` is evaluated per test and gives
/// `Option<F>` with `F: Fn(usize) -> Box<dyn Store> + Sync`; `None` skips (the fixture says why).
#[macro_export]
macro_rules! contract_tests {
    ($fixture:expr) => {
        $crate::contract_tests!(@each $fixture;
            organs_hierarchy, organs_renamed_and_moved_without_cycles, registration, masking_in_listings, append_event_revalidates,
            invalid_sequence_rejected_with_clock_reason, stale_version_rejected,
            concurrent_appends_one_wins, due_list, applications_for_year_boundaries,
            catalogue_index_numbers, concurrent_catalogue_adds_unique, yearly_counts, cases,
            audit_trail, bulk_import, fee_events_for_year, provisional_dates_recomputed_on_import,
            holidays_seeded_and_kept, users_and_sessions, paging_and_counts, refused_writes_leave_no_trace,
            change_mark_follows_commits, one_store_many_writers_no_lost_update, readers_during_writes,
            pool_of_one_serves_many_threads, import_races_registrations, import_by_another_process_reaches_writes);
    };
    (@each $fixture:expr; $($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                if let Some(f) = $fixture {
                    $crate::contract::$name(&f);
                }
            }
        )*
    };
}

const ACTOR: &str = "测试员";

fn organ(s: &dyn Store, name: &str, parent: Option<OrganId>, pattern: Option<&str>) -> Organ {
    s.add_organ(
        &NewOrgan {
            name: name.into(),
            kind: if parent.is_none() { OrganKind::Government } else { OrganKind::Department },
            parent,
            code: format!("C{}", name.chars().count()),
            index_pattern: pattern.map(str::to_string),
        },
        ACTOR,
    )
    .expect("add organ")
}

fn person(name: &str) -> Applicant {
    Applicant {
        kind: ApplicantKind::NaturalPerson,
        name: name.into(),
        id_number: Some("110101199001011234".into()),
        phone: Some("13812345678".into()),
        address: Some("某省某市某路1号".into()),
        email: Some("someone@example.cn".into()),
    }
}

/// A new application received on `received` (online) with extra events.
pub fn new_app(organ: OrganId, serial: &str, received: Date, more: Vec<Event>) -> NewApplication {
    let mut events = vec![Event::Received { date: received, channel: Channel::Online }];
    events.extend(more);
    NewApplication {
        organ,
        serial: serial.into(),
        applicant: person("张三丰"),
        description: "某项目环境影响评价批复文件".into(),
        form: RequestedForm::Electronic,
        events,
    }
}

fn replied(d: Date, outcome: Outcome) -> Event {
    Event::Replied { date: d, outcome }
}

/// Organs: add with parent, get, list, children, descendants; a missing parent is refused.
pub fn organs_hierarchy(make: Factory) {
    let s = make(POOL);
    let gov = organ(&*s, "某县人民政府", None, None);
    let a = organ(&*s, "某县科学技术局", Some(gov.id), None);
    let b = organ(&*s, "某县生态环境局", Some(gov.id), Some("{code}-{yyyy}-{seq:4}"));
    let c = organ(&*s, "某县生态环境局监测站", Some(b.id), None);
    assert_eq!(s.organ(b.id).unwrap(), b);
    assert_eq!(b.index_pattern.as_deref(), Some("{code}-{yyyy}-{seq:4}"));
    assert_eq!(s.organs().unwrap().len(), 4);
    let kids: Vec<OrganId> = s.children(gov.id).unwrap().into_iter().map(|o| o.id).collect();
    assert_eq!(kids, vec![a.id, b.id]);
    let all = s.descendants(gov.id).unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0], gov.id);
    assert!(all.contains(&c.id));
    assert_eq!(s.descendants(b.id).unwrap(), vec![b.id, c.id]);
    let err = s.organ(OrganId(999_999)).unwrap_err();
    assert!(matches!(err, StoreError::NotFound { .. }), "{err}");
    assert!(err.to_string().contains("未找到机关"), "{err}");
    let bad = NewOrgan {
        name: "孤儿局".into(),
        kind: OrganKind::Department,
        parent: Some(OrganId(999_999)),
        code: String::new(),
        index_pattern: None,
    };
    assert!(matches!(s.add_organ(&bad, ACTOR), Err(StoreError::NotFound { .. })));
    let bad_pattern = NewOrgan { parent: None, index_pattern: Some("{code}-{yyyy}".into()), ..bad };
    assert!(matches!(s.add_organ(&bad_pattern, ACTOR), Err(StoreError::Invalid(_))));
    assert_eq!(s.organs().unwrap().len(), 4, "refused organs leave nothing behind");
}

/// Organs are renamed and moved (audited before/after); a move under the organ itself, under
/// one of its descendants or under a missing organ, and an empty name, are refused and change
/// nothing.
pub fn organs_renamed_and_moved_without_cycles(make: Factory) {
    let s = make(POOL);
    let gov = organ(&*s, "某县人民政府", None, None);
    let a = organ(&*s, "某县科学技术局", Some(gov.id), None);
    let b = organ(&*s, "某县生态环境局", Some(gov.id), None);
    let c = organ(&*s, "某县生态环境局监测站", Some(b.id), None);
    let moved = s.change_organ(c.id, &OrganChange { name: " 某县科技局监测站 ".into(), parent: Some(a.id) }, ACTOR);
    let moved = moved.unwrap();
    assert_eq!((moved.name.as_str(), moved.parent, moved.kind), ("某县科技局监测站", Some(a.id), c.kind));
    assert_eq!(s.organ(c.id).unwrap(), moved);
    assert_eq!(s.descendants(b.id).unwrap(), vec![b.id]);
    assert_eq!(s.descendants(a.id).unwrap(), vec![a.id, c.id]);
    let log = s.audit_log(Entity::Organ, &c.id.0.to_string(), Personal::Masked).unwrap();
    let last = log.last().unwrap();
    let (before, after) = (last.before.as_ref().unwrap().to_string(), last.after.as_ref().unwrap().to_string());
    assert!(before.contains("某县生态环境局监测站") && after.contains("某县科技局监测站"), "{before} → {after}");
    let audited = log.len();
    let organs = s.organs().unwrap();
    for (id, parent) in [(a.id, Some(a.id)), (gov.id, Some(c.id)), (a.id, Some(c.id)), (a.id, Some(OrganId(999_999)))] {
        let e = s.change_organ(id, &OrganChange { name: "某局".into(), parent }, ACTOR).unwrap_err();
        assert!(matches!(e, StoreError::Invalid(_) | StoreError::NotFound { .. }), "{e}");
        if parent != Some(OrganId(999_999)) {
            assert!(e.to_string().contains("成环"), "{e}");
        }
    }
    let e = s.change_organ(b.id, &OrganChange { name: "  ".into(), parent: None }, ACTOR).unwrap_err();
    assert!(matches!(e, StoreError::Invalid(_)), "{e}");
    assert_eq!(s.organs().unwrap(), organs, "refused changes leave the tree as it was");
    assert_eq!(s.audit_log(Entity::Organ, &c.id.0.to_string(), Personal::Masked).unwrap().len(), audited);
    // To the top level.
    assert_eq!(s.change_organ(b.id, &OrganChange { name: b.name.clone(), parent: None }, ACTOR).unwrap().parent, None);
}

/// Registration assigns an id and version 1, keeps the log, stores derived columns; a
/// duplicate 受理编号, an unknown organ and a log not starting with receipt are refused.
pub fn registration(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县人民政府办公室", None, None);
    let new = new_app(o.id, "2024-001", date(2024, 9, 27), vec![]);
    let app = s.register(&new, ACTOR).unwrap();
    assert_eq!(app.version, 1);
    assert_eq!(app.serial, "2024-001");
    assert_eq!(app.channel, Channel::Online);
    assert_eq!(app.events, new.events);
    let got = s.application(app.id, Personal::Visible).unwrap();
    assert_eq!(got, app);
    let list = s.applications(&[o.id], Personal::Visible).unwrap();
    assert_eq!(list.len(), 1);
    let clock = Clock::replay(&s.calendar(), &app.events).unwrap();
    assert_eq!(list[0].state, StoredState::Open);
    assert_eq!(list[0].received, date(2024, 9, 27));
    assert_eq!(list[0].due, clock.due);
    assert_eq!(list[0].due, Some(date(2024, 10, 30)), "20 working days across 国庆 and its 调休 days");
    // Second application: different serial, distinct id.
    let app2 = s.register(&new_app(o.id, "2024-002", date(2024, 9, 30), vec![]), ACTOR).unwrap();
    assert_ne!(app2.id, app.id);
    // Duplicate serial within the organ.
    let err = s.register(&new, ACTOR).unwrap_err();
    assert!(matches!(err, StoreError::DuplicateSerial(ref x) if x == "2024-001"), "{err}");
    assert!(err.to_string().contains("受理编号“2024-001”"), "{err}");
    // The same serial in another organ is fine.
    let o2 = organ(&*s, "某县教育局", Some(o.id), None);
    s.register(&NewApplication { organ: o2.id, ..new.clone() }, ACTOR).unwrap();
    // Unknown organ.
    let err = s.register(&NewApplication { organ: OrganId(424_242), serial: "x".into(), ..new.clone() }, ACTOR);
    assert!(matches!(err, Err(StoreError::NotFound { .. })), "{err:?}");
    // The first event must be the receipt.
    let mut bad = new_app(o.id, "2024-003", date(2024, 9, 27), vec![]);
    bad.events.insert(0, Event::CorrectionRequested { date: date(2024, 9, 26) });
    let err = s.register(&bad, ACTOR).unwrap_err();
    assert!(matches!(err, StoreError::InvalidEvents(_)), "{err}");
    assert!(err.to_string().contains("申请尚未登记收到"), "{err}");
    // A concluded log is accepted and its conclusion stored.
    let done = s
        .register(&new_app(o.id, "2024-004", date(2024, 9, 2), vec![replied(date(2024, 9, 20), Outcome::R3_2)]), ACTOR)
        .unwrap();
    let row = s.applications(&[o.id], Personal::Masked).unwrap().into_iter().find(|r| r.id == done.id).unwrap();
    assert_eq!(row.state, StoredState::Closed);
    assert_eq!(row.concluded, Some(date(2024, 9, 20)));
    assert_eq!(row.outcome, Some(Outcome::R3_2));
    assert_eq!(row.due, None);
    assert!(matches!(s.application(AppId(987_654), Personal::Masked), Err(StoreError::NotFound { .. })));
}

/// Listings and reads mask personal data unless the caller may see it.
pub fn masking_in_listings(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县民政局", None, None);
    let app = s.register(&new_app(o.id, "M-1", date(2024, 3, 4), vec![]), ACTOR).unwrap();
    let masked = s.applications(&[o.id], Personal::Masked).unwrap();
    assert_eq!(masked[0].applicant.name, "张**");
    assert_eq!(masked[0].applicant.phone.as_deref(), Some("138****5678"));
    let text = serde_json::to_string(&masked).unwrap();
    for secret in ["张三丰", "13812345678", "199001011234", "某路1号", "someone@"] {
        assert!(!text.contains(secret), "{secret} in a masked listing: {text}");
    }
    assert_eq!(s.applications(&[o.id], Personal::Visible).unwrap()[0].applicant.name, "张三丰");
    assert_eq!(s.application(app.id, Personal::Masked).unwrap().applicant.name, "张**");
    assert_eq!(s.application(app.id, Personal::Visible).unwrap().applicant, person("张三丰"));
}

/// Appending replays the whole log and rewrites the derived columns.
pub fn append_event_revalidates(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县住房和城乡建设局", None, None);
    let app = s.register(&new_app(o.id, "A-1", date(2024, 9, 27), vec![]), ACTOR).unwrap();
    let ext = Event::Extended { date: date(2024, 10, 30), days: 20, approver: "李某".into() };
    let app = s.append_event(app.id, 1, &ext, ACTOR).unwrap();
    assert_eq!(app.version, 2);
    assert_eq!(app.events.len(), 2);
    let clock = Clock::replay(&s.calendar(), &app.events).unwrap();
    let row = s.applications(&[o.id], Personal::Masked).unwrap().remove(0);
    assert_eq!(row.due, clock.due);
    assert_eq!(row.due, Some(date(2024, 11, 27)), "20 more working days");
    assert_eq!(row.version, 2);
    // A consultation pauses the clock: no due date while paused.
    let app = s
        .append_event(
            app.id,
            2,
            &Event::ConsultationStarted { date: date(2024, 11, 4), party: Party::ThirdParty },
            ACTOR,
        )
        .unwrap();
    let row = s.applications(&[o.id], Personal::Masked).unwrap().remove(0);
    assert_eq!(row.state, StoredState::Paused);
    assert_eq!(row.due, None);
    let app = s.append_event(app.id, 3, &Event::ConsultationAnswered { date: date(2024, 11, 8) }, ACTOR).unwrap();
    let app = s.append_event(app.id, 4, &replied(date(2024, 11, 20), Outcome::R3_1), ACTOR).unwrap();
    assert_eq!(app.version, 5);
    let row = s.applications(&[o.id], Personal::Masked).unwrap().remove(0);
    assert_eq!(
        (row.state, row.concluded, row.outcome),
        (StoredState::Closed, Some(date(2024, 11, 20)), Some(Outcome::R3_1))
    );
    assert!(!row.late);
    assert_eq!(s.application(app.id, Personal::Masked).unwrap().events.len(), 5);
    assert!(matches!(s.append_event(AppId(555_555), 1, &ext, ACTOR), Err(StoreError::NotFound { .. })));
}

/// An event the clock refuses is refused with the clock's reason; nothing changes.
pub fn invalid_sequence_rejected_with_clock_reason(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县交通运输局", None, None);
    let app = s.register(&new_app(o.id, "I-1", date(2024, 9, 27), vec![]), ACTOR).unwrap();
    let ext = Event::Extended { date: date(2024, 10, 30), days: 10, approver: "李某".into() };
    let app = s.append_event(app.id, 1, &ext, ACTOR).unwrap();
    // A second extension.
    let err = s.append_event(app.id, 2, &ext, ACTOR).unwrap_err();
    let StoreError::InvalidEvents(clock_err) = &err else { panic!("{err}") };
    let mut log = app.events.clone();
    log.push(ext.clone());
    let expected = Clock::replay(&s.calendar(), &log).unwrap_err();
    assert_eq!(clock_err, &expected);
    assert!(err.to_string().contains(&expected.to_string()), "{err}");
    assert!(err.to_string().contains("第3个事件"), "{err}");
    // A reply dated before the receipt.
    let err = s.append_event(app.id, 2, &replied(date(2024, 9, 1), Outcome::R3_1), ACTOR).unwrap_err();
    assert!(err.to_string().contains("早于上一事件"), "{err}");
    // A second receipt.
    let again = Event::Received { date: date(2024, 11, 1), channel: Channel::Post };
    assert!(matches!(s.append_event(app.id, 2, &again, ACTOR), Err(StoreError::InvalidEvents(_))));
    let now = s.application(app.id, Personal::Masked).unwrap();
    assert_eq!(now.version, 2);
    assert_eq!(now.events, app.events);
    assert_eq!(s.audit_log(Entity::Application, &app.id.0.to_string(), Personal::Masked).unwrap().len(), 2);
}

/// A write based on an old version is refused and loses nothing.
pub fn stale_version_rejected(make: Factory) {
    let h1 = make(POOL);
    let h2 = make(POOL);
    let o = organ(&*h1, "某县财政局", None, None);
    let app = h1.register(&new_app(o.id, "S-1", date(2024, 9, 2), vec![]), ACTOR).unwrap();
    let seen1 = h1.application(app.id, Personal::Masked).unwrap();
    let seen2 = h2.application(app.id, Personal::Masked).unwrap();
    assert_eq!((seen1.version, seen2.version), (1, 1));
    h1.append_event(app.id, seen1.version, &replied(date(2024, 9, 10), Outcome::R3_1), "甲").unwrap();
    let err = h2.append_event(app.id, seen2.version, &Event::Withdrawn { date: date(2024, 9, 11) }, "乙").unwrap_err();
    assert!(matches!(err, StoreError::Stale { expected: 1, current: 2 }), "{err}");
    assert_eq!(err.to_string(), "记录已被他人修改（版本 1，当前 2），请刷新后重试");
    let now = h2.application(app.id, Personal::Masked).unwrap();
    assert_eq!(now.events.len(), 2);
    assert_eq!(now.events[1], replied(date(2024, 9, 10), Outcome::R3_1));
    // A version from the future is stale too.
    assert!(matches!(
        h2.append_event(app.id, 7, &Event::Withdrawn { date: date(2024, 9, 11) }, "乙"),
        Err(StoreError::Stale { expected: 7, current: 2 })
    ));
}

/// The change mark stays while only reads happen and changes with every committed write, seen
/// from another handle too (the web's dashboard cache relies on it).
pub fn change_mark_follows_commits(make: Factory) {
    let h1 = make(POOL);
    let h2 = make(POOL);
    let o = organ(&*h1, "某县商务局", None, None);
    let Some(m0) = h2.change_mark().unwrap() else { return };
    h2.applications(&[o.id], Personal::Masked).unwrap();
    assert_eq!(h2.change_mark().unwrap().as_ref(), Some(&m0), "reads change nothing");
    assert!(h2.resume("none", 0).unwrap().is_none());
    assert_eq!(h2.change_mark().unwrap().as_ref(), Some(&m0), "resuming changes nothing");
    let app = h1.register(&new_app(o.id, "M-1", date(2024, 9, 2), vec![]), ACTOR).unwrap();
    let m1 = h2.change_mark().unwrap().unwrap();
    assert_ne!(m1, m0, "a registration is seen from another handle");
    h1.append_event(app.id, 1, &replied(date(2024, 9, 10), Outcome::R3_1), ACTOR).unwrap();
    let m2 = h2.change_mark().unwrap().unwrap();
    assert!(m2 != m1 && m2 != m0, "an event changes the mark");
    // A refused write commits nothing and leaves the mark; the next commit changes it.
    assert!(h1.append_event(app.id, 1, &Event::Withdrawn { date: date(2024, 9, 11) }, ACTOR).is_err());
    h1.append_event(app.id, 2, &Event::Withdrawn { date: date(2024, 9, 11) }, ACTOR).unwrap_err();
    assert_eq!(h2.change_mark().unwrap().unwrap(), m2, "a refused write changes nothing");
    h1.add_organ(
        &NewOrgan {
            name: "某县新机关".into(),
            kind: OrganKind::Department,
            parent: Some(o.id),
            code: "9".into(),
            index_pattern: None,
        },
        ACTOR,
    )
    .unwrap();
    assert_ne!(h2.change_mark().unwrap().unwrap(), m2, "an organ added changes the mark");
}

/// Two handles append on version 1 at the same moment: exactly one wins.
pub fn concurrent_appends_one_wins(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县审计局", None, None);
    for round in 0..5 {
        let app = s.register(&new_app(o.id, &format!("C-{round}"), date(2024, 9, 2), vec![]), ACTOR).unwrap();
        let barrier = std::sync::Barrier::new(2);
        let results: Vec<Result<Application>> = std::thread::scope(|sc| {
            let hs: Vec<_> = [replied(date(2024, 9, 10), Outcome::R3_1), Event::Withdrawn { date: date(2024, 9, 11) }]
                .into_iter()
                .map(|ev| {
                    let barrier = &barrier;
                    sc.spawn(move || {
                        let h = make(POOL);
                        let v = h.application(app.id, Personal::Masked).unwrap().version;
                        barrier.wait();
                        h.append_event(app.id, v, &ev, "并发")
                    })
                })
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let wins = results.iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "round {round}: {results:?}");
        let loser = results.iter().find_map(|r| r.as_ref().err()).unwrap();
        assert!(matches!(loser, StoreError::Stale { expected: 1, current: 2 }), "{loser}");
        let now = s.application(app.id, Personal::Masked).unwrap();
        assert_eq!(now.events.len(), 2);
        assert_eq!(now.version, 2);
    }
}

/// The due list: open applications due on or before a date, overdue included, closed and
/// paused excluded, filtered by organ, earliest first.
pub fn due_list(make: Factory) {
    let s = make(POOL);
    let o1 = organ(&*s, "某县卫生健康委员会", None, None);
    let o2 = organ(&*s, "某县市场监督管理局", None, None);
    // Due dates: received 2024-09-02 → 2024-09-30; 2024-09-27 → 2024-10-30.
    let a = s.register(&new_app(o1.id, "D-1", date(2024, 9, 2), vec![]), ACTOR).unwrap();
    let b = s.register(&new_app(o1.id, "D-2", date(2024, 9, 27), vec![]), ACTOR).unwrap();
    s.register(&new_app(o1.id, "D-3", date(2024, 9, 2), vec![replied(date(2024, 9, 5), Outcome::R3_1)]), ACTOR)
        .unwrap();
    let p = s
        .register(
            &new_app(
                o1.id,
                "D-4",
                date(2024, 9, 2),
                vec![Event::FeeNotice { date: date(2024, 9, 3), amount: Some(100) }],
            ),
            ACTOR,
        )
        .unwrap();
    let c = s.register(&new_app(o2.id, "D-5", date(2024, 9, 2), vec![]), ACTOR).unwrap();
    let ids = |v: Vec<DueItem>| v.into_iter().map(|d| d.id).collect::<Vec<_>>();
    assert_eq!(ids(s.due_list(&[o1.id], date(2024, 9, 29)).unwrap()), Vec::<AppId>::new());
    let l = s.due_list(&[o1.id], date(2024, 9, 30)).unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!((l[0].id, l[0].due, l[0].serial.as_str()), (a.id, date(2024, 9, 30), "D-1"));
    // Far in the future: overdue (a) and upcoming (b), earliest first; paused p not listed.
    assert_eq!(ids(s.due_list(&[o1.id], date(2025, 6, 1)).unwrap()), vec![a.id, b.id]);
    assert!(!ids(s.due_list(&[o1.id], date(2025, 6, 1)).unwrap()).contains(&p.id));
    let both = ids(s.due_list(&[o1.id, o2.id], date(2024, 9, 30)).unwrap());
    assert_eq!(both.len(), 2);
    assert!(both.contains(&a.id) && both.contains(&c.id));
    assert!(s.due_list(&[], date(2030, 1, 1)).unwrap().is_empty());
    // Replying removes it from the list.
    s.append_event(a.id, 1, &replied(date(2024, 10, 8), Outcome::R3_1), ACTOR).unwrap();
    assert_eq!(ids(s.due_list(&[o1.id], date(2025, 6, 1)).unwrap()), vec![b.id]);
    // A pause that begins after the due date has passed does not hide an overdue application:
    // c was due on 2024-09-30; a fee notice on 2024-10-10 pauses it, and it stays listed with
    // its passed due date.
    s.append_event(c.id, 1, &Event::FeeNotice { date: date(2024, 10, 10), amount: Some(100) }, ACTOR).unwrap();
    let l = s.due_list(&[o2.id], date(2024, 10, 11)).unwrap();
    assert_eq!(l.iter().map(|d| (d.id, d.due)).collect::<Vec<_>>(), vec![(c.id, date(2024, 9, 30))]);
}

/// Table 三 of year Y: received ≤ 31 Dec Y and not concluded before 1 Jan Y.
pub fn applications_for_year_boundaries(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县人力资源和社会保障局", None, None);
    let other = organ(&*s, "某县司法局", None, None);
    let closed_dec31 = s
        .register(&new_app(o.id, "Y-1", date(2024, 12, 2), vec![replied(date(2024, 12, 31), Outcome::R3_1)]), ACTOR)
        .unwrap();
    let recv_dec31_closed_jan1 = s
        .register(&new_app(o.id, "Y-2", date(2024, 12, 31), vec![replied(date(2025, 1, 1), Outcome::R3_4_1)]), ACTOR)
        .unwrap();
    let recv_jan2 = s.register(&new_app(o.id, "Y-3", date(2025, 1, 2), vec![]), ACTOR).unwrap();
    let open_since_dec31 = s.register(&new_app(o.id, "Y-4", date(2024, 12, 31), vec![]), ACTOR).unwrap();
    let old = s
        .register(&new_app(o.id, "Y-5", date(2023, 3, 1), vec![replied(date(2023, 3, 20), Outcome::R3_1)]), ACTOR)
        .unwrap();
    s.register(&new_app(other.id, "Y-6", date(2024, 6, 3), vec![]), ACTOR).unwrap();
    let ids = |s: &dyn Store, y| {
        let mut v: Vec<AppId> = s.applications_for_year(&[o.id], y).unwrap().into_iter().map(|i| i.id).collect();
        v.sort();
        v
    };
    let mut y2024 = vec![closed_dec31.id, recv_dec31_closed_jan1.id, open_since_dec31.id];
    y2024.sort();
    assert_eq!(ids(&*s, 2024), y2024);
    let mut y2025 = vec![recv_dec31_closed_jan1.id, recv_jan2.id, open_since_dec31.id];
    y2025.sort();
    assert_eq!(ids(&*s, 2025), y2025);
    assert_eq!(ids(&*s, 2023), vec![old.id]);
    let items = s.applications_for_year(&[o.id], 2025).unwrap();
    let it = items.iter().find(|i| i.id == recv_dec31_closed_jan1.id).unwrap();
    assert_eq!(it.received, date(2024, 12, 31));
    assert_eq!((it.concluded, it.outcome), (Some(date(2025, 1, 1)), Some(Outcome::R3_4_1)));
    assert_eq!(it.applicant_kind, ApplicantKind::NaturalPerson);
    assert_eq!(s.applications_for_year(&[o.id, other.id], 2024).unwrap().len(), 4);
}

/// The fee events of the year's applications, per application in log order (what `compile`
/// reads for section 六), the same as filtering whole logs.
pub fn fee_events_for_year(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县自然资源局", None, None);
    let paid = s
        .register(
            &new_app(
                o.id,
                "F-1",
                date(2024, 3, 1),
                vec![
                    Event::FeeNotice { date: date(2024, 3, 8), amount: Some(700) },
                    Event::FeePaid { date: date(2024, 3, 12) },
                    replied(date(2024, 3, 29), Outcome::R3_1),
                ],
            ),
            ACTOR,
        )
        .unwrap();
    let unpaid = s
        .register(
            &new_app(o.id, "F-2", date(2024, 11, 1), vec![Event::FeeNotice { date: date(2024, 11, 8), amount: None }]),
            ACTOR,
        )
        .unwrap();
    s.register(&new_app(o.id, "F-3", date(2024, 5, 6), vec![replied(date(2024, 5, 20), Outcome::R3_2)]), ACTOR)
        .unwrap();
    let mut got = s.fee_events_for_year(&[o.id], 2024).unwrap();
    got.sort_by_key(|g| g.0);
    assert_eq!(
        got,
        vec![
            (paid.id, vec![paid.events[1].clone(), paid.events[2].clone()]),
            (unpaid.id, vec![unpaid.events[1].clone()]),
        ]
    );
    // Only the year's applications: F-1 was concluded in 2024, so 2025 sees only F-2.
    let y2025 = s.fee_events_for_year(&[o.id], 2025).unwrap();
    assert_eq!(y2025.iter().map(|g| g.0).collect::<Vec<_>>(), vec![unpaid.id]);
}

fn entry(organ: OrganId, title: &str, issued: Date) -> NewCatalogueEntry {
    NewCatalogueEntry {
        organ,
        kind: CatalogueKind::Normative,
        title: title.into(),
        doc_number: "某政发〔2024〕1号".into(),
        issued,
    }
}

/// 索引号 from the organ's pattern, serial per scope, repeal versioned.
pub fn catalogue_index_numbers(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县发展和改革局", None, Some("{code}-{yyyy}-{seq:3}"));
    let d = organ(&*s, "某县水利局", None, None);
    let a = s.add_catalogue_entry(&entry(o.id, "通知一", date(2024, 3, 1)), ACTOR).unwrap();
    let b = s.add_catalogue_entry(&entry(o.id, "通知二", date(2024, 5, 1)), ACTOR).unwrap();
    let c = s.add_catalogue_entry(&entry(o.id, "通知三", date(2025, 1, 6)), ACTOR).unwrap();
    assert_eq!(a.index_no, format!("{}-2024-001", o.code));
    assert_eq!(b.index_no, format!("{}-2024-002", o.code));
    assert_eq!(c.index_no, format!("{}-2025-001", o.code), "the serial restarts with the year");
    let e = s.add_catalogue_entry(&entry(d.id, "办法", date(2024, 3, 1)), ACTOR).unwrap();
    assert_eq!(e.index_no, format!("{}/2024-00001", d.code), "default pattern");
    assert_eq!(a.version, 1);
    assert_eq!(s.catalogue_entry(a.id).unwrap(), a);
    assert!(matches!(s.catalogue_entry(EntryId(a.id.0 + 1000)), Err(StoreError::NotFound { .. })));
    let r = s.repeal_catalogue_entry(a.id, 1, date(2025, 6, 30), ACTOR).unwrap();
    assert_eq!((r.repealed, r.version), (Some(date(2025, 6, 30)), 2));
    let err = s.repeal_catalogue_entry(a.id, 1, date(2025, 7, 1), ACTOR).unwrap_err();
    assert!(matches!(err, StoreError::Stale { expected: 1, current: 2 }), "{err}");
    let err = s.repeal_catalogue_entry(b.id, 1, date(2024, 4, 1), ACTOR).unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "repeal before issue: {err}");
    let list = s.catalogue(o.id).unwrap();
    assert_eq!(
        list.iter().map(|e| e.index_no.as_str()).collect::<Vec<_>>(),
        vec![a.index_no.as_str(), b.index_no.as_str(), c.index_no.as_str()]
    );
    assert_eq!(list[0].repealed, Some(date(2025, 6, 30)));
    assert!(matches!(
        s.add_catalogue_entry(&entry(OrganId(31_337), "x", date(2024, 1, 2)), ACTOR),
        Err(StoreError::NotFound { .. })
    ));
}

/// Two handles adding entries at the same time never produce the same 索引号.
pub fn concurrent_catalogue_adds_unique(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县统计局", None, None);
    const PER: usize = 15;
    std::thread::scope(|sc| {
        for t in 0..2 {
            sc.spawn(move || {
                let h = make(POOL);
                for i in 0..PER {
                    h.add_catalogue_entry(&entry(o.id, &format!("线程{t}文件{i}"), date(2024, 4, 1)), "并发").unwrap();
                }
            });
        }
    });
    let list = s.catalogue(o.id).unwrap();
    assert_eq!(list.len(), 2 * PER);
    let mut nos: Vec<&str> = list.iter().map(|e| e.index_no.as_str()).collect();
    nos.sort();
    nos.dedup();
    assert_eq!(nos.len(), 2 * PER, "duplicate 索引号");
    assert!(nos.contains(&format!("{}/2024-{:05}", o.code, 2 * PER).as_str()), "{nos:?}");
}

/// Yearly counts: upsert, blanks stay blank, money stays exact.
pub fn yearly_counts(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县农业农村局", None, None);
    assert_eq!(s.counts(o.id, 2024).unwrap(), None);
    let mut c = YearlyCounts {
        organ: o.id,
        year: 2024,
        licences: Some(1234),
        penalties: None,
        coercions: Some(0),
        fee_wan: Some(Decimal::from_str("4068.2080").unwrap()),
        confirmed_on: Some(date(2025, 1, 15)),
    };
    s.set_counts(&c, ACTOR).unwrap();
    assert_eq!(s.counts(o.id, 2024).unwrap(), Some(c.clone()));
    assert_eq!(s.counts(o.id, 2024).unwrap().unwrap().fee_wan.unwrap().to_string(), "4068.2080");
    c.penalties = Some(7);
    c.fee_wan = Some(Decimal::from_str("0.01").unwrap());
    s.set_counts(&c, ACTOR).unwrap();
    assert_eq!(s.counts(o.id, 2024).unwrap(), Some(c.clone()));
    assert_eq!(s.counts(o.id, 2023).unwrap(), None);
    let audit = s.audit_log(Entity::YearlyCounts, &counts_key(o.id, 2024), Personal::Masked).unwrap();
    assert_eq!(audit.len(), 2);
    assert!(audit[0].before.is_none());
    assert_eq!(audit[1].before.as_ref().unwrap()["penalties"], serde_json::Value::Null);
    assert_eq!(audit[1].after.as_ref().unwrap()["penalties"], 7);
    assert!(matches!(
        s.set_counts(&YearlyCounts { organ: OrganId(77_777), ..c }, ACTOR),
        Err(StoreError::NotFound { .. })
    ));
}

/// Review and litigation cases: add, conclude (versioned), list.
pub fn cases(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县自然资源局", None, None);
    let k = s
        .add_case(
            &NewCase {
                organ: o.id, kind: CaseKind::Review, number: "某复〔2024〕5号".into(), filed: date(2024, 5, 6)
            },
            ACTOR,
        )
        .unwrap();
    assert_eq!((k.version, k.concluded), (1, None));
    let k2 = s
        .add_case(
            &NewCase { organ: o.id, kind: CaseKind::DirectLitigation, number: String::new(), filed: date(2024, 7, 1) },
            ACTOR,
        )
        .unwrap();
    let done = s.conclude_case(k.id, 1, date(2024, 8, 1), CaseResult::Corrected, ACTOR).unwrap();
    assert_eq!(s.case(k.id).unwrap(), done);
    assert!(matches!(s.case(CaseId(k.id.0 + 1000)), Err(StoreError::NotFound { .. })));
    assert_eq!((done.version, done.concluded), (2, Some((date(2024, 8, 1), CaseResult::Corrected))));
    assert!(matches!(
        s.conclude_case(k.id, 1, date(2024, 8, 2), CaseResult::Other, ACTOR),
        Err(StoreError::Stale { expected: 1, current: 2 })
    ));
    assert!(matches!(
        s.conclude_case(k2.id, 1, date(2024, 6, 1), CaseResult::Other, ACTOR),
        Err(StoreError::Invalid(_))
    ));
    let list = s.cases(&[o.id]).unwrap();
    assert_eq!(list, vec![done, k2]);
    assert!(matches!(
        s.conclude_case(CaseId(8_888), 1, date(2024, 8, 2), CaseResult::Other, ACTOR),
        Err(StoreError::NotFound { .. })
    ));
}

/// Every change leaves an audit row with actor, time, before and after; personal data in it
/// is masked unless allowed.
pub fn audit_trail(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县应急管理局", None, None);
    let log = s.audit_log(Entity::Organ, &o.id.0.to_string(), Personal::Masked).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor, ACTOR);
    assert_eq!(log[0].after.as_ref().unwrap()["name"], "某县应急管理局");
    let app = s.register(&new_app(o.id, "AU-1", date(2024, 9, 2), vec![]), "王科员").unwrap();
    s.append_event(app.id, 1, &replied(date(2024, 9, 12), Outcome::R3_1), "李科长").unwrap();
    let key = app.id.0.to_string();
    let log = s.audit_log(Entity::Application, &key, Personal::Masked).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!((log[0].actor.as_str(), log[1].actor.as_str()), ("王科员", "李科长"));
    assert!(log[0].before.is_none());
    assert_eq!(log[0].after.as_ref().unwrap()["version"], 1);
    assert_eq!(log[1].before.as_ref().unwrap()["version"], 1);
    assert_eq!(log[1].after.as_ref().unwrap()["version"], 2);
    assert_eq!(log[1].after.as_ref().unwrap()["events"].as_array().unwrap().len(), 2);
    assert!(log[0].seq < log[1].seq);
    assert!(log[1].at >= log[0].at);
    assert!(jiff::Timestamp::from_str(&log[0].at).is_ok(), "{}", log[0].at);
    let text = serde_json::to_string(&log).unwrap();
    assert!(!text.contains("张三丰") && !text.contains("13812345678"), "{text}");
    assert!(text.contains("张**"), "{text}");
    let full = s.audit_log(Entity::Application, &key, Personal::Visible).unwrap();
    assert_eq!(full[0].after.as_ref().unwrap()["applicant"]["name"], "张三丰");
    let e = s.add_catalogue_entry(&entry(o.id, "通知", date(2024, 3, 1)), ACTOR).unwrap();
    s.repeal_catalogue_entry(e.id, 1, date(2024, 9, 1), ACTOR).unwrap();
    let log = s.audit_log(Entity::CatalogueEntry, &e.id.0.to_string(), Personal::Masked).unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].before.as_ref().unwrap()["repealed"], serde_json::Value::Null);
    assert_eq!(log[1].after.as_ref().unwrap()["repealed"], "2024-09-01");
    // Refused writes leave no audit row.
    let _ = s.append_event(app.id, 1, &Event::Withdrawn { date: date(2024, 9, 13) }, "迟到者");
    assert_eq!(s.audit_log(Entity::Application, &key, Personal::Masked).unwrap().len(), 2);
    assert!(s.audit_log(Entity::Case, "0", Personal::Masked).unwrap().is_empty());
    // An unmasked read is audited with who and why, and changes nothing.
    s.audit_disclosure(Entity::Application, &key, "李主任", "答复申请人需核对身份").unwrap();
    let log = s.audit_log(Entity::Application, &key, Personal::Masked).unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!((log[2].actor.as_str(), log[2].before.is_none()), ("李主任", true));
    assert_eq!(log[2].after.as_ref().unwrap()["disclosure"], "答复申请人需核对身份");
    assert_eq!(s.application(app.id, Personal::Masked).unwrap().version, 2);
}

/// Bulk import: all or nothing, same checks, audited.
pub fn bulk_import(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县商务局", None, None);
    let batch: Vec<NewApplication> = (0..50)
        .map(|i| {
            let more = if i % 2 == 0 { vec![replied(date(2024, 3, 20), Outcome::R3_1)] } else { vec![] };
            new_app(o.id, &format!("B-{i:03}"), date(2024, 3, 4), more)
        })
        .collect();
    let ids = s.import_applications(&batch, "导入").unwrap();
    assert_eq!(ids.len(), 50);
    s.analyze().unwrap();
    assert_eq!(s.applications(&[o.id], Personal::Masked).unwrap().len(), 50);
    assert_eq!(s.application(ids[7], Personal::Visible).unwrap().serial, "B-007");
    assert_eq!(s.audit_log(Entity::Application, &ids[7].0.to_string(), Personal::Masked).unwrap().len(), 1);
    // One bad application refuses the whole batch.
    let mut bad = batch[..3].to_vec();
    for (i, b) in bad.iter_mut().enumerate() {
        b.serial = format!("N-{i}");
    }
    bad[2].events.push(Event::Received { date: date(2024, 3, 5), channel: Channel::Post });
    assert!(matches!(s.import_applications(&bad, "导入"), Err(StoreError::InvalidEvents(_))));
    assert_eq!(s.applications(&[o.id], Personal::Masked).unwrap().len(), 50);
    let mut dup = batch[..2].to_vec();
    dup[0].serial = "N-new".into();
    assert!(matches!(s.import_applications(&dup, "导入"), Err(StoreError::DuplicateSerial(_))));
    assert_eq!(s.applications(&[o.id], Personal::Masked).unwrap().len(), 50);
}

/// A plausible 2027 notice's dates (invented for the test, shaped like the real ones): 元旦
/// 1–3 January, 春节 5–12 February with two 调休 Saturdays/Sundays.
pub fn notice_2027() -> Vec<Listed> {
    let h = |m, d, name: &str| Listed { date: date(2027, m, d), workday: false, name: name.into() };
    let w = |m, d, name: &str| Listed { date: date(2027, m, d), workday: true, name: name.into() };
    let mut v = vec![h(1, 1, "元旦"), h(1, 2, "元旦"), h(1, 3, "元旦")];
    v.extend((5..=12).map(|d| h(2, d, "春节")));
    v.extend([w(2, 14, "春节"), w(2, 20, "春节")]);
    v
}

/// SPEC §5: with no notice for 2027, an application received on 28 December 2026 is
/// registered with a provisional due date (weekends only), listed as such; importing the 2027
/// notice recomputes it, through this handle and on a new one, and audits the import.
pub fn provisional_dates_recomputed_on_import(make: Factory) {
    let s = make(POOL);
    assert!(s.calendar().is_provisional(2027), "the embedded data must not cover 2027 for this test");
    let o = organ(&*s, "某县自然资源局", None, None);
    let a = s.register(&new_app(o.id, "P-1", date(2026, 12, 28), vec![]), ACTOR).unwrap();
    let done = s
        .register(&new_app(o.id, "P-2", date(2026, 11, 2), vec![replied(date(2026, 11, 20), Outcome::R3_1)]), ACTOR)
        .unwrap();
    let clock = Clock::replay(&s.calendar(), &a.events).unwrap();
    assert_eq!((clock.due, clock.provisional.clone()), (Some(date(2027, 1, 25)), vec![2027]));
    let due = s.due_list(&[o.id], date(2027, 12, 31)).unwrap();
    assert_eq!(
        due.iter().map(|d| (d.id, d.due, d.provisional)).collect::<Vec<_>>(),
        vec![(a.id, date(2027, 1, 25), true)]
    );
    let list = s.applications(&[o.id], Personal::Masked).unwrap();
    assert_eq!(
        list.iter().map(|x| (x.serial.as_str(), x.provisional)).collect::<Vec<_>>(),
        vec![("P-2", false), ("P-1", true)]
    );
    // An event on a provisional application is accepted too (no refusal for want of data).
    let a = s
        .append_event(a.id, 1, &Event::ConsultationStarted { date: date(2027, 1, 4), party: Party::ThirdParty }, ACTOR)
        .unwrap();
    let a = s.append_event(a.id, 2, &Event::ConsultationAnswered { date: date(2027, 1, 6) }, ACTOR).unwrap();
    let report = s.import_holidays(&notice_2027(), "国务院办公厅关于2027年部分节假日安排的通知", ACTOR).unwrap();
    assert_eq!(report.dates, notice_2027().len());
    assert!(report.covered.contains(&2027));
    assert_eq!((report.recomputed, report.still_provisional), (1, 0));
    assert!(!s.calendar().is_provisional(2027));
    let official_due = Clock::replay(&s.calendar(), &a.events).unwrap().due.unwrap();
    let due = s.due_list(&[o.id], date(2027, 12, 31)).unwrap();
    assert_eq!(due.iter().map(|d| (d.id, d.due, d.provisional)).collect::<Vec<_>>(), vec![(a.id, official_due, false)]);
    // 1 and 2 January 2027 are not working days any more, so the date moved later.
    assert!(official_due > date(2027, 1, 27), "{official_due}");
    // The version did not change (no event was added), and the closed application is untouched.
    assert_eq!(s.application(a.id, Personal::Masked).unwrap().version, 3);
    assert_eq!(s.application(done.id, Personal::Masked).unwrap().version, 1);
    // Another handle sees the imported data.
    let s2 = make(POOL);
    assert!(!s2.calendar().is_provisional(2027));
    assert!(!s2.calendar().is_workday(date(2027, 2, 8)).unwrap());
    let log = s.audit_log(Entity::Calendar, "2027", Personal::Masked).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].actor, ACTOR);
    assert_eq!(log[0].after.as_ref().unwrap()["recomputed"], 1);
}

/// The embedded notices are in every register; a clerk's correction of an embedded date is
/// kept when the register is opened again (the embedded data does not overwrite it).
pub fn holidays_seeded_and_kept(make: Factory) {
    let s = make(POOL);
    for y in 2019..=2026 {
        assert!(s.calendar().covered_years().contains(&y), "{y}");
    }
    assert!(!s.calendar().is_workday(date(2026, 10, 1)).unwrap());
    // Cancel the 2026-10-02 holiday (a correction: a weekday listed as a working day).
    let fix = [Listed { date: date(2026, 10, 2), workday: true, name: String::new() }];
    s.import_holidays(&fix, "更正", ACTOR).unwrap();
    assert!(s.calendar().is_workday(date(2026, 10, 2)).unwrap());
    let s2 = make(POOL);
    assert!(s2.calendar().is_workday(date(2026, 10, 2)).unwrap());
    assert!(!s2.calendar().is_workday(date(2026, 10, 1)).unwrap());
}

/// A fixed argon2id PHC string (the store only checks the scheme; hashing is the service
/// layer's business).
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG";

/// Users: unique names, versioned audited changes without the hash in snapshots, login
/// counters; sessions: found until they expire, ended singly, per user, or by purging.
pub fn users_and_sessions(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县政务公开办", None, None);
    let new = NewUser {
        name: "wangkeyuan".into(),
        display_name: "王科员".into(),
        role: "clerk".into(),
        organ: Some(o.id),
        password_hash: HASH.into(),
        must_change: true,
    };
    let u = s.add_user(&new, ACTOR).unwrap();
    assert_eq!((u.version, u.must_change, u.failed_logins, u.organ), (1, true, 0, Some(o.id)));
    assert!(matches!(s.add_user(&new, ACTOR), Err(StoreError::Invalid(m)) if m.contains("已被使用")));
    let plain = NewUser { password_hash: "hunter2".into(), name: "x".into(), ..new.clone() };
    assert!(s.add_user(&plain, ACTOR).is_err(), "only argon2id hashes are stored");
    let nowhere = NewUser { organ: Some(OrganId(o.id.0 + 99)), name: "y".into(), ..new.clone() };
    assert!(matches!(s.add_user(&nowhere, ACTOR), Err(StoreError::NotFound { .. })));
    assert_eq!(s.user_by_name("wangkeyuan").unwrap().unwrap(), u);
    assert!(s.user_by_name("nobody").unwrap().is_none());
    assert_eq!(s.users().unwrap().len(), 1);
    // Login counters.
    s.record_login(u.id, false, None).unwrap();
    s.record_login(u.id, false, Some(1_900_000_000)).unwrap();
    let u2 = s.user(u.id).unwrap();
    assert_eq!((u2.failed_logins, u2.locked_until, u2.version), (2, Some(1_900_000_000), 1));
    s.record_login(u.id, true, None).unwrap();
    assert_eq!(s.user(u.id).unwrap().failed_logins, 0);
    // A password change is versioned and audited without the hash.
    let hash2 = HASH.replace("c29tZXNhbHQ", "b3RoZXJzYWx0");
    let ch = UserChange::Password { hash: hash2.clone(), must_change: false };
    let u3 = s.change_user(u.id, 1, &ch, "王科员").unwrap();
    assert_eq!((u3.version, u3.password_hash.as_str(), u3.must_change), (2, hash2.as_str(), false));
    assert!(matches!(s.change_user(u.id, 1, &ch, "王科员"), Err(StoreError::Stale { .. })));
    let log = s.audit_log(Entity::User, &u.id.0.to_string(), Personal::Masked).unwrap();
    assert_eq!(log.len(), 2);
    assert!(!serde_json::to_string(&log).unwrap().contains("argon2"), "no hash in the audit trail");
    // Sessions.
    let sess = |t: &str, exp: i64| Session {
        token_hash: t.into(),
        user: u.id,
        csrf: format!("csrf-{t}"),
        created_at: 1_000,
        expires_at: exp,
    };
    s.create_session(&sess("a", 2_000)).unwrap();
    s.create_session(&sess("b", 3_000)).unwrap();
    assert_eq!(s.session("a", 1_500).unwrap().unwrap().csrf, "csrf-a");
    assert!(s.session("a", 2_000).unwrap().is_none(), "expired at its expiry time");
    assert!(s.session("zzz", 1_500).unwrap().is_none());
    // Resumed: the same session and user as read one by one, with the change mark now.
    let r = s.resume("a", 1_500).unwrap().unwrap();
    assert_eq!((r.session, r.user), (s.session("a", 1_500).unwrap().unwrap(), s.user(u.id).unwrap()));
    assert_eq!(r.mark, s.change_mark().unwrap());
    assert!(s.resume("a", 2_000).unwrap().is_none(), "expired at its expiry time");
    assert!(s.resume("zzz", 1_500).unwrap().is_none());
    s.record_login(u.id, false, None).unwrap();
    assert_eq!(s.resume("b", 1_500).unwrap().unwrap().user.failed_logins, 1, "the user as stored now");
    s.delete_session("b").unwrap();
    assert!(s.session("b", 1_500).unwrap().is_none());
    s.create_session(&sess("c", 3_000)).unwrap();
    assert_eq!(s.purge_sessions(2_500).unwrap(), 1);
    s.delete_sessions_of(u.id).unwrap();
    assert!(s.session("c", 1_500).unwrap().is_none());
}

/// A listing page and the counts by state equal what the whole listing says, for every filter.
pub fn paging_and_counts(make: Factory) {
    let s = make(POOL);
    let o1 = organ(&*s, "某县教育局", None, None);
    let o2 = organ(&*s, "某县民政局", None, None);
    let mut n = 0;
    // Two receipts on one day in one organ: the list's order falls back on the id.
    for (o, day) in
        [(o1.id, 2), (o1.id, 3), (o2.id, 4), (o1.id, 5), (o2.id, 6), (o1.id, 9), (o1.id, 10), (o1.id, 5), (o2.id, 5)]
    {
        n += 1;
        let more = match n % 3 {
            0 => vec![replied(date(2024, 9, 20), Outcome::R3_1)],
            1 => vec![],
            _ => vec![Event::FeeNotice { date: date(2024, 9, 12), amount: Some(100) }],
        };
        s.register(&new_app(o, &format!("P%_{n}"), date(2024, 9, day), more), ACTOR).unwrap();
    }
    let all = s.applications(&[o1.id, o2.id], Personal::Masked).unwrap();
    let today = date(2024, 11, 1);
    let filters = [
        AppFilter { organs: vec![o1.id, o2.id], limit: 100, ..Default::default() },
        AppFilter { organs: vec![o1.id], limit: 2, offset: 1, ..Default::default() },
        AppFilter {
            organs: vec![o1.id, o2.id],
            state: Some(StateFilter::Is(StoredState::Closed)),
            limit: 100,
            ..Default::default()
        },
        AppFilter {
            organs: vec![o1.id, o2.id],
            state: Some(StateFilter::OverdueOn(today)),
            limit: 100,
            ..Default::default()
        },
        AppFilter {
            organs: vec![o1.id, o2.id],
            received_from: Some(date(2024, 9, 4)),
            received_to: Some(date(2024, 9, 9)),
            limit: 100,
            ..Default::default()
        },
        AppFilter { organs: vec![o2.id], outcome: Some(Outcome::R3_1), limit: 100, ..Default::default() },
        AppFilter { organs: vec![o1.id, o2.id], serial: Some("%_1".into()), limit: 100, ..Default::default() },
        AppFilter { organs: vec![o1.id, o2.id], serial: Some("x%".into()), limit: 100, ..Default::default() },
        AppFilter { organs: vec![o1.id, o2.id], kind: Some(ApplicantKind::Business), limit: 100, ..Default::default() },
        AppFilter { organs: vec![], limit: 100, ..Default::default() },
    ];
    for f in &filters {
        let expected: Vec<&ApplicationSummary> = all
            .iter()
            .filter(|a| f.organs.contains(&a.organ))
            .filter(|a| match f.state {
                None => true,
                Some(StateFilter::Is(st)) => a.state == st,
                Some(StateFilter::OverdueOn(d)) => {
                    matches!(a.state, StoredState::Open | StoredState::Paused) && a.due.is_some_and(|x| x < d)
                }
            })
            .filter(|a| {
                f.received_from.is_none_or(|d| a.received >= d) && f.received_to.is_none_or(|d| a.received <= d)
            })
            .filter(|a| f.kind.is_none_or(|k| a.applicant.kind == k))
            .filter(|a| f.outcome.is_none_or(|o| a.outcome == Some(o)))
            .filter(|a| f.serial.as_deref().is_none_or(|p| a.serial.contains(p)))
            .collect();
        let (page, total) = s.applications_page(f, Personal::Masked).unwrap();
        assert_eq!(total as usize, expected.len(), "{f:?}");
        let want: Vec<&ApplicationSummary> =
            expected.into_iter().skip(f.offset as usize).take(f.limit as usize).collect();
        assert_eq!(page.iter().collect::<Vec<_>>(), want, "{f:?}");
    }
    // Keyset paging: two rows at a time, forward after the last row shown and backward before
    // the first, gives every row of every filter once, in the list's order, with the total.
    for f in &filters {
        let (whole, all_total) =
            s.applications_page(&AppFilter { offset: 0, limit: 100, ..f.clone() }, Personal::Masked).unwrap();
        let step = |key| {
            s.applications_page(&AppFilter { offset: 5, limit: 2, key: Some(key), ..f.clone() }, Personal::Masked)
        };
        let (mut forward, mut key) = (Vec::new(), PageKey::After(date(1900, 1, 1), AppId(0)));
        loop {
            let (page, total) = step(key).unwrap();
            assert_eq!(total, all_total, "{f:?}");
            let Some(last) = page.last() else { break };
            key = PageKey::After(last.received, last.id);
            forward.extend(page);
        }
        assert_eq!(forward, whole, "forward: {f:?}");
        let (mut backward, mut key) = (Vec::new(), PageKey::Before(date(2999, 1, 1), AppId(i64::MAX)));
        loop {
            let (mut page, _) = step(key).unwrap();
            let Some(first) = page.first() else { break };
            key = PageKey::Before(first.received, first.id);
            page.append(&mut backward);
            backward = page;
        }
        assert_eq!(backward, whole, "backward: {f:?}");
    }
    let tied: Vec<_> = all.iter().filter(|a| a.organ == o1.id && a.received == date(2024, 9, 5)).collect();
    assert_eq!(tied.len(), 2, "the fixture has a tie on the receipt date");
    let (after_first_tied, _) = s
        .applications_page(
            &AppFilter { key: Some(PageKey::After(tied[0].received, tied[0].id)), ..filters[1].clone() },
            Personal::Masked,
        )
        .unwrap();
    assert_eq!(after_first_tied[0].id, tied[1].id, "a tie is broken by the id");
    // A total the caller already knows is returned as it is (the page is still read).
    let known = AppFilter { known_total: Some(7), ..filters[0].clone() };
    let (page, total) = s.applications_page(&known, Personal::Masked).unwrap();
    assert_eq!((page, total), (s.applications_page(&filters[0], Personal::Masked).unwrap().0, 7));
    // An empty page still has its total (a page past the end).
    let past = AppFilter { offset: 50, ..filters[0].clone() };
    assert_eq!(s.applications_page(&past, Personal::Masked).unwrap(), (vec![], all.len() as u64));
    // `%` and `_` are literal: "%_1" matches P%_1 only.
    assert_eq!(s.applications_page(&filters[6], Personal::Masked).unwrap().1, 1);
    // Counts by organ and state.
    let counts = s.state_counts(&[o1.id, o2.id], today).unwrap();
    for c in &counts {
        let mine: Vec<&ApplicationSummary> = all.iter().filter(|a| a.organ == c.organ && a.state == c.state).collect();
        assert_eq!(c.count as usize, mine.len(), "{c:?}");
        let overdue = mine
            .iter()
            .filter(|a| matches!(a.state, StoredState::Open | StoredState::Paused) && a.due.is_some_and(|d| d < today))
            .count();
        assert_eq!(c.overdue as usize, overdue, "{c:?}");
    }
    assert_eq!(counts.iter().map(|c| c.count).sum::<u64>(), all.len() as u64);
    assert!(counts.iter().any(|c| c.overdue > 0), "the fixture has overdue applications");
    assert!(s.state_counts(&[], today).unwrap().is_empty());
}

/// A write the workflow refuses (stale version, a log the clock refuses, a date before the
/// record's start, a missing organ) leaves the record, its version and its audit trail as they
/// were: the backend's transaction is rolled back.
pub fn refused_writes_leave_no_trace(make: Factory) {
    let s = make(POOL);
    let o = organ(&*s, "某县统计局", None, None);
    let app = s.register(&new_app(o.id, "R-001", date(2024, 3, 4), vec![]), ACTOR).unwrap();
    let trail = |s: &dyn Store, e: Entity, id: i64| s.audit_log(e, &id.to_string(), Personal::Masked).unwrap().len();
    let d = date(2024, 3, 6);
    assert!(matches!(
        s.append_event(app.id, 7, &replied(d, Outcome::R3_1), ACTOR),
        Err(StoreError::Stale { expected: 7, current: 1 })
    ));
    let again = Event::Received { date: d, channel: Channel::Post };
    assert!(matches!(s.append_event(app.id, 1, &again, ACTOR), Err(StoreError::InvalidEvents(_))));
    assert_eq!(s.application(app.id, Personal::Visible).unwrap(), app);
    assert_eq!(trail(&*s, Entity::Application, app.id.0), 1);

    let e = s.add_catalogue_entry(&entry(o.id, "通知", date(2024, 3, 1)), ACTOR).unwrap();
    assert!(matches!(s.repeal_catalogue_entry(e.id, 1, date(2024, 2, 1), ACTOR), Err(StoreError::Invalid(_))));
    assert!(matches!(s.repeal_catalogue_entry(e.id, 2, date(2024, 4, 1), ACTOR), Err(StoreError::Stale { .. })));
    assert_eq!(s.catalogue_entry(e.id).unwrap(), e);
    assert_eq!(trail(&*s, Entity::CatalogueEntry, e.id.0), 1);
    let blank = NewCatalogueEntry { title: "  ".into(), ..entry(o.id, "", date(2024, 3, 1)) };
    assert!(matches!(s.add_catalogue_entry(&blank, ACTOR), Err(StoreError::Invalid(m)) if m.contains("标题")));
    assert_eq!(s.catalogue(o.id).unwrap(), vec![e]);

    let filed = date(2024, 5, 6);
    let k =
        s.add_case(&NewCase { organ: o.id, kind: CaseKind::Review, number: "某复1号".into(), filed }, ACTOR).unwrap();
    assert!(matches!(
        s.conclude_case(k.id, 1, date(2024, 5, 1), CaseResult::Other, ACTOR),
        Err(StoreError::Invalid(_))
    ));
    assert_eq!(s.case(k.id).unwrap(), k);
    assert_eq!(trail(&*s, Entity::Case, k.id.0), 1);
    let nowhere = OrganId(o.id.0 + 99);
    assert!(matches!(
        s.add_case(&NewCase { organ: nowhere, kind: CaseKind::Review, number: String::new(), filed }, ACTOR),
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        s.register(&new_app(nowhere, "R-002", date(2024, 3, 4), vec![]), ACTOR),
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(s.cases(&[o.id]).unwrap(), vec![k]);
    assert_eq!(s.applications(&[o.id], Personal::Masked).unwrap().len(), 1);
}

/// The `i`-th event after receipt in the logs the concurrency tests build: a consultation
/// started (odd positions) or answered (even), so every log of any length is valid and any
/// writer can append the next one.
fn nth_pause(i: usize) -> Event {
    let day = date(2024, 9, 3) + jiff::ToSpan::days(i64::try_from(i / 2).expect("small"));
    if i % 2 == 1 {
        Event::ConsultationStarted { date: day, party: Party::ThirdParty }
    } else {
        Event::ConsultationAnswered { date: day }
    }
}

/// Threads appending to one application through ONE store value, each with the version it
/// read: every version is won by exactly one append, the losers are told [`StoreError::Stale`]
/// and retry, and nothing is lost: the log holds exactly the appends that succeeded, each
/// audited once.
pub fn one_store_many_writers_no_lost_update(make: Factory) {
    const THREADS: usize = 8;
    const EACH: usize = 4;
    let s = make(POOL);
    let o = organ(&*s, "某县档案局", None, None);
    let app = s.register(&new_app(o.id, "W-1", date(2024, 9, 2), vec![]), ACTOR).unwrap();
    let barrier = std::sync::Barrier::new(THREADS);
    let won: Vec<(Vec<i64>, usize)> = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..THREADS)
            .map(|t| {
                let (s, barrier) = (&*s, &barrier);
                sc.spawn(move || {
                    barrier.wait();
                    let (mut versions, mut stale) = (Vec::new(), 0);
                    while versions.len() < EACH {
                        let seen = s.application(app.id, Personal::Masked).unwrap();
                        let next = nth_pause(seen.events.len());
                        match s.append_event(app.id, seen.version, &next, &format!("线程{t}")) {
                            Ok(after) => {
                                assert_eq!(after.version, seen.version + 1);
                                versions.push(after.version);
                            }
                            Err(StoreError::Stale { expected, current }) => {
                                assert!(current > expected, "stale means someone else won: {expected} → {current}");
                                stale += 1;
                            }
                            Err(e) => panic!("thread {t}: {e}"),
                        }
                    }
                    (versions, stale)
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut versions: Vec<i64> = won.iter().flat_map(|(v, _)| v.iter().copied()).collect();
    versions.sort_unstable();
    let total = THREADS * EACH;
    let expected: Vec<i64> = (2..=i64::try_from(total).unwrap() + 1).collect();
    assert_eq!(versions, expected, "each version won exactly once");
    let now = s.application(app.id, Personal::Masked).unwrap();
    assert_eq!(now.version, i64::try_from(total).unwrap() + 1);
    assert_eq!(now.events.len(), total + 1, "no append lost");
    for (i, e) in now.events.iter().enumerate().skip(1) {
        assert_eq!(e, &nth_pause(i), "the log is the sequence the winners wrote");
    }
    let trail = s.audit_log(Entity::Application, &app.id.0.to_string(), Personal::Masked).unwrap();
    assert_eq!(trail.len(), total + 1, "one audit row per committed write");
}

/// Readers on many threads while writers append, all through one store: no reader fails
/// (SQLite's WAL readers never wait for the writer) and none sees half a write: the log length
/// always equals the version, and versions never go back for one reader.
pub fn readers_during_writes(make: Factory) {
    const WRITES: usize = 24;
    let s = make(POOL);
    let o = organ(&*s, "某县气象局", None, None);
    let app = s.register(&new_app(o.id, "RD-1", date(2024, 9, 2), vec![]), ACTOR).unwrap();
    let done = std::sync::atomic::AtomicBool::new(false);
    let reads: usize = std::thread::scope(|sc| {
        let readers: Vec<_> = (0..3)
            .map(|_| {
                let (s, done) = (&*s, &done);
                sc.spawn(move || {
                    let (mut last, mut n) = (0, 0);
                    // At least a few reads even if the writer is done first.
                    while n < 5 || !done.load(std::sync::atomic::Ordering::Acquire) {
                        let a = s.application(app.id, Personal::Masked).unwrap();
                        assert_eq!(usize::try_from(a.version).unwrap(), a.events.len(), "a whole write or none");
                        assert!(a.version >= last, "versions never go back");
                        last = a.version;
                        let listed = s.applications(&[o.id], Personal::Masked).unwrap();
                        assert_eq!(listed.len(), 1);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        for i in 1..=WRITES {
            s.append_event(app.id, i64::try_from(i).unwrap(), &nth_pause(i), ACTOR).unwrap();
        }
        done.store(true, std::sync::atomic::Ordering::Release);
        readers.into_iter().map(|h| h.join().unwrap()).sum()
    });
    assert!(reads >= 15, "{reads}");
    assert_eq!(s.application(app.id, Personal::Masked).unwrap().version, i64::try_from(WRITES).unwrap() + 1);
}

/// A store with a pool of ONE connection: every workflow (each reads inside its own
/// transaction) completes, and threads sharing it take turns instead of deadlocking.
pub fn pool_of_one_serves_many_threads(make: Factory) {
    let s = make(1);
    let o = organ(&*s, "某县水利局", None, Some("{code}-{yyyy}-{seq:4}"));
    let app = s.register(&new_app(o.id, "ONE-1", date(2024, 9, 2), vec![]), ACTOR).unwrap();
    s.append_event(app.id, 1, &nth_pause(1), ACTOR).unwrap();
    s.add_catalogue_entry(&entry(o.id, "通知", date(2024, 3, 1)), ACTOR).unwrap();
    s.import_holidays(&notice_2027(), "通知", ACTOR).unwrap();
    assert_eq!(s.descendants(o.id).unwrap(), vec![o.id]);
    assert_eq!(s.fee_events_for_year(&[o.id], 2024).unwrap(), Vec::new());
    std::thread::scope(|sc| {
        for t in 0..4 {
            let s = &*s;
            sc.spawn(move || {
                for i in 0..5 {
                    let a =
                        s.register(&new_app(o.id, &format!("ONE-{t}-{i}"), date(2024, 9, 2), vec![]), ACTOR).unwrap();
                    s.append_event(a.id, 1, &nth_pause(1), ACTOR).unwrap();
                    s.add_catalogue_entry(&entry(o.id, "公告", date(2024, 3, 1)), ACTOR).unwrap();
                    assert!(s.applications(&[o.id], Personal::Masked).unwrap().len() > i);
                }
            });
        }
    });
    assert_eq!(s.applications(&[o.id], Personal::Masked).unwrap().len(), 21);
    let numbers: std::collections::BTreeSet<String> =
        s.catalogue(o.id).unwrap().into_iter().map(|e| e.index_no).collect();
    assert_eq!(numbers.len(), 21, "every 索引号 distinct");
}

/// A holiday import racing registrations through one store: whatever the order, no
/// application is left with dates computed on the calendar before the import (each was
/// written on the new calendar, or written before and recomputed by the import).
pub fn import_races_registrations(make: Factory) {
    let s = make(POOL);
    assert!(s.calendar().is_provisional(2027), "the embedded data must not cover 2027 for this test");
    let o = organ(&*s, "某县林业局", None, None);
    let barrier = std::sync::Barrier::new(4);
    std::thread::scope(|sc| {
        for t in 0..3 {
            let (s, barrier) = (&*s, &barrier);
            sc.spawn(move || {
                barrier.wait();
                for i in 0..8 {
                    s.register(&new_app(o.id, &format!("IR-{t}-{i}"), date(2026, 12, 28), vec![]), ACTOR).unwrap();
                }
            });
        }
        let (s, barrier) = (&*s, &barrier);
        sc.spawn(move || {
            barrier.wait();
            s.import_holidays(&notice_2027(), "国务院办公厅关于2027年部分节假日安排的通知", ACTOR).unwrap();
        });
    });
    let cal = s.calendar();
    assert!(!cal.is_provisional(2027));
    let list = s.applications(&[o.id], Personal::Masked).unwrap();
    assert_eq!(list.len(), 24);
    for a in list {
        let full = s.application(a.id, Personal::Masked).unwrap();
        let due = Clock::replay(&cal, &full.events).unwrap().due;
        assert_eq!(
            (a.serial.as_str(), a.provisional, a.due),
            (a.serial.as_str(), false, due),
            "on the imported calendar"
        );
    }
}

/// Holidays imported through another store (another process) are seen by this store's next
/// write, which derives on them (the stamp of the holiday rows changed), and from then on by
/// its reads of the calendar too.
pub fn import_by_another_process_reaches_writes(make: Factory) {
    let here = make(POOL);
    let there = make(1);
    assert!(here.calendar().is_provisional(2027), "the embedded data must not cover 2027 for this test");
    let o = organ(&*here, "某县交通运输局", None, None);
    there.import_holidays(&notice_2027(), "国务院办公厅关于2027年部分节假日安排的通知", "另一进程").unwrap();
    let a = here.register(&new_app(o.id, "X-1", date(2026, 12, 28), vec![]), ACTOR).unwrap();
    let listed = here.applications(&[o.id], Personal::Masked).unwrap();
    assert!(!listed[0].provisional, "registered on the imported calendar");
    assert!(!here.calendar().is_provisional(2027), "the store's calendar was reloaded");
    let due = Clock::replay(&there.calendar(), &a.events).unwrap().due;
    assert_eq!(listed[0].due, due);
}
