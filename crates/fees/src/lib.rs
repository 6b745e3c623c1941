//! 信息处理费 under 《政府信息公开信息处理费管理办法》 (国办函〔2020〕109号, SPEC §4). Both methods
//! are 超额累进 (each band's rate applies only to the part inside the band); for one application
//! the organ uses one method, never both (第三条). Amounts are whole yuan.

use serde::Serialize;

/// One band of a progressive fee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Band {
    /// First and last unit of the band that were charged (1-based, inclusive).
    pub from: u64,
    pub to: u64,
    pub units: u64,
    /// 元 per unit.
    pub rate: u64,
    pub subtotal: u64,
}

/// A fee with its breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    /// "件" or "页".
    pub unit: &'static str,
    pub quantity: u64,
    pub total: u64,
    /// Only bands with a charged unit are listed; the free band is implicit.
    pub bands: Vec<Band>,
}

impl Quote {
    /// A Chinese breakdown: "第31–40件：10件×200元=2000元；…合计…".
    pub fn explain(&self) -> String {
        let mut parts: Vec<String> = self
            .bands
            .iter()
            .map(|b| format!("第{}–{}{u}：{}{u}×{}元={}元", b.from, b.to, b.units, b.rate, b.subtotal, u = self.unit))
            .collect();
        if parts.is_empty() {
            parts.push(format!("{}{}在免费范围内", self.quantity, self.unit));
        }
        format!("{}；合计{}元", parts.join("；"), self.total)
    }
}

/// 按量计收 (第五条): pages of one application. ≤30 free; 31–100 at 10元/页; 101–200 at 20元/页;
/// 201 and above at 40元/页.
pub fn by_pages(pages: u64) -> Quote {
    const BANDS: [(u64, u64, u64); 3] = [(31, 100, 10), (101, 200, 20), (201, u64::MAX, 40)];
    let mut bands = Vec::new();
    for (from, to, rate) in BANDS {
        if pages < from {
            break;
        }
        let last = pages.min(to);
        let units = last - from + 1;
        bands.push(Band { from, to: last, units, rate, subtotal: units.saturating_mul(rate) });
    }
    let total = bands.iter().map(|b| b.subtotal).fold(0u64, u64::saturating_add);
    Quote { unit: "页", quantity: pages, total, bands }
}

/// Rate of the k-th application of one applicant within one natural month (第四条): 1–10 free;
/// 11–30 at 100元; then bands of 10, each 100元 higher (31–40: 200元, 41–50: 300元, …).
pub fn item_rate(k: u64) -> u64 {
    match k {
        0..=10 => 0,
        11..=30 => 100,
        _ => 100u64.saturating_mul(2 + (k - 31) / 10),
    }
}

/// 按件计收: the fee for applications number `already + 1 ..= already + count` of one applicant
/// in one natural month at one organ (`already` = applications counted earlier that month).
pub fn by_items(already: u64, count: u64) -> Quote {
    let mut bands: Vec<Band> = Vec::new();
    for k in already + 1..=already.saturating_add(count) {
        let rate = item_rate(k);
        if rate == 0 {
            continue;
        }
        match bands.last_mut() {
            Some(b) if b.rate == rate && b.to + 1 == k => {
                b.to = k;
                b.units += 1;
                b.subtotal += rate;
            }
            _ => bands.push(Band { from: k, to: k, units: 1, rate, subtotal: rate }),
        }
    }
    let total = bands.iter().map(|b| b.subtotal).sum();
    Quote { unit: "件", quantity: count, total, bands }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn spec_4_worked_number_2219_pages() {
        // SPEC §4: 700 + 2000 + 80760 = 83,460元.
        let q = by_pages(2219);
        assert_eq!(q.total, 83_460);
        assert_eq!(q.bands.iter().map(|b| b.subtotal).collect::<Vec<_>>(), vec![700, 2000, 80_760]);
        assert_eq!(by_pages(30).total, 0);
        assert_eq!(by_pages(31).total, 10);
        assert_eq!(by_pages(100).total, 700);
        assert_eq!(by_pages(200).total, 2700);
        assert!(q.explain().contains("第201–2219页：2019页×40元=80760元"), "{}", q.explain());
    }

    #[test]
    fn article_4_monthly_items() {
        assert_eq!(by_items(0, 10).total, 0);
        assert_eq!(by_items(0, 30).total, 2000);
        assert_eq!(by_items(0, 31).total, 2200);
        // 11–30: 20×100; 31–40: 10×200; 41–45: 5×300.
        assert_eq!(by_items(0, 45).total, 2000 + 2000 + 1500);
        // Accumulated over the month: the 31st application of the month costs 200元.
        assert_eq!(by_items(30, 1).total, 200);
        assert_eq!(item_rate(51), 400);
    }

    proptest! {
        #[test]
        fn monthly_accumulation_is_additive(a in 0u64..200, b in 0u64..200) {
            prop_assert_eq!(by_items(0, a + b).total, by_items(0, a).total + by_items(a, b).total);
        }

        #[test]
        fn page_fee_grows_with_pages(p in 0u64..100_000) {
            prop_assert!(by_pages(p + 1).total >= by_pages(p).total);
        }
    }
}
