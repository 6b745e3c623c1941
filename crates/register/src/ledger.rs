//! The application 台账 (ledger) that offices keep in Excel: a documented column layout, a
//! validating reader that turns rows of cell text into applications with event logs, and a
//! writer for the same layout. Pure: the XLSX container is read and written elsewhere; here a
//! sheet is rows of strings.
//!
//! Layout (header row first; columns are found by their header, in any order; `*` = required):
//!
//! | header | content |
//! |---|---|
//! | 受理编号* | the office's register number, unique within the organ |
//! | 收到申请日期* | receipt date under 第三十一条 (`2024-03-05`, `2024/3/5`, `2024年3月5日` or an Excel date serial) |
//! | 提交方式 | 当面 / 邮寄 / 平信 / 网络 / 传真 (第三十一条 channels; default 网络, [`Channel::DEFAULT`], as `register`) |
//! | 申请人类型* | 自然人 / 商业企业 / 科研机构 / 社会公益组织 / 法律服务机构 / 其他 (table 三 columns) |
//! | 申请人姓名或名称* | |
//! | 证件号码, 联系电话, 通讯地址, 电子邮箱 | personal data (masked on export unless allowed) |
//! | 申请内容* | what is asked for |
//! | 获取信息方式 | 纸质 / 电子 / 查阅 / 摘抄 (default 纸质) |
//! | 补正告知日期, 补正后收到日期 | 第三十条 |
//! | 延期批准日期, 延期工作日数, 延期审批人 | 第三十三条第二款 (all three or none) |
//! | 答复日期, 办理结果 | the reply and its table-三 row (`R3.4.1`, `本机关不掌握相关政府信息`, `予以公开` …); both or neither |
//! | 备注 | free text, not imported |
//! | 个人信息 | written by `gongkai ledger export`: 已隐去 (masked) or 完整 (unmasked) |
//!
//! A masked export cannot come back as data: a row marked 已隐去, or a personal value holding
//! the masks' `*` (`张*`, `138****5678`), is refused. Error messages never quote a personal
//! value: every cell value of the row that appears in a message is shown masked (see
//! [`shown`]).
//! Every row is checked completely (fields, then the event log through the statutory clock), so
//! an import can report every bad row with its line and reason and commit all rows or none.

use std::collections::HashMap;

use gongkai_calendar::Calendar;
use gongkai_clock::{Channel, Clock, Event, Outcome};
use gongkai_model::normalize::normalize;
use jiff::civil::Date;
use serde::Serialize;

use crate::{AppId, Applicant, ApplicantKind, Application, OrganId, RequestedForm, validate};

/// The headers, in the order the writer uses.
pub const HEADERS: [&str; 19] = [
    "受理编号",
    "收到申请日期",
    "提交方式",
    "申请人类型",
    "申请人姓名或名称",
    "证件号码",
    "联系电话",
    "通讯地址",
    "电子邮箱",
    "申请内容",
    "获取信息方式",
    "补正告知日期",
    "补正后收到日期",
    "延期批准日期",
    "延期工作日数",
    "延期审批人",
    "答复日期",
    "办理结果",
    "备注",
];

/// The export's marker column: whether personal data in the file is masked.
pub const MASK_HEADER: &str = "个人信息";
/// Marker values of [`MASK_HEADER`].
pub const MASKED: &str = "已隐去";
pub const UNMASKED: &str = "完整";

/// The columns holding personal data.
const PERSONAL: [&str; 5] = ["申请人姓名或名称", "证件号码", "联系电话", "通讯地址", "电子邮箱"];

/// The columns every row must fill.
pub const REQUIRED: [&str; 5] = ["受理编号", "收到申请日期", "申请人类型", "申请人姓名或名称", "申请内容"];

/// What a ledger column holds, for a spreadsheet writer: text stays text (a 受理编号 `001`
/// keeps its zeros), dates become real dates, counts numbers, and a choice column offers its
/// values as a drop-down list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    /// An ISO date (`2024-03-05`) as the writer writes it.
    Date,
    /// A whole number (延期工作日数).
    Count,
    /// One of these wordings (each one the reader accepts).
    Choice(Vec<String>),
}

/// The kind of the ledger column `header` (an unknown header is text).
pub fn column_kind(header: &str) -> ColumnKind {
    let list = |v: Vec<&str>| ColumnKind::Choice(v.into_iter().map(str::to_string).collect());
    match header {
        "收到申请日期" | "补正告知日期" | "补正后收到日期" | "延期批准日期" | "答复日期" => {
            ColumnKind::Date
        }
        "延期工作日数" => ColumnKind::Count,
        "提交方式" => list(Channel::ALL.iter().map(|c| channel_label(*c)).collect()),
        "申请人类型" => list(ApplicantKind::ALL.iter().map(|k| k.label()).collect()),
        "获取信息方式" => list(RequestedForm::ALL.iter().map(|f| f.label()).collect()),
        "办理结果" => ColumnKind::Choice(Outcome::ALL.iter().map(|o| outcome_text(*o)).collect()),
        _ => ColumnKind::Text,
    }
}

