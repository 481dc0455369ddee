//! `sandbox-bench`: a load benchmark for tamara-sandbox (not a test).
//!
//! Starts the sandbox in-process on `127.0.0.1:0` (multi-threaded tokio runtime), then drives it
//! over loopback with a keep-alive HTTP client from `--connections` concurrent workers, for
//! `POST /checkout` (a valid body, a new order each time) and `GET /merchants/orders/{id}`. Each
//! scenario stops after `--requests` requests or `--seconds` seconds, whichever comes first, and
//! reports requests/s and p50/p90/p99/max latency. The figures replace the `## tamara-sandbox`
//! section of `docs/BENCHMARKS.md` (other sections are kept).
//!
//! ```text
//! cargo run --release -p tamara-sandbox --bin sandbox-bench -- [--connections 64] [--requests 100000] [--seconds 10] [--no-write]
//! ```

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use tamara_sandbox::Config;

#[derive(Debug, Parser)]
#[command(about = "Load benchmark for tamara-sandbox (in-process server, loopback client)")]
struct Args {
    /// Concurrent keep-alive connections (one worker each).
    #[arg(long, default_value_t = 64)]
    connections: u64,
    /// Requests per scenario (upper bound).
    #[arg(long, default_value_t = 100_000)]
    requests: u64,
    /// Seconds per scenario (upper bound).
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Warm-up requests per scenario (not measured).
    #[arg(long, default_value_t = 2_000)]
    warmup: u64,
    /// Runtime worker threads (default: number of CPUs).
    #[arg(long)]
    threads: Option<usize>,
    /// Orders created up front for the GET scenario.
    #[arg(long, default_value_t = 1_000)]
    orders: u64,
    /// Do not update docs/BENCHMARKS.md.
    #[arg(long)]
    no_write: bool,
    /// Where to write the report.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// One scenario's measurements.
#[derive(Debug)]
struct Report {
    name: &'static str,
    ok: u64,
    errors: u64,
    elapsed: Duration,
    /// CPU time of the whole process (server + client) during the scenario, in milliseconds.
    cpu_ms: u64,
    /// Latencies of successful requests in microseconds, sorted.
    lat_us: Vec<u64>,
}

impl Report {
    fn rps(&self) -> u64 {
        let us = self.elapsed.as_micros().max(1);
        u64::try_from(u128::from(self.ok) * 1_000_000 / us).unwrap_or(u64::MAX)
    }

    /// Nearest-rank percentile (`p` in per-mille: 500, 900, 990).
    fn pct(&self, permille: u64) -> u64 {
        let n = self.lat_us.len() as u64;
        if n == 0 {
            return 0;
        }
        let rank = (permille * n).div_ceil(1000).max(1);
        self.lat_us[usize::try_from(rank - 1).unwrap_or(0)]
    }

    /// Requests per CPU-second of the process: less sensitive to other load on the machine.
    fn per_cpu_s(&self) -> u64 {
        self.ok * 1000 / self.cpu_ms.max(1)
    }

    fn max(&self) -> u64 {
        self.lat_us.last().copied().unwrap_or(0)
    }
}

fn ms(us: u64) -> String {
    format!("{}.{:03}", us / 1000, us % 1000)
}

fn secs(d: Duration) -> String {
    let ms = d.as_millis();
    format!("{}.{:02}", ms / 1000, (ms % 1000) / 10)
}

const CHECKOUT_TEMPLATE: &str = r#"{
 "order_reference_id": "BENCH-__N__", "order_number": "B-__N__",
 "total_amount": {"amount": 230, "currency": "SAR"},
 "shipping_amount": {"amount": 20, "currency": "SAR"},
 "tax_amount": {"amount": 0, "currency": "SAR"},
 "description": "benchmark order", "country_code": "SA",
 "payment_type": "PAY_BY_INSTALMENTS", "instalments": 4, "locale": "en_US",
 "items": [{"reference_id": "1", "type": "Physical", "name": "T-shirt", "sku": "TSHIRT-1",
            "quantity": 2, "unit_price": {"amount": 100, "currency": "SAR"},
            "total_amount": {"amount": 200, "currency": "SAR"}},
           {"reference_id": "2", "type": "Physical", "name": "Socks", "sku": "SOCKS-1",
            "quantity": 1, "total_amount": {"amount": 10, "currency": "SAR"}}],
 "consumer": {"first_name": "Mona", "last_name": "Ali", "phone_number": "544337866", "email": "mona@example.com"},
 "shipping_address": {"first_name": "Mona", "last_name": "Ali", "line1": "King Fahd Rd", "city": "Riyadh", "country_code": "SA", "phone_number": "544337866"},
 "merchant_url": {"success": "http://127.0.0.1:9/success", "failure": "http://127.0.0.1:9/failure",
                  "cancel": "http://127.0.0.1:9/cancel", "notification": "http://127.0.0.1:9/hook"}
}"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Checkout,
    GetOrder,
}

