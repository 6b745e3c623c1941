//! The engine's batch use cases: many report files checked (`check`) or audited into a dataset
//! (`audit`), streamed in input order in bounded memory, with the checks between reports. Any
//! front end calls these (the CLI's `check DIR` and `audit DIR --out X`, a web upload page, a
//! JSON API); the front end keeps only its arguments, its progress display and its printing.
//!
//! The shape of every run: the inputs are cut into batches of [`BATCH`] files; each batch is
//! read, parsed, checked and *formatted* on the worker threads (rayon), two batches at a time
//! (so the workers never wait for the main thread or for a batch's last slow file); the main
//! thread takes each batch's results in input order, counts them, records what the checks between reports need
//! (a compact summary and a text signature, spilled to an unnamed temporary file by
//! [`spill`]) and hands the formatted bytes to a writer thread ([`writer_thread`]) that writes
//! while the next batch runs. Nothing of a report but its ~100-byte cross-report keys stays in
//! memory after its batch. At the end the checks between reports (`gongkai_rules::batch`) read
//! back only the pairs' summaries and signatures, on the worker threads.
//!
//! These use cases read files the caller names and touch no register: they take no
//! [`crate::Principal`]. Errors are `anyhow` chains with Chinese context (they are printed as
//! they are, and a per-file error becomes that file's `error` field in the output).

pub mod aggregate;
pub mod audit;
pub mod check;
pub mod files;
mod html;
pub mod spill;

use std::io::Write;

use anyhow::Result;
use gongkai_model::Finding;
use gongkai_rules::cross::YearSummary;
use gongkai_rules::similarity::Signature;
use rayon::prelude::*;

pub use files::{Input, Skipped};

/// Files per parallel batch: results are written and dropped batch by batch (in input order),
/// so memory is bounded by the batch, not by the folder.
pub const BATCH: usize = 256;

/// What the checks between reports need of one report: its tables, organ and year (no
/// prose), the signature of its text (copied text, D15), the digest of its bytes (B1).
#[derive(Default)]
pub(crate) struct Keys {
    pub summary: Option<YearSummary>,
    pub sig: Option<Signature>,
    pub digest: Option<u128>,
}

impl Keys {
    /// The keys of a report that was read and is a report.
    pub(crate) fn of(report: &gongkai_model::Report, digest: u128) -> Keys {
        Keys {
            summary: Some(YearSummary::of(report)),
            sig: gongkai_rules::similarity::signature(report),
            digest: Some(digest),
        }
    }
}

/// Batches being worked on at once: while the calling thread takes one batch's results, the
/// workers already run the next, and a batch's last slow file does not leave a worker idle.
const IN_FLIGHT: usize = 2;

