//! Whitespace at the ends of text, matched on the UTF-8 bytes.
//!
//! Cells and lines are trimmed by the hundred per report; most start and end with a byte that
//! starts or ends no whitespace character, and decoding them cost more than the rest of the
//! trim. The whitespace is Unicode's White_Space set (what `char::is_whitespace` accepts,
//! U+3000 included), plus U+FEFF where [`Bom::Space`] says so.

/// Whether U+FEFF (a byte-order mark left inside text) counts as whitespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bom {
    /// U+FEFF is whitespace (the parsers' trims).
    Space,
    /// U+FEFF is text (`char::is_whitespace`).
    Text,
}

/// Whether `c` is exactly the UTF-8 encoding of a non-ASCII whitespace character: U+0085,
/// U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000 (the White_Space
/// set beyond ASCII) and, with [`Bom::Space`], U+FEFF.
#[inline]
pub fn is_space_bytes(c: &[u8], bom: Bom) -> bool {
    match c {
        [0xC2, 0x85 | 0xA0]
        | [0xE1, 0x9A, 0x80]
        | [0xE2, 0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF]
        | [0xE2, 0x81, 0x9F]
        | [0xE3, 0x80, 0x80] => true,
        [0xEF, 0xBB, 0xBF] => bom == Bom::Space,
        _ => false,
    }
}

/// Byte length of the whitespace character that starts at `s` (before `e`), or 0.
#[inline]
fn space_at(b: &[u8], s: usize, e: usize, bom: Bom) -> usize {
    let Some(&first) = b.get(s).filter(|_| s < e) else { return 0 };
    match first {
        b' ' | b'\t'..=b'\r' => 1,
        0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF => {
            let n = if first == 0xC2 { 2 } else { 3 };
            b.get(s..s + n).filter(|_| s + n <= e).map_or(0, |c| if is_space_bytes(c, bom) { n } else { 0 })
        }
        _ => 0,
    }
}

/// Byte length of the whitespace character that ends at `e` (after `s`), or 0.
#[inline]
fn space_before(b: &[u8], s: usize, e: usize, bom: Bom) -> usize {
    if e <= s || e > b.len() {
        return 0;
    }
    match b[e - 1] {
        b' ' | b'\t'..=b'\r' => 1,
        // Last bytes of the non-ASCII whitespace characters (see `is_space_bytes`).
        0x80..=0x8A | 0x9F | 0xA0 | 0xA8 | 0xA9 | 0xAF | 0xBF => {
            if e - s >= 2 && is_space_bytes(&b[e - 2..e], bom) {
                2
            } else if e - s >= 3 && is_space_bytes(&b[e - 3..e], bom) {
                3
            } else {
                0
            }
        }
        _ => 0,
    }
}

/// The byte range `start..e` of `b` without the whitespace at its ends; a blank range is
/// empty at its start. `start` and `e` must be character boundaries.
#[inline]
pub fn trim_range(b: &[u8], start: usize, e: usize, bom: Bom) -> (usize, usize) {
    let e = e.min(b.len());
    let start = start.min(e);
    // Most ranges start with a byte that starts no whitespace character and end with one
    // that ends none: nothing to trim.
    if start < e
        && !matches!(b[start], b' ' | b'\t'..=b'\r' | 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF)
        && !matches!(b[e - 1], b' ' | b'\t'..=b'\r' | 0x80..=0x8A | 0x9F | 0xA0 | 0xA8 | 0xA9 | 0xAF | 0xBF)
    {
        return (start, e);
    }
    let mut s = start;
    while let n @ 1.. = space_at(b, s, e, bom) {
        s += n;
    }
    if s == e {
        return (start, start);
    }
    let mut e = e;
    while let n @ 1.. = space_before(b, s, e, bom) {
        e -= n;
    }
    (s, e)
}

/// `t` without the whitespace at its ends.
#[inline]
pub fn trim(t: &str, bom: Bom) -> &str {
    let (s, e) = trim_range(t.as_bytes(), 0, t.len(), bom);
    &t[s..e]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character of the Basic Multilingual Plane and some beyond, alone and between
    /// ideographs: the byte matchers agree with `char::is_whitespace` (and U+FEFF as asked).
    #[test]
    fn byte_matchers_agree_with_char_is_whitespace_exhaustively() {
        for cp in (0..0x3_0000u32).filter_map(char::from_u32) {
            for bom in [Bom::Space, Bom::Text] {
                let space = cp.is_whitespace() || (bom == Bom::Space && cp == '\u{FEFF}');
                let alone = cp.to_string();
                assert_eq!(trim(&alone, bom).is_empty(), space, "{cp:?} {bom:?}");
                let framed = format!("一{cp}一");
                assert_eq!(trim(&framed, bom), framed.as_str());
                let outside = format!("{cp}一{cp}");
                assert_eq!(trim(&outside, bom), if space { "一" } else { outside.as_str() }, "{cp:?}");
            }
        }
    }
}
