//! `gongkai ledger import|export` (the Excel/CSV 台账, layout in `gongkai_register::ledger`) and
//! `gongkai letter` (reply letters and notices as DOCX).

use anyhow::{Context, Result, bail};
use gongkai_app::ledger::{self as ledger_io, LedgerOutcome};
use gongkai_app::{App, Principal};
use gongkai_register::{AppId, OrganId, ledger};

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
        /// 输出格式：text（文字）或 json（结果、导入的编号或每处错误）
        #[arg(long, value_enum, default_value_t = crate::register_cmd::Fmt::Text)]
        format: crate::register_cmd::Fmt,
    },
    /// 导出台账为 .xlsx 或 .csv（个人信息默认隐去，--unmask 显示）
    Export {
        /// 覆盖已存在的输出文件
        #[arg(long)]
        force: bool,
        /// 受理机关编号
        #[arg(long)]
        organ: i64,
        /// 输出文件（.xlsx 或 .csv）
        #[arg(long)]
        out: String,
        /// 显示个人信息（记入审计日志）
        #[arg(long)]
        unmask: bool,
        /// 输出格式：text（文字）或 json（件数、文件、是否隐去个人信息）
        #[arg(long, value_enum, default_value_t = crate::register_cmd::Fmt::Text)]
        format: crate::register_cmd::Fmt,
    },
    /// 列出台账的列（表头）及填写要求
    Layout {
        /// 输出格式：text（文字）或 json
        #[arg(long, value_enum, default_value_t = crate::register_cmd::Fmt::Text)]
        format: crate::register_cmd::Fmt,
    },
    /// 生成空白台账模板（.xlsx：日期列、下拉列表、冻结表头），填好后用 gongkai ledger import 导入
    ///
    /// 示例：gongkai ledger template --out 台账模板.xlsx
    Template {
        /// 模板文件（.xlsx）
        #[arg(long)]
        out: String,
        /// 覆盖已存在的文件
        #[arg(long)]
        force: bool,
    },
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
/// readable by its owner only, and an existing one is replaced only with `force`.
fn write_rows(path: &str, sheet: &str, rows: &[Vec<String>], force: bool) -> Result<()> {
    let lower = path.to_lowercase();
    if !lower.ends_with(".csv") && !lower.ends_with(".xlsx") {
        bail!("--out 应以 .xlsx 或 .csv 结尾");
    }
    let bytes = ledger_io::write_rows(ledger_io::LedgerFormat::of_name(path), sheet, rows)?;
    safe::write_output(Path::new(path), &bytes, force)
}

