//! The interpreter's view of a document: a flat sequence of items (prose lines and table
//! rows), each split into label text and value cells.

use gongkai_model::doc::{Block, Doc, GridCell};
use gongkai_model::normalize::{is_cjk, normalize};
use gongkai_model::{Cell, CellValue, Para, Src};
use std::rc::Rc;

use crate::keys::Hits;
use gongkai_model::space::Bom;

/// Upper bound on items considered (hostile input bound; a real report has a few hundred).
pub const MAX_ITEMS: usize = 50_000;

#[derive(Debug)]
pub struct Item<'a> {
    /// Index of the originating block.
    pub block: usize,
    /// The paragraph, for prose lines.
    pub para: Option<&'a Para>,
    /// Label text as printed (cells joined); its normalised form is [`Item::norm`].
    pub label: std::borrow::Cow<'a, str>,
    /// Byte length of the label prefix that [`Item::norm`] normalises (a long prose line:
    /// its first 100 characters, enough for every key the interpreter looks for).
    norm_len: usize,
    /// The normalised label and its lexicon matches, computed on first use (most prose lines
    /// are never asked for them) or taken from the thread's memo of labels ([`analyse`]).
    analysed: std::cell::OnceCell<Rc<Analysed>>,
    /// Whether the label holds an ideograph (is text, not a fragment of numbers or marks).
    label_cjk: bool,
    /// Location of the label (or of the whole row when it has no label).
    pub src: Src,
    /// Value cells after the label, in order.
    pub values: Vec<Cell>,
    /// True for rows of a table grid (blank cells are meaningful there).
    pub is_grid: bool,
}

