//! Plain-text front end: turns report text in any of the shapes real reports come in into
//! document blocks.
//!
//! Shapes recognised, line by line:
//! - one cell per line, each cell line starting with a TAB and rows separated by empty lines
//!   (web "copy as text" of a Word table, like the seed report);
//! - Markdown tables (`| a | b |`, separator rows skipped) as produced by PDF converters, and
//!   tables drawn with borders as text browsers and converters draw them: box-drawing
//!   characters (`│ ─ ┼`, heavy and double lines) or ASCII grids (`+----+`, `|`). When rules
//!   separate the rows, a row written over several lines between two rules (a wrapped cell)
//!   is one row; see [`merge_wrapped`];
//! - an HTML `<table>` left inside the text (Markdown from a converter that writes merged
//!   cells as HTML), read by the HTML front end;
//! - rows flattened with TABs or pipes inside a line (`a\tb\tc`, `a | b | c`);
//! - everything else is a prose line (`Para`), Markdown heading marks stripped.
//!
//! Rows whose cells run together on one prose line (`一、本年新收… 34 0 0 0 0 0 34`) stay
//! prose here; the interpreter splits them.

use gongkai_model::doc::{Block, Doc, Grid, GridCell};
use gongkai_model::space::Bom;
use gongkai_model::{GridPos, Para, Src};

/// Maximum rows and columns kept per grid (hostile input bound).
pub const MAX_ROWS: usize = 2_000;
pub const MAX_COLS: usize = 200;

struct Line<'a> {
    start: usize,
    text: &'a str,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::with_capacity(memchr::memchr_iter(b'\n', text.as_bytes()).count() + 1);
    let mut start = 0;
    let body = |s: usize, e: usize| {
        let t = &text[s..e];
        t.strip_suffix('\r').unwrap_or(t)
    };
    for nl in memchr::memchr_iter(b'\n', text.as_bytes()) {
        out.push(Line { start, text: body(start, nl) });
        start = nl + 1;
    }
    if start < text.len() {
        out.push(Line { start, text: body(start, text.len()) });
    }
    out
}

/// Provenance of positions inside one line. The front end walks the text line by line, so
/// the line number is known; columns are counted forward from the previous position asked
/// for on the same line, so a line is decoded once however many cells it holds.
struct LinePos<'a> {
    text: &'a str,
    /// 1-based line number.
    line: u32,
    start: usize,
    at: usize,
    col: u32,
}

impl<'a> LinePos<'a> {
    fn new(text: &'a str, line_index: usize, start: usize) -> Self {
        LinePos { text, line: line_index as u32 + 1, start, at: start, col: 1 }
    }

    /// `Src` of the byte range `s..e`, which lies on this line.
    fn src(&mut self, s: usize, e: usize) -> Src {
        if s < self.at {
            (self.at, self.col) = (self.start, 1);
        }
        // Characters are counted as the bytes that start one (not 10xxxxxx): the gaps between
        // cells are short, and this loop beats the general counting routine on them.
        self.col += self
            .text
            .as_bytes()
            .get(self.at..s)
            .map_or(0, |t| t.iter().filter(|b| (**b as i8) >= -0x40).count() as u32);
        self.at = s;
        Src { start: s as u32, end: e as u32, line: self.line, col: self.col, grid: None }
    }
}

/// A Markdown table row, already trimmed: `|` first and another `|` after it.
fn is_md_row(t: &str) -> bool {
    t.starts_with('|') && t.len() > 1 && memchr::memchr(b'|', &t.as_bytes()[1..]).is_some()
}

/// A character of the Unicode box-drawing block (U+2500–U+257F).
fn is_box_drawing(c: char) -> bool {
    ('\u{2500}'..='\u{257F}').contains(&c)
}

/// A vertical bar of a box-drawing table: light, heavy or double.
fn is_box_bar(c: char) -> bool {
    matches!(c, '│' | '┃' | '║')
}

/// A row of a bordered table, already trimmed: it starts with `|` or a box-drawing bar and
/// holds another bar after that.
fn is_bordered_row(t: &str) -> bool {
    if is_md_row(t) {
        return true;
    }
    let mut cs = t.chars();
    cs.next().is_some_and(is_box_bar) && cs.any(|c| is_box_bar(c) || c == '|')
}

/// A rule of a bordered table, already trimmed: only rule characters (`-`, `=`, `+`, `|`, `:`,
/// spaces, the box-drawing block U+2500–U+257F) with at least one horizontal stroke.
fn is_rule_line(t: &str) -> bool {
    let mut horizontal = false;
    for c in t.chars() {
        match c {
            '-' | '=' => horizontal = true,
            '|' | '+' | ':' | ' ' | '\t' | '\u{3000}' => {}
            '\u{2500}'..='\u{257F}' => horizontal |= !is_box_bar(c),
            _ => return false,
        }
    }
    horizontal
}

/// A rule of a bordered table with a merged cell's text on it, already trimmed: a text
/// browser or pandoc draws a cell that spans rows over the rules between them
/// (`│  │（六）其他处  ├──────┼──┤`, `|  |（六）其他处  +------+--+`). Any horizontal box-drawing stroke or junction marks it
/// (table text never holds one); the line parts rows like a rule, and the merged cell's
/// fragment on it goes in front of the same column of the next row (`rule_text`).
fn is_partial_rule(t: &str) -> bool {
    t.chars().any(|c| is_box_drawing(c) && !is_box_bar(c))
        || (t.starts_with('|') && ["+--", "--+", "+==", "==+"].iter().any(|p| t.contains(p)))
}

/// A horizontal stroke of a box-drawing rule (light, heavy, double, dashed).
fn is_box_stroke(c: char) -> bool {
    matches!(c, '─' | '━' | '═' | '┄' | '┅' | '┈' | '┉' | '╌' | '╍')
}

/// The text on a rule of a box-drawing table (see [`is_partial_rule`]) with its column: the
/// line cut at every bar and junction, as a row is cut at its bars.
fn rule_text(text: &str, (index, base): (usize, usize), line: &str) -> Vec<(usize, GridCell)> {
    let mut pieces = Vec::new();
    let mut s = 0;
    for (i, c) in line.char_indices() {
        if matches!(c, '|' | '+') || (is_box_drawing(c) && !is_box_stroke(c)) {
            pieces.push((s, i));
            s = i + c.len_utf8();
        }
    }
    pieces.push((s, line.len()));
    if pieces.first().is_some_and(|(a, b)| line[*a..*b].trim().is_empty()) {
        pieces.remove(0);
    }
    let mut pos = LinePos::new(text, index, base);
    pieces
        .into_iter()
        .enumerate()
        .filter(|(_, (a, b))| {
            let t = line[*a..*b].trim();
            !t.is_empty() && !t.chars().any(is_box_drawing) && !t.chars().all(|c| matches!(c, '-' | '=' | ':'))
        })
        .map(|(k, (a, b))| (k, cell(text, &mut pos, base + a, base + b)))
        .collect()
}

/// `piece` (text drawn above `c` on a rule) put in front of the cell's text.
fn prepend(c: &mut GridCell, piece: GridCell) {
    if c.text.is_empty() {
        *c = piece;
        return;
    }
    let mut t = piece.text;
    t.push_str(&c.text);
    c.text = t;
    c.src = Src { end: c.src.end, ..piece.src };
}

/// A line flattened with separators: at least two interior TABs, or at least two pipes.
fn flattened_separator(t: &str) -> Option<char> {
    separator_of(trimmed(t))
}

/// [`flattened_separator`] of a line already trimmed.
fn separator_of(inner: &str) -> Option<char> {
    let inner = inner.as_bytes();
    // Every prose line comes through here: the separators are counted with memchr (SIMD), and
    // only up to two of each matter.
    let tabs = memchr::memchr_iter(b'\t', inner).take(2).count();
    let pipes = memchr::memchr_iter(b'|', inner).take(2).count();
    let wide = wide_pipe().find_iter(inner).take(2).count();
    separator_from_counts(tabs, pipes, wide)
}

/// The separator of a line with these counts of TABs, `|` and `｜` (only up to two matter).
fn separator_from_counts(tabs: usize, pipes: usize, wide: usize) -> Option<char> {
    if tabs >= 2 {
        Some('\t')
    } else if pipes >= 2 || wide >= 2 {
        Some(if wide > 0 { '｜' } else { '|' })
    } else {
        None
    }
}

/// The full-width pipe `｜`, searched with one finder built once (building a finder per
/// line cost more than the search).
fn wide_pipe() -> &'static memchr::memmem::Finder<'static> {
    static F: std::sync::OnceLock<memchr::memmem::Finder<'static>> = std::sync::OnceLock::new();
    F.get_or_init(|| memchr::memmem::Finder::new("｜".as_bytes()))
}

