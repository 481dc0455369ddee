//! Helpers: an in-process router, a real HTTP sandbox, a webhook receiver, request builders.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::{json, Value};
use tamara_sandbox::{app, Config, SandboxState};
use tower::ServiceExt;

pub const TOKEN: &str = "test-api-token";
pub const NOTIF: &str = "test-notification-token";

pub fn config() -> Config {
    Config {
        api_token: tamara_core::ApiToken::new(TOKEN),
        notification_token: tamara_core::NotificationToken::new(NOTIF),
        public_url: "http://127.0.0.1:7070".into(),
        webhook_retry_base_ms: 50,
        ..Config::default()
    }
}

/// A sandbox driven without a socket.
#[derive(Clone)]
pub struct Sb {
    pub state: SandboxState,
}

impl Sb {
    pub fn new() -> Self {
        Self::with(config())
    }

    pub fn with(config: Config) -> Self {
        Sb {
            state: SandboxState::new(config),
        }
    }

    pub async fn raw(&self, req: Request<Body>) -> (StatusCode, Vec<u8>) {
        let resp = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, bytes.to_vec())
    }

    /// Authenticated JSON call.
    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call_with(method, path, body, Some(TOKEN)).await
    }

    pub async fn call_with(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut b = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            b = b.header("Authorization", format!("Bearer {t}"));
        }
        let req = match body {
            Some(v) => b
                .header("Content-Type", "application/json")
                .body(Body::from(serde_json::to_vec(&v).unwrap()))
                .unwrap(),
            None => b.body(Body::empty()).unwrap(),
        };
        let (s, bytes) = self.raw(req).await;
        let v = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (s, v)
    }

    /// Raw bytes body with the token.
    pub async fn post_bytes(&self, path: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header("Authorization", format!("Bearer {TOKEN}"))
            .header("Content-Type", "application/json")
            .body(Body::from(bytes))
            .unwrap();
        let (s, b) = self.raw(req).await;
        (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
    }

    pub async fn form(&self, path: &str, form: &str) -> (StatusCode, String, Option<String>) {
        let req = Request::builder()
            .method("POST")
            .uri(path)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(Body::from(form.to_owned()))
            .unwrap();
        let resp = app(self.state.clone()).oneshot(req).await.unwrap();
        let status = resp.status();
        let loc = resp
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_owned());
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&bytes).into_owned(), loc)
    }

    /// Creates an online checkout; returns (order_id, checkout_id, response).
    pub async fn checkout(&self, body: Value) -> (String, String) {
        let (s, v) = self.call("POST", "/checkout", Some(body)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        (
            v["order_id"].as_str().unwrap().to_owned(),
            v["checkout_id"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn order(&self, id: &str) -> Value {
        let (s, v) = self
            .call("GET", &format!("/merchants/orders/{id}"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }

    pub async fn trigger(&self, id: &str, event: &str) -> (StatusCode, Value) {
        self.call(
            "POST",
            &format!("/_sandbox/orders/{id}/trigger"),
            Some(json!({ "event": event })),
        )
        .await
    }

    /// An authorised order of `total` SAR (major units).
    pub async fn authorised(&self, total: u64) -> String {
        let (id, _) = self.checkout(checkout_body(total, None)).await;
        assert_eq!(self.trigger(&id, "approve").await.0, StatusCode::OK);
        let (s, v) = self
            .call("POST", &format!("/orders/{id}/authorise"), None)
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        id
    }

    pub async fn advance(&self, body: Value) -> Value {
        let (s, v) = self
            .call("POST", "/_sandbox/clock/advance", Some(body))
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        v
    }
}

pub fn sar(amount: u64) -> Value {
    json!({"amount": amount, "currency": "SAR"})
}

/// A valid create-checkout body for `total` SAR (one item), optional notification URL.
pub fn checkout_body(total: u64, notification: Option<&str>) -> Value {
    let mut merchant = json!({
        "success": "http://127.0.0.1:9/success",
        "failure": "http://127.0.0.1:9/failure?shop=1",
        "cancel": "http://127.0.0.1:9/cancel",
    });
    if let Some(n) = notification {
        merchant["notification"] = json!(n);
    }
    json!({
        "total_amount": sar(total),
        "shipping_amount": sar(0),
        "tax_amount": sar(0),
        "order_reference_id": format!("REF-{}", uuid::Uuid::new_v4()),
        "order_number": "N-1",
        "items": [{
            "reference_id": "1", "type": "Physical", "name": "Shirt", "sku": "SKU-1",
            "quantity": 1, "total_amount": sar(total)
        }],
        "consumer": {"first_name": "Mona", "last_name": "Ali", "phone_number": "544337866", "email": "mona@example.com"},
        "country_code": "SA",
        "description": "Test order",
        "merchant_url": merchant,
        "shipping_address": {"first_name": "Mona", "last_name": "Ali", "line1": "King Fahd Rd", "city": "Riyadh", "country_code": "SA"},
        "locale": "en_US"
    })
}

pub fn capture_body(order_id: &str, amount: u64) -> Value {
    json!({
        "order_id": order_id,
        "total_amount": sar(amount),
        "shipping_info": {"shipped_at": "2020-03-31T19:19:52+00:00", "shipping_company": "DHL", "tracking_number": 100}
    })
}

/// One request the receiver saw.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub query: Option<String>,
    pub authorization: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

/// A webhook receiver on 127.0.0.1:0 that answers 500 to the first `fail_first` requests.
pub struct Receiver {
    pub url: String,
    pub seen: Arc<Mutex<Vec<Received>>>,
    pub task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start(fail_first: usize) -> Receiver {
        let seen: Arc<Mutex<Vec<Received>>> = Arc::default();
        let s2 = seen.clone();
        let router = axum::Router::new().fallback(move |req: Request<Body>| {
            let seen = s2.clone();
            async move {
                let (parts, body) = req.into_parts();
                let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
                let n = {
                    let mut g = seen.lock().unwrap();
                    g.push(Received {
                        path: parts.uri.path().to_owned(),
                        query: parts.uri.query().map(str::to_owned),
                        authorization: parts
                            .headers
                            .get("authorization")
                            .map(|v| v.to_str().unwrap().to_owned()),
                        headers: parts
                            .headers
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                            .collect(),
                        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                    });
                    g.len()
                };
                if n <= fail_first {
                    StatusCode::INTERNAL_SERVER_ERROR
                } else {
                    StatusCode::OK
                }
            }
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let task = tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        Receiver { url, seen, task }
    }

    pub fn seen(&self) -> Vec<Received> {
        self.seen.lock().unwrap().clone()
    }

    /// Waits until at least `n` requests arrived (5 s max).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..100 {
            let s = self.seen();
            if s.len() >= n {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("expected {n} webhook requests, got {:?}", self.seen());
    }
}

/// Polls the delivery log until `pred` holds (5 s max).
pub async fn wait_deliveries(sb: &Sb, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    for _ in 0..100 {
        let (_, v) = sb.call("GET", "/_sandbox/webhooks/deliveries", None).await;
        let list = v.as_array().cloned().unwrap_or_default();
        if pred(&list) {
            return list;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, v) = sb.call("GET", "/_sandbox/webhooks/deliveries", None).await;
    panic!("delivery log never matched: {v}");
}

/// A sandbox over real HTTP: an in-process server ([`Live::start`], stopped on drop) or the
/// binary ([`Live::at`]). Its client does not follow redirects.
pub struct Live {
    pub base: String,
    pub http: reqwest::Client,
    pub state: Option<SandboxState>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Some(t) = &self.task {
            t.abort();
        }
    }
}

impl Live {
    /// Serves [`config`] on 127.0.0.1:0 (with the 1-second timer ticker).
    pub async fn start() -> Live {
        let (base, state, task) = tamara_sandbox::spawn(config()).await.unwrap();
        let mut live = Live::at(base);
        live.state = Some(state);
        live.task = Some(task);
        live
    }

    /// A sandbox already listening at `base`.
    pub fn at(base: String) -> Live {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Live {
            base,
            http,
            state: None,
            task: None,
        }
    }

    /// Authenticated JSON call (`null` for a body that is not JSON).
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (reqwest::StatusCode, Value) {
        let mut r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(TOKEN);
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let s = resp.status();
        (s, resp.json().await.unwrap_or(Value::Null))
    }

    /// Authenticated `GET`, any status.
    pub async fn get(&self, path: &str) -> Value {
        self.api(reqwest::Method::GET, path, None).await.1
    }

    /// Creates an online checkout (must succeed); returns the whole answer.
    pub async fn checkout(&self, body: Value) -> Value {
        let (s, v) = self
            .api(reqwest::Method::POST, "/checkout", Some(body))
            .await;
        assert_eq!(s, reqwest::StatusCode::OK, "{v}");
        v
    }

    /// A checkout of `total` SAR without notification URL: (order_id, checkout_id).
    pub async fn checkout_ids(&self, total: u64) -> (String, String) {
        let v = self.checkout(checkout_body(total, None)).await;
        (
            v["order_id"].as_str().unwrap().to_owned(),
            v["checkout_id"].as_str().unwrap().to_owned(),
        )
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }
}

/// A free port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `tamara-sandbox` binary, killed on drop unless [`Binary::stop`] was called.
pub struct Binary(Option<std::process::Child>);

impl Drop for Binary {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Binary {
    /// Starts the binary on `port` with `args` (stdout piped, stderr discarded) and waits (5 s
    /// max) until it accepts connections.
    pub async fn start(port: u16, args: &[&std::ffi::OsStr]) -> (Binary, Live) {
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_tamara-sandbox"))
            .arg("--port")
            .arg(port.to_string())
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let bin = Binary(Some(child));
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return (bin, Live::at(format!("http://127.0.0.1:{port}")));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("sandbox binary did not start");
    }

    /// Sends `signal` (`INT`, `TERM`) and waits for the exit; returns the exit and stdout.
    pub fn stop(mut self, signal: &str) -> (std::process::ExitStatus, String) {
        let child = self.0.take().unwrap();
        let status = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let out = child.wait_with_output().unwrap();
        (
            out.status,
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }
}
