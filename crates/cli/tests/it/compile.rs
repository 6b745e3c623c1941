//! Black-box tests of `gongkai compile` and `gongkai aggregate` on the example records
//! (`examples/records/county-2024.json`, documented in `docs/records-json.md`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
}

fn records() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/records/county-2024.json")
}

fn tmp(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("compile-cli");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn compile(args: &[&str]) -> Output {
    bin().arg("compile").arg("--records").arg(records()).args(args).output().unwrap()
}

fn json(out: &Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn compile_one_organ_by_name_to_json_e1_holds() {
    let v = json(&compile(&["--organ", "示例县科学技术局", "--year", "2024", "--to", "json"]));
    assert_eq!(v["schema"], "gongkai.report/1");
    assert_eq!(v["source"]["kind"], "compiled");
    assert_eq!(v["format"], "2021");
    let t = |row: &str| v["table3"][row]["TOT"]["value"].as_i64().unwrap();
    // Received 2024: 4 (one on 31 Dec); carried over from 2023: 1; concluded: 4; open at the end: 1.
    assert_eq!((t("R1"), t("R2"), t("R3.7"), t("R4")), (4, 1, 4, 1));
    assert_eq!(t("R1") + t("R2"), t("R3.7") + t("R4"), "E1");
    assert_eq!(v["table3"]["R3.6.1"]["NP"]["value"], 1, "补正 expired → R3.6.1");
    // The fee amount was not recorded: blank, never 0.
    assert_eq!(v["table2"]["FEE"]["AMOUNT"]["state"], "blank");
    assert_eq!(v["table4"]["RV"]["MAINT"]["value"], 1);
}

#[test]
fn compile_region_text_passes_check_and_notes_go_to_stderr() {
    let out = compile(&["--organ", "1", "--year", "2024", "--region", "--signed", "2025-03-20"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("示例县人民政府2024年政府信息公开工作年度报告"), "{text}");
    assert!(text.contains("本年度共收到政府信息公开申请6件"), "{text}");
    assert!(text.contains("工作考核、社会评议和责任追究"));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("注：") && err.contains("示例县城关镇人民政府未登记2024年"), "{err}");
    let path = tmp("region.txt");
    std::fs::write(&path, &text).unwrap();
    let check = bin().arg("check").arg("--errors-only").arg(&path).output().unwrap();
    assert_eq!(check.status.code(), Some(0), "{}", String::from_utf8_lossy(&check.stdout));
}

#[test]
fn compile_refuses_pre_2019_years_and_unknown_organs() {
    let out = compile(&["--organ", "1", "--year", "2018"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("2018年的年度报告没有统一的表格格式"));
    let out = compile(&["--organ", "某某局", "--year", "2024"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有名为“某某局”的机关"));
    let out = compile(&["--organ", "99", "--year", "2024"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn compile_2020_uses_the_2019_format() {
    let v = json(&compile(&["--organ", "2", "--year", "2020", "--to", "json"]));
    assert_eq!(v["format"], "2019");
    assert!(v["table3"].get("R3.6").is_some() && v["table3"].get("R3.6.1").is_none());
    assert_eq!(v["table2"]["PROCUREMENT"]["PURCHASE_COUNT"]["state"], "blank");
}

#[test]
fn aggregate_units_equals_region_and_compare_lists_differences() {
    let mut units = Vec::new();
    for (id, to, ext) in [("1", "json", "json"), ("2", "html", "html"), ("3", "md", "md")] {
        let path = tmp(&format!("unit{id}.{ext}"));
        // The files live in a fixed folder under target/ and are replaced on every run: --force.
        let out = compile(&["--organ", id, "--year", "2024", "--to", to, "--out", path.to_str().unwrap(), "--force"]);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        units.push(path);
    }
    let region = tmp("region-gov.txt");
    let out = compile(&["--organ", "1", "--year", "2024", "--region", "--out", region.to_str().unwrap(), "--force"]);
    assert_eq!(out.status.code(), Some(0));

    let out = bin().arg("aggregate").args(&units).args(["--to", "json"]).output().unwrap();
    let v = json(&out);
    assert_eq!(v["table3"]["R1"]["TOT"]["value"], 6);
    // A directory is read recursively (.json files only when named).
    let dir = tmp("units");
    std::fs::create_dir_all(&dir).unwrap();
    for u in &units[1..] {
        std::fs::copy(u, dir.join(u.file_name().unwrap())).unwrap();
    }
    let out = bin().arg("aggregate").arg(&units[0]).arg(&dir).args(["--to", "json"]).output().unwrap();
    assert_eq!(json(&out)["table3"]["R1"]["TOT"]["value"], 6);
    assert_eq!(v["table2"]["LICENSE"]["DECISIONS"]["value"], 362);
    assert_eq!(v["year"]["value"], 2024);

    let out = bin().arg("aggregate").args(&units).arg("--compare").arg(&region).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains("一致"));

    // Leave the government's own report out of the units: the government's numbers differ.
    let out = bin().arg("aggregate").args(&units[1..]).arg("--compare").arg(&region).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("table3.R1.TOT）：合计 5，本级报告 6"), "{text}");
    let out =
        bin().arg("aggregate").args(&units[1..]).arg("--compare").arg(&region).args(["--to", "json"]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["differences"].as_array().unwrap().iter().any(|d| d["cell"] == "table4.LD.PEND"));
}
