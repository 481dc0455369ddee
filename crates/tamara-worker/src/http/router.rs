//! Pure request routing: method + path → [`Route`]. `routes::dispatch` sends each route to
//! its handler.

pub use crate::services::redirect::RedirectKind;
pub use tamara_core::lifecycle::Movement;

/// Every endpoint of the Worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// CORS preflight for `/api/*`.
    Preflight,
    /// `GET /api/health`
    Health,
    /// `GET /api/catalog`
    Catalog,
    /// `GET /api/payment-options`
    PaymentOptions,
    /// `POST /api/checkout`
    CreateCheckout,
    /// `GET /api/orders/{id}`
    PublicOrder(String),
    /// `GET /tamara/{success|failure|cancel}`
    Redirect(RedirectKind),
    /// `POST /tamara/webhook`
    Webhook,
    /// `GET /admin/orders`
    AdminListOrders,
    /// `GET /admin/orders/{id}`
    AdminGetOrder(String),
    /// `POST /admin/orders/{id}/{capture|cancel|refund}`
    AdminOrderAction(String, Movement),
    /// `PUT /admin/orders/{id}/reference-id`
    AdminReferenceId(String),
    /// `POST /admin/in-store`
    AdminInStoreCreate,
    /// `GET /admin/in-store/{id}`
    AdminInStoreStatus(String),
    /// `POST /admin/in-store/{id}/void`
    AdminInStoreVoid(String),
    /// `GET /admin/customers/id-verification`
    AdminIdVerification,
    /// `GET /admin/webhooks`
    AdminWebhookList,
    /// `POST /admin/webhooks`
    AdminWebhookRegister,
    /// `GET /admin/webhooks/{id}`
    AdminWebhookGet(String),
    /// `PUT /admin/webhooks/{id}`
    AdminWebhookUpdate(String),
    /// `DELETE /admin/webhooks/{id}`
    AdminWebhookDelete(String),
    /// `POST /admin/reconcile`
    AdminReconcile,
    /// `GET /admin/doctor`
    AdminDoctor,
    /// `POST /admin/webhooks/ensure`
    AdminWebhookEnsure,
    /// Known path, wrong method.
    MethodNotAllowed,
    /// Under `/api`, `/admin` or `/tamara` but unknown.
    NotFound,
    /// Anything else: static assets.
    Asset,
}

impl Route {
    /// True for the browser-facing storefront API (CORS applies).
    pub fn is_storefront(&self) -> bool {
        matches!(
            self,
            Route::Preflight
                | Route::Health
                | Route::Catalog
                | Route::PaymentOptions
                | Route::CreateCheckout
                | Route::PublicOrder(_)
        )
    }

    /// True for `/admin/*`.
    pub fn is_admin(&self) -> bool {
        matches!(
            self,
            Route::AdminListOrders
                | Route::AdminGetOrder(_)
                | Route::AdminOrderAction(..)
                | Route::AdminReferenceId(_)
                | Route::AdminInStoreCreate
                | Route::AdminInStoreStatus(_)
                | Route::AdminInStoreVoid(_)
                | Route::AdminIdVerification
                | Route::AdminWebhookList
                | Route::AdminWebhookRegister
                | Route::AdminWebhookGet(_)
                | Route::AdminWebhookUpdate(_)
                | Route::AdminWebhookDelete(_)
                | Route::AdminReconcile
                | Route::AdminDoctor
                | Route::AdminWebhookEnsure
        )
    }
}

