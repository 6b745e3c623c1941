//! DOCX → [`Doc`]: `word/document.xml` read as a stream of XML events.
//!
//! * Paragraphs (`w:p`): text of `w:t` in runs, `w:tab` as a TAB, `w:br`/`w:cr` start a new
//!   line (each line becomes a `Para`, as `<br>` does in the HTML front end). Hidden runs
//!   (`w:vanish`), deleted text (`w:del`, `w:delText`, `w:moveFrom`), field instructions and
//!   the `mc:Fallback` copy of drawings are skipped.
//! * Tables (`w:tbl`): `w:gridSpan` and `w:vMerge` (restart/continue) and `w:gridBefore` are
//!   expanded into a real grid; copies are marked `spanned` and carry the origin's text.
//!   A table of one column, or of two holding other tables, is a layout frame: its
//!   paragraphs and inner tables are emitted in document order instead. In a wider table an
//!   inner table's text joins the cell that holds it.
//! * Text boxes (`w:txbxContent`): their paragraphs follow the paragraph that anchors them
//!   when it is body text, and are dropped when it sits inside a table, so a text box never
//!   splits a table. Footnotes and headers live in other parts and are not read.

use gongkai_model::doc::Doc;

use crate::OfficeError;
use crate::flat::{Flat, MAX_COLS, MAX_ROWS, MAX_TEXT, RowCell, tidy};
use crate::numbering::Numbering;
use crate::xml::{Ev, Ns, Tag, Xml, attr};

#[derive(Debug)]
enum Content {
    Para(String),
    Table(Tbl),
}

#[derive(Debug, Default)]
struct Tbl {
    rows: Vec<Tr>,
}

