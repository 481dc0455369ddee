//! # tamara-worker
//!
//! The Cloudflare Worker between a storefront and [Tamara](https://tamara.co): it holds the
//! Tamara secrets, prices carts on the server, creates checkout sessions, handles the shopper's
//! return and Tamara's webhooks, authorises approved orders exactly once, and offers a merchant
//! API (capture, cancel, refund, in-store links, webhooks) plus a reconciliation cron. Orders,
//! the audit trail and idempotency keys live in D1. HTTP contract: `docs/CONTRACTS.md` §2.
//!
//! Layout: `app` (context, dispatch), `router` (pure routing), `routes/*` (handlers), `sync`
//! (forward-only mirroring and the authorise claim), `tamara` (transport with timeout and
//! retries), `db` (D1), and pure, natively tested modules: `pricing`, `cart_sign`,
//! `idempotency`, `cors`, `options`, `cache`, `config`, `error`, `body`.

pub mod app;
pub mod body;
pub mod cache;
pub mod cart_sign;
pub mod config;
pub mod cors;
pub mod db;
pub mod error;
pub mod group;
pub mod http_util;
pub mod idempotency;
pub mod model;
pub mod options;
pub mod platform;
pub mod pricing;
pub mod reconcile;
pub mod req;
pub mod router;
pub mod routes;
pub mod sync;
pub mod tamara;

use worker::{event, Context, Env, Response, ScheduleContext, ScheduledEvent};

/// HTTP entry point.
#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let keep: group::KeepAlive = std::rc::Rc::new(move |p| {
        let js: &worker::worker_sys::Context = ctx.as_ref();
        let _ = js.wait_until(p);
    });
    app::handle(req::Request::new(req), env, keep).await
}

/// Cron entry point (`[triggers] crons`): one reconciliation pass.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let cfg = match app::config(&env) {
        Ok(c) => c,
        Err(e) => {
            worker::console_error!("reconcile: {}", e.message());
            return;
        }
    };
    // No client can go away here: the event lasts while reconciliation awaits its own writes,
    // so group-commit flushes need no waitUntil.
    let keep: group::KeepAlive = std::rc::Rc::new(|_| {});
    let ctx = app::Ctx { cfg, env, keep };
    match reconcile::run(&ctx).await {
        Ok(report) => worker::console_log!("reconcile: {report}"),
        Err(e) => worker::console_error!("reconcile failed: {} {}", e.code(), e.log_detail()),
    }
}
