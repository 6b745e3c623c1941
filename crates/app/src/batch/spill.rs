//! The checks between reports for a batch of any size, in flat memory: each report's compact
//! summary and text signature go to an unnamed temporary file (removed by the system when the
//! process ends; private to the process), and `gongkai_rules::batch::CrossReport` keeps only
//! the keys that find the pairs (under 100 bytes a report). The pairs' summaries are read back.

use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufWriter, Write};
#[cfg(not(unix))]
use std::io::{Read, Seek, SeekFrom};

use anyhow::{Context, Result};
use gongkai_model::Finding;
use gongkai_rules::batch::{CrossReport, Part};
use gongkai_rules::cross::YearSummary;
use gongkai_rules::similarity::{BANDS, FINE, Signature};

/// A digest of a file's bytes, to find byte copies: the length and one SipHash pass (two
/// different files of one length collide with probability 2⁻⁶⁴).
pub fn digest(bytes: &[u8]) -> u128 {
    let mut h = std::hash::DefaultHasher::new();
    bytes.hash(&mut h);
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

    /// The findings between reports; `name(i)` is report `i`'s file.
    pub(crate) fn finish(self, name: impl Fn(usize) -> String) -> Result<Vec<(usize, Finding)>> {
        let Cross { index, file, offsets, at, .. } = self;
        let mut file = file.into_inner().map_err(|e| e.into_error()).context("无法写入跨报告检查所需的临时文件")?;
        let mut failure: Option<std::io::Error> = None;
        let mut buf = Vec::new();
        let out = index.finish(
            |i, part| {
                let end = offsets.get(i + 1).copied().unwrap_or(at);
                let mut len = (end - offsets[i]) as usize;
                if part == Part::Signature {
                    len = len.min(1 + SIG_BYTES);
                }
                buf.resize(len, 0);
                if let Err(e) = read_at(&mut file, offsets[i], &mut buf) {
                    failure.get_or_insert(e);
                    return (None, None);
                }
                decode(&buf, part)
            },
            name,
        );
        if let Some(e) = failure {
            return Err(e).context("无法读回跨报告检查所需的临时文件");
        }
        Ok(out)
    }
}

/// Size of an encoded signature.
const SIG_BYTES: usize = 8 * BANDS + 2 * FINE;

#[cfg(unix)]
fn read_at(file: &mut File, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(not(unix))]
fn read_at(file: &mut File, at: u64, buf: &mut [u8]) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(buf)
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
