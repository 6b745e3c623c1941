//! HTML front end: a small position-aware tokenizer (hand-written because the HTML crates do
//! not report source positions for text, and provenance is the point), block and table
//! building with rowspan/colspan expanded, and report-body detection among site chrome.
//!
//! Bounds (hostile input): element nesting is tracked to depth [`MAX_DEPTH`] (deeper tags are
//! treated as transparent), grids are capped at [`MAX_ROWS`] × [`MAX_COLS`], spans are clamped,
//! and the total number of expanded cells is capped at [`MAX_CELLS`].

use gongkai_model::doc::{Block, Doc, Grid, GridCell, LineIndex};
use gongkai_model::normalize::is_cjk;
use gongkai_model::{GridPos, Para};

pub const MAX_DEPTH: usize = 100;
pub const MAX_ROWS: usize = 2_000;
pub const MAX_COLS: usize = 200;
pub const MAX_CELLS: usize = 200_000;
const MAX_SPAN: usize = 200;

/// Blocks plus warnings (Chinese) about content that was cut.
#[derive(Debug)]
pub struct HtmlDoc {
    pub doc: Doc,
    pub warnings: Vec<String>,
}

/// Elements whose content is not shown, or is raw text up to the matching end tag.
fn is_skipped_or_raw(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "select"
            | "option"
            | "iframe"
            | "svg"
            | "object"
            | "textarea"
            | "button"
            | "title"
            | "xmp"
            | "plaintext"
    )
}

/// Elements that end a line (a `match` compiles to a few comparisons; this runs per tag).
fn is_block(name: &str) -> bool {
    !matches!(name, "table" | "td" | "th") && static_name(name).is_some()
}

/// The elements tracked on the open-element stack (for body detection): containers only, not
/// inline markup (span, font, o:p …) nor void and table-part elements.
fn container(name: &str) -> Option<&'static str> {
    static_name(name).filter(|_| !matches!(name, "br" | "hr" | "caption" | "tbody" | "thead" | "tfoot" | "p"))
}

/// The static spelling of a block or table element's name (the element stack stores these,
/// so pushing an element never allocates).
fn static_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "p" => "p",
        "div" => "div",
        "br" => "br",
        "li" => "li",
        "ul" => "ul",
        "ol" => "ol",
        "h1" => "h1",
        "h2" => "h2",
        "h3" => "h3",
        "h4" => "h4",
        "h5" => "h5",
        "h6" => "h6",
        "section" => "section",
        "article" => "article",
        "center" => "center",
        "blockquote" => "blockquote",
        "dd" => "dd",
        "dt" => "dt",
        "dl" => "dl",
        "pre" => "pre",
        "form" => "form",
        "header" => "header",
        "footer" => "footer",
        "nav" => "nav",
        "main" => "main",
        "aside" => "aside",
        "hr" => "hr",
        "address" => "address",
        "ucapcontent" => "ucapcontent",
        "body" => "body",
        "html" => "html",
        "caption" => "caption",
        "figure" => "figure",
        "figcaption" => "figcaption",
        "tbody" => "tbody",
        "thead" => "thead",
        "tfoot" => "tfoot",
        "table" => "table",
        "td" => "td",
        "th" => "th",
        _ => return None,
    })
}
/// Class/id fragments of the content containers of common CMSs.
const CONTENT_HINTS: &[&str] =
    &["zoomcon", "ucapcontent", "trs_editor", "article", "content", "zoom", "custom_unionstyle", "detail", "main-text"];

#[derive(Debug, Default)]
struct CellB {
    text: String,
    start: usize,
    end: usize,
    rowspan: usize,
    colspan: usize,
}

#[derive(Debug, Default)]
struct TableB {
    rows: Vec<Vec<CellB>>,
    cell: Option<CellB>,
    start: usize,
    /// Grids of tables nested inside this one, emitted after it.
    nested: Vec<(usize, TableB, usize)>,
    cells: usize,
}

struct Elem {
    name: &'static str,
    first_block: usize,
    hint: bool,
}

struct Builder<'a> {
    src: &'a str,
    ix: LineIndex,
    blocks: Vec<Block>,
    /// Key mask per block (which section keys occur), for body detection.
    masks: Vec<u8>,
    line: String,
    line_start: Option<usize>,
    line_end: usize,
    tables: Vec<TableB>,
    table_no: u16,
    stack: Vec<Elem>,
    /// Closed elements: (first block, end block, has content hint).
    closed: Vec<(usize, usize, bool)>,
    title: Option<Para>,
    warnings: Vec<String>,
}

