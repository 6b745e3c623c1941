//! XLSX → [`Doc`]: one grid per worksheet in workbook order.
//!
//! Cells: shared strings (rich runs joined, phonetic runs skipped), inline strings, numbers
//! (exact decimals; Excel's binary-float noise beyond 15 significant digits rounded away),
//! booleans, error values, and formula results from the cached `<v>`. A formula without a
//! cached value is unreadable — never 0 (SPEC §6 D8) — and a warning names its cell. An
//! empty cell stays blank. Merged ranges (`mergeCells`) are expanded like HTML spans.
//!
//! Every cell keeps its A1 position: `Src::grid` holds the sheet number and the cell's own
//! row and column. Empty rows and columns are left out of the grid, except one row of empty
//! cells written directly under a row with content (a data row left blank in the template,
//! e.g. table 四 with no cases). A sheet whose content is a single column without merges is
//! prose (the report text), one paragraph per row; in a sheet with tables, a row whose one
//! text cell is merged across the sheet is a paragraph too (title and prose of a report laid
//! out in one sheet). Hidden sheets are not read (a warning
//! names them).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use gongkai_model::doc::Doc;
use rust_decimal::Decimal;

use crate::OfficeError;
use crate::archive::Archive;
use crate::flat::{Flat, MAX_COLS, MAX_ROWS, MAX_TEXT, RowCell, a1};
use crate::xml::{Ev, Ns, Tag, Xml, attr};

/// Most cells stored per sheet (hostile-input bound).
const MAX_CELLS: usize = 200_000;
/// Most shared strings kept (each costs a `String` even when empty).
const MAX_SHARED: usize = 1 << 20;
/// Highest row and column number Excel allows.
const XL_ROWS: u32 = 1_048_576;
const XL_COLS: u32 = 16_384;
/// Text of a formula cell without a cached value: not a number, not a placeholder, and not
/// label-like (no letters), so the interpreter reads it as an unreadable value.
pub const NO_CACHED_VALUE: &str = "=?";

#[derive(Debug, Default)]
pub struct XlsxDoc {
    pub doc: Doc,
    pub text: String,
    pub warnings: Vec<String>,
    /// Sheet names in workbook order.
    pub sheets: Vec<String>,
}

/// Parse "B12" into (row 12, col 2).
pub fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().trim_start_matches('$');
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    let letters = letters.trim_end_matches('$');
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let col = letters.bytes().fold(0u32, |a, b| a * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1));
    let row: u32 = digits.parse().ok()?;
    ((1..=XL_ROWS).contains(&row) && (1..=XL_COLS).contains(&col)).then_some((row, col))
}

/// A numeric cell value as printed: exact when Excel wrote an exact decimal, otherwise the
/// shortest text of the binary double Excel stored (`0.30000000000000004` → `0.3`).
pub fn number_text(v: &str) -> Option<String> {
    let v = v.trim();
    let d = if v.contains(['e', 'E']) { Decimal::from_scientific(v).ok() } else { v.parse::<Decimal>().ok() };
    let digits = v.bytes().filter(u8::is_ascii_digit).count();
    if d.is_some() && digits <= 15 && !v.contains(['e', 'E']) {
        return d.map(|d| d.normalize().to_string());
    }
    let f: f64 = v.parse().ok()?;
    if !f.is_finite() {
        return None;
    }
    // 15 significant digits is what Excel displays and keeps.
    let s = format!("{:.*e}", 14, f);
    let d = Decimal::from_scientific(&s).ok().or(d)?;
    Some(d.normalize().to_string())
}

