//! Encoding detection: BOM, then (for HTML) a `<meta charset>` prescan, then UTF-8
//! validity, then statistical sniffing (chardetng) for GBK/GB18030/Big5 and the rest.

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};

/// Decoded text and what it was decoded from.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
    /// Some byte sequences were invalid in the chosen encoding (replaced by U+FFFD).
    pub had_errors: bool,
}

/// How far into an HTML file the `<meta charset>` prescan looks.
const PRESCAN: usize = 4096;

/// Whether the bytes look like an HTML document (regardless of file name): within the first
/// 4 KiB, one of `<html`, `<!doctype html`, `<body`, `<head`, or two of `<table`, `<div`,
/// `<p>`, `<p `, `<td`, `<span`, `<br` (ASCII case ignored), where tags inside a table do not
/// count. Markdown or text with an HTML table left in it (a converter's way with merged
/// cells) is text: its only tag outside the tables is `<table` itself, and the text front end
/// reads the table. One pass over the `<` of the prefix (memchr), with no copy of it.
pub fn looks_like_html(bytes: &[u8]) -> bool {
    const DOCUMENT: [&[u8]; 4] = [b"<html", b"<!doctype html", b"<body", b"<head"];
    const TAGS: [&[u8]; 7] = [b"<table", b"<div", b"<p>", b"<p ", b"<td", b"<span", b"<br"];
    let head = &bytes[..bytes.len().min(4096)];
    let mut seen = 0u8;
    let mut depth = 0usize;
    for at in memchr::memchr_iter(b'<', head) {
        let rest = &head[at..];
        let starts = |pat: &[u8]| rest.len() >= pat.len() && rest[..pat.len()].eq_ignore_ascii_case(pat);
        if DOCUMENT.iter().any(|p| starts(p)) {
            return true;
        }
        if starts(b"</table") {
            depth = depth.saturating_sub(1);
            continue;
        }
        let inside = depth > 0;
        if starts(b"<table") {
            depth += 1;
        }
        if inside {
            continue;
        }
        for (i, tag) in TAGS.iter().enumerate() {
            if starts(tag) {
                seen |= 1 << i;
            }
        }
    }
    seen.count_ones() >= 2
}

/// Whether HTML-looking bytes are Markdown with tags left in it (pandoc's GFM output keeps
/// `<span style=…>` inside cells and `<div>` around blocks): no `<html`, `<!doctype html`,
/// `<body` or `<head` in the first 4 KiB, and a Markdown table rule (`|---|---|`, `---|---`,
/// pandoc's `----- -----`) on a line of its own somewhere, or a pandoc `:::` fence. Such a file is read as text (whose front end blanks the
/// tags and hands any HTML table to the HTML reader); read as HTML, its pipe tables would be
/// lost.
pub fn is_markdown_with_tags(bytes: &[u8]) -> bool {
    const DOCUMENT: [&[u8]; 4] = [b"<html", b"<!doctype html", b"<body", b"<head"];
    let head = &bytes[..bytes.len().min(4096)];
    let document = memchr::memchr_iter(b'<', head).any(|at| {
        let rest = &head[at..];
        DOCUMENT.iter().any(|p| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p))
    });
    if document {
        return false;
    }
    // pandoc's own Markdown: a `:::` fence for a `<div>` at the start of a line, then a space
    // or a brace (`::: meta`, `::: {style=…}`), not a row of colons.
    let fence = |at: usize| matches!(bytes.get(at + 3), Some(b' ' | b'{'));
    if (bytes.starts_with(b":::") && fence(0)) || memchr::memmem::find_iter(bytes, b"\n:::").any(|k| fence(k + 1)) {
        return true;
    }
    // Each line is looked at once: the search goes on after the line of a `---` it found.
    let finder = memchr::memmem::Finder::new(b"---");
    let mut from = 0;
    while let Some(at) = finder.find(&bytes[from..]).map(|k| from + k) {
        let start = memchr::memrchr(b'\n', &bytes[from..at]).map_or(from, |k| from + k + 1);
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |k| at + k);
        if is_markdown_rule_line(&bytes[start..end]) {
            return true;
        }
        from = end;
    }
    false
}