fn mask_of(text: &str) -> u8 {
    // Raw-text Aho–Corasick over the keys in simplified and traditional characters: no
    // normalisation per block (body detection only needs to know which keys occur).
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    const KEYS: [(&str, u8); 12] = [
        ("总体情况", 0),
        ("總體情況", 0),
        ("主动公开政府信息", 1),
        ("主動公開政府", 1),
        ("收到和处理政府信息公开申请", 2),
        ("收到和處理政府", 2),
        ("行政复议", 3),
        ("行政復議", 3),
        ("存在的主要问题", 4),
        ("存在的主要問題", 4),
        ("其他需要报告", 5),
        ("其他需要報告", 5),
    ];
    let ac = AC.get_or_init(|| aho_corasick::AhoCorasick::new(KEYS.iter().map(|k| k.0)).expect("static keys"));
    ac.find_iter(text).fold(0u8, |m, hit| m | (1 << KEYS[hit.pattern().as_usize()].1))
}

/// Collapse whitespace runs to one space and drop spaces between CJK characters (Word
/// exports break lines between spans; a browser would not show a gap in Chinese text).
fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            let prev_cjk = out.chars().next_back().is_some_and(|p| is_cjk(p) || is_fullwidth_punct(p));
            if !(prev_cjk && (is_cjk(c) || is_fullwidth_punct(c))) {
                out.push(' ');
            }
            pending_space = false;
        }
        out.push(c);
    }
    out
}

/// [`tidy`] for an owned string: a string that needs no change (most table cells) is returned
/// as it is, without a copy.
fn tidy_owned(s: String) -> String {
    let b = s.as_bytes();
    let clean =
        !b.is_empty() && !b[0].is_ascii_whitespace() && !b[b.len() - 1].is_ascii_whitespace() && !has_space_byte(b);
    if clean { s } else { tidy(&s) }
}

/// Whether UTF-8 bytes hold any character that `tidy` treats as a space: ASCII whitespace,
/// U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F or U+3000.
fn has_space_byte(b: &[u8]) -> bool {
    b.iter().enumerate().any(|(i, &c)| match c {
        b' ' | b'\t'..=b'\r' => true,
        0xC2 => matches!(b.get(i + 1), Some(0x85 | 0xA0)),
        0xE1 => b.get(i + 1..i + 3) == Some(&[0x9A, 0x80]),
        0xE2 => match (b.get(i + 1), b.get(i + 2)) {
            (Some(0x80), Some(&t)) => matches!(t, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF),
            (Some(0x81), Some(0x9F)) => true,
            _ => false,
        },
        0xE3 => b.get(i + 1..i + 3) == Some(&[0x80, 0x80]),
        _ => false,
    })
}

fn is_fullwidth_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303F}' | '\u{FF00}'..='\u{FFEF}' | '“' | '”' | '‘' | '’')
}

impl<'a> Builder<'a> {
    fn new(src: &'a str) -> Self {
        Builder {
            src,
            ix: LineIndex::new(src),
            blocks: Vec::new(),
            masks: Vec::new(),
            line: String::new(),
            line_start: None,
            line_end: 0,
            tables: Vec::new(),
            table_no: 0,
            stack: Vec::new(),
            closed: Vec::new(),
            title: None,
            warnings: Vec::new(),
        }
    }

    fn text(&mut self, t: &str, start: usize, end: usize) {
        if let Some(tb) = self.tables.last_mut()
            && let Some(cell) = tb.cell.as_mut()
        {
            if cell.text.len() < 64 * 1024 {
                cell.text.push_str(t);
            }
            return;
        }
        if self.tables.last().is_some() {
            // Text between cells (stray) is dropped, as browsers move it out of the table.
            return;
        }
        if t.trim().is_empty() && self.line_start.is_none() {
            return;
        }
        if self.line_start.is_none() {
            let lead = t.len() - t.trim_start().len();
            self.line_start = Some(start + lead);
        }
        if self.line.len() < 1024 * 1024 {
            self.line.push_str(t);
        }
        let trail = t.len() - t.trim_end().len();
        if !t.trim().is_empty() {
            self.line_end = end - trail;
        }
    }