/// An outcome in the words clerks use, as the export writes it and the drop-down offers it:
/// the row's own wording without its number (`予以公开`, `本机关不掌握相关政府信息`), or the
/// whole label with its group where the wording alone would be ambiguous (`3.其他`).
/// [`parse_outcome`] reads every one back to the same row.
pub fn outcome_text(o: Outcome) -> String {
    let full = o.label();
    // `（四）无法提供1.本机关不掌握相关政府信息`: the text after the item number; `（一）予以公开`:
    // the text after the group number.
    let sub = match full.find(|c: char| c.is_ascii_digit()) {
        Some(i) => full[i..].trim_start_matches(|c: char| c.is_ascii_digit() || c == '.'),
        None => full.rfind('）').map_or(full.as_str(), |i| &full[i + '）'.len_utf8()..]),
    }
    .trim();
    if sub.chars().count() >= 4 && parse_outcome(sub) == Ok(o) { sub.to_string() } else { full }
}

/// One valid ledger row: an application without its database ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerRow {
    /// 1-based line in the sheet (the header is line 1).
    pub line: usize,
    pub serial: String,
    pub applicant: Applicant,
    pub channel: Channel,
    pub description: String,
    pub form: RequestedForm,
    pub events: Vec<Event>,
}

impl LedgerRow {
    /// The row as a first-version application record with the given ids (what a ledger writer
    /// takes: a row read back, written out again).
    pub fn application(self, id: AppId, organ: OrganId) -> Application {
        Application {
            id,
            organ,
            serial: self.serial,
            applicant: self.applicant,
            channel: self.channel,
            description: self.description,
            form: self.form,
            events: self.events,
            version: 1,
        }
    }
}

/// Why a row (or the header) was refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("第{line}行“{column}”：{reason}")]
pub struct RowError {
    pub line: usize,
    pub column: String,
    pub reason: String,
}

fn err(line: usize, column: &str, reason: impl Into<String>) -> RowError {
    RowError { line, column: column.to_string(), reason: reason.into() }
}

/// A cell value as an error message may quote it. Values that cannot identify anyone — short
/// runs of digits, ASCII punctuation and 年/月/日 (dates, counts, row ids such as `R3.1`) with
/// no run of more than six digits — are shown as they are; anything else (names, ID numbers,
/// phones, addresses, e-mails, and any text typed into the wrong column) is shown as its
/// first character and one `*` per further character, at most 8 (`张**`).
pub fn shown(v: &str) -> String {
    let t = v.trim();
    let plain = t.chars().count() <= 12
        && t.chars().all(|c| {
            c.is_ascii_digit() || c.is_ascii_punctuation() || c == ' ' || matches!(c, '年' | '月' | '日' | 'R')
        })
        && t.split(|c: char| !c.is_ascii_digit()).all(|run| run.len() <= 6)
        && !t.contains('@');
    if plain {
        return t.to_string();
    }
    let mut chars = t.chars();
    match chars.next() {
        None => String::new(),
        Some(first) => {
            let rest = chars.count().min(8);
            std::iter::once(first).chain(std::iter::repeat_n('*', rest)).collect()
        }
    }
}

/// Replace every value of the row that appears in `reason` by its [`shown`] form: quoted
/// values in every message, and in the statutory clock's messages (which quote nothing) the
/// personal values and the approver's name wherever they occur.
fn redact(e: &mut RowError, row: &[String], col: &HashMap<&'static str, usize>) {
    let from_clock = e.column == "办理记录";
    let reason = &mut e.reason;
    let mut values: Vec<(&str, bool)> = row
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let personal = col.iter().any(|(name, j)| *j == i && (PERSONAL.contains(name) || *name == "延期审批人"));
            (v.trim(), personal)
        })
        .filter(|(v, _)| !v.is_empty())
        .collect();
    // Longer values first, so that a value containing another is replaced whole.
    values.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
    for (v, personal) in values {
        let quoted = format!("“{v}”");
        if reason.contains(&quoted) {
            *reason = reason.replace(&quoted, &format!("“{}”", shown(v)));
        }
        if from_clock && personal && reason.contains(v) {
            *reason = reason.replace(v, &shown(v));
        }
    }
}

/// Parse a date as clerks type it, or as Excel stores it (a serial day number): the one date
/// parser of every entry path.
pub use crate::validate::parse_date;

/// Parse a 第三十一条 channel.
pub fn parse_channel(s: &str) -> Option<Channel> {
    let t = normalize(s);
    Some(match t.as_str() {
        "当面" | "当面提交" | "现场" | "现场提交" => Channel::InPerson,
        "邮寄" | "信函" | "邮寄(签收)" | "挂号信" | "快递" => Channel::Post,
        "平信" | "平常信函" => Channel::Letter,
        "网络" | "互联网" | "在线" | "网上" | "网上申请" | "电子邮件" | "互联网渠道" => {
            Channel::Online
        }
        "传真" => Channel::Fax,
        _ => return None,
    })
}

fn channel_label(c: Channel) -> &'static str {
    match c {
        Channel::InPerson => "当面",
        Channel::Post => "邮寄",
        Channel::Letter => "平信",
        Channel::Online => "网络",
        Channel::Fax => "传真",
    }
}

