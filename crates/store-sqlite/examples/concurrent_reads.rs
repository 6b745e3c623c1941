//! Concurrent reads through one pooled store versus one store (one connection) per thread:
//! `THREADS` threads read `application(id)` of random applications in a loop for `SECONDS`.
//!
//! `cargo run --profile measure -p gongkai-store-sqlite --example concurrent_reads -- [THREADS] [SECONDS] [APPS]`
//! (defaults 8, 5, 2000). The register is a temporary file, removed at the end.

use gongkai_clock::{Event, Outcome};
use gongkai_register::{AppId, OrganId, OrganKind};
use gongkai_store::{NewOrgan, Personal, Store};
use jiff::civil::date;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<u64>().expect("数字参数"));
    let threads = args.next().unwrap_or(8) as usize;
    let seconds = args.next().unwrap_or(5);
    let apps = args.next().unwrap_or(2000);
    let dir = tempfile::tempdir().expect("临时目录");
    let path = dir.path().join("reads.db");
    let max = seed(&path, apps);
    let run = Duration::from_secs(seconds);
    println!("{threads} 个线程，每轮 {seconds} 秒，{apps} 件申请（负载：{}）", load());
    let (rate, per_cpu) =
        measure(threads, run, |_| Arc::new(gongkai_store_sqlite::open_pool(&path, 1).expect("open")), max);
    println!("每线程一个登记簿（一个连接）：{rate:>9.0} 次/秒，每 CPU 秒 {per_cpu:>9.0} 次");
    let shared: Arc<dyn Store> = Arc::new(gongkai_store_sqlite::open_pool(&path, threads).expect("open"));
    let (rate, per_cpu) = measure(threads, run, |_| shared.clone(), max);
    println!("一个登记簿共享（连接池 {threads}）：{rate:>9.0} 次/秒，每 CPU 秒 {per_cpu:>9.0} 次");
    println!("负载：{}", load());
}

/// Reads per second (wall clock) and per CPU second of this process (less sensitive to other
/// load on the machine) of `threads` threads, each with the store `store(i)` gives.
fn measure(threads: usize, run: Duration, store: impl Fn(usize) -> Arc<dyn Store> + Sync, max: i64) -> (f64, f64) {
    let stop = AtomicBool::new(false);
    let cpu0 = cpu_seconds();
    let started = Instant::now();
    let total: u64 = std::thread::scope(|sc| {
        let hs: Vec<_> = (0..threads)
            .map(|i| {
                let (store, stop) = (&store, &stop);
                sc.spawn(move || {
                    let s = store(i);
                    let mut rng = fastrand::Rng::with_seed(i as u64);
                    let mut n = 0u64;
                    while !stop.load(Ordering::Relaxed) {
                        let a = s.application(AppId(rng.i64(1..=max)), Personal::Masked).expect("read");
                        assert!(a.version >= 1);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        std::thread::sleep(run);
        stop.store(true, Ordering::Relaxed);
        hs.into_iter().map(|h| h.join().expect("thread")).sum()
    });
    let (wall, cpu) = (started.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
    (total as f64 / wall, total as f64 / cpu)
}

/// User + system CPU seconds of this process so far (Linux `/proc/self/stat`, 100 ticks/s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime and stime are the 12th
    // and 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest.split_whitespace().skip(11).take(2).filter_map(|x| x.parse().ok()).collect();
    f.iter().sum::<f64>() / 100.0
}

/// A register of `apps` applications (each with a reply); the largest id.
fn seed(path: &std::path::Path, apps: u64) -> i64 {
    let s = gongkai_store_sqlite::open(path).expect("open");
    let o = s
        .add_organ(
            &NewOrgan {
                name: "某县人民政府办公室".into(),
                kind: OrganKind::Government,
                parent: None,
                code: "1".into(),
                index_pattern: None,
            },
            "bench",
        )
        .expect("organ");
    let batch: Vec<_> = (0..apps)
        .map(|n| {
            let reply = Event::Replied { date: date(2024, 9, 20), outcome: Outcome::R3_1 };
            gongkai_store::contract::new_app(OrganId(o.id.0), &format!("B-{n}"), date(2024, 9, 2), vec![reply])
        })
        .collect();
    let ids = s.import_applications(&batch, "bench").expect("import");
    ids.last().map_or(1, |id| id.0)
}

/// The machine's load average (Linux), for the record.
fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map_or_else(|_| "未知".into(), |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}
