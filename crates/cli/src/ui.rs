//! The command line's conventions (clig.dev), in one place: the clap tree in Chinese (help
//! headings, the help and version flags, clap's own errors), examples under every command,
//! global options shown only where they matter, errors of the operating system and of drivers
//! worded in Chinese, `--color` / `NO_COLOR` / `TERM=dumb`, and a closed output pipe ending the
//! program quietly with exit 0.

use std::io;
use std::sync::OnceLock;

use clap::{Arg, ArgAction, Command};

/// `--color`: when the output is coloured.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ColorWhen {
    /// 输出到终端且未设 NO_COLOR、TERM 不为 dumb 时着色
    #[default]
    Auto,
    /// 总是着色
    Always,
    /// 从不着色
    Never,
}

static COLOR: OnceLock<ColorWhen> = OnceLock::new();

/// Set the `--color` choice (once, from `main`).
pub fn set_color(when: ColorWhen) {
    let _ = COLOR.set(when);
}

/// Whether output to a stream that `is_terminal` (or not) gets colour: `--color always|never`
/// decides; `auto` colours a terminal unless `NO_COLOR` is set (to anything but empty) or
/// `TERM=dumb`.
pub fn color(is_terminal: bool) -> bool {
    match COLOR.get().copied().unwrap_or_default() {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            is_terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// Whether standard error may carry a progress bar (cursor movement): a terminal that is not
/// `TERM=dumb`.
pub fn fancy_stderr() -> bool {
    use std::io::IsTerminal;
    io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Whether standard output gets colour (see [`color`]).
pub fn color_stdout() -> bool {
    use std::io::IsTerminal;
    color(io::stdout().is_terminal())
}

// ------------------------------------------------------------------ OS and driver errors

/// What went wrong, in Chinese, for an error of the operating system (the one mapping from
/// `io::ErrorKind`; the raw English text of the OS is never shown).
pub fn io_zh(e: &io::Error) -> String {
    use io::ErrorKind as K;
    let s = match e.kind() {
        K::NotFound => "文件或目录不存在",
        K::PermissionDenied => "没有权限",
        K::AlreadyExists => "文件已存在",
        K::IsADirectory => "这是一个目录，不是文件",
        K::NotADirectory => "路径中有一段不是目录",
        K::DirectoryNotEmpty => "目录不是空的",
        K::ReadOnlyFilesystem => "所在的文件系统是只读的",
        K::StorageFull => "磁盘空间已满",
        K::QuotaExceeded => "超过了磁盘配额",
        K::FileTooLarge => "文件太大",
        K::InvalidData => "内容无效（例如不是 UTF-8 文本）",
        K::InvalidInput | K::InvalidFilename => "文件名或参数无效",
        K::UnexpectedEof => "文件意外结束（可能不完整）",
        K::BrokenPipe => "输出管道已关闭",
        K::Interrupted => "操作被中断",
        K::TimedOut => "操作超时",
        K::WouldBlock | K::ResourceBusy => "资源正忙，请稍后再试",
        K::ExecutableFileBusy => "文件正被执行，无法写入",
        K::Deadlock => "文件锁冲突",
        K::CrossesDevices => "不能跨设备移动文件",
        K::TooManyLinks => "链接过多",
        K::StaleNetworkFileHandle => "网络文件句柄已失效",
        K::ConnectionRefused => "连接被拒绝",
        K::ConnectionReset | K::ConnectionAborted => "连接被中断",
        K::NotConnected => "未连接",
        K::AddrInUse => "地址已被占用",
        K::AddrNotAvailable => "地址不可用",
        K::HostUnreachable | K::NetworkUnreachable => "网络不可达",
        K::NetworkDown => "网络已断开",
        K::OutOfMemory => "内存不足",
        K::Unsupported => "此系统不支持该操作",
        K::ArgumentListTooLong => "参数列表太长",
        _ => "系统错误",
    };
    match e.raw_os_error() {
        Some(code) if s == "系统错误" => format!("系统错误（代码 {code}）"),
        _ => s.to_string(),
    }
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{3000}'..='\u{9fff}').contains(&c) || ('\u{ff00}'..='\u{ffef}').contains(&c))
}

/// The message of an error chain for the user: each layer once, OS errors in Chinese
/// ([`io_zh`]), and a driver's English text marked as such.
pub fn error_text(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let chain: Vec<&(dyn std::error::Error + 'static)> = e.chain().collect();
    for (i, cause) in chain.iter().enumerate() {
        let io_below = chain[i + 1..].iter().any(|c| c.downcast_ref::<io::Error>().is_some());
        let text = if let Some(j) = cause.downcast_ref::<serde_json::Error>() {
            json_zh(j)
        } else if let Some(io) = cause.downcast_ref::<io::Error>() {
            // An io::Error made from a custom error keeps its own (maybe Chinese) text.
            match io.get_ref().map(|inner| inner.to_string()).filter(|t| has_cjk(t)) {
                Some(t) => t,
                None => io_zh(io),
            }
        } else {
            let t = cause.to_string();
            match () {
                _ if has_cjk(&t) || t.is_empty() => t,
                // A driver's English wrapper of an OS error: the OS error below says it in Chinese.
                _ if io_below => continue,
                _ => format!("（系统返回：{t}）"),
            }
        };
        // A layer that repeats its cause (`format!("…{e}")` plus `.context`) is shown once.
        if parts.last().is_some_and(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join("：")
}

/// A JSON reading error in Chinese, with its line and column: serde's common messages (missing
/// or unknown fields and values, wrong types, syntax) are reworded; anything else is marked as
/// the parser's own text.
pub fn json_zh(e: &serde_json::Error) -> String {
    let full = e.to_string();
    // serde_json appends " at line L column C" to every message.
    let msg = full.rsplit_once(" at line ").map_or(full.as_str(), |(m, _)| m);
    let quoted = |s: &str| -> Vec<String> { s.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    let q = quoted(msg);
    let first = q.first().cloned().unwrap_or_default();
    let what = if let Some(rest) = msg.strip_prefix("missing field ") {
        format!("缺少字段“{}”", rest.trim_matches('`'))
    } else if msg.starts_with("unknown variant ") {
        format!("“{first}”不是可用的值（可用：{}）", q[1..].join("、"))
    } else if msg.starts_with("unknown field ") {
        format!("无法识别的字段“{first}”（可用：{}）", q[1..].join("、"))
    } else if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, x)| x);
        format!("类型不对（应为 {expected}）")
    } else if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let expected = rest.split_once(", expected ").map_or("", |(_, x)| x);
        format!("值无效（应为 {expected}）")
    } else if msg.starts_with("EOF while parsing") {
        "内容不完整（JSON 意外结束）".to_string()
    } else if msg.starts_with("expected") || msg.starts_with("key must be") || msg.starts_with("trailing") {
        "不是有效的 JSON".to_string()
    } else {
        format!("（系统返回：{msg}）")
    };
    if e.line() > 0 { format!("{what}（第{}行第{}列）", e.line(), e.column()) } else { what }
}

/// Whether an error is a closed output pipe (`gongkai parse x | head -1`).
pub fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<io::Error>().is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe))
}