impl<'a> Item<'a> {
    /// An item whose normalised label is made from the first `norm_len` bytes of `label`.
    pub fn new(
        (block, para): (usize, Option<&'a Para>),
        label: std::borrow::Cow<'a, str>,
        norm_len: usize,
        src: Src,
        values: Vec<Cell>,
        is_grid: bool,
    ) -> Self {
        // `normalize` maps ideographs to ideographs and nothing else to one, so the printed
        // text has an ideograph exactly when its normalised form does.
        let norm_len = norm_len.min(label.len());
        let label_cjk = label[..norm_len].chars().any(is_cjk);
        Item { block, para, label, norm_len, analysed: std::cell::OnceCell::new(), label_cjk, src, values, is_grid }
    }

    fn analysed(&self) -> &Analysed {
        self.analysed.get_or_init(|| {
            // Table rows and short lines (labels, headings) recur from report to report and
            // are memoised; other prose is not, so it cannot crowd them out.
            let memo = self.is_grid || !self.values.is_empty() || self.norm_len <= MEMO_SHORT_LABEL;
            analyse(&self.label[..self.norm_len], memo)
        })
    }

    /// The normalised label ([`normalize`]).
    pub fn norm(&self) -> &str {
        &self.analysed().norm
    }

    /// The lexicon keys in the normalised label ([`crate::keys::Hits`]).
    pub fn hits(&self) -> &Hits {
        &self.analysed().hits
    }

    /// Whether the normalised label contains the word.
    pub fn has(&self, w: crate::keys::Word) -> bool {
        self.hits().has(w)
    }

    /// Byte length of the text the normalised label is made from: never less than the
    /// normalised label's own length (normalising only drops or shortens characters).
    pub fn norm_src_len(&self) -> usize {
        self.norm_len
    }

    pub fn has_number(&self) -> bool {
        self.values.iter().any(|c| matches!(c.value, CellValue::Number(_)))
    }
    pub fn has_label(&self) -> bool {
        self.label_cjk
    }
}

/// A label's normalised form and the lexicon keys in it.
#[derive(Debug)]
pub struct Analysed {
    pub norm: String,
    pub hits: Hits,
}

impl Analysed {
    fn of(label: &str) -> Analysed {
        let norm = normalize(label);
        let hits = Hits::of(&norm);
        Analysed { norm, hits }
    }
}

/// Lines of at most this many bytes are memoised even when they are prose (headings).
const MEMO_SHORT_LABEL: usize = 64;
/// Labels longer than this are never memoised.
const MEMO_MAX_LABEL: usize = 512;
/// Entries kept per thread; the memo is emptied when it is full (hostile input bound).
const MEMO_MAX_ENTRIES: usize = 4096;

type Memo = std::collections::HashMap<Box<str>, Rc<Analysed>, foldhash::fast::RandomState>;

thread_local! {
    /// Per-thread memo of label analyses. Reports repeat the same row labels and headings
    /// (the official ones, or an organ's own wording year after year), and normalising a
    /// label and running the lexicon over it was about a seventh of parse+check time; a
    /// lookup costs a hash of the printed label. The memo never changes a result: an entry
    /// is exactly what [`Analysed::of`] returns for its key (tested). It is bounded in
    /// entries and key length, and its hash is seeded per process so that crafted input
    /// cannot make lookups collide.
    static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
}

/// The analysis of `label`, from the thread's memo when `memo` is set.
fn analyse(label: &str, memo: bool) -> Rc<Analysed> {
    if !memo || label.len() > MEMO_MAX_LABEL {
        return Rc::new(Analysed::of(label));
    }
    MEMO.with_borrow_mut(|m| {
        if let Some(a) = m.get(label) {
            return Rc::clone(a);
        }
        if m.len() >= MEMO_MAX_ENTRIES {
            m.clear();
        }
        let a = Rc::new(Analysed::of(label));
        m.insert(label.into(), Rc::clone(&a));
        a
    })
}

/// Whether a cell's text reads as a label rather than a value.
fn is_label_text(t: &str) -> bool {
    let t = t.trim();
    if t.is_empty() || gongkai_model::cell::is_placeholder(t) {
        return false;
    }
    gongkai_model::cell::parse_number(t).is_none()
        && gongkai_model::cell::number_with_unit(t).is_none()
        && t.chars().any(|c| is_cjk(c) || c.is_alphabetic())
}

/// `kinds` is scratch space reused from row to row.
fn row_item<'a>(block: usize, cells: &'a [GridCell], kinds: &mut Vec<CellValue>) -> Item<'a> {
    use gongkai_model::cell::{classify, trim_raw};
    // Each cell is classified once, and a `Cell` is built only for the value cells. Labels end
    // before the first value-like cell (number or placeholder); text after it is an unreadable
    // value ("约5"), not more label. Empty cells between label cells are allowed.
    kinds.clear();
    kinds.extend(cells.iter().map(|c| classify(trim_raw(&c.text))));
    let kinds = &*kinds;
    let value_like = |k: usize| matches!(kinds[k], CellValue::Number(_) | CellValue::Placeholder);
    let label_like = |k: usize| {
        matches!(kinds[k], CellValue::Unreadable) && cells[k].text.chars().any(|c| is_cjk(c) || c.is_alphabetic())
    };
    // A row-number column before the label (`1 | 一、本年新收… | 58 | …`, a 序号 column some
    // sites add): one leading whole number followed by a label of two or more ideographs is
    // the row's number, not its first value.
    let serial = cells.len() > 2
        && matches!(&kinds[0], CellValue::Number(d) if d.is_integer() && d.is_sign_positive() && *d < 1000.into())
        && label_like(1)
        && cells[1].text.chars().filter(|c| is_cjk(*c)).count() >= 2;
    let lead = usize::from(serial);
    let first_value = (lead..cells.len()).find(|k| value_like(*k));
    let last_label = (lead..first_value.unwrap_or(cells.len())).rev().find(|k| label_like(*k));
    let (label_cells, value_cells) = match last_label {
        Some(i) => (&cells[lead..=i], &cells[i + 1..]),
        None => (&cells[..0], cells),
    };
    // Spanned copies repeat the group label; each distinct text is kept once. A label of one
    // cell is borrowed, not copied.
    let mut distinct = label_cells
        .iter()
        .enumerate()
        .filter(|(k, c)| !c.text.is_empty() && !label_cells[..*k].iter().any(|p| p.text == c.text))
        .map(|(_, c)| c.text.as_str());
    let label: std::borrow::Cow<'a, str> = match (distinct.next(), distinct.next()) {
        (None, _) => std::borrow::Cow::Borrowed(""),
        (Some(one), None) => std::borrow::Cow::Borrowed(one),
        (Some(a), Some(b)) => {
            let mut l = String::with_capacity(a.len() + b.len() + 16);
            l.push_str(a);
            l.push_str(b);
            distinct.for_each(|t| l.push_str(t));
            std::borrow::Cow::Owned(l)
        }
    };
    let src =
        label_cells.iter().rev().find(|c| !c.text.is_empty()).or(cells.first()).map(|c| c.src).unwrap_or_default();
    // Copies made by a colspan/rowspan are not values of their own.
    let start = cells.len() - value_cells.len();
    let values = (start..cells.len())
        .filter(|k| !cells[*k].spanned)
        .map(|k| Cell {
            value: kinds[k].clone(),
            raw: trim_raw(&cells[k].text).into(),
            src: Some(cells[k].src),
            inferred: false,
        })
        .collect();
    let norm_len = label.len();
    Item::new((block, None), label, norm_len, src, values, true)
}

