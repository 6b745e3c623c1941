//! Copied text (内容雷同, SPEC §6 D15) without comparing every pair of reports: a MinHash
//! signature of the character 5-gram shingles of sections 一 and 五, and locality-sensitive
//! hashing (8 bands × 8 rows) to find candidate pairs, which are then verified. A pair at the
//! 0.9 threshold shares at least one band with probability ≈ 0.99. Reports built from the same
//! boilerplate crowd into large buckets; in a bucket of more than [`SMALL_BUCKET`] members each
//! member is compared with the bucket's first member only, so mass copying is still found and the
//! work stays linear in the bucket size.
//!
//! The signature is **one-permutation MinHash** (Li, Owen and Zhang 2012): each shingle is
//! hashed once, and the top bits of that one hash pick a bin, the rest is the value kept if it
//! is the bin's smallest. Two sketches come from the same hash:
//! * [`K`] = 64 bins with **optimal densification** (Shrivastava 2017) for the LSH keys: a bin
//!   that no shingle reached borrows the value of a non-empty bin chosen by a fixed probe
//!   sequence of its own (the same for every text), which keeps `P(bins equal) = Jaccard` for
//!   every bin, so the banding works as with 64 independent hash functions;
//! * [`FINE`] = 512 bins of 16-bit values for the estimate of a candidate pair: equal bins
//!   among the bins either text reached. Its standard error is about sqrt(J(1−J)/min(512,
//!   shingles)): 0.012 at J = 0.9 for a long text, against 0.0375 for 64 hash functions, so a
//!   pair near the 0.9 threshold is decided by its real overlap rather than by chance.
//!
//! One hash per shingle instead of 64: the signature costs a small fraction of what it did,
//! at the same threshold. Accuracy against the exact shingle-set Jaccard is property-tested
//! (`tests/similarity.rs`).

use std::collections::HashMap;

use gongkai_model::Report;

/// Bins of the LSH sketch (densified): 8 bands × 8 rows.
pub const K: usize = 64;
/// LSH bands.
pub const BANDS: usize = 8;
/// Bins of the verification sketch (not densified; 16-bit values).
pub const FINE: usize = 512;
/// Buckets up to this size are compared pairwise.
pub const SMALL_BUCKET: usize = 32;
const ROWS: usize = K / BANDS;
/// Shingle length in characters.
pub const SHINGLE: usize = 5;
/// Texts with fewer letters and digits than this get no signature (too short to judge).
pub const MIN_CHARS: usize = 40;
/// Marks a bin no shingle reached.
const EMPTY: u64 = u64::MAX;
const FINE_EMPTY: u16 = u16::MAX;

/// A report's text signature over its 总体情况 and 存在的主要问题: the LSH keys that find
/// candidate pairs, and the finer sketch that estimates their similarity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub bands: [u64; BANDS],
    pub fine: [u16; FINE],
}

fn mix(mut z: u64) -> u64 {
    // splitmix64 finaliser: a fast, well-distributed 64-bit mixer.
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The hash of one shingle (FNV-1a over the code points, then mixed).
fn shingle_hash(w: &[u32; SHINGLE]) -> u64 {
    mix(w.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, c| (h ^ u64::from(*c)).wrapping_mul(0x100_0000_01b3)))
}

/// `char::is_alphanumeric`, with the common cases first: ASCII, the CJK Unified Ideographs
/// (all alphabetic), and the punctuation of Chinese text (none of it alphanumeric: general
/// punctuation such as “” and —, the ideographic comma and full stop and brackets such as
/// 、。《》【】, and full-width forms such as ，：；（）), which the standard library would find
/// by a table search. Checked against `is_alphanumeric` for every character below U+30000.
fn letter_or_digit(c: char) -> bool {
    match c {
        '\0'..='\u{7F}' => c.is_ascii_alphanumeric(),
        '\u{4E00}'..='\u{9FFF}' => true,
        '\u{2000}'..='\u{206F}'
        | '\u{3000}'..='\u{3004}'
        | '\u{3008}'..='\u{3020}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}' => false,
        _ => c.is_alphanumeric(),
    }
}

/// Builds a signature from a stream of characters: keeps the last [`SHINGLE`] letters and
/// digits and the bins, nothing else (no copy of the text).
struct Sketch {
    window: [u32; SHINGLE],
    seen: usize,
    coarse: [u64; K],
    fine: [u16; FINE],
}

impl Sketch {
    fn new() -> Sketch {
        Sketch { window: [0; SHINGLE], seen: 0, coarse: [EMPTY; K], fine: [FINE_EMPTY; FINE] }
    }

