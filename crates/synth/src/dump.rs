//! A report as text browsers and document converters write it out: the Markdown rendering's
//! tables (`gongkai_render::markdown`) redrawn the ways `w3m -dump`, `lynx -dump`, pandoc and
//! office converters draw them, with the prose around them unchanged. Each variation is a
//! switch, so a test can name the one a parser misreads:
//!
//! - [`Dump::style`]: box-drawing borders (`│ ─ ┼ ┌ ┐`, as `w3m -dump` draws a bordered table),
//!   heavy or double outer borders, ASCII grid borders (`+----+`, `|`, as pandoc's grid tables),
//!   each table as an HTML `<table>` left inside the Markdown (as converters write a table
//!   with merged cells), or each cell on a line of its own (a scraper's text);
//! - [`Dump::wrap`]: cells wider than this many columns wrapped onto several lines inside the
//!   cell (a text browser's narrow column), rows then several lines high between their rules;
//! - [`Dump::middle`]: short cells of a tall row on its middle line, not its first (a text
//!   browser centres them vertically), and a label that spans rows (table 三's `（三）不予公开`)
//!   on the middle row of its span;
//! - [`Dump::open_spans`]: no rule drawn under a cell that spans rows into the next row
//!   (`│      ├──────┼──┤`), as a text browser draws a merged cell.
//!
//! The values never change, so the truth is the report the Markdown was written from.

use crate::Rng;

/// How a table's borders are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    /// `│` between cells, `─┼├┤┌┐└┘┬┴` rules: a bordered table in `w3m -dump`.
    #[default]
    Box,
    /// As [`Style::Box`] with a heavy outer frame (`┃ ━ ┏ ┓ ┗ ┛`) and light inner lines.
    HeavyFrame,
    /// `║ ═ ╔ ╗ ╚ ╝ ╬` double lines everywhere.
    Double,
    /// `|` between cells and `+-----+` rules: pandoc's grid tables, `lynx -dump` of some pages.
    Ascii,
    /// The table as an HTML `<table>` (one `<td>` per Markdown cell, or the HTML renderer's own
    /// table with its merged cells) in the middle of the Markdown.
    Html,
    /// No borders and no separators: every non-empty cell on a line of its own, rows
    /// sometimes parted by an empty line, as a scraper's `get_text("\n")` or a PDF viewer's
    /// copy writes a table.
    CellLines,
    /// As Python's `html2text` writes the page's table (merged cells dropped, one entry per
    /// `<td>`): a cell holding paragraphs on lines of their own with `|` on a line between
    /// cells, or a plain cell inline (`a| b| c`); some cells in two paragraphs; a line of
    /// spaces after each row, a `---|---` rule after the first; the text after the table
    /// sometimes straight after its last row. Or as its 2025 release writes it: one line a
    /// row, `a |  b`, no line between rows.
    Html2Text,
    /// As pandoc's GitHub Markdown keeps a page's inline markup: every cell and paragraph in
    /// `<span style="…">…</span><span style="…"></span>`, tags broken over two lines, `<div>`
    /// around each table, and sometimes an empty header row above the table's rows.
    GfmSpans,
    /// As pandoc's own Markdown (`pandoc page.html -o page.md`) keeps the same markup: bracketed
    /// spans `[text]{style="…"}[]{style="…"}` in cells and paragraphs, `::: {style="…"}` fences
    /// around each table, and sometimes an empty header row.
    PandocSpans,
    /// As LibreOffice's text export (`soffice --convert-to txt`) writes a Word table: every
    /// cell on a line of its own in row order, a blank cell as an empty line, a cell merged
    /// across columns once, a cell merged down as an empty line in each row below; nothing
    /// between rows. Or as Python's docx2txt writes it: the same with an empty line after
    /// every cell. Written from the page's own tables.
    OfficeText,
    /// As a page's tables come out of pandas (`read_html` then `to_markdown`: every merged cell
    /// written into each cell it covers, a header row of column numbers and an index column)
    /// or python-docx (`row.cells` joined by TABs: merged cells repeated the same way).
    Repeated,
}

/// Which redrawing to apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dump {
    pub style: Style,
    /// Wrap cells wider than this many display columns (a CJK character is two).
    pub wrap: Option<usize>,
    pub middle: bool,
    pub open_spans: bool,
}

/// Display width: two columns for a character outside ASCII, as a terminal draws CJK.
fn width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
    out
}

