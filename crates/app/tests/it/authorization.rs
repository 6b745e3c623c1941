//! The authorization matrix over the service layer: every use case × every role × the organ's
//! relation to the principal's scope (own, descendant, ancestor, sibling, unrelated). The
//! expected allow/deny comes from the one table, `gongkai_app::auth::POLICY`, through
//! `allowed`; this test proves each use case asks it about the right organ and action and
//! does nothing when refused. A second test pins the table's key decisions by hand.

use gongkai_app::{Action, App, AppError, Principal, Relation, Role, Scope, allowed};
use gongkai_clock::{Channel, Event, Party};
use gongkai_register::{
    Applicant, ApplicantKind, CaseId, CaseKind, CaseResult, CatalogueKind, EntryId, OrganId, OrganKind, RequestedForm,
    YearlyCounts,
};
use gongkai_store::{Entity, NewApplication, NewCase, NewCatalogueEntry, NewOrgan, Personal, Store};
use gongkai_store_sqlite::SqliteStore;
use jiff::civil::date;

/// Ids of the seeded tree: R → A → AC, R → B, and U elsewhere. The principal's scope is A.
struct Seed {
    a: OrganId,
    by_relation: Vec<(Relation, OrganId)>,
}

fn organ(s: &dyn Store, name: &str, parent: Option<OrganId>) -> OrganId {
    let new = NewOrgan {
        name: name.into(),
        kind: if parent.is_none() { OrganKind::Government } else { OrganKind::Department },
        parent,
        code: format!("C-{name}"),
        index_pattern: None,
    };
    s.add_organ(&new, "seed").unwrap().id
}

fn app_of(organ: OrganId, serial: &str) -> NewApplication {
    NewApplication {
        organ,
        serial: serial.into(),
        applicant: Applicant {
            kind: ApplicantKind::NaturalPerson,
            name: "张三丰".into(),
            id_number: Some("110101199001011237".into()),
            phone: Some("13812345678".into()),
            address: None,
            email: None,
        },
        description: "某文件".into(),
        form: RequestedForm::Electronic,
        events: vec![Event::Received { date: date(2024, 9, 2), channel: Channel::Online }],
    }
}

/// A fresh register with one application, catalogue entry, case and counts per organ. The
/// record ids equal the organ ids (seeded in organ order).
fn seed() -> (SqliteStore, Seed) {
    let s = gongkai_store_sqlite::open_in_memory().unwrap();
    let r = organ(&s, "R", None);
    let a = organ(&s, "A", Some(r));
    let ac = organ(&s, "AC", Some(a));
    let b = organ(&s, "B", Some(r));
    let u = organ(&s, "U", None);
    for o in [r, a, ac, b, u] {
        s.register(&app_of(o, "S-1"), "seed").unwrap();
        s.add_catalogue_entry(
            &NewCatalogueEntry {
                organ: o,
                kind: CatalogueKind::Normative,
                title: "通知".into(),
                doc_number: String::new(),
                issued: date(2024, 3, 1),
            },
            "seed",
        )
        .unwrap();
        s.add_case(&NewCase { organ: o, kind: CaseKind::Review, number: "1".into(), filed: date(2024, 3, 1) }, "seed")
            .unwrap();
    }
    let by_relation = vec![
        (Relation::Own, a),
        (Relation::Descendant, ac),
        (Relation::Ancestor, r),
        (Relation::Sibling, b),
        (Relation::Unrelated, u),
    ];
    (s, Seed { a, by_relation })
}

type UseCase = fn(&mut App, OrganId) -> Result<(), AppError>;

