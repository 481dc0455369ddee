//! Thin HTTP handlers: each parses the request, calls one service and renders the answer.
//! [`handle`] is the whole request path: routing, static assets, CORS, admin auth, dispatch.
//!
//! | file | endpoints |
//! |---|---|
//! | [`storefront`] | `/api/*`: catalog, payment options, checkout, order status |
//! | [`redirect`] | `/tamara/success|failure|cancel` |
//! | [`webhook`] | `/tamara/webhook` |
//! | [`admin`] | bearer auth, ID verification, reconcile |
//! | [`admin_orders`] | `/admin/orders`, one order, reference id |
//! | [`admin_money`] | capture, cancel, refund |
//! | [`admin_in_store`] | `/admin/in-store/*` |
//! | [`admin_webhooks`] | `/admin/webhooks/*` |

pub mod admin;
pub mod admin_doctor;
pub mod admin_in_store;
pub mod admin_money;
pub mod admin_orders;
pub mod admin_webhooks;
pub mod redirect;
pub mod storefront;
pub mod webhook;

use worker::{Env, Response};

use crate::error::{AppError, AppResult};
use crate::guard;
use crate::http::cors::{self, Preflight};
use crate::http::limits;
use crate::http::request::Request;
use crate::http::response::{self, json};
use crate::http::router::{allowed_methods, route, Route};
use crate::http::{config, Ctx};
use crate::store::group::KeepAlive;

/// Handles one HTTP request.
pub async fn handle(req: Request, env: Env, keep: KeepAlive) -> worker::Result<Response> {
    let method = req.method();
    if !guard::known_method(&method) {
        // TRACE, PROPFIND, made-up methods: not served anywhere (CONNECT never gets here: the
        // runtime hands it to the `connect` handler, `lib.rs`).
        let allow = match allowed_methods(req.path()) {
            a if a.is_empty() => "GET, HEAD".to_owned(),
            a => a,
        };
        let resp = response::error(&AppError::MethodNotAllowed(allow));
        response::secure(&resp);
        return Ok(resp);
    }
    let r = match route(&method, req.path()) {
        // A path that no method serves is not found, whatever the method.
        Route::MethodNotAllowed => match allowed_methods(req.path()) {
            allow if allow.is_empty() => Route::NotFound,
            allow => return Ok(response::error(&AppError::MethodNotAllowed(allow))),
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
            Err(_) => Ok(response::error(&AppError::NotFound("not found".into()))),
        };
    }
    let origin = req.header("Origin");
    let cfg = match config(&env) {
        Ok(c) => c,
        Err(e) => return Ok(response::error(&e)),
    };
    let storefront = r.is_storefront();
    let allowed = cfg.allowed_origins.clone();
    if r == Route::Preflight {
        let resp = match cors::preflight(&allowed, origin.as_deref()) {
            Preflight::Allowed(headers) => {
                let resp = Response::empty()?.with_status(204);
                for (k, v) in headers {
                    resp.headers().set(k, &v)?;
                }
                resp
            }
            Preflight::Forbidden => response::error(&AppError::OriginNotAllowed),
        };
        response::secure(&resp);
        return Ok(resp);
    }
    let ctx = Ctx { cfg, env, keep };
    let resp = match admit(&ctx, &r, &req).await {
        Ok(()) => dispatch(&ctx, r, req).await,
        Err(e) => Err(e),
    }
    .unwrap_or_else(|e| response::error(&e));
    response::secure(&resp);
    if storefront {
        for (k, v) in cors::response_headers(&allowed, origin.as_deref()) {
            resp.headers().set(k, &v)?;
        }
    }
    Ok(resp)
}

/// Everything a request must pass before its handler runs (decisions in `guard`): the
/// storefront's JSON + `Origin` rule for writes, the admin bearer check with its lock-out after
/// failed logins, and the per-client rate limit of the route.
async fn admit(ctx: &Ctx, r: &Route, req: &Request) -> AppResult<()> {
    let client = guard::client_key(req.header("CF-Connecting-IP").as_deref());
    if guard::is_storefront_write(r) {
        guard::check_storefront_write(
            &ctx.cfg.allowed_origins,
            req.header("Content-Type").as_deref(),
            req.header("Origin").as_deref(),
        )?;
    }
    if r.is_admin() {
        let now = crate::platform::now_ms();
        if let Some(secs) = guard::locked_out(&client, now) {
            return Err(AppError::RateLimited(secs));
        }
        if let Err(e) = admin::authenticate(ctx, req) {
            if matches!(e, AppError::Unauthorized(_))
                && !limits::allows(&ctx.env, guard::Limit::AdminLogin, &client).await?
            {
                guard::lock_out(&client, now);
                return Err(AppError::RateLimited(guard::PERIOD_SECS));
            }
            return Err(e);
        }
    }
    if let Some(limit) = guard::limit_for(r) {
        limits::count(&ctx.env, limit, &client).await?;
    }
    Ok(())
}

async fn dispatch(ctx: &Ctx, r: Route, req: Request) -> AppResult<Response> {
    match r {
        Route::Health => json(200, &serde_json::json!({"ok": true})),
        Route::Catalog => storefront::catalog(ctx).await,
        Route::PaymentOptions => storefront::payment_options(ctx, &req).await,
        Route::CreateCheckout => storefront::create_checkout(ctx, &req).await,
        Route::PublicOrder(id) => storefront::order(ctx, &id).await,
        Route::Redirect(kind) => redirect::handle(ctx, &req, kind).await,
        Route::Webhook => webhook::handle(ctx, &req).await,
        Route::AdminListOrders => admin_orders::list(ctx, &req).await,
        Route::AdminGetOrder(id) => admin_orders::get(ctx, &id).await,
        Route::AdminReferenceId(id) => admin_orders::reference_id(ctx, &req, &id).await,
        Route::AdminOrderAction(id, movement) => {
            admin_money::handle(ctx, &req, &id, movement).await
        }
        Route::AdminInStoreCreate => admin_in_store::create(ctx, &req).await,
        Route::AdminInStoreStatus(id) => admin_in_store::status(ctx, &id).await,
        Route::AdminInStoreVoid(id) => admin_in_store::void(ctx, &id).await,
        Route::AdminIdVerification => admin::id_verification(ctx, &req).await,
        Route::AdminWebhookList => admin_webhooks::list(ctx).await,
        Route::AdminWebhookRegister => admin_webhooks::register(ctx, &req).await,
        Route::AdminWebhookGet(id) => admin_webhooks::get(ctx, &id).await,
        Route::AdminWebhookUpdate(id) => admin_webhooks::update(ctx, &req, &id).await,
        Route::AdminWebhookDelete(id) => admin_webhooks::delete(ctx, &id).await,
        Route::AdminReconcile => admin::reconcile(ctx).await,
        Route::AdminDoctor => admin_doctor::doctor(ctx).await,
        Route::AdminWebhookEnsure => admin_doctor::ensure_webhook(ctx).await,
        Route::NotFound | Route::Asset | Route::Preflight | Route::MethodNotAllowed => {
            Err(AppError::NotFound("no such endpoint".into()))
        }
    }
}