/// `s` cut into lines of at most `w` display columns (at least one character a line).
fn wrap(s: &str, w: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for c in s.chars() {
        let cw = if c.is_ascii() { 1 } else { 2 };
        let cur = lines.last_mut().expect("one line");
        if !cur.is_empty() && width(cur) + cw > w {
            lines.push(c.to_string());
        } else {
            cur.push(c);
        }
    }
    lines
}

/// The cells of a Markdown table row (`| a | b |`).
fn md_cells(line: &str) -> Vec<String> {
    let t = line.trim();
    let inner = t.strip_prefix('|').unwrap_or(t);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    inner.split('|').map(|c| c.trim().to_string()).collect()
}

fn is_md_rule(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('|') && t.contains('-') && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// The box characters of a style: (vertical inner, vertical outer, horizontal inner,
/// horizontal outer, corners top-left/top-right/bottom-left/bottom-right, tees
/// top/bottom/left/right and cross for inner rules, tees for outer rules).
struct Chars {
    v: char,
    v_out: char,
    h: char,
    h_out: char,
    corners: [char; 4],
    /// ┬ ┴ ├ ┤ ┼ (inner junctions).
    tees: [char; 5],
}

fn chars(style: Style) -> Chars {
    match style {
        Style::Box
        | Style::Html
        | Style::CellLines
        | Style::Html2Text
        | Style::GfmSpans
        | Style::PandocSpans
        | Style::OfficeText
        | Style::Repeated => Chars {
            v: '│',
            v_out: '│',
            h: '─',
            h_out: '─',
            corners: ['┌', '┐', '└', '┘'],
            tees: ['┬', '┴', '├', '┤', '┼'],
        },
        Style::HeavyFrame => Chars {
            v: '│',
            v_out: '┃',
            h: '─',
            h_out: '━',
            corners: ['┏', '┓', '┗', '┛'],
            tees: ['┯', '┷', '┠', '┨', '┼'],
        },
        Style::Double => Chars {
            v: '║',
            v_out: '║',
            h: '═',
            h_out: '═',
            corners: ['╔', '╗', '╚', '╝'],
            tees: ['╦', '╩', '╠', '╣', '╬'],
        },
        Style::Ascii => Chars { v: '|', v_out: '|', h: '-', h_out: '-', corners: ['+'; 4], tees: ['+'; 5] },
    }
}

/// One table drawn with borders. `rows` are the Markdown cells, padded to one width.
fn draw(rows: &[Vec<String>], d: Dump, rng: &mut Rng) -> Vec<String> {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let label_cols = rows
        .iter()
        .filter_map(|r| r.iter().position(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_digit() || c == '.')))
        .min()
        .unwrap_or(n);
    let mut cells: Vec<Vec<String>> =
        rows.iter().map(|r| (0..n).map(|j| r.get(j).cloned().unwrap_or_default()).collect()).collect();
    // A label spanning rows: the rows below it with that cell empty, in a label column, while
    // the row carries values. With `middle`, its text moves to the span's middle row.
    let mut spans_below = vec![vec![false; n]; cells.len()];
    for j in 0..label_cols.min(n) {
        let mut i = 0;
        while i < cells.len() {
            if cells[i][j].is_empty() || j + 1 >= n {
                i += 1;
                continue;
            }
            let mut k = i + 1;
            while k < cells.len()
                && cells[k][j].is_empty()
                && cells[k][..j].iter().all(String::is_empty)
                && !cells[k][j + 1..].iter().all(String::is_empty)
            {
                k += 1;
            }
            if k - i > 1 {
                for s in spans_below.iter_mut().take(k - 1).skip(i) {
                    s[j] = true;
                }
                if d.middle {
                    let m = i + (k - i) / 2;
                    let text = std::mem::take(&mut cells[i][j]);
                    cells[m][j] = text;
                }
            }
            i = k;
        }
    }
    let mut wrapped: Vec<Vec<Vec<String>>> = cells
        .iter()
        .map(|r| {
            r.iter().map(|c| d.wrap.filter(|_| !c.is_empty()).map_or_else(|| vec![c.clone()], |w| wrap(c, w))).collect()
        })
        .collect();
    let widths: Vec<usize> =
        (0..n).map(|j| wrapped.iter().flat_map(|r| r[j].iter().map(|l| width(l))).max().unwrap_or(0).max(1)).collect();
    let ch = chars(d.style);
    // A text browser draws a merged cell's lines over the whole span, the rules between its
    // rows included: with `middle` and `open_spans`, a spanned label's first line is drawn on
    // the open rule above its row (`│  │（六）其他处  ├──────┼──┤`).
    let mut on_rule = vec![vec![String::new(); n]; wrapped.len()];
    if d.middle && d.open_spans {
        for m in 1..wrapped.len() {
            for j in 0..n {
                if spans_below[m - 1][j] && wrapped[m][j].len() >= 2 {
                    on_rule[m - 1][j] = wrapped[m][j].remove(0);
                }
            }
        }
    }
    let rule = |kind: usize, open: &[bool], texts: &[String]| -> String {
        // kind 0: top, 1: inner, 2: bottom.
        let (l, r, t) = match kind {
            0 => (ch.corners[0], ch.corners[1], ch.tees[0]),
            2 => (ch.corners[2], ch.corners[3], ch.tees[1]),
            _ => (ch.tees[2], ch.tees[3], ch.tees[4]),
        };
        let h = if kind == 1 { ch.h } else { ch.h_out };
        let mut s = String::new();
        s.push(if kind == 1 && open.first() == Some(&true) { ch.v_out } else { l });
        for (j, w) in widths.iter().enumerate() {
            if kind == 1 && open[j] {
                s.push_str(&pad(texts.get(j).map_or("", String::as_str), *w));
            } else {
                s.extend(std::iter::repeat_n(h, *w));
            }
            s.push(if j + 1 == n {
                if kind == 1 && open[j] { ch.v_out } else { r }
            } else if kind == 1 && open[j] && open[j + 1] {
                ch.v
            } else if kind == 1 && open[j] {
                ch.tees[2]
            } else if kind == 1 && open[j + 1] {
                ch.tees[3]
            } else {
                t
            });
        }
        s
    };
    let mut out = vec![rule(0, &vec![false; n], &[])];
    for (i, r) in wrapped.iter().enumerate() {
        let height = r.iter().map(Vec::len).max().unwrap_or(1);
        for line in 0..height {
            let mut s = String::new();
            s.push(ch.v_out);
            for (j, c) in r.iter().enumerate() {
                let top = if d.middle { (height - c.len()) / 2 } else { 0 };
                let piece = line.checked_sub(top).and_then(|k| c.get(k)).map_or("", String::as_str);
                s.push_str(&pad(piece, widths[j]));
                s.push(if j + 1 == n { ch.v_out } else { ch.v });
            }
            out.push(s);
        }
        if i + 1 < wrapped.len() {
            let open: Vec<bool> = (0..n).map(|j| d.open_spans && spans_below[i][j]).collect();
            out.push(rule(1, &open, &on_rule[i]));
        }
    }
    out.push(rule(2, &vec![false; n], &[]));
    // A text browser sometimes indents a table; trailing spaces are trimmed by some.
    let indent = if rng.chance(30) { "  " } else { "" };
    out.into_iter().map(|l| format!("{indent}{l}")).collect()
}

