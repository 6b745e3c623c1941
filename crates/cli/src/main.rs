//! `gongkai` — command-line interface. A thin layer over the library crates: argument
//! parsing, file walking, parallelism, output formatting and exit codes.

mod check;
mod diag;
mod files;

use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "gongkai", version, about = "政府信息公开工作年度报告：解析、检查（gongkai）")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// 检查年度报告（文件、目录或 - 表示标准输入），像编译器一样列出问题
    Check {
        /// 文件或目录（目录递归读取 .txt .md .html .htm .shtml）；- 表示标准输入
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
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutFormat {
    Text,
    Json,
    Csv,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseFormat {
    Json,
    Text,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.cmd {
        Cmd::Check { paths, format, no_progress, errors_only } => check::run(&paths, format, !no_progress, errors_only),
        Cmd::Parse { path, format } => check::parse(&path, format),
        Cmd::Rules => {
            check::rules();
            Ok(0)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("gongkai: 错误：{e:#}");
            ExitCode::from(2)
        }
    }
}
