//! Real reports through LibreOffice (ignored by default: run with `--ignored`; needs `libreoffice` and
//! `../shared/corpus`): each HTML report of the corpus is imported by LibreOffice Writer
//! (DOCX) and Calc (XLSX, the whole page in one sheet), and the three tables read from those
//! files equal the tables read from the HTML itself.

use std::path::Path;
use std::process::Command;

use gongkai_model::Report;

fn tables(r: &Report) -> String {
    let v = |c: &gongkai_model::Cell| format!("{:?}", c.value);
    let mut out = String::new();
    for (row, m) in &r.table2 {
        for (c, x) in m {
            out.push_str(&format!("T2.{row}.{c}={}\n", v(x)));
        }
    }
    for (row, m) in &r.table3 {
        for (c, x) in m {
            out.push_str(&format!("T3.{row}.{c}={}\n", v(x)));
        }
    }
    for (g, m) in &r.table4 {
        for (o, x) in m {
            out.push_str(&format!("T4.{g}.{o}={}\n", v(x)));
        }
    }
    out
}

#[test]
#[ignore = "needs LibreOffice (not in CI): cargo test -p gongkai-office --test it libreoffice_live -- --ignored"]
fn corpus_html_reports_imported_by_libreoffice_read_the_same_tables() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/reports");
    let Ok(dir) = std::fs::read_dir(&corpus) else {
        gongkai_testkit::skipped("the LibreOffice corpus comparison", &format!("{} not found", corpus.display()));
        return;
    };
    let out = std::env::temp_dir().join(format!("gongkai-lo-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let mut checked = 0;
    for e in dir.flatten() {
        let path = e.path();
        if path.extension().and_then(|x| x.to_str()) != Some("html") {
            continue;
        }
        let html = gongkai_parse::parse_bytes(std::fs::read(&path).unwrap(), None);
        let want = tables(&html.report);
        for (filter, target, ext) in
            [("HTML (StarWriter)", "docx:MS Word 2007 XML", "docx"), ("HTML (StarCalc)", "xlsx", "xlsx")]
        {
            let status = Command::new("libreoffice")
                .args(["--headless", &format!("--infilter={filter}"), "--convert-to", target, "--outdir"])
                .arg(&out)
                .arg(&path)
                .output()
                .expect("libreoffice");
            assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
            let file = out.join(path.with_extension(ext).file_name().unwrap());
            let p = gongkai_office::parse_bytes(std::fs::read(&file).unwrap(), None);
            assert!(p.unsupported.is_none(), "{:?}", p.unsupported);
            assert_eq!(tables(&p.report), want, "{} via {ext}", path.display());
            checked += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&out);
    assert!(checked > 0);
}