/// Run `work` over `inputs` on the worker threads, [`BATCH`] files at a time, and give each
/// batch's results to `sink` on the calling thread in input order. The keys go to the spill
/// file as they come. `sink` returns `false` to stop (its writer failed). Returns the spill,
/// to be finished once the caller's output is done.
///
/// At most [`IN_FLIGHT`] batches are worked on while the calling thread takes the one before
/// them, so memory stays bounded by a few batches, whatever the number of inputs.
pub(crate) fn stream<R: Send>(
    inputs: &[Input],
    work: impl Fn(&Input) -> (R, Keys) + Sync,
    mut sink: impl FnMut(Vec<R>) -> Result<bool>,
) -> Result<spill::Cross> {
    let mut cross = spill::Cross::new()?;
    let mut take = |done: Vec<(R, Keys)>| -> Result<bool> {
        let mut results = Vec::with_capacity(done.len());
        for (r, keys) in done {
            cross.push(keys.summary.as_ref(), keys.sig.as_ref(), keys.digest)?;
            results.push(r);
        }
        sink(results)
    };
    if rayon::current_thread_index().is_some() {
        // Called on a worker thread (a front end running inside the pool): a worker must not
        // block on tasks it may itself have to run, so the batches run one after the other.
        for batch in inputs.chunks(BATCH) {
            if !take(batch.par_iter().map(&work).collect())? {
                break;
            }
        }
        return Ok(cross);
    }
    let batches: Vec<&[Input]> = inputs.chunks(BATCH).collect();
    let work = &work;
    // Set when the run stops early (the sink stopped, an error, a panic): the batches still
    // in flight skip their remaining files instead of being worked to the end.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let stop = &stop;
    // A batch's results (None: stopped), or the panic of one of its files (passed on).
    type Done<R> = std::thread::Result<Option<Vec<(R, Keys)>>>;
    let (tx, rx) = std::sync::mpsc::channel::<(usize, Done<R>)>();
    let run = rayon::in_place_scope(|scope| -> Result<()> {
        // Batches started and not yet received.
        let pending = std::cell::Cell::new(0usize);
        let start = |k: usize| {
            if let Some(batch) = batches.get(k).copied() {
                pending.set(pending.get() + 1);
                let tx = tx.clone();
                scope.spawn(move |_| {
                    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let stopped = || stop.load(std::sync::atomic::Ordering::Relaxed);
                        batch.par_iter().map(|i| (!stopped()).then(|| work(i))).collect::<Option<Vec<(R, Keys)>>>()
                    }));
                    if done.is_err() {
                        stop.store(true, std::sync::atomic::Ordering::Relaxed);
                    }
                    // The receiver lives as long as the scope: the send cannot fail.
                    let _ = tx.send((k, done));
                });
            }
        };
        (0..IN_FLIGHT).for_each(start);
        // Finished batches that came in before an earlier one.
        let mut early: Vec<(usize, Done<R>)> = Vec::new();
        let next = || -> Result<(usize, Done<R>)> {
            pending.set(pending.get() - 1);
            rx.recv().map_err(|_| anyhow::anyhow!("批处理线程异常结束"))
        };
        let result = (|| -> Result<()> {
            for k in 0..batches.len() {
                let done = loop {
                    if let Some(at) = early.iter().position(|(j, _)| *j == k) {
                        break early.swap_remove(at).1;
                    }
                    match next()? {
                        (j, d) if j == k => break d,
                        other => early.push(other),
                    }
                };
                let done = match done {
                    Ok(Some(done)) => done,
                    Err(panic) => std::panic::resume_unwind(panic),
                    // Cut short: a file of a later batch panicked (nothing else stops a batch
                    // while this loop runs). That panic is passed on.
                    Ok(None) => loop {
                        let (_, d) = match early.pop() {
                            Some(e) => e,
                            None if pending.get() > 0 => next()?,
                            None => anyhow::bail!("批处理在第{}批中途停止", k + 1),
                        };
                        if let Err(panic) = d {
                            std::panic::resume_unwind(panic);
                        }
                    },
                };
                start(k + IN_FLIGHT);
                if !take(done)? {
                    break;
                }
            }
            Ok(())
        })();
        // Whatever ended the loop (the sink's stop, an error), the batches in flight stop
        // before the scope waits for them.
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    });
    run?;
    Ok(cross)
}

/// A thread that writes what it is sent, in order, so that writing overlaps the work of the
/// next batch. It ends when the sender is dropped and returns the writer (or the first error).
pub fn writer_thread<W: Write + Send + 'static>(
    mut w: W,
) -> (std::sync::mpsc::SyncSender<Vec<u8>>, std::thread::JoinHandle<std::io::Result<W>>) {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(2);
    let h = std::thread::spawn(move || {
        for chunk in rx {
            w.write_all(&chunk)?;
        }
        w.flush()?;
        Ok(w)
    });
    (tx, h)
}

/// Wait for a [`writer_thread`] and take back its writer.
pub(crate) fn join_writer<W>(h: std::thread::JoinHandle<std::io::Result<W>>) -> Result<std::io::Result<W>> {
    h.join().map_err(|_| anyhow::anyhow!("输出线程异常结束"))
}

