//! Test helper for the crash test (`tests/crash.rs`): registers applications in a loop and
//! prints `registered ID` / `appended ID` after each committed write, until killed.
//! Usage: `gongkai-sqlite-crash-writer DB_PATH FIRST_SERIAL`.

use gongkai_clock::{Channel, Event, Outcome};
use gongkai_register::{Applicant, ApplicantKind, OrganId, OrganKind, RequestedForm};
use gongkai_store::{NewApplication, NewOrgan, Store};
use jiff::civil::date;
use std::io::Write;

/// The log of application number `n` (deterministic, so the parent can check it): receipt and
/// an extension at registration, then a reply appended.
pub fn events(n: u64) -> (Vec<Event>, Event) {
    let first = vec![
        Event::Received { date: date(2024, 9, 2), channel: Channel::Online },
        Event::Extended { date: date(2024, 9, 20), days: 1 + (n % 20) as u32, approver: "李某".into() },
    ];
    const ROWS: [Outcome; 5] = [Outcome::R3_1, Outcome::R3_2, Outcome::R3_3_4, Outcome::R3_4_1, Outcome::R3_5_2];
    let outcome = ROWS[(n as usize) % ROWS.len()];
    (first, Event::Replied { date: date(2024, 10, 8), outcome })
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(first)) = (args.next(), args.next()) else {
        eprintln!("用法：gongkai-sqlite-crash-writer 数据库文件 起始编号");
        std::process::exit(2);
    };
    let first: u64 = first.parse().expect("起始编号");
    let store = gongkai_store_sqlite::open(&path).expect("open");
    let organ = match store.organs().expect("organs").first() {
        Some(o) => o.id,
        None => {
            let new = NewOrgan {
                name: "某县人民政府办公室".into(),
                kind: OrganKind::Government,
                parent: None,
                code: "000000001".into(),
                index_pattern: None,
            };
            store.add_organ(&new, "crash").expect("organ").id
        }
    };
    let out = std::io::stdout();
    for n in first.. {
        let (log, reply) = events(n);
        let new = NewApplication {
            organ: OrganId(organ.0),
            serial: format!("K-{n}"),
            applicant: Applicant::new(ApplicantKind::NaturalPerson, format!("申请人{n}")),
            description: "某事项".into(),
            form: RequestedForm::Electronic,
            events: log,
        };
        let app = store.register(&new, "crash").expect("register");
        writeln!(out.lock(), "registered {} {n}", app.id.0).expect("stdout");
        store.append_event(app.id, 1, &reply, "crash").expect("append");
        writeln!(out.lock(), "appended {} {n}", app.id.0).expect("stdout");
    }
}
