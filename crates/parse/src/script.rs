//! Reports inside scripts (issue 13 part 2): some sites deliver the report as a JavaScript
//! or JSON string literal (`let content = "<p>…<table>…"`, `"content":"…"`) with `\"`, `\n`,
//! `\/` and `\uXXXX` escapes, among unrelated script data (menus, dictionaries). When a file
//! holds no report body of its own, the string literal that holds one is found, unescaped
//! and read as HTML; every position is mapped back into the original file, so provenance
//! points at the escaped text where it really is.

use gongkai_model::doc::{Block, Doc, LineIndex};
use gongkai_model::{Report, Src};

/// Literals shorter than this are keys, names and menu entries, not a report.
const MIN_LITERAL: usize = 200;

/// A string literal's content, unescaped, with the original byte offset of every byte of it
/// (and one more entry for its end).
#[derive(Debug)]
pub(crate) struct Embedded {
    pub text: String,
    map: Vec<u32>,
    /// The literal's content in the original text (inside the quotes).
    pub start: usize,
    pub end: usize,
}

/// How much of a report the parse found: distinct sections plus three per table. The
/// embedded literal is read only when the file's own parse falls short of a report.
pub(crate) fn body_score(r: &Report) -> usize {
    let mut ids: Vec<u8> = r.sections.iter().map(|s| s.id.0).collect();
    ids.sort_unstable();
    ids.dedup();
    let t = &r.tables;
    ids.len() + 3 * [t.table2.is_some(), t.table3.is_some(), t.table4.is_some()].iter().filter(|x| **x).count()
}

/// Whether a parse has a complete report body of its own (all three tables and at least
/// five sections): then no literal is looked for (the common case costs nothing).
pub(crate) fn complete(r: &Report) -> bool {
    body_score(r) >= 9 + 5
}

/// Words of a report body: section headings and table anchors.
const BODY_WORDS: &[&str] = &[
    "总体情况",
    "主动公开政府信息",
    "收到和处理政府信息公开申请",
    "行政复议",
    "存在的主要问题",
    "其他需要报告",
    "申请人情况",
    "第二十条",
    "本年新收",
];

/// The string literal that most looks like a report body, if any: in an HTML page only
/// inside `<script>` elements, in any other file anywhere.
pub(crate) fn embedded(src: &str, html: bool) -> Option<Embedded> {
    let mut best: Option<(usize, Embedded)> = None;
    for (from, to) in script_ranges(src, html) {
        for (s, e) in literals(src, from, to) {
            let Some((text, map)) = unescape(&src[s..e], s) else { continue };
            if !text.contains('<') {
                continue;
            }
            let score = BODY_WORDS.iter().filter(|w| text.contains(*w)).count();
            if score >= 2
                && best.as_ref().is_none_or(|(b, emb)| score > *b || (score == *b && text.len() > emb.text.len()))
            {
                best = Some((score, Embedded { text, map, start: s, end: e }));
            }
        }
    }
    best.map(|b| b.1)
}

/// Byte ranges to look for literals in: the contents of `<script>` elements of an HTML page,
/// or the whole text (any other file, or markup without a `<script>`: a `.js` file whose
/// literal holds tags reads as HTML to the sniffer).
fn script_ranges(src: &str, html: bool) -> Vec<(usize, usize)> {
    let whole = vec![(0, src.len())];
    if !html {
        return whole;
    }
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(open) = find_tag(b, from, b"<script") {
        let Some(body) = memchr::memchr(b'>', &b[open..]).map(|i| open + i + 1) else { break };
        let close = find_tag(b, body, b"</script").unwrap_or(src.len());
        out.push((body, close));
        from = close.max(body);
        if from >= src.len() {
            break;
        }
    }
    if out.is_empty() { whole } else { out }
}

/// The first `tag` (which starts with `<`; ASCII case ignored) at or after `from`: a memchr
/// over the `<`, compared in place (no lower-case copy of the page).
fn find_tag(b: &[u8], from: usize, tag: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'<', &b[from..])
        .map(|i| from + i)
        .find(|&at| b[at..].get(..tag.len()).is_some_and(|h| h.eq_ignore_ascii_case(tag)))
}