#[derive(Debug, Default)]
struct Tr {
    grid_before: usize,
    cells: Vec<Tc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum VMerge {
    No,
    Restart,
    Continue,
}

#[derive(Debug)]
struct Tc {
    span: usize,
    vmerge: VMerge,
    content: Vec<Content>,
}

/// Warnings collected while reading (shown as P6 findings).
#[derive(Debug, Default)]
pub struct DocxDoc {
    pub doc: Doc,
    pub text: String,
    pub warnings: Vec<String>,
}

fn num(v: Option<String>) -> usize {
    v.and_then(|s| s.trim().parse::<usize>().ok()).unwrap_or(1)
}

fn is_off(v: Option<String>) -> bool {
    matches!(v.as_deref(), Some("0" | "false" | "off"))
}

/// A paragraph being read: its lines (split at breaks) and its list numbering, if any.
#[derive(Debug, Default)]
struct ParaBuf {
    lines: Vec<String>,
    num: Option<String>,
    ilvl: Option<usize>,
    style: Option<String>,
}

/// Read `word/document.xml` into a document (without list numbering definitions).
pub fn document_to_doc(xml: &[u8]) -> Result<DocxDoc, OfficeError> {
    document_to_doc_with(xml, &mut Numbering::default())
}

/// Read `word/document.xml` into a document; automatic list numbers (`一、`, `（一）`) are
/// put in front of the paragraphs that carry them.
pub fn document_to_doc_with(xml: &[u8], numbering: &mut Numbering) -> Result<DocxDoc, OfficeError> {
    let mut x = Xml::new(xml, "word/document.xml")?;
    let mut flat = Flat::default();
    let mut warnings = Vec::new();
    // Open elements (namespace, local name) for parent checks.
    let mut stack: Vec<(Ns, Tag)> = Vec::new();
    let mut tables: Vec<Tbl> = Vec::new();
    let mut paras: Vec<ParaBuf> = Vec::new();
    let mut txbx = 0usize;
    let mut txbx_lines: Vec<String> = Vec::new();
    let mut hidden = false;
    let mut in_t = false;
    let mut saw_body = false;

    loop {
        match x.next()? {
            Ev::Eof => break,
            Ev::Start { ns, tag, el, empty } => {
                if ns == Ns::Mc && tag == Tag::Fallback {
                    if !empty {
                        x.skip()?;
                    }
                    continue;
                }
                if ns == Ns::W {
                    match tag {
                        Tag::Del | Tag::MoveFrom | Tag::DelText | Tag::InstrText => {
                            if !empty {
                                x.skip()?;
                            }
                            continue;
                        }
                        Tag::Body => saw_body = true,
                        Tag::Tbl if txbx == 0 => tables.push(Tbl::default()),
                        Tag::Tr if txbx == 0 => {
                            // Rows and cells past the grid bounds are not kept (the grid is
                            // cut there anyway): empty `<w:tr/>` would otherwise cost memory.
                            if let Some(t) = tables.last_mut().filter(|t| t.rows.len() <= MAX_ROWS) {
                                t.rows.push(Tr::default());
                            }
                        }
                        Tag::GridBefore if parent(&stack, 0) == Some(Tag::TrPr) && txbx == 0 => {
                            if let Some(r) = tables.last_mut().and_then(|t| t.rows.last_mut()) {
                                r.grid_before = num(attr(&el, b"val")).min(MAX_COLS);
                            }
                        }
                        Tag::Tc if txbx == 0 => {
                            if let Some(r) =
                                tables.last_mut().and_then(|t| t.rows.last_mut()).filter(|r| r.cells.len() <= MAX_COLS)
                            {
                                r.cells.push(Tc { span: 1, vmerge: VMerge::No, content: Vec::new() });
                            }
                        }
                        Tag::GridSpan if parent(&stack, 0) == Some(Tag::TcPr) && txbx == 0 => {
                            if let Some(c) = cur_cell(&mut tables) {
                                c.span = num(attr(&el, b"val")).clamp(1, MAX_COLS);
                            }
                        }
                        Tag::VMerge if parent(&stack, 0) == Some(Tag::TcPr) && txbx == 0 => {
                            if let Some(c) = cur_cell(&mut tables) {
                                c.vmerge = match attr(&el, b"val").as_deref() {
                                    Some("restart") => VMerge::Restart,
                                    _ => VMerge::Continue,
                                };
                            }
                        }
                        Tag::P if !empty => paras.push(ParaBuf { lines: vec![String::new()], ..ParaBuf::default() }),
                        Tag::PStyle if parent(&stack, 0) == Some(Tag::PPr) && parent(&stack, 1) == Some(Tag::P) => {
                            if let Some(p) = paras.last_mut() {
                                p.style = attr(&el, b"val");
                            }
                        }
                        Tag::NumId | Tag::Ilvl
                            if parent(&stack, 0) == Some(Tag::NumPr)
                                && parent(&stack, 1) == Some(Tag::PPr)
                                && parent(&stack, 2) == Some(Tag::P) =>
                        {
                            if let Some(p) = paras.last_mut() {
                                let v = attr(&el, b"val");
                                if tag == Tag::NumId {
                                    p.num = v;
                                } else {
                                    p.ilvl = v.and_then(|v| v.trim().parse().ok());
                                }
                            }
                        }
                        Tag::R => {
                            hidden = false;
                            in_t = false;
                        }
                        Tag::Vanish if parent(&stack, 0) == Some(Tag::RPr) && parent(&stack, 1) == Some(Tag::R) => {
                            hidden = !is_off(attr(&el, b"val"));
                        }
                        Tag::T if parent(&stack, 0) == Some(Tag::R) && !empty => in_t = true,
                        Tag::Tab if parent(&stack, 0) == Some(Tag::R) && !hidden => push_text(&mut paras, "\t"),
                        Tag::NoBreakHyphen if !hidden => push_text(&mut paras, "-"),
                        Tag::Br | Tag::Cr if parent(&stack, 0) == Some(Tag::R) && !hidden => {
                            if let Some(p) = paras.last_mut() {
                                p.lines.push(String::new());
                            }
                        }
                        Tag::TxbxContent if !empty => txbx += 1,
                        _ => {}
                    }
                }
                if !empty {
                    stack.push((ns, tag));
                }
            }
            Ev::Text(t) => {
                if in_t && !hidden {
                    push_text(&mut paras, &t);
                }
            }
            Ev::End { ns, tag } => {
                stack.pop();
                if ns != Ns::W {
                    continue;
                }
                match tag {
                    Tag::T => in_t = false,
                    Tag::TxbxContent => txbx = txbx.saturating_sub(1),
                    Tag::P => {
                        let p = paras.pop().unwrap_or_default();
                        let mut lines = p.lines;
                        if let Some(label) = numbering.label(p.num.as_deref(), p.ilvl, p.style.as_deref())
                            && let Some(first) = lines.first_mut()
                        {
                            first.insert_str(0, &label);
                        }
                        if txbx > 0 {
                            txbx_lines.extend(lines);
                        } else if let Some(c) = cur_cell(&mut tables) {
                            // Text boxes anchored inside a table are dropped: they must not
                            // split the table.
                            txbx_lines.clear();
                            c.content.push(Content::Para(lines.join("\n")));
                        } else if tables.is_empty() {
                            for l in &lines {
                                flat.para(l);
                            }
                            for l in txbx_lines.drain(..) {
                                flat.para(&l);
                            }
                        } else {
                            txbx_lines.clear();
                        }
                    }
                    Tag::Tbl if txbx == 0 => {
                        let Some(t) = tables.pop() else { continue };
                        if tables.is_empty() {
                            emit_table(&mut flat, t, &mut warnings);
                        } else if let Some(c) = cur_cell(&mut tables) {
                            c.content.push(Content::Table(t));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    if !saw_body {
        return Err(OfficeError::NotADocx("word/document.xml 中没有正文（w:body）".to_string()));
    }
    Ok(DocxDoc { doc: Doc { blocks: flat.blocks, title_hint: None }, text: flat.text, warnings })
}

/// Local name of the `up`-th open WordprocessingML ancestor (0 = the parent).
fn parent(stack: &[(Ns, Tag)], up: usize) -> Option<Tag> {
    stack.len().checked_sub(up + 1).and_then(|i| stack.get(i)).filter(|e| e.0 == Ns::W).map(|e| e.1)
}

fn cur_cell(tables: &mut [Tbl]) -> Option<&mut Tc> {
    tables.last_mut().and_then(|t| t.rows.last_mut()).and_then(|r| r.cells.last_mut())
}

fn push_text(paras: &mut [ParaBuf], t: &str) {
    if let Some(line) = paras.last_mut().and_then(|p| p.lines.last_mut()) {
        line.push_str(t);
    }
}

fn has_nested(t: &Tbl) -> bool {
    t.rows.iter().flat_map(|r| &r.cells).any(|c| c.content.iter().any(|x| matches!(x, Content::Table(_))))
}

fn width(t: &Tbl) -> usize {
    t.rows.iter().map(|r| r.grid_before + r.cells.iter().map(|c| c.span).sum::<usize>()).max().unwrap_or(0)
}

fn cell_text(c: &Tc) -> String {
    let mut s = String::new();
    push_content(&mut s, &c.content);
    tidy(&s)
}

/// The text of cell content, a table inside the cell included (its cells in order), each
/// paragraph on its own line. Nesting is bounded by the XML depth limit.
fn push_content(s: &mut String, content: &[Content]) {
    for x in content {
        match x {
            Content::Para(p) => {
                if !s.is_empty() {
                    s.push('\n');
                }
                s.push_str(p);
            }
            Content::Table(t) => {
                for c in t.rows.iter().flat_map(|r| &r.cells) {
                    push_content(s, &c.content);
                }
            }
        }
    }
}

/// A grid slot: text and the (row, col) of the cell it comes from; `None` for a column
/// skipped by `w:gridBefore`.
type Slot = Option<(String, (u16, u16))>;

/// Emit a top-level table: a layout frame is unwrapped, a data table becomes a grid.
fn emit_table(flat: &mut Flat, t: Tbl, warnings: &mut Vec<String>) {
    // A frame: one column, or at most two holding other tables (a layout table around the
    // report or around a data table). A wider table with a small table in a cell stays a data
    // table; the inner table's text joins its cell.
    if width(&t) <= 1 || (has_nested(&t) && width(&t) <= 2) {
        for r in t.rows {
            for c in r.cells {
                for x in c.content {
                    match x {
                        Content::Para(p) => {
                            for l in p.split('\n') {
                                flat.para(l);
                            }
                        }
                        Content::Table(inner) => emit_table(flat, inner, warnings),
                    }
                }
            }
        }
        return;
    }
    let table = flat.next_table();
    // Expanded grid: (text, origin) per column; origin is the (row, col) of the cell copied.
    let mut grid: Vec<Vec<Slot>> = Vec::new();
    // Bytes of cell text this grid will hold, copies included, on top of what is held.
    let mut bytes = flat.spent();
    let mut capped = false;
    'rows: for (ri, r) in t.rows.iter().enumerate() {
        if ri >= MAX_ROWS {
            capped = true;
            break;
        }
        let mut row: Vec<Slot> = vec![None; r.grid_before.min(MAX_COLS)];
        let mut c = row.len();
        for tc in &r.cells {
            if c >= MAX_COLS {
                capped = true;
                break;
            }
            let span = tc.span.min(MAX_COLS - c);
            let above = if tc.vmerge == VMerge::Continue {
                grid.last().and_then(|prev| prev.get(c).cloned().flatten())
            } else {
                None
            };
            let (text, origin) = match above {
                Some((text, o)) => (text, o),
                None => (cell_text(tc), (ri as u16 + 1, c as u16 + 1)),
            };
            for _ in 0..span {
                // Checked before copying: a merge may repeat a long text many times.
                bytes += text.len();
                if bytes > MAX_TEXT {
                    capped = true;
                    grid.push(row);
                    break 'rows;
                }
                row.push(Some((text.clone(), origin)));
            }
            c += span;
        }
        grid.push(row);
    }
    if capped {
        warnings.push(format!("第{table}个表格超过{MAX_ROWS}行、{MAX_COLS}列或文字过多，已截断"));
    }
    let rows: Vec<Vec<RowCell>> = grid
        .into_iter()
        .enumerate()
        .map(|(ri, row)| {
            row.into_iter()
                .enumerate()
                .map(|(ci, cell)| {
                    let (r, c) = (ri as u16 + 1, ci as u16 + 1);
                    match cell {
                        Some((text, o)) => RowCell { text, row: r, col: c, origin: (o != (r, c)).then_some(o) },
                        // Columns skipped by w:gridBefore: empty, not values.
                        None => RowCell { text: String::new(), row: r, col: c, origin: Some((r, c)) },
                    }
                })
                .collect()
        })
        .collect();
    flat.table(table, rows);
}
