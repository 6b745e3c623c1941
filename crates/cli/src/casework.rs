//! `gongkai ledger import|export` (the Excel/CSV 台账, layout in `gongkai_register::ledger`) and
//! `gongkai letter` (reply letters and notices as DOCX).

use anyhow::{Context, Result, bail};
use gongkai_app::ledger::{self as ledger_io, LedgerOutcome};
use gongkai_app::{App, Principal};
use gongkai_clock::zh_date;
use gongkai_register::{AppId, OrganId, ledger};
use jiff::civil::Date;

use crate::register_cmd::{actor, db_spec, open};
use crate::safe;
use std::path::Path;

#[derive(clap::Subcommand, Debug)]
pub enum LedgerCmd {
    /// 导入台账（.xlsx 或 .csv，表头见 gongkai ledger layout）：先逐行校验，全部无误才写入，否则列出每个错误行及原因
    Import {
        /// 台账文件
        file: String,
        /// 受理机关编号
        #[arg(long)]
        organ: i64,
        /// 只校验，不写入
        #[arg(long)]
        dry_run: bool,
    },
    /// 导出台账为 .xlsx 或 .csv（个人信息默认隐去，--unmask 显示）
    Export {
        #[arg(long)]
        organ: i64,
        #[arg(long)]
        out: String,
        #[arg(long)]
        unmask: bool,
    },
    /// 列出台账的列（表头）及填写要求
    Layout,
}