/// Byte offsets of every `sep` in `line`: memchr for an ASCII separator, the prebuilt finder
/// for `｜` (a `char` search would stop at every byte 0x9C, which most ideographs contain).
fn separator_offsets(line: &str, sep: char, out: &mut Vec<usize>) {
    out.clear();
    if sep.is_ascii() {
        out.extend(memchr::memchr_iter(sep as u8, line.as_bytes()));
    } else if sep == '｜' {
        out.extend(wide_pipe().find_iter(line.as_bytes()));
    } else if is_box_bar(sep) {
        out.extend(line.char_indices().filter(|(_, c)| is_box_bar(*c)).map(|(i, _)| i));
    } else {
        out.extend(line.match_indices(sep).map(|(i, _)| i));
    }
}

/// Trim a byte range of `text` to exclude surrounding whitespace (incl. U+3000 and U+FEFF);
/// a blank range is empty at its start (where an empty cell is reported).
fn trim_range(text: &str, start: usize, e: usize) -> (usize, usize) {
    gongkai_model::space::trim_range(text.as_bytes(), start, e, Bom::Space)
}

/// `t` without surrounding whitespace, as [`trim_range`] trims.
fn trimmed(t: &str) -> &str {
    let (s, e) = trim_range(t, 0, t.len());
    &t[s..e]
}

/// The whitespace the front end trims, as a char predicate: the oracle of the byte matchers
/// of `gongkai_model::space`.
#[cfg(test)]
fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}' || c == '\u{FEFF}'
}

struct GridBuilder {
    rows: Vec<Vec<GridCell>>,
    start: usize,
    /// 0-based index of the first line.
    line: usize,
    end: usize,
}

impl GridBuilder {
    fn new(line: usize, start: usize) -> Self {
        GridBuilder { rows: Vec::new(), start, line, end: start }
    }
    fn push_row(&mut self, row: Vec<GridCell>) {
        if !row.is_empty() && self.rows.len() < MAX_ROWS {
            self.rows.push(row);
        }
    }
    fn finish(self, text: &str, table_no: &mut u16, out: &mut Vec<Block>) {
        if self.rows.is_empty() {
            return;
        }
        *table_no = table_no.saturating_add(1);
        let mut rows = self.rows;
        strip_dataframe_index(&mut rows);
        collapse_repeated_spans(&mut rows);
        for (r, row) in rows.iter_mut().enumerate() {
            for (c, cell) in row.iter_mut().enumerate() {
                cell.src.grid = Some(GridPos { table: *table_no, row: r as u16 + 1, col: c as u16 + 1 });
            }
        }
        let src = LinePos::new(text, self.line, self.start).src(self.start, self.end);
        out.push(Block::Table(Grid { index: *table_no, src, rows }));
    }
}

/// A table written out of a pandas DataFrame (`read_html` then `to_markdown`, `to_csv`) has a
/// header row of column numbers (`| | 0 | 1 | 2 |`) and an index column counting the rows
/// from 0: both are dropped, since they are not the report's.
fn strip_dataframe_index(rows: &mut Vec<Vec<GridCell>>) {
    let counts = |cells: &mut dyn Iterator<Item = &GridCell>| cells.enumerate().all(|(k, c)| c.text == k.to_string());
    let header = rows.first().is_some_and(|r| r.len() >= 2 && r[0].text.is_empty() && counts(&mut r[1..].iter()));
    let index = rows.len() >= 3 && counts(&mut rows[1..].iter().filter_map(|r| r.first()));
    if header && index {
        rows.remove(0);
        for r in rows.iter_mut() {
            r.remove(0);
        }
    }
}

/// A merged cell written once into every column it spans (pandas' `read_html` then
/// `to_markdown`, python-docx's `row.cells`): `信息内容 | 本年处理决定数量 | 本年处理决定数量`
/// and under it `行政许可 | 0 | 0`. A row without figures names such runs (adjacent cells of
/// one text); each run is then kept once in that row and in the rows of figures under it
/// whose cells in the run are all the same, until the next row without figures. A run of
/// figures is never made from the figures themselves: `0 | 0 | 0` under three distinct
/// headings stays three cells.
fn collapse_repeated_spans(rows: &mut [Vec<GridCell>]) {
    let figure =
        |c: &GridCell| c.text.chars().next().is_some_and(|ch| ch.is_ascii_digit() || ('０'..='９').contains(&ch));
    // Runs of the last row without figures: (start, length, row width).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut width = 0;
    for row in rows.iter_mut() {
        let header = !row.iter().any(figure);
        if header {
            runs.clear();
            width = row.len();
            let mut j = 0;
            while j < row.len() {
                let mut k = j + 1;
                // Only a label (with letters or ideographs) names a merged cell: a run of
                // placeholders (`—`, `/`) is data.
                let label = row[j].text.chars().any(char::is_alphabetic);
                while k < row.len() && label && row[k].text == row[j].text {
                    k += 1;
                }
                if k - j >= 2 {
                    runs.push((j, k - j));
                }
                j = k;
            }
        }
        if runs.is_empty() || row.len() != width {
            continue;
        }
        // Right to left, so that earlier starts stay valid.
        for &(j, n) in runs.iter().rev() {
            if row[j..j + n].iter().all(|c| c.text == row[j].text) {
                row.drain(j + 1..j + n);
            }
        }
    }
}

fn cell(text: &str, pos: &mut LinePos, s: usize, e: usize) -> GridCell {
    let (s, e) = trim_range(text, s, e);
    let raw = &text[s..e];
    let t = if raw.bytes().any(|b| b == b'&' || b == b'<') { without_markup(raw) } else { raw.into() };
    GridCell { text: t, src: pos.src(s, e), spanned: false }
}

