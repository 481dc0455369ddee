//! Fakes for native tests of the services: D1 is SQLite in memory with the real
//! `migrations/` ([`MemSql`]), Tamara is the project's sandbox served in-process with no socket
//! ([`SandboxTransport`], with scripted transport faults on top), and time is a [`FakeClock`]
//! moved by hand. [`Harness`] wires them into an [`App`] and drives async code on a
//! single-threaded runtime (the services' futures are not `Send`, as in the Worker).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use serde_json::{Map, Value};
use tamara_core::{ApiToken, HttpRequest};
use tower::ServiceExt;

use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::services::{App, Platform};
use crate::store::{Arg, Rows, Sql, Stmt, Store};
use crate::tamara::{Tamara, Transport};

/// The API token the sandbox accepts.
pub const API_TOKEN: &str = tamara_sandbox::config::DEV_API_TOKEN;
/// The notification token the sandbox signs with.
pub const NOTIFICATION_TOKEN: &str = tamara_sandbox::config::DEV_NOTIFICATION_TOKEN;
/// Where the Worker thinks Tamara is.
pub const API_BASE: &str = "http://127.0.0.1:7070";

// ---- D1 -------------------------------------------------------------------------------------

/// SQLite in memory with the Worker's migrations applied.
pub struct MemSql {
    conn: RefCell<rusqlite::Connection>,
    /// Fail every statement whose SQL contains this text (a D1 outage for one table).
    pub fail_when: RefCell<Option<String>>,
    /// Statements run, in order (SQL text).
    pub log: RefCell<Vec<String>>,
}

impl std::fmt::Debug for MemSql {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemSql")
    }
}

impl Default for MemSql {
    fn default() -> Self {
        Self::new()
    }
}

impl MemSql {
    /// A fresh database with `migrations/*.sql` applied in order.
    pub fn new() -> Self {
        let conn = rusqlite::Connection::open_in_memory().expect("sqlite");
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("migrations/")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        for f in files {
            let sql = std::fs::read_to_string(&f).expect("migration");
            conn.execute_batch(&sql).expect("migration applies");
        }
        MemSql {
            conn: RefCell::new(conn),
            fail_when: RefCell::new(None),
            log: RefCell::new(Vec::new()),
        }
    }

    /// Runs raw SQL (test set-up and inspection); rows as JSON.
    pub fn query(&self, sql: &str) -> Vec<Value> {
        exec(&self.conn.borrow(), &crate::store::sql::stmt(sql, []))
            .expect("query")
            .rows
    }

    fn one(&self, conn: &rusqlite::Connection, s: &Stmt) -> AppResult<Rows> {
        self.log.borrow_mut().push(s.sql.clone());
        if let Some(bad) = self.fail_when.borrow().as_deref() {
            if s.sql.contains(bad) {
                return Err(AppError::Storage(format!("D1_ERROR: injected on `{bad}`")));
            }
        }
        exec(conn, s)
    }
}

fn exec(conn: &rusqlite::Connection, s: &Stmt) -> AppResult<Rows> {
    let storage = |e: rusqlite::Error| AppError::Storage(e.to_string());
    let mut st = conn.prepare(&s.sql).map_err(storage)?;
    let args = s.args.iter().map(|a| match a {
        Arg::I(v) => rusqlite::types::Value::Integer(*v),
        Arg::T(t) => rusqlite::types::Value::Text(t.clone()),
        Arg::Null => rusqlite::types::Value::Null,
    });
    let names: Vec<String> = st.column_names().iter().map(|c| c.to_string()).collect();
    if names.is_empty() {
        let changes = st
            .execute(rusqlite::params_from_iter(args))
            .map_err(storage)?;
        return Ok(Rows {
            rows: Vec::new(),
            changes,
        });
    }
    let mut out = Vec::new();
    let mut rows = st
        .query(rusqlite::params_from_iter(args))
        .map_err(storage)?;
    while let Some(r) = rows.next().map_err(storage)? {
        let mut obj = Map::new();
        for (i, n) in names.iter().enumerate() {
            let v = match r.get_ref(i).map_err(storage)? {
                rusqlite::types::ValueRef::Null => Value::Null,
                rusqlite::types::ValueRef::Integer(n) => Value::from(n),
                rusqlite::types::ValueRef::Real(f) => Value::from(f),
                rusqlite::types::ValueRef::Text(t) => {
                    Value::from(String::from_utf8_lossy(t).into_owned())
                }
                rusqlite::types::ValueRef::Blob(_) => Value::Null,
            };
            obj.insert(n.clone(), v);
        }
        out.push(Value::Object(obj));
    }
    Ok(Rows {
        rows: out,
        changes: 0,
    })
}