fn html_table(rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table border=\"1\">\n");
    for r in rows {
        s.push_str("<tr>");
        for c in r {
            s.push_str(&format!("<td>{c}</td>"));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</table>");
    s
}

/// The `<table>…</table>` elements of an HTML page, in order.
pub fn html_tables(page: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(s) = page[from..].find("<table").map(|k| from + k) {
        let Some(e) = page[s..].find("</table>").map(|k| s + k + "</table>".len()) else { break };
        out.push(&page[s..e]);
        from = e;
    }
    out
}

/// The Markdown `md` with its tables redrawn as `d` says. With [`Style::Html`], `html` (the
/// same report's HTML page) gives its tables with their merged cells when it has as many as
/// the Markdown and the seed picks it; otherwise each table is one `<td>` per Markdown cell.
pub fn dump(md: &str, html: Option<&str>, d: Dump, seed: u64) -> String {
    let mut rng = Rng::new(seed ^ 0x6475_6d70);
    let lines: Vec<&str> = md.lines().collect();
    let mut tables: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_start().starts_with('|') {
            let s = i;
            while i < lines.len() && lines[i].trim_start().starts_with('|') {
                i += 1;
            }
            tables.push((s, i));
        } else {
            i += 1;
        }
    }
    // html2text always works from the page; the HTML style only sometimes.
    let page_tables = html.map(html_tables).filter(|t| {
        t.len() == tables.len()
            && (matches!(d.style, Style::Html2Text | Style::OfficeText | Style::Repeated) || rng.chance(50))
    });
    // docx2txt leaves an empty line after every cell; LibreOffice does not.
    let docx2txt = d.style == Style::OfficeText && rng.chance(50);
    // pandas' Markdown, or python-docx's cells joined by TABs.
    let pandas = d.style == Style::Repeated && rng.chance(50);
    let mut out = String::with_capacity(md.len() * 3);
    let mut at = 0;
    for (k, &(s, e)) in tables.iter().enumerate() {
        for l in &lines[at..s] {
            out.push_str(l);
            out.push('\n');
        }
        let rows: Vec<Vec<String>> = lines[s..e].iter().filter(|l| !is_md_rule(l)).map(|l| md_cells(l)).collect();
        if d.style == Style::Html {
            match &page_tables {
                Some(t) => out.push_str(t[k]),
                None => out.push_str(&html_table(&rows)),
            }
            out.push('\n');
        } else if d.style == Style::Html2Text {
            let page_rows = page_tables.as_ref().map(|t| html_rows(t[k]));
            out.push_str(&html2text_table(page_rows.as_deref().unwrap_or(&rows), &mut rng));
        } else if d.style == Style::Repeated && page_tables.is_some() {
            let grid = page_tables.as_ref().map(|t| repeated_grid(t[k])).unwrap_or_default();
            if pandas {
                let n = grid.iter().map(Vec::len).max().unwrap_or(0);
                out.push_str(&format!("|    | {} |\n", (0..n).map(|j| j.to_string()).collect::<Vec<_>>().join(" | ")));
                out.push_str(&format!("|---:|{}|\n", vec![":---"; n].join("|")));
                for (i, r) in grid.iter().enumerate() {
                    out.push_str(&format!("| {i} | {} |\n", r.join(" | ")));
                }
            } else {
                for r in &grid {
                    out.push_str(&r.join("\t"));
                    out.push('\n');
                }
            }
        } else if d.style == Style::OfficeText && page_tables.is_some() {
            for c in page_tables.as_ref().map(|t| office_rows(t[k])).unwrap_or_default().concat() {
                out.push_str(&c);
                out.push_str(if docx2txt { "\n\n" } else { "\n" });
            }
        } else if matches!(d.style, Style::GfmSpans | Style::PandocSpans) {
            out.push_str(&spans_table(&rows, d.style, &mut rng));
        } else if d.style == Style::CellLines {
            let parted = rng.chance(50);
            for r in &rows {
                for c in r.iter().filter(|c| !c.is_empty()) {
                    out.push_str(c);
                    out.push('\n');
                }
                if parted {
                    out.push('\n');
                }
            }
        } else {
            for l in draw(&rows, d, &mut rng) {
                out.push_str(&l);
                out.push('\n');
            }
        }
        at = e;
    }
    for l in &lines[at..] {
        out.push_str(l);
        out.push('\n');
    }
    if matches!(d.style, Style::GfmSpans | Style::PandocSpans) {
        spans_around_prose(&out, d.style, &mut rng)
    } else {
        out
    }
}

