//! HTTP helpers for tests: the Worker's storefront, Tamara-facing and merchant APIs, the sandbox's
//! Tamara API, hosted pages and control API. Redirects are never followed; every request has a
//! timeout; polling is bounded.

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tamara_core::token::{sign, sign_with_header, Claims};
use tamara_core::{NotificationToken, Timestamp};

use crate::Stack;

/// Per-request limit (the machine is shared and workerd may be slow under load).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit for waiting on asynchronous effects (webhooks, retries).
pub const POLL_TIMEOUT: Duration = Duration::from_secs(30);

/// A response read to the end.
#[derive(Debug, Clone)]
pub struct Resp {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Raw body.
    pub text: String,
    /// Body as JSON (`Value::Null` if it is not JSON).
    pub json: Value,
}

impl Resp {
    /// A header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `error.code` of a Worker error body.
    pub fn error_code(&self) -> Option<&str> {
        self.json.pointer("/error/code").and_then(Value::as_str)
    }

    /// A short description for assertion messages.
    pub fn describe(&self) -> String {
        let mut t = self.text.clone();
        t.truncate(600);
        format!("{} {}", self.status, t)
    }
}

/// String field of a JSON value (empty if absent).
pub fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or("")
}

/// Integer field (minor units, counts); `i64::MIN` if absent.
pub fn i(v: &Value, ptr: &str) -> i64 {
    v.pointer(ptr).and_then(Value::as_i64).unwrap_or(i64::MIN)
}

/// Test client for one stack.
#[derive(Debug, Clone)]
pub struct Api {
    /// The reqwest client (no redirects, timeouts on).
    pub http: reqwest::Client,
    /// Worker base URL.
    pub worker: String,
    /// Sandbox base URL.
    pub sandbox: String,
    /// An allowed CORS origin.
    pub origin: String,
    admin_token: String,
    api_token: String,
    notification_token: NotificationToken,
    cart_key: String,
}

impl Api {
    /// A client for `stack`.
    pub fn new(stack: &Stack) -> Api {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .pool_max_idle_per_host(64)
            .build()
            .unwrap_or_else(|e| panic!("reqwest client: {e}"));
        Api {
            http,
            worker: stack.worker_url.clone(),
            sandbox: stack.sandbox_url.clone(),
            origin: stack.allowed_origin.clone(),
            admin_token: stack.secrets.admin_token.clone(),
            api_token: stack.secrets.api_token.clone(),
            notification_token: NotificationToken::new(stack.secrets.notification_token.clone()),
            cart_key: stack.secrets.cart_signing_key.clone(),
        }
    }

