//! Multi-pattern matching of the label keys (Aho–Corasick, built once): one pass over a
//! label finds every key of every row, instead of one substring search per key.

use std::sync::OnceLock;

#[cfg(test)]
use aho_corasick::AhoCorasick;
#[cfg(test)]
use gongkai_model::FormatVersion;
use gongkai_model::{T2Col, T2Row, T3Row};

use crate::labels::{FORMAT_MARKERS, SECTION_KEYS, t2_col_key, t2_row_keys, t3_row_keys};

/// Keys with the value each one stands for: one automaton per kind of key, as the
/// interpreter used before the lexicon; kept as the lexicon's test oracle.
#[cfg(test)]
pub struct KeySet<T: 'static> {
    ac: AhoCorasick,
    values: Vec<T>,
}

#[cfg(test)]
impl<T: Copy> KeySet<T> {
    fn new(pairs: Vec<(T, &'static str)>) -> Self {
        let ac = AhoCorasick::new(pairs.iter().map(|p| p.1)).expect("static key set builds");
        KeySet { ac, values: pairs.into_iter().map(|p| p.0).collect() }
    }

    /// The value whose key ends last in `hay` (the most specific label comes last in a
    /// joined row label); ties go to the earlier key.
    #[cfg(test)]
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

/// Words the interpreter tests labels for, besides the row and column keys: region markers,
/// format hints and the words of table 四's header rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Word {
    NewReceived,
    ApplicantHeader,
    IdentityNote,
    Review,
    Litigation,
    Article20,
    Made2019,
    Published2019,
    Total2019,
    Prev2019,
    Item9_2019,
    NoCorrection,
    FeePaid,
    FeeNotice,
    Six,
    OtherHandling,
    DirectSuit,
    SuitAfterReview,
    Maintained,
    Corrected,
    OtherResult,
    Pending,
    Total,
}

const WORDS: &[(Word, &str)] = &[
    (Word::NewReceived, "本年新收"),
    (Word::ApplicantHeader, "申请人情况"),
    (Word::IdentityNote, "勾稽关系"),
    (Word::Review, "行政复议"),
    (Word::Litigation, "行政诉讼"),
    (Word::Article20, "第二十条"),
    (Word::Made2019, "本年新制作"),
    (Word::Published2019, "本年新公开"),
    (Word::Total2019, "对外公开总数"),
    (Word::Prev2019, "上一年项目数"),
    (Word::Item9_2019, "第二十条第(九)项"),
    (Word::NoCorrection, "逾期不补正"),
    (Word::FeePaid, "缴纳费用"),
    (Word::FeeNotice, "收费通知"),
    (Word::Six, "(六)"),
    (Word::OtherHandling, "其他处理"),
    (Word::DirectSuit, "未经复议直接起诉"),
    (Word::SuitAfterReview, "复议后起诉"),
    (Word::Maintained, "结果维持"),
    (Word::Corrected, "结果纠正"),
    (Word::OtherResult, "其他结果"),
    (Word::Pending, "尚未审结"),
    (Word::Total, "总计"),
];

/// The text of a word, as the lexicon matches it (normalised).
pub fn word_text(w: Word) -> &'static str {
    WORDS.iter().find(|(x, _)| *x == w).map_or("", |(_, t)| t)
}

/// What a key of the lexicon stands for. `rank` orders keys of one kind as the per-kind key
/// lists do (ties between matches ending at the same byte go to the lower rank).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    T3(T3Row),
    T2Row(T2Row),
    T2Col(T2Col),
    /// Index into `FORMAT_MARKERS`.
    Marker(u8),
    /// Index into `SECTION_KEYS` (0–5).
    Section(u8),
    Word(Word),
}

/// Every key the interpreter looks for in a label, in one automaton: a label is scanned
/// once ([`Hits::of`]) and every question about it (which row of table 三 or 二, which
/// columns, which format markers, which words) is answered from the hits. Before, each
/// question ran its own automaton or substring search over the same label.
pub struct Lexicon {
    dfa: aho_corasick::dfa::DFA,
    keys: Vec<(Key, u16)>,
}

pub fn lexicon() -> &'static Lexicon {
    static L: OnceLock<Lexicon> = OnceLock::new();
    L.get_or_init(|| {
        let mut pairs: Vec<((Key, u16), &'static str)> = Vec::new();
        let mut rank = 0u16;
        for r in T3Row::ALL {
            for k in t3_row_keys(*r) {
                pairs.push(((Key::T3(*r), rank), k));
                rank += 1;
            }
        }
        rank = 0;
        for r in T2Row::ALL {
            for k in t2_row_keys(*r) {
                pairs.push(((Key::T2Row(*r), rank), k));
                rank += 1;
            }
        }
        for (i, c) in T2Col::ALL.iter().enumerate() {
            pairs.push(((Key::T2Col(*c), i as u16), t2_col_key(*c)));
        }
        for (i, (m, _)) in FORMAT_MARKERS.iter().enumerate() {
            pairs.push(((Key::Marker(i as u8), i as u16), m));
        }
        for (i, keys) in SECTION_KEYS.iter().enumerate() {
            for k in *keys {
                pairs.push(((Key::Section(i as u8), i as u16), k));
            }
        }
        for (i, (w, k)) in WORDS.iter().enumerate() {
            pairs.push(((Key::Word(*w), i as u16), k));
        }
        // A full DFA (about 600 KiB, built once): one table lookup per byte. Labels are short
        // and have several matches each, so the DFA is driven directly ([`Hits::of`]) rather
        // than through the overlapping-match iterator, whose set-up per match cost more than
        // the scan.
        let dfa = aho_corasick::dfa::DFA::new(pairs.iter().map(|p| p.1)).expect("static lexicon builds");
        Lexicon { dfa, keys: pairs.into_iter().map(|p| p.0).collect() }
    })
}