/// A table cell's text with the HTML a converter leaves in Markdown and pipe tables read as
/// the HTML front end reads it: a tag (`<br>`, `<span …>`) is a space, a character reference
/// (`&nbsp;`, `&#160;`) its character; then trimmed. `<5` or `A&B` stay as they are.
fn without_markup(raw: &str) -> compact_str::CompactString {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(p) = rest.find('<') {
        out.push_str(&rest[..p]);
        let tail = &rest[p..];
        let is_tag = tail[1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '/');
        match tail.find('>').filter(|_| is_tag) {
            Some(end) => {
                out.push(' ');
                rest = &tail[end + 1..];
            }
            None => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    trimmed(&crate::html::decode_entities(&out)).into()
}

/// Split `line` (line number `index`, starting at byte `base` of `text`) on `sep`; with
/// `outer_pipes`, the empty pieces before the first and after the last pipe are dropped.
/// `scratch` (separator offsets, pieces) is reused from line to line.
fn split_cells(
    text: &str,
    (index, base): (usize, usize),
    line: &str,
    sep: char,
    outer_pipes: bool,
    scratch: &mut (Vec<usize>, Vec<(usize, usize)>),
) -> Vec<GridCell> {
    separator_offsets(line, sep, &mut scratch.0);
    let pieces = &mut scratch.1;
    pieces.clear();
    let mut s = 0;
    for &i in &scratch.0 {
        pieces.push((s, i));
        // Every box bar is three bytes in UTF-8, as `sep` is then.
        s = i + sep.len_utf8();
    }
    pieces.push((s, line.len()));
    let mut first = 0;
    let mut last = pieces.len();
    if outer_pipes {
        if pieces.first().is_some_and(|(a, b)| line[*a..*b].trim().is_empty()) {
            first = 1;
        }
        if last > first && pieces.last().is_some_and(|(a, b)| line[*a..*b].trim().is_empty()) {
            last -= 1;
        }
    }
    let pieces = &pieces[first..last.min(first + MAX_COLS)];
    let mut pos = LinePos::new(text, index, base);
    let mut cells = Vec::with_capacity(pieces.len());
    for (a, b) in pieces {
        cells.push(cell(text, &mut pos, base + a, base + b));
    }
    cells
}

/// Maximum blocks kept (hostile input bound; a real report has a few hundred lines).
pub const MAX_BLOCKS: usize = 100_000;

/// Blocks plus warnings (in Chinese) about input that was cut.
#[derive(Debug)]
pub struct TextDoc {
    pub doc: Doc,
    pub warnings: Vec<String>,
}

/// Turn plain text into blocks. Never fails.
pub fn text_to_doc(text: &str) -> TextDoc {
    let masked = blank_tags(text);
    let text = masked.as_deref().unwrap_or(text);
    let lines = lines(text);
    let mut blocks = Vec::with_capacity(lines.len());
    let mut scratch = (Vec::new(), Vec::new());
    let mut table_no = 0u16;
    let mut warnings = Vec::new();
    let mut line_index = None;
    // No html2text table starts before this line (see `block_table`).
    let mut no_block_table_before = 0;
    let mut i = 0;
    while i < lines.len() {
        if blocks.len() >= MAX_BLOCKS {
            let line = i + 1;
            return TextDoc {
                doc: Doc { blocks, title_hint: None },
                warnings: {
                    warnings.push(format!("文本超过{MAX_BLOCKS}段，从第{line}行起未读取"));
                    warnings
                },
            };
        }
        let l = &lines[i];
        // The line trimmed once, for the blank test, the table-shape tests and prose.
        let (ts, te) = trim_range(text, l.start, l.start + l.text.len());
        if ts == te {
            i += 1;
            continue;
        }
        // One cell per line (seed shape): TAB-led lines, rows separated by empty lines.
        if l.text.starts_with('\t') && memchr::memchr(b'\t', &l.text.as_bytes()[1..]).is_none() {
            let mut g = GridBuilder::new(i, l.start);
            let mut row = Vec::with_capacity(10);
            while i < lines.len() {
                let l = &lines[i];
                if l.text.is_empty() {
                    if !row.is_empty() {
                        let width = row.len();
                        g.push_row(std::mem::replace(&mut row, Vec::with_capacity(width)));
                    }
                    i += 1;
                    continue;
                }
                if !l.text.starts_with('\t') {
                    break;
                }
                if row.len() < MAX_COLS {
                    row.push(cell(text, &mut LinePos::new(text, i, l.start), l.start + 1, l.start + l.text.len()));
                }
                g.end = l.start + l.text.len();
                i += 1;
            }
            g.push_row(row);
            g.finish(text, &mut table_no, &mut blocks);
            continue;
        }
        // Markdown tables and tables drawn with borders (a rule may open them).
        let starts_table = is_bordered_row(&text[ts..te])
            || (is_rule_line(&text[ts..te]) && lines.get(i + 1).is_some_and(|n| is_bordered_row(trimmed(n.text))));
        if starts_table {
            let mut g = GridBuilder::new(i, l.start);
            // Rows between rules: one segment per run of row lines.
            let mut segments: Vec<Vec<Vec<GridCell>>> = vec![Vec::new()];
            // A merged cell's text drawn on a rule, for the same column of the next row.
            let mut carry: Vec<(usize, GridCell)> = Vec::new();
            while i < lines.len() {
                let l = &lines[i];
                let t = trimmed(l.text);
                if is_rule_line(t) || is_partial_rule(t) {
                    if segments.last().is_some_and(|s| !s.is_empty()) {
                        segments.push(Vec::new());
                    }
                    if !is_rule_line(t) {
                        carry = rule_text(text, (i, l.start), l.text);
                    }
                } else if is_bordered_row(t) {
                    let sep = if t.chars().any(is_box_bar) { '│' } else { '|' };
                    let mut row = split_cells(text, (i, l.start), l.text, sep, true, &mut scratch);
                    for (k, piece) in carry.drain(..) {
                        if let Some(c) = row.get_mut(k) {
                            prepend(c, piece);
                        }
                    }
                    segments.last_mut().expect("one segment").push(row);
                } else {
                    break;
                }
                g.end = l.start + l.text.len();
                i += 1;
            }
            for row in merge_wrapped(text, segments) {
                g.push_row(row);
            }
            g.finish(text, &mut table_no, &mut blocks);
            continue;
        }
        // An HTML table left in the text: read by the HTML front end.
        if starts_html_table(&text.as_bytes()[ts..]) {
            let end = html_table_end(text, ts);
            let index = line_index.get_or_insert_with(|| gongkai_model::doc::LineIndex::new(text));
            let h = crate::html::html_to_doc(&text[ts..end]);
            warnings.extend(h.warnings);
            for mut b in h.doc.blocks {
                let shift = |src: &mut Src| {
                    let grid = src.grid;
                    *src = Src { grid, ..index.src(text, ts + src.start as usize, ts + src.end as usize) };
                };
                match &mut b {
                    Block::Para(p) => shift(&mut p.src),
                    Block::Table(g) => {
                        table_no = table_no.saturating_add(1);
                        g.index = table_no;
                        shift(&mut g.src);
                        for c in g.rows.iter_mut().flatten() {
                            shift(&mut c.src);
                            if let Some(at) = &mut c.src.grid {
                                at.table = table_no;
                            }
                        }
                    }
                }
                blocks.push(b);
            }
            // Go on from the line after the table's end.
            while i < lines.len() && lines[i].start < end {
                i += 1;
            }
            continue;
        }
        // Cells holding paragraphs, as Python's html2text writes them.
        if i >= no_block_table_before {
            match block_table(text, &lines, i) {
                Ok((rows, next, end)) => {
                    let mut g = GridBuilder::new(i, l.start);
                    for row in rows {
                        g.push_row(row);
                    }
                    g.end = end;
                    g.finish(text, &mut table_no, &mut blocks);
                    i = next;
                    continue;
                }
                Err(after) => no_block_table_before = after,
            }
        }
        // Rows flattened with TABs or pipes.
        if let Some(sep) = separator_of(&text[ts..te]) {
            let mut g = GridBuilder::new(i, l.start);
            while i < lines.len() && flattened_separator(lines[i].text) == Some(sep) {
                let l = &lines[i];
                g.push_row(split_cells(text, (i, l.start), l.text, sep, sep != '\t', &mut scratch));
                g.end = l.start + l.text.len();
                i += 1;
            }
            g.finish(text, &mut table_no, &mut blocks);
            continue;
        }
        // Prose; strip Markdown heading marks and emphasis at the ends.
        let (mut s, mut e) = (ts, te);
        while s < e && text.as_bytes()[s] == b'#' {
            s += 1;
        }
        (s, e) = trim_range(text, s, e);
        if text[s..e].starts_with("**") && text[s..e].ends_with("**") && e - s > 4 {
            s += 2;
            e -= 2;
        }
        if s < e {
            let src = LinePos::new(text, i, l.start).src(s, e);
            blocks.push(Block::Para(Para { text: text[s..e].to_string(), src, verbatim: true }));
        }
        i += 1;
    }
    TextDoc { doc: Doc { blocks, title_hint: None }, warnings }
}

/// The text with the tags a converter leaves in Markdown (`<span style="…">`, `</span>`,
/// `<div>`, `<o:p>`, `<!-- … -->`, a tag broken over lines) blanked, outside the HTML tables
/// that [`text_to_doc`] hands to the HTML front end; `None` when there is none. Every tag is
/// replaced by whitespace of the same byte length (an ideographic space for a three-byte
/// character, so columns stay right; line breaks kept), so every position is still the file's.
/// `<5`, `a < b` and an unclosed `<` are not tags.
fn blank_tags(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let mut out: Option<Vec<u8>> = None;
    let mut from = 0;
    // Once a `<!--` is never closed, no later one is (each search would run to the end).
    let mut comments_close = true;
    while let Some(at) = memchr::memchr(b'<', &b[from..]).map(|k| from + k) {
        let rest = &b[at..];
        if starts_html_table(rest) {
            // What precedes on the line, tags already blanked (looked at only here: once a
            // table, which is then skipped whole).
            let line_start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |k| k + 1);
            let before = out.as_deref().map_or(&b[line_start..at], |o| &o[line_start..at]);
            if std::str::from_utf8(before).is_ok_and(|t| trimmed(t).is_empty()) {
                from = html_table_end(text, at);
                continue;
            }
        }
        let end = if rest.starts_with(b"<!--") {
            let close = memchr::memmem::find(&rest[4..], b"-->").filter(|_| comments_close);
            comments_close &= close.is_some();
            close.map(|k| at + 4 + k + 3)
        } else {
            tag_end(rest).map(|k| at + k)
        };
        let Some(end) = end else {
            from = at + 1;
            continue;
        };
        blank(text, &mut out, at, end);
        from = end;
    }
    pandoc_attributes(text, &mut out);
    // Only whole characters were replaced, each by whitespace of its length.
    out.map(|o| String::from_utf8(o).expect("tags blanked by whole characters"))
}

/// Blank `text[from..to]` in `out` (a copy of `text` made on first use): each character by
/// whitespace of its byte length (an ideographic space for three bytes), line breaks kept.
fn blank(text: &str, out: &mut Option<Vec<u8>>, from: usize, to: usize) {
    let o = out.get_or_insert_with(|| text.as_bytes().to_vec());
    for (i, c) in text[from..to].char_indices() {
        let (i, n) = (from + i, c.len_utf8());
        match (c, n) {
            ('\n' | '\r', _) => {}
            (_, 3) => o[i..i + 3].copy_from_slice("\u{3000}".as_bytes()),
            _ => o[i..i + n].fill(b' '),
        }
    }
}

/// pandoc's own Markdown keeps a page's inline styles as bracketed spans and its `<div>`s as
/// fences: `[规章]{style="font-family: 微软雅黑;"}[]{style="…"}` and `::: {style="…"}` lines.
/// The brackets and attributes are blanked (the span's text stays where it is), and a fence
/// line entirely. A span is `[` … `]{` … `}` on one line, its attributes holding `=` or
/// opening with `.` or `#`; a Markdown link `[text](url)` is not one.
fn pandoc_attributes(text: &str, out: &mut Option<Vec<u8>>) {
    let b = text.as_bytes();
    if memchr::memmem::find(b, b"]{").is_none() && memchr::memmem::find(b, b":::").is_none() {
        return;
    }
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', b).chain(std::iter::once(b.len())) {
        let line = &text[start..end];
        if trimmed(line).starts_with(":::") {
            blank(text, out, start, end);
        } else if line.contains("]{") {
            // The `[` still open at each point of the line (spans nest rarely; links never
            // reach `]{`).
            let mut open: Vec<usize> = Vec::new();
            let lb = line.as_bytes();
            let mut k = 0;
            while k < lb.len() {
                match lb[k] {
                    b'[' => open.push(k),
                    b']' => {
                        let Some(o) = open.pop() else {
                            k += 1;
                            continue;
                        };
                        if lb.get(k + 1) == Some(&b'{') {
                            // The first brace after the opening one: a `}` closes the attributes;
                            // another `{` means none (and keeps the search linear).
                            let close =
                                memchr::memchr2(b'}', b'{', &lb[k + 2..]).map(|c| k + 2 + c).filter(|&c| lb[c] == b'}');
                            if let Some(close) = close {
                                let attrs = &lb[k + 2..close];
                                let pandoc =
                                    attrs.contains(&b'=') || attrs.first().is_some_and(|c| matches!(c, b'.' | b'#'));
                                if pandoc {
                                    blank(text, out, start + o, start + o + 1);
                                    blank(text, out, start + k, start + close + 1);
                                    k = close + 1;
                                    continue;
                                }
                            }
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
        }
        start = end + 1;
    }
}

/// The length of the HTML tag `rest` starts with: `<` or `</`, a name of ASCII letters and
/// digits (`o:p` too), then whitespace, `/` or `>`, and a `>` within 2 KiB with no `|` and
/// no empty line before it. `<5`, `a<b`, `<http://…>` and a `<b` never closed are not tags.
fn tag_end(rest: &[u8]) -> Option<usize> {
    let name_at = if rest.get(1) == Some(&b'/') { 2 } else { 1 };
    let name_len = rest[name_at.min(rest.len())..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b':' || **c == b'-')
        .count();
    let after = rest.get(name_at + name_len)?;
    let named = name_len > 0
        && rest[name_at].is_ascii_alphabetic()
        && rest[name_at + name_len - 1] != b':'
        && matches!(after, b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n');
    if !named {
        return None;
    }
    let window = &rest[..rest.len().min(2048)];
    let close = memchr::memchr(b'>', window)?;
    let inside = &window[..close];
    let clean = !inside.contains(&b'|') && memchr::memmem::find(inside, b"\n\n").is_none();
    clean.then_some(close + 1)
}

/// Whether a trimmed line opens an HTML table (`<table`, any case, then a space or `>`).
fn starts_html_table(t: &[u8]) -> bool {
    t.len() > 6 && t[..6].eq_ignore_ascii_case(b"<table") && matches!(t[6], b'>' | b' ' | b'\t' | b'\r' | b'\n' | b'/')
}

/// The byte just past the `</table>` that closes the table opened at `from` (nested tables
/// counted), or the end of the text when it is never closed.
fn html_table_end(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut depth = 0usize;
    for at in memchr::memchr_iter(b'<', &b[from..]).map(|k| from + k) {
        let rest = &b[at..];
        let is = |pat: &[u8]| rest.len() >= pat.len() && rest[..pat.len()].eq_ignore_ascii_case(pat);
        if is(b"<table") {
            depth += 1;
        } else if is(b"</table") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return memchr::memchr(b'>', rest).map_or(text.len(), |k| at + k + 1);
            }
        }
    }
    text.len()
}

/// The rows of a bordered table from its segments (the row lines between two rules).
///
/// When rules separate the rows (three segments or more), a segment of several lines is one
/// row whose cells wrapped: each column's pieces are joined in order. A segment is kept as
/// separate rows when its lines differ in their number of cells, or when one column holds a
/// value on two of its lines (two rows of figures between two rules, as a table with rules
/// only under its header and above its total draws them): a number is never glued to
/// another, except a figure too wide for its cell, cut at the cell's edge (see
/// [`continues_figure`]) in a table whose rows are all ruled.
fn merge_wrapped(text: &str, segments: Vec<Vec<Vec<GridCell>>>) -> Vec<Vec<GridCell>> {
    let ruled_segments = segments.iter().filter(|s| !s.is_empty()).count();
    let ruled = ruled_segments >= 3;
    // Rules between every row (a header, then at least three ruled rows), not only under the
    // header and above the total: only then may a figure continue on the next line.
    let every_row_ruled = ruled_segments >= 5;
    let mut out = Vec::new();
    for seg in segments {
        if !ruled || seg.len() < 2 || !mergeable(text, &seg, every_row_ruled) {
            out.extend(seg);
            continue;
        }
        let mut lines = seg.into_iter();
        let mut row = lines.next().expect("two lines");
        for line in lines {
            for (cell, piece) in row.iter_mut().zip(line) {
                join_piece(cell, piece);
            }
        }
        out.push(row);
    }
    out
}

/// Append the next piece of a cell written over several lines: ideographs run on, two ASCII
/// words get a space, two pieces of one figure none. The cell then spans both.
fn join_piece(cell: &mut GridCell, piece: GridCell) {
    if piece.text.is_empty() {
        return;
    }
    if cell.text.is_empty() {
        *cell = piece;
        return;
    }
    let words = cell.text.ends_with(|c: char| c.is_ascii_alphanumeric())
        && piece.text.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !(starts_like_value(&cell.text) && starts_like_value(&piece.text));
    if words {
        cell.text.push(' ');
    }
    cell.text.push_str(&piece.text);
    cell.src.end = piece.src.end;
}

/// How a line reads inside a table written the way Python's `html2text` writes one whose
/// cells hold paragraphs (see [`block_table`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum BlockLine {
    /// Nothing on it: a paragraph break inside a cell.
    Empty,
    /// Spaces only: the end of a row (the hard break `html2text` writes after a row).
    RowEnd,
    /// A Markdown table rule (`---|---`): ends the header row.
    Rule,
    Content,
}

fn block_line(l: &str) -> BlockLine {
    let t = trimmed(l);
    if l.is_empty() {
        BlockLine::Empty
    } else if t.is_empty() {
        // html2text writes ASCII spaces; a cell's blank paragraph (U+3000, NBSP) is not a row end.
        if l.bytes().all(|b| b == b' ') { BlockLine::RowEnd } else { BlockLine::Empty }
    } else if t.bytes().all(|b| matches!(b, b'|' | b'-' | b':' | b' ' | b'\t'))
        && t.contains("---")
        && (t.contains('|') || l.ends_with("  "))
    {
        // A cell's `---` placeholder has neither a `|` nor a hard break after it.
        BlockLine::Rule
    } else {
        BlockLine::Content
    }
}

/// One row of a block table from line `from`: its cells, the number of `|` in it, the lines
/// where its first cell's paragraphs start, and the line after it (past its row end). `None`
/// when no row end comes within `MAX_ROW_LINES`, or the lines are not one row.
struct BlockRow {
    cells: Vec<GridCell>,
    pipes: usize,
    first_paras: Vec<usize>,
    content_lines: usize,
    /// The row's last line ends in two spaces, as `html2text` ends a row.
    hard_break: bool,
    next: usize,
    end_byte: usize,
}

const MAX_ROW_LINES: usize = 400;

fn block_row(text: &str, lines: &[Line], from: usize) -> Option<BlockRow> {
    // The row's extent first, without building anything: two paragraphs always have an empty
    // line between them, unless the first ends in a hard break (`<br>`: two spaces). Lines of
    // a pipe table flattened one row a line (pipes on two lines in a row) are never one row.
    let mut prev_content: Option<&str> = None;
    let mut k = from;
    loop {
        let l = lines.get(k).filter(|_| k - from < MAX_ROW_LINES)?;
        match block_line(l.text) {
            BlockLine::Empty => prev_content = None,
            BlockLine::RowEnd | BlockLine::Rule => break,
            BlockLine::Content => {
                if prev_content.is_some_and(|p| !p.ends_with("  ") || p.contains('|') && l.text.contains('|')) {
                    return None;
                }
                prev_content = Some(l.text);
            }
        }
        k += 1;
    }
    let mut cells: Vec<GridCell> = Vec::new();
    let mut cur: Option<GridCell> = None;
    let (mut pipes, mut content_lines, mut end_byte) = (0, 0, lines[from].start);
    let mut first_paras = Vec::new();
    let mut para_open = false;
    let mut k = from;
    while k < lines.len() && k - from < MAX_ROW_LINES {
        let l = &lines[k];
        match block_line(l.text) {
            BlockLine::Empty => para_open = false,
            BlockLine::RowEnd | BlockLine::Rule => {
                cells.push(cur.take().unwrap_or_else(|| empty_cell(&mut LinePos::new(text, k, l.start), l.start)));
                let hard_break = k > from && lines[k - 1].text.ends_with("  ");
                return Some(BlockRow { cells, pipes, first_paras, content_lines, hard_break, next: k + 1, end_byte });
            }
            BlockLine::Content => {
                content_lines += 1;
                let mut pos = LinePos::new(text, k, l.start);
                let mut a = 0;
                let bytes = l.text.as_bytes();
                for (j, _) in l.text.match_indices('|') {
                    if j > 0 && bytes[j - 1] == b'\\' || cells.len() >= MAX_COLS {
                        continue;
                    }
                    add_piece(
                        text,
                        &mut pos,
                        (l.start + a, l.start + j),
                        &mut cur,
                        &mut first_paras,
                        cells.is_empty(),
                        (k, &mut para_open),
                    );
                    cells.push(cur.take().unwrap_or_else(|| empty_cell(&mut pos, l.start + j)));
                    pipes += 1;
                    a = j + 1;
                }
                add_piece(
                    text,
                    &mut pos,
                    (l.start + a, l.start + l.text.len()),
                    &mut cur,
                    &mut first_paras,
                    cells.is_empty(),
                    (k, &mut para_open),
                );
                end_byte = l.start + l.text.len();
            }
        }
        k += 1;
    }
    None
}

/// Add the text of `range` (on line `k`) to the cell being read; note where the first cell's
/// paragraphs start.
fn add_piece(
    text: &str,
    pos: &mut LinePos,
    (a, b): (usize, usize),
    cur: &mut Option<GridCell>,
    first_paras: &mut Vec<usize>,
    first_cell: bool,
    (k, para_open): (usize, &mut bool),
) {
    let piece = cell(text, pos, a, b);
    if piece.text.is_empty() {
        return;
    }
    if first_cell && !*para_open {
        first_paras.push(k);
    }
    *para_open = true;
    match cur {
        Some(c) => join_piece(c, piece),
        None => *cur = Some(piece),
    }
}

fn empty_cell(pos: &mut LinePos, at: usize) -> GridCell {
    GridCell { text: Default::default(), src: pos.src(at, at), spanned: false }
}

/// Whether a paragraph reads like a heading of the report's outline (`三、收到和处理…`, a
/// Markdown `#` heading): a table written as `html2text` writes it ends before such a
/// paragraph, which the tool runs straight on after the table's last row.
fn outline_heading(t: &str) -> bool {
    let t = trimmed(t);
    if t.starts_with('#') {
        return true;
    }
    let numeral = t.chars().take_while(|c| "一二三四五六七八九十".contains(*c)).count();
    numeral > 0 && t.chars().nth(numeral).is_some_and(|c| matches!(c, '、' | '．' | '.')) && t.chars().count() <= 40
}

/// A table as Python's `html2text` writes one whose cells hold paragraphs: each paragraph on
/// its own line, `|` between cells (on a line of its own or at either end of a paragraph),
/// empty lines between paragraphs, and a line of spaces (or a `---|---` rule) after each row.
/// Cells keep their paragraphs joined; a row's blank cells stay blank. Starts at line `i`
/// when its first row's first cell is one paragraph there and the row ends in a hard break;
/// rows are read while they carry a
/// `|` (or are one paragraph followed by such a row), start right after the previous row's
/// end, and do not open with an outline heading followed by more paragraphs. A table none of
/// whose rows spans several lines is left to the pipe-table reader.
fn block_table(text: &str, lines: &[Line], i: usize) -> Result<(Vec<Vec<GridCell>>, usize, usize), usize> {
    let here = lines[i].text;
    let next_starts_with_pipe = || {
        lines[i + 1..]
            .iter()
            .find(|l| block_line(l.text) != BlockLine::Empty)
            .is_some_and(|l| trimmed(l.text).starts_with('|'))
    };
    if !(here.contains('|') || next_starts_with_pipe()) {
        return Err(i + 1);
    }
    let first = block_row(text, lines, i).filter(|r| r.content_lines > 0).ok_or(i + 1)?;
    // html2text ends every row with a hard break (two spaces); a Markdown table after a
    // paragraph has none, and stays for the pipe-table reader.
    // Nor is a Markdown table row (`| a | b |`) after a paragraph, even with two spaces after it.
    let last = trimmed(lines[first.next - 2].text);
    let markdown_row =
        first.content_lines > 1 && last.starts_with('|') && last.ends_with('|') && last.matches('|').count() >= 3;
    if first.pipes == 0 || first.first_paras.len() > 1 || !first.hard_break || markdown_row {
        return Err(i + 1);
    }
    let mut multi_line = first.content_lines > 1;
    let mut rows = vec![first.cells];
    let (mut at, mut end_byte) = (first.next, first.end_byte);
    loop {
        // Row ends and rules between rows.
        while lines.get(at).is_some_and(|l| matches!(block_line(l.text), BlockLine::RowEnd | BlockLine::Rule)) {
            at += 1;
        }
        if lines.get(at).is_none_or(|l| block_line(l.text) != BlockLine::Content) {
            break;
        }
        let Some(row) = block_row(text, lines, at) else { break };
        // Any paragraph of the first cell but its last that is a heading or a note (`注：`)
        // is the text after the table, run straight on.
        let paras = &row.first_paras[..row.first_paras.len().saturating_sub(1)];
        let heading = paras.iter().any(|&k| {
            let t = trimmed(lines[k].text);
            outline_heading(t) || t.starts_with("注：") || t.starts_with("注:")
        });
        if heading {
            break;
        }
        if row.pipes == 0 {
            // A one-cell row (a title row inside the table) only when a row with cells follows.
            let mut n = row.next;
            while lines.get(n).is_some_and(|l| matches!(block_line(l.text), BlockLine::RowEnd | BlockLine::Rule)) {
                n += 1;
            }
            let follows = lines.get(n).is_some_and(|l| block_line(l.text) == BlockLine::Content)
                && block_row(text, lines, n).is_some_and(|r| r.pipes > 0);
            if row.content_lines != 1 || !follows {
                break;
            }
        }
        multi_line |= row.content_lines > 1;
        rows.push(row.cells);
        end_byte = row.end_byte;
        at = row.next;
    }
    // Rows of one line each are the pipe-table reader's (newer html2text writes them so). No
    // table can start at a later row before `at` either: it would end there too, with rows of
    // one line (the caller does not look again, which kept this linear).
    if multi_line { Ok((rows, at, end_byte)) } else { Err(at) }
}

/// Whether the lines of one segment can be one wrapped row (see [`merge_wrapped`]).
fn mergeable(text: &str, seg: &[Vec<GridCell>], every_row_ruled: bool) -> bool {
    let width = seg[0].len();
    if seg.iter().any(|l| l.len() != width) {
        return false;
    }
    (0..width).all(|c| {
        let mut values = seg.iter().map(|l| &l[c]).filter(|g| starts_like_value(&g.text));
        let Some(mut prev) = values.next() else { return true };
        values.all(|next| {
            let ok = every_row_ruled && continues_figure(text, prev, next);
            prev = next;
            ok
        })
    })
}

/// Whether `next` carries on the figure `prev` (the piece on an earlier line of the same cell):
/// `prev` fills its cell from bar to bar, at most one space of padding each side, made only of
/// figure characters, and `next` starts where `prev` started. Two figures of two rows never
/// both do that in a cell wide enough for its header, and a right-aligned column starts its
/// shorter figures further right.
fn continues_figure(text: &str, prev: &GridCell, next: &GridCell) -> bool {
    let figure = |t: &str| {
        t.chars().any(|c| c.is_ascii_digit()) && t.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '-'))
    };
    let (lead_p, trail_p) = gaps(text, prev);
    let (lead_n, _) = gaps(text, next);
    figure(&prev.text) && lead_p <= 1 && trail_p <= 1 && lead_n == lead_p && !next.text.starts_with('-')
}