/// Every organ-scoped use case, with the actions it needs.
fn use_cases() -> Vec<(&'static str, &'static [Action], UseCase)> {
    // Record ids equal organ ids in the seed.
    vec![
        ("show", &[Action::Read], |x, o| x.show(gongkai_register::AppId(o.0), None, date(2024, 9, 20)).map(drop)),
        ("show --unmask", &[Action::Read, Action::Unmask], |x, o| {
            x.show(gongkai_register::AppId(o.0), Some("核对身份"), date(2024, 9, 20)).map(drop)
        }),
        ("due --organ", &[Action::Read], |x, o| x.due(20, Some(o), date(2024, 9, 20)).map(drop)),
        ("history", &[Action::Read], |x, o| x.history(Entity::Application, &o.0.to_string(), None).map(drop)),
        ("history --unmask", &[Action::Read, Action::Unmask], |x, o| {
            x.history(Entity::Application, &o.0.to_string(), Some("核对")).map(drop)
        }),
        ("history of counts", &[Action::Read], |x, o| {
            x.history(Entity::YearlyCounts, &format!("{}/2024", o.0), None).map(drop)
        }),
        ("register", &[Action::Register], |x, o| x.register(&app_of(o, "N-1"), date(2024, 9, 20)).map(drop)),
        ("event", &[Action::RecordEvent], |x, o| {
            let e = Event::ConsultationStarted { date: date(2024, 9, 5), party: Party::ThirdParty };
            x.record_event(gongkai_register::AppId(o.0), 1, &e, date(2024, 9, 20)).map(drop)
        }),
        ("extension", &[Action::ApproveExtension], |x, o| {
            let e = Event::Extended { date: date(2024, 9, 20), days: 10, approver: "李主任".into() };
            x.record_event(gongkai_register::AppId(o.0), 1, &e, date(2024, 9, 20)).map(drop)
        }),
        ("catalogue add", &[Action::Keep], |x, o| {
            x.add_catalogue_entry(&NewCatalogueEntry {
                organ: o,
                kind: CatalogueKind::Rule,
                title: "办法".into(),
                doc_number: String::new(),
                issued: date(2024, 4, 1),
            })
            .map(drop)
        }),
        ("catalogue repeal", &[Action::Keep], |x, o| {
            x.repeal_catalogue_entry(EntryId(o.0), 1, date(2024, 9, 1)).map(drop)
        }),
        ("catalogue list", &[Action::Read], |x, o| x.catalogue(o).map(drop)),
        ("case add", &[Action::Keep], |x, o| {
            x.add_case(&NewCase {
                organ: o,
                kind: CaseKind::DirectLitigation,
                number: "2".into(),
                filed: date(2024, 5, 1),
            })
            .map(drop)
        }),
        ("case conclude", &[Action::Keep], |x, o| {
            x.conclude_case(CaseId(o.0), 1, date(2024, 8, 1), CaseResult::Maintained).map(drop)
        }),
        ("case list", &[Action::Read], |x, o| x.cases(o).map(drop)),
        ("counts set", &[Action::Keep], |x, o| {
            x.set_counts(&YearlyCounts {
                organ: o,
                year: 2024,
                licences: Some(1),
                penalties: None,
                coercions: None,
                fee_wan: None,
                confirmed_on: None,
            })
        }),
        ("counts show", &[Action::Read], |x, o| x.counts(o, 2024).map(drop)),
        ("letter", &[Action::Read, Action::Unmask], |x, o| {
            let input =
                gongkai_app::letters::LetterInput { third_party: Some("某公司".into()), ..Default::default() };
            x.letter(
                gongkai_register::AppId(o.0),
                gongkai_app::letters::LetterKind::ThirdParty,
                &input,
                date(2024, 9, 20),
            )
            .map(drop)
        }),
        ("letter sign-off", &[Action::Read, Action::Unmask, Action::SignLetter], |x, o| {
            let input =
                gongkai_app::letters::LetterInput { third_party: Some("某公司".into()), ..Default::default() };
            x.sign_off_letter(
                gongkai_register::AppId(o.0),
                gongkai_app::letters::LetterKind::ThirdParty,
                &input,
                date(2024, 9, 20),
            )
            .map(drop)
        }),
        ("ledger import", &[Action::Register], |x, o| {
            let rows: Vec<Vec<String>> = [
                ["受理编号", "收到申请日期", "提交方式", "申请人类型", "申请人姓名或名称", "申请内容"],
                ["L-1", "2024-09-02", "网络", "自然人", "王五", "某文件"],
            ]
            .iter()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
            match x.import_ledger(o, &rows, date(2024, 9, 20), false)? {
                gongkai_app::ledger::LedgerOutcome::Imported { .. } => Ok(()),
                other => panic!("a valid ledger was not imported: {other:?}"),
            }
        }),
        ("ledger export", &[Action::Read], |x, o| x.export_ledger(o, None).map(drop)),
        ("ledger export --unmask", &[Action::Read, Action::Unmask], |x, o| {
            x.export_ledger(o, Some("核对台账")).map(drop)
        }),
        ("compile", &[Action::Read], |x, o| {
            x.compile_report(o, 2024, false, &gongkai_compile::Options::default()).map(drop)
        }),
        ("compile --region", &[Action::Read], |x, o| {
            x.compile_report(o, 2024, true, &gongkai_compile::Options::default()).map(drop)
        }),
        ("user add", &[Action::ManageOrgans], |x, o| {
            x.add_user(&gongkai_app::accounts::NewAccount {
                name: "newuser".into(),
                display_name: "新用户".into(),
                role: Role::Clerk,
                organ: Some(o),
                password: "一个足够长的初始密码".into(),
            })
            .map(drop)
        }),
        ("organ add", &[Action::ManageOrgans], |x, o| {
            x.add_organ(&NewOrgan {
                name: "新机关".into(),
                kind: OrganKind::Department,
                parent: Some(o),
                code: "N".into(),
                index_pattern: None,
            })
            .map(drop)
        }),
        ("organ rename", &[Action::ManageOrgans], |x, o| {
            // The parent kept (read where the principal may read; a moved organ needs more).
            let parent = x.organs()?.into_iter().find(|g| g.id == o).and_then(|g| g.parent);
            x.change_organ(o, &gongkai_store::OrganChange { name: "改名后的机关".into(), parent }).map(drop)
        }),
    ]
}

