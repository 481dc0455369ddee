//! `eligibility-bench`: latency of `GET /api/payment-options` with Tamara's pre-checkout
//! eligibility check, on a fresh local stack (tamara-sandbox + the Worker in `wrangler dev`,
//! both on 127.0.0.1), requests one after another:
//!
//! 1. no phone (no eligibility call: the baseline),
//! 2. a new phone each request (every request calls eligibility and the pre-check: no cache hit),
//! 3. the same phone again (the verdict comes from the isolate's cache),
//! 4. a new phone each request while the sandbox delays eligibility by 1 s (fault injection):
//!    the Worker gives up after its 200 ms budget and shows Tamara (fail open).
//!
//! ```text
//! cargo run --release -p tamara-e2e --bin eligibility-bench [-- --requests 200]
//! ```
//! Prints a Markdown table for docs/BENCHMARKS.md. Servers are stopped with their process group.

use std::time::{Duration, Instant};

use serde_json::json;
use tamara_e2e::{Stack, StackOptions};

/// The `per_mille`-th value of `sorted` (microseconds), as milliseconds with one decimal.
fn pct(sorted: &[u128], per_mille: usize) -> String {
    let Some(last) = sorted.len().checked_sub(1) else {
        return "n/a".into();
    };
    ms(sorted[(last * per_mille + 500) / 1000])
}

fn ms(us: u128) -> String {
    format!("{}.{}", us / 1000, (us % 1000) / 100)
}

async fn series(
    http: &reqwest::Client,
    worker: &str,
    n: usize,
    phone: &dyn Fn(usize) -> Option<String>,
    expect: &str,
) -> Result<(Vec<u128>, usize), String> {
    let mut ms = Vec::with_capacity(n);
    let mut unexpected = 0;
    for k in 0..n {
        let mut url = format!("{worker}/api/payment-options?items=TSHIRT-1:2");
        if let Some(p) = phone(k) {
            url.push_str("&phone=");
            url.push_str(&p);
        }
        let t = Instant::now();
        let r = http.get(&url).send().await.map_err(|e| e.to_string())?;
        let status = r.status();
        let v: serde_json::Value = r.json().await.map_err(|e| e.to_string())?;
        ms.push(t.elapsed().as_micros());
        if !status.is_success() || v["eligibility"] != expect {
            unexpected += 1;
        }
    }
    ms.sort_unstable();
    Ok((ms, unexpected))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut n = 200usize;
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--requests") {
        n = args.get(i + 1).and_then(|v| v.parse().ok()).unwrap_or(n);
    }
    let mut stack =
        match tokio::task::spawn_blocking(|| Stack::start(&StackOptions::default())).await {
            Ok(Ok(s)) => s,
            Ok(Err(e)) => {
                eprintln!("eligibility-bench: stack: {e}");
                std::process::exit(1)
            }
            Err(e) => {
                eprintln!("eligibility-bench: {e}");
                std::process::exit(1)
            }
        };
    let result = run(&stack, n).await;
    stack.stop();
    match result {
        Ok(table) => println!("{table}"),
        Err(e) => {
            eprintln!("eligibility-bench: {e}");
            std::process::exit(1)
        }
    }
}

async fn run(stack: &Stack, n: usize) -> Result<String, String> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let worker = stack.worker_url.clone();
    // Warm-up: the isolate, the catalog copy, the payment-types cache.
    for _ in 0..20 {
        let _ = http
            .get(format!("{worker}/api/payment-options?items=TSHIRT-1:2"))
            .send()
            .await;
    }
    // Distinct valid SA mobiles (5 + 8 digits), none of them a sandbox test phone.
    let fresh = |base: usize| move |k: usize| Some(format!("5{:08}", 30_000_000 + base + k));
    let mut rows = Vec::new();
    let (a, ea) = series(&http, &worker, n, &|_| None, "not_checked").await?;
    rows.push(("no phone (no eligibility call)", a, ea));
    let (b, eb) = series(&http, &worker, n, &fresh(0), "eligible").await?;
    rows.push((
        "new phone each request (eligibility + pre-check called)",
        b,
        eb,
    ));
    let (c, ec) = series(&http, &worker, n, &|_| Some("501234567".into()), "eligible").await?;
    rows.push(("same phone (verdict cached)", c, ec));
    let fault = http
        .post(format!("{}/_sandbox/faults", stack.sandbox_url))
        .json(&json!({"route": "POST /pre-checkout/v1/eligibility", "delay_ms": 1000, "count": n}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !fault.status().is_success() {
        return Err(format!("fault: {}", fault.status()));
    }
    let (d, ed) = series(&http, &worker, n, &fresh(100_000), "unknown").await?;
    rows.push((
        "new phone, sandbox delays eligibility 1 s (fails open at 200 ms)",
        d,
        ed,
    ));
    let _ = http
        .delete(format!("{}/_sandbox/faults", stack.sandbox_url))
        .send()
        .await;
    let mut out = String::from(
        "| GET /api/payment-options?items=TSHIRT-1:2 | requests | unexpected | p50 ms | p90 ms | p99 ms | max ms |\n|---|---:|---:|---:|---:|---:|---:|\n",
    );
    for (name, ms, bad) in rows {
        out.push_str(&format!(
            "| {name} | {} | {bad} | {} | {} | {} | {} |\n",
            ms.len(),
            pct(&ms, 500),
            pct(&ms, 900),
            pct(&ms, 990),
            pct(&ms, 1000)
        ));
    }
    Ok(out)
}