/// Content spans of the string literals (`"…"`, `'…'`, `` `…` ``) of at least
/// [`MIN_LITERAL`] bytes in `src[from..to]`. A quote that does not close on its line (an
/// apostrophe in a comment) opens nothing; the scan is linear.
fn literals(src: &str, from: usize, to: usize) -> Vec<(usize, usize)> {
    let b = &src.as_bytes()[..to];
    let mut out = Vec::new();
    let mut i = from;
    while let Some(k) = memchr::memchr3(b'"', b'\'', b'`', &b[i.min(to)..]) {
        let q = i + k;
        let open = b[q];
        let mut j = q + 1;
        let mut closed = false;
        while j < to {
            match b[j] {
                b'\\' => j += 2,
                c if c == open => {
                    closed = true;
                    break;
                }
                b'\n' if open != b'`' => break,
                _ => j += 1,
            }
        }
        let j = j.min(to);
        if closed && j - (q + 1) >= MIN_LITERAL {
            out.push((q + 1, j));
        }
        i = j + 1;
        if i >= to {
            break;
        }
    }
    out
}

/// JavaScript/JSON unescaping of a literal's content at byte `base` of the original text:
/// the text and, per output byte, the original offset it came from (escapes map to their
/// backslash). None when the result is not UTF-8 (a `\x` escape of a lone byte).
fn unescape(lit: &str, base: usize) -> Option<(String, Vec<u32>)> {
    let b = lit.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(b.len());
    let mut map: Vec<u32> = Vec::with_capacity(b.len() + 1);
    let hex = |s: &[u8]| -> Option<u32> { u32::from_str_radix(std::str::from_utf8(s).ok()?, 16).ok() };
    let mut i = 0;
    while i < b.len() {
        let at = (base + i) as u32;
        if b[i] != b'\\' || i + 1 >= b.len() {
            out.push(b[i]);
            map.push(at);
            i += 1;
            continue;
        }
        let push_char = |c: char, out: &mut Vec<u8>, map: &mut Vec<u32>| {
            let mut buf = [0u8; 4];
            for x in c.encode_utf8(&mut buf).bytes() {
                out.push(x);
                map.push(at);
            }
        };
        match b[i + 1] {
            b'n' => push_char('\n', &mut out, &mut map),
            b'r' => push_char('\r', &mut out, &mut map),
            b't' => push_char('\t', &mut out, &mut map),
            b'b' | b'f' | b'v' | b'0' => push_char(' ', &mut out, &mut map),
            c @ (b'\\' | b'"' | b'\'' | b'/') => push_char(char::from(c), &mut out, &mut map),
            // A line continuation adds nothing.
            b'\n' => {}
            b'x' if i + 4 <= b.len() => {
                let c = hex(&b[i + 2..i + 4]).and_then(char::from_u32).unwrap_or('\u{FFFD}');
                push_char(c, &mut out, &mut map);
                i += 4;
                continue;
            }
            b'u' if b.get(i + 2) == Some(&b'{') => {
                let close = b[i + 3..].iter().position(|c| *c == b'}').map(|p| i + 3 + p);
                let c = close.and_then(|e| hex(&b[i + 3..e])).and_then(char::from_u32).unwrap_or('\u{FFFD}');
                push_char(c, &mut out, &mut map);
                i = close.map_or(b.len(), |e| e + 1);
                continue;
            }
            b'u' if i + 6 <= b.len() => {
                let hi = hex(&b[i + 2..i + 6]).unwrap_or(0xFFFD);
                let mut len = 6;
                let c = if (0xD800..0xDC00).contains(&hi) {
                    // A surrogate pair: \uD83D\uDE00.
                    match (b.get(i + 6..i + 8), b.get(i + 8..i + 12).and_then(hex)) {
                        (Some(b"\\u"), Some(lo)) if (0xDC00..0xE000).contains(&lo) => {
                            len = 12;
                            char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                        }
                        _ => None,
                    }
                } else {
                    char::from_u32(hi)
                };
                push_char(c.unwrap_or('\u{FFFD}'), &mut out, &mut map);
                i += len;
                continue;
            }
            // Any other escaped character stands for itself; it may be multi-byte, and is
            // copied whole by the plain branch.
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    map.push((base + b.len()) as u32);
    String::from_utf8(out).ok().map(|t| (t, map))
}

/// Map every position of a document read from `emb.text` back into the original text.
/// A paragraph stays `verbatim` only when the original bytes are its text (no escape inside).
pub(crate) fn remap(doc: &mut Doc, emb: &Embedded, orig: &str) {
    let index = LineIndex::new(orig);
    let map = |s: Src| -> Src {
        let at = |o: u32| emb.map.get(o as usize).copied().unwrap_or(emb.end as u32) as usize;
        let (start, end) = (at(s.start), at(s.end).max(at(s.start)));
        Src { grid: s.grid, ..index.src(orig, start, end) }
    };
    let fix_para = |p: &mut gongkai_model::Para| {
        p.src = map(p.src);
        p.verbatim = p.verbatim && orig.get(p.src.start as usize..p.src.end as usize) == Some(p.text.as_str());
    };
    for b in &mut doc.blocks {
        match b {
            Block::Para(p) => fix_para(p),
            Block::Table(g) => {
                g.src = map(g.src);
                for row in &mut g.rows {
                    for c in row {
                        c.src = map(c.src);
                    }
                }
            }
        }
    }
    if let Some(p) = &mut doc.title_hint {
        fix_para(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_maps_every_byte_back() {
        let lit = r#"<p>\u4e00\u3001\u603b\u4f53\u60c5\u51b5<\/p>\n<td class=\"n\">12</td>\ud83d\ude00"#;
        let (t, map) = unescape(lit, 100).unwrap();
        assert_eq!(t, "<p>一、总体情况</p>\n<td class=\"n\">12</td>😀");
        assert_eq!(map.len(), t.len() + 1);
        // "12" is at the same bytes in the original.
        let twelve = t.find("12").unwrap();
        let o = map[twelve] as usize - 100;
        assert_eq!(&lit[o..o + 2], "12");
        // An escaped ideograph maps to its backslash.
        assert_eq!(map[3] as usize - 100, 3);
    }

    #[test]
    fn literals_skip_apostrophes_and_short_strings() {
        let long = "x".repeat(MIN_LITERAL);
        let src = format!("// don't\nvar menu = {{\"a\": \"b\"}};\nlet content = \"{long}\";\n");
        let l = literals(&src, 0, src.len());
        assert_eq!(l.len(), 1);
        assert_eq!(&src[l[0].0..l[0].1], long);
    }

    #[test]
    fn unterminated_and_odd_escapes_do_not_panic() {
        for s in ["\\", "\\u12", "\\u{110000}", "\\x", "\\uD800", "\\uD800\\u0041", "a\\\u{4e2d}"] {
            let _ = unescape(s, 0);
        }
        let _ = literals("\"abc\\", 0, 5);
        let _ = embedded("<script>\"", true);
    }

    /// The ranges as first computed (on a lower-case copy of the page, `str::find`): the
    /// in-place search must give the same.
    fn script_ranges_reference(src: &str) -> Vec<(usize, usize)> {
        let lower = src.to_ascii_lowercase();
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(open) = lower[from..].find("<script").map(|i| from + i) {
            let Some(body) = lower[open..].find('>').map(|i| open + i + 1) else { break };
            let close = lower[body..].find("</script").map_or(src.len(), |i| body + i);
            out.push((body, close));
            from = close.max(body);
            if from >= src.len() {
                break;
            }
        }
        if out.is_empty() { vec![(0, src.len())] } else { out }
    }

    proptest::proptest! {
        #[test]
        fn script_ranges_agree_with_the_reference(
            parts in proptest::collection::vec(proptest::sample::select(vec![
                "<script>", "<SCRIPT type=x>", "<Script", "</script>", "</SCRIPT >", "</scr", "<scrip",
                "<", ">", "<<", "报告", "var a = \"x\";", " ", "\n", "<p>",
            ]), 0..30),
        ) {
            let src = parts.concat();
            proptest::prop_assert_eq!(script_ranges(&src, true), script_ranges_reference(&src));
        }
    }
}
