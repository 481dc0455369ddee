//! Group commit for D1: the statement batches that concurrent requests of one isolate submit
//! within the same turn of the event loop are sent to D1 as **one** `batch()` call.
//!
//! Every D1 call is a round trip (and, locally, a hop to the D1 Durable Object), so under load
//! the round trips, not the SQL, dominate a checkout's cost. A request hands its statements to
//! [`batch`] and waits; the first request of a turn schedules a flush on the next timer tick
//! (`setTimeout(0)`: it adds no measurable latency when the Worker is idle), and the flush sends
//! every statement queued by then, in arrival order, as one D1 batch.
//!
//! Semantics for each request are those of its own `db.batch(stmts)`:
//! * its statements run in order, contiguously and atomically (a D1 batch is one transaction);
//! * it gets exactly its own results back;
//! * a failing statement does not fail anyone else: if a grouped batch is rejected (it rolled
//!   back as a whole, so nothing was applied), each request's statements are re-run as their own
//!   batch, and only the request whose statement fails sees the error.
//!
//! **No request ever wakes another.** The flush runs in the context of the request that
//! scheduled it and only fills each waiter's slot (Rust memory, no JS object); every waiter
//! looks at its own slot on timers of its own (1, 1, 2, 2, 4, 4, 8, 8, then every 16 ms:
//! [`poll_interval_ms`]), so each request is only ever resumed by its own events. The first
//! design resolved, from the flushing request, a promise each waiter had created, and relied on
//! workerd to run that continuation in the waiter's context. Under sustained load (6,000–9,000
//! checkouts at 200 connections, three runs out of three) the isolate then broke for good:
//! "Cannot perform I/O on behalf of a different request", timers firing into dropped closures
//! ("closure invoked recursively or after being dropped"), requests canceled as hung, and most
//! checkouts answered 500 until the isolate restarted. Those are the errors of work done in
//! another request's context; the likely path is wasm-bindgen's executor, one task queue per
//! isolate drained by one microtask, which can poll a woken waiter inside another request's
//! drain. Waking nobody removes that path. The soak test (`tests/e2e/tests/soak.rs`, 12,000
//! checkouts) fails on the first design and passes on this one, at the same throughput.
//!
//! The flush is registered with the scheduling request's `waitUntil`, so it completes even if
//! that request's client goes away. A waiter's own timer also keeps the runtime from canceling
//! it as hung (it has something of its own pending), and a request that no flush has taken
//! within [`TAKE_LIMIT_MS`] takes its statements back and runs them alone, re-arming the queue:
//! a lost flush never leaves the isolate's later requests waiting behind it.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use worker::{D1Database, D1PreparedStatement, D1Result};

/// Registers a promise that must settle even after the response is sent (the event's
/// `waitUntil`). A plain promise, not a future: one code path for every event type.
pub type KeepAlive = Rc<dyn Fn(&Promise)>;

/// At most this many statements go into one D1 batch; a larger queue is sent in several.
pub const MAX_STATEMENTS: usize = 100;

type Slot = Rc<RefCell<Option<Result<Vec<D1Result>, String>>>>;

struct Waiter {
    stmts: Vec<D1PreparedStatement>,
    slot: Slot,
}

#[derive(Default)]
struct Queue {
    waiters: Vec<Waiter>,
    scheduled: bool,
}

thread_local! {
    static QUEUE: RefCell<Queue> = RefCell::new(Queue::default());
}

/// Runs `stmts` as one atomic batch, grouped with the batches of concurrent requests.
/// `Err` carries D1's message.
pub async fn batch(
    db: &D1Database,
    keep: &KeepAlive,
    stmts: Vec<D1PreparedStatement>,
) -> Result<Vec<D1Result>, String> {
    if stmts.is_empty() {
        return Ok(Vec::new());
    }
    let slot: Slot = Rc::new(RefCell::new(None));
    let schedule = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.waiters.push(Waiter {
            stmts,
            slot: slot.clone(),
        });
        !std::mem::replace(&mut q.scheduled, true)
    });
    if schedule {
        schedule_flush(db, keep);
    }
    // The flush (running in whichever request scheduled it) only fills `slot`; it never wakes
    // this request. This request looks at its slot on timers of its own, so it is only ever
    // resumed by its own events (see the module docs: why no cross-request wake-up).
    let start = crate::platform::now_ms();
    let mut taken_back = false;
    for step in 0.. {
        let waited = u64::try_from(crate::platform::now_ms() - start).unwrap_or(0);
        if let Some(answer) = slot.borrow_mut().take() {
            return answer;
        }
        if waited >= TAKE_LIMIT_MS && !taken_back {
            // Still queued after TAKE_LIMIT_MS: the flush meant to take it is lost (the request
            // that scheduled it ended before its timer fired). Without this, `scheduled` would
            // stay set and every later request of the isolate would queue behind a flush that
            // never comes. Take the statements back, run them alone, and flush whoever else is
            // waiting.
            taken_back = true;
            let (mine, others) = QUEUE.with(|q| {
                let mut q = q.borrow_mut();
                let mine = take_back(&mut q.waiters, |w| Rc::ptr_eq(&w.slot, &slot));
                let others = !q.waiters.is_empty();
                if mine.is_some() {
                    q.scheduled = others;
                }
                (mine, others)
            });
            if let Some(w) = mine {
                if others {
                    schedule_flush(db, keep);
                }
                return db.batch(w.stmts).await.map_err(|e| e.to_string());
            }
            // Taken by a flush whose D1 batch is still running: wait for it, bounded.
        }
        if waited >= TAKE_LIMIT_MS + WAIT_LIMIT_MS {
            break;
        }
        crate::platform::sleep_ms(poll_interval_ms(step)).await;
    }
    Err(format!(
        "group commit: no answer from D1 within {} ms",
        TAKE_LIMIT_MS + WAIT_LIMIT_MS
    ))
}