pub fn run_ledger(cmd: &LedgerCmd, db: Option<&str>) -> Result<u8> {
    match cmd {
        LedgerCmd::Layout { format: crate::register_cmd::Fmt::Json } => {
            let columns: Vec<_> = ledger::HEADERS
                .iter()
                .map(|h| serde_json::json!({ "header": h, "required": ledger::REQUIRED.contains(h) }))
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&serde_json::json!({ "columns": columns, "doc": "docs/ledger.md" }))?
            );
            Ok(0)
        }
        LedgerCmd::Layout { .. } => {
            for h in ledger::HEADERS {
                println!("{h}");
            }
            println!(
                "（必填：受理编号、收到申请日期、提交方式、申请人类型、申请人姓名或名称、申请内容；说明见 docs/ledger.md）"
            );
            Ok(0)
        }
        LedgerCmd::Template { out, force } => {
            if !out.to_lowercase().ends_with(".xlsx") {
                bail!("--out 应以 .xlsx 结尾（台账模板是 Excel 工作簿）");
            }
            safe::write_output(Path::new(out), &gongkai_office::ledger_template(), *force)?;
            println!("已生成空白台账模板“{out}”：填好后用 gongkai ledger import “{out}” --organ 机关编号 导入");
            Ok(0)
        }
        LedgerCmd::Import { file, organ, dry_run, format } => {
            let rows = read_rows(file)?;
            let store = open(&db_spec(db), false)?;
            let today = crate::register_cmd::today(None)?;
            let mut app = App::new(&*store, Principal::local(actor()));
            let outcome = app.import_ledger(OrganId(*organ), &rows, today, *dry_run)?;
            if *format == crate::register_cmd::Fmt::Json {
                // Row errors name row, column and problem; personal values in them are masked.
                println!("{}", serde_json::to_string_pretty(&outcome)?);
                return Ok(if matches!(outcome, LedgerOutcome::Refused { .. }) { 1 } else { 0 });
            }
            match outcome {
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
        LedgerCmd::Export { organ, out, unmask, force, format } => {
            safe::refuse_existing(Path::new(out), *force)?;
            let store = open(&db_spec(db), false)?;
            let mut app = App::new(&*store, Principal::local(actor()));
            let x = app.export_ledger(OrganId(*organ), unmask.then_some("导出台账"))?;
            write_rows(out, x.sheet, &x.rows, *force)?;
            if *format == crate::register_cmd::Fmt::Json {
                let v = serde_json::json!({ "out": out, "count": x.count, "masked": x.masked });
                println!("{}", serde_json::to_string_pretty(&v)?);
                return Ok(0);
            }
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
    /// 输出文件：.docx（Word）、.txt（纯文本）或 .pdf（需安装 LibreOffice）；- 表示标准输出（DOCX，或 --to 指定）
    #[arg(long)]
    out: Option<String>,
    /// 输出的文件格式（默认按 --out 的扩展名，标准输出默认 docx）
    #[arg(long, value_enum)]
    to: Option<LetterTo>,
    /// 覆盖已存在的输出文件
    #[arg(long)]
    force: bool,
    /// 只生成草稿：不把补正告知、征求意见、收费通知记入申请的事件记录
    #[arg(long)]
    draft: bool,
    /// 文书与申请的办理状态不符时（如已答复的申请出具收费通知书）仍然生成：只警告，不记录事件
    #[arg(long)]
    despite_state: bool,
    /// 输出格式：text（生成文件并报告）或 json（文书内容及记录的事件，写到标准输出）
    #[arg(long, value_enum, default_value_t = crate::register_cmd::Fmt::Text)]
    format: crate::register_cmd::Fmt,
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
    /// 收费通知书：本月此前已计的件数（按件累计计算）
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

/// The file format of a letter.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterTo {
    /// Word（GB/T 9704 版式）
    Docx,
    /// 纯文本
    Txt,
    /// PDF（由 LibreOffice 从 DOCX 转换）
    Pdf,
}

/// The format a letter is written in: `--to`, else the `--out` extension (a name with another
/// extension is refused, never silently written as DOCX).
fn letter_format(out: &str, to: Option<LetterTo>) -> Result<LetterTo> {
    let lower = out.to_lowercase();
    let by_name = [(".docx", LetterTo::Docx), (".txt", LetterTo::Txt), (".pdf", LetterTo::Pdf)]
        .into_iter()
        .find(|(ext, _)| lower.ends_with(ext))
        .map(|(_, f)| f);
    match (out, by_name, to) {
        ("-", _, t) => Ok(t.unwrap_or(LetterTo::Docx)),
        (_, Some(n), Some(t)) if n != t => {
            bail!("--out “{out}”的扩展名与 --to {} 不一致", format!("{t:?}").to_lowercase())
        }
        (_, Some(n), _) => Ok(n),
        (_, None, _) => bail!("--out “{out}”的扩展名应为 .docx、.txt 或 .pdf（或用 - 表示标准输出）"),
    }
}

/// LibreOffice's `soffice` on the PATH, if any.
fn soffice() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join("soffice")).find(|p| p.is_file())
}