fn resolve_target(base_dir: &str, target: &str) -> String {
    let t = target.trim();
    if let Some(abs) = t.strip_prefix('/') {
        return abs.to_string();
    }
    let mut parts: Vec<&str> = base_dir.split('/').filter(|p| !p.is_empty()).collect();
    for seg in t.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn relationships(xml: &[u8], part: &'static str) -> Result<HashMap<String, (String, String)>, OfficeError> {
    let mut x = Xml::new(xml, part)?;
    let mut out = HashMap::new();
    loop {
        match x.next()? {
            Ev::Eof => return Ok(out),
            Ev::Start { tag: Tag::Relationship, el, .. } => {
                if let (Some(id), Some(target)) = (attr(&el, b"Id"), attr(&el, b"Target")) {
                    out.insert(id, (target, attr(&el, b"Type").unwrap_or_default()));
                }
            }
            _ => {}
        }
    }
}

fn shared_strings(xml: &[u8], max: usize) -> Result<Vec<String>, OfficeError> {
    let mut x = Xml::new(xml, "xl/sharedStrings.xml")?;
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    let mut in_t = false;
    loop {
        match x.next()? {
            Ev::Eof => return Ok(out),
            Ev::Start { ns: Ns::S, tag, empty, .. } => match tag {
                // Past `max` entries, references read as unreadable ("=?").
                Tag::Si if out.len() >= max && !empty => x.skip()?,
                Tag::Si if out.len() >= max => {}
                Tag::Si if !empty => cur = Some(String::new()),
                Tag::Si => out.push(String::new()),
                Tag::RPh | Tag::PhoneticPr if !empty => x.skip()?,
                Tag::T if !empty => in_t = true,
                _ => {}
            },
            Ev::Text(t) if in_t => {
                if let Some(c) = cur.as_mut() {
                    c.push_str(&t);
                }
            }
            Ev::End { ns: Ns::S, tag } => match tag {
                Tag::T => in_t = false,
                Tag::Si => out.push(cur.take().unwrap_or_default()),
                _ => {}
            },
            _ => {}
        }
    }
}

/// Read an XLSX file (bytes) into a document.
pub fn xlsx_to_doc(bytes: &[u8]) -> Result<XlsxDoc, OfficeError> {
    workbook_to_doc(&mut Archive::open(bytes)?)
}

/// The visible sheets (name, part path) in workbook order, the hidden sheets' names, and the
/// shared strings.
type Book = (Vec<(String, String)>, Vec<String>, Vec<String>);

fn book(ar: &mut Archive, max_shared: usize) -> Result<Book, OfficeError> {
    let wb = ar.read("xl/workbook.xml")?.ok_or(OfficeError::MissingPart("xl/workbook.xml"))?;
    let rels = match ar.read("xl/_rels/workbook.xml.rels")? {
        Some(b) => relationships(&b, "xl/_rels/workbook.xml.rels")?,
        None => HashMap::new(),
    };
    let mut sheets: Vec<(String, String)> = Vec::new();
    let mut hidden: Vec<String> = Vec::new();
    {
        let mut x = Xml::new(&wb, "xl/workbook.xml")?;
        loop {
            match x.next()? {
                Ev::Eof => break,
                Ev::Start { ns: Ns::S, tag: Tag::Sheet, el, .. } => {
                    let name = attr(&el, b"name").unwrap_or_default();
                    // Hidden sheets hold helper data (lookup lists, old versions), not the
                    // report as published.
                    if matches!(attr(&el, b"state").as_deref(), Some("hidden" | "veryHidden")) {
                        hidden.push(name);
                        continue;
                    }
                    let path = attr(&el, b"id")
                        .and_then(|id| rels.get(&id).map(|(t, _)| resolve_target("xl", t)))
                        .unwrap_or_else(|| format!("xl/worksheets/sheet{}.xml", sheets.len() + 1));
                    sheets.push((name, path));
                }
                _ => {}
            }
        }
    }
    let sst_path = rels
        .values()
        .find(|(_, ty)| ty.ends_with("/sharedStrings"))
        .map_or_else(|| "xl/sharedStrings.xml".to_string(), |(t, _)| resolve_target("xl", t));
    let sst = match ar.read(&sst_path)? {
        Some(b) => shared_strings(&b, max_shared)?,
        None => Vec::new(),
    };
    Ok((sheets, hidden, sst))
}

/// Read the workbook's sheets in order.
pub(crate) fn workbook_to_doc(ar: &mut Archive) -> Result<XlsxDoc, OfficeError> {
    let (sheets, hidden, sst) = book(ar, MAX_SHARED)?;
    let mut flat = Flat::default();
    let mut warnings: Vec<String> = hidden.iter().map(|n| format!("工作表“{n}”是隐藏的，未读取")).collect();
    let mut names = Vec::new();
    for (i, (name, path)) in sheets.iter().enumerate() {
        let Some(xml) = ar.read(path)? else {
            warnings.push(format!("工作表“{name}”的内容（{path}）不在文件中，已跳过"));
            continue;
        };
        let sheet_no = u16::try_from(i + 1).unwrap_or(u16::MAX);
        let cells = read_sheet(&xml, name, &sst, REPORT_CAPS, &mut warnings)?;
        emit_sheet(&mut flat, sheet_no, name, cells, &mut warnings);
        names.push(name.clone());
    }
    Ok(XlsxDoc { doc: Doc { blocks: flat.blocks, title_hint: None }, text: flat.text, warnings, sheets: names })
}

/// Most data rows (below the header) a ledger sheet may have: far above any office's
/// register (Excel itself stops at 1,048,575). A larger sheet is refused whole, never cut.
pub const MAX_LEDGER_ROWS: usize = 200_000;
/// Most columns a ledger sheet may use (the layout has 19).
pub const MAX_LEDGER_COLS: usize = 64;
/// Most shared strings kept for a ledger: every cell of [`MAX_LEDGER_ROWS`] rows of the
/// 19-column layout could be distinct. A reference past them is an error, not a value.
const LEDGER_SHARED: usize = 1 << 22;
/// Decompression budgets of a ledger workbook, sized for [`MAX_LEDGER_ROWS`] rows.
const LEDGER_ENTRY: u64 = 512 * 1024 * 1024;
const LEDGER_TOTAL: u64 = 1024 * 1024 * 1024;

/// A 台账 sheet as rows of cell text: `rows[i]` is sheet row `i + 1` (blank rows kept, so a
/// row's index gives its line in Excel), each as wide as its last non-empty cell.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LedgerSheet {
    pub name: String,
    pub rows: Vec<Vec<String>>,
    /// Problems that did not stop the reading (hidden sheets, merged cells, formulas without
    /// a cached value).
    pub warnings: Vec<String>,
}