/// A closed pipe ends the program quietly with exit 0 (the reader has what it wanted):
/// `println!` panics on EPIPE, and this hook turns that panic into a silent exit.
pub fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.contains("failed printing to std") && (msg.contains("Broken pipe") || msg.contains("os error 32")) {
            crate::register_cmd::remove_snapshots();
            std::process::exit(0);
        }
        default(info);
    }));
}

// ------------------------------------------------------------------ the clap tree in Chinese

/// Commands whose work involves the register: `--db` is shown in their help (hidden elsewhere).
const DB_USERS: &[&str] = &[
    "serve",
    "init",
    "organ",
    "register",
    "event",
    "show",
    "due",
    "catalogue",
    "case",
    "counts",
    "history",
    "ledger",
    "letter",
    "compile",
    "calendar",
];

/// Commands that write to the register or read personal data (audited with the actor):
/// `--actor` is shown in their help.
const ACTOR_USERS: &[&str] =
    &["organ", "register", "event", "show", "catalogue", "case", "counts", "history", "ledger", "letter", "calendar"];

/// Commands that colour their output: `--color` is shown in their help.
const COLOR_USERS: &[&str] = &["check", "parse"];

/// The help page layout, with Chinese headings; a section heading only where it has entries.
fn template(c: &Command) -> String {
    let mut t = String::from("{before-help}{about-with-newline}\n用法：{usage}\n");
    if c.has_subcommands() {
        t.push_str("\n命令：\n{subcommands}\n");
    }
    if c.get_positionals().any(|a| !a.is_hide_set()) {
        t.push_str("\n参数：\n{positionals}\n");
    }
    if c.get_opts().chain(c.get_arguments().filter(|a| !a.is_positional())).any(|a| !a.is_hide_set()) {
        t.push_str("\n选项：\n{options}\n");
    }
    t.push_str("{after-help}");
    t
}

/// The `--db` option as the register commands show it.
fn db_arg() -> Arg {
    Arg::new("db")
        .long("db")
        .global(true)
        .value_name("PATH|URL")
        .help("登记簿：SQLite 文件路径或 postgres:// 地址（默认取环境变量 GONGKAI_DB，再默认 $XDG_DATA_HOME/gongkai/gongkai.db）")
}

