//! 信息处理费 under 《政府信息公开信息处理费管理办法》 (国办函〔2020〕109号, SPEC §4).
//!
//! Both methods are 超额累进 (第三条): each band's rate applies only to the units inside that band.
//! For one application the organ uses one method, never both. Amounts are whole yuan (`u64`);
//! every rate is a whole number of yuan, so no fractions arise.
//!
//! * 按件计收 (第四条) — [`by_items`], [`item_rate`], and [`ItemLedger`], which accumulates the
//!   count per applicant, per organ, per natural month. Bands of the month's cumulative count:
//!   1–10 free; 11–30 at 100元/件; from 31 on, bands of 10 each 100元/件 dearer (31–40 at 200元,
//!   41–50 at 300元, …; SPEC's derived reading of "以10件为一档，每增加一档，收费标准提高100元/件").
//! * 按量计收 (第五条) — [`by_pages`]: pages of one application. ≤30 free; 31–100 at 10元/页;
//!   101–200 at 20元/页; 201 and above at 40元/页. SPEC's worked number: 2,219 pages → 83,460元.
//!
//! Choices where SPEC is UNCONFIRMED (§8 open questions 2 and 4): the monthly count is kept
//! per organ; every application recorded in the ledger counts toward the month, whichever method
//! (or none) is then used to charge it; items split under "一事一申请" count one by one.
//! Page-count rules (A4 sides, electronic data) are the caller's business. No IO.
//!
//! Inputs are bounded ([`MAX_PAGES`], [`MAX_ITEMS`]; a larger count is a [`FeeError`], never
//! a long computation): a quote is computed from its bands, at most three for pages and at
//! most `MAX_ITEMS / 10 + 1` for items, and every sum and product is checked.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

/// The largest page count [`by_pages`] accepts for one application (ten million pages, far
/// above any real request).
pub const MAX_PAGES: u64 = 10_000_000;

/// The largest monthly count [`by_items`] accepts for one applicant at one organ (`already +
/// count`): ten thousand applications in a month, far above any real applicant. It bounds the
/// breakdown to 1,000 bands.
pub const MAX_ITEMS: u64 = 10_000;

/// An input outside the bounds, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeeError {
    #[error("页数{0}超过上限{MAX_PAGES}页，请核对")]
    TooManyPages(u64),
    #[error("本月累计件数（已有{already}件，加本次{count}件）超过上限{MAX_ITEMS}件，请核对")]
    TooManyItems { already: u64, count: u64 },
}

impl FeeError {
    /// A stable code for programs and logs (never changes with the wording).
    pub fn code(&self) -> &'static str {
        match self {
            FeeError::TooManyPages(_) => "fees.too_many_pages",
            FeeError::TooManyItems { .. } => "fees.too_many_items",
        }
    }
}

/// The charging method (第三条).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// 按件计收 (第四条).
    Items,
    /// 按量计收 (第五条).
    Pages,
}

/// One charged band of a progressive fee.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Band {
    /// First and last unit of the band that were charged (1-based, inclusive; for 按件 these
    /// are positions in the applicant's month).
    pub from: u64,
    pub to: u64,
    /// Units charged in this band.
    pub units: u64,
    /// 元 per unit.
    pub rate: u64,
    /// `units × rate`, 元.
    pub subtotal: u64,
}

/// A fee with its breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub method: Method,
    /// "件" or "页".
    pub unit: &'static str,
    /// Units of this application.
    pub quantity: u64,
    /// Total, 元.
    pub total: u64,
    /// Only bands with a charged unit are listed; the free band is implicit.
    pub bands: Vec<Band>,
}