/// The spaces between a cell's text and the bars either side of it on its line (`usize::MAX`
/// each where a bar is not found right past the spaces).
fn gaps(text: &str, c: &GridCell) -> (usize, usize) {
    let bar = |ch: char| is_box_bar(ch) || ch == '|';
    let (s, e) = (c.src.start as usize, c.src.end as usize);
    let lead = text[..s].chars().rev().take_while(|&ch| matches!(ch, ' ' | '\t' | '\u{3000}')).count();
    let trail = text[e..].chars().take_while(|&ch| matches!(ch, ' ' | '\t' | '\u{3000}')).count();
    let bounded = text[..s].chars().rev().nth(lead).is_some_and(bar) && text[e..].chars().nth(trail).is_some_and(bar);
    if bounded { (lead, trail) } else { (usize::MAX, usize::MAX) }
}

/// A cell that starts like a figure (`12`, `１２`, `-3`, `—`): such pieces are never joined.
fn starts_like_value(t: &str) -> bool {
    t.chars().next().is_some_and(|c| c.is_ascii_digit() || ('０'..='９').contains(&c) || matches!(c, '-' | '—' | '－'))
}

#[cfg(test)]
mod tests {
    use proptest::strategy::Strategy;

    use super::*;

    fn grids(d: &Doc) -> Vec<&Grid> {
        d.blocks.iter().filter_map(|b| if let Block::Table(g) = b { Some(g) } else { None }).collect()
    }