    fn flush_line(&mut self) {
        if let Some(s) = self.line_start.take() {
            let text = tidy_owned(std::mem::take(&mut self.line));
            if !text.is_empty() {
                let src = self.ix.src(self.src, s, self.line_end.max(s));
                self.masks.push(mask_of(&text));
                self.blocks.push(Block::Para(Para { text, src, verbatim: false }));
            }
        }
        self.line.clear();
    }

    /// A block boundary: a new line of prose, or a space inside a table cell.
    fn line_break(&mut self) {
        if self.tables.last().is_some_and(|t| t.cell.is_some()) {
            self.cell_break();
        } else {
            self.flush_line();
        }
    }

    fn cell_break(&mut self) {
        if let Some(tb) = self.tables.last_mut()
            && let Some(cell) = tb.cell.as_mut()
            && !cell.text.ends_with(' ')
        {
            cell.text.push(' ');
        }
    }

    fn start_tag(&mut self, name: &str, attrs: &str, start: usize, end: usize) {
        match name {
            "table" => {
                self.flush_line();
                if self.tables.len() < MAX_DEPTH {
                    self.tables.push(TableB { start, ..Default::default() });
                }
            }
            "tr" => {
                if let Some(tb) = self.tables.last_mut() {
                    close_cell(tb, start);
                    if tb.rows.len() < MAX_ROWS {
                        tb.rows.push(Vec::new());
                    } else if tb.rows.len() == MAX_ROWS {
                        tb.rows.push(Vec::new());
                        self.warnings.push(format!("表格超过{MAX_ROWS}行，已截断"));
                    }
                }
            }
            "td" | "th" => {
                if let Some(tb) = self.tables.last_mut() {
                    close_cell(tb, start);
                    if tb.rows.is_empty() {
                        tb.rows.push(Vec::new());
                    }
                    let span = |key: &str| {
                        attr(attrs, key).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(1).clamp(1, MAX_SPAN)
                    };
                    tb.cell = Some(CellB {
                        text: String::new(),
                        start,
                        end,
                        rowspan: span("rowspan"),
                        colspan: span("colspan"),
                    });
                }
            }
            _ if is_block(name) => self.line_break(),
            _ => {}
        }
        if let Some(static_name) = container(name)
            && self.stack.len() < MAX_DEPTH
        {
            let hint = name == "ucapcontent" || (!attrs.is_empty() && content_hint(attrs));
            self.stack.push(Elem { name: static_name, first_block: self.blocks.len(), hint });
        }
    }

    fn end_tag(&mut self, name: &str, start: usize, end: usize) {
        match name {
            "td" | "th" => {
                if let Some(tb) = self.tables.last_mut() {
                    close_cell(tb, end);
                }
            }
            "tr" => {
                if let Some(tb) = self.tables.last_mut() {
                    close_cell(tb, start);
                }
            }
            "table" => {
                if let Some(mut tb) = self.tables.pop() {
                    close_cell(&mut tb, start);
                    match self.tables.last_mut() {
                        // Nested: emitted after the outer table, its text kept out of the cell.
                        Some(outer) => outer.nested.push((tb.start, tb, end)),
                        None => self.emit_table(tb, end),
                    }
                }
            }
            _ if is_block(name) => self.line_break(),
            _ => {}
        }
        // Close the innermost open element of that name (and anything left open inside it).
        // Only containers are on the stack: the end of a `span` or `font` (most end tags of a
        // Word export) has nothing to look for.
        let Some(name) = container(name) else { return };
        if let Some(pos) = self.stack.iter().rposition(|e| e.name == name) {
            if !is_block(name) && name != "table" {
                // inline element: nothing to flush
            } else {
                self.flush_line();
            }
            for e in self.stack.drain(pos..) {
                self.closed.push((e.first_block, self.blocks.len(), e.hint));
            }
        }
    }

    fn emit_table(&mut self, tb: TableB, end: usize) {
        let nested = std::mem::take(&mut { tb.nested });
        let tb = TableB { nested: Vec::new(), ..tb };
        self.emit_one(tb.rows, tb.start, end);
        for (s, inner, e) in nested {
            self.emit_table(TableB { start: s, ..inner }, e);
        }
    }

