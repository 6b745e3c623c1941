//! The checks between the reports of a batch (`gongkai check DIR`, `gongkai audit DIR`):
//! E5/E6 and identical tables between consecutive years of one organ ([`crate::cross`]), and
//! D15 copied text between any two reports ([`crate::similarity`]).
//!
//! Memory stays flat in the number of reports: [`CrossReport`] keeps, per report, only what
//! finds the pairs — the organ (interned), the year and the signature's LSH band keys (under
//! 100 bytes). The caller keeps each report's [`YearSummary`] and [`Signature`] where it likes
//! (the CLI: a spill file) and hands them back through `load` for the pairs found (a candidate
//! pair's summaries only once its signatures agree). No IO here.

use std::collections::HashMap;

use rayon::prelude::*;

use gongkai_model::{Finding, Severity};

use crate::cross::{YearSummary, check_summaries, same_organ};
use crate::similarity::{self, Signature};

/// What the caller keeps of a report for these checks: its summary and its signature.
pub type Kept = (Option<YearSummary>, Option<Signature>);

/// Which part of a report's [`Kept`] the checks need (a loader may leave the other `None`):
/// most D15 candidate pairs are rejected on their signatures alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Summary,
    Signature,
    Both,
}

/// The similarity at which D15 reports copied text (SPEC §6: ≥ 90 % estimated overlap).
pub const D15_THRESHOLD: f64 = 0.9;

/// What the checks between reports keep of each report while a batch runs.
#[derive(Debug, Default)]
pub struct CrossReport {
    /// Normalised organ names, reversed (a name sorts next to the longer names ending with it).
    organs: Vec<String>,
    organ_ids: HashMap<String, u32>,
    /// (organ, year, report) of the reports that name both.
    dated: Vec<(u32, i32, u32)>,
    /// (report, band keys) of the reports with a signature.
    bands: Vec<(u32, [u64; similarity::BANDS])>,
    /// (file content digest, report), sorted at the end to find byte copies.
    digests: Vec<(u128, u32)>,
    reports: usize,
}

impl CrossReport {
    pub fn new() -> CrossReport {
        CrossReport::default()
    }

    /// Record the next report (reports are numbered in the order they are pushed). `digest`
    /// identifies the file's bytes (any 128-bit hash of them), to name exact duplicates (B1).
    pub fn push(&mut self, summary: Option<&YearSummary>, sig: Option<&Signature>, digest: Option<u128>) {
        let i = self.reports;
        self.reports += 1;
        if let Some(d) = digest {
            self.digests.push((d, i as u32));
        }
        if let Some((organ, year)) = summary.and_then(|s| Some((s.organ.as_deref()?, s.year?))) {
            let rev: String = gongkai_model::normalize::normalize(organ).chars().rev().collect();
            if rev.is_empty() {
                // No organ to compare with (the grouping never pairs an empty name).
                return self.push_sig(i, sig);
            }
            let next = self.organs.len() as u32;
            let id = *self.organ_ids.entry(rev.clone()).or_insert(next);
            if id == next {
                self.organs.push(rev);
            }
            self.dated.push((id, year, i as u32));
        }
        self.push_sig(i, sig);
    }

    fn push_sig(&mut self, i: usize, sig: Option<&Signature>) {
        if let Some(s) = sig {
            self.bands.push((i as u32, similarity::band_keys(s)));
        }
    }

