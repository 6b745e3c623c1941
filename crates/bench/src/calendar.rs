//! `gongkai-bench mem --kind calendar`: ns per working-day calendar operation.

use gongkai_calendar::Calendar;
use jiff::civil::Date;

/// ns per calendar operation (1,000,000 random dates).
pub fn bench() {
    let cal = Calendar::official();
    let start = Date::new(2019, 1, 1).unwrap_or_default();
    let days: Vec<Date> = (0..1_000_000u64)
        .map(|i| {
            let off = (i.wrapping_mul(2654435761) % 2900) as i64;
            start.checked_add(jiff::Span::new().days(off)).unwrap_or(start)
        })
        .collect();
    let t = std::time::Instant::now();
    let mut sink = 0u64;
    for d in &days {
        sink += u64::from(cal.is_workday(*d).unwrap_or(false));
    }
    let is_ns = t.elapsed().as_nanos() as f64 / days.len() as f64;
    let t = std::time::Instant::now();
    for d in &days {
        if let Ok(x) = cal.add_workdays(*d, 20) {
            sink += u64::from(x.day() as u8);
        }
    }
    let add_ns = t.elapsed().as_nanos() as f64 / days.len() as f64;
    let t = std::time::Instant::now();
    for w in days.windows(2) {
        sink = sink.wrapping_add(cal.workdays_between(w[0], w[1]).unwrap_or(0) as u64);
    }
    let between_ns = t.elapsed().as_nanos() as f64 / (days.len() - 1) as f64;
    std::hint::black_box(sink);
    println!(
        "calendar: is_workday {is_ns:.0} ns/op, add_workdays(20) {add_ns:.0} ns/op, workdays_between {between_ns:.0} ns/op (1,000,000 random dates 2019–2026)"
    );
}