    fn emit_one(&mut self, rows: Vec<Vec<CellB>>, start: usize, end: usize) {
        let rows: Vec<Vec<CellB>> = rows.into_iter().filter(|r| !r.is_empty()).collect();
        if rows.is_empty() {
            return;
        }
        self.table_no = self.table_no.saturating_add(1);
        let table = self.table_no;
        // Expand spans into a grid.
        let mut grid: Vec<Vec<Option<GridCell>>> = Vec::new();
        let mut total = 0usize;
        let mut capped = false;
        for (r, mut row) in rows.into_iter().enumerate() {
            if r >= MAX_ROWS {
                break;
            }
            while grid.len() <= r {
                grid.push(Vec::new());
            }
            let mut c = 0usize;
            for cell in row.iter_mut() {
                while grid[r].get(c).is_some_and(Option::is_some) {
                    c += 1;
                }
                if c >= MAX_COLS {
                    capped = true;
                    break;
                }
                let mut text = compact_str::CompactString::from(tidy_owned(std::mem::take(&mut cell.text)));
                let src = self.ix.src(self.src, cell.start, cell.end);
                let rs = cell.rowspan.min(MAX_ROWS - r);
                let cs = cell.colspan.min(MAX_COLS - c);
                // Spanned copies first, so the cell's own slot (0, 0) can take the text without
                // a clone.
                for dr in (0..rs).rev() {
                    let rr = r + dr;
                    while grid.len() <= rr {
                        grid.push(Vec::new());
                    }
                    for dc in (0..cs).rev() {
                        if total >= MAX_CELLS {
                            capped = true;
                            break;
                        }
                        let cc = c + dc;
                        if grid[rr].len() <= cc {
                            grid[rr].resize(cc + 1, None);
                        }
                        if grid[rr][cc].is_none() {
                            total += 1;
                            let mut s = src;
                            s.grid = Some(GridPos { table, row: rr as u16 + 1, col: cc as u16 + 1 });
                            let spanned = dr > 0 || dc > 0;
                            let text = if spanned { text.clone() } else { std::mem::take(&mut text) };
                            grid[rr][cc] = Some(GridCell { text, src: s, spanned });
                        }
                    }
                }
                c += cs;
            }
        }
        if capped {
            self.warnings.push(format!("第{table}个表格超过{MAX_COLS}列或{MAX_CELLS}个单元格，已截断"));
        }
        let rows: Vec<Vec<GridCell>> = grid
            .into_iter()
            .map(|r| {
                r.into_iter()
                    .map(|c| {
                        c.unwrap_or(GridCell {
                            text: compact_str::CompactString::default(),
                            src: self.ix.src(self.src, start, start),
                            spanned: true,
                        })
                    })
                    .collect::<Vec<_>>()
            })
            .filter(|r| !r.is_empty())
            .collect();
        let mask = rows
            .iter()
            .flatten()
            .filter(|c| !c.spanned && c.text.chars().any(is_cjk))
            .fold(0u8, |m, c| m | mask_of(&c.text));
        self.masks.push(mask);
        self.blocks.push(Block::Table(Grid { index: table, src: self.ix.src(self.src, start, end), rows }));
    }
}

fn close_cell(tb: &mut TableB, end: usize) {
    if let Some(mut cell) = tb.cell.take() {
        cell.end = end.max(cell.start);
        if tb.cells < MAX_CELLS {
            tb.cells += 1;
            if let Some(row) = tb.rows.last_mut() {
                row.push(cell);
            }
        }
    }
}

/// Offset of `</name` (ASCII case-insensitive) at or after `from`, or the end of the text.
fn find_close(src: &str, from: usize, name: &str) -> usize {
    let b = src.as_bytes();
    let n = name.as_bytes();
    let mut i = from;
    while let Some(p) = src[i..].find('<').map(|p| p + i) {
        let s = p + 2;
        if b.get(p + 1) == Some(&b'/') && b.len() >= s + n.len() && b[s..s + n.len()].eq_ignore_ascii_case(n) {
            return p;
        }
        i = p + 1;
    }
    src.len()
}

/// The attributes of a tag's attribute text as (name, value) pairs, quoted or not; a bare
/// attribute has an empty value. No allocation: this runs for every tag.
fn attrs_iter(attrs: &str) -> impl Iterator<Item = (&str, &str)> {
    let b = attrs.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        let ns = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        // A lone '=' or '>' is skipped so the scan always advances.
        let name = &attrs[ns..i.max(ns)];
        let mut j = i;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= b.len() || b[j] != b'=' {
            if i == ns {
                i += 1;
            }
            return Some((name, ""));
        }
        j += 1;
        while j < b.len() && b[j].is_ascii_whitespace() {
            j += 1;
        }
        let value = match b.get(j) {
            Some(&q @ (b'"' | b'\'')) => {
                let vs = j + 1;
                let ve = b[vs..].iter().position(|c| *c == q).map_or(b.len(), |p| vs + p);
                i = (ve + 1).min(b.len());
                &attrs[vs..ve]
            }
            _ => {
                let vs = j;
                let ve = b[vs..].iter().position(|c| c.is_ascii_whitespace() || *c == b'>').map_or(b.len(), |p| vs + p);
                i = ve;
                &attrs[vs..ve]
            }
        };
        Some((name, value))
    })
}

