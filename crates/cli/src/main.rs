//! `gongkai` — command-line interface. A thin layer over `gongkai-app`: arguments → a typed
//! command → the use case → the view printed (text in the clerk's words, JSON, CSV), with the
//! terminal's conventions (`ui`), the progress bar, colour and exit codes. File walking,
//! parallel batches and the output formats of `check`/`audit` are `gongkai_app::batch`'s.

mod audit;
mod calendar;
mod casework;
mod check;
mod compile;
mod diag;
mod examples;
mod register_cmd;
mod safe;
mod serve;
mod ui;

use std::process::ExitCode;

// The parsers allocate many small strings and vectors per report (labels, cells, findings);
// mimalloc serves them in about half the instructions of glibc's malloc (callgrind, text
// parse+check: 1.40 M → 1.27 M instructions per report) and is a small C library built by `cc`.
// Built with `no_thp` (Cargo.toml): no transparent huge pages for its arenas, so a page
// purged and touched again costs the kernel 4 KiB of zeroing instead of 2 MiB (`check` on the
// 10k real mix: system time 0.35–0.49 s → 0.18–0.30 s, peak RSS 75–84 → 49–51 MB).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(
    name = "gongkai",
    version,
    about = "政府信息公开工作：年度报告的解析、检查、编制，依申请公开的登记、期限、文书与台账（gongkai）"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    /// 登记簿：SQLite 文件路径或 postgres:// 地址（默认取环境变量 GONGKAI_DB，再默认 $XDG_DATA_HOME/gongkai/gongkai.db）
    #[arg(long, global = true, value_name = "PATH|URL")]
    db: Option<String>,
    /// 记入修改记录（审计日志）的操作人；默认取环境变量 GONGKAI_ACTOR，再默认本机登录用户名
    #[arg(long, global = true, value_name = "NAME")]
    actor: Option<String>,
    /// 着色：auto（终端且未设 NO_COLOR、TERM 不为 dumb 时）、always、never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ui::ColorWhen::Auto)]
    color: ui::ColorWhen,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// 启动网页工作台（经办人、负责人、监督人在浏览器中使用）：gongkai serve --listen 127.0.0.1:8080
    Serve(serve::ServeArgs),
    /// 检查年度报告（文件、目录或 - 表示标准输入），像编译器一样列出问题
    Check {
        /// 文件或目录（目录递归读取 .txt .md .html .htm .shtml .pdf .docx .xlsx）；- 表示标准输入
        #[arg(required = true)]
        paths: Vec<String>,
        /// 输出格式
        #[arg(long, value_enum, default_value_t = OutFormat::Text)]
        format: OutFormat,
        /// 不显示进度条
        #[arg(long)]
        no_progress: bool,
        /// 只显示错误（不显示警告和提示）
        #[arg(long)]
        errors_only: bool,
    },
    /// 解析一份报告并输出提取的数据（JSON：table3["R1"]["TOT"] 等）
    Parse {
        /// 文件；- 表示标准输入
        path: String,
        /// 输出格式：json 或 text（文字）
        #[arg(long, value_enum, default_value_t = ParseFormat::Json)]
        format: ParseFormat,
    },
    /// 列出全部检查规则（编号、严重程度、说明、依据）
    Rules {
        /// 输出格式：text（文字）、json 或 md（Markdown，即 docs/rules.md）
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// 批量审核：输出长表数据集（.csv）、全部结果（.json）或中文审核页（.html）
    Audit {
        /// 文件或目录（目录递归读取）；- 表示标准输入
        #[arg(required = true)]
        paths: Vec<String>,
        /// 输出文件：.csv（每个单元格一行）、.json 或 .html
        #[arg(long)]
        out: String,
        /// 覆盖已存在的输出文件
        #[arg(long)]
        force: bool,
        /// 清单文件（CSV，表头 file,organ,parent,year）：覆盖报告自述的机关和年度，并给出上级机关
        #[arg(long)]
        manifest: Option<String>,
    },
    /// 按官方格式输出报告：读取 gongkai parse 输出的 JSON，写成 HTML、Markdown、文本、JSON、Word（DOCX）或 Excel（XLSX）
    Render {
        /// 报告数据 JSON 文件；- 表示标准输入
        path: String,
        /// 输出格式
        #[arg(long, value_enum, default_value_t = RenderTo::Html)]
        to: RenderTo,
        /// 输出文件（docx、xlsx 必须指定，除非标准输出重定向到文件）；缺省写到标准输出
        #[arg(long)]
        out: Option<String>,
        /// 覆盖已存在的输出文件
        #[arg(long)]
        force: bool,
    },
    /// 工作日计算与放假安排导入（内置 2019–2026 年官方放假安排；尚未导入通知的年份暂按周末计算并标明“暂定”）
    Calendar {
        #[command(subcommand)]
        cmd: calendar::CalCmd,
        /// 补充或覆盖的放假安排文件（holidays.tsv 格式）
        #[arg(long, global = true)]
        holidays: Option<String>,
        /// 输出 JSON
        #[arg(long, value_enum, default_value_t = ParseFormat::Text, global = true)]
        format: ParseFormat,
    },
    /// 答复期限：按事件记录（JSON）计算状态、期限、剩余工作日，并逐步说明期限如何得出
    Clock {
        /// 事件记录 JSON 文件（事件数组）；- 表示标准输入
        path: String,
        /// 以哪一天计算剩余工作日（默认今天）
        #[arg(long)]
        today: Option<String>,
        /// 补充或覆盖的放假安排文件
        #[arg(long)]
        holidays: Option<String>,
        /// 输出格式：json 或 text（文字）
        #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
        format: ParseFormat,
    },
    /// 信息处理费（国办函〔2020〕109号）：按件或按量计算，并列出各档明细
    Fee {
        /// 按件：本月累计申请件数
        #[arg(long, conflicts_with = "pages")]
        items: Option<u64>,
        /// 按件：本月此前已计的件数（累计计算）
        #[arg(long, default_value_t = 0, requires = "items")]
        already: u64,
        /// 按量：一件申请的页数
        #[arg(long)]
        pages: Option<u64>,
        /// 输出格式：json 或 text（文字）
        #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
        format: ParseFormat,
    },
    /// 台账（Excel/CSV）：导入（全部校验通过才写入）、导出、列出表头
    #[command(subcommand)]
    Ledger(casework::LedgerCmd),
    /// 生成办理文书（DOCX）：答复书、补正告知书、延期答复告知书、征求第三方意见函、收费通知书
    Letter(Box<casework::LetterArgs>),
    /// 由台账数据（JSON）编制年度报告的表格和文字（--region 汇总本行政区域）
    Compile(compile::CompileArgs),
    /// 汇总下级机关的报告为本行政区域合计表；--compare 核对本级政府报告与合计是否一致
    Aggregate(compile::AggregateArgs),
    #[command(flatten)]
    Register(Box<register_cmd::StoreCmd>),
    /// 输出命令行补全脚本（bash、zsh、fish、powershell）
    Completions {
        /// 命令行外壳
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// 输出 gongkai 的手册页（man 格式，由命令定义生成）
    Man,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    Text,
    Json,
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RenderTo {
    Html,
    Md,
    Text,
    Json,
    /// Word（GB/T 9704 版式）
    Docx,
    /// Excel（每张表一个工作表，总计为带结果的 SUM 公式）
    Xlsx,
}

/// Output of `gongkai rules`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulesFormat {
    /// 文字
    Text,
    /// JSON
    Json,
    /// Markdown（docs/rules.md）
    Md,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseFormat {
    Json,
    Text,
}

/// The command tree as users see it (Chinese chrome, examples; see [`ui::localize`]).
pub fn command() -> clap::Command {
    ui::localize(Cli::command())
}

/// Help and version to stdout with exit 0; every other clap error in Chinese, exit 2.
fn clap_exit(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind as K;
    match e.kind() {
        K::DisplayHelp | K::DisplayVersion => {
            print!("{}", ui::zh_chrome(&e.render().to_string()));
            ExitCode::SUCCESS
        }
        K::DisplayHelpOnMissingArgumentOrSubcommand => {
            eprint!("{}", ui::zh_chrome(&e.render().to_string()));
            ExitCode::from(2)
        }
        _ => {
            eprint!("{}", ui::clap_error_zh(e));
            ExitCode::from(2)
        }
    }
}

fn main() -> ExitCode {
    ui::quiet_on_closed_pipe();
    let cli = match command().try_get_matches().and_then(|m| Cli::from_arg_matches(&m)) {
        Ok(cli) => cli,
        Err(e) => return clap_exit(&e),
    };
    ui::set_color(cli.color);
    register_cmd::set_actor(cli.actor.clone());
    init_tracing(matches!(cli.cmd, Cmd::Serve(_)));
    let db = cli.db;
    let result = match cli.cmd {
        Cmd::Completions { shell } => {
            use std::io::Write;
            let mut cmd = command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "gongkai", &mut script);
            std::io::stdout().lock().write_all(&script).map(|()| 0).map_err(anyhow::Error::from)
        }
        Cmd::Man => man(),
        Cmd::Register(cmd) => register_cmd::run(*cmd, db.as_deref()),
        Cmd::Serve(a) => serve::run(&a, db.as_deref()),
        Cmd::Check { paths, format, no_progress, errors_only } => check::run(&paths, format, !no_progress, errors_only),
        Cmd::Parse { path, format } => check::parse(&path, format),
        Cmd::Rules { format } => rules(format),
        Cmd::Calendar { cmd, holidays, format } => {
            calendar::run(&cmd, holidays.as_deref(), db.as_deref(), format == ParseFormat::Json)
        }
        Cmd::Render { path, to, out, force } => render(&path, to, out.as_deref(), force),
        Cmd::Audit { paths, out, manifest, force } => safe::refuse_existing(std::path::Path::new(&out), force)
            .and_then(|()| audit::run(&paths, &out, manifest.as_deref())),
        Cmd::Clock { path, today, holidays, format } => {
            calendar::clock(&path, today.as_deref(), holidays.as_deref(), format == ParseFormat::Json)
        }
        Cmd::Fee { items, already, pages, format } => {
            let quote = match (items, pages) {
                (Some(k), None) => Some(gongkai_fees::by_items(already, k)),
                (None, Some(p)) => Some(gongkai_fees::by_pages(p)),
                _ => None,
            };
            match quote.transpose() {
                Err(e) => Err(anyhow::anyhow!("{e}")),
                Ok(quote) => match quote {
                    Some(q) if format == ParseFormat::Json => {
                        println!("{}", serde_json::to_string(&q).unwrap_or_default());
                        Ok(0)
                    }
                    Some(q) => {
                        println!("{}元（{}）", q.total, q.explain());
                        Ok(0)
                    }
                    None => Err(anyhow::anyhow!("请给出 --items 件数 或 --pages 页数（二选一）")),
                },
            }
        }
        Cmd::Compile(a) => compile::run_compile(&a, db.as_deref()),
        Cmd::Ledger(c) => casework::run_ledger(&c, db.as_deref()),
        Cmd::Letter(a) => casework::run_letter(&a, db.as_deref()),
        Cmd::Aggregate(a) => compile::run_aggregate(&a),
    };
    register_cmd::remove_snapshots();
    match result {
        Ok(code) => ExitCode::from(code),
        // The reader of a pipe stopped reading (`| head`): it has what it wanted.
        Err(e) if ui::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gongkai: 错误：{}", ui::error_text(&e));
            ExitCode::from(2)
        }
    }
}