    /// Sends a request and reads the whole answer. Panics on transport errors (with context).
    pub async fn send(&self, rb: reqwest::RequestBuilder, what: &str) -> Resp {
        let r = rb
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: request failed: {e}"));
        let status = r.status();
        let headers = r.headers().clone();
        let text = r
            .text()
            .await
            .unwrap_or_else(|e| panic!("{what}: reading body failed: {e}"));
        let json = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            text,
            json,
        }
    }

    /// Any request to the Worker, body as raw bytes with a content type.
    pub async fn worker_raw(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Resp {
        let mut rb = self
            .http
            .request(method.clone(), format!("{}{path}", self.worker));
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some((ct, b)) = body {
            rb = rb.header("content-type", ct).body(b);
        }
        self.send(rb, &format!("{method} {path}")).await
    }

    /// `GET` on the Worker.
    pub async fn get(&self, path: &str) -> Resp {
        self.worker_raw(Method::GET, path, &[], None).await
    }

    /// `POST /api/checkout` with an `Idempotency-Key`.
    pub async fn create_checkout_keyed(&self, key: &str, body: &Value) -> Resp {
        let b = serde_json::to_vec(body).unwrap_or_default();
        self.worker_raw(
            Method::POST,
            "/api/checkout",
            &[("idempotency-key", key), ("origin", &self.origin)],
            Some(("application/json", b)),
        )
        .await
    }

    /// `POST /api/checkout` with a fresh key; asserts 201 and returns the answer JSON.
    pub async fn create_checkout(&self, body: &Value) -> Value {
        let key = uuid::Uuid::new_v4().to_string();
        let r = self.create_checkout_keyed(&key, body).await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "create checkout: {}",
            r.describe()
        );
        assert!(
            !s(&r.json, "/order_id").is_empty(),
            "no order_id: {}",
            r.text
        );
        r.json
    }

    /// A merchant-API call with the admin bearer.
    pub async fn admin(&self, method: Method, path: &str, body: Option<&Value>) -> Resp {
        self.admin_with_token(method, path, body, Some(&self.admin_token.clone()))
            .await
    }

    /// A merchant-API call with a given bearer (or none).
    pub async fn admin_with_token(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        token: Option<&str>,
    ) -> Resp {
        let mut rb = self
            .http
            .request(method.clone(), format!("{}{path}", self.worker));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(b);
        }
        self.send(rb, &format!("admin {method} {path}")).await
    }

    /// A merchant-API call with the admin bearer and a raw body.
    pub async fn admin_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<(&str, Vec<u8>)>,
    ) -> Resp {
        let auth = format!("Bearer {}", self.admin_token);
        self.worker_raw(method, path, &[("authorization", &auth)], body)
            .await
    }

    /// `GET /admin/orders/{id}` → the whole answer (`order`, `tamara`, `events`); asserts 200.
    pub async fn admin_order(&self, order_id: &str) -> Value {
        let r = self
            .admin(Method::GET, &format!("/admin/orders/{order_id}"), None)
            .await;
        assert_eq!(r.status, StatusCode::OK, "admin order: {}", r.describe());
        r.json
    }

    /// The Worker's local status of an order.
    pub async fn local_status(&self, order_id: &str) -> String {
        s(&self.admin_order(order_id).await, "/order/status").to_owned()
    }

    /// Polls the local order until `pred` holds (bounded); returns the last `admin_order` body.
    pub async fn wait_local(
        &self,
        order_id: &str,
        what: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        let mut last = Value::Null;
        let ok = poll(POLL_TIMEOUT, Duration::from_millis(200), || async {
            let v = self.admin_order(order_id).await;
            let done = pred(&v);
            (done, v)
        })
        .await;
        match ok {
            Ok(v) => v,
            Err(v) => {
                last.clone_from(&v);
                panic!(
                    "timed out waiting for {what} on order {order_id}; last: {}",
                    trunc(&last)
                )
            }
        }
    }

    /// The sandbox's Tamara API: `GET /merchants/orders/{id}` (api token).
    pub async fn tamara_order(&self, order_id: &str) -> Value {
        let rb = self
            .http
            .get(format!("{}/merchants/orders/{order_id}", self.sandbox))
            .bearer_auth(&self.api_token);
        let r = self.send(rb, "sandbox GET order").await;
        assert_eq!(r.status, StatusCode::OK, "sandbox order: {}", r.describe());
        r.json
    }

    /// `GET` on the sandbox (control API, pages).
    pub async fn sandbox_get(&self, path: &str) -> Resp {
        let rb = self.http.get(format!("{}{path}", self.sandbox));
        self.send(rb, &format!("sandbox GET {path}")).await
    }

    /// `POST` JSON on the sandbox control API.
    pub async fn sandbox_post(&self, path: &str, body: &Value) -> Resp {
        let rb = self.http.post(format!("{}{path}", self.sandbox)).json(body);
        self.send(rb, &format!("sandbox POST {path}")).await
    }

    /// `DELETE` on the sandbox control API.
    pub async fn sandbox_delete(&self, path: &str) -> Resp {
        let rb = self.http.delete(format!("{}{path}", self.sandbox));
        self.send(rb, &format!("sandbox DELETE {path}")).await
    }

    /// The sandbox clock (`now_ms`).
    pub async fn sandbox_now(&self) -> Timestamp {
        let r = self.sandbox_get("/_sandbox/clock").await;
        assert_eq!(r.status, StatusCode::OK, "clock: {}", r.describe());
        Timestamp::from_millis(i(&r.json, "/now_ms"))
    }

    /// Advances the sandbox clock.
    pub async fn advance_clock(&self, seconds: i64) -> Value {
        let r = self
            .sandbox_post("/_sandbox/clock/advance", &json!({ "seconds": seconds }))
            .await;
        assert_eq!(r.status, StatusCode::OK, "advance: {}", r.describe());
        r.json
    }

    /// Injects a fault at the sandbox; returns its id.
    pub async fn fault(&self, spec: Value) -> String {
        let r = self.sandbox_post("/_sandbox/faults", &spec).await;
        assert!(r.status.is_success(), "fault {spec}: {}", r.describe());
        s(&r.json, "/fault_id").to_owned()
    }

    /// Removes every fault.
    pub async fn clear_faults(&self) {
        let r = self.sandbox_delete("/_sandbox/faults").await;
        assert!(r.status.is_success(), "clear faults: {}", r.describe());
    }

    /// Sandbox orders (`GET /_sandbox/orders`).
    pub async fn sandbox_orders(&self) -> Vec<Value> {
        let r = self.sandbox_get("/_sandbox/orders").await;
        assert_eq!(r.status, StatusCode::OK, "orders: {}", r.describe());
        r.json.as_array().cloned().unwrap_or_default()
    }

    /// Webhook deliveries recorded by the sandbox for one order.
    pub async fn deliveries(&self, order_id: &str) -> Vec<Value> {
        let r = self.sandbox_get("/_sandbox/webhooks/deliveries").await;
        assert_eq!(r.status, StatusCode::OK, "deliveries: {}", r.describe());
        r.json
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|d| s(d, "/order_id") == order_id)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// SMS sent by the sandbox for one order.
    pub async fn sms_for(&self, order_id: &str) -> Vec<Value> {
        let r = self.sandbox_get("/_sandbox/sms").await;
        assert_eq!(r.status, StatusCode::OK, "sms: {}", r.describe());
        r.json
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|d| s(d, "/order_id") == order_id)
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Opens the hosted checkout page (asserts it renders) and submits its form with `action`
    /// (and `phone`), as the shopper's browser would. Returns the sandbox's answer (a 303).
    pub async fn hosted_checkout(
        &self,
        checkout_url: &str,
        action: &str,
        phone: Option<&str>,
    ) -> Resp {
        let page = self.send(self.http.get(checkout_url), "hosted page").await;
        assert_eq!(
            page.status,
            StatusCode::OK,
            "hosted page: {}",
            page.describe()
        );
        let checkout_id = checkout_id_of(checkout_url);
        assert!(
            page.text
                .contains(&format!("/hosted/checkout/{checkout_id}")),
            "hosted page has no form for {checkout_id}"
        );
        let mut form = format!("action={action}");
        if let Some(p) = phone {
            form.push_str(&format!("&phone={p}"));
        }
        let rb = self
            .http
            .post(format!("{}/hosted/checkout/{checkout_id}", self.sandbox))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form);
        self.send(rb, "hosted form POST").await
    }

    /// Submits the in-store pay page form (`/hosted/pay/{checkout_id}`).
    pub async fn hosted_pay(&self, checkout_id: &str, action: &str) -> Resp {
        let page = self.sandbox_get(&format!("/pay/{checkout_id}")).await;
        assert_eq!(page.status, StatusCode::OK, "pay page: {}", page.describe());
        let rb = self
            .http
            .post(format!("{}/hosted/pay/{checkout_id}", self.sandbox))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!("action={action}"));
        self.send(rb, "hosted pay POST").await
    }

    /// Follows a sandbox `Location` (a Worker `/tamara/...` URL) once, without redirects.
    pub async fn follow(&self, location: &str) -> Resp {
        self.send(self.http.get(location), "follow redirect").await
    }

    /// A valid notification token, signed as the sandbox does (CONTRACTS §1): at wall-clock
    /// `now`, whatever the sandbox clock says.
    pub async fn valid_token(&self) -> String {
        sign(&self.notification_token, &Claims::tamara(wall_now()))
    }

    /// Waits (bounded) until every webhook the sandbox made for `order_id` was accepted by the
    /// Worker (`delivered`), and at least one of each `event_types` exists; panics with the
    /// failing deliveries otherwise.
    pub async fn assert_delivered(&self, order_id: &str, event_types: &[&str]) {
        let res = poll(POLL_TIMEOUT, Duration::from_millis(300), || async {
            let d = self.deliveries(order_id).await;
            let all = d.iter().all(|x| x["delivered"] == Value::Bool(true));
            let has = event_types
                .iter()
                .all(|t| d.iter().any(|x| s(x, "/event_type") == *t));
            (all && has, d)
        })
        .await;
        if let Err(d) = res {
            let summary: Vec<String> = d
                .iter()
                .map(|x| {
                    format!(
                        "{} delivered={} attempts={} last_status={}",
                        s(x, "/event_type"),
                        x["delivered"],
                        x["attempts"],
                        x["last_status"]
                    )
                })
                .collect();
            panic!(
                "webhooks for {order_id} not all accepted by the Worker (want {event_types:?}): {summary:#?}"
            );
        }
    }

    /// Signs arbitrary claims with the real secret.
    pub fn token_with(&self, claims: &Claims) -> String {
        sign(&self.notification_token, claims)
    }

    /// Signs with a forged header (e.g. another `alg`).
    pub fn token_with_header(&self, header: &str, claims: &Claims) -> String {
        sign_with_header(&self.notification_token, header, claims)
    }

    /// Signs with another secret.
    pub fn token_with_secret(secret: &str, claims: &Claims) -> String {
        sign(&NotificationToken::new(secret), claims)
    }

    /// `POST /tamara/webhook` with `token` in the query (and, if `header`, the Authorization).
    pub async fn post_webhook(&self, payload: &Value, token: Option<&str>, header: bool) -> Resp {
        let mut url = format!("{}/tamara/webhook", self.worker);
        let mut rb_headers: Vec<(String, String)> = Vec::new();
        if let Some(t) = token {
            url.push_str(&format!("?tamaraToken={t}"));
            if header {
                rb_headers.push(("authorization".into(), format!("Bearer {t}")));
            }
        }
        let mut rb = self.http.post(url).json(payload);
        for (k, v) in rb_headers {
            rb = rb.header(k, v);
        }
        self.send(rb, "POST /tamara/webhook").await
    }

    /// `signed_cart` for `payload` with the run's cart key (hex HMAC-SHA256 over the base64url text).
    pub fn signed_cart(&self, payload: &Value) -> Value {
        use base64::Engine as _;
        use hmac::Mac as _;
        let text = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(payload).unwrap_or_default());
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(self.cart_key.as_bytes())
            .unwrap_or_else(|e| panic!("hmac: {e}"));
        mac.update(text.as_bytes());
        let sig: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        json!({ "payload": text, "signature": sig })
    }
}

