//! Copied text (内容雷同, SPEC §6 D15) without comparing every pair of reports: MinHash
//! signatures of character 5-gram shingles of sections 一 and 五, and locality-sensitive
//! hashing (8 bands × 8 rows) to find candidate pairs, which are then verified. A pair at the
//! 0.9 threshold shares at least one band with probability ≈ 0.99. Reports built from the same
//! boilerplate crowd into large buckets; in a bucket of more than [`SMALL_BUCKET`] members each
//! member is compared with the bucket's first member only, so mass copying is still found and the
//! work stays linear in the bucket size.

use std::collections::HashMap;

use gongkai_model::Report;

/// Signature length (hash functions).
pub const K: usize = 64;
const BANDS: usize = 8;
/// Buckets up to this size are compared pairwise.
pub const SMALL_BUCKET: usize = 32;
const ROWS: usize = K / BANDS;
const SHINGLE: usize = 5;

/// A report's MinHash signature over its 总体情况 and 存在的主要问题 text.
pub type Signature = [u64; K];

fn mix(mut z: u64) -> u64 {
    // splitmix64 finaliser: a fast, well-distributed 64-bit mixer.
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Signature of a text; None when it has fewer than 40 characters of content (too short to
/// judge copying).
pub fn signature_of(text: &str) -> Option<Signature> {
    let chars: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).collect();
    if chars.len() < 40 {
        return None;
    }
    let mut sig = [u64::MAX; K];
    for w in chars.windows(SHINGLE) {
        let h =
            w.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, c| (h ^ u64::from(*c as u32)).wrapping_mul(0x100_0000_01b3));
        for (i, s) in sig.iter_mut().enumerate() {
            let v = mix(h ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            if v < *s {
                *s = v;
            }
        }
    }
    Some(sig)
}

/// The report's signature over sections 一 and 五.
pub fn signature(r: &Report) -> Option<Signature> {
    let text: String = r
        .sections
        .iter()
        .filter(|s| matches!(s.id.0, 1 | 5))
        .flat_map(|s| s.paras.iter())
        .map(|p| p.text.as_str())
        .collect();
    signature_of(&text)
}

/// Estimated Jaccard similarity of two signatures.
pub fn similarity(a: &Signature, b: &Signature) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / K as f64
}

/// Pairs `(i, j, similarity)` with `i < j` whose estimated similarity is at least `threshold`,
/// found through LSH buckets (sub-quadratic for dissimilar collections).
pub fn similar_pairs(sigs: &[Option<Signature>], threshold: f64) -> Vec<(usize, usize, f64)> {
    let mut candidates: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
    for band in 0..BANDS {
        let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
        for (i, s) in sigs.iter().enumerate() {
            let Some(s) = s else { continue };
            let key = s[band * ROWS..(band + 1) * ROWS].iter().fold(band as u64, |h, v| mix(h ^ v));
            buckets.entry(key).or_default().push(i);
        }
        for ids in buckets.values() {
            if ids.len() <= SMALL_BUCKET {
                for (a, i) in ids.iter().enumerate() {
                    for j in &ids[a + 1..] {
                        candidates.insert((*i, *j));
                    }
                }
            } else {
                for j in &ids[1..] {
                    candidates.insert((ids[0], *j));
                }
            }
        }
    }
    let mut candidates: Vec<(usize, usize)> = candidates.into_iter().collect();
    candidates.sort_unstable();
    candidates
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
}
