//! What the Worker decides, apart from HTTP and from the runtime.
//!
//! Every service is an async function over an [`App`]: the configuration, Tamara's API behind
//! a [`Transport`], the tables behind an [`Sql`] connection, and a [`Platform`] for time, ids and the log.
//! Handlers in `routes/` parse, call one service, and render; the Worker plugs in `fetch`, D1
//! and the runtime clock, native tests plug in fakes (`crate::testing`), so every decision here
//! runs in `cargo test`.
//!
//! | service | what |
//! |---|---|
//! | [`catalog`] | the isolate's catalog copy, pricing a cart (online and in-store share it) |
//! | [`payment_options`] | what the widget shows: payment types, pre-check, cached |
//! | [`eligibility`] | Tamara's pre-checkout eligibility: 200 ms budget, fail open, hashed cache |
//! | [`doctor`] | the set-up self-test and idempotent webhook registration |
//! | [`shopper`] | the shopper's details cleaned up: language, e-mail, addresses |
//! | [`checkout`] | an online checkout: pricing, the request, the new order |
//! | [`idempotent`] | `Idempotency-Key`: claim, replay, conflict, lost answers |
//! | [`in_store`] | SMS payment links: create, poll, void |
//! | [`money`] | capture, cancel, refund through core's lifecycle rules |
//! | [`sync`] | mirroring Tamara's order forward-only, authorising exactly once |
//! | [`webhook`] | a notification: verify, de-duplicate, re-read Tamara |
//! | [`redirect`] | where the shopper lands after Tamara |
//! | [`orders`] | the merchant's order views, reference ids, the storefront status |
//! | [`merchant`] | ID verification and webhook registrations |
//! | [`reconcile`] | the cron pass |

pub mod catalog;
pub mod checkout;
pub mod doctor;
pub mod eligibility;
pub mod idempotent;
pub mod in_store;
pub mod merchant;
pub mod money;
pub mod orders;
pub mod payment_options;
pub mod plan;
pub mod reconcile;
pub mod redirect;
pub mod shopper;
pub mod sync;
pub mod webhook;
pub mod webhook_setup;

use std::rc::Rc;

use tamara_core::ApiError;

use crate::config::Config;
use crate::error::{AppError, AppResult};
use crate::store::{Sql, Store};
use crate::tamara::{Tamara, Transport};

/// Time, fresh ids and the log: the Worker's read the runtime; tests use a fake clock moved by hand.
pub trait Platform {
    /// Wall-clock Unix milliseconds.
    fn now_ms(&self) -> i64;
    /// A fresh unique id (a v4 UUID in the Worker).
    fn new_id(&self) -> String;
    /// Logs a warning (codes and ids only: never a secret or PII).
    fn warn(&self, line: &str);
}

/// Everything a service reaches.
pub struct App<T, Q> {
    /// Configuration.
    pub cfg: Rc<Config>,
    tamara: Option<Tamara<T>>,
    store: Option<Store<Q>>,
    clock: Rc<dyn Platform>,
}

impl<T, Q> std::fmt::Debug for App<T, Q> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl<T: Transport, Q: Sql> App<T, Q> {
    /// `tamara` is `None` when `TAMARA_API_TOKEN` is not set, `store` when D1 is not bound:
    /// only the services that need them fail (with 503 `config_missing`).
    pub fn new(
        cfg: Rc<Config>,
        tamara: Option<Tamara<T>>,
        store: Option<Store<Q>>,
        clock: Rc<dyn Platform>,
    ) -> Self {
        App {
            cfg,
            tamara,
            store,
            clock,
        }
    }

    /// Tamara's API.
    pub fn tamara(&self) -> AppResult<&Tamara<T>> {
        self.tamara
            .as_ref()
            .ok_or(AppError::ConfigMissing("TAMARA_API_TOKEN"))
    }

    /// The tables.
    pub fn store(&self) -> AppResult<&Store<Q>> {
        self.store
            .as_ref()
            .ok_or(AppError::ConfigMissing("DB (D1 binding)"))
    }

    /// Wall clock, Unix ms.
    pub fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// A fresh unique id.
    pub fn new_id(&self) -> String {
        self.clock.new_id()
    }

    /// Logs a warning.
    pub fn warn(&self, line: &str) {
        self.clock.warn(line);
    }
}

/// Maps Tamara's 404 to `None` (for lookups).
pub fn not_found_as_none<V>(r: AppResult<V>) -> AppResult<Option<V>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(AppError::Tamara(ApiError::NotFound { .. })) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether an error leaves the outcome of a non-idempotent call unknown (re-read before retry).
pub fn outcome_unknown(e: &AppError) -> bool {
    crate::tamara::retryable(e)
}

/// At most `max` characters of untrusted text, for error messages.
pub fn clip(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
