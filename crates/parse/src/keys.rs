//! Multi-pattern matching of the label keys (Aho–Corasick, built once): one pass over a
//! label finds every key of every row, instead of one substring search per key.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use gongkai_model::labels::{FORMAT_MARKERS, SECTION_HEADINGS, t2_col_key, t2_row_keys, t3_row_keys};
use gongkai_model::{FormatVersion, T2Col, T2Row, T3Row};

/// Keys with the value each one stands for.
pub struct KeySet<T: 'static> {
    ac: AhoCorasick,
    values: Vec<T>,
}

impl<T: Copy> KeySet<T> {
    fn new(pairs: Vec<(T, &'static str)>) -> Self {
        let ac = AhoCorasick::new(pairs.iter().map(|p| p.1)).expect("static key set builds");
        KeySet { ac, values: pairs.into_iter().map(|p| p.0).collect() }
    }

    /// The value whose key ends last in `hay` (the most specific label comes last in a
    /// joined row label); ties go to the earlier key.
    pub fn last(&self, hay: &str) -> Option<T> {
        let mut best: Option<(usize, usize)> = None;
        for m in self.ac.find_overlapping_iter(hay) {
            let k = m.pattern().as_usize();
            let better = match best {
                None => true,
                Some((e, bk)) => m.end() > e || (m.end() == e && k < bk),
            };
            if better {
                best = Some((m.end(), k));
            }
        }
        best.map(|(_, k)| self.values[k])
    }

    /// Every match: (start, end, value).
    pub fn all<'a>(&'a self, hay: &'a str) -> impl Iterator<Item = (usize, usize, T)> + 'a {
        self.ac.find_overlapping_iter(hay).map(|m| (m.start(), m.end(), self.values[m.pattern().as_usize()]))
    }
}

pub fn t3_rows() -> &'static KeySet<T3Row> {
    static K: OnceLock<KeySet<T3Row>> = OnceLock::new();
    K.get_or_init(|| {
        KeySet::new(T3Row::ALL.iter().flat_map(|r| t3_row_keys(*r).iter().map(move |k| (*r, *k))).collect())
    })
}

pub fn t2_rows() -> &'static KeySet<T2Row> {
    static K: OnceLock<KeySet<T2Row>> = OnceLock::new();
    K.get_or_init(|| {
        KeySet::new(T2Row::ALL.iter().flat_map(|r| t2_row_keys(*r).iter().map(move |k| (*r, *k))).collect())
    })
}

pub fn t2_cols() -> &'static KeySet<T2Col> {
    static K: OnceLock<KeySet<T2Col>> = OnceLock::new();
    K.get_or_init(|| KeySet::new(T2Col::ALL.iter().map(|c| (*c, t2_col_key(*c))).collect()))
}

/// Section heading keys: the value is the section's index in `SECTION_HEADINGS` (0–5).
pub fn sections() -> &'static KeySet<u8> {
    static K: OnceLock<KeySet<u8>> = OnceLock::new();
    K.get_or_init(|| {
        KeySet::new(
            SECTION_HEADINGS
                .iter()
                .enumerate()
                .flat_map(|(i, (_, keys))| keys.iter().map(move |k| (i as u8, *k)))
                .collect(),
        )
    })
}

/// Format markers: (index into FORMAT_MARKERS, format).
pub fn markers() -> &'static KeySet<(usize, FormatVersion)> {
    static K: OnceLock<KeySet<(usize, FormatVersion)>> = OnceLock::new();
    K.get_or_init(|| KeySet::new(FORMAT_MARKERS.iter().enumerate().map(|(i, (m, f))| ((i, *f), *m)).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_label_wins() {
        assert_eq!(t3_rows().last("三,本年度办理结果(三)不予公开1.属于国家秘密"), Some(T3Row::R3_3_1));
        assert_eq!(t3_rows().last("(六)其他处理3.其他"), Some(T3Row::R3_6_3));
        assert_eq!(t3_rows().last("(六)其他处理"), Some(T3Row::R3_6));
        assert_eq!(t2_rows().last("行政规范性文件"), Some(T2Row::Norm));
        let cols: Vec<T2Col> = t2_cols().all("信息内容本年处理决定数量").map(|m| m.2).collect();
        assert!(cols.contains(&T2Col::Decisions) && cols.contains(&T2Col::Decisions2019));
    }
}