/// Split a prose line into a label and trailing value tokens.
fn para_item(block: usize, p: &Para) -> Item<'_> {
    // Value tokens trail the label, so tokens are taken from the end of the line until the
    // first label-like one: a prose line (its last token is text) costs one token, not a
    // tokenisation of the whole paragraph. Offsets are kept for provenance.
    let ws = |c: char| c.is_whitespace() || c == '\u{3000}';
    let text = p.text.as_str();
    let mut toks: Vec<(usize, usize)> = Vec::new();
    let mut end = text.trim_end_matches(ws).len();
    let mut label_end = 0;
    while end > 0 {
        // A prose line is one long token ending in text: when the last 64 bytes hold no
        // whitespace but an ideograph or letter, the token is longer than any placeholder and
        // cannot be a number, so it is label text, and its start need not be found.
        if long_text_token(&text[..end]) {
            label_end = end;
            break;
        }
        let start = last_space(&text[..end]).map_or(0, |(i, len)| i + len);
        let t = &text[start..end];
        if is_label_text(t) && !t.chars().all(|c| c == '|' || c == '｜') {
            label_end = end;
            break;
        }
        toks.push((start, end));
        end = text[..start].trim_end_matches(ws).len();
    }
    toks.reverse();
    let sub_src = |s: usize, e: usize| -> Src {
        if p.verbatim {
            Src {
                start: p.src.start + s as u32,
                end: p.src.start + e as u32,
                line: p.src.line,
                col: p.src.col + p.text[..s].chars().count() as u32,
                grid: None,
            }
        } else {
            p.src
        }
    };
    let label: std::borrow::Cow<'_, str> = std::borrow::Cow::Borrowed(&p.text[..label_end]);
    // Labels, headings and table markers are short: a long prose line is normalised only up
    // to its first 100 characters (enough for every key the interpreter looks for).
    let norm_len = char_prefix_len(&label, 100);
    let mut values = Vec::with_capacity(toks.len());
    for &(s, e) in &toks {
        let t = &p.text[s..e];
        // Separators of a flattened row ("0 |") are not values.
        if t.chars().all(|c| c == '|' || c == '｜') {
            continue;
        }
        values.push(Cell::from_raw(t, Some(sub_src(s, e))));
    }
    Item::new((block, Some(p)), label, norm_len, p.src, values, false)
}

/// Whether the last token of `t` (after its last whitespace) is at least 17 bytes long (its
/// last 20 bytes, cut at a char boundary, have no whitespace) and they contain an ideograph
/// or a letter: such a token is label text by [`is_label_text`] (longer than every
/// placeholder, the longest being 13 bytes, and not a number).
fn long_text_token(t: &str) -> bool {
    const TAIL: usize = 20;
    if t.len() < TAIL {
        return false;
    }
    let mut cut = t.len() - TAIL;
    while !t.is_char_boundary(cut) {
        cut += 1;
    }
    let tail = &t[cut..];
    last_space(tail).is_none() && tail.chars().any(|c| is_cjk(c) || c.is_alphabetic())
}