/// Parse a requested form (第四十条).
pub fn parse_form(s: &str) -> Option<RequestedForm> {
    let t = normalize(s);
    Some(match t.as_str() {
        "" | "纸质" | "纸质文本" | "纸质版" => RequestedForm::Paper,
        "电子" | "电子数据" | "电子邮件" | "电子版" => RequestedForm::Electronic,
        "查阅" | "当场查阅" => RequestedForm::Inspection,
        "摘抄" => RequestedForm::Copying,
        _ => return None,
    })
}

/// Parse a reply's table-三 row from its id (`R3.4.1`) or its label, with or without the group
/// and the number (`本机关不掌握相关政府信息`, `（四）无法提供1.本机关不掌握相关政府信息`, `予以公开`).
/// An ambiguous text (`不予公开` alone) is refused with the candidates.
pub fn parse_outcome(s: &str) -> Result<Outcome, String> {
    let t = s.trim();
    if let Some(o) = Outcome::from_id(t) {
        return Ok(o);
    }
    let n = normalize(t);
    let strip_num = |x: &str| x.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.').to_string();
    let target = strip_num(&n);
    let hits: Vec<Outcome> = Outcome::ALL
        .iter()
        .copied()
        .filter(|o| {
            let full = normalize(&o.label());
            // The sub-label is the part after the group, e.g. "1.属于国家秘密".
            let sub = full.rfind(')').map_or(full.clone(), |p| full[p + 1..].to_string());
            full == n || strip_num(&sub) == target || full.contains(&n) && n.chars().count() >= 4
        })
        .collect();
    match hits.as_slice() {
        [o] => Ok(*o),
        [] => Err(format!("“{t}”不是表三的办理结果（如 R3.1、予以公开、本机关不掌握相关政府信息）")),
        many => Err(format!(
            "“{t}”不能确定是哪一项办理结果（可能是{}），请写明具体情形或行号",
            many.iter().map(|o| o.id()).collect::<Vec<_>>().join("、")
        )),
    }
}

/// Read a sheet: `rows[0]` is the header. Returns every valid row, or every error (a row with
/// several problems reports each). Blank rows are skipped; a 受理编号 used twice is an error.
pub fn read(rows: &[Vec<String>], cal: &Calendar) -> Result<Vec<LedgerRow>, Vec<RowError>> {
    read_as_of(rows, cal, None)
}

/// [`read`], refusing also any date after `today` (the import passes the current date).
pub fn read_as_of(rows: &[Vec<String>], cal: &Calendar, today: Option<Date>) -> Result<Vec<LedgerRow>, Vec<RowError>> {
    let Some(header) = rows.first() else {
        return Err(vec![err(1, "表头", "台账为空，第一行应为表头")]);
    };
    let mut col: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        let h = normalize(h).replace('*', "");
        if let Some(name) = HEADERS.iter().chain([&MASK_HEADER]).find(|x| normalize(x) == h) {
            col.entry(name).or_insert(i);
        }
    }
    let missing: Vec<&str> = REQUIRED.iter().copied().filter(|r| !col.contains_key(r)).collect();
    if !missing.is_empty() {
        return Err(vec![err(1, "表头", format!("缺少必填列：{}", missing.join("、")))]);
    }
    // A masked export cannot be imported: its personal data are masks, not data.
    if let Some(&m) = col.get(MASK_HEADER) {
        let masked: Vec<usize> = rows
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, r)| r.get(m).is_some_and(|v| v.trim() == MASKED))
            .map(|(k, _)| k + 1)
            .collect();
        if let Some(first) = masked.first() {
            return Err(vec![err(
                *first,
                MASK_HEADER,
                format!(
                    "本文件是隐去个人信息的导出（共{}行标为“{MASKED}”），其中的姓名、证件号码、电话等是掩码而不是真实信息，不能导入；请用 gongkai ledger export --unmask 导出的文件或原始台账",
                    masked.len()
                ),
            )]);
        }
    }
    let mut ok = Vec::new();
    let mut errors = Vec::new();
    let mut serials: HashMap<String, usize> = HashMap::new();
    for (k, row) in rows.iter().enumerate().skip(1) {
        let line = k + 1;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match read_row(line, row, &col, cal, today) {
            Ok(r) => match serials.get(&r.serial) {
                Some(first) => errors.push(err(line, "受理编号", format!("“{}”与第{first}行重复", r.serial))),
                None => {
                    serials.insert(r.serial.clone(), line);
                    ok.push(r);
                }
            },
            Err(e) => errors.extend(e.into_iter().map(|mut e| {
                redact(&mut e, row, &col);
                e
            })),
        }
    }
    if errors.is_empty() { Ok(ok) } else { Err(errors) }
}

