//! `gongkai audit` over a folder of generated reports with seeded cross-report defects: series
//! of consecutive years (SPEC §1.7 E5, E6), copied text and copied tables (SPEC §6 D15), and a
//! manifest that supplies the hierarchy. The audit must find every seeded defect and no others.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use gongkai_model::{Cell, Col, FormatVersion, Report, T2Col, T2Row, T3Row};
use gongkai_render::TextShape;
use gongkai_synth::{Overrides, SynthOptions, report_with};

const APPLICANTS: [Col; 6] = [Col::Np, Col::Biz, Col::Res, Col::Ngo, Col::Law, Col::Oth];

fn n(r: &Report, row: T3Row, c: Col) -> i64 {
    r.t3(row, c).and_then(Cell::as_number).map_or(0, |d| i64::try_from(d).unwrap_or(0))
}

fn set3(r: &mut Report, row: T3Row, c: Col, v: i64) {
    r.table3.entry(row).or_default().insert(c, Cell::number(v));
}

fn n2(r: &Report, row: T2Row, c: T2Col) -> i64 {
    r.table2.get(&row).and_then(|m| m.get(&c)).and_then(Cell::as_number).map_or(0, |d| i64::try_from(d).unwrap_or(0))
}

fn set2(r: &mut Report, row: T2Row, c: T2Col, v: i64) {
    r.table2.entry(row).or_default().insert(c, Cell::number(v));
}

fn retotal(r: &mut Report, rows: &[T3Row]) {
    for row in rows {
        let t = APPLICANTS.iter().map(|c| n(r, *row, *c)).sum();
        set3(r, *row, Col::Tot, t);
    }
}

/// Make `r` follow `prev`: carried-over applications (E5) and the stock of documents (E6)
/// continue, and E1 still holds inside `r`.
fn carry_from(prev: &Report, r: &mut Report) {
    for c in APPLICANTS {
        let r2 = n(prev, T3Row::R4, c);
        let (mut r1, r37) = (n(r, T3Row::R1, c), n(r, T3Row::R3_7, c));
        let mut r4 = r1 + r2 - r37;
        if r4 < 0 {
            r1 -= r4;
            r4 = 0;
        }
        set3(r, T3Row::R1, c, r1);
        set3(r, T3Row::R2, c, r2);
        set3(r, T3Row::R4, c, r4);
    }
    retotal(r, &[T3Row::R1, T3Row::R2, T3Row::R4]);
    for row in [T2Row::Reg, T2Row::Norm] {
        let issued = n2(r, row, T2Col::Issued);
        let mut repealed = n2(r, row, T2Col::Repealed);
        let before = n2(prev, row, T2Col::Valid);
        if before + issued - repealed < 0 {
            repealed = before + issued;
            set2(r, row, T2Col::Repealed, repealed);
        }
        set2(r, row, T2Col::Valid, before + issued - repealed);
    }
}

fn synth(seed: u64, year: i32, organ: (&str, &str), adjust: &dyn Fn(&mut Report)) -> Report {
    let opts = SynthOptions { format: FormatVersion::F2021, target_bytes: 6_000 };
    report_with(seed, &opts, &Overrides { year: Some(year), organ: Some(organ), tables: Some(adjust) })
}

fn write(dir: &Path, name: &str, r: &Report) {
    std::fs::write(dir.join(name), gongkai_render::text(r, TextShape::Markdown)).unwrap();
}

