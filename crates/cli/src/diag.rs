//! Compiler-style rendering of findings: header, location, the source line and a caret.

use std::fmt::Write;

use gongkai_model::doc::LineIndex;
use gongkai_model::{Finding, Severity};
use unicode_width::UnicodeWidthChar;

/// Colours are used only when writing to a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color { format!("\x1b[{code}m{s}\x1b[0m") } else { s.to_string() }
    }
}

/// Maximum display columns of source shown around the caret.
const WINDOW: usize = 72;

fn width(c: char) -> usize {
    if c == '\t' { 4 } else { c.width().unwrap_or(0) }
}

/// Render one finding against the decoded source `text`.
pub fn render(f: &Finding, file: &str, text: &str, index: &LineIndex, style: Style) -> String {
    let mut out = String::new();
    let (sev, code) = match f.severity {
        Severity::Error => ("错误", "1;31"),
        Severity::Warning => ("警告", "1;33"),
        Severity::Info => ("提示", "1;36"),
    };
    let _ = writeln!(out, "{}: {}", style.paint(code, &format!("{sev}[{}]", f.rule)), style.paint("1", &f.message));
    let Some(loc) = f.location else {
        let _ = writeln!(out, "  --> {file}");
        return out;
    };
    let _ = writeln!(out, "  --> {file}:{}:{}", loc.line, loc.col);
    let Some((ls, le)) = index.line_range(text, loc.line) else {
        return out;
    };
    let line = &text[ls..le];
    let chars: Vec<char> = line.chars().collect();
    let caret_start = (loc.col as usize).saturating_sub(1).min(chars.len());
    // Caret length: the span's characters on this line (at least one).
    let span_end = (loc.end as usize).clamp(ls, le);
    let span_chars = if (loc.start as usize) >= ls && span_end > loc.start as usize {
        text.get(loc.start as usize..span_end).map_or(1, |s| s.chars().count())
    } else {
        1
    };
    let caret_end = (caret_start + span_chars.max(1)).min(chars.len().max(caret_start + 1));
    // Window of at most WINDOW columns, starting a little before the caret.
    let mut start = caret_start;
    let mut w = 0;
    while start > 0 && w < 16 {
        start -= 1;
        w += width(chars[start]);
    }
    let mut shown = String::new();
    let mut marks = String::new();
    let mut cols = 0;
    if start > 0 {
        shown.push('…');
        marks.push(' ');
    }
    for (i, c) in chars.iter().enumerate().skip(start) {
        let cw = width(*c);
        if cols + cw > WINDOW {
            shown.push('…');
            break;
        }
        cols += cw;
        if *c == '\t' {
            shown.push_str("    ");
        } else {
            shown.push(*c);
        }
        let m = if i >= caret_start && i < caret_end { '^' } else { ' ' };
        marks.extend(std::iter::repeat_n(m, cw));
    }
    if caret_start >= chars.len() {
        marks.push('^');
    }
    let num = loc.line.to_string();
    let pad = " ".repeat(num.len());
    let _ = writeln!(out, "{pad} |");
    let _ = writeln!(out, "{num} | {shown}");
    let _ = writeln!(out, "{pad} | {}", style.paint(code, marks.trim_end()));
    if let Some(g) = loc.grid {
        if file.to_ascii_lowercase().ends_with(".xlsx") {
            // XLSX grids keep the sheet number and the cell's own row and column.
            let a1 = gongkai_office::a1(u32::from(g.row), u32::from(g.col));
            let _ = writeln!(out, "{pad} = 位置：第{}个工作表，单元格{a1}", g.table);
        } else {
            let _ = writeln!(out, "{pad} = 位置：源文件第{}个表格第{}行第{}列", g.table, g.row, g.col);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_model::Src;

    #[test]
    fn caret_points_at_the_span_with_cjk_widths() {
        let text = "标题\n2021年，南关区科技局\n";
        let ix = LineIndex::new(text);
        let start = text.find("2021").unwrap();
        let f = Finding::new("D10", Severity::Error, "年度不一致").at(Some(ix.src(text, start, start + 7)));
        let s = render(&f, "a.txt", text, &ix, Style { color: false });
        assert!(s.contains("错误[D10]: 年度不一致"), "{s}");
        assert!(s.contains("--> a.txt:2:1"), "{s}");
        assert!(s.contains("2 | 2021年，南关区科技局"), "{s}");
        // "2021年" is 4 narrow + 1 wide character: 6 columns of carets.
        assert!(s.contains("  | ^^^^^^\n"), "{s}");
        let none = Finding::new("D12", Severity::Error, "缺少");
        assert!(render(&none, "a.txt", text, &ix, Style { color: false }).contains("--> a.txt\n"));
        let _ = Src::default();
    }
}