fn read_row(
    line: usize,
    row: &[String],
    col: &HashMap<&'static str, usize>,
    cal: &Calendar,
    today: Option<Date>,
) -> Result<LedgerRow, Vec<RowError>> {
    let get = |name: &str| col.get(name).and_then(|i| row.get(*i)).map(|s| s.trim()).unwrap_or("");
    let opt = |name: &str| Some(get(name).to_string()).filter(|s| !s.is_empty());
    let mut errors = Vec::new();
    for r in REQUIRED {
        if get(r).is_empty() {
            errors.push(err(line, r, "必填，不能为空"));
        }
    }
    let mut masked = false;
    for p in PERSONAL {
        if get(p).contains(['*', '＊']) {
            masked = true;
            errors.push(err(
                line,
                p,
                "含“*”，是隐去个人信息后的掩码而不是真实信息，不能导入；请用 --unmask 导出的文件或原始台账",
            ));
        }
    }
    // The same field checks as every other entry path (crate::validate); the messages name
    // the field and never quote the value.
    let mut field_checks: Vec<validate::Invalid> = Vec::new();
    if !masked {
        let probe = Applicant {
            kind: ApplicantKind::Other,
            name: get("申请人姓名或名称").to_string(),
            id_number: opt("证件号码"),
            phone: opt("联系电话"),
            address: opt("通讯地址"),
            email: opt("电子邮箱"),
        };
        field_checks.extend(validate::applicant(&probe).into_iter().filter(|e| !get(e.field).is_empty()));
    }
    for (f, max) in [("受理编号", validate::MAX_SERIAL), ("申请内容", validate::MAX_DESCRIPTION)] {
        if !get(f).is_empty() {
            field_checks.extend(validate::required_text(f, get(f), max).err());
        }
    }
    field_checks.extend(validate::optional_text("延期审批人", get("延期审批人"), validate::MAX_NAME).err());
    errors.extend(field_checks.into_iter().map(|e| err(line, e.field, e.reason)));
    let date = |name: &str, errors: &mut Vec<RowError>| -> Option<Date> {
        let v = get(name);
        if v.is_empty() {
            return None;
        }
        parse_date(v).map_err(|e| errors.push(err(line, name, e))).ok()
    };
    let received = date("收到申请日期", &mut errors);
    // A blank channel is the same default `register` takes without `--channel`.
    let channel = match get("提交方式") {
        "" => Some(Channel::DEFAULT),
        v => parse_channel(v).or_else(|| {
            errors.push(err(
                line,
                "提交方式",
                format!("“{v}”不是第三十一条的提交方式（当面、邮寄、平信、网络、传真）"),
            ));
            None
        }),
    };
    let kind = match get("申请人类型") {
        "" => None,
        v => ApplicantKind::parse(v).or_else(|| {
            errors.push(err(
                line,
                "申请人类型",
                format!("“{v}”不是表三的申请人类型（自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他）"),
            ));
            None
        }),
    };
    let form = parse_form(get("获取信息方式")).unwrap_or_else(|| {
        errors.push(err(line, "获取信息方式", format!("“{}”应为纸质、电子、查阅或摘抄", get("获取信息方式"))));
        RequestedForm::Paper
    });
    let corr_req = date("补正告知日期", &mut errors);
    let corr_got = date("补正后收到日期", &mut errors);
    let ext_on = date("延期批准日期", &mut errors);
    let ext_days = match get("延期工作日数") {
        "" => None,
        v => v.parse::<u32>().map_err(|_| errors.push(err(line, "延期工作日数", format!("“{v}”不是整数")))).ok(),
    };
    let approver = opt("延期审批人");
    let replied = date("答复日期", &mut errors);
    let outcome = match get("办理结果") {
        "" => None,
        v => parse_outcome(v).map_err(|e| errors.push(err(line, "办理结果", e))).ok(),
    };
    let ext_given = [!get("延期批准日期").is_empty(), !get("延期工作日数").is_empty(), approver.is_some()];
    if ext_given.iter().any(|x| *x) && !ext_given.iter().all(|x| *x) {
        errors.push(err(line, "延期批准日期", "延期须同时填写批准日期、延期工作日数和审批人"));
    }
    if replied.is_some() != outcome.is_some() && errors.iter().all(|e| e.column != "办理结果" && e.column != "答复日期")
    {
        errors.push(err(line, "办理结果", "答复日期和办理结果须同时填写"));
    }
    if corr_got.is_some() && corr_req.is_none() {
        errors.push(err(line, "补正后收到日期", "有补正后收到日期，但没有补正告知日期"));
    }
    if let Some(today) = today {
        for (name, d) in [
            ("收到申请日期", received),
            ("补正告知日期", corr_req),
            ("补正后收到日期", corr_got),
            ("延期批准日期", ext_on),
            ("答复日期", replied),
        ] {
            if let Some(d) = d.filter(|d| *d > today) {
                errors.push(err(line, name, format!("{d}晚于今天（{today}），不能登记将来的日期")));
            }
        }
    }
    if let Some(r) = received {
        for (name, d) in
            [("补正告知日期", corr_req), ("补正后收到日期", corr_got), ("延期批准日期", ext_on), ("答复日期", replied)]
        {
            if let Some(d) = d.filter(|d| *d < r) {
                errors.push(err(line, name, format!("{d}早于收到申请日期{r}")));
            }
        }
    }
    let (Some(received), Some(channel), Some(kind), true) = (received, channel, kind, errors.is_empty()) else {
        return Err(errors);
    };
    let mut events = vec![Event::Received { date: received, channel }];
    if let Some(d) = corr_req {
        events.push(Event::CorrectionRequested { date: d });
    }
    if let Some(d) = corr_got {
        events.push(Event::CorrectionReceived { date: d });
    }
    if let (Some(d), Some(days), Some(a)) = (ext_on, ext_days, approver) {
        events.push(Event::Extended { date: d, days, approver: a });
    }
    if let (Some(d), Some(o)) = (replied, outcome) {
        // A reply that closes an application otherwise than by a reply is recorded as such.
        events.push(match o {
            Outcome::R3_6_1 => Event::CorrectionExpired { date: d },
            Outcome::R3_6_2 => Event::FeeNotPaid { date: d },
            _ => Event::Replied { date: d, outcome: o },
        });
    }
    // The statutory clock is the judge of the sequence (reply before receipt, extension after
    // expiry, a year the calendar does not cover …).
    if let Err(e) = Clock::replay(cal, &events) {
        return Err(vec![err(line, "办理记录", e.to_string())]);
    }
    Ok(LedgerRow {
        line,
        serial: get("受理编号").to_string(),
        applicant: Applicant {
            kind,
            name: get("申请人姓名或名称").to_string(),
            id_number: opt("证件号码"),
            phone: opt("联系电话"),
            address: opt("通讯地址"),
            email: opt("电子邮箱"),
        },
        channel,
        description: get("申请内容").to_string(),
        form,
        events,
    })
}

