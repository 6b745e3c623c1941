//! The official section headings (SPEC §1.3), as printed in a report and rendered by the
//! writers. The parser's matching keys for them (and for every other official label) live in
//! `gongkai_parse::labels`; D21's organ-type words in `gongkai_rules`.

/// The six official section headings (SPEC §1.3), in order: `SECTION_HEADINGS[0]` is section 一.
pub const SECTION_HEADINGS: [&str; 6] = [
    "一、总体情况",
    "二、主动公开政府信息情况",
    "三、收到和处理政府信息公开申请情况",
    "四、政府信息公开行政复议、行政诉讼情况",
    "五、存在的主要问题及改进情况",
    "六、其他需要报告的事项",
];
