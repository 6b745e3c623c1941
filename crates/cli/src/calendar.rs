//! `gongkai calendar`: quick working-day answers for clerks and scripts.

use anyhow::{Context, Result};
use gongkai_calendar::Calendar;
use jiff::civil::Date;
use serde_json::json;

#[derive(clap::Subcommand, Debug)]
pub enum CalCmd {
    /// DATE 之后第 N 个工作日（DATE 当天不计）
    Add { date: String, n: u32 },
    /// D1 之后到 D2（含）之间的工作日数
    Between { from: String, to: String },
    /// DATE 是否为工作日
    IsWorkday { date: String },
}

fn date(s: &str) -> Result<Date> {
    s.parse::<Date>().with_context(|| format!("日期“{s}”无效，应为YYYY-MM-DD"))
}

fn load(holidays: Option<&str>) -> Result<Calendar> {
    let base = Calendar::official();
    match holidays {
        None => Ok(base.clone()),
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("无法读取放假安排文件“{p}”"))?;
            Ok(base.extended(&text).with_context(|| p.to_string())?)
        }
    }
}

pub fn run(cmd: &CalCmd, holidays: Option<&str>, json_out: bool) -> Result<u8> {
    let cal = load(holidays)?;
    let (value, text) = match cmd {
        CalCmd::Add { date: d, n } => {
            let start = date(d)?;
            let due = cal.add_workdays(start, *n)?;
            (
                json!({ "from": start.to_string(), "workdays": n, "date": due.to_string(), "weekday": format!("{:?}", due.weekday()) }),
                format!("{due}（{start} 之后第 {n} 个工作日）"),
            )
        }
        CalCmd::Between { from, to } => {
            let (a, b) = (date(from)?, date(to)?);
            let n = cal.workdays_between(a, b)?;
            (
                json!({ "from": a.to_string(), "to": b.to_string(), "workdays": n }),
                format!("{n}（{a} 之后至 {b}（含）的工作日数）"),
            )
        }
        CalCmd::IsWorkday { date: d } => {
            let day = date(d)?;
            let kind = cal.kind(day)?;
            (
                json!({ "date": day.to_string(), "workday": kind.is_workday(), "kind": kind.zh() }),
                format!("{day}：{}（{}）", if kind.is_workday() { "工作日" } else { "非工作日" }, kind.zh()),
            )
        }
    };
    if json_out {
        println!("{value}");
    } else {
        println!("{text}");
    }
    Ok(0)
}

/// `gongkai clock`: replay an application's event log and explain its due date.
pub fn clock(path: &str, today: Option<&str>, holidays: Option<&str>, json_out: bool) -> Result<u8> {
    use std::io::Read;
    let mut text = String::new();
    if path == "-" {
        std::io::stdin().read_to_string(&mut text).context("无法读取标准输入")?;
    } else {
        text = std::fs::read_to_string(path).with_context(|| format!("无法读取“{path}”"))?;
    }
    let events: Vec<gongkai_clock::Event> =
        serde_json::from_str(&text).with_context(|| format!("“{path}”不是事件记录（JSON 数组）"))?;
    let cal = load(holidays)?;
    let clock = gongkai_clock::Clock::replay(&cal, &events)?;
    let today = match today {
        Some(t) => date(t)?,
        None => jiff::Zoned::now().date(),
    };
    let left = clock.days_left(&cal, today).ok().flatten();
    if json_out {
        let mut v = serde_json::to_value(&clock)?;
        v["today"] = json!(today.to_string());
        v["days_left"] = json!(left);
        v["overdue"] = json!(clock.overdue(today));
        println!("{v}");
    } else {
        println!("{}", clock.explain());
        match (&clock.state, clock.due, left) {
            (gongkai_clock::State::Open, Some(due), Some(n)) if n >= 0 => {
                println!("截至{today}：距答复期限{due}还有{n}个工作日")
            }
            (gongkai_clock::State::Open, Some(due), Some(n)) => {
                println!("截至{today}：已超过答复期限{due}共{}个工作日", -n)
            }
            (gongkai_clock::State::Paused(_), _, _) => println!("截至{today}：计时暂停中"),
            (gongkai_clock::State::AwaitingCorrection, _, _) => println!("截至{today}：等待申请人补正"),
            _ => {}
        }
    }
    Ok(0)
}

/// ns per calendar operation (for `gongkai bench --kind calendar`).
pub fn bench() {
    let cal = Calendar::official();
    let start = Date::new(2019, 1, 1).unwrap_or_default();
    let days: Vec<Date> = (0..1_000_000u64)
        .map(|i| {
            let off = (i.wrapping_mul(2654435761) % 2900) as i64;
            start.checked_add(jiff::Span::new().days(off)).unwrap_or(start)
        })
        .collect();
    let t = std::time::Instant::now();
    let mut sink = 0u64;
    for d in &days {
        sink += u64::from(cal.is_workday(*d).unwrap_or(false));
    }
    let is_ns = t.elapsed().as_nanos() as f64 / days.len() as f64;
    let t = std::time::Instant::now();
    for d in &days {
        if let Ok(x) = cal.add_workdays(*d, 20) {
            sink += u64::from(x.day() as u8);
        }
    }
    let add_ns = t.elapsed().as_nanos() as f64 / days.len() as f64;
    let t = std::time::Instant::now();
    for w in days.windows(2) {
        sink = sink.wrapping_add(cal.workdays_between(w[0], w[1]).unwrap_or(0) as u64);
    }
    let between_ns = t.elapsed().as_nanos() as f64 / (days.len() - 1) as f64;
    std::hint::black_box(sink);
    println!(
        "calendar: is_workday {is_ns:.0} ns/op, add_workdays(20) {add_ns:.0} ns/op, workdays_between {between_ns:.0} ns/op (1,000,000 random dates 2019–2026)"
    );
}