/// Runs one scenario: `connections` workers share a ticket counter bounded by `limit` and a
/// deadline; returns the merged report.
async fn run(
    name: &'static str,
    kind: Kind,
    client: &reqwest::Client,
    base: &str,
    ids: Arc<Vec<String>>,
    args: &Args,
    limit: u64,
) -> Report {
    let deadline = Duration::from_secs(args.seconds);
    let tickets = Arc::new(AtomicU64::new(0));
    let cpu_before = process_cpu_ms();
    let start = Instant::now();
    let stop_at = start + deadline;
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let client = client.clone();
        let base = base.to_owned();
        let ids = Arc::clone(&ids);
        let tickets = Arc::clone(&tickets);
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            loop {
                let n = tickets.fetch_add(1, Ordering::Relaxed);
                if n >= limit || Instant::now() >= stop_at {
                    break;
                }
                let t0 = Instant::now();
                let req = match kind {
                    Kind::Checkout => client
                        .post(format!("{base}/checkout"))
                        .header("content-type", "application/json")
                        .body(CHECKOUT_TEMPLATE.replace("__N__", &n.to_string())),
                    Kind::GetOrder => {
                        let id = &ids[usize::try_from(n % ids.len() as u64).unwrap_or(0)];
                        client.get(format!("{base}/merchants/orders/{id}"))
                    }
                };
                let ok = match req.send().await {
                    Ok(resp) => {
                        let status = resp.status();
                        resp.bytes().await.is_ok() && status.is_success()
                    }
                    Err(_) => false,
                };
                let us = u64::try_from(t0.elapsed().as_micros()).unwrap_or(u64::MAX);
                if ok {
                    lat.push(us);
                } else {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    let mut lat_us = Vec::new();
    let mut errors = 0;
    for t in tasks {
        let (l, e) = t.await.expect("worker");
        lat_us.extend(l);
        errors += e;
    }
    let elapsed = start.elapsed();
    let cpu_ms = process_cpu_ms().saturating_sub(cpu_before);
    lat_us.sort_unstable();
    Report {
        name,
        ok: lat_us.len() as u64,
        errors,
        elapsed,
        cpu_ms,
        lat_us,
    }
}

/// User + system CPU time of this process in milliseconds (`/proc/self/stat`, USER_HZ = 100).
fn process_cpu_ms() -> u64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let utime: u64 = f.get(11)?.parse().ok()?;
            let stime: u64 = f.get(12)?.parse().ok()?;
            Some((utime + stime) * 10)
        })
        .unwrap_or(0)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".to_owned())
}

/// `cargo run --release -p tamara-sandbox --bin sandbox-bench -- <the arguments given>`.
fn command_line() -> String {
    let rest: Vec<String> = std::env::args().skip(1).collect();
    let mut c = "cargo run --release -p tamara-sandbox --bin sandbox-bench".to_owned();
    if !rest.is_empty() {
        c.push_str(" -- ");
        c.push_str(&rest.join(" "));
    }
    c
}

fn now_rfc3339() -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(0))
        .unwrap_or(0);
    tamara_core::Timestamp::from_millis(ms - ms % 1000).to_rfc3339()
}

