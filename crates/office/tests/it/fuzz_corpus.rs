//! Replays the saved fuzz seeds (`fuzz/corpus/office`) and, because byte flips in a ZIP land
//! in compressed data or break a checksum, also mutates the XML *inside* valid archives:
//! flipped bytes, cut parts, duplicated and dropped tags. No input may panic, and every
//! provenance span must lie inside the flattened text.

use std::io::{Cursor, Read, Write};
use std::path::Path;

fn parts(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut ar = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..ar.len())
        .map(|i| {
            let mut e = ar.by_index(i).unwrap();
            let mut b = Vec::new();
            e.read_to_end(&mut b).unwrap();
            (e.name().to_string(), b)
        })
        .collect()
}

fn zip_of(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in parts {
        w.start_file(name.as_str(), o).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn check(bytes: &[u8], what: &str) -> bool {
    let p = gongkai_office::parse_bytes(bytes, None);
    for f in gongkai_rules::check(&p.report).iter().chain(&p.findings) {
        if let Some(l) = f.location {
            assert!(l.start <= l.end && (l.end as usize) <= p.text.len(), "{what}: {f:?}");
        }
    }
    p.unsupported.is_none()
}

#[test]
fn saved_seeds_and_xml_mutations_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/office");
    let mut seeds: Vec<_> = std::fs::read_dir(&root).expect("fuzz corpus").map(|e| e.unwrap().path()).collect();
    seeds.sort();
    assert!(seeds.len() >= 4, "{} seeds", seeds.len());
    let mut rng = fastrand::Rng::with_seed(0x2545_F491_4F6C_DD1D);
    let (mut read, mut refused) = (0, 0);
    for path in &seeds {
        let bytes = std::fs::read(path).unwrap();
        assert!(check(&bytes, &path.display().to_string()), "seed {} must parse", path.display());
        let original = parts(&bytes);
        for _ in 0..60 {
            let mut ps = original.clone();
            let k = rng.usize(..ps.len().max(1));
            let data = &mut ps[k].1;
            match rng.usize(..4) {
                0 => {
                    for _ in 0..1 + rng.usize(..8) {
                        let i = rng.usize(..data.len().max(1));
                        data[i] = rng.u8(..);
                    }
                }
                1 => {
                    let cut = rng.usize(..data.len().max(1));
                    data.truncate(cut);
                }
                2 => {
                    // Duplicate a slice (opens tags twice, repeats rows and cells).
                    let a = rng.usize(..data.len().max(1));
                    let b = (a + rng.usize(..400)).min(data.len());
                    let piece = data[a..b].to_vec();
                    let at = rng.usize(..data.len().max(1));
                    data.splice(at..at, piece);
                }
                _ => {
                    // Drop a slice.
                    let a = rng.usize(..data.len().max(1));
                    let b = (a + rng.usize(..200)).min(data.len());
                    data.drain(a..b);
                }
            }
            if check(&zip_of(&ps), &format!("{} / {}", path.display(), ps[k].0)) {
                read += 1;
            } else {
                refused += 1;
            }
        }
    }
    // Both outcomes occur: many mutations still read (the readers tolerate what they can),
    // the rest are refused with a message.
    assert!(read > 0 && refused > 0, "read {read}, refused {refused}");
}