/// DOCX → PDF through LibreOffice in a private temporary folder (its own profile, so a
/// running LibreOffice does not take the job).
fn docx_to_pdf(soffice: &Path, docx: &[u8]) -> Result<Vec<u8>> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("gongkai-letter-{}-{nanos}", std::process::id()));
    safe::create_private_dir_all(&dir).with_context(|| format!("无法创建临时目录“{}”", dir.display()))?;
    let result = (|| {
        let src = dir.join("letter.docx");
        safe::write_private(&src, docx).context("无法写入临时文件")?;
        let profile = format!("-env:UserInstallation=file://{}", dir.join("profile").display());
        let out = std::process::Command::new(soffice)
            .arg(profile)
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(&dir)
            .arg(&src)
            .output()
            .context("无法启动 LibreOffice（soffice）")?;
        std::fs::read(dir.join("letter.pdf")).map_err(|_| {
            anyhow::anyhow!(
                "LibreOffice 未能把文书转换为 PDF（退出码 {}）；可改用 --out 文件名.docx",
                out.status.code().map_or("无".into(), |c| c.to_string())
            )
        })
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

pub fn run_letter(a: &LetterArgs, db: Option<&str>) -> Result<u8> {
    use crate::register_cmd::Fmt;
    // Where the letter goes is settled before anything is recorded: a refused output name
    // must not leave an event behind.
    let target = match (&a.out, a.format) {
        (Some(out), _) => Some((out.clone(), letter_format(out, a.to)?)),
        (None, Fmt::Json) => None,
        (None, Fmt::Text) => {
            bail!("请用 --out 指定输出文件（.docx、.txt、.pdf，或 - 表示标准输出），或用 --format json 输出文书内容")
        }
    };
    let soffice = match &target {
        Some((_, LetterTo::Pdf)) => Some(soffice().ok_or_else(|| {
            anyhow::anyhow!(
                "未找到 LibreOffice（soffice），无法生成 PDF；请改用 --out 文件名.docx，或安装 LibreOffice 后重试"
            )
        })?),
        _ => None,
    };
    if let Some((out, to)) = &target {
        if out != "-" {
            safe::refuse_existing(Path::new(out), a.force)?;
        } else if *to != LetterTo::Txt && a.format == Fmt::Text && std::io::IsTerminal::is_terminal(&std::io::stdout())
        {
            bail!("DOCX/PDF 是二进制文件，不能显示在终端上：请重定向到文件（> 答复书.docx），或用 --to txt");
        }
    }
    let store = open(&db_spec(db), false)?;
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
    let mut app = gongkai_app::App::new(&*store, gongkai_app::Principal::local(crate::register_cmd::actor()));
    let sending = gongkai_app::letters::Sending { record: !a.draft, despite_state: a.despite_state };
    let sent = match app.send_letter(AppId(a.id), kind, &input, today, sending) {
        Ok(s) => s,
        // The letter does not fit the application's state: say how to write it all the same.
        Err(gongkai_app::AppError::Invalid(m)) if m.contains("不应") => {
            bail!("{m}；确需出具（如补发）时可加 --despite-state（只警告，不记录事件）")
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(w) = &sent.warning {
        eprintln!("gongkai: 警告：{w}；已按 --despite-state 生成，未记录任何事件");
    }
    let l = &sent.letter;
    if let Some((out, to)) = &target {
        let bytes = match to {
            LetterTo::Txt => l.to_text().into_bytes(),
            LetterTo::Docx | LetterTo::Pdf => {
                let docx = gongkai_app::letters::docx(l);
                match &soffice {
                    Some(s) => docx_to_pdf(s, &docx)?,
                    None => docx,
                }
            }
        };
        if out == "-" {
            use std::io::Write;
            std::io::stdout().lock().write_all(&bytes).context("无法写到标准输出")?;
        } else {
            safe::write_output(Path::new(out), &bytes, a.force)?;
        }
    }
    let recorded = match &sent.recorded {
        Some(e) => format!("；已记入事件记录（{}，申请现为版本 {}）", event_zh(e), sent.version),
        None if a.draft => "；草稿，未记录事件".to_string(),
        None => "；已记入修改记录".to_string(),
    };
    match a.format {
        Fmt::Json => {
            let mut v = serde_json::to_value(&sent)?;
            v["out"] = serde_json::json!(target.as_ref().map(|(o, _)| o));
            println!("{}", serde_json::to_string_pretty(&v)?);
        }
        Fmt::Text => {
            let msg = format!(
                "已生成{}（{}）：{}{recorded}",
                l.title,
                l.number,
                target.as_ref().map_or("", |(o, _)| if o == "-" { "标准输出" } else { o })
            );
            // The letter itself may be on stdout: the report goes to stderr then.
            if target.as_ref().is_some_and(|(o, _)| o == "-") {
                eprintln!("{msg}");
            } else {
                println!("{msg}");
            }
        }
    }
    Ok(0)
}

/// An event's name in the clerk's words.
fn event_zh(e: &gongkai_clock::Event) -> &'static str {
    use gongkai_clock::Event as E;
    match e {
        E::CorrectionRequested { .. } => "补正告知",
        E::ConsultationStarted { .. } => "征求意见",
        E::FeeNotice { .. } => "收费通知",
        _ => "事件",
    }
}