/// Read the first visible sheet of an XLSX ledger (`gongkai ledger import`). Unlike the report
/// reader, nothing is cut or left out silently: a sheet over [`MAX_LEDGER_ROWS`] data rows or
/// [`MAX_LEDGER_COLS`] columns is an error, and so is any cell the reader could not keep.
/// Merged cells are not expanded (a ledger row is one record); a warning names them.
pub fn xlsx_ledger_rows(bytes: &[u8]) -> Result<LedgerSheet, OfficeError> {
    let mut ar = Archive::open_with_limits(bytes, LEDGER_ENTRY, LEDGER_TOTAL)?;
    let caps = Caps { cells: (MAX_LEDGER_ROWS + 1) * MAX_LEDGER_COLS, text: LEDGER_ENTRY as usize };
    let (sheets, hidden, sst) = book(&mut ar, LEDGER_SHARED)?;
    // gongkai's own ledger workbooks keep their drop-down lists in a hidden sheet: not data.
    let mut warnings: Vec<String> = hidden
        .iter()
        .filter(|n| n.as_str() != crate::ledger_write::LISTS)
        .map(|n| format!("工作表“{n}”是隐藏的，未读取"))
        .collect();
    let Some((name, path)) = sheets.first() else {
        return Err(OfficeError::MissingPart("xl/worksheets/sheet1.xml"));
    };
    let xml = ar.read(path)?.ok_or(OfficeError::MissingPart("xl/worksheets/sheet1.xml"))?;
    let sh = read_sheet(&xml, name, &sst, caps, &mut warnings)?;
    if sh.dropped > 0 {
        return Err(OfficeError::LedgerTooLarge(name.clone(), "单元格数或文字量", caps.cells));
    }
    let last_row = sh.cells.iter().filter(|(_, t)| !t.trim().is_empty()).map(|((r, _), _)| *r).max().unwrap_or(0);
    if last_row as usize > MAX_LEDGER_ROWS + 1 {
        return Err(OfficeError::LedgerTooLarge(name.clone(), "数据行数（不含表头）", MAX_LEDGER_ROWS));
    }
    let mut rows: Vec<Vec<String>> = vec![Vec::new(); last_row as usize];
    for ((r, c), t) in sh.cells {
        if t.trim().is_empty() || r > last_row {
            continue;
        }
        if c as usize > MAX_LEDGER_COLS {
            return Err(OfficeError::LedgerTooLarge(name.clone(), "列数", MAX_LEDGER_COLS));
        }
        if t == NO_CACHED_VALUE {
            // A formula without its saved result, or a reference to a missing shared string:
            // the value is unknown, and a ledger row must not take "=?" for data.
            return Err(OfficeError::LedgerCell(
                name.clone(),
                a1(r, c),
                "是没有保存计算结果的公式或引用了不存在的共享字符串，值无法读取；请在 Excel 中打开并另存后再导入",
            ));
        }
        let row = &mut rows[r as usize - 1];
        if row.len() < c as usize {
            row.resize(c as usize, String::new());
        }
        row[c as usize - 1] = t;
    }
    if !sh.merges.is_empty() {
        warnings.push(format!("工作表“{name}”有{}处合并单元格，按左上角单元格读取，其余格为空", sh.merges.len()));
    }
    Ok(LedgerSheet { name: name.clone(), rows, warnings })
}