/// Replaces (or appends) the `## tamara-sandbox` section, keeping every other section.
fn splice_section(doc: &str, section: &str) -> String {
    const HEAD: &str = "## tamara-sandbox";
    let mut lines: Vec<&str> = doc.lines().collect();
    let start = lines.iter().position(|l| l.trim_end() == HEAD);
    let section_lines: Vec<&str> = section.lines().collect();
    match start {
        Some(s) => {
            let end = lines[s + 1..]
                .iter()
                .position(|l| l.starts_with("## "))
                .map_or(lines.len(), |i| s + 1 + i);
            lines.splice(s..end, section_lines.iter().copied().chain([""]));
            let mut out = lines.join("\n");
            while out.ends_with("\n\n") {
                out.pop();
            }
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out
        }
        None => {
            let mut out = if doc.trim().is_empty() {
                "# Benchmarks\n\nEach section is written by its own tool; re-run the tool to refresh it.\n".to_owned()
            } else {
                doc.trim_end().to_owned() + "\n"
            };
            out.push('\n');
            out.push_str(section);
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out
        }
    }
}

fn main() {
    let args = Args::parse();
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(bench(args, threads));
}

async fn bench(args: Args, threads: usize) {
    let load_before = loadavg();
    let (base, _state, server) = tamara_sandbox::spawn(Config::default())
        .await
        .expect("start the sandbox on 127.0.0.1:0");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(usize::try_from(args.connections).unwrap_or(64))
        .tcp_nodelay(true)
        .default_headers({
            let mut h = reqwest::header::HeaderMap::new();
            h.insert(
                reqwest::header::AUTHORIZATION,
                reqwest::header::HeaderValue::from_static("Bearer sandbox-api-token"),
            );
            h
        })
        .build()
        .expect("http client");

    // Sanity: one checkout must succeed and return an order id.
    let first = client
        .post(format!("{base}/checkout"))
        .header("content-type", "application/json")
        .body(CHECKOUT_TEMPLATE.replace("__N__", "seed"))
        .send()
        .await
        .expect("POST /checkout");
    assert!(
        first.status().is_success(),
        "POST /checkout → {}",
        first.status()
    );
    let v: serde_json::Value = first.json().await.expect("checkout JSON");
    assert!(v["order_id"].is_string(), "no order_id in {v}");

    eprintln!(
        "sandbox at {base}; {} connections, ≤{} requests or ≤{} s per scenario, {threads} runtime threads",
        args.connections, args.requests, args.seconds
    );
    let none = Arc::new(Vec::new());

    // POST /checkout
    let _ = run(
        "warm-up",
        Kind::Checkout,
        &client,
        &base,
        Arc::clone(&none),
        &args,
        args.warmup,
    )
    .await;
    let post = run(
        "POST /checkout",
        Kind::Checkout,
        &client,
        &base,
        none,
        &args,
        args.requests,
    )
    .await;
    eprintln!("{}: {} req/s", post.name, post.rps());

    // GET /merchants/orders/{id}: a fixed set of orders, read round-robin.
    let mut ids = Vec::new();
    for i in 0..args.orders.max(1) {
        let r = client
            .post(format!("{base}/checkout"))
            .header("content-type", "application/json")
            .body(CHECKOUT_TEMPLATE.replace("__N__", &format!("get-{i}")))
            .send()
            .await
            .expect("seed order");
        let v: serde_json::Value = r.json().await.expect("seed JSON");
        ids.push(v["order_id"].as_str().expect("order_id").to_owned());
    }
    let ids = Arc::new(ids);
    let _ = run(
        "warm-up",
        Kind::GetOrder,
        &client,
        &base,
        Arc::clone(&ids),
        &args,
        args.warmup,
    )
    .await;
    let get = run(
        "GET /merchants/orders/{id}",
        Kind::GetOrder,
        &client,
        &base,
        ids,
        &args,
        args.requests,
    )
    .await;
    eprintln!("{}: {} req/s", get.name, get.rps());
    server.abort();
    let load_after = loadavg();

    let mut section = String::new();
    section.push_str("## tamara-sandbox\n\n");
    section.push_str(
        "In-process sandbox (`tamara_sandbox::spawn`, axum on a multi-threaded tokio runtime) \
         driven over loopback by a keep-alive `reqwest` client in the same process (client and \
         server share the CPUs). Each scenario: warm-up, then until the request count or the \
         time limit is reached. Latency is per request, client side. \"req per CPU-s\" divides by \
         the CPU time the process (server and client together) used, which is less sensitive to \
         other load on the machine than req/s.\n\n",
    );
    section.push_str(&format!(
        "* Date: {}\n* Machine: {} CPUs (`nproc`), {}\n* Runtime threads: {threads}; \
         connections: {}; limits: {} requests or {} s per scenario; warm-up {} requests\n\
         * Load average (1/5/15 min) before / after: {load_before} / {load_after} (other builds \
         share this machine, so figures are noisy)\n* Command: `{}` ({})\n\n",
        now_rfc3339(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        cpu_model(),
        args.connections,
        args.requests,
        args.seconds,
        args.warmup,
        command_line(),
        if cfg!(debug_assertions) {
            "DEBUG build: not representative"
        } else {
            "workspace release profile: `opt-level = \"z\"`, LTO, 1 codegen unit"
        },
    ));
    section.push_str(
        "| endpoint | requests ok | errors | time (s) | req/s | p50 (ms) | p90 (ms) | p99 (ms) | max (ms) | process CPU (s) | req per CPU-s |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in [&post, &get] {
        section.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            r.name,
            r.ok,
            r.errors,
            secs(r.elapsed),
            r.rps(),
            ms(r.pct(500)),
            ms(r.pct(900)),
            ms(r.pct(990)),
            ms(r.max()),
            secs(Duration::from_millis(r.cpu_ms)),
            r.per_cpu_s()
        ));
    }
    let goal = 5_000;
    section.push_str(&format!(
        "\nGoal ≥ {goal} req/s each: POST {} · GET {}.\n",
        if post.rps() >= goal { "met" } else { "NOT met" },
        if get.rps() >= goal { "met" } else { "NOT met" },
    ));
    print!("{section}");
    if !args.no_write {
        let path = args.out.clone().unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/BENCHMARKS.md")
        });
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        std::fs::write(&path, splice_section(&old, &section))
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        let shown = path.canonicalize().unwrap_or(path);
        eprintln!("updated {}", shown.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_nearest_rank() {
        let r = Report {
            name: "x",
            ok: 100,
            errors: 0,
            elapsed: Duration::from_millis(20),
            cpu_ms: 40,
            lat_us: (1..=100).collect(),
        };
        assert_eq!(r.pct(500), 50);
        assert_eq!(r.pct(900), 90);
        assert_eq!(r.pct(990), 99);
        assert_eq!(r.max(), 100);
        assert_eq!(r.rps(), 5000);
        assert_eq!(r.per_cpu_s(), 2500);
        assert_eq!(ms(1234), "1.234");
        assert_eq!(secs(Duration::from_millis(10_050)), "10.05");
    }

    #[test]
    fn section_is_replaced_and_others_kept() {
        let doc = "# Benchmarks\n\n## worker\n\nw\n\n## tamara-sandbox\n\nold\n\n## widget\n\nx\n";
        let out = splice_section(doc, "## tamara-sandbox\n\nnew\n");
        assert_eq!(
            out,
            "# Benchmarks\n\n## worker\n\nw\n\n## tamara-sandbox\n\nnew\n\n## widget\n\nx\n"
        );
        let out = splice_section(
            "# Benchmarks\n\n## worker\n\nw\n",
            "## tamara-sandbox\n\nnew\n",
        );
        assert!(
            out.ends_with("## worker\n\nw\n\n## tamara-sandbox\n\nnew\n"),
            "{out}"
        );
        let out = splice_section("", "## tamara-sandbox\n\nnew\n");
        assert!(out.starts_with("# Benchmarks") && out.ends_with("## tamara-sandbox\n\nnew\n"));
        // Idempotent.
        assert_eq!(splice_section(&out, "## tamara-sandbox\n\nnew\n"), out);
    }
}
