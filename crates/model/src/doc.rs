//! The source document as blocks: the common shape every front end (text, HTML, later DOCX,
//! XLSX, PDF) produces and the report interpreter reads. Pure data.

use crate::cell::Src;
use crate::report::Para;

/// A document: blocks in reading order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Doc {
    pub blocks: Vec<Block>,
    /// A title supplied by the container (HTML `<title>`), used only when the body has none.
    pub title_hint: Option<Para>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// One line or paragraph of prose. Front ends emit one `Para` per visual line where
    /// lines are known (`<br>`, `<p>`, text lines).
    Para(Para),
    /// A table grid with row and column spans already expanded.
    Table(Grid),
}

/// A table with spans expanded: every row has one entry per grid column it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// 1-based number of the table in the document.
    pub index: u16,
    pub src: Src,
    pub rows: Vec<Vec<GridCell>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridCell {
    /// Cell text, whitespace collapsed, trimmed; inline up to 24 bytes (most cells are
    /// numbers), see [`crate::Cell::raw`].
    pub text: compact_str::CompactString,
    /// Location of the originating cell; `src.grid` holds the table/row/col position.
    pub src: Src,
    /// True when this entry is a copy produced by a rowspan/colspan of another cell.
    pub spanned: bool,
}

/// Maps byte offsets of a text to 1-based line and column numbers.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<u32>,
    /// Last (byte offset, line index, column) computed: front ends ask for positions in
    /// increasing order, so a column is counted from the previous position on the same line
    /// rather than from the line start (a one-line minified page would otherwise be quadratic).
    last: std::cell::Cell<(u32, u32, u32)>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0u32];
        // `match_indices` with a char pattern searches with memchr.
        starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
        LineIndex { starts, last: std::cell::Cell::new((0, 0, 1)) }
    }

    /// Provenance for the byte range `start..end` of `text` (the text this index was built on).
    pub fn src(&self, text: &str, start: usize, end: usize) -> Src {
        let start = start.min(text.len());
        let end = end.clamp(start, text.len());
        let line_ix = match self.starts.binary_search(&(start as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let line_start = self.starts.get(line_ix).copied().unwrap_or(0) as usize;
        let (lo, ll, lc) = self.last.get();
        let (from, base) = if ll as usize == line_ix && lo as usize >= line_start && lo as usize <= start {
            (lo as usize, lc as usize)
        } else {
            (line_start, 1)
        };
        let col = text.get(from..start).map_or(base, |s| s.chars().count() + base);
        self.last.set((start as u32, line_ix as u32, col as u32));
        Src { start: start as u32, end: end as u32, line: line_ix as u32 + 1, col: col as u32, grid: None }
    }

    /// Byte range of 1-based line `line`, without its line break.
    pub fn line_range(&self, text: &str, line: u32) -> Option<(usize, usize)> {
        let i = (line as usize).checked_sub(1)?;
        let s = *self.starts.get(i)? as usize;
        let e = self.starts.get(i + 1).map_or(text.len(), |n| *n as usize - 1);
        let e = if e > s && text.as_bytes().get(e - 1) == Some(&b'\r') { e - 1 } else { e };
        Some((s, e.max(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_chars() {
        let t = "一二\r\n三四五\nx";
        let ix = LineIndex::new(t);
        let p = t.find('四').unwrap();
        let s = ix.src(t, p, p + 3);
        assert_eq!((s.line, s.col), (2, 2));
        assert_eq!(ix.line_range(t, 1), Some((0, 6)));
        assert_eq!(&t[ix.line_range(t, 2).unwrap().0..ix.line_range(t, 2).unwrap().1], "三四五");
        assert_eq!(ix.src(t, t.len(), t.len()).line, 3);
    }
}
