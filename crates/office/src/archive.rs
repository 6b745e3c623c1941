//! ZIP containers read and written in memory, with hard limits against hostile archives.
//!
//! Reading trusts nothing the archive says about itself: the declared sizes are checked
//! first (cheap refusal), and then the bytes actually produced by decompression are counted
//! against the per-entry and per-archive budgets, so a lying header cannot get past them.

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::OfficeError;

/// Largest uncompressed size of one entry (bytes).
pub const MAX_ENTRY: u64 = 32 * 1024 * 1024;
/// Largest uncompressed size of all entries read from one archive (bytes).
pub const MAX_TOTAL: u64 = 64 * 1024 * 1024;
/// Most entries an archive may list.
pub const MAX_ENTRIES: usize = 10_000;

/// An archive opened over borrowed bytes, with the running decompression budget.
pub struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    read_total: u64,
    max_entry: u64,
    max_total: u64,
}

impl std::fmt::Debug for Archive<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Archive").field("entries", &self.zip.len()).field("read_total", &self.read_total).finish()
    }
}

impl<'a> Archive<'a> {
    pub fn open(bytes: &'a [u8]) -> Result<Self, OfficeError> {
        Archive::open_with_limits(bytes, MAX_ENTRY, MAX_TOTAL)
    }

    /// Open with other decompression budgets (the ledger reader's, sized for its row limit).
    pub fn open_with_limits(bytes: &'a [u8], max_entry: u64, max_total: u64) -> Result<Self, OfficeError> {
        let zip = ZipArchive::new(Cursor::new(bytes)).map_err(|e| OfficeError::BrokenZip(e.to_string()))?;
        if zip.len() > MAX_ENTRIES {
            return Err(OfficeError::TooManyEntries(zip.len()));
        }
        Ok(Archive { zip, read_total: 0, max_entry, max_total })
    }

    pub fn contains(&self, name: &str) -> bool {
        self.zip.index_for_name(name).is_some()
    }

    /// Read one entry fully, or `Ok(None)` when the archive has no such entry.
    pub fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, OfficeError> {
        let Some(ix) = self.zip.index_for_name(name) else { return Ok(None) };
        let mut f = self.zip.by_index(ix).map_err(|e| OfficeError::BrokenEntry(name.to_string(), e.to_string()))?;
        let left = self.max_total.saturating_sub(self.read_total);
        if f.size() > self.max_entry {
            return Err(OfficeError::EntryTooLarge(name.to_string(), self.max_entry));
        }
        if f.size() > left {
            return Err(OfficeError::ArchiveTooLarge(self.max_total));
        }
        // The header's size may lie: read at most one byte past the budget and look.
        let cap = self.max_entry.min(left);
        let mut buf = Vec::with_capacity(f.size().min(cap) as usize);
        (&mut f)
            .take(cap + 1)
            .read_to_end(&mut buf)
            .map_err(|e| OfficeError::BrokenEntry(name.to_string(), e.to_string()))?;
        if buf.len() as u64 > cap {
            return Err(if cap == self.max_entry {
                OfficeError::EntryTooLarge(name.to_string(), self.max_entry)
            } else {
                OfficeError::ArchiveTooLarge(self.max_total)
            });
        }
        self.read_total += buf.len() as u64;
        Ok(Some(buf))
    }
}

/// Write `parts` (name, content) into a ZIP archive in memory, deflated (small parts stored). Entries carry the
/// fixed DOS epoch as their time, so the same report always gives the same bytes.
pub fn write_zip(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    // Small parts (relationships, content types, settings) are stored: starting a deflate
    // stream costs more (its window and tables are set up and zeroed) than it saves there.
    let stored = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for (name, data) in parts {
        let opts = if data.len() < 2048 { stored } else { deflated };
        // Writing into a Vec cannot fail except on a broken invariant of the zip crate; the
        // error is carried into an empty result rather than a panic.
        if w.start_file(*name, opts).and_then(|_| w.write_all(data).map_err(Into::into)).is_err() {
            return Vec::new();
        }
    }
    w.finish().map(Cursor::into_inner).unwrap_or_default()
}