/// Storage bounds of one sheet: cells kept and bytes of their text.
#[derive(Debug, Clone, Copy)]
struct Caps {
    cells: usize,
    text: usize,
}

const REPORT_CAPS: Caps = Caps { cells: MAX_CELLS, text: MAX_TEXT };

#[derive(Debug, Default)]
struct Sheet {
    /// Text per (row, col); empty text for present but empty cells.
    cells: BTreeMap<(u32, u32), String>,
    /// Bytes of text stored.
    bytes: usize,
    merges: Vec<(u32, u32, u32, u32)>,
    /// Cells not stored (over the caps or outside Excel's grid).
    dropped: usize,
}

fn read_sheet(
    xml: &[u8],
    name: &str,
    sst: &[String],
    caps: Caps,
    warnings: &mut Vec<String>,
) -> Result<Sheet, OfficeError> {
    let mut x = Xml::new(xml, "xl/worksheets/*.xml")?;
    let mut sh = Sheet::default();
    let mut row = 0u32;
    let mut col = 0u32;
    // Current cell: type, value text, inline text, whether it has a formula and the formula.
    let mut ctype = String::new();
    let mut v: Option<String> = None;
    let mut inline: Option<String> = None;
    let mut formula: Option<String> = None;
    let mut field: u8 = 0; // 1 = <v>, 2 = <is><t>, 3 = <f>
    let mut in_cell = false;
    let mut dropped = 0usize;
    loop {
        match x.next()? {
            Ev::Eof => break,
            Ev::Start { ns: Ns::S, tag, el, empty } => match tag {
                Tag::Row => {
                    row = attr(&el, b"r").and_then(|r| r.trim().parse().ok()).unwrap_or(row + 1);
                    col = 0;
                }
                Tag::C => {
                    let pos = attr(&el, b"r").and_then(|r| parse_a1(&r));
                    (row, col) = match pos {
                        Some(p) => p,
                        None => (row.max(1), col + 1),
                    };
                    ctype = attr(&el, b"t").unwrap_or_default();
                    v = None;
                    inline = None;
                    formula = None;
                    in_cell = !empty;
                    if empty {
                        store(&mut sh, caps, row, col, String::new(), &mut dropped);
                    }
                }
                Tag::V if in_cell && !empty => {
                    field = 1;
                    v = Some(String::new());
                }
                Tag::Is if in_cell && !empty => inline = Some(String::new()),
                Tag::T if inline.is_some() && !empty => field = 2,
                Tag::RPh if !empty => x.skip()?,
                Tag::F if in_cell => {
                    formula = Some(String::new());
                    if !empty {
                        field = 3;
                    }
                }
                Tag::MergeCell => {
                    if let Some((a, b)) = attr(&el, b"ref").and_then(|r| {
                        let (a, b) = r.split_once(':')?;
                        Some((parse_a1(a)?, parse_a1(b)?))
                    }) {
                        sh.merges.push((a.0.min(b.0), a.1.min(b.1), a.0.max(b.0), a.1.max(b.1)));
                    }
                }
                _ => {}
            },
            Ev::Text(t) => match field {
                1 => v.get_or_insert_with(String::new).push_str(&t),
                2 => inline.get_or_insert_with(String::new).push_str(&t),
                3 => formula.get_or_insert_with(String::new).push_str(&t),
                _ => {}
            },
            Ev::End { ns: Ns::S, tag } => match tag {
                Tag::V | Tag::T | Tag::F => field = 0,
                Tag::C if in_cell => {
                    in_cell = false;
                    let text = cell_text(&ctype, v.as_deref(), inline.as_deref(), sst);
                    let text = match (text, &formula) {
                        (Some(t), _) => t,
                        (None, Some(f)) => {
                            warnings.push(format!(
                                "工作表“{name}”的单元格{}是公式（={f}）但没有保存计算结果，按无法读取处理",
                                a1(row, col)
                            ));
                            NO_CACHED_VALUE.to_string()
                        }
                        (None, None) => String::new(),
                    };
                    store(&mut sh, caps, row, col, text, &mut dropped);
                }
                _ => {}
            },
            _ => {}
        }
    }
    if dropped > 0 {
        warnings.push(format!("工作表“{name}”的单元格过多，{dropped}个未读取"));
    }
    sh.dropped = dropped;
    Ok(sh)
}