/// How long a waiting request sleeps before its `step`-th look at its slot: 1, 1, 2, 2, 4, 4,
/// 8, 8, then every 16 ms. A grouped batch answers in a few ms when the isolate is idle and in
/// tens of ms under load, so a waiter looks a handful of times per batch.
pub fn poll_interval_ms(step: u32) -> u64 {
    1u64 << (step / 2).min(4)
}

/// Starts a flush, kept alive by the calling request's `waitUntil`.
fn schedule_flush(db: &D1Database, keep: &KeepAlive) {
    let db: D1Database = db.as_ref().clone().unchecked_into();
    keep(&wasm_bindgen_futures::future_to_promise(async move {
        flush(db).await;
        Ok(JsValue::UNDEFINED)
    }));
}

/// Removes and returns the first waiter `is_mine` picks, keeping the others in order.
fn take_back<T>(waiters: &mut Vec<T>, is_mine: impl Fn(&T) -> bool) -> Option<T> {
    let i = waiters.iter().position(is_mine)?;
    Some(waiters.remove(i))
}

/// How long a request waits for a flush to take its statements before it treats that flush as
/// lost (a timer(0) that has not fired in this long will not).
pub const TAKE_LIMIT_MS: u64 = 5_000;

/// How long a request waits for its group's D1 batch once a flush has taken it.
pub const WAIT_LIMIT_MS: u64 = 30_000;

async fn flush(db: D1Database) {
    // Let every request that is ready in this turn of the event loop join.
    crate::platform::sleep_ms(0).await;
    let waiters = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.scheduled = false;
        std::mem::take(&mut q.waiters)
    });
    for group in chunks(waiters, MAX_STATEMENTS, |w| w.stmts.len()) {
        run_group(&db, group).await;
    }
}

/// Splits `waiters` into groups of at most `max` statements (a single larger request is a
/// group of its own), keeping arrival order.
fn chunks<T>(waiters: Vec<T>, max: usize, len: impl Fn(&T) -> usize) -> Vec<Vec<T>> {
    let mut out: Vec<Vec<T>> = Vec::new();
    let mut size = 0;
    for w in waiters {
        let n = len(&w);
        match out.last_mut() {
            Some(last) if size + n <= max => last.push(w),
            _ => {
                out.push(vec![w]);
                size = 0;
            }
        }
        size += n;
    }
    out
}

fn copy(s: &D1PreparedStatement) -> D1PreparedStatement {
    D1PreparedStatement::from(s.inner().clone())
}

async fn run_group(db: &D1Database, group: Vec<Waiter>) {
    let all: Vec<D1PreparedStatement> = group
        .iter()
        .flat_map(|w| w.stmts.iter().map(copy))
        .collect();
    match db.batch(all).await {
        Ok(results) => {
            let mut results = results.into_iter();
            for w in group {
                let mine: Vec<D1Result> = results.by_ref().take(w.stmts.len()).collect();
                let answer = if mine.len() == w.stmts.len() {
                    Ok(mine)
                } else {
                    Err("group commit: D1 returned fewer results than statements".into())
                };
                finish(w, answer);
            }
        }
        Err(e) if group.len() == 1 => {
            for w in group {
                finish(w, Err(e.to_string()));
            }
        }
        Err(_) => {
            // The grouped transaction rolled back as a whole: nothing was applied. Each request
            // runs alone so that only a request whose own statement fails sees an error.
            for w in group {
                let own: Vec<D1PreparedStatement> = w.stmts.iter().map(copy).collect();
                let answer = db.batch(own).await.map_err(|e| e.to_string());
                finish(w, answer);
            }
        }
    }
}

fn finish(w: Waiter, answer: Result<Vec<D1Result>, String>) {
    *w.slot.borrow_mut() = Some(answer);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(lens: Vec<usize>, max: usize) -> Vec<Vec<usize>> {
        chunks(lens, max, |n| *n)
    }

    #[test]
    fn waiters_look_often_at_first_then_every_16_ms() {
        let steps: Vec<u64> = (0..12).map(poll_interval_ms).collect();
        assert_eq!(steps, vec![1, 1, 2, 2, 4, 4, 8, 8, 16, 16, 16, 16]);
        assert_eq!(poll_interval_ms(u32::MAX), 16);
        // The first 100 ms take a dozen looks, not a hundred.
        let mut total = 0;
        let looks = (0..).take_while(|s| {
            total += poll_interval_ms(*s);
            total <= 100
        });
        assert_eq!(looks.count(), 12);
    }

    #[test]
    fn take_back_removes_only_the_callers_waiter() {
        let mut queue = vec![1, 2, 3];
        assert_eq!(take_back(&mut queue, |w| *w == 2), Some(2));
        assert_eq!(queue, vec![1, 3]);
        assert_eq!(take_back(&mut queue, |w| *w == 2), None);
        assert_eq!(queue, vec![1, 3]);
    }

    #[test]
    fn chunks_keep_order_and_respect_the_limit() {
        assert_eq!(sizes(vec![3, 3, 3, 2], 6), vec![vec![3, 3], vec![3, 2]]);
        assert_eq!(sizes(vec![1; 5], 100), vec![vec![1; 5]]);
        assert!(sizes(Vec::new(), 10).is_empty());
    }

    #[test]
    fn a_request_larger_than_the_limit_is_a_group_of_its_own() {
        assert_eq!(
            sizes(vec![2, 150, 2, 2], 100),
            vec![vec![2], vec![150], vec![2, 2]]
        );
    }
}