    /// The findings between reports, as (report, finding): first the consecutive-year checks
    /// (organ by organ, years ascending), then D15 (pairs in index order), then exact duplicate
    /// files (B1) and the same report filed twice under other names (B2). `load(i)` gives back
    /// report `i`'s summary and signature; `name(i)` its file name, quoted in D15 messages.
    ///
    /// The loads run on the rayon pool (the organs' year runs, and the candidate pairs in
    /// chunks of [`VERIFY_CHUNK`]), so `load` is called from several threads at once; the
    /// findings do not depend on the order in which the loads run.
    pub fn finish(
        self,
        load: impl Fn(usize, Part) -> Kept + Sync,
        name: impl Fn(usize) -> String + Sync,
    ) -> Vec<(usize, Finding)> {
        // Group organs whose reversed names share a prefix (the anchor: the shortest in a run).
        let mut order: Vec<u32> = (0..self.organs.len() as u32).collect();
        order.sort_by(|a, b| self.organs[*a as usize].cmp(&self.organs[*b as usize]));
        let mut group_of = vec![0usize; self.organs.len()];
        let mut anchor: Option<&str> = None;
        let mut groups = 0usize;
        for id in order {
            let rev = self.organs[id as usize].as_str();
            match anchor {
                Some(a) if !a.is_empty() && rev.starts_with(a) => {}
                _ => {
                    anchor = Some(rev);
                    groups += 1;
                }
            }
            group_of[id as usize] = groups - 1;
        }
        let mut by_group: Vec<Vec<(i32, usize)>> = vec![Vec::new(); groups];
        for (organ, year, i) in &self.dated {
            by_group[group_of[*organ as usize]].push((*year, *i as usize));
        }
        drop(self.dated);
        // Byte copies: (copy, first file with the same bytes), by copy.
        let mut digests = self.digests;
        digests.sort_unstable();
        let mut duplicates: Vec<(usize, usize)> = Vec::new();
        for run in digests.chunk_by(|a, b| a.0 == b.0) {
            duplicates.extend(run[1..].iter().map(|(_, i)| (*i as usize, run[0].1 as usize)));
        }
        drop(digests);
        duplicates.sort_unstable();
        // Byte copies of one file share its first occurrence.
        let first_of = |k: usize| duplicates.binary_search_by_key(&k, |(d, _)| *d).map_or(k, |at| duplicates[at].1);
        let duplicate = |i: usize, j: usize| first_of(i) == first_of(j);
        // Consecutive years, organ group by organ group (in parallel; collected in order).
        let mut out: Vec<(usize, Finding)> = by_group
            .into_par_iter()
            .flat_map_iter(|mut g| {
                g.sort_unstable();
                let mut found = Vec::new();
                let mut prev: Option<YearSummary> = None;
                for (_, i) in g {
                    let Some(cur) = load(i, Part::Summary).0 else { continue };
                    if let Some(p) = &prev {
                        found.extend(check_summaries(p, &cur).into_iter().map(|f| (i, f)));
                    }
                    prev = Some(cur);
                }
                found
            })
            .collect();
        // D15: candidates by LSH, verified on the full signatures a chunk at a time (memory:
        // one chunk of pairs); only the pairs that pass are kept, then reported in index order.
        let mut passed: Vec<(usize, usize, f64)> = Vec::new();
        let mut chunk: Vec<(u32, u32)> = Vec::new();
        let verify = |chunk: &mut Vec<(u32, u32)>, passed: &mut Vec<(usize, usize, f64)>| {
            passed.par_extend(chunk.par_chunks(256).flat_map_iter(|pairs| verified(pairs, &load)));
            chunk.clear();
        };
        similarity::each_candidate(&self.bands, |i, j| {
            chunk.push((i as u32, j as u32));
            if chunk.len() == VERIFY_CHUNK {
                verify(&mut chunk, &mut passed);
            }
        });
        verify(&mut chunk, &mut passed);
        passed.sort_unstable_by_key(|(i, j, _)| (*i, *j));
        // Each passed pair read in full (in parallel, a chunk at a time, in order): a D15
        // finding, or the same report twice (decided here, in order), or nothing.
        let mut same_report = Vec::new();
        let mut named_twice = std::collections::HashSet::new();
        for chunk in passed.chunks(VERIFY_CHUNK) {
            let judged: Vec<Judged> = chunk
                .par_chunks(256)
                .flat_map_iter(|pairs| {
                    let mut cached: Option<(usize, Kept)> = None;
                    pairs
                        .iter()
                        .filter_map(|(i, j, sim)| {
                            let (i, j, sim) = (*i, *j, *sim);
                            if cached.as_ref().is_none_or(|(k, _)| *k != i) {
                                cached = Some((i, load(i, Part::Both)));
                            }
                            let Some((_, (Some(a), Some(sa)))) = &cached else { return None };
                            let (Some(b), Some(sb)) = load(j, Part::Both) else { return None };
                            match copied_text(i, a, j, &b, sim, &name) {
                                Some(f) => Some(Judged::Copied(f)),
                                None if sim >= 1.0 && a.values == b.values && *sa == sb && !duplicate(i, j) => {
                                    Some(Judged::SameReport(i, j, b.table3))
                                }
                                None => None,
                            }
                        })
                        .collect::<Vec<_>>()
                })
                .collect();
            for j in judged {
                match j {
                    Judged::Copied(f) => out.push(f),
                    // The same organ and year: one report twice. Said so when the tables and
                    // the text agree exactly and the files are not byte copies (those are B1).
                    Judged::SameReport(i, j, at) if named_twice.insert(j) => {
                        let msg = format!(
                            "与{}是同一份报告（机关、年度、表格数值和正文均相同），以不同文件名重复提交",
                            name(i)
                        );
                        same_report.push((j, Finding::new("B2", Severity::Warning, msg).at(at)));
                    }
                    Judged::SameReport(..) => {}
                }
            }
        }
        for (i, first) in &duplicates {
            let msg = format!("与{}的内容逐字节相同（重复文件）", name(*first));
            out.push((*i, Finding::new("B1", Severity::Warning, msg)));
        }
        out.extend(same_report);
        out
    }
}

