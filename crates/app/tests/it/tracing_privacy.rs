//! The use-case log events carry ids, action names, outcome codes and durations only: a
//! register → show (unmasked, audited) → refused register run with a known applicant's name,
//! ID number and phone under a capturing subscriber never puts any of them in the logs.

use gongkai_app::{App, Principal, Role, Scope};
use gongkai_clock::{Channel, Event};
use gongkai_register::{Applicant, ApplicantKind, OrganKind, RequestedForm};
use gongkai_store::{NewApplication, NewOrgan, Store};
use jiff::civil::date;

const NAME: &str = "欧阳追踪";
const ID_NUMBER: &str = "110101199001011237";
const PHONE: &str = "13912345678";
const EMAIL: &str = "zhuizong@example.cn";
const ADDRESS: &str = "北京市东城区追踪胡同8号";

fn new_application(organ: gongkai_register::OrganId, serial: &str) -> NewApplication {
    NewApplication {
        organ,
        serial: serial.into(),
        applicant: Applicant {
            kind: ApplicantKind::NaturalPerson,
            name: NAME.into(),
            id_number: Some(ID_NUMBER.into()),
            phone: Some(PHONE.into()),
            address: Some(ADDRESS.into()),
            email: Some(EMAIL.into()),
        },
        description: "本机关2024年的采购合同".into(),
        form: RequestedForm::Electronic,
        events: vec![Event::Received { date: date(2024, 9, 2), channel: Channel::Online }],
    }
}

#[test]
fn use_case_logs_hold_no_personal_data() {
    let captured = gongkai_testkit::CapturedLog::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .without_time()
        .with_writer(move || writer.clone())
        .finish();
    let store = gongkai_store_sqlite::open_in_memory().unwrap();
    let organ = store
        .add_organ(
            &NewOrgan {
                name: "某区人民政府办公室".into(),
                kind: OrganKind::Government,
                parent: None,
                code: "X1".into(),
                index_pattern: None,
            },
            "seed",
        )
        .unwrap()
        .id;
    // The global subscriber of this test binary: a scoped one (`with_default`) missed events
    // now and then while other tests of the binary ran use cases on other threads (tracing's
    // per-callsite interest cache). Other tests' events land here too, which only adds lines.
    tracing::subscriber::set_global_default(subscriber).expect("the only global subscriber of this test binary");
    {
        let mut app = App::new(&store, Principal::local("操作员"));
        let registered = app.register(&new_application(organ, "2024-001"), date(2024, 9, 3)).unwrap();
        let shown = app.show(registered.id, Some("答复前核对身份"), date(2024, 9, 3)).unwrap();
        assert_eq!(shown.application.applicant.name, NAME, "the unmasked read itself works");
        // A refusal (the same serial again) is logged with its code, not its message.
        let again = app.register(&new_application(organ, "2024-001"), date(2024, 9, 3)).unwrap_err();
        assert_eq!(again.code(), "duplicate");
        // A clerk of another scope is refused.
        let mut clerk = App::new(
            &store,
            Principal {
                user: "科员".into(),
                role: Role::Clerk,
                scope: Scope::Organ(gongkai_register::OrganId(999)),
                account: None,
            },
        );
        assert!(clerk.show(registered.id, None, date(2024, 9, 3)).is_err());
    }
    let logs = captured.text();
    // The events are there, with the use case, action, organ and outcome code …
    assert!(logs.contains("use_case=\"register\""), "{logs}");
    assert!(logs.contains("action=Register"), "{logs}");
    assert!(logs.contains(&format!("organ={}", organ.0)), "{logs}");
    assert!(logs.contains("outcome=\"ok\""), "{logs}");
    assert!(logs.contains("outcome=\"duplicate\""), "{logs}");
    assert!(logs.contains("outcome=\"denied\"") || logs.contains("outcome=\"not_found\""), "{logs}");
    // … and none of the applicant's personal data, whole or in part.
    for secret in [NAME, "欧阳", ID_NUMBER, PHONE, EMAIL, "zhuizong", ADDRESS, "追踪胡同"] {
        assert!(!logs.contains(secret), "“{secret}” leaked into the logs:\n{logs}");
    }
}

/// Every public use case of `App` (a `pub fn` taking `&mut self`) runs inside `use_case`, so
/// that each is traced with its outcome code; a new one that forgets fails here. The two
/// authorization helpers and `letter` (which calls the traced `send_letter`) are not use cases.
#[test]
fn every_use_case_is_traced() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let not_use_cases = ["authorize", "authorize_whole_register", "letter"];
    let mut untraced = Vec::new();
    let mut seen = 0;
    // Every source file, in sub-modules too.
    let mut paths = Vec::new();
    let mut dirs = vec![dir];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() { dirs.push(path) } else { paths.push(path) }
        }
    }
    for path in paths {
        let src = std::fs::read_to_string(&path).unwrap();
        for (at, _) in src.match_indices("\n    pub fn ") {
            let rest = &src[at + "\n    pub fn ".len()..];
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            let Some(open) = rest.find(" {\n") else { continue };
            if !rest[..open].contains("&mut self") || not_use_cases.contains(&name.as_str()) {
                continue;
            }
            seen += 1;
            let body = rest[open + 3..].trim_start();
            if !body.starts_with("self.use_case(") {
                untraced.push(format!("{}: {name}", path.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(seen >= 25, "only {seen} use cases found: the scan is broken");
    assert!(untraced.is_empty(), "use cases outside `use_case`: {untraced:?}");
}