/// Whether a line is a Markdown table rule: only `|`, `-`, `:`, spaces, with a `|` (pipe
/// tables), or dashes in two runs or more parted by spaces (pandoc's simple tables).
fn is_markdown_rule_line(line: &[u8]) -> bool {
    let pipe = line.contains(&b'|') && line.iter().all(|b| matches!(b, b'|' | b'-' | b':' | b' ' | b'\t' | b'\r'));
    let simple = line.iter().all(|b| matches!(b, b'-' | b' ' | b'\r'))
        && line.split(|b| *b == b' ').filter(|run| run.len() >= 3).count() >= 2;
    pipe || simple
}

/// Find `charset=LABEL` in the first bytes of an HTML document.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(p) = lower[from..].windows(7).position(|w| w == b"charset").map(|p| p + from) {
        from = p + 7;
        // Only inside a <meta …> tag: the last '<' before it opens "<meta".
        let tag_start = lower[..p].iter().rposition(|b| *b == b'<')?;
        if !lower[tag_start..].starts_with(b"<meta") || lower[tag_start..p].contains(&b'>') {
            continue;
        }
        let mut i = from;
        while i < lower.len() && matches!(lower[i], b' ' | b'\t' | b'\n' | b'\r' | b'=' | b'"' | b'\'') {
            i += 1;
        }
        let s = i;
        while i < lower.len() && (lower[i].is_ascii_alphanumeric() || matches!(lower[i], b'-' | b'_' | b':' | b'.')) {
            i += 1;
        }
        if let Some(e) = Encoding::for_label(&lower[s..i]) {
            return Some(e);
        }
    }
    None
}

/// Decode bytes to text. Never fails: undecodable bytes become U+FFFD and `had_errors` says so.
///
/// UTF-8 is validated once, by `simdutf8` (SIMD), and copied once into the text: on Chinese
/// text that costs about a quarter of the standard library's validation alone, which is the
/// only safe way to keep the bytes' own buffer (`String::from_utf8`; the workspace forbids
/// `unsafe`). Other encodings are transcoded into a new string.
pub fn decode<'a>(bytes: impl Into<Cow<'a, [u8]>>, is_html: bool) -> Decoded {
    let bytes = bytes.into();
    if let Some((enc, bom_len)) = Encoding::for_bom(&bytes) {
        return finish(enc, &bytes[bom_len..]);
    }
    match simdutf8::basic::from_utf8(&bytes) {
        Ok(text) => match encoding_of(text.as_bytes(), is_html, true) {
            enc if enc == UTF_8 => Decoded { text: text.to_owned(), encoding: UTF_8.name(), had_errors: false },
            enc => finish(enc, text.as_bytes()),
        },
        Err(_) => finish(encoding_of(&bytes, is_html, false), &bytes),
    }
}

/// The encoding of BOM-less bytes: a page's `<meta charset>` (unless it claims Unicode and
/// the bytes are not UTF-8: a page that lies is sniffed), else UTF-8 when `utf8_ok`, else
/// statistical sniffing.
fn encoding_of(bytes: &[u8], is_html: bool, utf8_ok: bool) -> &'static Encoding {
    if is_html && let Some(enc) = meta_charset(bytes) {
        // UTF-16 cannot be what a byte-oriented prescan read: such a claim means UTF-8.
        let claims_unicode = enc == UTF_8 || enc == UTF_16LE || enc == UTF_16BE;
        if !claims_unicode || utf8_ok {
            return if claims_unicode { UTF_8 } else { enc };
        }
    }
    if utf8_ok {
        return UTF_8;
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    det.guess(None, true)
}