#[test]
fn every_use_case_follows_the_policy_table_for_every_role_and_relation() {
    // One thread per role: each cell needs a fresh register.
    let results: Vec<(usize, Vec<String>)> = std::thread::scope(|t| {
        let handles: Vec<_> = Role::ALL.into_iter().map(|role| t.spawn(move || matrix_for(role))).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let checked: usize = results.iter().map(|r| r.0).sum();
    let leaks: Vec<String> = results.into_iter().flat_map(|r| r.1).collect();
    assert!(leaks.is_empty(), "{} of {checked} cells differ from the policy:\n{}", leaks.len(), leaks.join("\n"));
    assert_eq!(checked, Role::ALL.len() * Relation::ORGAN.len() * use_cases().len());
}

/// The cells of one role: (how many were checked, the ones that differ from the policy).
fn matrix_for(role: Role) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut leaks = Vec::new();
    for rel in Relation::ORGAN {
        for (name, actions, run) in use_cases() {
            let (store, seed) = seed();
            let target = seed.by_relation.iter().find(|(r, _)| *r == rel).unwrap().1;
            let scope = if role == Role::Operator { Scope::Everywhere } else { Scope::Organ(seed.a) };
            let rel_seen = if role == Role::Operator { Relation::Own } else { rel };
            let expected = actions.iter().all(|a| allowed(role, *a, rel_seen));
            let audit_before = store.audit_log(Entity::Application, &target.0.to_string(), Personal::Masked).unwrap();
            let mut app = App::new(&store, Principal { user: "测试用户".into(), role, scope, account: None });
            let got = run(&mut app, target);
            match (&got, expected) {
                (Ok(()), true) => {}
                (Err(AppError::Denied { .. }), false) => {
                    // A refusal changes nothing and audits nothing.
                    let after = store.audit_log(Entity::Application, &target.0.to_string(), Personal::Masked).unwrap();
                    if after.len() != audit_before.len() {
                        leaks.push(format!("{role:?} × {rel:?} × {name}: refused but audited"));
                    }
                }
                (other, _) => leaks.push(format!("{role:?} × {rel:?} × {name}: expected {expected}, got {other:?}")),
            }
            checked += 1;
        }
    }
    (checked, leaks)
}

#[test]
fn the_policy_table_says_what_the_roles_are() {
    use Action::*;
    use Relation::*;
    // 经办人: casework of its own organ only.
    for a in [Read, Unmask, Register, RecordEvent, Keep] {
        assert!(allowed(Role::Clerk, a, Own), "{a:?}");
        for r in [Descendant, Ancestor, Sibling, Unrelated] {
            assert!(!allowed(Role::Clerk, a, r), "{a:?} {r:?}");
        }
    }
    // Only the 负责人 approves an extension and signs letters (条例第三十三条).
    for role in [Role::Clerk, Role::Supervisor, Role::Admin] {
        assert!(!allowed(role, ApproveExtension, Own) && !allowed(role, SignLetter, Own), "{role:?}");
    }
    assert!(allowed(Role::Head, ApproveExtension, Own) && allowed(Role::Head, SignLetter, Own));
    // 监督人 reads its subtree, changes nothing and sees no personal data.
    assert!(allowed(Role::Supervisor, Read, Own) && allowed(Role::Supervisor, Read, Descendant));
    assert!(!allowed(Role::Supervisor, Read, Ancestor) && !allowed(Role::Supervisor, Read, Sibling));
    for a in Action::ALL.into_iter().filter(|a| *a != Read) {
        for r in Relation::ORGAN {
            assert!(!allowed(Role::Supervisor, a, r), "{a:?} {r:?}");
        }
    }
    // 管理员 manages organs in its subtree and does no casework.
    assert!(allowed(Role::Admin, ManageOrgans, Descendant) && !allowed(Role::Admin, ManageOrgans, Sibling));
    assert!(!allowed(Role::Admin, Register, Own) && !allowed(Role::Admin, Unmask, Own));
    // Nobody but the operator reaches an unrelated tree.
    for role in [Role::Admin, Role::Clerk, Role::Head, Role::Supervisor] {
        for a in Action::ALL {
            assert!(!allowed(role, a, Unrelated), "{role:?} {a:?}");
        }
    }
}

#[test]
fn lists_show_only_what_the_principal_reads() {
    let (store, seed) = seed();
    let clerk = Principal { user: "王科员".into(), role: Role::Clerk, scope: Scope::Organ(seed.a), account: None };
    let mut app = App::new(&store, clerk);
    let due = app.due(400, None, date(2024, 9, 20)).unwrap();
    assert_eq!(due.items.iter().map(|i| i.organ).collect::<Vec<_>>(), vec![seed.a]);
    assert_eq!(app.organs().unwrap().iter().map(|o| o.id).collect::<Vec<_>>(), vec![seed.a]);
    let sup =
        Principal { user: "赵监督".into(), role: Role::Supervisor, scope: Scope::Organ(seed.a), account: None };
    let mut app = App::new(&store, sup);
    let ac = seed.by_relation[1].1;
    assert_eq!(app.organs().unwrap().iter().map(|o| o.id).collect::<Vec<_>>(), vec![seed.a, ac]);
    // Masked unless unmasking is asked for; the supervisor may not, and is told so.
    let v = app.show(gongkai_register::AppId(ac.0), None, date(2024, 9, 20)).unwrap();
    assert_eq!(v.application.applicant.name, "张**");
    let e = app.show(gongkai_register::AppId(ac.0), Some("好奇"), date(2024, 9, 20)).unwrap_err();
    assert_eq!((e.code(), e.status()), ("denied", 403));
    assert!(e.to_string().contains("查看申请人个人信息"), "{e}");
}

#[test]
fn an_unmasked_read_is_audited_with_who_and_why() {
    let (store, seed) = seed();
    let head = Principal { user: "李主任".into(), role: Role::Head, scope: Scope::Organ(seed.a), account: None };
    let mut app = App::new(&store, head);
    let v = app.show(gongkai_register::AppId(seed.a.0), Some("答复前核对身份"), date(2024, 9, 20)).unwrap();
    assert_eq!(v.application.applicant.name, "张三丰");
    let h = app.history(Entity::Application, &seed.a.0.to_string(), None).unwrap();
    let last = h.last().unwrap();
    assert_eq!((last.entry.actor.as_str(), last.change_text.as_str()), ("李主任", "查看个人信息（答复前核对身份）"));
    // Only holidays need no organ: the admin may import them, the clerk may not.
    let clerk = Principal { user: "王科员".into(), role: Role::Clerk, scope: Scope::Organ(seed.a), account: None };
    let listed = [gongkai_calendar::Listed { date: date(2027, 2, 8), workday: false, name: "春节".into() }];
    assert_eq!(App::new(&store, clerk).import_holidays(&listed, "t").unwrap_err().code(), "denied");
    let admin = Principal { user: "管理员".into(), role: Role::Admin, scope: Scope::Organ(seed.a), account: None };
    assert!(App::new(&store, admin).import_holidays(&listed, "t").is_ok());
}
