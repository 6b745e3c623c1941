//! Copies of real reports with their digits changed, for benchmarks that must not be helped
//! by caches (the parser's label memo, the page cache of one file read again): the "real mix"
//! of `gongkai-bench realmix`. The structure of the file is kept exactly; only the ASCII digits
//! of numbers in the text change, so every copy parses like the original with other values.
//!
//! Kept as they are: digits inside HTML markup (`colspan="3"` must stay 3), and four-digit runs
//! that read as a year (19xx, 20xx), so the year and format inference see the original report.
//! A number never gains a leading zero.

use crate::Rng;

/// A copy of `bytes` with the digits of its numbers changed, deterministically from `seed`.
pub fn vary_digits(bytes: &[u8], seed: u64) -> Vec<u8> {
    let mut out = bytes.to_vec();
    let mut rng = Rng::new(seed);
    let mut in_tag = false;
    let mut i = 0;
    while i < out.len() {
        let b = out[i];
        if in_tag {
            in_tag = b != b'>';
            i += 1;
            continue;
        }
        if b == b'<' && out.get(i + 1).is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'/' | b'!' | b'?')) {
            in_tag = true;
            i += 1;
            continue;
        }
        if !b.is_ascii_digit() {
            i += 1;
            continue;
        }
        let end = i + out[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        let year = end - i == 4 && (out[i..end].starts_with(b"19") || out[i..end].starts_with(b"20"));
        if !year {
            for (k, d) in out[i..end].iter_mut().enumerate() {
                let v = *d - b'0';
                *d = if k == 0 && end - i > 1 {
                    // Leading digit of a multi-digit number: 1–9 stays in 1–9.
                    b'1' + ((v + 8 + rng.below(9) as u8) % 9)
                } else {
                    b'0' + ((v + rng.below(10) as u8) % 10)
                };
            }
        }
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_change_but_years_markup_and_lengths_stay() {
        let src = "<td colspan=\"3\">2024年收到申请 123 件，办结 45 件</td>".as_bytes();
        let a = vary_digits(src, 1);
        let b = vary_digits(src, 2);
        assert_eq!(a.len(), src.len());
        let a = String::from_utf8(a).unwrap();
        assert!(a.starts_with("<td colspan=\"3\">2024年收到申请 "), "{a}");
        assert!(!a.contains(" 0"), "no leading zero: {a}");
        assert_ne!(a, String::from_utf8(b).unwrap());
        let same: Vec<u8> = vary_digits(src, 1);
        assert_eq!(a.as_bytes(), &same[..], "deterministic");
        let digits_changed = a.bytes().zip(src).filter(|(x, y)| x != *y).count();
        assert!(digits_changed >= 3, "{a}");
    }
}