/// Value of attribute `key` (ASCII case-insensitive name) in a tag's attribute text.
fn attr<'s>(attrs: &'s str, key: &str) -> Option<&'s str> {
    attrs_iter(attrs).find(|(n, _)| n.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

/// Whether an `id` or `class` attribute names a CMS content container.
fn content_hint(attrs: &str) -> bool {
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let ac = AC.get_or_init(|| {
        aho_corasick::AhoCorasick::builder().ascii_case_insensitive(true).build(CONTENT_HINTS).expect("static keys")
    });
    attrs_iter(attrs).any(|(n, v)| (n.eq_ignore_ascii_case("id") || n.eq_ignore_ascii_case("class")) && ac.is_match(v))
}

/// Decode character references. Unknown named references stay literal.
pub fn decode_entities(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains('&') {
        return s.into();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        let tail = &rest[p + 1..];
        let end = tail.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| {
            let name = &tail[..e];
            let ch = if let Some(num) = name.strip_prefix('#') {
                let v = match num.strip_prefix(['x', 'X']) {
                    Some(h) => u32::from_str_radix(h, 16).ok(),
                    None => num.parse::<u32>().ok(),
                };
                v.and_then(char::from_u32).map(|c| if c == '\0' { '\u{FFFD}' } else { c })
            } else {
                Some(match name {
                    "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    "apos" => '\'',
                    "ldquo" => '“',
                    "rdquo" => '”',
                    "lsquo" => '‘',
                    "rsquo" => '’',
                    "mdash" => '—',
                    "ndash" => '–',
                    "hellip" => '…',
                    "middot" => '·',
                    "times" => '×',
                    "copy" => '©',
                    _ => return None,
                })
            };
            ch.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &tail[e + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out.into()
}

/// Turn an HTML document into blocks. Never fails; bounded in time and memory.
pub fn html_to_doc(src: &str) -> HtmlDoc {
    let mut b = Builder::new(src);
    let bytes = src.as_bytes();
    let mut i = 0;
    let mut text_start = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i = memchr::memchr(b'<', &bytes[i..]).map_or(bytes.len(), |k| i + k);
            continue;
        }
        // Flush text before the tag.
        let flush_text = |b: &mut Builder, from: usize, to: usize| {
            if from < to {
                let t = decode_entities(&src[from..to]);
                b.text(&t, from, to);
            }
        };
        let rest = &src[i..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            flush_text(&mut b, text_start, i);
            let end = comment.find("-->").map_or(src.len(), |e| i + 4 + e + 3);
            i = end;
            text_start = i;
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            flush_text(&mut b, text_start, i);
            i = rest.find('>').map_or(src.len(), |e| i + e + 1);
            text_start = i;
            continue;
        }
        let closing = rest.as_bytes().get(1) == Some(&b'/');
        let name_start = i + if closing { 2 } else { 1 };
        let name_len = src[name_start..]
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b':' || *c == b'-' || *c == b'_')
            .count();
        if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
            i += 1; // a stray '<' is text
            continue;
        }
        let raw_name = &src[name_start..name_start + name_len];
        // Lower-case names (nearly all) are borrowed from the source; only `<TD>`-style markup
        // from old Word exports allocates.
        let name: std::borrow::Cow<'_, str> = if raw_name.bytes().any(|c| c.is_ascii_uppercase()) {
            raw_name.to_ascii_lowercase().into()
        } else {
            raw_name.into()
        };
        // Find the end of the tag, respecting quotes.
        let mut j = name_start + name_len;
        let mut quote: Option<u8> = None;
        while j < bytes.len() {
            // Jump to the next byte that can matter: the closing quote inside a quoted value,
            // else a quote or the tag's end (long `style` attributes of Word exports).
            let next = match quote {
                Some(q) => memchr::memchr(q, &bytes[j..]),
                None => memchr::memchr3(b'"', b'\'', b'>', &bytes[j..]),
            };
            let Some(k) = next else {
                j = bytes.len();
                break;
            };
            j += k;
            match (quote, bytes[j]) {
                (Some(q), c) if c == q => quote = None,
                (None, b'"' | b'\'') if bytes[j - 1] == b'=' || bytes[j - 1] == b' ' => quote = Some(bytes[j]),
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        let tag_end = (j + 1).min(src.len());
        flush_text(&mut b, text_start, i);
        let attrs = &src[(name_start + name_len).min(tag_end)..j.min(src.len())];
        if closing {
            b.end_tag(&name, i, tag_end);
        } else {
            b.start_tag(&name, attrs, i, tag_end);
            if is_skipped_or_raw(&name) {
                // Raw text: find the end tag directly.
                let content_end = find_close(src, tag_end, &name);
                if name == "title" && b.title.is_none() {
                    let t = tidy(&decode_entities(&src[tag_end..content_end]));
                    if !t.is_empty() {
                        b.title = Some(Para { text: t, src: b.ix.src(src, tag_end, content_end), verbatim: false });
                    }
                }
                let after = src[content_end..].find('>').map_or(src.len(), |e| content_end + e + 1);
                b.end_tag(&name, content_end, after);
                i = after;
                text_start = i;
                continue;
            }
        }
        i = tag_end;
        text_start = i;
    }
    if text_start < src.len() {
        let t = decode_entities(&src[text_start..]);
        b.text(&t, text_start, src.len());
    }
    // Close everything left open.
    while let Some(tb) = b.tables.pop() {
        let mut tb = tb;
        close_cell(&mut tb, src.len());
        match b.tables.last_mut() {
            Some(outer) => outer.nested.push((tb.start, tb, src.len())),
            None => b.emit_table(tb, src.len()),
        }
    }
    b.flush_line();
    for e in std::mem::take(&mut b.stack) {
        b.closed.push((e.first_block, b.blocks.len(), e.hint));
    }
    let (lo, hi) = body_range(&b.masks, &b.closed, &b.blocks);
    let mut blocks = b.blocks;
    blocks.truncate(hi);
    let blocks = blocks.split_off(lo);
    HtmlDoc { doc: Doc { blocks, title_hint: b.title }, warnings: b.warnings }
}

/// Choose the blocks of the report body: the smallest element that holds most of the
/// section keys found in the document (a CMS content container wins a tie), extended back
/// to a title line just before it.
fn body_range(masks: &[u8], closed: &[(usize, usize, bool)], blocks: &[Block]) -> (usize, usize) {
    let n = masks.len();
    let all = masks.iter().fold(0u8, |a, m| a | m);
    let want = all.count_ones();
    if want < 2 {
        return (0, n);
    }
    // Prefix OR is not invertible; use per-key prefix counts.
    let mut prefix = vec![[0u32; 6]; n + 1];
    for (k, m) in masks.iter().enumerate() {
        prefix[k + 1] = prefix[k];
        for (bit, p) in prefix[k + 1].iter_mut().enumerate() {
            if m & (1 << bit) != 0 {
                *p += 1;
            }
        }
    }
    let keys_in = |s: usize, e: usize| (0..6).filter(|b| prefix[e][*b] > prefix[s][*b]).count() as u32;
    let need = want.min(want.saturating_sub(1).max(2));
    let best =
        closed.iter().filter(|(s, e, _)| e > s && keys_in(*s, *e) >= need).min_by_key(|(s, e, hint)| (e - s, !hint));
    let Some(&(mut s, e, _)) = best else { return (0, n) };
    // Include a title line shortly before the body.
    for k in (s.saturating_sub(12)..s).rev() {
        if let Block::Para(p) = &blocks[k]
            && p.text.contains("年度报告")
            && p.text.chars().count() <= 80
        {
            s = k;
            break;
        }
    }
    (s, e)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grids(d: &Doc) -> Vec<&Grid> {
        d.blocks.iter().filter_map(|b| if let Block::Table(g) = b { Some(g) } else { None }).collect()
    }
    fn paras(d: &Doc) -> Vec<&str> {
        d.blocks.iter().filter_map(|b| if let Block::Para(p) = b { Some(p.text.as_str()) } else { None }).collect()
    }

    #[test]
    fn spans_expand_into_a_grid() {
        let h = "<table><tr><td rowspan=2 colspan=2>角</td><td>甲</td></tr><tr><td>乙</td></tr>\
                 <tr><td>1</td><td colspan='2'>2</td></tr></table>";
        let d = html_to_doc(h).doc;
        let g = grids(&d)[0];
        let t: Vec<Vec<&str>> = g.rows.iter().map(|r| r.iter().map(|c| c.text.as_str()).collect()).collect();
        assert_eq!(t, vec![vec!["角", "角", "甲"], vec!["角", "角", "乙"], vec!["1", "2", "2"]]);
        assert!(g.rows[1][0].spanned && !g.rows[0][0].spanned);
        assert_eq!(g.rows[2][2].src.grid, Some(GridPos { table: 1, row: 3, col: 3 }));
        assert_eq!(&h[g.rows[0][2].src.start as usize..g.rows[0][2].src.end as usize], "<td>甲</td>");
    }

    #[test]
    fn text_split_across_spans_joins_and_entities_decode() {
        let h = "<p><span>三</span><span>、本</span>\n<span>年</span><font>度</font>&nbsp;A&amp;B &ldquo;x&rdquo; &#20844;&#x5F00; &bogus;</p>";
        let d = html_to_doc(h).doc;
        // A space next to Chinese text or full-width punctuation is layout, not content.
        assert_eq!(paras(&d), vec!["三、本年度 A&B “x”公开 &bogus;"]);
    }

    #[test]
    fn scripts_styles_and_comments_are_skipped_and_title_kept() {
        let h = "<html><head><title>标题 &amp; 年度报告</title><style>p{}</style></head><body><script>var a='<p>x</p>';</script>\
                 <!-- <p>hidden</p> --><p>正文</p></body></html>";
        let d = html_to_doc(h).doc;
        assert_eq!(paras(&d), vec!["正文"]);
        assert_eq!(d.title_hint.unwrap().text, "标题 & 年度报告");
    }

    #[test]
    fn nested_tables_are_kept_after_the_outer_one() {
        let h = "<table><tr><td>外<table><tr><td>内</td></tr></table></td><td>2</td></tr></table>";
        let d = html_to_doc(h).doc;
        let g = grids(&d);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].rows[0].iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), vec!["外", "2"]);
        assert_eq!(g[1].rows[0][0].text, "内");
    }

    #[test]
    fn body_is_found_among_chrome() {
        let h = "<div class=nav><p>首页 政府信息公开年报</p></div><div id=zoomcon><p>2024年某局政府信息公开工作年度报告</p><p>一、总体情况</p><p>二、主动公开政府信息情况</p>\
                 <p>三、收到和处理政府信息公开申请情况</p><p>四、政府信息公开行政复议、行政诉讼情况</p><p>五、存在的主要问题及改进情况</p><p>六、其他需要报告的事项</p></div>\
                 <div class=footer><p>版权所有 联系我们</p></div>";
        let d = html_to_doc(h).doc;
        let p = paras(&d);
        assert_eq!(p.first(), Some(&"2024年某局政府信息公开工作年度报告"));
        assert_eq!(p.last(), Some(&"六、其他需要报告的事项"));
    }

    #[test]
    fn tidy_owned_agrees_with_tidy() {
        for t in
            ["0", "商业企业", " 前后 ", "a\u{a0}b", "中\u{3000}文", "“引号”。", "x\u{2003}y", "a\u{85}b", "甲\n乙", ""]
        {
            assert_eq!(tidy_owned(t.to_string()), tidy(t), "{t:?}");
        }
    }

    #[test]
    fn hostile_markup_is_bounded() {
        let deep = "<div>".repeat(10_000) + &"<table><tr><td>".repeat(10_000);
        let _ = html_to_doc(&deep);
        let big = "<table><tr><td rowspan=999999 colspan=999999>x</td></tr></table>";
        let d = html_to_doc(big);
        let g = grids(&d.doc);
        assert!(g[0].rows.len() <= MAX_ROWS && g[0].rows[0].len() <= MAX_COLS);
        assert!(g[0].rows.iter().map(Vec::len).sum::<usize>() <= MAX_CELLS);
        let _ = html_to_doc(&"<".repeat(1 << 20));
        let _ = html_to_doc("<!-- never closed <p>x");
        let _ = html_to_doc("<p a=\"unterminated>x</p><td><tr></table></td>&#xFFFFFFFF;&#0;");
    }
}