fn finish(enc: &'static Encoding, bytes: &[u8]) -> Decoded {
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    Decoded { text: text.into_owned(), encoding: enc.name(), had_errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(s: &str) -> Vec<u8> {
        encoding_rs::GBK.encode(s).0.into_owned()
    }

    const TEXT: &str = "政府信息公开工作年度报告：本年新收政府信息公开申请数量，上年结转政府信息公开申请数量。";

    #[test]
    fn meta_charset_gb2312_means_gbk() {
        let mut b =
            b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>"
                .to_vec();
        b.extend(gbk(TEXT));
        let d = decode(&b, true);
        assert_eq!(d.encoding, "GBK");
        assert!(d.text.contains(TEXT));
        assert!(!d.had_errors);
    }

    #[test]
    fn gbk_without_meta_is_sniffed() {
        let b = gbk(&TEXT.repeat(3));
        let d = decode(&b, false);
        assert!(d.encoding == "GBK" || d.encoding == "gb18030", "{}", d.encoding);
        assert!(d.text.contains(TEXT));
    }

    #[test]
    fn big5_is_sniffed() {
        let trad = "政府資訊公開工作年度報告：本年新收政府資訊公開申請數量，上年結轉申請數量。".repeat(3);
        let b = encoding_rs::BIG5.encode(&trad).0.into_owned();
        let d = decode(&b, false);
        assert_eq!(d.encoding, "Big5");
        assert_eq!(d.text, trad);
    }

    #[test]
    fn boms_win() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend(TEXT.as_bytes());
        assert_eq!(decode(&b, false).text, TEXT);
        let mut b = vec![0xFF, 0xFE];
        for u in TEXT.encode_utf16() {
            b.extend(u.to_le_bytes());
        }
        let d = decode(&b, false);
        assert_eq!((d.encoding, d.text.as_str()), ("UTF-16LE", TEXT));
    }

    #[test]
    fn a_meta_claiming_utf8_on_gbk_bytes_is_not_believed() {
        let mut b = b"<html><head><meta charset=\"utf-8\"></head><body>".to_vec();
        b.extend(gbk(&TEXT.repeat(3)));
        let d = decode(&b, true);
        assert_ne!(d.encoding, "UTF-8");
        assert!(d.text.contains(TEXT));
    }

    #[test]
    fn html_sniffing() {
        assert!(looks_like_html(b"\n  <!DOCTYPE html><html>"));
        assert!(looks_like_html(b"<div><p>x</p><table></table></div>"));
        assert!(!looks_like_html("一、总体情况\n| a | b |".as_bytes()));
        // Markdown with an HTML table in it is text; a page with paragraphs and a table is not.
        assert!(!looks_like_html("## 二、主动公开\n<table><tr><td>规章</td><td>0</td></tr></table>\n".as_bytes()));
        assert!(looks_like_html(b"<p>x</p>\n<table><tr><td>0</td></tr></table>"));
        assert!(looks_like_html(b"<table><tr><td>0</td></tr></table><br>"));
    }

    #[test]
    fn markdown_with_tags_is_told_from_a_page() {
        let gfm =
            "<div>\n\n<span>前言</span>\n\n| <span>规章</span> | <span>0</span> |\n|---|---|\n| a | 1 |\n</div>\n";
        assert!(looks_like_html(gfm.as_bytes()) && is_markdown_with_tags(gfm.as_bytes()));
        // html2text's rule without outer pipes.
        assert!(is_markdown_with_tags(b"<div><p>x</p>\na| b\n---|---  \n"));
        // A page, even with such a line in it; a page without one.
        assert!(!is_markdown_with_tags(b"<html><body><p>|---|</p>\n|---|---|\n</body></html>"));
        assert!(!is_markdown_with_tags(b"<div><p>x</p><p>---</p><p>a|b</p></div>"));
        assert!(!is_markdown_with_tags(b"<div><p>x</p>\n--- | x\n</div>"));
        // pandoc's own Markdown: fences, simple-table rules.
        assert!(is_markdown_with_tags(b"::: meta\n<div>\n\n**x**\n\n</div>\n:::\n<span>a</span>"));
        assert!(is_markdown_with_tags(b"<div><p>x</p>\n  -------- ------\n  a  1\n"));
        assert!(!is_markdown_with_tags(b"<div><p>x</p>\n--------\n<span>a</span>"));
        assert!(!is_markdown_with_tags(b"<div><p>x</p>\n::::::::\n<span>a</span>"));
    }

    /// The sniffing rule written plainly (a lower-case copy of the prefix, the tables'
    /// insides cut out of it, a window search per pattern): the single pass must answer
    /// exactly as it does.
    fn looks_like_html_reference(bytes: &[u8]) -> bool {
        let head = &bytes[..bytes.len().min(4096)];
        let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
        let mut outside = Vec::new();
        let (mut depth, mut i) = (0usize, 0);
        while i < lower.len() {
            if lower[i..].starts_with(b"</table") {
                depth = depth.saturating_sub(1);
                // A mark so that what stood either side of it never reads as one tag.
                outside.push(0);
                i += 7;
            } else if lower[i..].starts_with(b"<table") {
                if depth == 0 {
                    outside.extend_from_slice(b"<table");
                }
                depth += 1;
                i += 6;
            } else {
                if depth == 0 {
                    outside.push(lower[i]);
                }
                i += 1;
            }
        }
        let has = |hay: &[u8], pat: &[u8]| hay.windows(pat.len()).any(|w| w == pat);
        let document = [&b"<html"[..], b"<!doctype html", b"<body", b"<head"];
        document.iter().any(|p| has(&lower, p)) || {
            let tags = [&b"<table"[..], b"<div", b"<p>", b"<p ", b"<td", b"<span", b"<br"];
            tags.iter().filter(|t| has(&outside, t)).count() >= 2
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        #[test]
        fn html_sniffing_agrees_with_the_reference(
            parts in proptest::collection::vec(proptest::prop_oneof![
                proptest::sample::select(vec![
                    "<html", "<HTML>", "<!doctype html>", "<!DOCTYPE HTML", "<body", "<Head>", "<table",
                    "<TD>", "<div", "<p>", "<P ", "<p", "<span", "<br/>", "<b", "<", "<<", "报告", "\n", " ",
                    "</table>", "</TABLE", "<TABLE border=1>",
                ]).prop_map(str::to_string),
                "[a-z<> 一]{0,12}",
            ], 0..40),
            pad in 0usize..4200,
        ) {
            let mut b = " ".repeat(pad).into_bytes();
            b.extend(parts.concat().into_bytes());
            proptest::prop_assert_eq!(looks_like_html(&b), looks_like_html_reference(&b));
        }
    }

    #[test]
    fn owned_and_borrowed_bytes_decode_alike() {
        let mut meta_gbk = b"<html><head><meta charset=\"gbk\"></head><body>".to_vec();
        meta_gbk.extend(gbk(TEXT));
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend(TEXT.as_bytes());
        let mut lying = b"<html><head><meta charset=\"utf-8\"></head><body>".to_vec();
        lying.extend(gbk(&TEXT.repeat(3)));
        let cases: Vec<(Vec<u8>, bool)> = vec![
            (TEXT.as_bytes().to_vec(), false),
            (format!("<html><head><meta charset=\"gbk\"></head><body>{TEXT}").into_bytes(), true),
            (meta_gbk, true),
            (bom, false),
            (lying, true),
            (gbk(&TEXT.repeat(3)), false),
            (vec![b'a', 0xFF, b'b'], false),
            (Vec::new(), false),
        ];
        for (bytes, is_html) in cases {
            let (borrowed, owned) = (decode(&bytes, is_html), decode(bytes.clone(), is_html));
            assert_eq!(
                (&borrowed.text, borrowed.encoding, borrowed.had_errors),
                (&owned.text, owned.encoding, owned.had_errors),
                "{bytes:?}"
            );
        }
    }

    #[test]
    fn the_simd_validation_agrees_with_the_standard_librarys() {
        // Valid text of every UTF-8 length, and the invalid sequences validators get wrong:
        // overlong forms, surrogates, code points above U+10FFFF, truncated and stray
        // continuation bytes, at every position in a 64-byte run (SIMD block edges).
        let pieces: [&[u8]; 12] = [
            "政府信息公开".as_bytes(),
            "a1 ".as_bytes(),
            "é".as_bytes(),
            "😀".as_bytes(),
            &[0xC0, 0xAF],
            &[0xE0, 0x80, 0xAF],
            &[0xED, 0xA0, 0x80],
            &[0xF4, 0x90, 0x80, 0x80],
            &[0xE6, 0x94],
            &[0x80],
            &[0xF0, 0x9F, 0x98],
            &[0xFF],
        ];
        for (k, bad) in pieces.iter().enumerate() {
            for at in 0..64 {
                let mut b = "公".repeat(at / 3).into_bytes();
                b.extend(std::iter::repeat_n(b'x', at % 3));
                b.extend_from_slice(bad);
                b.extend_from_slice("开放".repeat(20).as_bytes());
                let std_ok = std::str::from_utf8(&b).is_ok();
                assert_eq!(std_ok, k < 4, "piece {k}");
                let d = decode(b.clone(), false);
                if std_ok {
                    assert_eq!((d.text.as_bytes(), d.encoding, d.had_errors), (&b[..], "UTF-8", false));
                } else {
                    assert_ne!(d.text.as_bytes(), &b[..], "piece {k} at {at}");
                }
            }
        }
    }
}