fn actor_arg() -> Arg {
    Arg::new("actor")
        .long("actor")
        .global(true)
        .value_name("NAME")
        .help("记入修改记录（审计日志）的操作人；默认取环境变量 GONGKAI_ACTOR，再默认本机登录用户名")
}

fn color_arg() -> Arg {
    Arg::new("color")
        .long("color")
        .global(true)
        .value_name("WHEN")
        .value_parser(clap::builder::EnumValueParser::<ColorWhen>::new())
        .default_value("auto")
        .help("着色：auto（终端且未设 NO_COLOR、TERM 不为 dumb 时）、always、never")
}

/// The whole clap tree, in Chinese, with the examples under every command.
pub fn localize(root: Command) -> Command {
    let root = root
        .disable_help_flag(true)
        .disable_version_flag(true)
        .disable_help_subcommand(true)
        .color(clap::ColorChoice::Never)
        .arg(Arg::new("help").short('h').long("help").global(true).action(ArgAction::Help).help("显示帮助"))
        .arg(Arg::new("version").short('V').long("version").action(ArgAction::Version).help("显示版本"))
        .mut_arg("db", |a| a.hide(true))
        .mut_arg("actor", |a| a.hide(true))
        .mut_arg("color", |a| a.hide(true));
    walk(root, "")
}

fn walk(mut c: Command, path: &str) -> Command {
    let top = path.split(' ').next().unwrap_or("");
    if !path.is_empty() && !path.contains(' ') {
        // A first-level command that needs an option the root hides gets a visible copy
        // (same id: clap then does not propagate the hidden one, and the value reaches the root).
        if DB_USERS.contains(&top) {
            c = c.arg(db_arg());
        }
        if ACTOR_USERS.contains(&top) {
            c = c.arg(actor_arg());
        }
        if COLOR_USERS.contains(&top) {
            c = c.arg(color_arg());
        }
    }
    let names: Vec<String> = c.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for n in names {
        let sub = if path.is_empty() { n.clone() } else { format!("{path} {n}") };
        c = c.mut_subcommand(&n, |s| walk(s, &sub));
    }
    if !path.is_empty() {
        let examples = crate::examples::of(path);
        let after = match (examples, c.get_after_help().map(|h| h.to_string())) {
            (Some(e), Some(a)) => Some(format!("示例：\n{e}\n\n{a}")),
            (Some(e), None) => Some(format!("示例：\n{e}")),
            (None, a) => a,
        };
        if let Some(a) = after {
            c = c.after_help(a);
        }
    } else {
        c = c.after_help(
            "详见 gongkai <命令> --help；补全脚本：gongkai completions bash|zsh|fish|powershell；手册页：gongkai man",
        );
    }
    let t = template(&c);
    c.subcommand_value_name("命令").help_template(t)
}

/// A help or usage text with clap's few remaining English words in Chinese.
pub fn zh_chrome(s: &str) -> String {
    let mut s = s
        .replace("Usage: ", "用法：")
        .replace("Possible values:", "可选值：")
        .replace("[OPTIONS]", "[选项]")
        .replace("[COMMAND]", "[命令]")
        .replace("[default: ", "[默认：")
        .replace("[possible values: ", "[可选值：")
        .replace("[aliases: ", "[别名：")
        .replace("[env: ", "[环境变量：");
    while s.contains("\n\n\n") {
        s = s.replace("\n\n\n", "\n\n");
    }
    s
}