/// One match of a lexicon key in a normalised label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: u32,
    pub end: u32,
    pub key: Key,
    rank: u16,
}

/// All lexicon matches in one normalised label.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Hits {
    words: u32,
    list: Vec<Hit>,
}

impl Hits {
    /// Scan `norm` once (overlapping matches: every occurrence of every key).
    pub fn of(norm: &str) -> Hits {
        use aho_corasick::Anchored;
        use aho_corasick::automaton::Automaton;
        let lex = lexicon();
        let dfa = &lex.dfa;
        let mut h = Hits { words: 0, list: Vec::with_capacity(4) };
        // Every match of every key, in the order of their end and, at one end, of the state's
        // match list: the order the overlapping iterator reports them in.
        let Ok(mut sid) = dfa.start_state(Anchored::No) else { return h };
        for (i, &b) in norm.as_bytes().iter().enumerate() {
            sid = dfa.next_state(Anchored::No, sid, b);
            if !dfa.is_special(sid) {
                continue;
            }
            if dfa.is_dead(sid) {
                break;
            }
            for k in 0..dfa.match_len(sid) {
                let pid = dfa.match_pattern(sid, k);
                let (key, rank) = lex.keys[pid.as_usize()];
                if let Key::Word(w) = key {
                    h.words |= 1 << (w as u8);
                }
                let end = i + 1;
                h.list.push(Hit { start: (end - dfa.pattern_len(pid)) as u32, end: end as u32, key, rank });
            }
        }
        h
    }

    pub fn has(&self, w: Word) -> bool {
        self.words & (1 << (w as u8)) != 0
    }

    pub fn has_any(&self, ws: &[Word]) -> bool {
        ws.iter().any(|w| self.has(*w))
    }

    /// The key of one kind that ends last (the most specific label comes last in a joined
    /// row label); ties go to the key listed first.
    fn last<T>(&self, pick: impl Fn(Key) -> Option<T>) -> Option<T> {
        let mut best: Option<(u32, u16, T)> = None;
        for h in &self.list {
            let Some(v) = pick(h.key) else { continue };
            let better = match &best {
                None => true,
                Some((e, r, _)) => h.end > *e || (h.end == *e && h.rank < *r),
            };
            if better {
                best = Some((h.end, h.rank, v));
            }
        }
        best.map(|b| b.2)
    }

    pub fn last_t3(&self) -> Option<T3Row> {
        self.last(|k| if let Key::T3(r) = k { Some(r) } else { None })
    }

    pub fn last_t2_row(&self) -> Option<T2Row> {
        self.last(|k| if let Key::T2Row(r) = k { Some(r) } else { None })
    }

    pub fn any_t2_row(&self) -> bool {
        self.list.iter().any(|h| matches!(h.key, Key::T2Row(_)))
    }

    /// Table-二 column keys: (start, end, column).
    pub fn t2_cols(&self) -> impl Iterator<Item = (usize, usize, T2Col)> + '_ {
        self.list.iter().filter_map(|h| match h.key {
            Key::T2Col(c) => Some((h.start as usize, h.end as usize, c)),
            _ => None,
        })
    }

    /// Section heading keys lying wholly inside the byte range `from..to` of the label, as
    /// indices into `SECTION_KEYS`.
    pub fn sections_within(&self, from: usize, to: usize) -> impl Iterator<Item = u8> + '_ {
        self.list.iter().filter_map(move |h| match h.key {
            Key::Section(i) if h.start as usize >= from && h.end as usize <= to => Some(i),
            _ => None,
        })
    }

    /// Format markers, as indices into `FORMAT_MARKERS`.
    pub fn markers(&self) -> impl Iterator<Item = usize> + '_ {
        self.list.iter().filter_map(|h| match h.key {
            Key::Marker(i) => Some(usize::from(i)),
            _ => None,
        })
    }
}

#[cfg(test)]
pub fn t3_rows() -> &'static KeySet<T3Row> {
    static K: OnceLock<KeySet<T3Row>> = OnceLock::new();
    K.get_or_init(|| {
        KeySet::new(T3Row::ALL.iter().flat_map(|r| t3_row_keys(*r).iter().map(move |k| (*r, *k))).collect())
    })
}

