//! The checks between reports for a batch of any size, in flat memory: each report's compact
//! summary and text signature go to an unnamed temporary file (removed by the system when the
//! process ends; private to the process), and `gongkai_rules::batch::CrossReport` keeps only
//! the keys that find the pairs (under 100 bytes a report). The pairs' summaries are read back.

use std::fs::File;
use std::io::{BufWriter, Write};
#[cfg(not(unix))]
use std::io::{Read, Seek, SeekFrom};

use anyhow::{Context, Result};
use gongkai_model::Finding;
use gongkai_rules::batch::{CrossReport, Part};
use gongkai_rules::cross::YearSummary;
use gongkai_rules::similarity::{BANDS, FINE, Signature};

/// A digest of a file's bytes, to find byte copies within one run: the length and one 64-bit
/// foldhash pass (several times SipHash's speed on long inputs), seeded at random once per
/// process, so that two different files of one length collide with probability about 2⁻⁶⁴
/// and no file can be crafted to pass for another. Digests are never stored or compared
/// across runs.
pub fn digest(bytes: &[u8]) -> u128 {
    use std::hash::{BuildHasher, Hasher};
    static STATE: std::sync::OnceLock<foldhash::fast::SeedableRandomState> = std::sync::OnceLock::new();
    let mut h = STATE.get_or_init(foldhash::fast::SeedableRandomState::random).build_hasher();
    h.write(bytes);
    (u128::from(bytes.len() as u64) << 64) | u128::from(h.finish())
}

/// What a batch keeps of its reports for the checks between them.
pub(crate) struct Cross {
    index: CrossReport,
    file: BufWriter<File>,
    /// Start of each report's record in the file (the end: the next start).
    offsets: Vec<u64>,
    at: u64,
    buf: Vec<u8>,
}

impl Cross {
    pub(crate) fn new() -> Result<Cross> {
        let file = tempfile::tempfile().context("无法创建跨报告检查所需的临时文件")?;
        Ok(Cross { index: CrossReport::new(), file: BufWriter::new(file), offsets: Vec::new(), at: 0, buf: Vec::new() })
    }

    /// Record the next report.
    pub(crate) fn push(
        &mut self,
        summary: Option<&YearSummary>,
        sig: Option<&Signature>,
        digest: Option<u128>,
    ) -> Result<()> {
        self.index.push(summary, sig, digest);
        self.buf.clear();
        // [tag][signature, fixed size][summary]: a signature is read without the summary.
        self.buf.push(u8::from(summary.is_some()) | (u8::from(sig.is_some()) << 1));
        if let Some(sig) = sig {
            for v in sig.bands {
                self.buf.extend_from_slice(&v.to_le_bytes());
            }
            for v in sig.fine {
                self.buf.extend_from_slice(&v.to_le_bytes());
            }
        }
        if let Some(s) = summary {
            s.encode(&mut self.buf);
        }
        self.file.write_all(&self.buf).context("无法写入跨报告检查所需的临时文件")?;
        self.offsets.push(self.at);
        self.at += self.buf.len() as u64;
        Ok(())
    }

    /// The findings between reports; `name(i)` is report `i`'s file. The records are read
    /// back by position (`pread`), from several threads at once.
    pub(crate) fn finish(self, name: impl Fn(usize) -> String + Sync) -> Result<Vec<(usize, Finding)>> {
        let Cross { index, file, offsets, at, .. } = self;
        let file = file.into_inner().map_err(|e| e.into_error()).context("无法写入跨报告检查所需的临时文件")?;
        let file = Reader::new(file);
        let failure: std::sync::OnceLock<std::io::Error> = std::sync::OnceLock::new();
        let out = index.finish(
            |i, part| {
                let end = offsets.get(i + 1).copied().unwrap_or(at);
                let mut len = (end - offsets[i]) as usize;
                if part == Part::Signature {
                    len = len.min(1 + SIG_BYTES);
                }
                let mut buf = [0u8; 1 + SIG_BYTES + 256];
                let mut heap = Vec::new();
                let buf: &mut [u8] = if len <= buf.len() {
                    &mut buf[..len]
                } else {
                    heap.resize(len, 0);
                    &mut heap
                };
                if let Err(e) = file.read_at(offsets[i], buf) {
                    let _ = failure.set(e);
                    return (None, None);
                }
                decode(buf, part)
            },
            name,
        );
        if let Some(e) = failure.into_inner() {
            return Err(e).context("无法读回跨报告检查所需的临时文件");
        }
        Ok(out)
    }
}

/// Size of an encoded signature.
const SIG_BYTES: usize = 8 * BANDS + 2 * FINE;

/// The spill file, read by position from several threads.
struct Reader {
    #[cfg(unix)]
    file: File,
    #[cfg(not(unix))]
    file: std::sync::Mutex<File>,
}

impl Reader {
    fn new(file: File) -> Reader {
        #[cfg(unix)]
        return Reader { file };
        #[cfg(not(unix))]
        return Reader { file: std::sync::Mutex::new(file) };
    }