impl Sql for MemSql {
    async fn run(&self, s: Stmt) -> AppResult<Rows> {
        suspension_point().await;
        let conn = self.conn.borrow();
        self.one(&conn, &s)
    }

    async fn batch(&self, stmts: Vec<Stmt>) -> AppResult<Vec<Rows>> {
        suspension_point().await;
        let conn = self.conn.borrow();
        conn.execute_batch("BEGIN")
            .map_err(|e| AppError::Storage(e.to_string()))?;
        let mut out = Vec::new();
        for s in &stmts {
            match self.one(&conn, s) {
                Ok(r) => out.push(r),
                Err(e) => {
                    let _ = conn.execute_batch("ROLLBACK");
                    return Err(e);
                }
            }
        }
        conn.execute_batch("COMMIT")
            .map_err(|e| AppError::Storage(e.to_string()))?;
        Ok(out)
    }
}

// ---- Tamara ---------------------------------------------------------------------------------

/// What a scripted fault does to a matching call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// The request never reaches Tamara; the Worker sees a timeout.
    Unreachable,
    /// Tamara handles the request, but its answer is lost (the outcome is unknown).
    LoseAnswer,
    /// Tamara answers this status without handling the request.
    Status(u16),
}

/// A fault for the next `times` calls whose `METHOD path` starts with `prefix`.
#[derive(Debug, Clone)]
pub struct Fault {
    /// `"POST /payments/capture"`, `"GET /merchants/orders/"`, …
    pub prefix: String,
    /// What happens.
    pub kind: FaultKind,
    /// How many calls it affects.
    pub times: u32,
}

/// The sandbox's router as Tamara, in-process.
pub struct SandboxTransport {
    router: axum::Router,
    /// The sandbox's state (its orders, clock, SMS outbox).
    pub state: tamara_sandbox::SandboxState,
    faults: RefCell<Vec<Fault>>,
    /// Every call the Worker made, as `METHOD /path`.
    pub calls: RefCell<Vec<String>>,
}

impl std::fmt::Debug for SandboxTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SandboxTransport")
    }
}

impl SandboxTransport {
    /// A fresh sandbox (webhooks are attempted once, to nowhere).
    pub fn new(auto_capture: bool) -> Self {
        let config = tamara_sandbox::Config {
            auto_capture,
            webhook_max_attempts: 1,
            webhook_timeout_ms: 50,
            ..tamara_sandbox::Config::default()
        };
        let state = tamara_sandbox::SandboxState::new(config);
        SandboxTransport {
            router: tamara_sandbox::app(state.clone()),
            state,
            faults: RefCell::new(Vec::new()),
            calls: RefCell::new(Vec::new()),
        }
    }

    /// Adds a fault.
    pub fn fault(&self, prefix: &str, kind: FaultKind, times: u32) {
        self.faults.borrow_mut().push(Fault {
            prefix: prefix.to_owned(),
            kind,
            times,
        });
    }

    /// How many calls started with `prefix`.
    pub fn count(&self, prefix: &str) -> usize {
        self.calls
            .borrow()
            .iter()
            .filter(|c| c.starts_with(prefix))
            .count()
    }

    fn take_fault(&self, call: &str) -> Option<FaultKind> {
        let mut faults = self.faults.borrow_mut();
        let f = faults
            .iter_mut()
            .find(|f| f.times > 0 && call.starts_with(&f.prefix))?;
        f.times -= 1;
        Some(f.kind)
    }