/// `gongkai man`: one manual page (roff) for the whole command tree, generated from the clap
/// definitions: the root page, then a section per command with its usage, description and
/// options; the section headings are in Chinese.
fn man() -> anyhow::Result<u8> {
    use std::io::Write;
    fn sections(c: &clap::Command, path: &str, out: &mut Vec<u8>) -> std::io::Result<()> {
        for sub in c.get_subcommands().filter(|s| !s.is_hide_set()) {
            let name = format!("{path} {}", sub.get_name());
            let m = clap_mangen::Man::new(sub.clone().name(name.clone()).bin_name(name.clone()));
            let mut buf = Vec::new();
            m.render_synopsis_section(&mut buf)?;
            m.render_description_section(&mut buf)?;
            m.render_options_section(&mut buf)?;
            m.render_extra_section(&mut buf)?;
            let text = String::from_utf8_lossy(&buf)
                .replacen(".SH SYNOPSIS", &format!(".SH \"{name}\""), 1)
                .replace(".SH DESCRIPTION", ".SS 说明")
                .replace(".SH OPTIONS", ".SS 选项")
                .replace(".SH EXTRA", ".SS 示例与说明");
            out.extend_from_slice(text.as_bytes());
            sections(sub, &name, out)?;
        }
        Ok(())
    }
    let cmd = command();
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    sections(&cmd, "gongkai", &mut out)?;
    let text = ui::zh_chrome(&String::from_utf8_lossy(&out))
        .replace(".SH NAME", ".SH 名称")
        .replace(".SH SYNOPSIS", ".SH 用法")
        .replace(".SH DESCRIPTION", ".SH 说明")
        .replace(".SH OPTIONS", ".SH 选项")
        .replace(".SH SUBCOMMANDS", ".SH 命令")
        .replace(".SH EXTRA", ".SH 补充说明")
        .replace(".SH VERSION", ".SH 版本")
        .replace("\\fIOPTIONS\\fR", "\\fI选项\\fR");
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(0)
}