    /// `lines` as first written, on `str::split_inclusive` (the oracle for the memchr one).
    fn lines_oracle(text: &str) -> Vec<&str> {
        text.split_inclusive('\n')
            .map(|seg| {
                let body = seg.strip_suffix('\n').unwrap_or(seg);
                body.strip_suffix('\r').unwrap_or(body)
            })
            .collect()
    }

    /// `flattened_separator` with the separators counted by `str::matches` (the oracle for
    /// the memchr/memmem counts).
    fn flattened_separator_oracle(t: &str) -> Option<char> {
        let inner = t.trim_matches(is_space);
        separator_from_counts(inner.matches('\t').count(), inner.matches('|').count(), inner.matches('｜').count())
    }

    proptest::proptest! {
        /// Tags, tables, pipes and rules in any order with ideographs: the text front end never
        /// panics, and blanking tags keeps every byte position and line.
        #[test]
        fn markup_and_pipes_anywhere_never_panic(
            t in proptest::collection::vec(proptest::sample::select(vec![
                "<", ">", "<table>", "</table>", "<tr><td>", "<span style=\"字\">", "</span>", "<!--", "-->",
                "|", "---", "  ", "\n", "表", "1", "一、总体情况", "\t", "\u{3000}", "\\|",
                "[", "]", "]{style=\"a\"}", "{", "}", ":::", "](",
            ]), 0..40).prop_map(|v| v.concat())
        ) {
            if let Some(b) = blank_tags(&t) {
                proptest::prop_assert_eq!(b.len(), t.len());
                proptest::prop_assert_eq!(b.matches('\n').count(), t.matches('\n').count());
            }
            let _ = text_to_doc(&t);
        }

        /// The separator counts agree with plain substring counts.
        #[test]
        fn one_pass_separator_count_agrees_with_searches(
            t in proptest::collection::vec(proptest::sample::select(vec![
                '\t', '|', '｜', ' ', '\u{3000}', '一', '，', '０', 'a', '5', '\u{FF5D}', '\u{FF3C}',
            ]), 0..12).prop_map(|v| v.into_iter().collect::<String>())
        ) {
            proptest::prop_assert_eq!(flattened_separator(&t), flattened_separator_oracle(&t));
        }

        /// The byte-level trims agree with `trim_matches(is_space)` on any text, and `lines`
        /// with its `split_inclusive` oracle (ARCHITECTURE.md invariant 14).
        #[test]
        fn byte_trims_and_lines_agree_with_char_oracles(
            t in proptest::collection::vec(proptest::prop_oneof![
                proptest::char::range(' ', '~'),
                proptest::sample::select(vec![
                    '\t', '\n', '\r', '\u{0B}', '\u{1C}', '\u{85}', '\u{A0}', '\u{1680}', '\u{2000}',
                    '\u{200A}', '\u{200B}', '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}', '\u{2060}', '\u{3000}',
                    '\u{FEFF}', '\u{FF5C}', '\u{FFBF}', '\u{C5}', '一', '说', '—', '“', 'é', '。', '）', '、', '\u{1A80}',
                ]),
            ], 0..40).prop_map(|v| v.into_iter().collect::<String>())
        ) {
            let trimmed = t.trim_matches(is_space);
            let (s, e) = trim_range(&t, 0, t.len());
            proptest::prop_assert_eq!(&t[s..e], trimmed);
            if trimmed.is_empty() {
                proptest::prop_assert_eq!(s, 0, "a blank range is empty at its start");
            }
            // Any sub-range, as cells are trimmed inside a line.
            let bounds: Vec<usize> = (0..=t.len()).filter(|i| t.is_char_boundary(*i)).collect();
            for (k, &a) in bounds.iter().enumerate() {
                for &z in &bounds[k..] {
                    let (s, e) = trim_range(&t, a, z);
                    proptest::prop_assert_eq!(&t[s..e], t[a..z].trim_matches(is_space));
                    proptest::prop_assert!(s != e || s == a);
                }
            }
            let ours: Vec<&str> = lines(&t).iter().map(|l| l.text).collect();
            proptest::prop_assert_eq!(ours, lines_oracle(&t));
        }
    }