#[test]
fn audit_finds_every_seeded_e5_e6_d15_defect_and_no_others() {
    let dir = std::env::temp_dir().join(format!("gongkai-audit-cross-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let keep = |_: &mut Report| {};

    // A: a clean three-year series.
    let a = ("沭阳县", "科学技术局");
    let a22 = synth(1, 2022, a, &keep);
    let a23 = synth(2, 2023, a, &|r| carry_from(&a22, r));
    let a24 = synth(3, 2024, a, &|r| carry_from(&a23, r));
    // B: 2024 forgets one natural-person application carried over from 2023 (E5 on NP and TOT).
    let b = ("平阴县", "民政局");
    let b23 = synth(4, 2023, b, &keep);
    let b24 = synth(5, 2024, b, &|r| {
        carry_from(&b23, r);
        let (r2, r4) = (n(r, T3Row::R2, Col::Np), n(r, T3Row::R4, Col::Np));
        set3(r, T3Row::R2, Col::Np, r2 + 1);
        set3(r, T3Row::R4, Col::Np, r4 + 1);
        retotal(r, &[T3Row::R2, T3Row::R4]);
    });
    // C: the stock of 行政规范性文件 jumps by 5 (E6).
    let c = ("长丰县", "教育局");
    let c23 = synth(6, 2023, c, &keep);
    let c24 = synth(7, 2024, c, &|r| {
        carry_from(&c23, r);
        let v = n2(r, T2Row::Norm, T2Col::Valid);
        set2(r, T2Row::Norm, T2Col::Valid, v + 5);
    });
    // D: another organ's 2024 report written from A's (same seed: same sentences) (D15).
    let d24 = synth(3, 2024, ("嘉善县", "财政局"), &|r| carry_from(&a23, r));
    // E: the 2024 tables are the 2023 tables (D15, copied tables). 2023 is shaped so that the
    // copy still continues it (R2 = R4, 废止 = 制发), leaving only the copy to find.
    let e = ("桐庐县", "审计局");
    let e23 = synth(8, 2023, e, &|r| {
        for col in APPLICANTS {
            let (r2, r37) = (n(r, T3Row::R2, col), n(r, T3Row::R3_7, col));
            set3(r, T3Row::R4, col, r2);
            set3(r, T3Row::R1, col, r37);
        }
        retotal(r, &[T3Row::R1, T3Row::R4]);
        for row in [T2Row::Reg, T2Row::Norm] {
            let issued = n2(r, row, T2Col::Issued);
            set2(r, row, T2Col::Repealed, issued);
        }
    });
    assert!(APPLICANTS.iter().any(|c| n(&e23, T3Row::R1, *c) > 0), "the copied tables show activity");
    let e24 = synth(9, 2024, e, &|r| {
        r.table2 = e23.table2.clone();
        r.table3 = e23.table3.clone();
        r.table4 = e23.table4.clone();
    });
    let files = [
        ("a2022.md", &a22),
        ("a2023.md", &a23),
        ("a2024.md", &a24),
        ("b2023.md", &b23),
        ("b2024.md", &b24),
        ("c2023.md", &c23),
        ("c2024.md", &c24),
        ("d2024.md", &d24),
        ("e2023.md", &e23),
        ("e2024.md", &e24),
    ];
    for (name, r) in files {
        write(&dir, name, r);
    }
    // The manifest supplies the hierarchy (and overrides nothing else here).
    let mut manifest = String::from("file,organ,parent,year\n");
    for (name, r) in files {
        let organ = &r.organ.as_ref().unwrap().value;
        let year = r.year.as_ref().unwrap().value;
        manifest.push_str(&format!("{name},{organ},示例市人民政府,{year}\n"));
    }
    std::fs::write(dir.join("manifest.csv"), manifest).unwrap();

    let out_json = dir.join("audit.json");
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .arg("audit")
        .arg(&dir)
        .arg("--out")
        .arg(&out_json)
        .arg("--manifest")
        .arg(dir.join("manifest.csv"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out_json).unwrap()).unwrap();

    // Every single report is clean: the defects exist only between reports.
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), files.len());
    for r in reports {
        assert_eq!(r["findings"].as_array().unwrap().len(), 0, "{r}");
        assert_eq!(r["parent"], "示例市人民政府");
        assert_eq!(r["origin"], "manifest");
    }
    // Exactly the seeded cross-report findings.
    let mut found: BTreeMap<(String, String), usize> = BTreeMap::new();
    for x in v["cross_report"].as_array().unwrap() {
        let file = Path::new(x["file"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned();
        *found.entry((file, x["finding"]["rule"].as_str().unwrap().to_string())).or_default() += 1;
    }
    let expected: BTreeMap<(String, String), usize> =
        [(("b2024.md", "E5"), 2), (("c2024.md", "E6"), 1), (("d2024.md", "D15"), 1), (("e2024.md", "D15"), 1)]
            .into_iter()
            .map(|((f, r), k)| ((f.to_string(), r.to_string()), k))
            .collect();
    assert_eq!(found, expected, "{}", serde_json::to_string_pretty(&v["cross_report"]).unwrap());
    assert!(stderr.contains("E5 2 项") && stderr.contains("清单 10 行"), "{stderr}");

    // The page shows them too, under the parent organ.
    let out_html = dir.join("audit.html");
    let out = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .arg("audit")
        .arg(&dir)
        .arg("--out")
        .arg(&out_html)
        .arg("--manifest")
        .arg(dir.join("manifest.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let page = std::fs::read_to_string(&out_html).unwrap();
    assert!(page.contains("E6 ×1") && page.contains("示例市人民政府"), "{page}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_manifest_overrides_organ_and_year_and_bad_manifests_are_refused() {
    let dir = std::env::temp_dir().join(format!("gongkai-audit-manifest-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let r = synth(11, 2023, ("安吉县", "水利局"), &|_| {});
    write(&dir, "r.md", &r);
    std::fs::write(dir.join("m.csv"), "file,organ,year\nr.md,安吉县水利局（含原农业局）,2023\n").unwrap();
    let json = dir.join("a.json");
    let run = |m: &str| {
        Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .arg("audit")
            .arg(dir.join("r.md"))
            .arg("--out")
            .arg(&json)
            .arg("--manifest")
            .arg(dir.join(m))
            // The same output file each time: replacing it needs --force.
            .arg("--force")
            .output()
            .unwrap()
    };
    let out = run("m.csv");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["reports"][0]["organ"], "安吉县水利局（含原农业局）");
    assert_eq!(v["reports"][0]["origin"], "manifest");
    // Errors name the file, the line and the problem; the tool exits 2.
    std::fs::write(dir.join("bad-year.csv"), "file,organ,year\nr.md,某局,二〇二三\n").unwrap();
    let out = run("bad-year.csv");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("第2行") && err.contains("二〇二三"), "{err}");
    std::fs::write(dir.join("no-file.csv"), "organ,year\n某局,2023\n").unwrap();
    let out = run("no-file.csv");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("缺少 file 列"));
    let _ = std::fs::remove_dir_all(&dir);
}