impl Quote {
    /// A Chinese breakdown: "第11–30件：20件×100元=2000元；第31–40件：10件×200元=2000元；合计4000元".
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

/// The charged parts of `first..=last` under bands `(from, to, rate)`.
fn charge(first: u64, last: u64, bands: impl Iterator<Item = (u64, u64, u64)>) -> Vec<Band> {
    let mut out = Vec::new();
    if last < first {
        return out;
    }
    for (from, to, rate) in bands {
        if from > last {
            break;
        }
        let (a, b) = (from.max(first), to.min(last));
        if a > b {
            continue;
        }
        let units = b - a + 1;
        // Bounded inputs keep every product far below u64::MAX; checked all the same.
        let subtotal = units.checked_mul(rate).expect("bounded units × rate fits in u64");
        out.push(Band { from: a, to: b, units, rate, subtotal });
    }
    out
}

fn quote(method: Method, quantity: u64, bands: Vec<Band>) -> Quote {
    let total = bands.iter().try_fold(0u64, |t, b| t.checked_add(b.subtotal)).expect("bounded fees sum within u64");
    let unit = match method {
        Method::Items => "件",
        Method::Pages => "页",
    };
    Quote { method, unit, quantity, total, bands }
}

/// 按量计收 (第五条): the fee for `pages` pages of one application (at most [`MAX_PAGES`]).
pub fn by_pages(pages: u64) -> Result<Quote, FeeError> {
    const BANDS: [(u64, u64, u64); 3] = [(31, 100, 10), (101, 200, 20), (201, u64::MAX, 40)];
    if pages > MAX_PAGES {
        return Err(FeeError::TooManyPages(pages));
    }
    Ok(quote(Method::Pages, pages, charge(1, pages, BANDS.into_iter())))
}

/// The 按件 bands from the 11th application of a month on (第四条), in order.
fn item_bands() -> impl Iterator<Item = (u64, u64, u64)> {
    std::iter::once((11, 30, 100)).chain(
        (0u64..)
            .map(|j| (31 + 10 * j, 40 + 10 * j, 100u64.saturating_mul(2 + j)))
            .take_while(|(from, _, _)| *from <= MAX_ITEMS),
    )
}

/// Rate of the k-th application of one applicant within one natural month at one organ
/// (第四条): `0` for k ≤ 10, `100` for 11–30, `100·(2+⌊(k−31)/10⌋)` from 31 on.
pub fn item_rate(k: u64) -> u64 {
    match k {
        0..=10 => 0,
        11..=30 => 100,
        _ => 100u64.saturating_mul(2 + (k - 31) / 10),
    }
}

/// 按件计收 (第四条): the fee for applications number `already + 1 ..= already + count` of one
/// applicant in one natural month at one organ (`already` = applications counted earlier in
/// that month). The breakdown has one band per ten charged applications beyond the 30th;
/// `already + count` is at most [`MAX_ITEMS`], so there are at most 1,000 bands.
pub fn by_items(already: u64, count: u64) -> Result<Quote, FeeError> {
    let last =
        already.checked_add(count).filter(|l| *l <= MAX_ITEMS).ok_or(FeeError::TooManyItems { already, count })?;
    let first = already + 1;
    Ok(quote(Method::Items, count, if count == 0 { Vec::new() } else { charge(first, last, item_bands()) }))
}

/// The monthly count of 第四条: "同一申请人一个自然月内累计申请", kept per applicant, per organ
/// and per natural month (the per-organ reading is SPEC §8 open question 4).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemLedger {
    counts: BTreeMap<(String, String, i16, i8), u64>,
}

impl ItemLedger {
    /// An empty ledger.
    pub fn new() -> ItemLedger {
        ItemLedger::default()
    }

    fn key(applicant: &str, organ: &str, date: Date) -> (String, String, i16, i8) {
        (applicant.trim().to_string(), organ.trim().to_string(), date.year(), date.month())
    }

    /// Applications of `applicant` to `organ` already recorded in `date`'s natural month.
    pub fn count(&self, applicant: &str, organ: &str, date: Date) -> u64 {
        self.counts.get(&ItemLedger::key(applicant, organ, date)).copied().unwrap_or(0)
    }

    /// The 按件 fee an application of `items` 件 (after "一事一申请" splitting) received on
    /// `date` would cost, without recording it.
    pub fn preview(&self, applicant: &str, organ: &str, date: Date, items: u64) -> Result<Quote, FeeError> {
        by_items(self.count(applicant, organ, date), items)
    }

