//! The batch use cases (`app::batch`) over a folder of more than one batch: results in input
//! order, the counts, the findings between reports, the exit class, and the audit page written
//! from its temporary rows with those findings in the right rows.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use gongkai_app::batch::audit::{AuditCommand, AuditFormat, Manifest, audit};
use gongkai_app::batch::check::{CheckCommand, CheckFormat, check};
use gongkai_app::batch::{BATCH, files};
use gongkai_model::FormatVersion;
use gongkai_render::TextShape;
use gongkai_synth::SynthOptions;

/// `n` generated reports (distinct seeds, so no two are alike), then a byte copy of the first
/// and a file that is not a report; names sort in that order.
fn folder(tag: &str, n: usize) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gongkai-app-batch-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let opts = SynthOptions { format: FormatVersion::F2021, target_bytes: 2_000 };
    let mut first = String::new();
    for i in 0..n {
        let text = gongkai_render::text(&gongkai_synth::report(i as u64 + 1, &opts), TextShape::Markdown);
        if i == 0 {
            first = text.clone();
        }
        std::fs::write(dir.join(format!("r{i:04}.md")), text).unwrap();
    }
    std::fs::write(dir.join("r9998-copy.md"), first).unwrap();
    std::fs::write(dir.join("r9999-note.txt"), "会议通知：请各单位于下周一前报送材料。").unwrap();
    dir
}

fn inputs(dir: &Path) -> Vec<files::Input> {
    let (inputs, skipped) = files::collect(&[dir.display().to_string()]).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    inputs
}

#[test]
fn check_streams_in_input_order_with_the_findings_between_reports() {
    let n = BATCH + 3;
    let dir = folder("check", n);
    let inputs = inputs(&dir);
    assert_eq!(inputs.len(), n + 2);
    let ticks = AtomicUsize::new(0);
    let tick = || {
        ticks.fetch_add(1, Ordering::Relaxed);
    };
    let cmd = CheckCommand { inputs: &inputs, format: CheckFormat::Json, errors_only: false };
    let text = |_: &gongkai_model::Finding, _: &str, _: &str, _: &gongkai_model::doc::LineIndex| String::new();
    let (sum, out) = check(&cmd, &text, &tick, Vec::new()).unwrap();
    assert_eq!(ticks.load(Ordering::Relaxed), n + 2, "progress is called once a file");
    let records: Vec<serde_json::Value> = serde_json::from_slice(&out).unwrap();
    let files: Vec<String> = records.iter().map(|r| r["file"].as_str().unwrap().to_string()).collect();
    let expected: Vec<String> = inputs.iter().map(files::Input::name).collect();
    assert_eq!(files, expected, "one record a file, in input order across batches");
    assert_eq!(sum.reports, n + 2);
    // The note is not a report (P8): failed, so the batch exits 2.
    assert_eq!(sum.failed, 1);
    assert_eq!(sum.exit_code(false), 2);
    // The copy is named as a byte copy of the first report, and counted as a warning.
    let copy = dir.join("r9998-copy.md").display().to_string();
    assert!(sum.cross.iter().any(|(file, f)| f.rule == "B1" && *file == copy), "{:?}", sum.cross);
    assert_eq!(sum.by_rule.get("B1"), Some(&1));
    let own: usize =
        records.iter().flat_map(|r| r["findings"].as_array().unwrap()).filter(|f| f["severity"] == "warning").count();
    assert_eq!(sum.warnings, own + sum.cross.len());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_page_is_written_from_its_rows_with_the_findings_between_reports() {
    let n = BATCH + 1;
    let dir = folder("audit", n);
    let inputs = inputs(&dir);
    let manifest = Manifest::default();
    let cmd = AuditCommand { inputs: &inputs, format: AuditFormat::Html, manifest: &manifest, out_name: "x.html" };
    let page = tempfile::NamedTempFile::new().unwrap();
    let sum = audit(&cmd, &|| {}, page.reopen().unwrap()).unwrap_or_else(|e| panic!("{e:#}"));
    let html = std::fs::read_to_string(page.path()).unwrap();
    assert_eq!(sum.reports, n + 2);
    assert_eq!(sum.failed, 1);
    assert_eq!(sum.cross_by_rule.get("B1"), Some(&1));
    assert!(html.contains(&format!("<p>共 {} 份报告。</p>", n + 2)));
    assert!(html.ends_with("</tbody></table>\n</body></html>\n"));
    // One row a report, in input order, after the counts.
    let prefix = format!("<tr><td>{}", dir.display());
    let rows: Vec<&str> = html.lines().filter(|l| l.starts_with(&prefix)).collect();
    let names: Vec<String> = inputs.iter().map(files::Input::name).collect();
    assert_eq!(rows.len(), names.len());
    for (row, name) in rows.iter().zip(&names) {
        assert!(row.starts_with(&format!("<tr><td>{name}</td>")), "{row} vs {name}");
    }
    // The byte copy's row holds its B1 finding; the counts by rule include it.
    let copy_row = rows.iter().find(|r| r.contains("r9998-copy.md")).unwrap();
    assert!(copy_row.contains("<summary>B1 ×1</summary>"), "{copy_row}");
    assert!(html.contains("<tr><td>B1</td>"));
    let _ = std::fs::remove_dir_all(&dir);
}