    /// Sends a request to the sandbox (also its control API: `/_sandbox/…`).
    pub async fn raw(
        &self,
        method: &str,
        path_and_query: &str,
        headers: &[(String, String)],
        body: Option<Vec<u8>>,
    ) -> (u16, Vec<u8>) {
        let mut b = axum::http::Request::builder()
            .method(method)
            .uri(path_and_query);
        for (k, v) in headers {
            b = b.header(k, v);
        }
        let req = b
            .body(axum::body::Body::from(body.unwrap_or_default()))
            .expect("request");
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status().as_u16();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .map(|b| b.to_vec())
            .unwrap_or_default();
        (status, bytes)
    }

    /// A control-API call with a JSON body; the JSON answer.
    pub async fn control(&self, method: &str, path: &str, body: Value) -> Value {
        let headers = [("content-type".to_owned(), "application/json".to_owned())];
        let (status, bytes) = self
            .raw(method, path, &headers, Some(body.to_string().into_bytes()))
            .await;
        assert!(
            status < 300,
            "{method} {path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    }

    /// Fires a sandbox event on an order (`approve`, `decline`, `expire`, …).
    pub async fn trigger(&self, order_id: &str, event: &str) {
        self.control(
            "POST",
            &format!("/_sandbox/orders/{order_id}/trigger"),
            serde_json::json!({"event": event}),
        )
        .await;
    }
}

impl Transport for SandboxTransport {
    async fn send(&self, req: &HttpRequest, timeout_ms: u32) -> AppResult<(u16, Vec<u8>)> {
        suspension_point().await;
        let path = req
            .url
            .strip_prefix(API_BASE)
            .unwrap_or(&req.url)
            .to_owned();
        let call = format!(
            "{} {}",
            req.method.as_str(),
            path.split('?').next().unwrap_or("")
        );
        self.calls.borrow_mut().push(call.clone());
        match self.take_fault(&call) {
            Some(FaultKind::Unreachable) => {
                return Err(AppError::TamaraUnreachable("injected timeout".into()))
            }
            Some(FaultKind::Status(s)) => return Ok((s, b"{\"message\":\"injected\"}".to_vec())),
            Some(FaultKind::LoseAnswer) => {
                self.raw(req.method.as_str(), &path, &req.headers, req.body.clone())
                    .await;
                return Err(AppError::TamaraUnreachable("injected lost answer".into()));
            }
            None => {}
        }
        // The caller's budget holds as over the network (sandbox delay faults are real time).
        let budget = std::time::Duration::from_millis(u64::from(timeout_ms));
        tokio::time::timeout(
            budget,
            self.raw(req.method.as_str(), &path, &req.headers, req.body.clone()),
        )
        .await
        .map_err(|_| AppError::TamaraUnreachable(format!("no answer within {timeout_ms} ms")))
    }

    async fn sleep(&self, _ms: u64) {}

    fn warn(&self, _line: &str) {}
}

// ---- time -----------------------------------------------------------------------------------

/// A clock moved by hand, with sequential ids.
#[derive(Debug)]
pub struct FakeClock {
    now: Cell<i64>,
    ids: Cell<u64>,
    /// Warnings logged.
    pub warnings: RefCell<Vec<String>>,
}

impl FakeClock {
    /// Starts at `now` (Unix ms).
    pub fn new(now: i64) -> Self {
        FakeClock {
            now: Cell::new(now),
            ids: Cell::new(0),
            warnings: RefCell::new(Vec::new()),
        }
    }

    /// Moves time forward.
    pub fn advance(&self, ms: i64) {
        self.now.set(self.now.get() + ms);
    }
}

impl Platform for FakeClock {
    fn now_ms(&self) -> i64 {
        self.now.get()
    }

    fn new_id(&self) -> String {
        self.ids.set(self.ids.get() + 1);
        format!("00000000-0000-4000-8000-{:012}", self.ids.get())
    }

    fn warn(&self, line: &str) {
        self.warnings.borrow_mut().push(line.to_owned());
    }
}

// ---- the whole -------------------------------------------------------------------------------

/// The services over the fakes.
#[allow(missing_debug_implementations)]
pub struct Harness {
    /// The services.
    pub app: App<SandboxTransport, MemSql>,
    /// The Worker's clock.
    pub clock: Rc<FakeClock>,
}

/// The test configuration (overrides by name).
pub fn config(overrides: &[(&str, &str)]) -> Config {
    let base = [
        ("TAMARA_API_BASE", API_BASE),
        ("TAMARA_API_TOKEN", API_TOKEN),
        ("TAMARA_NOTIFICATION_TOKEN", NOTIFICATION_TOKEN),
        ("ADMIN_TOKEN", "admin-test-token"),
        ("CART_SIGNING_KEY", "cart-test-key"),
        ("PUBLIC_URL", "http://127.0.0.1:9"),
        ("STORE_URL", "http://shop.test"),
        ("ALLOWED_ORIGINS", "http://shop.test"),
    ];
    Config::from_lookup(|name| {
        overrides
            .iter()
            .find(|(k, _)| *k == name)
            .or_else(|| base.iter().find(|(k, _)| *k == name))
            .map(|(_, v)| (*v).to_owned())
    })
    .expect("test config")
}

impl Harness {
    /// Default configuration, a fresh sandbox and database, time at 2026-12-01.
    pub fn new() -> Self {
        Self::with(&[], false)
    }

    /// With configuration overrides and the merchant's auto-capture setting.
    pub fn with(overrides: &[(&str, &str)], auto_capture: bool) -> Self {
        crate::services::catalog::forget();
        let cfg = Rc::new(config(overrides));
        let client = tamara_core::Client::new(
            tamara_core::Environment::from_config(API_BASE),
            ApiToken::new(API_TOKEN),
        );
        let tamara = Tamara::new(client, cfg.timeout_ms, SandboxTransport::new(auto_capture));
        let clock = Rc::new(FakeClock::new(1_796_083_200_000));
        let app = App::new(
            cfg,
            Some(tamara),
            Some(Store::new(MemSql::new())),
            clock.clone(),
        );
        Harness { app, clock }
    }

    /// The sandbox.
    pub fn tamara(&self) -> &SandboxTransport {
        self.app.tamara().expect("tamara").transport()
    }

    /// The database.
    pub fn db(&self) -> &MemSql {
        self.app.store().expect("store").sql()
    }
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

/// Runs a future (not `Send`) to completion on a fresh single-threaded runtime.
pub fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(f)
}

/// A boxed future borrowing the harness, for [`join_all`].
pub type Racing<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + 'a>>;

/// Polls every future on the current task until all are done (a `join_all` without the
/// `futures` crate), in order on each wake-up; the outputs in input order. Services' futures
/// borrow the harness and are not `Send`, so they cannot be spawned.
pub async fn join_all<T>(futs: Vec<Racing<'_, T>>) -> Vec<T> {
    use std::task::Poll;
    let mut futs = futs;
    let mut out: Vec<Option<T>> = futs.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (f, slot) in futs.iter_mut().zip(out.iter_mut()) {
            if slot.is_none() {
                match f.as_mut().poll(cx) {
                    Poll::Ready(v) => *slot = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    out.into_iter().flatten().collect()
}

thread_local! {
    static INTERLEAVE: Cell<bool> = const { Cell::new(false) };
}

/// With `on`, every D1 statement / batch and every Tamara call of this thread's harnesses is a
/// suspension point (as over the network), so futures run with [`join_all`] really interleave;
/// off (the default), the fakes never suspend and concurrent futures run one after the other.
pub fn interleave(on: bool) {
    INTERLEAVE.with(|c| c.set(on));
}

async fn suspension_point() {
    if INTERLEAVE.with(Cell::get) {
        tokio::task::yield_now().await;
    }
}