    /// Record an application of `items` 件 received on `date` and return its 按件 fee.
    /// Applications must be recorded in the order they were received within the month.
    /// A count over [`MAX_ITEMS`] is refused and not recorded.
    pub fn record(&mut self, applicant: &str, organ: &str, date: Date, items: u64) -> Result<Quote, FeeError> {
        let q = self.preview(applicant, organ, date, items)?;
        let n = self.counts.entry(ItemLedger::key(applicant, organ, date)).or_insert(0);
        // preview checked that the sum is within MAX_ITEMS.
        *n += items;
        Ok(q)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use proptest::prelude::*;

    #[test]
    fn article_5_spec_worked_number_2219_pages() {
        // SPEC §4: 10·70 + 20·100 + 40·2019 = 700 + 2000 + 80760 = 83,460元.
        let q = by_pages(2219).unwrap();
        assert_eq!(q.total, 83_460);
        assert_eq!(
            q.bands.iter().map(|b| (b.units, b.rate, b.subtotal)).collect::<Vec<_>>(),
            vec![(70, 10, 700), (100, 20, 2000), (2019, 40, 80_760)]
        );
        assert_eq!(
            q.explain(),
            "第31–100页：70页×10元=700元；第101–200页：100页×20元=2000元；第201–2219页：2019页×40元=80760元；合计83460元"
        );
    }

    #[test]
    fn article_5_band_edges() {
        for (pages, fee) in [(0, 0), (30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740), (300, 6700)] {
            assert_eq!(by_pages(pages).unwrap().total, fee, "{pages} pages");
        }
        assert_eq!(by_pages(30).unwrap().explain(), "30页在免费范围内；合计0元");
        assert_eq!(by_pages(MAX_PAGES).unwrap().total, 2700 + 40 * (MAX_PAGES - 200));
    }

    #[test]
    fn article_4_item_rates_follow_the_spec_formula() {
        for (k, rate) in [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200), (41, 300), (50, 300), (51, 400)]
        {
            assert_eq!(item_rate(k), rate, "application {k}");
        }
        // The bands agree with the per-application formula.
        for n in 0..200u64 {
            assert_eq!(by_items(0, n).unwrap().total, (1..=n).map(item_rate).sum::<u64>(), "{n} applications");
        }
    }

    #[test]
    fn article_4_monthly_totals() {
        assert_eq!(by_items(0, 10).unwrap().total, 0);
        assert_eq!(by_items(0, 30).unwrap().total, 2000);
        assert_eq!(by_items(0, 31).unwrap().total, 2200);
        // 11–30: 20×100; 31–40: 10×200; 41–45: 5×300.
        let q = by_items(0, 45).unwrap();
        assert_eq!(q.total, 2000 + 2000 + 1500);
        assert_eq!(
            q.explain(),
            "第11–30件：20件×100元=2000元；第31–40件：10件×200元=2000元；第41–45件：5件×300元=1500元；合计5500元"
        );
        // Accumulated over the month: the 31st application of the month costs 200元.
        assert_eq!(by_items(30, 1).unwrap().total, 200);
        assert_eq!(by_items(30, 1).unwrap().bands, vec![Band { from: 31, to: 31, units: 1, rate: 200, subtotal: 200 }]);
        assert_eq!(by_items(5, 0).unwrap().total, 0);
    }

