//! `gongkai` — command-line interface. A thin layer over the library crates: argument
//! parsing, file walking, parallelism, output formatting and exit codes.

mod audit;
mod calendar;
mod casework;
mod check;
mod compile;
mod diag;
mod files;
mod register_cmd;
mod safe;
mod serve;
mod spill;
mod store_bench;

use std::process::ExitCode;

// The parsers allocate many small strings and vectors per report (labels, cells, findings);
// mimalloc serves them in about half the instructions of glibc's malloc (callgrind, text
// parse+check: 1.40 M → 1.27 M instructions per report) and is a small C library built by `cc`.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "gongkai", version, about = "政府信息公开工作年度报告：解析、检查（gongkai）")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    /// 登记簿：SQLite 文件路径或 postgres:// 地址（默认取环境变量 GONGKAI_DB，再默认 $XDG_DATA_HOME/gongkai/gongkai.db）
    #[arg(long, global = true, value_name = "PATH|URL")]
    db: Option<String>,
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
        #[arg(long, value_enum, default_value_t = ParseFormat::Json)]
        format: ParseFormat,
    },
    /// 列出全部检查规则
    Rules,
    /// 批量审核：输出长表数据集（.csv）、全部结果（.json）或中文审核页（.html）
    Audit {
        #[arg(required = true)]
        paths: Vec<String>,
        /// 输出文件：.csv（每个单元格一行）、.json 或 .html
        #[arg(long)]
        out: String,
        /// 清单文件（CSV，表头 file,organ,parent,year）：覆盖报告自述的机关和年度，并给出上级机关
        #[arg(long)]
        manifest: Option<String>,
    },
    /// 按官方格式输出报告：读取 gongkai parse 输出的 JSON，写成 HTML、Markdown、文本、JSON、Word（DOCX）或 Excel（XLSX）
    Render {
        /// 报告数据 JSON 文件；- 表示标准输入
        path: String,
        #[arg(long, value_enum, default_value_t = RenderTo::Html)]
        to: RenderTo,
        /// 输出文件（docx、xlsx 必须指定，除非标准输出重定向到文件）；缺省写到标准输出
        #[arg(long)]
        out: Option<String>,
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

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseFormat {
    Json,
    Text,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let db = cli.db;
    let result = match cli.cmd {
        Cmd::Register(cmd) => register_cmd::run(*cmd, db.as_deref()),
        Cmd::Serve(a) => serve::run(&a, db.as_deref()),
        Cmd::Check { paths, format, no_progress, errors_only } => check::run(&paths, format, !no_progress, errors_only),
        Cmd::Parse { path, format } => check::parse(&path, format),
        Cmd::Rules => {
            check::rules();
            Ok(0)
        }
        Cmd::Calendar { cmd, holidays, format } => {
            calendar::run(&cmd, holidays.as_deref(), db.as_deref(), format == ParseFormat::Json)
        }
        Cmd::Render { path, to, out } => render(&path, to, out.as_deref()),
        Cmd::Audit { paths, out, manifest } => audit::run(&paths, &out, manifest.as_deref()),
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
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("gongkai: 错误：{e:#}");
            ExitCode::from(2)
        }
    }
}

fn render(path: &str, to: RenderTo, out_path: Option<&str>) -> anyhow::Result<u8> {
    use anyhow::Context;
    use std::io::Read;
    let mut text = String::new();
    if path == "-" {
        std::io::stdin().read_to_string(&mut text).context("无法读取标准输入")?;
    } else {
        text = std::fs::read_to_string(path).with_context(|| format!("无法读取“{path}”"))?;
    }
    let report: gongkai_model::Report =
        serde_json::from_str(&text).with_context(|| format!("“{path}”不是 gongkai.report/1 格式的报告数据"))?;
    if report.schema != gongkai_model::SCHEMA_VERSION {
        anyhow::bail!("报告数据版本为“{}”，本程序支持“{}”", report.schema, gongkai_model::SCHEMA_VERSION);
    }
    write_rendered(&render_bytes(&report, to), to, out_path)?;
    Ok(0)
}

/// A report in the official layout, in the chosen output format.
pub fn render_bytes(report: &gongkai_model::Report, to: RenderTo) -> Vec<u8> {
    match to {
        RenderTo::Html => gongkai_render::html(report).into_bytes(),
        RenderTo::Md => gongkai_render::markdown(report).into_bytes(),
        RenderTo::Text => gongkai_render::text(report, gongkai_render::TextShape::CellPerLine).into_bytes(),
        RenderTo::Json => (gongkai_render::json(report) + "\n").into_bytes(),
        RenderTo::Docx => gongkai_office::docx(report),
        RenderTo::Xlsx => gongkai_office::xlsx(report),
    }
}

/// Write rendered bytes to `--out` or standard output (binary formats refuse a terminal).
pub fn write_rendered(bytes: &[u8], to: RenderTo, out_path: Option<&str>) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::{IsTerminal, Write};
    match out_path {
        Some(p) => std::fs::write(p, bytes).with_context(|| format!("无法写入“{p}”"))?,
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