fn id_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Routes `method` + `path` (no query).
pub fn route(method: &str, path: &str) -> Route {
    let path = path
        .strip_suffix('/')
        .filter(|p| !p.is_empty())
        .unwrap_or(path);
    let segs: Vec<&str> = path.split('/').skip(1).collect();
    let m = method.to_ascii_uppercase();
    let is = |want: &str| m == want;
    let pick = |r: Route, want: &str| if is(want) { r } else { Route::MethodNotAllowed };
    let id = |s: &str, f: fn(String) -> Route| {
        if id_ok(s) {
            f(s.to_owned())
        } else {
            Route::NotFound
        }
    };
    match segs.as_slice() {
        ["api", ..] if is("OPTIONS") => Route::Preflight,
        ["api", "health"] => pick(Route::Health, "GET"),
        ["api", "catalog"] => pick(Route::Catalog, "GET"),
        ["api", "payment-options"] => pick(Route::PaymentOptions, "GET"),
        ["api", "checkout"] => pick(Route::CreateCheckout, "POST"),
        ["api", "orders", o] if is("GET") => id(o, Route::PublicOrder),
        ["api", "orders", _] => Route::MethodNotAllowed,
        ["api", ..] => Route::NotFound,
        ["tamara", "success"] => pick(Route::Redirect(RedirectKind::Success), "GET"),
        ["tamara", "failure"] => pick(Route::Redirect(RedirectKind::Failure), "GET"),
        ["tamara", "cancel"] => pick(Route::Redirect(RedirectKind::Cancel), "GET"),
        ["tamara", "webhook"] => pick(Route::Webhook, "POST"),
        ["tamara", ..] => Route::NotFound,
        ["admin", "orders"] => pick(Route::AdminListOrders, "GET"),
        ["admin", "orders", o] if is("GET") => id(o, Route::AdminGetOrder),
        ["admin", "orders", o, action] if is("POST") => {
            let a = match *action {
                "capture" => Movement::Capture,
                "cancel" => Movement::Cancel,
                "refund" => Movement::Refund,
                _ => return Route::NotFound,
            };
            if id_ok(o) {
                Route::AdminOrderAction((*o).to_owned(), a)
            } else {
                Route::NotFound
            }
        }
        ["admin", "orders", o, "reference-id"] if is("PUT") => id(o, Route::AdminReferenceId),
        ["admin", "orders", ..] => Route::MethodNotAllowed,
        ["admin", "in-store"] => pick(Route::AdminInStoreCreate, "POST"),
        ["admin", "in-store", o] if is("GET") => id(o, Route::AdminInStoreStatus),
        ["admin", "in-store", o, "void"] if is("POST") => id(o, Route::AdminInStoreVoid),
        ["admin", "in-store", ..] => Route::MethodNotAllowed,
        ["admin", "customers", "id-verification"] => pick(Route::AdminIdVerification, "GET"),
        ["admin", "webhooks"] if is("GET") => Route::AdminWebhookList,
        ["admin", "webhooks"] if is("POST") => Route::AdminWebhookRegister,
        ["admin", "webhooks"] => Route::MethodNotAllowed,
        ["admin", "webhooks", "ensure"] => pick(Route::AdminWebhookEnsure, "POST"),
        ["admin", "webhooks", w] => match m.as_str() {
            "GET" => id(w, Route::AdminWebhookGet),
            "PUT" => id(w, Route::AdminWebhookUpdate),
            "DELETE" => id(w, Route::AdminWebhookDelete),
            _ => Route::MethodNotAllowed,
        },
        ["admin", "reconcile"] => pick(Route::AdminReconcile, "POST"),
        ["admin", "doctor"] => pick(Route::AdminDoctor, "GET"),
        ["admin", ..] => Route::NotFound,
        _ => Route::Asset,
    }
}

