//! `gongkai-bench store`: load generated applications into a fresh register (SQLite file or,
//! built with `--features postgres`, a PostgreSQL schema `gongkai_bench`) in batched
//! transactions, then time the due list and the yearly selection. Deterministic: the same
//! `--rows` and `--seed` give the same data. It also fills the 1,000,000-application register
//! of the web load test (`crates/web/tests/load/`). Formerly `gongkai store-bench`.

use anyhow::{Result, bail};
use gongkai_calendar::Calendar;
use gongkai_clock::{Channel, Event, Outcome, Party};
use gongkai_register::{Applicant, ApplicantKind, OrganId, OrganKind, RequestedForm};
use gongkai_store::{NewApplication, NewOrgan, Store};
use jiff::civil::{Date, date};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// 新登记簿的位置：尚不存在的 SQLite 文件路径，或 postgres:// 地址（须以 --features postgres 构建）
    #[arg(long)]
    db: Option<String>,
    /// 申请件数
    #[arg(long, default_value_t = 1_000_000)]
    rows: usize,
    /// 机关数（一个人民政府及其下属部门）
    #[arg(long, default_value_t = 200)]
    organs: usize,
    /// 每个事务载入的件数
    #[arg(long, default_value_t = 5_000)]
    batch: usize,
    /// 随机种子
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// 要测的内容：store-load（载入）、due-list（到期查询）、year（年度查询）；可重复，默认全部
    #[arg(long, value_enum)]
    kind: Vec<BenchKind>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchKind {
    StoreLoad,
    DueList,
    Year,
}

/// The seeded generator (deterministic per seed) with the two draws the generator uses.
struct Rng(fastrand::Rng);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0.u64(..n)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Generates realistic applications: receipts on working days of 2024–2025, 3–5 events on
/// average (补正 30 %, consultation 30 %, extension 25 %), replies spread over table 三's rows,
/// applications received in the last weeks still open, about 1 % forgotten (overdue).
struct Gen {
    rng: Rng,
    days: Vec<Date>,
    cal: &'static Calendar,
}

const OUTCOMES: [(Outcome, u64); 12] = [
    (Outcome::R3_1, 30),
    (Outcome::R3_2, 15),
    (Outcome::R3_3_1, 1),
    (Outcome::R3_3_4, 4),
    (Outcome::R3_3_6, 3),
    (Outcome::R3_4_1, 20),
    (Outcome::R3_4_2, 4),
    (Outcome::R3_4_3, 3),
    (Outcome::R3_5_1, 6),
    (Outcome::R3_5_2, 4),
    (Outcome::R3_6_3, 5),
    (Outcome::R3_6_1, 5),
];

impl Gen {
    fn new(seed: u64) -> Gen {
        let cal = Calendar::official();
        let mut days = Vec::new();
        let mut d = date(2024, 1, 1);
        while d <= date(2025, 12, 31) {
            if cal.is_workday(d).unwrap_or(false) {
                days.push(d);
            }
            d = d.tomorrow().expect("date");
        }
        Gen { rng: Rng(fastrand::Rng::with_seed(seed)), days, cal }
    }

    fn wd(&self, d: Date, n: u32) -> Date {
        self.cal.add_workdays(d, n).expect("calendar covers 2024–2026")
    }

