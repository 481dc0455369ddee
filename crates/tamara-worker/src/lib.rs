//! # tamara-worker
//!
//! The Cloudflare Worker between a storefront and [Tamara](https://tamara.co): it holds the
//! Tamara secrets, prices carts on the server, creates checkout sessions, handles the shopper's
//! return and Tamara's webhooks, authorises approved orders exactly once, and offers a merchant
//! API (capture, cancel, refund, in-store links, webhooks) plus a reconciliation cron. Orders,
//! the audit trail and idempotency keys live in D1. HTTP contract: `docs/CONTRACTS.md` §2.
//!
//! Layout (imports only go down this list):
//! * `lib.rs`: the `#[event]` entry points, nothing else.
//! * [`routes`]: thin handlers, one file per resource: parse → call a service → render.
//! * [`http`]: context, request reading, responses, CORS, the pure router.
//! * [`services`]: every decision, generic over two seams, [`tamara::Transport`] (Tamara's
//!   API) and [`store::Sql`] (D1), plus a [`services::Platform`] for time and ids; native
//!   tests run them over fakes ([`testing`]).
//! * [`store`]: the typed tables (core's `OrderStatus`, `Channel`, `Country`, `Currency`,
//!   `Money`) and their SQL, one text for D1 and for the SQLite the tests use.
//! * [`tamara`]: calling Tamara (retries, timeouts) over a transport.
//! * Pure modules: [`pricing`], [`cart_sign`], [`idempotency`], [`options`], [`cache`],
//!   [`config`], [`error`], [`guard`], [`views`].

pub mod cache;
pub mod cart_sign;
pub mod config;
pub mod error;
pub mod guard;
pub mod http;
pub mod idempotency;
pub mod options;
pub mod platform;
pub mod pricing;
pub mod return_url;
pub mod routes;
pub mod services;
pub mod store;
pub mod tamara;
#[cfg(all(test, not(target_arch = "wasm32")))]
pub mod testing;
pub mod views;

use worker::{event, Context, Env, Response, ScheduleContext, ScheduledEvent};

/// HTTP entry point.
#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> worker::Result<Response> {
    let keep: store::group::KeepAlive = std::rc::Rc::new(move |p| {
        let js: &worker::worker_sys::Context = ctx.as_ref();
        let _ = js.wait_until(p);
    });
    routes::handle(http::request::Request::new(req), env, keep).await
}

/// `CONNECT` entry point: the runtime hands `CONNECT` requests (TCP tunnels) to this handler,
/// not to `fetch`; without one it answers 500 ("Handler does not export a connect() function").
/// The Worker tunnels nothing: the socket is closed at once.
#[event(connect)]
async fn connect(mut socket: worker::Socket, _env: Env, _ctx: Context) -> worker::Result<()> {
    let _ = socket.close().await;
    Ok(())
}

/// Cron entry point (`[triggers] crons`): one reconciliation pass.
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let cfg = match http::config(&env) {
        Ok(c) => c,
        Err(e) => {
            worker::console_error!("reconcile: {}", e.message());
            return;
        }
    };
    // No client can go away here: the event lasts while reconciliation awaits its own writes,
    // so group-commit flushes need no waitUntil.
    let keep: store::group::KeepAlive = std::rc::Rc::new(|_| {});
    let ctx = http::Ctx { cfg, env, keep };
    let app = ctx.app();
    let now = ctx.tamara_now(&app).await;
    match services::reconcile::run(&app, now).await {
        Ok(report) => worker::console_log!("reconcile: {report}"),
        Err(e) => worker::console_error!("reconcile failed: {} {}", e.code(), e.log_detail()),
    }
}