/// Byte length of the first `n` characters of `t` (all of `t` if it is shorter). Counts
/// UTF-8 lead bytes instead of decoding characters.
fn char_prefix_len(t: &str, n: usize) -> usize {
    if t.len() <= n {
        return t.len();
    }
    let b = t.as_bytes();
    let is_lead = |c: &u8| (*c as i8) >= -0x40;
    let mut seen = 0;
    let mut at = 0;
    // Whole 32-byte chunks are counted with a loop the compiler vectorises, as long as the
    // n-th character cannot start inside them; the last chunk is walked byte by byte.
    while at + 32 <= b.len() {
        let in_chunk = b[at..at + 32].iter().filter(|c| is_lead(c)).count();
        if seen + in_chunk > n {
            break;
        }
        seen += in_chunk;
        at += 32;
    }
    for (i, c) in b[at..].iter().enumerate() {
        // Every byte that is not a continuation byte (10xxxxxx) starts a character.
        if is_lead(c) {
            if seen == n {
                return at + i;
            }
            seen += 1;
        }
    }
    t.len()
}

/// The last whitespace character of `t` (as `char::is_whitespace` or U+3000 define it) as
/// (byte offset, byte length). Scans bytes backwards: prose lines have no whitespace, and a
/// backwards `char` search would decode the whole line.
fn last_space(t: &str) -> Option<(usize, usize)> {
    let b = t.as_bytes();
    let mut i = b.len();
    while i > 0 {
        i -= 1;
        let c = b[i];
        if c < 0x80 {
            if matches!(c, b' ' | b'\t'..=b'\r') {
                return Some((i, 1));
            }
            continue;
        }
        // Non-ASCII whitespace starts with C2 (U+0085, U+00A0), E1 (U+1680), E2 (U+2000–U+205F)
        // or E3 (U+3000); ideographs (E4–E9 …) are skipped without decoding.
        // Matched on the bytes (`。` and `、` also start with E3 and are not decoded).
        if matches!(c, 0xC2 | 0xE1 | 0xE2 | 0xE3) {
            let n = if c == 0xC2 { 2 } else { 3 };
            if b.get(i..i + n).is_some_and(|c| gongkai_model::space::is_space_bytes(c, Bom::Text)) {
                return Some((i, n));
            }
        }
    }
    None
}

/// Cells printed one per line without any table marker (web text exports: `0 |`, ` 0`):
/// a label-only line followed by a run of at least two single-value lines becomes one row.
/// In a document printed that way (it has such a run), a short label followed by one value
/// line is a row too: table 二's one-value rows (`行政许可` / `15`).
fn merge_cell_lines(items: Vec<Item<'_>>) -> Vec<Item<'_>> {
    let single = |it: &Item| !it.is_grid && it.values.len() == 1 && !it.has_label();
    // Most documents have no such run: they are returned as they are, without moving every
    // item twice.
    let head = |it: &Item| !it.is_grid && it.values.is_empty() && it.has_label();
    if !items.windows(3).any(|w| head(&w[0]) && single(&w[1]) && single(&w[2])) {
        return items;
    }
    let mut out: Vec<Item> = Vec::with_capacity(items.len());
    let mut i = 0;
    let mut items: Vec<Option<Item>> = items.into_iter().map(Some).collect();
    while i < items.len() {
        let head_ok = items[i].as_ref().is_some_and(|it| !it.is_grid && it.values.is_empty() && it.has_label());
        // Counted only after a label-only head, so the scan stays linear.
        let run =
            if head_ok { items[i + 1..].iter().take_while(|it| it.as_ref().is_some_and(single)).count() } else { 0 };
        let one_value_row = run == 1 && items[i].as_ref().is_some_and(is_short_label);
        if head_ok
            && (run >= 2 || one_value_row)
            && let Some(mut head) = items[i].take()
        {
            for k in 1..=run {
                if let Some(v) = items[i + k].take() {
                    head.values.extend(v.values);
                }
            }
            out.push(head);
            i += run + 1;
        } else {
            if let Some(it) = items[i].take() {
                out.push(it);
            }
            i += 1;
        }
    }
    out
}

/// A label that can head a one-value row: at most 40 characters, not a sentence.
fn is_short_label(it: &Item<'_>) -> bool {
    it.label.chars().count() <= 40 && !it.label.contains(['。', '；', ';'])
}

/// Flatten blocks into items.
pub fn items(doc: &Doc) -> Vec<Item<'_>> {
    merge_cell_lines(raw_items(doc))
}