/// The text of each `<td>`/`<th>` of each `<tr>` of an HTML table, merged cells once (as
/// `html2text` sees them).
fn html_rows(table: &str) -> Vec<Vec<String>> {
    spans_of(table).into_iter().map(|r| r.into_iter().map(|(text, _, _)| text).collect()).collect()
}

/// The cells of an HTML table as a word processor's text export lists them: a cell merged
/// across columns once, a cell merged down once in its first row and as an empty cell in each
/// row below it.
fn office_rows(table: &str) -> Vec<Vec<String>> {
    let rows = spans_of(table);
    // Columns still covered by a cell from a row above: (first column, width, rows left).
    let mut down: Vec<(usize, usize, usize)> = Vec::new();
    let mut out = Vec::new();
    for r in rows {
        let mut line = Vec::new();
        let mut col = 0;
        let mut cells = r.into_iter();
        loop {
            if let Some(k) = down.iter().position(|d| d.0 == col && d.2 > 0) {
                line.push(String::new());
                down[k].2 -= 1;
                col += down[k].1;
                continue;
            }
            let Some((text, rs, cs)) = cells.next() else { break };
            line.push(text);
            if rs > 1 {
                down.push((col, cs, rs - 1));
            }
            col += cs;
        }
        down.retain(|d| d.2 > 0);
        out.push(line);
    }
    out
}