/// Rows of cell text from a ledger file (`gongkai_app::ledger::read_rows`: the first sheet of
/// an XLSX workbook, or a CSV file). Nothing is cut: a file over the limits is refused whole
/// with the limit named, before it is read. Warnings go to stderr.
fn read_rows(path: &str) -> Result<Vec<Vec<String>>> {
    let size = std::fs::metadata(path).with_context(|| format!("无法读取“{path}”"))?.len();
    if size > ledger_io::MAX_LEDGER_FILE {
        bail!(
            "“{path}”有{}MiB，超过台账导入上限{}MiB，未导入任何一行；请分成几个文件导入",
            size >> 20,
            ledger_io::MAX_LEDGER_FILE >> 20
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("无法读取“{path}”"))?;
    let sheet = ledger_io::read_rows(&bytes, path)?;
    for w in &sheet.warnings {
        eprintln!("{path}：注意：{}", safe::esc(w));
    }
    Ok(sheet.rows)
}

/// Write the rows as CSV or XLSX (`gongkai_app::ledger::write_rows`); the file is created
/// readable by its owner only.
fn write_rows(path: &str, sheet: &str, rows: &[Vec<String>]) -> Result<()> {
    let lower = path.to_lowercase();
    if !lower.ends_with(".csv") && !lower.ends_with(".xlsx") {
        bail!("--out 应以 .xlsx 或 .csv 结尾");
    }
    let bytes = ledger_io::write_rows(ledger_io::LedgerFormat::of_name(path), sheet, rows)?;
    safe::write_private(Path::new(path), &bytes).with_context(|| format!("无法写入“{path}”"))
}

pub fn run_ledger(cmd: &LedgerCmd, db: Option<&str>) -> Result<u8> {
    match cmd {
        LedgerCmd::Layout => {
            for h in ledger::HEADERS {
                println!("{h}");
            }
            println!(
                "（必填：受理编号、收到申请日期、提交方式、申请人类型、申请人姓名或名称、申请内容；说明见 docs/ledger.md）"
            );
            Ok(0)
        }
        LedgerCmd::Import { file, organ, dry_run } => {
            let rows = read_rows(file)?;
            let mut store = open(&db_spec(db), false)?;
            let today = crate::register_cmd::today(None)?;
            let mut app = App::new(&mut *store, Principal::local(actor()));
            match app.import_ledger(OrganId(*organ), &rows, today, *dry_run)? {
                LedgerOutcome::Checked { rows } => {
                    println!("校验通过：{rows} 行（未写入）");
                    Ok(0)
                }
                LedgerOutcome::Imported { ids } => {
                    println!(
                        "已导入 {} 件申请（编号 {}–{}）",
                        ids.len(),
                        ids.first().map_or(0, |i| i.0),
                        ids.last().map_or(0, |i| i.0)
                    );
                    Ok(0)
                }
                LedgerOutcome::Refused { errors } => {
                    for e in &errors {
                        eprintln!("{file}：{}", safe::esc(&e.to_string()));
                    }
                    eprintln!("台账有 {} 处错误，未导入任何一行", errors.len());
                    Ok(1)
                }
            }
        }
        LedgerCmd::Export { organ, out, unmask } => {
            let mut store = open(&db_spec(db), false)?;
            let mut app = App::new(&mut *store, Principal::local(actor()));
            let x = app.export_ledger(OrganId(*organ), unmask.then_some("导出台账"))?;
            write_rows(out, x.sheet, &x.rows)?;
            println!(
                "已导出 {} 件申请到“{out}”{}",
                x.count,
                if x.masked { "（个人信息已隐去）" } else { "（含个人信息）" }
            );
            Ok(0)
        }
    }
}

#[derive(clap::Args, Debug)]
pub struct LetterArgs {
    /// 申请编号
    id: i64,
    /// 文书：reply（答复书）、correction（补正告知书）、extension（延期答复告知书）、third-party（征求第三方意见函）、fee（收费通知书）
    #[arg(long, value_enum)]
    kind: LetterKind,
    /// 输出文件（.docx；.txt 为纯文本）
    #[arg(long)]
    out: String,
    /// 机关简称（用于文号），默认取机关全称
    #[arg(long)]
    short: Option<String>,
    /// 行政复议机关（如 某县人民政府）
    #[arg(long)]
    review_body: Option<String>,
    /// 管辖法院（如 某县人民法院）
    #[arg(long)]
    court: Option<String>,
    /// 联系方式
    #[arg(long)]
    contact: Option<String>,
    /// 文书日期（默认：答复书取答复日期，其他取相应事件日期，再默认今天）
    #[arg(long)]
    date: Option<String>,
    /// 补正告知书：需要补正的内容
    #[arg(long)]
    what: Option<String>,
    /// 补正期限（工作日）
    #[arg(long, default_value_t = 15)]
    days: u32,
    /// 征求意见函：第三方名称
    #[arg(long)]
    third_party: Option<String>,
    /// 收费通知书：按量计费的页数
    #[arg(long)]
    pages: Option<u64>,
    /// 收费通知书：按件计费的件数（本月已申请件数用 --already）
    #[arg(long)]
    items: Option<u64>,
    #[arg(long, default_value_t = 0)]
    already: u64,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterKind {
    Reply,
    Correction,
    Extension,
    ThirdParty,
    Fee,
}

pub fn run_letter(a: &LetterArgs, db: Option<&str>) -> Result<u8> {
    let mut store = open(&db_spec(db), false)?;
    let date = match &a.date {
        Some(s) => Some(s.parse::<Date>().with_context(|| format!("日期“{s}”无效，应为YYYY-MM-DD"))?),
        None => None,
    };
    let input = gongkai_app::letters::LetterInput {
        short: a.short.clone(),
        review_body: a.review_body.clone(),
        court: a.court.clone(),
        contact: a.contact.clone(),
        date,
        what: a.what.clone(),
        days: a.days,
        third_party: a.third_party.clone(),
        pages: a.pages,
        items: a.items,
        already: a.already,
    };
    let kind = match a.kind {
        LetterKind::Reply => gongkai_app::letters::LetterKind::Reply,
        LetterKind::Correction => gongkai_app::letters::LetterKind::Correction,
        LetterKind::Extension => gongkai_app::letters::LetterKind::Extension,
        LetterKind::ThirdParty => gongkai_app::letters::LetterKind::ThirdParty,
        LetterKind::Fee => gongkai_app::letters::LetterKind::Fee,
    };
    let today = crate::register_cmd::today(None)?;
    let mut app = gongkai_app::App::new(&mut *store, gongkai_app::Principal::local(crate::register_cmd::actor()));
    let l = app.letter(AppId(a.id), kind, &input, today)?;
    let bytes = if a.out.to_lowercase().ends_with(".txt") {
        l.to_text().into_bytes()
    } else {
        gongkai_office::docx_letter(&l.title, &l.number, &l.addressee, &l.paragraphs, &l.signature, &zh_date(l.date))
    };
    safe::write_private(Path::new(&a.out), &bytes).with_context(|| format!("无法写入“{}”", a.out))?;
    println!("已生成{}：{}", l.title, a.out);
    Ok(0)
}