/// Wall-clock `now` (what the sandbox signs webhook tokens with).
pub fn wall_now() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp::from_millis(ms)
}

/// The `checkout_id` in `…/checkout/{checkout_id}?…` or `…/pay/{checkout_id}`.
pub fn checkout_id_of(url: &str) -> String {
    let path = url.split('?').next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or("").to_owned()
}

/// A query parameter of a URL (no decoding beyond `+`/`%20`-free ids).
pub fn query_param(url: &str, key: &str) -> Option<String> {
    let q = url.split_once('?')?.1;
    q.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        (k == key).then(|| v.to_owned())
    })
}

/// A create-checkout body for `items` (`(sku, quantity)`) and a consumer phone.
pub fn checkout_body(items: &[(&str, u32)], phone: &str) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(sku, q)| json!({ "sku": sku, "quantity": q }))
        .collect();
    json!({
        "cart": { "items": items },
        "signed_cart": null,
        "consumer": { "first_name": "Mona", "last_name": "Ali", "phone_number": phone, "email": "mona@example.com" },
        "shipping_address": { "first_name": "Mona", "last_name": "Ali", "line1": "King Fahd Rd", "city": "Riyadh", "country_code": "SA", "phone_number": phone },
        "billing_address": null,
        "locale": "en_US",
        "country": "SA"
    })
}

/// Calls `f` until it reports done (bounded by `limit`). `Ok(last)` when done, `Err(last)` on
/// timeout.
pub async fn poll<T, F, Fut>(limit: Duration, every: Duration, mut f: F) -> Result<T, T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = (bool, T)>,
{
    let start = Instant::now();
    loop {
        let (done, v) = f().await;
        if done {
            return Ok(v);
        }
        if start.elapsed() >= limit {
            return Err(v);
        }
        tokio::time::sleep(every).await;
    }
}

/// A JSON value shortened for messages.
pub fn trunc(v: &Value) -> String {
    let mut t = v.to_string();
    t.truncate(1500);
    t
}

/// Minor units of a Tamara money object (`{"amount": 115.0, "currency": "SAR"}`) at `ptr`, via
/// `tamara_core::Money` (no floats); `None` if absent or not money.
pub fn tamara_minor(v: &Value, ptr: &str) -> Option<u64> {
    let m = v.pointer(ptr)?;
    if m.is_null() {
        return None;
    }
    serde_json::from_value::<tamara_core::Money>(m.clone())
        .ok()
        .map(tamara_core::Money::minor)
}