    #[test]
    fn cell_per_line_rows_keep_blank_cells() {
        let t = "三、标题\n\t一、本年新收\n\t \n\t\n\t0\n\n\t二、上年结转\n\t1\n\t2\n\t3\n正文\n";
        let d = text_to_doc(t).doc;
        let g = grids(&d);
        assert_eq!(g.len(), 1);
        let texts: Vec<Vec<&str>> = g[0].rows.iter().map(|r| r.iter().map(|c| c.text.as_str()).collect()).collect();
        assert_eq!(texts, vec![vec!["一、本年新收", "", "", "0"], vec!["二、上年结转", "1", "2", "3"]]);
        let c = &g[0].rows[0][3];
        assert_eq!(&t[c.src.start as usize..c.src.end as usize], "0");
        assert_eq!(c.src.line, 5);
        assert_eq!(c.src.grid, Some(GridPos { table: 1, row: 1, col: 4 }));
    }

    #[test]
    fn markup_left_in_cells_reads_as_html_would() {
        assert_eq!(without_markup("&nbsp;&nbsp;一、本年新收<br>申请数量&nbsp;"), "一、本年新收 申请数量");
        assert_eq!(without_markup("规&nbsp;&nbsp;章"), "规  章");
        assert_eq!(without_markup("<span style=\"x\">12</span>"), "12");
        assert_eq!(without_markup("<5 A&B"), "<5 A&B");
        let d = text_to_doc("| 行政许可 | &nbsp;97 |\n|---|---|\n| 规&nbsp;章 | 1<br/> |\n");
        let cells: Vec<&str> = grids(&d.doc)[0].rows.iter().flatten().map(|c| c.text.as_str()).collect();
        assert_eq!(cells, ["行政许可", "97", "规 章", "1"]);
    }

    #[test]
    fn markdown_table_skips_separators_and_outer_pipes() {
        let t = "| 项目 | 数量 |\n|---|---|\n| 规章 | 22 |  |\n";
        let d = text_to_doc(t).doc;
        let g = grids(&d);
        assert_eq!(g[0].rows.len(), 2);
        assert_eq!(g[0].rows[1].iter().map(|c| c.text.as_str()).collect::<Vec<_>>(), vec!["规章", "22", ""]);
    }

    #[test]
    fn headings_lose_markdown_marks_but_stay_verbatim() {
        let t = "## 三、收到和处理政府信息公开申请情况\n";
        let d = text_to_doc(t).doc;
        let Block::Para(p) = &d.blocks[0] else { panic!("para expected") };
        assert_eq!(p.text, "三、收到和处理政府信息公开申请情况");
        assert_eq!(&t[p.src.start as usize..p.src.end as usize], p.text);
    }

    fn texts(g: &Grid) -> Vec<Vec<&str>> {
        g.rows.iter().map(|r| r.iter().map(|c| c.text.as_str()).collect()).collect()
    }