    #[test]
    fn article_4_ledger_counts_per_applicant_organ_and_month() {
        let mut l = ItemLedger::new();
        let (a, b) = ("王某", "李某");
        let organ = "某市自然资源局";
        // Ten free applications in March, then the 11th costs 100元.
        for day in 1..=10 {
            assert_eq!(l.record(a, organ, date(2024, 3, day), 1).unwrap().total, 0);
        }
        assert_eq!(l.preview(a, organ, date(2024, 3, 20), 1).unwrap().total, 100);
        assert_eq!(l.record(a, organ, date(2024, 3, 20), 3).unwrap().total, 300);
        assert_eq!(l.count(a, organ, date(2024, 3, 31)), 13);
        // Another applicant, another organ, and the next month each start from zero.
        assert_eq!(l.record(b, organ, date(2024, 3, 21), 1).unwrap().total, 0);
        assert_eq!(l.record(a, "某市生态环境局", date(2024, 3, 21), 1).unwrap().total, 0);
        assert_eq!(l.record(a, organ, date(2024, 4, 1), 1).unwrap().total, 0);
        // One application split into 25 items under 一事一申请 late in March: 14–30 at 100元
        // (17 items), 31–38 at 200元 (8 items).
        let q = l.record(a, organ, date(2024, 3, 28), 25).unwrap();
        assert_eq!(q.total, 17 * 100 + 8 * 200);
        assert_eq!(q.method, Method::Items);
    }

    #[test]
    fn quotes_serialize_with_their_breakdown() {
        let v = serde_json::to_value(by_pages(120).unwrap()).unwrap();
        assert_eq!(v["method"], "pages");
        assert_eq!(v["total"], 1100);
        assert_eq!(v["bands"][1]["subtotal"], 400);
    }

    #[test]
    fn fee_inputs_are_bounded_and_fast() {
        // `gongkai fee --items 100000000` once took 24.7 s and 3.3 GB: now it is refused at once.
        assert_eq!(by_items(0, 100_000_000), Err(FeeError::TooManyItems { already: 0, count: 100_000_000 }));
        assert!(by_items(u64::MAX, 2).is_err(), "already + count must not wrap");
        assert!(by_items(MAX_ITEMS, 1).is_err());
        assert_eq!(by_pages(u64::MAX), Err(FeeError::TooManyPages(u64::MAX)));
        let start = std::time::Instant::now();
        let q = by_items(0, MAX_ITEMS).unwrap();
        assert!(start.elapsed() < std::time::Duration::from_secs(1), "{:?}", start.elapsed());
        assert!(q.bands.len() <= 1_000, "{}", q.bands.len());
        // The closed form of the 按件 total: 20·100 + Σ over whole bands of ten.
        let whole = (MAX_ITEMS - 30) / 10; // 997 full bands from the 31st on
        let sum: u64 = (0..whole).map(|j| 10 * 100 * (2 + j)).sum();
        assert_eq!(q.total, 2000 + sum);
        assert!(FeeError::TooManyPages(1).to_string().contains("超过上限"));
        let mut l = ItemLedger::new();
        assert!(l.record("某", "某局", jiff::civil::date(2024, 3, 1), MAX_ITEMS + 1).is_err());
        assert_eq!(l.count("某", "某局", jiff::civil::date(2024, 3, 1)), 0, "a refused count is not recorded");
    }

    proptest! {
        #[test]
        fn monthly_accumulation_is_additive(a in 0u64..500, b in 0u64..500, c in 0u64..500) {
            prop_assert_eq!(by_items(c, a + b).unwrap().total, by_items(c, a).unwrap().total + by_items(c + a, b).unwrap().total);
        }

        #[test]
        fn page_fee_is_the_spec_formula(p in 0u64..1_000_000) {
            // SPEC §4: fee(p) = 10·clamp(p−30,0,70) + 20·clamp(p−100,0,100) + 40·max(p−200,0).
            let f = 10 * p.saturating_sub(30).min(70) + 20 * p.saturating_sub(100).min(100) + 40 * p.saturating_sub(200);
            let q = by_pages(p).unwrap();
            prop_assert_eq!(q.total, f);
            prop_assert_eq!(q.bands.iter().map(|b| b.units).sum::<u64>(), p.saturating_sub(30));
        }
    }
}

#[cfg(test)]
mod code_tests {
    use super::*;

    #[test]
    fn error_codes_are_stable_and_unique() {
        let codes = [FeeError::TooManyPages(0).code(), FeeError::TooManyItems { already: 0, count: 0 }.code()];
        assert_eq!(codes, ["fees.too_many_pages", "fees.too_many_items"]);
    }
}
