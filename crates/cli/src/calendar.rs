//! `gongkai calendar`: quick working-day answers for clerks and scripts.

use anyhow::{Context, Result};
use gongkai_calendar::Calendar;
use jiff::civil::Date;
use serde_json::json;

#[derive(clap::Subcommand, Debug)]
pub enum CalCmd {
    /// DATE 之后第 N 个工作日（DATE 当天不计）
    Add {
        /// 起算日期（YYYY-MM-DD）
        date: String,
        /// 工作日数
        n: u32,
    },
    /// D1 之后到 D2（含）之间的工作日数
    Between {
        /// 开始日期（不计入）
        from: String,
        /// 结束日期（计入），不得早于开始日期
        to: String,
    },
    /// DATE 是否为工作日
    IsWorkday {
        /// 日期（YYYY-MM-DD）
        date: String,
    },
    /// 把放假安排导入登记簿（此后所有命令和服务都使用）：可以是国务院办公厅《关于20XX年部分节假日安排的通知》
    /// 的原文（直接粘贴保存为文本文件），也可以是 holidays.tsv 格式；导入后自动重算所有暂定的答复期限
    ///
    /// 例：gongkai calendar import 2027年放假通知.txt
    Import {
        /// 通知原文或 TSV 文件；- 表示标准输入
        file: String,
        /// 通知标题中没有年份时，指定所属年份
        #[arg(long)]
        year: Option<i16>,
    },
}

fn date(s: &str) -> Result<Date> {
    Ok(gongkai_register::validate::date("日期", s)?)
}

/// The calendar the commands answer on: the register's (its imported notices) when a register
/// is named (`--db`, `GONGKAI_DB`) or exists at the default place, else the embedded notices;
/// then a `--holidays` file over it. Years without a notice are answered provisionally.
fn load(holidays: Option<&str>, db: Option<&str>) -> Result<Calendar> {
    let spec = crate::register_cmd::db_spec(db);
    let named = db.is_some() || std::env::var("GONGKAI_DB").is_ok_and(|s| !s.is_empty());
    let base = if named || std::path::Path::new(&spec).exists() {
        Calendar::clone(&crate::register_cmd::open_read(&spec)?.calendar())
    } else {
        Calendar::official().with_provisional()
    };
    match holidays {
        None => Ok(base),
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("无法读取放假安排文件“{p}”"))?;
            Ok(base.extended(&text).with_context(|| p.to_string())?)
        }
    }
}

/// A text file (or `-` for standard input) in any encoding a clerk's editor saves (UTF-8,
/// GB18030 …); a file of more than 1 MiB is not a holiday notice.
fn read_text(file: &str) -> Result<String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    if file == "-" {
        std::io::stdin().take(1 << 20 | 1).read_to_end(&mut bytes).context("无法读取标准输入")?;
    } else {
        std::fs::File::open(file)
            .with_context(|| format!("无法打开“{file}”"))?
            .take(1 << 20 | 1)
            .read_to_end(&mut bytes)
            .with_context(|| format!("无法读取“{file}”"))?;
    }
    if bytes.len() > 1 << 20 {
        anyhow::bail!("“{file}”超过 1 MiB，不是放假安排通知或 holidays.tsv 文件");
    }
    Ok(gongkai_parse::encoding::decode(&bytes, false).text)
}

/// `gongkai calendar import`: read a notice or TSV and write it into the register.
fn import(file: &str, year: Option<i16>, db: Option<&str>, json_out: bool) -> Result<u8> {
    let text = read_text(file)?;
    let listed = gongkai_calendar::read_any(&text, year).map_err(|e| anyhow::anyhow!("“{file}”：{e}"))?;
    if listed.is_empty() {
        anyhow::bail!("“{file}”中没有放假安排日期");
    }
    let store = crate::register_cmd::open(&crate::register_cmd::db_spec(db), false)?;
    let source = if gongkai_calendar::notice::looks_like_notice(&text) {
        format!("通知原文 {file}")
    } else {
        format!("放假安排文件 {file}")
    };
    let mut app = gongkai_app::App::new(&*store, gongkai_app::Principal::local(crate::register_cmd::actor()));
    let r = app.import_holidays(&listed, &source)?;
    let years: std::collections::BTreeSet<i16> = listed.iter().map(|l| l.date.year()).collect();
    let years = years.iter().map(|y| format!("{y}年")).collect::<Vec<_>>().join("、");
    let covered = r.covered.iter().map(|y| y.to_string()).collect::<Vec<_>>().join("、");
    let text = format!(
        "已导入{years}放假安排：{} 个日期。登记簿现有放假安排的年份：{covered}。\n重新计算了 {} 件暂定期限的申请{}",
        r.dates,
        r.recomputed,
        if r.still_provisional > 0 {
            format!("，其中 {} 件仍涉及尚未导入放假安排的年份，期限仍为暂定", r.still_provisional)
        } else {
            String::new()
        }
    );
    if json_out {
        println!("{}", serde_json::to_value(&r)?);
    } else {
        println!("{text}");
    }
    Ok(0)
}

pub fn run(cmd: &CalCmd, holidays: Option<&str>, db: Option<&str>, json_out: bool) -> Result<u8> {
    if let CalCmd::Import { file, year } = cmd {
        return import(file, *year, db, json_out);
    }
    let cal = load(holidays, db)?;
    let note = |a: Date, b: Date| crate::register_cmd::provisional_text(&cal.provisional_years(a, b));
    let (value, text) = match cmd {
        CalCmd::Import { .. } => unreachable!("handled above"),
        CalCmd::Add { date: d, n } => {
            let start = date(d)?;
            let due = cal.add_workdays(start, *n)?;
            let years = cal.provisional_years(start, due);
            (
                json!({ "from": start.to_string(), "workdays": n, "date": due.to_string(), "weekday": format!("{:?}", due.weekday()), "provisional": years }),
                format!("{due}（{start} 之后第 {n} 个工作日）{}", note(start, due)),
            )
        }
        CalCmd::Between { from, to } => {
            let (a, b) = (date(from)?, date(to)?);
            if b < a {
                anyhow::bail!(
                    "结束日期 {b} 早于开始日期 {a}：请把较早的日期写在前面（gongkai calendar between {b} {a}）"
                );
            }
            let n = cal.workdays_between(a, b)?;
            (
                json!({ "from": a.to_string(), "to": b.to_string(), "workdays": n, "provisional": cal.provisional_years(a, b) }),
                format!("{n}（{a} 之后至 {b}（含）的工作日数）{}", note(a, b)),
            )
        }
        CalCmd::IsWorkday { date: d } => {
            let day = date(d)?;
            let kind = cal.kind(day)?;
            (
                json!({ "date": day.to_string(), "workday": kind.is_workday(), "kind": kind.zh(), "provisional": cal.provisional_years(day, day) }),
                format!(
                    "{day}：{}（{}）{}",
                    if kind.is_workday() { "工作日" } else { "非工作日" },
                    kind.zh(),
                    note(day, day)
                ),
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
    let cal = load(holidays, None)?;
    let today = match today {
        Some(t) => date(t)?,
        None => crate::register_cmd::today(None)?,
    };
    let view = gongkai_app::ClockView::replay(&cal, &events, today)?;
    let (clock, left) = (&view.clock, view.days_left);
    if json_out {
        println!("{}", serde_json::to_value(&view)?);
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