fn store(sh: &mut Sheet, caps: Caps, row: u32, col: u32, text: String, dropped: &mut usize) {
    // A long shared string referenced by every cell must not multiply past the text cap.
    if sh.cells.len() >= caps.cells || row > XL_ROWS || col > XL_COLS || sh.bytes + text.len() > caps.text {
        *dropped += 1;
        return;
    }
    sh.bytes += text.len();
    sh.cells.insert((row, col), text);
}

/// The text of a cell from its type and cached value; `None` when there is no value.
fn cell_text(ctype: &str, v: Option<&str>, inline: Option<&str>, sst: &[String]) -> Option<String> {
    match ctype {
        "inlineStr" => inline.map(str::to_string).or_else(|| v.map(str::to_string)),
        "s" => {
            let ix: usize = v?.trim().parse().ok()?;
            Some(sst.get(ix).cloned().unwrap_or_else(|| NO_CACHED_VALUE.to_string()))
        }
        "str" | "e" | "d" => v.map(str::to_string),
        "b" => v.map(|b| if b.trim() == "1" { "TRUE".to_string() } else { "FALSE".to_string() }),
        _ => {
            let v = v?;
            if v.trim().is_empty() {
                return None;
            }
            Some(number_text(v).unwrap_or_else(|| v.to_string()))
        }
    }
}

fn emit_sheet(flat: &mut Flat, sheet: u16, name: &str, sh: Sheet, warnings: &mut Vec<String>) {
    // Bounding box of cells with text; merges are clipped to it.
    let (mut max_r, mut max_c) = (0u32, 0u32);
    for ((r, c), t) in &sh.cells {
        if !t.trim().is_empty() {
            max_r = max_r.max(*r);
            max_c = max_c.max(*c);
        }
    }
    if max_r == 0 {
        return;
    }
    // Copies made by merges: position → origin. Every loop below runs over stored cells or
    // over at most MAX_CELLS merge copies, never over the (up to 2^34-cell) sheet area.
    let mut copy: HashMap<(u32, u32), (u32, u32)> = HashMap::new();
    let mut budget = MAX_CELLS;
    let mut merged_any = false;
    'merges: for &(r1, c1, r2, c2) in &sh.merges {
        if r1 > max_r + 1 || c1 > max_c {
            continue;
        }
        merged_any = true;
        for r in r1..=r2.min(max_r + 1) {
            for c in c1..=c2.min(max_c) {
                if (r, c) != (r1, c1) {
                    if budget == 0 {
                        break 'merges;
                    }
                    budget -= 1;
                    copy.insert((r, c), (r1, c1));
                }
            }
        }
    }
    let text_at = |r: u32, c: u32| -> &str {
        let (r, c) = copy.get(&(r, c)).copied().unwrap_or((r, c));
        sh.cells.get(&(r, c)).map_or("", String::as_str)
    };
    // Positions with text, from the stored cells and the merge copies.
    let filled: BTreeSet<(u32, u32)> = sh
        .cells
        .iter()
        .filter(|(_, t)| !t.trim().is_empty())
        .map(|(p, _)| *p)
        .chain(copy.keys().copied().filter(|(r, c)| !text_at(*r, *c).trim().is_empty()))
        .collect();
    let content_rows: BTreeSet<u32> = filled.iter().map(|(r, _)| *r).collect();
    let rows_present: BTreeSet<u32> = sh.cells.keys().map(|(r, _)| *r).collect();
    let mut kept_rows: Vec<u32> = content_rows
        .iter()
        .flat_map(|r| [*r, r + 1])
        .filter(|r| content_rows.contains(r) || rows_present.contains(r))
        .collect::<BTreeSet<u32>>()
        .into_iter()
        .collect();
    let kept_set: BTreeSet<u32> = kept_rows.iter().copied().collect();
    let kept_cols: Vec<u32> = filled
        .iter()
        .filter(|(r, _)| kept_set.contains(r))
        .map(|(_, c)| *c)
        .collect::<BTreeSet<u32>>()
        .into_iter()
        .collect();
    if kept_rows.len() > MAX_ROWS || kept_cols.len() > MAX_COLS {
        warnings.push(format!("工作表“{name}”超过{MAX_ROWS}行或{MAX_COLS}列，已截断"));
    }
    kept_rows.truncate(MAX_ROWS);
    let kept_cols = &kept_cols[..kept_cols.len().min(MAX_COLS)];
    if kept_cols.len() == 1 && !merged_any {
        for r in &kept_rows {
            flat.para(text_at(*r, kept_cols[0]));
        }
        return;
    }
    let clamp = |x: u32| u16::try_from(x).unwrap_or(u16::MAX);
    // Horizontal extent of each merge origin, for prose rows.
    let merge_cols: HashMap<(u32, u32), (u32, u32)> =
        sh.merges.iter().take(MAX_CELLS).map(|&(r1, c1, _, c2)| ((r1, c1), (c1, c2))).collect();
    let mut bytes = flat.spent();
    let mut rows: Vec<Vec<RowCell>> = Vec::with_capacity(kept_rows.len());
    'rows: for r in &kept_rows {
        if let Some(text) = prose_row(*r, kept_cols, &text_at, &copy, &merge_cols) {
            // Prose in a sheet that also holds tables (the title and paragraphs of a report
            // laid out in one sheet, as an HTML import writes it): a paragraph, not a row.
            flat.table(sheet, trim_columns(std::mem::take(&mut rows)));
            flat.para(text);
            continue;
        }
        let mut row: Vec<RowCell> = Vec::with_capacity(kept_cols.len());
        for c in kept_cols {
            let text = text_at(*r, *c);
            // Checked before copying: a merge may repeat a long text over many cells.
            bytes += text.len();
            if bytes > MAX_TEXT {
                warnings.push(format!("工作表“{name}”的文字过多，第{r}行起未读取"));
                break 'rows;
            }
            row.push(RowCell {
                text: text.to_string(),
                row: clamp(*r),
                col: clamp(*c),
                origin: copy.get(&(*r, *c)).map(|(a, b)| (clamp(*a), clamp(*b))),
            });
        }
        rows.push(row);
    }
    flat.table(sheet, trim_columns(rows));
}