/// The cells of each `<tr>` of an HTML table: (text, rowspan, colspan).
fn spans_of(table: &str) -> Vec<Vec<(String, usize, usize)>> {
    let lower = table.to_ascii_lowercase();
    let attr = |tag: &str, name: &str| -> usize {
        tag.find(name)
            .map(|k| &tag[k + name.len()..])
            .and_then(|r| r.trim_start_matches(['=', '"', '\'']).split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(1)
            .max(1)
    };
    // Rows of (text, rowspan, colspan).
    let mut rows: Vec<Vec<(String, usize, usize)>> = Vec::new();
    let mut from = 0;
    while let Some(r) = lower[from..].find("<tr").map(|k| from + k) {
        let end = lower[r..].find("</tr>").map_or(lower.len(), |k| r + k);
        let mut cells = Vec::new();
        let mut c = r;
        while let Some(open) = lower[c..end].find("<t").map(|k| c + k) {
            let kind = &lower.as_bytes()[open..(open + 3).min(end)];
            if kind != b"<td" && kind != b"<th" {
                c = open + 2;
                continue;
            }
            let body = lower[open..end].find('>').map_or(end, |k| open + k + 1);
            let close = lower[body..end].find("</t").map_or(end, |k| body + k);
            let tag = &lower[open..body];
            cells.push((plain_text(&table[body..close]), attr(tag, "rowspan"), attr(tag, "colspan")));
            c = close + 1;
        }
        rows.push(cells);
        from = end + 1;
        if from >= lower.len() {
            break;
        }
    }
    rows
}

/// The full grid of an HTML table, a merged cell's text in every cell it covers (as pandas and
/// python-docx give it).
fn repeated_grid(table: &str) -> Vec<Vec<String>> {
    let mut grid: Vec<Vec<Option<String>>> = Vec::new();
    for (i, row) in spans_of(table).into_iter().enumerate() {
        let mut col = 0;
        for (text, rs, cs) in row {
            while grid.get(i).and_then(|r| r.get(col)).is_some_and(Option::is_some) {
                col += 1;
            }
            for di in 0..rs {
                for dj in 0..cs {
                    let r = i + di;
                    if grid.len() <= r {
                        grid.resize(r + 1, Vec::new());
                    }
                    if grid[r].len() <= col + dj {
                        grid[r].resize(col + dj + 1, None);
                    }
                    grid[r][col + dj] = Some(text.clone());
                }
            }
            col += cs;
        }
    }
    let n = grid.iter().map(Vec::len).max().unwrap_or(0);
    grid.into_iter().map(|r| (0..n).map(|j| r.get(j).cloned().flatten().unwrap_or_default()).collect()).collect()
}

/// HTML without its tags, the usual character references decoded, whitespace collapsed.
fn plain_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A cell's text in two paragraphs, cut between two characters, when it is a label long enough
/// and not a figure (a cell with `<p>` in it, `商业<p>企业`); a label that opens like an
/// outline heading (`三、…`) is never cut, as a heading is where `html2text`'s table ends.
fn paragraphs(c: &str, first: bool, rng: &mut Rng) -> Vec<String> {
    let chars: Vec<char> = c.chars().collect();
    let figure = chars.iter().any(char::is_ascii_digit)
        && chars.iter().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | ','));
    let heading = chars.iter().take_while(|c| "一二三四五六七八九十".contains(**c)).count() > 0;
    if chars.len() < 4 || figure || (first && heading) || !rng.chance(25) {
        return vec![c.to_string()];
    }
    let cut = 1 + rng.below(chars.len() as u64 - 1) as usize;
    vec![chars[..cut].iter().collect(), chars[cut..].iter().collect()]
}

