//! The rule table: id, default severity, Chinese title, basis in SPEC.md.

use gongkai_model::Severity;

#[derive(Debug, Clone, Copy)]
pub struct RuleInfo {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    pub basis: &'static str,
}

macro_rules! rules {
    ($($id:literal, $sev:ident, $title:literal, $basis:literal;)+) => {
        pub const RULES: &[RuleInfo] = &[$(RuleInfo { id: $id, severity: Severity::$sev, title: $title, basis: $basis }),+];
    };
}

rules! {
    "E1", Error, "表三：本年新收+上年结转 应等于 办理结果总计+结转下年度", "SPEC §1.7 E1（表头注明的勾稽关系）; D2";
    "E2", Error, "表三：（七）总计 应等于各项办理结果之和", "SPEC §1.7 E2; D3";
    "E3", Error, "表三：总计列 应等于各类申请人之和", "SPEC §1.7 E3; D4";
    "E4", Error, "表四：各组总计 应等于维持+纠正+其他+尚未审结", "SPEC §1.7 E4; D5";
    "E5", Warning, "跨年度：本年“上年结转”应等于上年报告的“结转下年度继续办理”", "SPEC §1.7 E5; D6";
    "E6", Warning, "跨年度：现行有效件数应等于上年现行有效+本年制发−本年废止", "SPEC §1.7 E6; D7";
    "E7", Error, "数值必须为非负整数（金额为非负数）；单元格内印的单位须与该列一致", "SPEC §1.7 E7; D9";
    "D1", Error, "报告使用的表格格式与报告年度不符、混用两种格式，或与报告所称依据的格式文件不符", "SPEC §6 D1, §2.5";
    "D8", Warning, "表格单元格为空白或占位符，而非数字", "SPEC §6 D8";
    "D10", Error, "年度不一致：标题年度与正文统计年度、正文陈述本年数字所用年度或发布日期不符", "SPEC §6 D10";
    "D11", Warning, "公布时间晚于法定期限（以落款日期判断）", "SPEC §6 D11; 条例第四十九条";
    "D12", Error, "缺少、改名或只有标题的标准章节", "SPEC §6 D12; 条例第五十条";
    "D13", Warning, "未说明信息处理费收取情况", "SPEC §6 D13; 国办公开办函〔2021〕30号";
    "D14", Warning, "人民政府的报告未说明工作考核、社会评议和责任追究结果", "SPEC §6 D14; 条例第五十条第（四）项";
    "D15", Warning, "内容雷同：与上年报告的表格数据完全相同", "SPEC §6 D15";
    "D16", Warning, "表格数据全部为0而正文描述了工作开展情况", "SPEC §6 D16";
    "D17", Warning, "正文数字（收到、结转、办结、各项办理结果、复议诉讼、许可处罚强制）与表格数字不一致", "SPEC §6 D17";
    "D21", Warning, "正文出现其他机关的名称、账号或平台", "SPEC §6 D21";
    "D22", Warning, "序号重复、跳号", "SPEC §6 D22";
    "D23", Warning, "正文混入与信息公开无关的文字或乱码", "SPEC §6 D23";
    "P1", Warning, "未找到表格", "解析";
    "P2", Warning, "表格缺少行或数值", "解析";
    "P3", Warning, "单元格数目不符或数字无法唯一拆分，未采用", "解析";
    "P4", Info, "数值由位置或勾稽关系推定", "解析";
    "P5", Warning, "文档截断", "解析";
    "P6", Warning, "编码或输入问题", "解析";
    "P7", Info, "2019年以前格式的报告：按其自身章节和统计表读取，不按2019年后的六个部分和表二至表四核对", "解析; SPEC §2.4";
    "P8", Error, "不是政府信息公开工作年度报告（既没有标准章节，也没有统计表）", "解析";
    "B1", Warning, "重复文件：与本批另一文件的内容逐字节相同", "批量检查";
    "B2", Warning, "同一份报告以不同文件名重复提交（机关、年度、表格数值和正文均相同）", "批量检查";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
    }
}