/// Drop the columns that are empty in every row of a table fragment: when a whole report is
/// laid out in one sheet, each table covers only some of the sheet's columns, and the
/// others would read as blank values.
fn trim_columns(rows: Vec<Vec<RowCell>>) -> Vec<Vec<RowCell>> {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0);
    let used: Vec<bool> =
        (0..width).map(|k| rows.iter().any(|r| r.get(k).is_some_and(|c| !c.text.trim().is_empty()))).collect();
    if used.iter().all(|u| *u) {
        return rows;
    }
    rows.into_iter()
        .map(|r| {
            r.into_iter().enumerate().filter(|(k, _)| used.get(*k).copied().unwrap_or(false)).map(|(_, c)| c).collect()
        })
        .collect()
}

/// The text of row `r` when it is a line of prose: one cell with text, merged across at least
/// three quarters of the sheet's columns, that is neither a number nor a caption of table 二
/// (`第二十条第（一）项`, which spans its table the same way). A table row whose values are
/// all blank keeps its own label cell and is not prose.
fn prose_row<'t>(
    r: u32,
    cols: &[u32],
    text_at: &impl Fn(u32, u32) -> &'t str,
    copy: &HashMap<(u32, u32), (u32, u32)>,
    merge_cols: &HashMap<(u32, u32), (u32, u32)>,
) -> Option<&'t str> {
    let mut origin: Option<(u32, u32)> = None;
    for c in cols {
        if text_at(r, *c).trim().is_empty() {
            continue;
        }
        let o = copy.get(&(r, *c)).copied().unwrap_or((r, *c));
        if origin.is_some_and(|x| x != o) {
            return None;
        }
        origin = Some(o);
    }
    let o = origin?;
    let (c1, c2) = merge_cols.get(&o).copied()?;
    let covered = cols.iter().filter(|c| (c1..=c2).contains(*c)).count();
    let text = text_at(o.0, o.1);
    let t = text.trim();
    let caption = t.contains("第二十条");
    let number = gongkai_model::cell::parse_number(t).is_some() || gongkai_model::cell::is_placeholder(t);
    (covered * 4 >= cols.len() * 3 && cols.len() > 1 && !caption && !number).then_some(text)
}