/// clap's errors in Chinese, naming the option and the value; then the usage line and where
/// to read more.
pub fn clap_error_zh(e: &clap::Error) -> String {
    use clap::error::{ContextKind as C, ContextValue as V, ErrorKind as K};
    let get = |k: C| -> String {
        match e.get(k) {
            Some(V::String(s)) => s.clone(),
            Some(V::Strings(v)) => v.join("、"),
            Some(V::StyledStr(s)) => s.to_string(),
            Some(V::StyledStrs(v)) => v.iter().map(|s| s.to_string()).collect::<Vec<_>>().join("、"),
            Some(V::Number(n)) => n.to_string(),
            _ => String::new(),
        }
    };
    let arg = get(C::InvalidArg);
    // A positional argument (`<ID>`) is a 参数, a flag (`--format <FORMAT>`) an 选项.
    let opt = if arg.starts_with('<') { "参数" } else { "选项" };
    let value = get(C::InvalidValue);
    let hint = |k: C, what: &str| {
        let s = get(k);
        if s.is_empty() { String::new() } else { format!("（{what}{s}？）") }
    };
    let msg = match e.kind() {
        K::InvalidValue if value.is_empty() => format!("{opt} {arg} 缺少值"),
        K::InvalidValue => {
            let valid = get(C::ValidValue);
            let valid = if valid.is_empty() { String::new() } else { format!("；可选：{valid}") };
            format!("{opt} {arg} 的值“{value}”无效{valid}{}", hint(C::SuggestedValue, "是否想写 "))
        }
        K::UnknownArgument => format!("无法识别的参数“{arg}”{}", hint(C::SuggestedArg, "是否想用 ")),
        K::InvalidSubcommand => {
            format!("没有“{}”这个命令{}", get(C::InvalidSubcommand), hint(C::SuggestedSubcommand, "是否想用 "))
        }
        K::NoEquals => format!("选项 {arg} 须用“=”连接它的值"),
        K::ValueValidation => {
            let why = std::error::Error::source(e).map(reason_zh).unwrap_or_else(|| "格式不对".into());
            format!("{opt} {arg} 的值“{value}”无效：{why}")
        }
        K::TooManyValues => format!("多余的参数“{value}”（{arg} 只接受一个值）"),
        K::TooFewValues | K::WrongNumberOfValues => format!("{opt} {arg} 的值的个数不对"),
        K::ArgumentConflict => {
            let prior = get(C::PriorArg);
            if prior.is_empty() {
                format!("{arg} 不能与其他选项同时使用")
            } else {
                format!("{arg} 不能与 {prior} 同时使用")
            }
        }
        K::MissingRequiredArgument => format!("缺少必需的参数：{arg}"),
        K::MissingSubcommand => "缺少命令".to_string(),
        K::InvalidUtf8 => "参数不是有效的 UTF-8 文本".to_string(),
        _ => "命令行参数有误".to_string(),
    };
    let usage = zh_chrome(&get(C::Usage));
    let mut out = format!("gongkai: 错误：{msg}\n");
    if !usage.is_empty() {
        out.push('\n');
        out.push_str(usage.trim_end());
        out.push('\n');
    }
    out.push_str("\n详见 --help\n");
    out
}

/// Why a value was refused, in Chinese (clap hands the value parser's error).
fn reason_zh(e: &(dyn std::error::Error + 'static)) -> String {
    use std::num::IntErrorKind as I;
    if let Some(p) = e.downcast_ref::<std::num::ParseIntError>() {
        return match p.kind() {
            I::Empty => "值为空".into(),
            I::PosOverflow => "数值太大".into(),
            I::NegOverflow => "数值太小".into(),
            I::InvalidDigit => "应为整数".into(),
            _ => "应为整数".into(),
        };
    }
    if e.downcast_ref::<std::num::ParseFloatError>().is_some() {
        return "应为数字".into();
    }
    let t = e.to_string();
    if has_cjk(&t) { t } else { format!("格式不对（{t}）") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_errors_are_worded_in_chinese() {
        let e = anyhow::Error::new(io::Error::from(io::ErrorKind::NotFound)).context("无法打开文件“x.txt”");
        assert_eq!(error_text(&e), "无法打开文件“x.txt”：文件或目录不存在");
        let e = anyhow::Error::new(io::Error::from_raw_os_error(13)).context("无法写入“y”");
        assert_eq!(error_text(&e), "无法写入“y”：没有权限");
        let e = anyhow::anyhow!("connection closed").context("无法连接");
        assert_eq!(error_text(&e), "无法连接：（系统返回：connection closed）");
        let bad = serde_json::from_str::<serde_json::Value>("{\"a\": }").unwrap_err();
        assert_eq!(json_zh(&bad), "不是有效的 JSON（第1行第7列）");
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            kind: K,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(rename_all = "snake_case")]
        enum K {
            Fee,
            Reply,
        }
        let e = serde_json::from_str::<T>("{}").unwrap_err();
        assert_eq!(json_zh(&e), "缺少字段“kind”（第1行第2列）");
        let e = serde_json::from_str::<T>(r#"{"kind":"x"}"#).unwrap_err();
        assert!(json_zh(&e).starts_with("“x”不是可用的值（可用：fee、reply）"), "{}", json_zh(&e));
        let e = serde_json::from_value::<T>(serde_json::json!({"kind": "fee", "z": 1})).unwrap_err();
        assert_eq!(json_zh(&e), "无法识别的字段“z”（可用：kind）");
        #[derive(Debug)]
        struct Driver(io::Error);
        impl std::fmt::Display for Driver {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("error connecting to server")
            }
        }
        impl std::error::Error for Driver {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = anyhow::Error::new(Driver(io::Error::from(io::ErrorKind::ConnectionRefused)))
            .context("无法连接 PostgreSQL 登记簿");
        assert_eq!(error_text(&e), "无法连接 PostgreSQL 登记簿：连接被拒绝");
        assert!(is_broken_pipe(&anyhow::Error::new(io::Error::from(io::ErrorKind::BrokenPipe)).context("写")));
    }
}