/// Candidate pairs verified, and passed pairs judged, per parallel chunk (a candidate pair is
/// 8 bytes: 512 KiB a chunk).
pub const VERIFY_CHUNK: usize = 1 << 16;

/// What a passed D15 pair turned out to be.
enum Judged {
    Copied((usize, Finding)),
    /// `(i, j, j's table-三 location)`: the same report twice, unless `j` was already named.
    SameReport(usize, usize, Option<gongkai_model::Src>),
}

/// The candidate pairs among `pairs` whose signatures are at least [`D15_THRESHOLD`] alike,
/// as (i, j, similarity); the first report of consecutive pairs is read once.
fn verified(pairs: &[(u32, u32)], load: &(impl Fn(usize, Part) -> Kept + Sync)) -> Vec<(usize, usize, f64)> {
    let mut found = Vec::new();
    let mut cached: Option<(usize, Option<Signature>)> = None;
    for (i, j) in pairs {
        let (i, j) = (*i as usize, *j as usize);
        if cached.as_ref().is_none_or(|(k, _)| *k != i) {
            cached = Some((i, load(i, Part::Signature).1));
        }
        let Some((_, Some(sa))) = &cached else { continue };
        let Some(sb) = load(j, Part::Signature).1 else { continue };
        let sim = similarity::similarity(sa, &sb);
        if sim >= D15_THRESHOLD {
            found.push((i, j, sim));
        }
    }
    found
}

/// The D15 finding for reports `i` and `j` whose sections 一 and 五 are `sim` alike; None for
/// the same report twice (the same organ and year: another copy or format).
fn copied_text(
    i: usize,
    a: &YearSummary,
    j: usize,
    b: &YearSummary,
    sim: f64,
    name: &impl Fn(usize) -> String,
) -> Option<(usize, Finding)> {
    let organ = |r: &YearSummary| r.organ.clone().unwrap_or_else(|| "（未识别机关）".to_string());
    let same = same_organ(&organ(a), &organ(b));
    if same && a.year == b.year {
        return None;
    }
    let (older, newer, ro, rn) = if a.year <= b.year { (i, j, a, b) } else { (j, i, b, a) };
    let what = if same { "上一份报告".to_string() } else { format!("{}的报告", organ(ro)) };
    let msg = format!(
        "“总体情况”“存在的主要问题”部分与{what}（{}，{}年）文字相似度约{:.0}%，可能内容雷同",
        name(older),
        ro.year.map_or("?".to_string(), |y| y.to_string()),
        sim * 100.0
    );
    Some((newer, Finding::new("D15", Severity::Warning, msg).at(rn.table3)))
}

/// The checks between reports over summaries held in memory (tests, small batches).
pub fn cross_report(
    summaries: &[Option<YearSummary>],
    sigs: &[Option<Signature>],
    name: impl Fn(usize) -> String + Sync,
) -> Vec<(usize, Finding)> {
    let mut c = CrossReport::new();
    for (s, g) in summaries.iter().zip(sigs) {
        c.push(s.as_ref(), g.as_ref(), None);
    }
    c.finish(
        |i, part| {
            (
                (part != Part::Signature).then(|| summaries[i].clone()).flatten(),
                (part != Part::Summary).then(|| sigs[i].clone()).flatten(),
            )
        },
        name,
    )
}