    fn push_str(&mut self, s: &str) {
        // The window and the count in locals (registers) for the loop, written back after.
        let (mut w, mut seen) = (self.window, self.seen);
        let (coarse, fine) = (&mut self.coarse, &mut self.fine);
        for c in s.chars().filter(|c| letter_or_digit(*c)) {
            w = [w[1], w[2], w[3], w[4], c as u32];
            seen += 1;
            if seen >= SHINGLE {
                // One hash per shingle: its top bits choose the bin, the rest is the value.
                let h = shingle_hash(&w);
                let (bin, v) = ((h >> 58) as usize, h & (u64::MAX >> 6));
                if v < coarse[bin] {
                    coarse[bin] = v;
                }
                let (bin, v) = ((h >> 55) as usize, ((h >> 16) & 0xFFFF) as u16);
                // 0xFFFF marks an empty bin: the value itself is folded to 0xFFFE.
                let v = v.min(FINE_EMPTY - 1);
                if v < fine[bin] {
                    fine[bin] = v;
                }
            }
        }
        (self.window, self.seen) = (w, seen);
    }

    fn finish(self) -> Option<Signature> {
        if self.seen < MIN_CHARS {
            return None;
        }
        let filled = self.coarse;
        let mut sig = filled;
        for (i, s) in sig.iter_mut().enumerate() {
            if *s != EMPTY {
                continue;
            }
            // Optimal densification: probe bins by a hash of (bin, attempt) until a filled one;
            // at least 36 shingles were hashed, so a filled bin exists and is found quickly.
            for attempt in 0u64.. {
                let j = (mix(((i as u64) << 32) ^ attempt ^ 0x5851_F42D_4C95_7F2D) % K as u64) as usize;
                if filled[j] != EMPTY {
                    *s = filled[j];
                    break;
                }
            }
        }
        let bands =
            std::array::from_fn(|band| sig[band * ROWS..(band + 1) * ROWS].iter().fold(band as u64, |h, v| mix(h ^ v)));
        Some(Signature { bands, fine: self.fine })
    }
}

/// Signature of a text; None when it has fewer than [`MIN_CHARS`] letters and digits (too
/// short to judge copying).
pub fn signature_of(text: &str) -> Option<Signature> {
    let mut s = Sketch::new();
    s.push_str(text);
    s.finish()
}

/// The text copying is judged on: the paragraphs of sections 一 (总体情况) and 五 (存在的主要问题),
/// in order.
pub fn compared_paragraphs(r: &Report) -> impl Iterator<Item = &str> {
    r.sections.iter().filter(|s| matches!(s.id.0, 1 | 5)).flat_map(|s| s.paras.iter()).map(|p| p.text.as_str())
}

/// The report's signature over [`compared_paragraphs`] (read in place).
pub fn signature(r: &Report) -> Option<Signature> {
    let mut s = Sketch::new();
    for p in compared_paragraphs(r) {
        s.push_str(p);
    }
    s.finish()
}

/// The shingle set of a text, exactly (for tests and measurements of the estimate).
pub fn shingles(text: &str) -> std::collections::HashSet<[char; SHINGLE]> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    debug_assert!(chars.iter().all(|c| letter_or_digit(*c)));
    chars.windows(SHINGLE).map(|w| [w[0], w[1], w[2], w[3], w[4]]).collect()
}

/// Estimated Jaccard similarity of two signatures: the share of equal bins among the bins of
/// the verification sketch that either text reached (one-permutation MinHash's estimator).
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    // Branch-free, so that the loop vectorises: a bin counts when either text reached it.
    let (mut equal, mut used) = (0u32, 0u32);
    for (x, y) in a.fine.iter().zip(&b.fine) {
        let reached = (*x != FINE_EMPTY) | (*y != FINE_EMPTY);
        used += u32::from(reached);
        equal += u32::from(reached & (x == y));
    }
    if used == 0 { 0.0 } else { equal as f64 / used as f64 }
}

/// The LSH keys of a signature, one per band.
pub fn band_keys(s: &Signature) -> [u64; BANDS] {
    s.bands
}

/// Calls `f(i, j)`, `i < j`, once for every candidate pair, from the band keys of the reports
/// that have a signature (`keys[k] = (report index, band keys)`, by report index). Memory is
/// one band's buckets: a pair is passed in the first band where it is a candidate (the same
/// keys, in a small bucket or with the first member of a large one), which the band keys in
/// hand decide, so no set of pairs is kept.
pub fn each_candidate(keys: &[(u32, [u64; BANDS])], mut f: impl FnMut(usize, usize)) {
    // Per band, the large buckets' keys and their first member.
    let mut large: Vec<HashMap<u64, u32>> = Vec::with_capacity(BANDS);
    let candidate_in = |large: &[HashMap<u64, u32>], b: usize, ki: &[u64; BANDS], kj: &[u64; BANDS], i: u32, j: u32| {
        ki[b] == kj[b] && large[b].get(&ki[b]).is_none_or(|first| *first == i || *first == j)
    };
    for band in 0..BANDS {
        let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
        for (k, (_, key)) in keys.iter().enumerate() {
            buckets.entry(key[band]).or_default().push(k);
        }
        let firsts: HashMap<u64, u32> = buckets
            .iter()
            .filter(|(_, ids)| ids.len() > SMALL_BUCKET)
            .map(|(key, ids)| (*key, keys[ids[0]].0))
            .collect();
        large.push(firsts);
        for ids in buckets.values() {
            let pairs: Box<dyn Iterator<Item = (usize, usize)>> = if ids.len() <= SMALL_BUCKET {
                Box::new(ids.iter().enumerate().flat_map(|(a, x)| ids[a + 1..].iter().map(move |y| (*x, *y))))
            } else {
                Box::new(ids[1..].iter().map(|y| (ids[0], *y)))
            };
            for (x, y) in pairs {
                let ((i, ki), (j, kj)) = (&keys[x], &keys[y]);
                if (0..band).any(|b| candidate_in(&large, b, ki, kj, *i, *j)) {
                    continue; // passed in an earlier band
                }
                f(*i as usize, *j as usize);
            }
        }
    }
}

