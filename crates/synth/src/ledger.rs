//! Synthetic 台账 (ledger) sheets in the layout of `gongkai_register::ledger`: valid rows by
//! construction (working-day receipts in 2024, a reply within the time limit or none, 18-digit
//! 身份证 numbers with their check character, mobile numbers, e-mail addresses), optionally
//! with hostile text (spreadsheet formulas, control characters) in the free-text cells. Used
//! by the import tests (100,000-row XLSX and CSV) and the property tests.

use crate::Rng;

/// The header row, as `gongkai_register::ledger::HEADERS` (a test holds them equal; this crate
/// has no dependencies).
pub const HEADERS: [&str; 19] = [
    "受理编号",
    "收到申请日期",
    "提交方式",
    "申请人类型",
    "申请人姓名或名称",
    "证件号码",
    "联系电话",
    "通讯地址",
    "电子邮箱",
    "申请内容",
    "获取信息方式",
    "补正告知日期",
    "补正后收到日期",
    "延期批准日期",
    "延期工作日数",
    "延期审批人",
    "答复日期",
    "办理结果",
    "备注",
];

/// What the generated free text may contain.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LedgerOptions {
    /// Start some names, addresses and descriptions with `=`, `+`, `-`, `@`, TAB or CR
    /// (formula injection) and put terminal escape sequences into some descriptions.
    pub hostile: bool,
}

const SURNAMES: [&str; 12] = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙"];
const GIVEN: [&str; 12] = ["伟", "芳", "娜", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰"];
const TOPICS: [&str; 6] = [
    "某路段规划许可",
    "某项目环境影响评价批复",
    "某地块征收补偿方案",
    "行政处罚决定书",
    "某年度财政预算",
    "某学校招生计划",
];
const INJECT: [&str; 6] =
    ["=HYPERLINK(\"http://x.invalid\",\"点我\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"];

/// The 身份证 check character of the first 17 digits (GB 11643-1999, ISO 7064 MOD 11-2).
pub fn id_check_char(first17: &[u8; 17]) -> char {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let s: u32 = first17.iter().zip(W).map(|(d, w)| u32::from(d - b'0') * w).sum();
    b"10X98765432"[(s % 11) as usize] as char
}

/// A valid 18-digit 身份证 number (born 1950–2004).
pub fn id_number(rng: &mut Rng) -> String {
    let mut d = [b'0'; 17];
    let region = 110_101 + rng.below(800_000) as u32;
    let (y, m, day) = (1950 + rng.below(55), 1 + rng.below(12), 1 + rng.below(28));
    let head = format!("{region:06}{y:04}{m:02}{day:02}{:03}", rng.below(1000));
    d.copy_from_slice(&head.as_bytes()[..17]);
    format!("{head}{}", id_check_char(&d))
}

/// A working day of 2024 (Monday–Friday outside the public holidays), as `YYYY-MM-DD`, with
/// its day of the year; the reply, when there is one, is 7 calendar days later (at most 5
/// working days, so always within the 20-working-day limit).
fn workday_2024(rng: &mut Rng) -> u32 {
    loop {
        // Days 15–330 avoid 元旦; 2024-01-01 was a Monday. The holidays: 春节 2-10..17,
        // 清明 4-4..6, 劳动节 5-1..5, 端午 6-10, 中秋 9-15..17, 国庆 10-1..7.
        let doy = 15 + rng.below(316) as u32;
        let weekday = (doy - 1) % 7; // 0 = Monday
        let holiday = (41..=48).contains(&doy)
            || (95..=97).contains(&doy)
            || (122..=126).contains(&doy)
            || doy == 162
            || (259..=261).contains(&doy)
            || (275..=281).contains(&doy);
        if weekday < 5 && !holiday {
            return doy;
        }
    }
}

fn date_2024(doy: u32) -> String {
    const DAYS: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut d = doy;
    for (i, n) in DAYS.iter().enumerate() {
        if d <= *n {
            return format!("2024-{:02}-{d:02}", i + 1);
        }
        d -= n;
    }
    "2024-12-31".into()
}

/// A ledger sheet: the header, then `n` valid rows (serials `{seed}-{i}`, unique).
pub fn ledger(seed: u64, n: usize, opts: LedgerOptions) -> Vec<Vec<String>> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(n + 1);
    out.push(HEADERS.iter().map(|h| h.to_string()).collect());
    for i in 0..n {
        let doy = workday_2024(&mut rng);
        let person = rng.chance(80);
        let mut name = if person {
            format!("{}{}{}", rng.pick(&SURNAMES), rng.pick(&GIVEN), rng.pick(&GIVEN))
        } else {
            format!("某{}有限公司", rng.pick(&GIVEN))
        };
        let mut description = format!("{}（第{}号）", rng.pick(&TOPICS), i + 1);
        let mut address = format!("某市某区某路{}号", 1 + rng.below(999));
        if opts.hostile && rng.chance(30) {
            let which = rng.below(3);
            let evil = rng.pick(&INJECT).to_string();
            match which {
                0 => name = format!("{evil}{name}"),
                1 => address = format!("{evil}{address}"),
                _ => description = format!("{evil}{description}"),
            }
        }
        if opts.hostile && rng.chance(10) {
            description.push_str("\u{1b}]0;标题被改\u{7}\u{1b}[2J\u{9b}31m");
        }
        let replied = rng.chance(60);
        let mut row = vec![String::new(); HEADERS.len()];
        row[0] = format!("{seed}-{:06}", i + 1);
        row[1] = date_2024(doy);
        row[2] = rng.pick(&["当面", "邮寄", "网络", "传真"]).to_string();
        row[3] = if person { "自然人".into() } else { "商业企业".into() };
        row[4] = name;
        row[5] = if person && rng.chance(70) { id_number(&mut rng) } else { String::new() };
        row[6] = if rng.chance(70) {
            format!("1{}{:09}", 3 + rng.below(7), rng.below(1_000_000_000))
        } else {
            String::new()
        };
        row[7] = address;
        row[8] = if rng.chance(40) { format!("user{}@example.cn", rng.below(100_000)) } else { String::new() };
        row[9] = description;
        row[10] = rng.pick(&["纸质", "电子"]).to_string();
        if replied {
            row[16] = date_2024(doy + 7);
            row[17] = rng.pick(&["R3.1", "R3.2", "R3.4.1", "R3.3.4"]).to_string();
        }
        out.push(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_numbers_carry_the_iso_7064_check_character() {
        // The standard's worked example: 11010519491231002X.
        assert_eq!(id_check_char(b"11010519491231002"), 'X');
        let mut rng = Rng::new(7);
        for _ in 0..100 {
            let id = id_number(&mut rng);
            assert_eq!(id.len(), 18);
            let first: [u8; 17] = id.as_bytes()[..17].try_into().unwrap();
            assert_eq!(id.chars().last(), Some(id_check_char(&first)));
        }
    }

    #[test]
    fn ledgers_are_deterministic_with_unique_serials() {
        let a = ledger(3, 500, LedgerOptions::default());
        assert_eq!(a, ledger(3, 500, LedgerOptions::default()));
        let serials: std::collections::HashSet<&String> = a[1..].iter().map(|r| &r[0]).collect();
        assert_eq!(serials.len(), 500);
        let h = ledger(3, 500, LedgerOptions { hostile: true });
        assert!(h.iter().flatten().any(|c| c.starts_with('=')));
        assert!(h.iter().flatten().any(|c| c.contains('\u{1b}')));
    }
}