    #[test]
    fn a_box_table_with_wrapped_cells_is_one_row_per_rule() {
        let t = "前言\n┌────────┬──┐\n│（二）部│7 │\n│分公开  │  │\n├────────┼──┤\n│规章    │3 │\n├────────┼──┤\n│行政许可│15│\n└────────┴──┘\n后记\n";
        let d = text_to_doc(t).doc;
        let g = grids(&d);
        assert_eq!(g.len(), 1);
        assert_eq!(texts(g[0]), vec![vec!["（二）部分公开", "7"], vec!["规章", "3"], vec!["行政许可", "15"]]);
        // The joined cell spans from its first piece to its last.
        let c = &g[0].rows[0][0];
        assert_eq!(&t[c.src.start as usize..c.src.start as usize + "（二）部".len()], "（二）部");
        assert!(t[..c.src.end as usize].ends_with("分公开"));
        assert!(matches!(&d.blocks[0], Block::Para(p) if p.text == "前言"));
        assert!(matches!(d.blocks.last(), Some(Block::Para(p)) if p.text == "后记"));
    }

    #[test]
    fn figures_on_two_lines_between_rules_stay_two_rows() {
        // Rules under the header and above the total only: the body's rows are rows.
        let t = "+------+---+\n| 项目 | 数 |\n+------+---+\n| 规章 | 1 |\n| 许可 | 2 |\n+------+---+\n| 合计 | 3 |\n+------+---+\n";
        let g = text_to_doc(t).doc;
        assert_eq!(
            texts(grids(&g)[0]),
            vec![vec!["项目", "数"], vec!["规章", "1"], vec!["许可", "2"], vec!["合计", "3"]]
        );
    }

    #[test]
    fn a_figure_cut_at_its_cells_edge_is_one_figure() {
        // Every row ruled; the amount fills its cell and goes on below, where it started.
        let rows = ["│项目    │数量    │金额    │", "│规章    │1       │2       │", "│许可    │2       │3       │"];
        let rule = "├────────┼────────┼────────┤";
        let t = format!(
            "{}\n{rule}\n{}\n{rule}\n{}\n{rule}\n│政府集中│18      │477681.2│\n│采购    │        │8       │\n{rule}\n│合计    │21      │5       │\n",
            rows[0], rows[1], rows[2]
        );
        let g = text_to_doc(&t).doc;
        assert_eq!(texts(grids(&g)[0])[3], vec!["政府集中采购", "18", "477681.28"]);
        // Right-aligned: the shorter figure starts further right, so two rows.
        let t = t.replace("│477681.2│", "│  477681│").replace("│8       │", "│       8│");
        let g = text_to_doc(&t).doc;
        assert_eq!(texts(grids(&g)[0]).len(), 6);
        // A figure that does not fill its cell is never continued.
        let t = t.replace("│  477681│", "│4776    │").replace("│       8│", "│8       │");
        assert_eq!(texts(grids(&text_to_doc(&t).doc)[0]).len(), 6);
    }

    #[test]
    fn cells_holding_paragraphs_as_html2text_writes_them() {
        // Corpus style: every cell a paragraph, `|` alone between cells, blank cells kept, a
        // line of spaces after each row, a rule after the first; a two-paragraph cell; the
        // heading straight after the last row ends the table.
        let t = "前言\n\n（本列）\n\n|\n\n申请人情况  \n  \n---|---  \n  \n商业\n\n企业\n\n|\n\n|\n\n总计  \n  \n\
                 一、本年新收\n\n|\n\n26\n\n|\n\n|\n\n26  \n  \n三、收到和处理\n\n（本列）\n\n|\n\n申请  \n  \n";
        let d = text_to_doc(t).doc;
        let g = grids(&d);
        assert_eq!(g.len(), 2, "{:?}", d.blocks);
        assert_eq!(
            texts(g[0]),
            vec![vec!["（本列）", "申请人情况"], vec!["商业企业", "", "总计"], vec!["一、本年新收", "26", "", "26"]]
        );
        let paras: Vec<_> =
            d.blocks.iter().filter_map(|b| if let Block::Para(p) = b { Some(p.text.as_str()) } else { None }).collect();
        assert_eq!(paras, vec!["前言", "三、收到和处理"]);
        // The joined cell spans its paragraphs; a blank cell sits at its `|`.
        let c = &g[0].rows[1][0];
        assert_eq!((&t[c.src.start as usize..c.src.start as usize + 6], c.src.line), ("商业", 11));
        assert!(t[..c.src.end as usize].ends_with("企业"));
        assert!(g[0].rows[1][1].text.is_empty());
        // Inline cells and block cells in one table (t1 style), and an empty line after it.
        let t = "三、本年度办理结果| （一）予以公开| 26| | 26  \n---|---|---|---|---  \n \n（二）部分\n\n公开\n\n| 0| |\n\n0  \n \n\n后记\n\n规章| 1  \n---|---  \n \n";
        let d = text_to_doc(t).doc;
        let g = grids(&d);
        assert_eq!(
            texts(g[0]),
            vec![vec!["三、本年度办理结果", "（一）予以公开", "26", "", "26"], vec!["（二）部分公开", "0", "", "0"]]
        );
        // A table whose rows are one line each is the pipe-table reader's, not this one's.
        assert_eq!(g.len(), 1);
        assert!(d.blocks.iter().any(|b| matches!(b, Block::Para(p) if p.text == "后记")));
        assert!(d.blocks.iter().any(|b| matches!(b, Block::Para(p) if p.text == "规章| 1")));
    }

    #[test]
    fn merged_cells_written_into_every_column_are_kept_once() {
        // python-docx: a header whose last cell spans three columns, then its row.
        let t = "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t0\t0\t0\n\
                 信息内容\t本年处理决定数量\t本年处理决定数量\t本年处理决定数量\n行政许可\t5\t5\t5\n行政处罚\t1\t2\t3\n";
        let g = text_to_doc(t).doc;
        assert_eq!(
            texts(grids(&g)[0]),
            vec![
                vec!["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                vec!["规章", "0", "0", "0"],
                vec!["信息内容", "本年处理决定数量"],
                vec!["行政许可", "5"],
                // Not the same in the run: not a merged cell, left as printed.
                vec!["行政处罚", "1", "2", "3"],
            ]
        );
        // A row of placeholders is data, not a heading naming merged cells.
        let t = "信息内容\t本年制发件数\t本年废止件数\t现行有效件数\n规章\t—\t—\t—\n行政规范性文件\t0\t0\t0\n";
        let g = text_to_doc(t).doc;
        assert_eq!(texts(grids(&g)[0])[2], vec!["行政规范性文件", "0", "0", "0"]);
        // pandas: the column numbers and the index go; without both, nothing is dropped.
        let t = "|    | 0 | 1 |\n|---:|:---|:---|\n| 0 | 规章 | 3 |\n| 1 | 许可 | 4 |\n";
        assert_eq!(texts(grids(&text_to_doc(t).doc)[0]), vec![vec!["规章", "3"], vec!["许可", "4"]]);
        let t = "| 序号 | 项目 |\n|---|---|\n| 0 | 规章 |\n| 1 | 许可 |\n";
        assert_eq!(texts(grids(&text_to_doc(t).doc)[0]).len(), 3);
    }

    #[test]
    fn a_note_run_on_after_an_html2text_table_ends_it() {
        let t = "规章\n\n|\n\n1  \n  \n许可\n\n|\n\n2  \n  \n注：单位为件。\n\n三、收到和处理\n\n（本列）\n\n|\n\n申请  \n  \n自然人\n\n|\n\n3  \n  \n";
        let d = text_to_doc(t).doc;
        let g = grids(&d);
        assert_eq!(texts(g[0]), vec![vec!["规章", "1"], vec!["许可", "2"]]);
        assert_eq!(texts(g[1]), vec![vec!["（本列）", "申请"], vec!["自然人", "3"]]);
        let paras: Vec<_> =
            d.blocks.iter().filter_map(|b| if let Block::Para(p) = b { Some(p.text.as_str()) } else { None }).collect();
        assert_eq!(paras, vec!["注：单位为件。", "三、收到和处理"]);
    }

    #[test]
    fn pipe_rows_one_a_line_and_markdown_tables_are_not_html2text() {
        // A Markdown table after a paragraph (no hard break after its header).
        let t = "说明\n\n| a | b |\n|---|---|\n| 规章 | 1 |\n";
        let d = text_to_doc(t).doc;
        assert_eq!(texts(grids(&d)[0]), vec![vec!["a", "b"], vec!["规章", "1"]]);
        // Rows flattened one a line, then a line of spaces: never one row.
        let t = "规章|1|2  \n许可|3|4  \n  \n";
        let d = text_to_doc(t).doc;
        assert_eq!(texts(grids(&d)[0]), vec![vec!["规章", "1", "2"], vec!["许可", "3", "4"]]);
    }

    #[test]
    fn a_lone_angle_bracket_before_ideographs_is_not_a_table() {
        for t in ["<表格表格", "x\n<表>\n", "<t表", "<tabl", "<table", "  <table表格"] {
            let _ = blank_tags(t);
            let _ = text_to_doc(t);
        }
    }

    #[test]
    fn reviewed_cases_of_the_html2text_and_figure_readers() {
        // A blank cell printed as an ideographic space is a paragraph, not a row end.
        let t = "前言\n\n规章\n\n|\n\n\u{3000}\n\n|\n\n5  \n  \n许可\n\n|\n\n1\n\n|\n\n2  \n  \n";
        assert_eq!(texts(grids(&text_to_doc(t).doc)[0]), vec![vec!["规章", "", "5"], vec!["许可", "1", "2"]]);
        // A Markdown header row with two spaces after it, after a paragraph: a Markdown table.
        let t = "说明\n\n| 项目 | 数量 |  \n|---|---|\n| 规章 | 1 |\n";
        let d = text_to_doc(t).doc;
        assert_eq!(texts(grids(&d)[0]), vec![vec!["项目", "数量"], vec!["规章", "1"]]);
        assert!(matches!(&d.blocks[0], Block::Para(p) if p.text == "说明"));
        // A placeholder `-` filling its cell is not a figure cut at the edge.
        let r = "├──┼──┤";
        let t = format!("│项│数│\n{r}\n│甲│1 │\n{r}\n│乙│2 │\n{r}\n│丙│- │\n│丁│1 │\n{r}\n│计│3 │\n");
        assert_eq!(texts(grids(&text_to_doc(&t).doc)[0]).len(), 6);
        // Not tags: comparisons in cells, autolinks.
        assert_eq!(blank_tags("| x<y | 1 |\n| y>z | 2 |\n"), None);
        assert_eq!(blank_tags("见 <http://www.gov.cn> 。"), None);
        assert!(blank_tags("<o:p></o:p>x<br/>").is_some());
    }

    #[test]
    fn hostile_shapes_stay_linear() {
        let started = std::time::Instant::now();
        let _ = text_to_doc(&"a|b  \n  \n".repeat(20_000));
        let _ = text_to_doc(&format!("a\n\n{}  \n  \n", "|".repeat(200_000)));
        let _ = text_to_doc(&"<".repeat(1_000_000));
        let _ = text_to_doc(&"<!--\n".repeat(100_000));
        let _ = text_to_doc(&"a<b\n".repeat(100_000));
        let _ = text_to_doc(&"[]{".repeat(300_000));
        // Each is linear (a few hundred milliseconds in a debug build); quadratic would be minutes.
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "{:?}", started.elapsed());
    }

