//! The flattened text a DOCX or XLSX document is shown as. The parser's provenance (`Src`)
//! points into a text; a container format has none, so the readers write one: every
//! paragraph is a line, every table row is a line of its cells separated by TABs. A finding
//! then names line N (the N-th paragraph or table row in reading order) and, for table
//! cells, `Src::grid` names the table, row and column (for XLSX: the sheet and the cell's
//! own row and column, i.e. its A1 reference).

use gongkai_model::doc::{Block, Grid, GridCell};
use gongkai_model::normalize::is_cjk;
use gongkai_model::{GridPos, Para, Src};

/// Largest number of grid rows and columns kept per table (same bounds as the HTML front
/// end, ARCHITECTURE invariant 2).
pub const MAX_ROWS: usize = 2_000;
pub const MAX_COLS: usize = 200;
/// Most bytes of text one document may expand to: paragraphs, cells and the copies merged
/// cells make (a short cell merged over thousands of positions, or a long shared string
/// referenced by every cell, must not multiply into gigabytes).
pub const MAX_TEXT: usize = 64 * 1024 * 1024;

#[derive(Debug, Default)]
pub struct Flat {
    pub text: String,
    pub blocks: Vec<Block>,
    line: u32,
    tables: u16,
    spent: usize,
}

/// One cell of a row about to be written: its text, its position in the source grid, and
/// for a copy produced by a merge, the position of the cell it copies.
#[derive(Debug, Clone)]
pub struct RowCell {
    pub text: String,
    pub row: u16,
    pub col: u16,
    pub origin: Option<(u16, u16)>,
}

impl Flat {
    /// Bytes of text held so far (flattened text plus cell copies); compare with [`MAX_TEXT`].
    pub fn spent(&self) -> usize {
        self.spent
    }

    fn line_src(&self, start: usize) -> Src {
        Src { start: start as u32, end: self.text.len() as u32, line: self.line, col: 1, grid: None }
    }

    /// A prose line. Empty (whitespace-only) paragraphs are dropped.
    pub fn para(&mut self, text: &str) {
        let t = text.trim_matches(|c: char| c.is_whitespace());
        if t.is_empty() {
            return;
        }
        let clean: String = t.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }).collect();
        self.line += 1;
        self.spent += 2 * clean.len();
        let start = self.text.len();
        self.text.push_str(&clean);
        let src = self.line_src(start);
        self.text.push('\n');
        self.blocks.push(Block::Para(Para { text: clean, src, verbatim: true }));
    }

    /// Number the next table (1-based), for `GridPos::table`.
    pub fn next_table(&mut self) -> u16 {
        self.tables = self.tables.saturating_add(1);
        self.tables
    }

    /// A table: rows of cells, spans already expanded. A spanned copy keeps the text of its
    /// origin and points at the origin's bytes; its `grid` position is its own.
    pub fn table(&mut self, table: u16, rows: Vec<Vec<RowCell>>) {
        if rows.is_empty() {
            return;
        }
        let table_start = self.text.len();
        let first_line = self.line + 1;
        let mut out_rows: Vec<Vec<GridCell>> = Vec::with_capacity(rows.len());
        // Origin of each (row, col) written so far, so copies can point at it.
        let mut origin: std::collections::HashMap<(u16, u16), Src> = std::collections::HashMap::new();
        for row in rows {
            self.line += 1;
            let line_start = self.text.len();
            let mut chars = 0u32;
            let mut cells = Vec::with_capacity(row.len());
            let mut first = true;
            for c in row {
                let text = tidy(&c.text);
                self.spent += text.len();
                let pos = Some(GridPos { table, row: c.row, col: c.col });
                if let Some(o) = c.origin {
                    let mut src = origin.get(&o).copied().unwrap_or(Src {
                        start: line_start as u32,
                        end: line_start as u32,
                        line: self.line,
                        col: 1,
                        grid: None,
                    });
                    src.grid = pos;
                    cells.push(GridCell { text: text.into(), src, spanned: true });
                    continue;
                }
                if !first {
                    self.text.push('\t');
                    chars += 1;
                }
                first = false;
                let start = self.text.len();
                self.text.push_str(&text);
                let src = Src {
                    start: start as u32,
                    end: self.text.len() as u32,
                    line: self.line,
                    col: chars + 1,
                    grid: pos,
                };
                chars += text.chars().count() as u32;
                origin.insert((c.row, c.col), src);
                cells.push(GridCell { text: text.into(), src, spanned: false });
            }
            self.text.push('\n');
            out_rows.push(cells);
        }
        let src = Src {
            start: table_start as u32,
            end: self.text.len().saturating_sub(1).max(table_start) as u32,
            line: first_line,
            col: 1,
            grid: None,
        };
        self.blocks.push(Block::Table(Grid { index: table, src, rows: out_rows }));
    }
}

/// Collapse whitespace runs to one space and trim, as the HTML front end does for cells: a
/// break between two CJK characters ("商业<br>企业") disappears.
pub fn tidy(s: &str) -> String {
    let wide = |c: char| is_cjk(c) || ('\u{3000}'..='\u{303F}').contains(&c) || ('\u{FF00}'..='\u{FFEF}').contains(&c);
    let mut o = String::with_capacity(s.len());
    let mut pending = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending = !o.is_empty();
            continue;
        }
        if pending {
            if !(o.chars().next_back().is_some_and(wide) && wide(c)) {
                o.push(' ');
            }
            pending = false;
        }
        o.push(c);
    }
    o
}

/// Column letters of a 1-based column number (1 → A, 27 → AA).
pub fn col_letters(mut c: u32) -> String {
    let mut s = Vec::new();
    while c > 0 {
        let r = (c - 1) % 26;
        s.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// The A1 reference of a 1-based row and column.
pub fn a1(row: u32, col: u32) -> String {
    format!("{}{row}", col_letters(col))
}