/// `gongkai rules`: the rule registry as text, JSON or the Markdown of `docs/rules.md`.
fn rules(format: RulesFormat) -> anyhow::Result<u8> {
    match format {
        RulesFormat::Text => check::rules(),
        RulesFormat::Json => {
            let list: Vec<_> = gongkai_rules::RULES
                .iter()
                .map(|r| {
                    serde_json::json!({ "id": r.id, "severity": r.severity, "severity_zh": r.severity.zh(),
                        "title": r.title, "basis": r.basis })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        RulesFormat::Md => print!("{}", rules_markdown()),
    }
    Ok(0)
}

/// `docs/rules.md`, generated from the rule registry (a test holds the file to it).
fn rules_markdown() -> String {
    let cell = |s: &str| s.replace('|', "\\|");
    let mut s = String::from(
        "# 检查规则 / Check rules\n\n\
<!-- 由 `gongkai rules --format md > docs/rules.md` 生成，请勿手工修改。\n\
     Generated by `gongkai rules --format md > docs/rules.md` from the rule registry\n\
     (crates/rules/src/catalogue.rs); do not edit: crates/cli/tests/it/cli.rs fails when it is stale. -->\n\n\
`gongkai check` 报告的每个问题都带有下表的规则编号。E 为表格勾稽关系，D 为单份报告的缺陷，\
P 为解析问题；严重程度为默认值。依据指向项目的领域规格（SPEC）。\n\n\
Every finding of `gongkai check` carries one of these rule ids: E = arithmetic identities of the\n\
tables, D = defects of a single report, P = parse problems; the severity is the default one.\n\n\
| 编号 id | 严重程度 severity | 规则 rule | 依据 basis |\n|---|---|---|---|\n",
    );
    for r in gongkai_rules::RULES {
        s.push_str(&format!("| {} | {} | {} | {} |\n", r.id, r.severity.zh(), cell(r.title), cell(r.basis)));
    }
    s
}

/// Log events to stderr, filtered by `RUST_LOG` (`warn`, `info,gongkai_web=debug` …; an
/// unreadable value is ignored); by default warnings only, and for `gongkai serve` also the
/// requests and use cases (`info`). The events carry no personal data.
fn init_tracing(serve: bool) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let default = Targets::new().with_default(if serve { LevelFilter::INFO } else { LevelFilter::WARN });
    let filter = std::env::var("RUST_LOG").ok().and_then(|v| v.parse::<Targets>().ok()).unwrap_or(default);
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    // Fails only when a subscriber is already set, which then keeps logging.
    let _ = tracing_subscriber::registry().with(fmt).with(filter).try_init();
}

fn render(path: &str, to: RenderTo, out_path: Option<&str>, force: bool) -> anyhow::Result<u8> {
    use anyhow::Context;
    use std::io::Read;
    if let Some(p) = out_path {
        safe::refuse_existing(std::path::Path::new(p), force)?;
    }
    let mut text = String::new();
    if path == "-" {
        std::io::stdin().read_to_string(&mut text).context("无法读取标准输入")?;
    } else {
        text = std::fs::read_to_string(path).with_context(|| format!("无法读取“{path}”"))?;
    }
    let report = gongkai_app::documents::read_report_json(&text, path)?;
    write_rendered(&render_bytes(&report, to), to, out_path, force)?;
    Ok(0)
}

/// A report in the official layout, in the chosen output format.
pub fn render_bytes(report: &gongkai_model::Report, to: RenderTo) -> Vec<u8> {
    use gongkai_app::documents::{Document, render};
    let doc = match to {
        RenderTo::Html => Document::Html,
        RenderTo::Md => Document::Markdown,
        RenderTo::Text => Document::Text,
        RenderTo::Json => Document::Json,
        RenderTo::Docx => Document::Docx,
        RenderTo::Xlsx => Document::Xlsx,
    };
    render(report, doc)
}

/// Write rendered bytes to `--out` or standard output (binary formats refuse a terminal).
pub fn write_rendered(bytes: &[u8], to: RenderTo, out_path: Option<&str>, force: bool) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::{IsTerminal, Write};
    match out_path {
        Some(p) => safe::write_output(std::path::Path::new(p), bytes, force)?,
        None => {
            let binary = matches!(to, RenderTo::Docx | RenderTo::Xlsx);
            if binary && std::io::stdout().is_terminal() {
                anyhow::bail!("DOCX/XLSX 是二进制文件，请用 --out 文件名 指定输出文件");
            }
            std::io::stdout().lock().write_all(bytes).context("无法写到标准输出")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    /// Every option and argument of every command has a description, and every command has
    /// examples (`examples::of`).
    #[test]
    fn every_option_is_described_and_every_command_has_examples() {
        fn walk(c: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in c.get_arguments().filter(|a| !a.is_hide_set()) {
                if a.get_help().is_none_or(|h| h.to_string().trim().is_empty()) {
                    missing.push(format!("{path}: --{} 没有说明", a.get_id()));
                }
            }
            if !path.is_empty() && crate::examples::of(path.trim()).is_none() {
                missing.push(format!("{path}: 没有示例（crates/cli/src/examples.rs）"));
            }
            for s in c.get_subcommands() {
                walk(s, format!("{path} {}", s.get_name()).trim(), missing);
            }
        }
        let mut cmd = super::command();
        cmd.build();
        cmd.clone().debug_assert();
        let mut missing = Vec::new();
        walk(&cmd, "", &mut missing);
        assert!(missing.is_empty(), "{}", missing.join("\n"));
    }
}
