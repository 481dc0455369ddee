//! HTTP plumbing: the request wrapper ([`request`]), body limits and JSON parsing ([`body`]),
//! responses ([`response`]), CORS ([`cors`]), the pure router ([`router`]), and [`Ctx`], which
//! turns the runtime's `Env` into the services' [`App`]. Nothing here imports `routes/`.

pub mod body;
pub mod cors;
pub mod limits;
pub mod request;
pub mod response;
pub mod router;

use std::cell::RefCell;
use std::rc::Rc;

use worker::Env;

use crate::config::Config;
use crate::error::AppResult;
use crate::platform;
use crate::services::{App, Platform};
use crate::store::d1::D1Sql;
use crate::store::group::KeepAlive;
use crate::store::Store;
use crate::tamara::fetch::FetchTransport;
use crate::tamara::Tamara;

/// The services as the Worker runs them: `fetch`, D1 and the runtime clock.
pub type WorkerApp = App<FetchTransport, D1Sql>;

/// What every handler gets.
pub struct Ctx {
    /// Configuration (read once per isolate, see [`config`]).
    pub cfg: Rc<Config>,
    /// Bindings.
    pub env: Env,
    /// The event's `waitUntil` (group-commit flushes outlive a disconnected client).
    pub keep: KeepAlive,
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

/// The Workers runtime's clock, ids and console.
#[derive(Debug, Clone, Copy, Default)]
pub struct Runtime;

impl Platform for Runtime {
    fn now_ms(&self) -> i64 {
        platform::now_ms()
    }

    fn new_id(&self) -> String {
        platform::uuid()
    }

    fn warn(&self, line: &str) {
        worker::console_warn!("{line}");
    }
}

impl Ctx {
    /// The services over this request's bindings. A missing API token or D1 binding only
    /// fails the services that need them (503 `config_missing`).
    pub fn app(&self) -> WorkerApp {
        let tamara = self
            .cfg
            .tamara_client()
            .ok()
            .map(|c| Tamara::new(c, self.cfg.timeout_ms, FetchTransport));
        let store = self
            .env
            .d1("DB")
            .ok()
            .map(|d1| Store::new(D1Sql::new(d1, self.keep.clone())));
        App::new(self.cfg.clone(), tamara, store, Rc::new(Runtime))
    }

    /// Tamara's clock for deciding what is old (reconciliation): the wall clock, or in local
    /// development the sandbox's controllable clock (`SANDBOX_CLOCK_URL`), so tests that move
    /// the sandbox clock see stuck orders. Never used for webhook tokens.
    pub async fn tamara_now(&self, app: &WorkerApp) -> i64 {
        let now = app.now();
        match (&self.cfg.sandbox_clock_url, app.tamara()) {
            (Some(url), Ok(t)) => t.sandbox_now(url).await.unwrap_or(now),
            _ => now,
        }
    }
}

thread_local! {
    static CONFIG: RefCell<Option<Rc<Config>>> = const { RefCell::new(None) };
}

/// The configuration, parsed from `env` on the isolate's first request and reused after:
/// vars and secrets cannot change within an isolate (a deploy or `wrangler secret put` starts
/// new ones). An invalid configuration is not kept, so every request reports it.
pub fn config(env: &Env) -> AppResult<Rc<Config>> {
    if let Some(cfg) = CONFIG.with(|c| c.borrow().clone()) {
        return Ok(cfg);
    }
    let cfg = Rc::new(Config::from_env(env)?);
    CONFIG.with(|c| *c.borrow_mut() = Some(cfg.clone()));
    Ok(cfg)
}