    #[test]
    fn pandoc_spans_and_fences_are_blanked_in_place() {
        let t =
            "::: {style=\"a\"}\n  [规章]{style=\"x\"}[]{style=\"x\"}   [12]{.c}\n:::\n见[条例](http://x)与[注]{#n}。\n";
        let b = blank_tags(t).expect("spans");
        assert_eq!(b.len(), t.len());
        let lines: Vec<&str> = b.lines().collect();
        assert!(lines[0].trim().is_empty() && lines[2].trim().is_empty());
        assert_eq!(lines[1].split_whitespace().collect::<Vec<_>>(), vec!["规章", "12"]);
        // A link stays; a span's text stays where it was.
        assert!(lines[3].starts_with("见[条例](http://x)与"));
        assert_eq!(lines[3].split_whitespace().collect::<String>(), "见[条例](http://x)与注。");
        assert_eq!(&b[t.find("规章").unwrap()..t.find("规章").unwrap() + 6], "规章");
        assert_eq!(blank_tags("数组[1]{2}与[a](b)"), None);
    }

    #[test]
    fn tags_left_in_markdown_are_blanked_in_place() {
        let t = "<div>\n\n<span style=\"font-family: 微软雅黑;\">三、收到和处理</span><span\nstyle=\"x\"></span>\n\n| <span>规章</span> | <span>0</span> |\n|---|---|\n<table><tr><td>许可</td><td>5</td></tr></table>\n</div>\n";
        let b = blank_tags(t).expect("tags");
        assert_eq!(b.len(), t.len());
        assert_eq!(b.matches('\n').count(), t.matches('\n').count());
        // The table is left for the HTML reader; `<5` and `a < b` are not tags.
        assert!(b.contains("<table><tr><td>许可</td><td>5</td></tr></table>"));
        assert_eq!(blank_tags("x <5 and a < b"), None);
        let d = text_to_doc(t).doc;
        let g = grids(&d);
        assert_eq!(texts(g[0]), vec![vec!["规章", "0"]]);
        assert_eq!(texts(g[1]), vec![vec!["许可", "5"]]);
        let c = &g[0].rows[0][1];
        assert_eq!(&t[c.src.start as usize..c.src.end as usize], "0");
        assert!(matches!(&d.blocks[0], Block::Para(p) if p.text.contains("三、收到和处理")));
    }

    #[test]
    fn a_markdown_table_with_one_rule_is_not_merged() {
        let t = "| a | b |\n|---|---|\n| 规章 | |\n| 许可 | |\n";
        let g = text_to_doc(t).doc;
        assert_eq!(texts(grids(&g)[0]), vec![vec!["a", "b"], vec!["规章", ""], vec!["许可", ""]]);
    }

    #[test]
    fn rule_lines_alone_are_prose_and_rules_need_a_stroke() {
        assert!(
            is_rule_line("+----+----+")
                && is_rule_line("├──┼──┤")
                && is_rule_line("│   ├──┤")
                && is_rule_line("|---|:--|")
        );
        assert!(!is_rule_line("│ │") && !is_rule_line("+ +") && !is_rule_line("-1") && !is_rule_line("——"));
        let d = text_to_doc("第一段\n-----\n第二段\n").doc;
        assert!(grids(&d).is_empty());
        assert_eq!(d.blocks.len(), 3);
    }

    #[test]
    fn an_html_table_in_the_text_is_read_with_positions_in_the_text() {
        let t =
            "## 二、主动公开\n\n<table border=\"1\">\n<tr><td>规章</td><td>12</td></tr>\n</table> \n\n## 三、收到\n";
        let d = text_to_doc(t).doc;
        let g = grids(&d);
        assert_eq!(g.len(), 1);
        assert_eq!(texts(g[0]), vec![vec!["规章", "12"]]);
        let c = &g[0].rows[0][1];
        // As the HTML front end places a cell: the `<td>` element holding it.
        assert_eq!(&t[c.src.start as usize..c.src.end as usize], "<td>12</td>");
        assert_eq!(c.src.line, 4);
        assert_eq!(c.src.grid.map(|p| p.table), Some(1));
        let paras: Vec<_> =
            d.blocks.iter().filter_map(|b| if let Block::Para(p) = b { Some(p.text.as_str()) } else { None }).collect();
        assert_eq!(paras, vec!["二、主动公开", "三、收到"]);
        // Never closed: read to the end, no panic.
        let open = "<table><tr><td>规章</td><td>1</td>";
        assert_eq!(grids(&text_to_doc(open).doc).len(), 1);
    }

    #[test]
    fn a_merged_cells_text_on_a_rule_goes_to_the_next_row() {
        // As `w3m -dump` draws table 三's （六） group: its label over the rule between rows.
        let t = "┌────┬──────┬──┐\n│    │1.逾期│0 │\n│    ├──────┼──┤\n│（六│2.未缴│0 │\n│）其他├──────┼──┤\n│处理│3.其他│0 │\n└────┴──────┴──┘\n";
        let g = text_to_doc(t).doc;
        assert_eq!(
            texts(grids(&g)[0]),
            vec![vec!["", "1.逾期", "0"], vec!["（六", "2.未缴", "0"], vec!["）其他处理", "3.其他", "0"]]
        );
        assert!(is_partial_rule("│）其他├──┼──┤") && !is_partial_rule("│ 规章 │ 3 │"));
        assert!(is_partial_rule("| ）其他 +----+--+") && !is_partial_rule("| 3+1 | 4 |"));
        let ascii = t.replace(['┌', '┬', '┐', '├', '┼', '┤', '└', '┴', '┘'], "+").replace('─', "-").replace('│', "|");
        assert_eq!(texts(grids(&text_to_doc(&ascii).doc)[0]), texts(grids(&g)[0]));
    }
}
