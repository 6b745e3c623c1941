//! ns per calendar operation over 1,000,000 pseudo-random queries on the official calendar.
//! Run: `cargo run --release -p gongkai-calendar --example bench_calendar`.

use std::hint::black_box;
use std::time::Instant;

use gongkai_calendar::Calendar;
use jiff::civil::Date;

const N: usize = 1_000_000;

fn main() {
    let cal = Calendar::official();
    let first = Date::new(2019, 1, 1).expect("valid date");
    // Seeded, so runs are comparable.
    let mut rng = fastrand::Rng::with_seed(0x9E37_79B9_7F4A_7C15);
    // Dates in 2019-01-01 ..= 2026-10-31, so that adding up to 40 working days stays in range.
    let mut date = || first.checked_add(jiff::Span::new().days(rng.i64(0..2860))).expect("in range");
    let a: Vec<Date> = (0..N).map(|_| date()).collect();
    let b: Vec<Date> = (0..N).map(|_| date()).collect();
    let n: Vec<u32> = (0..N).map(|i| 1 + (a[i].day() as u32 + b[i].day() as u32) % 40).collect();

    let t = Instant::now();
    let mut sink = 0u64;
    for d in &a {
        sink += u64::from(cal.is_workday(black_box(*d)).expect("covered"));
    }
    let is_ns = t.elapsed().as_nanos() as f64 / N as f64;

    let t = Instant::now();
    for (d, k) in a.iter().zip(&n) {
        sink += cal.add_workdays(black_box(*d), *k).expect("covered").day() as u64;
    }
    let add_ns = t.elapsed().as_nanos() as f64 / N as f64;

    let t = Instant::now();
    for (x, y) in a.iter().zip(&b) {
        sink = sink.wrapping_add(cal.workdays_between(black_box(*x), *y).expect("covered") as u64);
    }
    let between_ns = t.elapsed().as_nanos() as f64 / N as f64;
    black_box(sink);

    println!("calendar, {N} random queries on 2019–2026:");
    println!("  is_workday        {is_ns:6.1} ns/op");
    println!("  add_workdays(1-40) {add_ns:6.1} ns/op");
    println!("  workdays_between  {between_ns:6.1} ns/op");
}