/// Candidate pairs `(i, j)`, `i < j`, sorted (see [`each_candidate`]).
pub fn candidates(keys: &[(u32, [u64; BANDS])]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    each_candidate(keys, |i, j| out.push((i, j)));
    out.sort_unstable();
    out
}

/// Pairs `(i, j, similarity)` with `i < j` whose estimated similarity is at least `threshold`,
/// found through LSH buckets (sub-quadratic for dissimilar collections).
pub fn similar_pairs(sigs: &[Option<Signature>], threshold: f64) -> Vec<(usize, usize, f64)> {
    let keys: Vec<(u32, [u64; BANDS])> =
        sigs.iter().enumerate().filter_map(|(i, s)| s.as_ref().map(|s| (i as u32, band_keys(s)))).collect();
    candidates(&keys)
        .into_iter()
        .filter_map(|(i, j)| {
            let (Some(a), Some(b)) = (&sigs[i], &sigs[j]) else { return None };
            let s = similarity(a, b);
            (s >= threshold).then_some((i, j, s))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "2024年，本局认真贯彻落实政府信息公开条例，围绕中心工作，持续推进政务公开标准化规范化建设，及时发布政策文件和解读材料，依法办理政府信息公开申请，加强政府网站和政务新媒体管理。";

    #[test]
    fn the_fast_letter_test_is_is_alphanumeric() {
        for c in (0..0x3_0000u32).filter_map(char::from_u32) {
            assert_eq!(letter_or_digit(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn identical_and_lightly_edited_texts_are_similar() {
        let a = signature_of(A).unwrap();
        assert_eq!(similarity(&a, &a), 1.0);
        let edited = A.replace("本局", "我局");
        let b = signature_of(&edited).unwrap();
        assert!(similarity(&a, &b) > 0.7, "{}", similarity(&a, &b));
        let other = signature_of("市场监管部门开展食品安全抽检，全年完成抽检任务三千批次，发现问题产品并依法处置，同时推进信用监管，建立企业信用档案，开展双随机一公开检查。").unwrap();
        assert!(similarity(&a, &other) < 0.2);
        assert!(signature_of("太短").is_none());
    }

    #[test]
    fn lsh_finds_the_copied_pair_among_many() {
        let mut sigs: Vec<Option<Signature>> = (0..300)
            .map(|i| signature_of(&format!("{i}号文本：{}", "政务公开".repeat(3) + &i.to_string().repeat(40))))
            .collect();
        sigs.push(signature_of(A));
        sigs.push(signature_of(A));
        let pairs = similar_pairs(&sigs, 0.9);
        assert!(pairs.iter().any(|(i, j, _)| (*i, *j) == (300, 301)), "{pairs:?}");
    }

    #[test]
    fn mass_copying_in_a_large_bucket_is_still_found() {
        // 100 copies of one template: one bucket far above SMALL_BUCKET; every copy is paired
        // with the bucket's representative.
        let sigs: Vec<Option<Signature>> = (0..100).map(|_| signature_of(A)).collect();
        let pairs = similar_pairs(&sigs, 0.9);
        let copies: std::collections::HashSet<usize> = pairs.iter().flat_map(|(i, j, _)| [*i, *j]).collect();
        assert_eq!(copies.len(), 100);
        assert!(pairs.len() < 100 * 99 / 2, "not compared pairwise: {}", pairs.len());
    }

    #[test]
    fn the_signature_of_a_report_reads_its_paragraphs_as_one_text() {
        let r = gongkai_synth_free_report();
        let text: String = compared_paragraphs(&r).collect();
        assert_eq!(signature(&r), signature_of(&text));
    }

    fn gongkai_synth_free_report() -> Report {
        use gongkai_model::{Para, Section, SectionId, Src};
        let mut r = Report::empty();
        let cut = A.char_indices().nth(30).map_or(0, |(k, _)| k);
        for (id, t) in [(1u8, &A[..cut]), (5, &A[cut..]), (2, "不计入")] {
            r.sections.push(Section {
                id: SectionId(id),
                heading: String::new(),
                number: None,
                src: Src::default(),
                paras: vec![Para { text: t.to_string(), src: Src::default(), verbatim: true }],
            });
        }
        r
    }
}
