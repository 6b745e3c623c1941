//! Summing published reports into a region table (`gongkai aggregate`), and comparing the sum
//! with the government's own report.

use anyhow::{Context, Result, bail};
use gongkai_compile::Compiled;
use gongkai_model::Report;
use gongkai_model::report::Located;

use super::files::{self, Input};

/// The whole text of a JSON input (a file or `-`), which must be UTF-8.
pub fn read_json_text(path: &str) -> Result<String> {
    let input = if path == "-" { Input::Stdin } else { Input::File(path.into()) };
    let bytes = files::read(&input, 512 * 1024 * 1024)?;
    String::from_utf8(bytes).with_context(|| format!("“{path}”不是 UTF-8 编码的 JSON"))
}

/// Read one report: JSON report data (`gongkai.report/1`) or any document the engine reads.
pub fn load(input: &Input) -> Result<Report> {
    let path = input.name();
    if path.ends_with(".json") {
        let text = read_json_text(&path)?;
        let r: Report =
            serde_json::from_str(&text).with_context(|| format!("“{path}”不是 gongkai.report/1 格式的报告数据"))?;
        return Ok(r);
    }
    let (parsed, _) = super::check::check_one(input)?;
    if let Some(why) = parsed.unsupported {
        bail!("{path}: {why}");
    }
    Ok(parsed.report)
}

/// The reports read from `inputs`, summed cell by cell into one region report titled
/// `{年}年政府信息公开工作年度报告汇总（N份报告合计）`, with the notes of the sum; and the
/// number of reports summed.
pub fn aggregate(inputs: &[Input]) -> Result<(Compiled, usize)> {
    if inputs.is_empty() {
        bail!("没有找到可读取的报告文件");
    }
    let reports = inputs.iter().map(load).collect::<Result<Vec<_>>>()?;
    let mut summed = gongkai_compile::aggregate(&reports);
    if let Some(y) = summed.report.year.as_ref().map(|y| y.value) {
        summed.report.title = Some(Located {
            value: format!("{y}年政府信息公开工作年度报告汇总（{}份报告合计）", reports.len()),
            src: Default::default(),
        });
    }
    Ok((summed, reports.len()))
}