/// One table as Python's `html2text` writes it (see [`Style::Html2Text`]).
fn html2text_table(rows: &[Vec<String>], rng: &mut Rng) -> String {
    let mut out = String::new();
    if rng.chance(25) {
        // html2text 2025: one line a row (`a |  b |  c` and a hard break), no line of spaces
        // between rows, one after the table.
        for (i, r) in rows.iter().enumerate() {
            out.push_str(r.join(" |  ").trim_end_matches(' '));
            out.push_str("  \n");
            if i == 0 {
                out.push_str(&vec!["---"; r.len()].join("|"));
                out.push_str("  \n");
            }
        }
        out.push_str("  \n\n");
        return out;
    }
    let block_table = rng.chance(70);
    for (i, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for (j, c) in r.iter().enumerate() {
            let block = block_table || rng.chance(30);
            if j > 0 {
                line.push_str(if block { "\n\n|\n\n" } else { "| " });
            }
            let paras = if block { paragraphs(c, j == 0, rng) } else { vec![c.clone()] };
            line.push_str(&paras.join("\n\n"));
        }
        out.push_str(line.trim_end_matches(' '));
        out.push_str("  \n  \n");
        if i == 0 {
            out.push_str(&vec!["---"; r.len()].join("|"));
            out.push_str("  \n  \n");
        }
    }
    // The text after the table: after an empty line, or straight on.
    if rng.chance(50) {
        out.push('\n');
    }
    out
}

/// The `<span>` pair pandoc keeps around a run of text of a page styled inline.
fn span(t: &str, style: Style, rng: &mut Rng) -> String {
    let attrs = "style=\"font-family: 微软雅黑;\"";
    if style == Style::PandocSpans {
        return format!("[{t}]{{{attrs}}}[]{{{attrs}}}");
    }
    // pandoc wraps long lines at spaces, which here are inside the tags.
    let sep = if rng.chance(20) { "\n" } else { " " };
    format!("<span{sep}{attrs}>{t}</span><span{sep}{attrs}></span>")
}

/// One table as pandoc's GitHub Markdown or its own Markdown writes a page's table (see
/// [`Style::GfmSpans`], [`Style::PandocSpans`]).
fn spans_table(rows: &[Vec<String>], style: Style, rng: &mut Rng) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let pandoc = style == Style::PandocSpans;
    let mut out = String::from(if pandoc {
        "::: {style=\"text-indent: 2em;\"}\n"
    } else {
        "<div style=\"text-indent: 2em;\">\n\n"
    });
    let row = |r: &[String], rng: &mut Rng| {
        let cells: Vec<String> = (0..n)
            .map(|j| {
                r.get(j)
                    .filter(|c| !c.is_empty())
                    .map_or_else(String::new, |c| span(c, style, &mut *rng).replace('\n', " "))
            })
            .collect();
        format!("| {} |\n", cells.join(" | "))
    };
    let rule = format!("|{}|\n", vec!["---"; n].join("|"));
    if rng.chance(50) {
        // No header row in the page: pandoc writes an empty one.
        out.push_str(&row(&vec![String::new(); n], rng));
        out.push_str(&rule);
        for r in rows {
            out.push_str(&row(r, rng));
        }
    } else {
        for (i, r) in rows.iter().enumerate() {
            out.push_str(&row(r, rng));
            if i == 0 {
                out.push_str(&rule);
            }
        }
    }
    out.push_str(if pandoc { ":::\n" } else { "\n</div>\n" });
    out
}

/// Every prose line of a Markdown text in pandoc's spans (tables, headings' `#` and empty
/// lines kept).
fn spans_around_prose(md: &str, style: Style, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(md.len() * 2);
    for l in md.lines() {
        let t = l.trim_start();
        let keep =
            t.is_empty() || t.starts_with('|') || t.starts_with('<') || t.starts_with('#') || t.starts_with(":::");
        if keep {
            out.push_str(l);
        } else {
            out.push_str(&span(l, style, rng));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_keeps_every_character_within_the_width() {
        let w = wrap("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 12);
        assert!(w.len() > 1);
        assert!(w.iter().all(|l| width(l) <= 12));
        assert_eq!(w.concat(), "（二）部分公开（区分处理的，只计这一情形，不计其他情形）");
    }

    #[test]
    fn a_table_is_drawn_with_box_rules() {
        let md = "前言\n\n| 信息内容 | 本年制发件数 |\n|---|---|\n| 规章 | 3 |\n\n后记\n";
        let out = dump(md, None, Dump::default(), 1);
        assert!(out.contains("│规章"), "{out}");
        assert!(out.contains('┼') && out.contains('┌') && out.contains('┘'), "{out}");
        assert!(out.starts_with("前言\n") && out.ends_with("后记\n"));
    }
}