fn raw_items(doc: &Doc) -> Vec<Item<'_>> {
    let rows: usize = doc.blocks.iter().map(|b| if let Block::Table(g) = b { g.rows.len() } else { 1 }).sum();
    let mut out = Vec::with_capacity(rows.min(MAX_ITEMS));
    let mut kinds = Vec::new();
    for (bi, b) in doc.blocks.iter().enumerate() {
        if out.len() >= MAX_ITEMS {
            break;
        }
        match b {
            Block::Para(p) if is_page_number(&p.text) => {}
            Block::Para(p) => out.push(para_item(bi, p)),
            Block::Table(g) => {
                for row in &g.rows {
                    if out.len() >= MAX_ITEMS {
                        break;
                    }
                    out.push(row_item(bi, row, &mut kinds));
                }
            }
        }
    }
    out
}

/// Page-number lines that PDF exports leave inside paragraphs and tables: `— 3 —`, `- 3 -`,
/// `第3页`. A dash on one side only is a signed figure (`-4`, a 2019 table 二 change printed
/// on a line of its own), not a page number.
pub fn is_page_number(t: &str) -> bool {
    if t.len() > 24 {
        return false;
    }
    let n = normalize(t);
    let dash = |c: char| c == '-' || c == '_';
    let (core, framed) = match n.strip_prefix('第').and_then(|c| c.strip_suffix('页')) {
        Some(c) => (c, true),
        None => (n.trim_matches(dash), n.starts_with(dash) && n.ends_with(dash)),
    };
    framed && !core.is_empty() && core.len() <= 4 && core.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    use proptest::strategy::Strategy;

    #[test]
    fn a_row_number_column_is_not_a_value() {
        let row = |cells: &[&str]| -> (String, Vec<String>) {
            let cells: Vec<GridCell> =
                cells.iter().map(|t| GridCell { text: (*t).into(), src: Src::default(), spanned: false }).collect();
            let it = row_item(0, &cells, &mut Vec::new());
            (it.label.to_string(), it.values.iter().map(|c| c.raw.to_string()).collect())
        };
        assert_eq!(
            row(&["3", "一、本年新收政府信息公开申请数量", "5", "0"]),
            ("一、本年新收政府信息公开申请数量".into(), vec!["5".into(), "0".into()])
        );
        // Not a row number: a value before unreadable text ("约5"), a decimal, a label of one
        // ideograph.
        assert_eq!(row(&["3", "约5", "2"]).0, "");
        assert_eq!(row(&["3.5", "规章", "2"]).0, "");
        assert_eq!(row(&["3", "无", "2"]).0, "");
    }

    #[test]
    fn page_numbers_are_framed_and_signed_figures_are_not() {
        for t in ["— 3 —", "- 3 -", "-12-", "第3页", "__4__"] {
            assert!(is_page_number(t), "{t}");
        }
        for t in ["-4", "3-", "3", "第页", "- -", "-3.5-"] {
            assert!(!is_page_number(t), "{t}");
        }
    }

    #[test]
    fn placeholders_are_shorter_than_a_long_token() {
        assert!(gongkai_model::cell::PLACEHOLDERS.iter().all(|p| p.len() < 17));
    }

    proptest::proptest! {
        /// The shortcut is sound: when it calls the last token label text, so does the full
        /// reading of that token.
        #[test]
        fn long_text_tokens_are_label_text(
            v in proptest::collection::vec(proptest::sample::select(vec![
                "一", "。", "a", "1", "2", " ", "\u{3000}", "—", "/", "|", "｜", ".", "无", "－", "，",
            ]), 0..40)
        ) {
            let t: String = v.concat();
            if long_text_token(&t) {
                let token = &t[last_space(&t).map_or(0, |(i, n)| i + n)..];
                proptest::prop_assert!(is_label_text(token) && !token.chars().all(|c| c == '|' || c == '｜'), "{}", token);
            }
        }

        /// The byte-matching backward scan finds the whitespace a backward `char` search
        /// finds.
        #[test]
        fn last_space_agrees_with_a_char_search(
            v in proptest::collection::vec(proptest::sample::select(vec![
                "一", "。", "、", "a", "1", " ", "\t", "\u{3000}", "\u{A0}", "\u{2000}", "\u{2028}", "\u{200B}",
                "“", "—", "\u{1680}", "\u{85}", "）",
            ]), 0..60)
        ) {
            let t: String = v.concat();
            let oracle = t
                .char_indices()
                .rev()
                .find(|(_, c)| c.is_whitespace() || *c == '\u{3000}')
                .map(|(i, c)| (i, c.len_utf8()));
            proptest::prop_assert_eq!(last_space(&t), oracle);
        }

        /// A memoised analysis is exactly the fresh one, whether it was just computed or
        /// taken from the memo (ARCHITECTURE.md invariant 14).
        #[test]
        fn memoised_label_analysis_equals_a_fresh_one(
            label in proptest::collection::vec(proptest::sample::select(vec![
                "一、", "本年新收", "政府信息公开申请数量", "（", "）", "六", "其他处理", "3.", "其他", " ",
                "\u{3000}", "總計", "商業 企業", "申请人", "a", "|", "行政复议", "结果维持",
            ]), 0..12).prop_map(|v: Vec<&str>| v.concat())
        ) {
            let fresh = Analysed::of(&label);
            for _ in 0..2 {
                let a = analyse(&label, true);
                proptest::prop_assert_eq!(&a.norm, &fresh.norm);
                proptest::prop_assert_eq!(&a.hits, &fresh.hits);
            }
        }
    }

    #[test]
    fn the_label_memo_stays_bounded() {
        for i in 0..MEMO_MAX_ENTRIES + 10 {
            analyse(&format!("标签{i}"), true);
        }
        assert!(MEMO.with_borrow(|m| m.len()) <= MEMO_MAX_ENTRIES);
        let long = "长".repeat(MEMO_MAX_LABEL);
        let before = MEMO.with_borrow(|m| m.len());
        analyse(&long, true);
        assert_eq!(MEMO.with_borrow(|m| m.len()), before, "labels over the length bound are not kept");
    }

    #[test]
    fn char_prefix_len_counts_characters() {
        let long = "政府信息公开a1，".repeat(20);
        for t in ["", "abc", "一二三四", "a一b二c三", "１２３", "😀x", long.as_str()] {
            for n in (0..6).chain([31, 32, 33, 63, 64, 100, 150]) {
                let want = t.char_indices().nth(n).map_or(t.len(), |(i, _)| i);
                assert_eq!(char_prefix_len(t, n), want, "{t} {n}");
            }
        }
    }

    #[test]
    fn long_prose_tokens_are_label_text() {
        let prose = "本机关认真贯彻落实政府信息公开条例，持续推进政务公开工作，不断提升政务公开质量和实效。";
        assert!(long_text_token(prose));
        assert!(is_label_text(prose));
        // Short tokens and tokens after a space are decided by the full scan.
        assert!(!long_text_token("一、本年新收 34 0 0 0 0 0 34"));
        assert!(!long_text_token(&format!("{prose} 12")));
    }
}