/// The methods `path` is served with, for the `Allow` header of a 405 ("GET, OPTIONS");
/// empty when no method is (then the path is not found).
pub fn allowed_methods(path: &str) -> String {
    let mut allow: Vec<&str> = ["GET", "POST", "PUT", "DELETE"]
        .into_iter()
        .filter(|m| {
            !matches!(
                route(m, path),
                Route::MethodNotAllowed | Route::NotFound | Route::Asset
            )
        })
        .collect();
    if !allow.is_empty() && route("OPTIONS", path) == Route::Preflight {
        allow.push("OPTIONS");
    }
    allow.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        assert_eq!(route("GET", "/api/catalog"), Route::Catalog);
        assert_eq!(route("GET", "/api/catalog/"), Route::Catalog);
        assert_eq!(route("POST", "/api/catalog"), Route::MethodNotAllowed);
        assert_eq!(route("OPTIONS", "/api/checkout"), Route::Preflight);
        assert_eq!(route("POST", "/api/checkout"), Route::CreateCheckout);
        assert_eq!(
            route("GET", "/api/orders/abc-1"),
            Route::PublicOrder("abc-1".into())
        );
        assert_eq!(route("GET", "/api/orders/..%2F"), Route::NotFound);
        assert_eq!(route("GET", "/api/nope"), Route::NotFound);
        assert_eq!(
            route("GET", "/tamara/success"),
            Route::Redirect(RedirectKind::Success)
        );
        assert_eq!(route("GET", "/tamara/webhook"), Route::MethodNotAllowed);
        assert_eq!(route("POST", "/tamara/webhook"), Route::Webhook);
        assert_eq!(
            route("POST", "/admin/orders/o1/capture"),
            Route::AdminOrderAction("o1".into(), Movement::Capture)
        );
        assert_eq!(route("POST", "/admin/orders/o1/explode"), Route::NotFound);
        assert_eq!(
            route("PUT", "/admin/orders/o1/reference-id"),
            Route::AdminReferenceId("o1".into())
        );
        assert_eq!(
            route("POST", "/admin/in-store/o1/void"),
            Route::AdminInStoreVoid("o1".into())
        );
        assert_eq!(
            route("DELETE", "/admin/webhooks/w1"),
            Route::AdminWebhookDelete("w1".into())
        );
        assert_eq!(
            route("PATCH", "/admin/webhooks/w1"),
            Route::MethodNotAllowed
        );
        assert_eq!(route("POST", "/admin/reconcile"), Route::AdminReconcile);
        assert_eq!(route("GET", "/"), Route::Asset);
        assert_eq!(route("GET", "/index.html"), Route::Asset);
        assert!(route("GET", "/admin/orders").is_admin());
        assert!(route("GET", "/api/catalog").is_storefront());
        assert!(!route("POST", "/tamara/webhook").is_storefront());
    }

    #[test]
    fn allowed_methods_name_what_each_path_takes() {
        assert_eq!(allowed_methods("/api/checkout"), "POST, OPTIONS");
        assert_eq!(allowed_methods("/api/catalog"), "GET, OPTIONS");
        assert_eq!(allowed_methods("/api/orders/o1"), "GET, OPTIONS");
        assert_eq!(allowed_methods("/tamara/webhook"), "POST");
        assert_eq!(allowed_methods("/admin/webhooks"), "GET, POST");
        assert_eq!(allowed_methods("/admin/webhooks/w1"), "GET, PUT, DELETE");
        assert_eq!(allowed_methods("/admin/orders/o1/reference-id"), "PUT");
        assert_eq!(allowed_methods("/admin/orders/o1/capture"), "POST");
        assert_eq!(allowed_methods("/admin/in-store/o1/void"), "POST");
        assert_eq!(allowed_methods("/admin/doctor"), "GET");
        assert_eq!(allowed_methods("/admin/webhooks/ensure"), "POST");
        assert!(route("POST", "/admin/webhooks/ensure").is_admin());
        assert!(route("GET", "/admin/doctor").is_admin());
        // Served with no method at all: the caller answers 404.
        assert_eq!(allowed_methods("/admin/orders/o1/explode"), "");
        assert_eq!(allowed_methods("/admin/orders/o1/x/y"), "");
        for (method, path) in [("TRACE", "/api/health"), ("PATCH", "/admin/webhooks/w1")] {
            assert_eq!(route(method, path), Route::MethodNotAllowed);
            assert!(!allowed_methods(path).is_empty());
        }
    }
}
