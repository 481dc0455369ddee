//! Request context, response helpers and dispatch from [`Route`] to the handlers in `routes/`.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::Value;
use worker::{Env, Response};

use crate::body;
use crate::config::Config;
use crate::cors::{self, Preflight};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::group::KeepAlive;
use crate::platform;
use crate::req::Request;
use crate::router::{route, Route};
use crate::routes::{admin, redirect, storefront, webhook};
use crate::tamara::Tamara;

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

impl Ctx {
    /// The D1 binding `DB`.
    pub fn db(&self) -> AppResult<Db<'_>> {
        let d1 = self
            .env
            .d1("DB")
            .map_err(|_| AppError::ConfigMissing("DB (D1 binding)"))?;
        Ok(Db::new(d1, &self.keep))
    }

    /// The Tamara transport (needs `TAMARA_API_TOKEN`).
    pub fn tamara(&self) -> AppResult<Tamara> {
        Ok(Tamara::new(self.cfg.tamara_client()?, self.cfg.timeout_ms))
    }

    /// Wall clock, Unix ms.
    pub fn now(&self) -> i64 {
        platform::now_ms()
    }

    /// Tamara's clock for deciding what is old (reconciliation): the wall clock, or in local
    /// development the sandbox's controllable clock (`SANDBOX_CLOCK_URL`), so tests that move
    /// the sandbox clock see stuck orders and the auto-capture warning. Never used for webhook
    /// tokens, which are always checked against the real clock.
    pub async fn tamara_now(&self) -> i64 {
        let Some(url) = &self.cfg.sandbox_clock_url else {
            return self.now();
        };
        #[derive(serde::Deserialize)]
        struct Clock {
            now_ms: i64,
        }
        let get = tamara_core::HttpRequest {
            method: tamara_core::http::Method::Get,
            url: url.clone(),
            headers: Vec::new(),
            body: None,
        };
        let fetched = match crate::tamara::send(&get, 2000).await {
            Ok((200, body)) => serde_json::from_slice::<Clock>(&body).ok(),
            _ => None,
        };
        fetched.map(|c| c.now_ms).unwrap_or_else(|| self.now())
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

/// A JSON response.
pub fn json(status: u16, v: &Value) -> AppResult<Response> {
    let r = Response::from_json(v)?.with_status(status);
    r.headers().set("Cache-Control", "no-store")?;
    Ok(r)
}

/// A JSON response from already-serialised text (idempotent replays).
pub fn json_text(status: u16, text: &str) -> AppResult<Response> {
    let r = Response::ok(text)?.with_status(status);
    r.headers().set("Content-Type", "application/json")?;
    r.headers().set("Cache-Control", "no-store")?;
    Ok(r)
}

/// `303 See Other` to `url`.
pub fn see_other(url: &str) -> AppResult<Response> {
    let r = Response::empty()?.with_status(303);
    r.headers().set("Location", url)?;
    r.headers().set("Cache-Control", "no-store")?;
    Ok(r)
}

/// An HTML page.
pub fn html(status: u16, page: &str) -> AppResult<Response> {
    let r = Response::from_html(page)?.with_status(status);
    r.headers().set("Cache-Control", "no-store")?;
    Ok(r)
}

/// The error response.
pub fn error_response(e: &AppError) -> Response {
    let status = e.status();
    if status >= 500 {
        worker::console_error!("{} {}: {}", status, e.code(), e.log_detail());
    }
    let r = match Response::from_json(&e.body()) {
        Ok(r) => r.with_status(status),
        Err(_) => Response::builder().with_status(status).empty(),
    };
    if let AppError::MethodNotAllowed(allow) = e {
        let _ = r.headers().set("Allow", allow); // RFC 9110: a 405 lists what the path takes
    }
    r
}

/// Reads the body (≤ 64 KiB) as bytes.
pub async fn read_body(req: &Request) -> AppResult<Vec<u8>> {
    if let Some(len) = req.header("Content-Length") {
        if let Ok(n) = len.trim().parse::<usize>() {
            body::check_size(n)?;
        }
    }
    let bytes = req
        .bytes()
        .await
        .map_err(|e| AppError::bad_request("unreadable_body", e))?;
    body::check_size(bytes.len())?;
    Ok(bytes)
}

/// The request's query pairs.
pub fn query(req: &Request) -> Vec<(String, String)> {
    req.query()
        .map(tamara_core::http::parse_query)
        .unwrap_or_default()
}

/// One query parameter.
pub fn query_param(q: &[(String, String)], name: &str) -> Option<String> {
    q.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// Handles one HTTP request.
pub async fn handle(req: Request, env: Env, keep: KeepAlive) -> worker::Result<Response> {
    let method = req.method().to_string();
    let r = match route(&method, req.path()) {
        // A path that no method serves is not found, whatever the method.
        Route::MethodNotAllowed => match crate::router::allowed_methods(req.path()) {
            allow if allow.is_empty() => Route::NotFound,
            allow => return Ok(error_response(&AppError::MethodNotAllowed(allow))),
        },
        r => r,
    };
    if r == Route::Asset {
        return match env.assets("ASSETS") {
            Ok(assets) => {
                assets
                    .fetch_request(worker::Request::from(req.into_raw()))
                    .await
            }
            Err(_) => Ok(error_response(&AppError::NotFound("not found".into()))),
        };
    }
    let origin = req.header("Origin");
    let cfg = match config(&env) {
        Ok(c) => c,
        Err(e) => return Ok(error_response(&e)),
    };
    let storefront = r.is_storefront();
    let allowed = cfg.allowed_origins.clone();
    if r == Route::Preflight {
        return Ok(match cors::preflight(&allowed, origin.as_deref()) {
            Preflight::Allowed(headers) => {
                let resp = Response::empty()?.with_status(204);
                for (k, v) in headers {
                    resp.headers().set(k, &v)?;
                }
                resp
            }
            Preflight::Forbidden => error_response(&AppError::OriginNotAllowed),
        });
    }
    let ctx = Ctx { cfg, env, keep };
    let result = dispatch(&ctx, r, req).await;
    let resp = match result {
        Ok(resp) => resp,
        Err(e) => error_response(&e),
    };
    if storefront {
        for (k, v) in cors::response_headers(&allowed, origin.as_deref()) {
            resp.headers().set(k, &v)?;
        }
    }
    Ok(resp)
}

async fn dispatch(ctx: &Ctx, r: Route, req: Request) -> AppResult<Response> {
    if r.is_admin() {
        admin::authenticate(ctx, &req)?;
    }
    match r {
        Route::Health => json(200, &serde_json::json!({"ok": true})),
        Route::Catalog => storefront::catalog(ctx).await,
        Route::PaymentOptions => storefront::payment_options(ctx, &req).await,
        Route::CreateCheckout => storefront::create_checkout(ctx, req).await,
        Route::PublicOrder(id) => storefront::order(ctx, &id).await,
        Route::Redirect(kind) => redirect::handle(ctx, &req, kind).await,
        Route::Webhook => webhook::handle(ctx, req).await,
        Route::AdminListOrders => admin::list_orders(ctx, &req).await,
        Route::AdminGetOrder(id) => admin::get_order(ctx, &id).await,
        Route::AdminOrderAction(id, action) => admin::order_action(ctx, req, &id, action).await,
        Route::AdminReferenceId(id) => admin::reference_id(ctx, req, &id).await,
        Route::AdminInStoreCreate => admin::in_store_create(ctx, req).await,
        Route::AdminInStoreStatus(id) => admin::in_store_status(ctx, &id).await,
        Route::AdminInStoreVoid(id) => admin::in_store_void(ctx, &id).await,
        Route::AdminIdVerification => admin::id_verification(ctx, &req).await,
        Route::AdminWebhookList => admin::webhook_list(ctx).await,
        Route::AdminWebhookRegister => admin::webhook_register(ctx, req).await,
        Route::AdminWebhookGet(id) => admin::webhook_get(ctx, &id).await,
        Route::AdminWebhookUpdate(id) => admin::webhook_update(ctx, req, &id).await,
        Route::AdminWebhookDelete(id) => admin::webhook_delete(ctx, &id).await,
        Route::AdminReconcile => {
            let report = crate::reconcile::run(ctx).await?;
            json(200, &report)
        }
        Route::NotFound | Route::Asset | Route::Preflight | Route::MethodNotAllowed => {
            Err(AppError::NotFound("no such endpoint".into()))
        }
    }
}