/// Write applications in the ledger layout (header first). Personal data is masked unless
/// `unmask` (the caller's role decides). Events the layout has no column for are counted in 备注.
/// The last column, [`MASK_HEADER`], states on every row whether the file is masked.
pub fn write(apps: &[Application], unmask: bool) -> Vec<Vec<String>> {
    write_as(apps, !unmask, !unmask)
}

/// Write applications as they are (`mask`: mask them here), marking every row as masked or
/// not (`marked_masked`; a caller whose store already masked the records passes `false, true`).
pub fn write_as(apps: &[Application], mask: bool, marked_masked: bool) -> Vec<Vec<String>> {
    let marker = if marked_masked { MASKED } else { UNMASKED };
    let mut out = vec![HEADERS.iter().chain([&MASK_HEADER]).map(|h| h.to_string()).collect::<Vec<_>>()];
    for a in apps {
        let ap = if mask { a.applicant.masked() } else { a.applicant.clone() };
        let mut cells: HashMap<&str, String> = HashMap::new();
        cells.insert("受理编号", a.serial.clone());
        cells.insert("提交方式", channel_label(a.channel).to_string());
        cells.insert("申请人类型", ap.kind.label().to_string());
        cells.insert("申请人姓名或名称", ap.name.clone());
        cells.insert("证件号码", ap.id_number.unwrap_or_default());
        cells.insert("联系电话", ap.phone.unwrap_or_default());
        cells.insert("通讯地址", ap.address.unwrap_or_default());
        cells.insert("电子邮箱", ap.email.unwrap_or_default());
        cells.insert("申请内容", a.description.clone());
        cells.insert("获取信息方式", a.form.label().to_string());
        let mut other = 0;
        for e in &a.events {
            let d = |x: &Date| x.to_string();
            match e {
                Event::Received { date, .. } => {
                    cells.insert("收到申请日期", d(date));
                }
                Event::CorrectionRequested { date } => {
                    cells.insert("补正告知日期", d(date));
                }
                Event::CorrectionReceived { date } => {
                    cells.insert("补正后收到日期", d(date));
                }
                Event::Extended { date, days, approver } => {
                    cells.insert("延期批准日期", d(date));
                    cells.insert("延期工作日数", days.to_string());
                    cells.insert("延期审批人", approver.clone());
                }
                Event::Replied { date, outcome } => {
                    cells.insert("答复日期", d(date));
                    cells.insert("办理结果", outcome_text(*outcome));
                }
                Event::CorrectionExpired { date } => {
                    cells.insert("答复日期", d(date));
                    cells.insert("办理结果", outcome_text(Outcome::R3_6_1));
                }
                Event::FeeNotPaid { date } => {
                    cells.insert("答复日期", d(date));
                    cells.insert("办理结果", outcome_text(Outcome::R3_6_2));
                }
                _ => other += 1,
            }
        }
        if other > 0 {
            cells.insert("备注", format!("另有{other}项办理记录（征求意见、收费、撤回等），见系统"));
        }
        let mut row: Vec<String> = HEADERS.iter().map(|h| cells.remove(h).unwrap_or_default()).collect();
        row.push(marker.to_string());
        out.push(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn sheet(rows: &[&[&str]]) -> Vec<Vec<String>> {
        rows.iter().map(|r| r.iter().map(|c| c.to_string()).collect()).collect()
    }

    const HEAD: &[&str] = &[
        "受理编号",
        "收到申请日期",
        "提交方式",
        "申请人类型",
        "申请人姓名或名称",
        "联系电话",
        "申请内容",
        "答复日期",
        "办理结果",
    ];

    #[test]
    fn every_choice_offered_is_read_back() {
        let texts: Vec<String> = Outcome::ALL.iter().map(|o| outcome_text(*o)).collect();
        for (o, t) in Outcome::ALL.iter().zip(&texts) {
            assert_eq!(parse_outcome(t), Ok(*o), "{t}");
            assert!(!t.starts_with('R'), "{t} is a code, not words");
        }
        assert_eq!(outcome_text(Outcome::R3_1), "予以公开");
        assert_eq!(outcome_text(Outcome::R3_4_1), "本机关不掌握相关政府信息");
        let distinct: std::collections::BTreeSet<&String> = texts.iter().collect();
        assert_eq!(distinct.len(), texts.len());
        for h in HEADERS {
            if let ColumnKind::Choice(v) = column_kind(h) {
                assert!(!v.is_empty(), "{h}");
                for x in &v {
                    let ok = match h {
                        "提交方式" => parse_channel(x).is_some(),
                        "申请人类型" => ApplicantKind::parse(x).is_some(),
                        "获取信息方式" => parse_form(x).is_some(),
                        "办理结果" => parse_outcome(x).is_ok(),
                        _ => false,
                    };
                    assert!(ok, "{h}: {x} is offered but not read");
                }
            }
        }
        assert_eq!(column_kind("答复日期"), ColumnKind::Date);
        assert_eq!(column_kind("延期工作日数"), ColumnKind::Count);
        assert_eq!(column_kind("受理编号"), ColumnKind::Text);
    }

    #[test]
    fn dates_in_the_shapes_clerks_type_them() {
        for s in ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", " 2024-3-5 ", "45356"] {
            assert_eq!(parse_date(s), Ok(date(2024, 3, 5)), "{s}");
        }
        assert!(parse_date("2024-02-30").unwrap_err().contains("不是存在的日期"));
        assert!(parse_date("3月5日").is_err());
        assert!(parse_date("12").is_err());
    }

    #[test]
    fn outcomes_by_id_or_label_and_ambiguity_is_refused() {
        assert_eq!(parse_outcome("R3.4.1"), Ok(Outcome::R3_4_1));
        assert_eq!(parse_outcome("本机关不掌握相关政府信息"), Ok(Outcome::R3_4_1));
        assert_eq!(parse_outcome("1.本机关不掌握相关政府信息"), Ok(Outcome::R3_4_1));
        assert_eq!(parse_outcome("予以公开"), Ok(Outcome::R3_1));
        assert_eq!(parse_outcome("（三）不予公开 4.保护第三方合法权益"), Ok(Outcome::R3_3_4));
        let e = parse_outcome("不予公开").unwrap_err();
        assert!(e.contains("R3.3.1") && e.contains("R3.3.8"), "{e}");
        assert!(parse_outcome("已办结").is_err());
    }

    #[test]
    fn a_valid_sheet_becomes_applications_with_validated_logs() {
        let s = sheet(&[
            HEAD,
            &[
                "2024-001",
                "2024-03-05",
                "网络",
                "自然人",
                "张三",
                "13812345678",
                "某路段规划许可",
                "2024-03-20",
                "R3.1",
            ],
            &["", "", "", "", "", "", "", "", ""],
            &["2024-002", "2024年12月30日", "邮寄", "法律服务机构", "某律师事务所", "", "行政处罚决定书", "", ""],
        ]);
        let rows = read(&s, Calendar::official()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[0].applicant.phone.as_deref(), Some("13812345678"));
        assert_eq!(
            rows[0].events,
            vec![
                Event::Received { date: date(2024, 3, 5), channel: Channel::Online },
                Event::Replied { date: date(2024, 3, 20), outcome: Outcome::R3_1 }
            ]
        );
        assert_eq!(rows[1].events.len(), 1, "still open");
    }

    /// A blank 提交方式 takes the channel `register` takes without `--channel` (one default
    /// for every front end); a sheet without the column at all is read the same way.
    #[test]
    fn a_blank_channel_takes_the_registers_default() {
        let s = sheet(&[HEAD, &["2024-001", "2024-03-05", "", "自然人", "张三", "", "某事项", "", ""]]);
        let rows = read(&s, Calendar::official()).unwrap();
        assert_eq!(rows[0].channel, Channel::DEFAULT);
        assert_eq!(rows[0].events[0], Event::Received { date: date(2024, 3, 5), channel: Channel::DEFAULT });
        let without: Vec<Vec<String>> =
            s.iter().map(|r| r.iter().enumerate().filter(|(i, _)| *i != 2).map(|(_, c)| c.clone()).collect()).collect();
        assert_eq!(read(&without, Calendar::official()).unwrap()[0].channel, Channel::DEFAULT);
    }

    #[test]
    fn every_bad_row_is_reported_with_line_column_and_reason() {
        let s = sheet(&[
            HEAD,
            &["2024-001", "2024-03-05", "飞鸽", "火星人", "张三", "", "某事项", "", ""],
            &["2024-002", "2024-03-05", "当面", "自然人", "", "", "某事项", "2024-03-01", "R3.1"],
            &["2024-003", "2024-02-30", "当面", "自然人", "李四", "", "某事项", "2024-03-10", ""],
            &["2024-001", "2024-03-05", "当面", "自然人", "王五", "", "某事项", "", ""],
            &["2024-005", "2024-03-05", "当面", "自然人", "赵六", "", "某事项", "2024-03-06", "不予公开"],
        ]);
        let errors = read(&s, Calendar::official()).unwrap_err();
        let msgs: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let has = |line: usize, col: &str, what: &str| {
            assert!(
                errors.iter().any(|e| e.line == line && e.column == col && e.reason.contains(what)),
                "line {line} {col} {what}: {msgs:#?}"
            )
        };
        // Values that could be personal data (here: text typed into the wrong column) are
        // quoted masked.
        has(2, "提交方式", "“飞*”不是第三十一条的提交方式");
        has(2, "申请人类型", "“火**”");
        has(3, "申请人姓名或名称", "必填");
        has(4, "收到申请日期", "不是存在的日期");
        has(4, "办理结果", "须同时填写");
        has(6, "办理结果", "不能确定");
        // Row 5 repeats row 2's 受理编号, but row 2 itself was refused: no duplicate reported.
        assert!(!errors.iter().any(|e| e.line == 5), "{msgs:#?}");
        // Line 3's reply before receipt is also caught once the name is filled in.
        let s = sheet(&[HEAD, &["2024-002", "2024-03-05", "当面", "自然人", "某", "", "某事项", "2024-03-01", "R3.1"]]);
        let e = read(&s, Calendar::official()).unwrap_err();
        assert_eq!((e[0].column.as_str(), e[0].reason.as_str()), ("答复日期", "2024-03-01早于收到申请日期2024-03-05"));
        assert!(msgs.iter().all(|m| m.starts_with('第')));
    }

    #[test]
    fn the_statutory_clock_judges_the_sequence() {
        // An extension approved after the 20 working days had run out (第三十三条第二款).
        let s = sheet(&[
            &[
                "受理编号",
                "收到申请日期",
                "提交方式",
                "申请人类型",
                "申请人姓名或名称",
                "申请内容",
                "延期批准日期",
                "延期工作日数",
                "延期审批人",
            ],
            &["2024-009", "2024-03-05", "当面", "自然人", "某", "某事项", "2024-05-30", "20", "王某"],
            &["2024-010", "2024-03-05", "当面", "自然人", "某", "某事项", "2024-03-20", "20", ""],
        ]);
        let e = read(&s, Calendar::official()).unwrap_err();
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!((e[0].line, e[0].column.as_str()), (2, "办理记录"));
        assert!(e[0].reason.contains("延期"), "{e:?}");
        assert_eq!((e[1].line, e[1].column.as_str()), (3, "延期批准日期"));
    }

    #[test]
    fn ledger_errors_show_personal_values_only_masked() {
        // A shifted column: the name is in 提交方式, the phone in 申请人类型, the ID number in
        // 收到申请日期, the address in 延期审批人 (an extension without its date).
        let head = [
            "受理编号",
            "收到申请日期",
            "提交方式",
            "申请人类型",
            "申请人姓名或名称",
            "申请内容",
            "延期审批人",
            "办理结果",
            "答复日期",
        ];
        let s = sheet(&[
            &head,
            &[
                "2024-001",
                "11010519491231002X",
                "张三丰",
                "13812345678",
                "自然人",
                "某事项",
                "某市某区某路1号",
                "zhang@example.cn",
                "2024-03-20",
            ],
        ]);
        let errors = read(&s, Calendar::official()).unwrap_err();
        let text: String = errors.iter().map(|e| format!("{e}\n")).collect();
        for secret in ["11010519491231002X", "张三丰", "13812345678", "某市某区某路1号", "zhang@example.cn"] {
            assert!(!text.contains(secret), "{secret} leaked:\n{text}");
        }
        assert!(text.contains("“张**”") && text.contains("“1********”"), "{text}");
        // Every message still names the row and the column.
        assert!(errors.iter().all(|e| e.line == 2 && !e.column.is_empty()), "{text}");
        // Dates and row ids stay readable.
        assert_eq!(shown("2024-02-30"), "2024-02-30");
        assert_eq!(shown("R3.4.1"), "R3.4.1");
        assert_eq!(shown("a@b.cn"), "a*****");
    }

    #[test]
    fn masked_export_is_refused_on_import() {
        let row = |name: &str, phone: &str| -> Vec<String> {
            ["2024-001", "2024-03-05", "网络", "自然人", name, phone, "某事项", "2024-03-20", "R3.1"]
                .map(String::from)
                .to_vec()
        };
        let head: Vec<String> = HEAD.iter().map(|h| h.to_string()).collect();
        // Masked values, without the marker column (a clerk removed it).
        for (name, phone) in [("张*", ""), ("张三", "138****5678"), ("张＊", "")] {
            let e = read(&[head.clone(), row(name, phone)], Calendar::official()).unwrap_err();
            assert!(e.iter().any(|e| e.reason.contains("掩码")), "{name} {phone}: {e:?}");
        }
        // The export's marker refuses the whole file at once.
        let apps: Vec<Application> = read(&[head.clone(), row("张三", "13812345678")], Calendar::official())
            .unwrap()
            .into_iter()
            .map(|r| r.application(AppId(1), OrganId(1)))
            .collect();
        let e = read(&write(&apps, false), Calendar::official()).unwrap_err();
        assert_eq!((e.len(), e[0].column.as_str()), (1, MASK_HEADER));
        assert!(e[0].reason.contains("--unmask"), "{e:?}");
        // An unmasked export says so and imports.
        let plain = write(&apps, true);
        assert_eq!(plain[1][19], UNMASKED);
        assert_eq!(read(&plain, Calendar::official()).unwrap().len(), 1);
    }

    #[test]
    fn ledger_rows_get_the_same_validation_as_every_path() {
        let head = [
            "受理编号",
            "收到申请日期",
            "提交方式",
            "申请人类型",
            "申请人姓名或名称",
            "证件号码",
            "联系电话",
            "电子邮箱",
            "申请内容",
        ];
        let big = "长".repeat(10 * 1024 * 1024 / 3);
        let s = sheet(&[
            &head,
            &["1", "2024-03-05", "网络", "自然人", "张三", "110105194912310021", "12345", "x@y", "某事项"],
            &["2", "2024-03-05", "网络", "自然人", "李四", "", "", "", " \u{3000} "],
            &["3", "2024-03-05", "网络", "自然人", "王五", "", "", "", &big],
            &["4", "2026-12-30", "网络", "自然人", "赵六", "", "", "", "某事项"],
        ]);
        let e = read_as_of(&s, Calendar::official(), Some(date(2026, 12, 2))).unwrap_err();
        let has = |line: usize, col: &str, what: &str| {
            assert!(
                e.iter().any(|x| x.line == line && x.column == col && x.reason.contains(what)),
                "{line} {col} {what}: {e:#?}"
            )
        };
        has(2, "证件号码", "校验码");
        has(2, "联系电话", "7–15位");
        has(2, "电子邮箱", "不是有效");
        has(3, "申请内容", "必填");
        has(4, "申请内容", "超过上限5000个字");
        has(5, "收到申请日期", "晚于今天");
        let text: String = e.iter().map(|x| x.to_string()).collect();
        assert!(!text.contains("110105194912310021") && !text.contains(&big[..30]));
    }

    fn apps_of(rows: &[LedgerRow]) -> Vec<Application> {
        rows.iter().enumerate().map(|(i, r)| r.clone().application(AppId(i as i64 + 1), OrganId(1))).collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// Every generated ledger (hostile text included) is read whole, and an unmasked
        /// export reads back to the same rows; a masked one is refused.
        #[test]
        fn generated_ledgers_read_whole_and_round_trip(seed in 0u64..1_000_000, n in 1usize..60, hostile: bool) {
            let sheet = gongkai_synth::ledger::ledger(seed, n, gongkai_synth::ledger::LedgerOptions { hostile });
            let rows = read(&sheet, Calendar::official()).map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e:?}")))?;
            proptest::prop_assert_eq!(rows.len(), n);
            let apps = apps_of(&rows);
            let back = read(&write(&apps, true), Calendar::official()).unwrap();
            for (a, b) in rows.iter().zip(&back) {
                proptest::prop_assert_eq!((&a.serial, &a.applicant, &a.description, &a.events), (&b.serial, &b.applicant, &b.description, &b.events));
            }
            proptest::prop_assert!(read(&write(&apps, false), Calendar::official()).is_err());
        }

        /// Arbitrary cells never panic the reader, and its messages never quote a long cell.
        #[test]
        fn any_cells_give_rows_or_errors(cells in proptest::collection::vec(proptest::collection::vec("\\PC{0,24}", 0..12), 1..6)) {
            let mut sheet = vec![HEAD.iter().map(|h| h.to_string()).collect::<Vec<_>>()];
            sheet.extend(cells);
            if let Err(errors) = read(&sheet, Calendar::official()) {
                for e in errors {
                    for cell in sheet.iter().skip(1).flatten().filter(|c| c.trim().chars().count() > 12) {
                        proptest::prop_assert!(!e.reason.contains(&format!("“{}”", cell.trim())), "{} quoted in {}", cell, e);
                    }
                }
            }
        }
    }

    #[test]
    fn missing_required_columns_are_named() {
        let e = read(&sheet(&[&["受理编号", "申请内容"]]), Calendar::official()).unwrap_err();
        assert_eq!(e.len(), 1);
        assert!(e[0].reason.contains("收到申请日期") && e[0].reason.contains("申请人类型"), "{e:?}");
    }

    #[test]
    fn write_then_read_round_trips_and_masks_by_default() {
        let s = sheet(&[
            HEAD,
            &[
                "2024-001",
                "2024-03-05",
                "网络",
                "自然人",
                "张三",
                "13812345678",
                "某路段规划许可",
                "2024-03-20",
                "R3.4.1",
            ],
            &["2024-002", "2024-12-30", "邮寄", "商业企业", "某公司", "", "某批复", "", ""],
        ]);
        let rows = read(&s, Calendar::official()).unwrap();
        let apps: Vec<Application> = apps_of(&rows);
        let masked = write(&apps, false);
        assert_eq!(masked[0][..19], HEADERS.map(String::from));
        assert_eq!(masked[0][19], MASK_HEADER);
        assert_eq!(masked[1][19], MASKED);
        assert_eq!(masked[1][4], "张*");
        assert_eq!(masked[1][6], "138****5678");
        let plain = write(&apps, true);
        let back = read(&plain, Calendar::official()).unwrap();
        for (a, b) in rows.iter().zip(&back) {
            assert_eq!(
                (&a.serial, &a.applicant, a.channel, &a.events),
                (&b.serial, &b.applicant, b.channel, &b.events)
            );
        }
    }
}