/// The exit code of a batch: 2 when a file could not be read or is not a report, or a folder
/// could not be read, or nothing at all was read; 1 when errors were found; else 0.
pub fn exit_code(read: usize, failed: usize, lost: bool, errors: usize) -> u8 {
    if failed > 0 || lost || read == 0 {
        2
    } else if errors > 0 {
        1
    } else {
        0
    }
}

/// Cross-report findings named by their file.
pub type Named = Vec<(String, Finding)>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn inputs(n: usize) -> Vec<Input> {
        (0..n).map(|i| Input::File(PathBuf::from(format!("{i:05}.txt")))).collect()
    }

    fn index(i: &Input) -> usize {
        i.name()[..5].parse().unwrap_or(usize::MAX)
    }

    #[test]
    fn results_come_in_input_order_whatever_order_the_batches_finish_in() {
        let inputs = inputs(BATCH * 5 + 17);
        // The first file of every other batch is slow: later batches finish first.
        let work = |i: &Input| {
            let k = index(i);
            if k % (2 * BATCH) == 0 {
                std::thread::sleep(std::time::Duration::from_millis(30));
            }
            (k, Keys::default())
        };
        let mut seen = Vec::new();
        let mut sizes = Vec::new();
        stream(&inputs, work, |batch: Vec<usize>| {
            sizes.push(batch.len());
            seen.extend(batch);
            Ok(true)
        })
        .unwrap();
        assert_eq!(seen, (0..inputs.len()).collect::<Vec<_>>());
        assert_eq!(sizes, vec![BATCH, BATCH, BATCH, BATCH, BATCH, 17]);
    }

    #[test]
    fn a_sink_that_stops_stops_the_run_with_few_batches_worked_on() {
        let inputs = inputs(BATCH * 20);
        let worked = AtomicUsize::new(0);
        let work = |i: &Input| {
            worked.fetch_add(1, Ordering::Relaxed);
            (index(i), Keys::default())
        };
        let mut batches = 0;
        stream(&inputs, work, |_: Vec<usize>| {
            batches += 1;
            Ok(false)
        })
        .unwrap();
        assert_eq!(batches, 1);
        // The stopped batch and those already in flight, never the whole input.
        assert!(worked.load(Ordering::Relaxed) <= BATCH * (1 + IN_FLIGHT), "{}", worked.load(Ordering::Relaxed));
    }

    #[test]
    fn a_panic_in_a_file_reaches_the_caller_and_nothing_hangs() {
        let inputs = inputs(BATCH * 3);
        let work = |i: &Input| {
            let k = index(i);
            assert!(k != BATCH + 5, "file {k} failed");
            (k, Keys::default())
        };
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = stream(&inputs, work, |_: Vec<usize>| Ok(true));
        }));
        assert!(run.is_err());
    }

    #[test]
    fn a_panic_in_a_later_batch_is_the_one_reported_when_it_cuts_an_earlier_batch_short() {
        let inputs = inputs(BATCH * 3);
        // The first batch is slow; the second panics on its first file, which stops the
        // first batch's remaining files: the caller gets that panic, not a bare "stopped".
        let work = |i: &Input| {
            let k = index(i);
            if k < BATCH {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            assert!(k != BATCH, "file {k} failed");
            (k, Keys::default())
        };
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let _ = stream(&inputs, work, |_: Vec<usize>| Ok(true));
        }));
        let panic = run.expect_err("the panic reaches the caller");
        let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(message.contains(&format!("file {BATCH} failed")), "{message}");
    }

    #[test]
    fn on_a_worker_of_a_one_thread_pool_the_batches_run_in_turn_and_nothing_hangs() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let inputs = inputs(BATCH * 3 + 1);
        let seen = pool.install(|| {
            let mut seen = Vec::new();
            stream(
                &inputs,
                |i: &Input| (index(i), Keys::default()),
                |b: Vec<usize>| {
                    seen.extend(b);
                    Ok(true)
                },
            )
            .unwrap();
            seen
        });
        assert_eq!(seen, (0..inputs.len()).collect::<Vec<_>>());
    }
}