    fn events(&mut self) -> Vec<Event> {
        let received = self.days[self.rng.below(self.days.len() as u64) as usize];
        let channel = [Channel::Online, Channel::Online, Channel::Post, Channel::InPerson, Channel::Letter]
            [self.rng.below(5) as usize];
        let mut ev = vec![Event::Received { date: received, channel }];
        let mut base = received;
        let mut corrected = false;
        if self.rng.chance(30) {
            ev.push(Event::CorrectionRequested { date: self.wd(received, 2) });
            if self.rng.chance(15) {
                ev.push(Event::CorrectionExpired { date: self.wd(received, 17) });
                return ev;
            }
            base = self.wd(received, 6);
            ev.push(Event::CorrectionReceived { date: base });
            corrected = true;
        }
        let mut last = 2;
        if self.rng.chance(30) {
            let party = if self.rng.chance(70) { Party::ThirdParty } else { Party::CoProducer };
            ev.push(Event::ConsultationStarted { date: self.wd(base, 3), party });
            ev.push(Event::ConsultationAnswered { date: self.wd(base, 8) });
            last = 8;
        }
        if self.rng.chance(25) {
            let days = 10 + self.rng.below(11) as u32;
            ev.push(Event::Extended { date: self.wd(base, 15), days, approver: "李某".into() });
            last = 15;
        }
        // About 1 % are never answered: they stay open and become overdue.
        if self.rng.chance(1) {
            return ev;
        }
        let after = last + 1 + self.rng.below(12) as u32;
        let reply_day = self.wd(base, after);
        // Applications whose reply would fall after the data's "today" are still open.
        if reply_day > date(2025, 12, 31) {
            return ev;
        }
        let total: u64 = OUTCOMES.iter().map(|o| o.1).sum();
        let mut pick = self.rng.below(total);
        let mut outcome = Outcome::R3_1;
        for (o, w) in OUTCOMES {
            if pick < w {
                outcome = o;
                break;
            }
            pick -= w;
        }
        ev.push(match outcome {
            Outcome::R3_6_3 => Event::Withdrawn { date: reply_day },
            Outcome::R3_6_1 | Outcome::R3_4_3 if !corrected => {
                Event::Replied { date: reply_day, outcome: Outcome::R3_1 }
            }
            Outcome::R3_6_1 => Event::Replied { date: reply_day, outcome: Outcome::R3_4_1 },
            o => Event::Replied { date: reply_day, outcome: o },
        });
        ev
    }

    fn applicant(&mut self, n: usize) -> Applicant {
        let kind = match self.rng.below(100) {
            0..=79 => ApplicantKind::NaturalPerson,
            80..=91 => ApplicantKind::Business,
            92..=93 => ApplicantKind::Research,
            94..=95 => ApplicantKind::Ngo,
            96..=98 => ApplicantKind::LegalService,
            _ => ApplicantKind::Other,
        };
        Applicant {
            kind,
            name: format!("申请人{n}"),
            id_number: Some(format!("1101011990{:08}", n % 100_000_000)),
            phone: Some(format!("138{:08}", n % 100_000_000)),
            address: None,
            email: None,
        }
    }
}

fn open_fresh(db: Option<&str>) -> Result<(std::sync::Arc<dyn Store>, String)> {
    let spec = match db {
        Some(s) => s.to_string(),
        None => bail!("请用 --db 指定一个新的 SQLite 文件或 postgres:// 地址（性能测试会写入大量数据）"),
    };
    if gongkai_store_open::is_postgres(&spec) {
        return open_pg_fresh(&spec);
    }
    if std::path::Path::new(&spec).exists() {
        bail!("“{spec}”已存在；性能测试只写入新文件");
    }
    Ok((open(&spec, true)?, spec))
}

/// Open through the store factory, its warnings on stderr.
fn open(spec: &str, create: bool) -> Result<std::sync::Arc<dyn Store>> {
    let opened = gongkai_store_open::open(spec, create)?;
    for w in &opened.warnings {
        eprintln!("gongkai-bench: {w}");
    }
    Ok(opened.store)
}

#[cfg(feature = "postgres")]
fn open_pg_fresh(url: &str) -> Result<(std::sync::Arc<dyn Store>, String)> {
    let mut c = postgres::Client::connect(url, postgres::NoTls)?;
    c.batch_execute("DROP SCHEMA IF EXISTS gongkai_bench CASCADE")?;
    let s = gongkai_store_postgres::open_in_schema(url, "gongkai_bench", gongkai_store_open::default_pool())?;
    Ok((std::sync::Arc::new(s), url.to_string()))
}

#[cfg(not(feature = "postgres"))]
fn open_pg_fresh(url: &str) -> Result<(std::sync::Arc<dyn Store>, String)> {
    open(url, false).map(|s| (s, url.to_string()))
}

#[cfg(feature = "postgres")]
fn pg_size(url: &str) -> Option<u64> {
    let mut c = postgres::Client::connect(url, postgres::NoTls).ok()?;
    let n: i64 = c
        .query_one(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'gongkai_bench' AND c.relkind = 'r'",
            &[],
        )
        .ok()?
        .get(0);
    u64::try_from(n).ok()
}

#[cfg(not(feature = "postgres"))]
fn pg_size(_url: &str) -> Option<u64> {
    None
}

fn size_of(spec: &str) -> Option<u64> {
    if gongkai_store_open::is_postgres(spec) {
        return pg_size(spec);
    }
    let main = std::fs::metadata(spec).ok()?.len();
    let wal = std::fs::metadata(format!("{spec}-wal")).map(|m| m.len()).unwrap_or(0);
    Some(main + wal)
}

