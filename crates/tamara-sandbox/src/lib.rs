//! # tamara-sandbox
//!
//! A stateful, offline stand-in for [Tamara](https://tamara.co)'s merchant API, for local
//! development and end-to-end tests. It serves every merchant endpoint (rows 1–22 of the
//! catalogue in `shared/tamara-api.md`) with `tamara-core`'s request and response types and its
//! order state machine, a hosted checkout page and an in-store payment-link page, an SMS outbox,
//! signed webhooks with retries, a controllable clock and fault injection.
//!
//! ## Run
//!
//! ```text
//! cargo run -p tamara-sandbox -- --port 7070 [--store sandbox.json] [--auto-capture]
//! ```
//! It binds `127.0.0.1` by default and prints its URLs and the development credentials it uses
//! (API token `sandbox-api-token`, notification token `sandbox-notification-token`, public key
//! `sandbox-public-key`). `--store FILE.json` persists everything (temp file + rename after each
//! change) and reloads it at start.
//!
//! In tests, build the router without a socket: [`app`]`(`[`SandboxState::new`]`(Config))`, or
//! serve it on `127.0.0.1:0` with [`spawn`] (or [`serve`] on your own listener):
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let (base_url, state, server) = tamara_sandbox::spawn(tamara_sandbox::Config::default()).await?;
//! // ... point the client at base_url, drive the shopper with /_sandbox/orders/{id}/trigger ...
//! server.abort();
//! # let _ = (base_url, state); Ok(()) }
//! ```
//!
//! ## Behaviour
//! * Auth: `Authorization: Bearer <api token>`, else 401 `{"message":"Unauthorized"}`.
//! * Errors: `{"message", "errors": [{"error_code", "field"?}]}`: 400 validation (Tamara's codes
//!   such as `total_amount_invalid_currency`, `total_amount_invalid_limit`,
//!   `consumer_invalid_phone_number`; `invalid_json` for malformed JSON, `invalid_request` for
//!   wrong types), 404 `{"message":"Order not found"}`, 409 refused transitions (code from
//!   `TransitionError::code()`), 413 `payload_too_large` above 256 KiB. Every request rule is
//!   core's (`CreateCheckout::validate`, `CreateInStoreSession::validate`,
//!   `CreateInStoreQr::validate`, `RegisterWebhook::validate` and the `check_webhook_*`
//!   functions); this crate only maps their errors to Tamara's error shape. Webhook
//!   registration answers 400 `invalid_request` (`url`), `invalid_events` or
//!   `invalid_webhook_type`, naming the field.
//! * Hosted checkout `GET /checkout/{id}`: paying with phone `526422337` declines, any other
//!   phone approves; `303` to `merchant_url.{success,failure,cancel}` with `orderId` and
//!   `paymentStatus`. In-store link `GET /pay/{id}`: pay → `fully_captured`.
//! * In-store void: an unpaid session is voided to `canceled` (webhook `order_canceled`) with
//!   `order_was_voided: true`; a paid one answers `order_was_voided: false`.
//! * Timers (30-minute checkout, 15-minute link, 72-hour authorise window, 21-day auto-capture)
//!   run whenever the clock advances, once a second in the binary, and lazily on reads.
//! * Webhooks go to `merchant_url.notification` and every registered webhook subscribed to the
//!   event, with `tamaraToken` in the query and `Authorization: Bearer`; non-2xx is retried after
//!   0.5 s, 1 s, 2 s, 4 s (5 attempts). Deliveries of one order to one URL go out in order. The
//!   token's `iat`/`exp` come from the real (wall) clock, not the sandbox clock, so a receiver
//!   verifies it against its own clock even after the clock was advanced. `http` targets must
//!   be loopback.
//! * Faults: a matching request waits `delay_ms`, then gets `status` with
//!   `error_code: sandbox_fault`, or with `drop_connection` a response whose body fails at
//!   once, so hyper aborts the connection and the client sees a transport error.
//!   `delay_after_ms` handles the request, then holds the answer (done, but answered late).
//!
//! ## Control API (`/_sandbox`, no auth, JSON)
//! | route | what |
//! |---|---|
//! | `GET /_sandbox/clock`, `POST /_sandbox/clock/advance` `{"minutes": 31}` | sandbox clock; advancing runs timers |
//! | `POST /_sandbox/faults` `{"route": "POST /orders/*/authorise", "status": 500, "count": 1, "delay_ms": 0, "drop_connection": false}`, `GET`/`DELETE /_sandbox/faults` | fault injection |
//! | `GET /_sandbox/webhooks/deliveries` | webhook delivery log |
//! | `GET /_sandbox/sms` | SMS outbox |
//! | `GET /_sandbox/orders`, `POST /_sandbox/orders/{id}/trigger` `{"event": "approve", "amount": "10.00"?}` | orders; fire any event |
//! | `POST /_sandbox/reset` | forget orders, deliveries, SMS, faults; clock offset 0 |
//! | `GET /_sandbox/config`, `PATCH /_sandbox/config` `{"auto_capture": true}` | merchant config without secrets |

pub mod api;
pub mod config;
pub mod control;
pub mod delivery;
pub mod eligibility;
pub mod error;
pub mod faults;
pub mod hosted;
pub mod order;
pub mod pages;
pub mod state;

use std::future::Future;

use axum::Router;

pub use config::Config;
pub use state::SandboxState;

/// The whole sandbox as a router: Tamara's API, hosted pages and the control API.
pub fn app(state: SandboxState) -> Router {
    Router::new()
        .merge(api::routes(state.clone()))
        .merge(hosted::routes())
        .merge(control::routes())
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(config::BODY_LIMIT))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            access_log,
        ))
        .with_state(state)
}

/// One line per request when `log_requests` is on. The query is left out: it can carry phone
/// numbers; headers (tokens) are never printed.
async fn access_log(
    axum::extract::State(st): axum::extract::State<SandboxState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if !st.lock().config.log_requests {
        return next.run(req).await;
    }
    let started = std::time::Instant::now();
    let line = format!("{} {}", req.method(), req.uri().path());
    let resp = next.run(req).await;
    println!(
        "{} {line} -> {} ({} ms)",
        st.now(),
        resp.status().as_u16(),
        started.elapsed().as_millis()
    );
    resp
}

async fn fallback() -> error::ApiErr {
    error::ApiErr::not_found("Not found")
}

async fn method_not_allowed() -> error::ApiErr {
    error::ApiErr::new(
        axum::http::StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed",
    )
}

/// Serves the sandbox on `listener` until `shutdown` resolves, with a timer ticker running.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: SandboxState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let ticker = state.spawn_ticker(std::time::Duration::from_secs(1));
    let res = axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await;
    ticker.abort();
    res
}

/// Binds `127.0.0.1:0`, points `public_url` at it and serves in the background (for tests).
/// Returns the base URL, the state and the server task.
pub async fn spawn(
    mut config: Config,
) -> std::io::Result<(String, SandboxState, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    config.public_url = base.clone();
    let state = SandboxState::new(config);
    let st = state.clone();
    let task = tokio::spawn(async move {
        let _ = serve(listener, st, std::future::pending()).await;
    });
    Ok((base, state, task))
}