#[cfg(test)]
pub fn t2_rows() -> &'static KeySet<T2Row> {
    static K: OnceLock<KeySet<T2Row>> = OnceLock::new();
    K.get_or_init(|| {
        KeySet::new(T2Row::ALL.iter().flat_map(|r| t2_row_keys(*r).iter().map(move |k| (*r, *k))).collect())
    })
}

#[cfg(test)]
pub fn t2_cols() -> &'static KeySet<T2Col> {
    static K: OnceLock<KeySet<T2Col>> = OnceLock::new();
    K.get_or_init(|| KeySet::new(T2Col::ALL.iter().map(|c| (*c, t2_col_key(*c))).collect()))
}

/// Section heading keys: the value is the section's index in `SECTION_KEYS` (0–5).
#[cfg(test)]
pub fn sections() -> &'static KeySet<u8> {
    static K: OnceLock<KeySet<u8>> = OnceLock::new();
    K.get_or_init(|| {
        KeySet::new(
            SECTION_KEYS.iter().enumerate().flat_map(|(i, keys)| keys.iter().map(move |k| (i as u8, *k))).collect(),
        )
    })
}

/// Format markers: (index into FORMAT_MARKERS, format).
#[cfg(test)]
pub fn markers() -> &'static KeySet<(usize, FormatVersion)> {
    static K: OnceLock<KeySet<(usize, FormatVersion)>> = OnceLock::new();
    K.get_or_init(|| KeySet::new(FORMAT_MARKERS.iter().enumerate().map(|(i, (m, f))| ((i, *f), *m)).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fragments() -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for r in T3Row::ALL {
            v.extend(t3_row_keys(*r).iter().map(|k| k.to_string()));
        }
        for r in T2Row::ALL {
            v.extend(t2_row_keys(*r).iter().map(|k| k.to_string()));
        }
        v.extend(T2Col::ALL.iter().map(|c| t2_col_key(*c).to_string()));
        v.extend(FORMAT_MARKERS.iter().map(|m| m.0.to_string()));
        v.extend(WORDS.iter().map(|w| w.1.to_string()));
        v.extend(SECTION_KEYS.iter().flat_map(|s| s.iter().map(|k| k.to_string())));
        v.extend(["a", "1.", "3.", "(", ")", "其他", "六", "总", "计", "本年", "数量", "项"].map(String::from));
        v
    }

    proptest::proptest! {
        /// One scan with the lexicon answers every question exactly as the separate key sets
        /// and substring searches it replaced (ARCHITECTURE.md invariant 14).
        #[test]
        fn lexicon_answers_as_the_separate_key_sets(
            parts in proptest::collection::vec(proptest::sample::select(fragments()), 0..6)
        ) {
            let norm = parts.concat();
            let h = Hits::of(&norm);
            proptest::prop_assert_eq!(h.last_t3(), t3_rows().last(&norm));
            proptest::prop_assert_eq!(h.last_t2_row(), t2_rows().last(&norm));
            proptest::prop_assert_eq!(
                h.any_t2_row(),
                T2Row::ALL.iter().any(|r| t2_row_keys(*r).iter().any(|k| norm.contains(k)))
            );
            let ours: Vec<_> = h.t2_cols().collect();
            let theirs: Vec<_> = t2_cols().all(&norm).collect();
            proptest::prop_assert_eq!(ours, theirs);
            let ours: Vec<usize> = h.markers().collect();
            let theirs: Vec<usize> = markers().all(&norm).map(|m| m.2.0).collect();
            proptest::prop_assert_eq!(ours, theirs);
            for (w, k) in WORDS {
                proptest::prop_assert_eq!(h.has(*w), norm.contains(k), "{}", k);
            }
            for from in (0..=norm.len()).filter(|i| norm.is_char_boundary(*i)) {
                proptest::prop_assert_eq!(
                    h.sections_within(from, norm.len()).min(),
                    sections().all(&norm[from..]).map(|m| m.2).min()
                );
            }
        }
    }

    #[test]
    fn most_specific_label_wins() {
        assert_eq!(t3_rows().last("三,本年度办理结果(三)不予公开1.属于国家秘密"), Some(T3Row::R3_3_1));
        assert_eq!(t3_rows().last("(六)其他处理3.其他"), Some(T3Row::R3_6_3));
        assert_eq!(t3_rows().last("(六)其他处理"), Some(T3Row::R3_6));
        assert_eq!(t2_rows().last("行政规范性文件"), Some(T2Row::Norm));
        let cols: Vec<T2Col> = t2_cols().all("信息内容本年处理决定数量").map(|m| m.2).collect();
        assert!(cols.contains(&T2Col::Decisions) && cols.contains(&T2Col::Decisions2019));
        assert_eq!(word_text(Word::DirectSuit), "未经复议直接起诉");
        assert!(WORDS.iter().all(|(w, t)| word_text(*w) == *t));
    }
}