/// Run a query three times; print the first (cold-ish) and the best time.
fn timed<T>(label: &str, mut f: impl FnMut() -> Result<T>) -> Result<T> {
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..3 {
        let t = Instant::now();
        last = Some(f()?);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let best = times.iter().copied().fold(f64::INFINITY, f64::min);
    println!("{label}: 首次 {:.1} ms，最快 {best:.1} ms", times[0]);
    last.ok_or_else(|| anyhow::anyhow!("no run"))
}

pub fn run(args: &BenchArgs) -> Result<()> {
    let kinds = if args.kind.is_empty() {
        vec![BenchKind::StoreLoad, BenchKind::DueList, BenchKind::Year]
    } else {
        args.kind.clone()
    };
    let (s, spec) = open_fresh(args.db.as_deref())?;
    println!("后端：{}；{} 件申请，{} 个机关，每批 {} 件", s.backend(), args.rows, args.organs, args.batch);
    // The organ tree: one government and its departments.
    let root = s.add_organ(
        &NewOrgan {
            name: "某市某区人民政府".into(),
            kind: OrganKind::Government,
            parent: None,
            code: "000000000".into(),
            index_pattern: None,
        },
        "bench",
    )?;
    let mut organs = vec![root.id];
    for i in 1..args.organs.max(1) {
        let o = s.add_organ(
            &NewOrgan {
                name: format!("某区第{i}部门"),
                kind: OrganKind::Department,
                parent: Some(root.id),
                code: format!("{i:09}"),
                index_pattern: None,
            },
            "bench",
        )?;
        organs.push(o.id);
    }
    // Load (always: the queries need data).
    let mut g = Gen::new(args.seed);
    let t = Instant::now();
    let mut events = 0usize;
    let mut n = 0usize;
    while n < args.rows {
        let k = args.batch.min(args.rows - n);
        let batch: Vec<NewApplication> = (n..n + k)
            .map(|i| {
                // Skewed organ sizes: a few big departments, many small ones.
                let r = g.rng.below(1000) as usize;
                let organ = organs[(r * r / 1000 * organs.len() / 1000).min(organs.len() - 1)];
                let ev = g.events();
                events += ev.len();
                NewApplication {
                    organ: OrganId(organ.0),
                    serial: format!("{}-{i:07}", 2024),
                    applicant: g.applicant(i),
                    description: "关于某项目审批文件的公开申请".into(),
                    form: RequestedForm::Electronic,
                    events: ev,
                }
            })
            .collect();
        s.import_applications(&batch, "bench")?;
        n += k;
        if n % 100_000 == 0 {
            eprintln!("  已载入 {n} 件（{:.0} 秒）", t.elapsed().as_secs_f64());
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let ta = Instant::now();
    s.analyze()?;
    let analyze_secs = ta.elapsed().as_secs_f64();
    if kinds.contains(&BenchKind::StoreLoad) {
        println!(
            "store-load: {n} 件申请、{events} 个事件（平均 {:.2} 个/件），{secs:.1} 秒，{:.0} 件/秒",
            events as f64 / n.max(1) as f64,
            n as f64 / secs
        );
        println!("ANALYZE（PostgreSQL 另含 VACUUM）：{analyze_secs:.1} 秒");
        if let Some(b) = size_of(&spec) {
            println!("数据库大小：{:.1} MiB", b as f64 / (1024.0 * 1024.0));
        }
    }
    if kinds.contains(&BenchKind::DueList) {
        for (label, until) in [("5 个工作日内", date(2026, 1, 8)), ("20 个工作日内", date(2026, 1, 30))] {
            let items = timed(&format!("due-list 全区 {} 个机关，{label}", organs.len()), || {
                Ok(s.due_list(&organs, until)?)
            })?;
            println!("  → {} 件", items.len());
        }
        let one = [organs[0]];
        let items = timed("due-list 一个机关", || Ok(s.due_list(&one, date(2026, 1, 30))?))?;
        println!("  → {} 件", items.len());
    }
    if kinds.contains(&BenchKind::Year) {
        for year in [2024, 2025] {
            let one = [organs[0]];
            let items = timed(&format!("applications_for_year {year} 一个机关"), || {
                Ok(s.applications_for_year(&one, year)?)
            })?;
            println!("  → {} 件", items.len());
            let items = timed(&format!("applications_for_year {year} 全区 {} 个机关", organs.len()), || {
                Ok(s.applications_for_year(&organs, year)?)
            })?;
            println!("  → {} 件", items.len());
        }
    }
    Ok(())
}