    #[cfg(unix)]
    fn read_at(&self, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
        std::os::unix::fs::FileExt::read_exact_at(&self.file, buf, at)
    }

    #[cfg(not(unix))]
    fn read_at(&self, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
        let mut file = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        file.seek(SeekFrom::Start(at))?;
        file.read_exact(buf)
    }
}

/// The parts asked for of one record.
fn decode(b: &[u8], part: Part) -> (Option<YearSummary>, Option<Signature>) {
    let Some((&tag, mut rest)) = b.split_first() else { return (None, None) };
    let mut sig = None;
    if tag & 2 != 0 {
        let Some(bytes) = rest.get(..SIG_BYTES) else { return (None, None) };
        rest = &rest[SIG_BYTES..];
        if part != Part::Summary {
            let (bands, fine) = bytes.split_at(8 * BANDS);
            sig = Some(Signature {
                bands: std::array::from_fn(|k| {
                    u64::from_le_bytes(bands[8 * k..8 * k + 8].try_into().unwrap_or_default())
                }),
                fine: std::array::from_fn(|k| {
                    u16::from_le_bytes(fine[2 * k..2 * k + 2].try_into().unwrap_or_default())
                }),
            });
        }
    }
    let summary =
        if tag & 1 != 0 && part != Part::Signature { YearSummary::decode(rest).map(|(s, _)| s) } else { None };
    (summary, sig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_rules::similarity::signature;
    use gongkai_synth::{Overrides, SynthOptions, report_with};

    /// The checks between reports over the spill file (records read back by position, on
    /// several threads) find exactly what they find over summaries held in memory, in the
    /// same order: consecutive years, copied text among many copies (a large LSH bucket), the
    /// same report under two names (B2), byte copies (B1), and reports without a signature or
    /// an organ.
    #[test]
    fn the_spill_finds_what_the_checks_find_in_memory() {
        let opts = SynthOptions::default();
        let mut summaries = Vec::new();
        let mut sigs = Vec::new();
        let mut digests = Vec::new();
        let mut add = |r: &gongkai_model::Report, digest: u128| {
            summaries.push(Some(YearSummary::of(r)));
            sigs.push(signature(r));
            digests.push(Some(digest));
        };
        // A series of one organ over five years, and forty unrelated reports.
        for (k, year) in (2019..2024).enumerate() {
            let ov =
                Overrides { year: Some(year), organ: Some(("示例县", "科学技术局")), ..Overrides::default() };
            add(&report_with(100 + k as u64, &opts, &ov), 1000 + k as u128);
        }
        for seed in 0..40u64 {
            add(&report_with(seed, &opts, &Overrides::default()), 2000 + u128::from(seed));
        }
        // Fifty copies of one report's text under other organs (one large bucket), the same
        // report filed three times under other names, and two byte copies of one file.
        let template = report_with(7, &opts, &Overrides::default());
        for k in 0..50 {
            let mut r = template.clone();
            if let Some(o) = r.organ.as_mut() {
                o.value = format!("第{k}号示例机关");
            }
            add(&r, 3000 + k as u128);
        }
        for k in 0..3 {
            add(&template, 4000 + k);
        }
        for _ in 0..2 {
            add(&template, 5000);
        }
        // A file that is not a report: no summary, no signature.
        summaries.push(None);
        sigs.push(None);
        digests.push(Some(6000));

        let name = |i: usize| format!("{i:03}.txt");
        let expected = gongkai_rules::batch::cross_report(&summaries, &sigs, name);
        let mut spill = Cross::new().unwrap();
        for ((s, g), d) in summaries.iter().zip(&sigs).zip(&digests) {
            spill.push(s.as_ref(), g.as_ref(), *d).unwrap();
        }
        let found = spill.finish(name).unwrap();
        // The in-memory helper has no digests: the byte copy (B1, the last of the two files
        // with digest 5000) is the spill's only addition.
        let b1: Vec<_> = found.iter().filter(|(_, f)| f.rule == "B1").map(|(i, _)| *i).collect();
        assert_eq!(b1, vec![summaries.len() - 2]);
        let found: Vec<_> = found.into_iter().filter(|(_, f)| f.rule != "B1").collect();
        let rules = |v: &[(usize, Finding)]| v.iter().map(|(i, f)| (*i, f.rule.clone())).collect::<Vec<_>>();
        assert_eq!(rules(&found), rules(&expected));
        for ((i, f), (j, g)) in found.iter().zip(&expected) {
            assert_eq!((i, &f.message), (j, &g.message));
        }
        let count = |r: &str| found.iter().filter(|(_, f)| f.rule == r).count();
        assert!(count("D15") >= 49, "{:?}", rules(&found));
        assert!(count("B2") >= 3, "{:?}", rules(&found));
        assert!(count("E5") + count("E6") + count("D15") > 0);
    }
}
