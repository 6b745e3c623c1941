//! `gongkai ledger import|export` (the Excel/CSV 台账, layout in `gongkai_register::ledger`) and
//! `gongkai letter` (reply letters and notices as DOCX).

use std::collections::HashMap;

use anyhow::{Context, Result, bail};
use gongkai_clock::zh_date;
use gongkai_register::{AppId, OrganId, ledger};
use gongkai_store::{NewApplication, Personal};

use crate::register_cmd::{actor, db_spec, open};
use crate::safe;
use gongkai_office::xlsx_read::MAX_LEDGER_ROWS;
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

/// Largest ledger file read (bytes): room for [`MAX_LEDGER_ROWS`] rows of long text.
const MAX_LEDGER_FILE: u64 = 512 * 1024 * 1024;

/// Rows of cell text from a ledger file: the first sheet of an XLSX workbook, or a CSV file.
/// Nothing is cut: a file over the limits ([`MAX_LEDGER_ROWS`] data rows, [`MAX_LEDGER_FILE`]
/// bytes) is refused whole with the limit named. Warnings go to stderr.
fn read_rows(path: &str) -> Result<Vec<Vec<String>>> {
    let size = std::fs::metadata(path).with_context(|| format!("无法读取“{path}”"))?.len();
    if size > MAX_LEDGER_FILE {
        bail!(
            "“{path}”有{}MiB，超过台账导入上限{}MiB，未导入任何一行；请分成几个文件导入",
            size >> 20,
            MAX_LEDGER_FILE >> 20
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("无法读取“{path}”"))?;
    if path.to_lowercase().ends_with(".csv") {
        // Excel saves CSV in the ANSI code page (GBK on Chinese Windows): the same detection as
        // for reports (BOM, UTF-8, then sniffing); undecodable bytes are an error, not U+FFFD.
        let decoded = gongkai_parse::encoding::decode(&bytes, false);
        if decoded.had_errors {
            bail!("“{path}”的编码无法识别（识别为{}但含无效字节），请另存为 UTF-8 的 CSV", decoded.encoding);
        }
        let text = decoded.text;
        let mut rd = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
        let mut rows = Vec::new();
        for (i, rec) in rd.records().enumerate() {
            if i > MAX_LEDGER_ROWS {
                bail!("“{path}”超过台账导入上限{MAX_LEDGER_ROWS}行（不含表头），未导入任何一行；请分成几个文件导入");
            }
            let rec = rec.with_context(|| format!("“{path}”第{}行无法解析", i + 1))?;
            // gongkai's own CSV export quotes formula-like cells ('=…); the quote is not data.
            rows.push(rec.iter().map(|c| safe::unneutralise(c).to_string()).collect());
        }
        return Ok(rows);
    }
    let sheet = gongkai_office::xlsx_read::xlsx_ledger_rows(&bytes).map_err(|e| anyhow::anyhow!("“{path}”：{e}"))?;
    for w in &sheet.warnings {
        eprintln!("{path}：注意：{}", safe::esc(w));
    }
    if sheet.rows.is_empty() {
        bail!("“{path}”的第一个工作表是空的（第一行应为台账表头）")
    }
    Ok(sheet.rows)
}

/// Write the rows as CSV (every formula-like cell neutralised, see [`safe::neutralise`]) or
/// XLSX (cells are strings, never formulas); the file is created readable by its owner only.
fn write_rows(path: &str, sheet: &str, rows: &[Vec<String>]) -> Result<()> {
    let lower = path.to_lowercase();
    if lower.ends_with(".csv") {
        let f = safe::create_private(Path::new(path)).with_context(|| format!("无法写入“{path}”"))?;
        let mut w = csv::Writer::from_writer(std::io::BufWriter::new(f));
        for r in rows {
            w.write_record(r.iter().map(|c| safe::neutralise(c)).collect::<Vec<_>>().iter().map(|c| c.as_bytes()))?;
        }
        w.flush().with_context(|| format!("无法写入“{path}”"))?;
        return Ok(());
    }
    if !lower.ends_with(".xlsx") {
        bail!("--out 应以 .xlsx 或 .csv 结尾");
    }
    safe::write_private(Path::new(path), &gongkai_office::xlsx_rows(sheet, rows))
        .with_context(|| format!("无法写入“{path}”"))
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
            store.organ(OrganId(*organ))?;
            let today = crate::register_cmd::today(None)?;
            let mut errors = match ledger::read_as_of(&rows, store.calendar(), Some(today)) {
                Ok(valid) => {
                    // 受理编号 already registered for this organ are errors of their rows too.
                    let existing: HashMap<String, AppId> = store
                        .applications(&[OrganId(*organ)], Personal::Masked)?
                        .into_iter()
                        .map(|a| (a.serial, a.id))
                        .collect();
                    let clash: Vec<ledger::RowError> = valid
                        .iter()
                        .filter_map(|r| {
                            existing.get(&r.serial).map(|id| ledger::RowError {
                                line: r.line,
                                column: "受理编号".into(),
                                reason: format!("“{}”已登记（申请 {}）", r.serial, id.0),
                            })
                        })
                        .collect();
                    if clash.is_empty() {
                        if *dry_run {
                            println!("校验通过：{} 行（未写入）", valid.len());
                            return Ok(0);
                        }
                        let batch: Vec<NewApplication> = valid
                            .into_iter()
                            .map(|r| NewApplication {
                                organ: OrganId(*organ),
                                serial: r.serial,
                                applicant: r.applicant,
                                description: r.description,
                                form: r.form,
                                events: r.events,
                            })
                            .collect();
                        // One transaction: all rows or none.
                        let ids = store.import_applications(&batch, &actor())?;
                        println!(
                            "已导入 {} 件申请（编号 {}–{}）",
                            ids.len(),
                            ids.first().map_or(0, |i| i.0),
                            ids.last().map_or(0, |i| i.0)
                        );
                        return Ok(0);
                    }
                    clash
                }
                Err(e) => e,
            };
            errors.sort_by_key(|e| e.line);
            for e in &errors {
                eprintln!("{file}：{}", safe::esc(&e.to_string()));
            }
            eprintln!("台账有 {} 处错误，未导入任何一行", errors.len());
            Ok(1)
        }
        LedgerCmd::Export { organ, out, unmask } => {
            let mut store = open(&db_spec(db), false)?;
            let personal = if *unmask { Personal::Visible } else { Personal::Masked };
            let summaries = store.applications(&[OrganId(*organ)], Personal::Masked)?;
            let mut apps = Vec::with_capacity(summaries.len());
            for s in summaries {
                apps.push(store.application(s.id, personal)?);
            }
            // The store already masked what must be masked; the writer must not mask again, but
            // marks every row (and names the sheet) so that the file says what it holds.
            let sheet = if *unmask { "台账（含个人信息）" } else { "台账（个人信息已隐去）" };
            write_rows(out, sheet, &ledger::write_as(&apps, false, !*unmask))?;
            println!(
                "已导出 {} 件申请到“{out}”{}",
                apps.len(),
                if *unmask { "（含个人信息）" } else { "（个人信息已隐去）" }
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
        Some(s) => Some(gongkai_register::validate::date("日期", s)?),
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
