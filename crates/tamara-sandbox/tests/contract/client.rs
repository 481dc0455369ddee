//! Drives `tamara_sandbox::app(...)` in-process (no socket) and validates every response against
//! the OpenAPI document before handing it to the test.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use serde_json::Value;
use tamara_sandbox::{app, Config, SandboxState};
use tower::ServiceExt;

use super::openapi::Spec;

/// The development API token the sandbox accepts by default.
pub const TOKEN: &str = "sandbox-api-token";

/// One answer, already validated.
#[derive(Debug)]
pub struct Resp {
    /// HTTP status.
    pub status: u16,
    /// JSON body (`Null` for non-JSON bodies).
    pub json: Value,
    /// Raw body as text.
    pub text: String,
    /// `Location` header, if any.
    pub location: Option<String>,
    /// `Content-Type`.
    pub content_type: String,
}

/// A request to send.
#[derive(Debug)]
pub struct Req {
    method: &'static str,
    path: String,
    body: Option<(String, String)>,
    auth: Option<String>,
    headers: Vec<(String, String)>,
    invalid: bool,
}

impl Req {
    /// A request with the valid bearer token.
    pub fn new(method: &'static str, path: impl Into<String>) -> Req {
        Req {
            method,
            path: path.into(),
            body: None,
            auth: Some(TOKEN.to_owned()),
            headers: Vec::new(),
            invalid: false,
        }
    }
    /// JSON body.
    pub fn json(mut self, v: &Value) -> Req {
        self.body = Some(("application/json".to_owned(), v.to_string()));
        self
    }
    /// Raw body with a content type.
    pub fn raw(mut self, content_type: &str, body: impl Into<String>) -> Req {
        self.body = Some((content_type.to_owned(), body.into()));
        self
    }
    /// Without the `Authorization` header.
    pub fn no_auth(mut self) -> Req {
        self.auth = None;
        self
    }
    /// With another bearer token.
    pub fn token(mut self, t: &str) -> Req {
        self.auth = Some(t.to_owned());
        self
    }
    /// The JSON body deliberately violates the request schema (negative tests); otherwise every
    /// JSON request body is checked against the document before it is sent.
    pub fn invalid(mut self) -> Req {
        self.invalid = true;
        self
    }
    /// Extra header.
    pub fn header(mut self, k: &str, v: &str) -> Req {
        self.headers.push((k.to_owned(), v.to_owned()));
        self
    }
}

/// The sandbox plus the contract.
#[derive(Debug)]
pub struct Sandbox {
    router: Router,
    spec: Spec,
    /// `(METHOD template, status)` pairs seen and validated.
    pub covered: BTreeSet<(String, u16)>,
    /// Number of validated responses.
    pub checked: usize,
}

impl Sandbox {
    /// A fresh sandbox; webhooks give up after one attempt (their targets are closed ports).
    pub fn new() -> Sandbox {
        let config = Config {
            webhook_max_attempts: 1,
            webhook_retry_base_ms: 10,
            webhook_timeout_ms: 500,
            ..Config::default()
        };
        let state = SandboxState::new(config);
        Sandbox {
            router: app(state),
            spec: Spec::load(),
            covered: BTreeSet::new(),
            checked: 0,
        }
    }

    /// Sends `req`, validates the answer against the document (panicking with the JSON path of
    /// the first violation) and returns it.
    pub async fn send(&mut self, req: Req) -> Resp {
        if let Some((ct, text)) = &req.body {
            let parsed = serde_json::from_str::<Value>(text);
            if let (true, Ok(v)) = (ct == "application/json", parsed) {
                let schema = self
                    .spec
                    .request_schema(req.method, &req.path)
                    .unwrap_or_else(|e| panic!("{e}"));
                let verdict = self.spec.validate(schema, &v);
                match (req.invalid, verdict) {
                    (false, Err(e)) => {
                        panic!("test request {} {} is invalid: {e}", req.method, req.path)
                    }
                    (true, Ok(())) => panic!(
                        "{} {} was marked invalid but matches the schema",
                        req.method, req.path
                    ),
                    _ => {}
                }
            }
        }
        let mut b = Request::builder().method(req.method).uri(&req.path);
        if let Some(t) = &req.auth {
            b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        for (k, v) in &req.headers {
            b = b.header(k.as_str(), v.as_str());
        }
        let body = match req.body {
            Some((ct, text)) => {
                b = b.header(header::CONTENT_TYPE, ct);
                Body::from(text)
            }
            None => Body::empty(),
        };
        let resp = self
            .router
            .clone()
            .oneshot(b.body(body).expect("request"))
            .await
            .expect("infallible");
        let status = resp.status().as_u16();
        let content_type = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .expect("body");
        if let Err(e) =
            self.spec
                .check_response(req.method, &req.path, status, &content_type, &bytes)
        {
            panic!("CONTRACT VIOLATION {e}");
        }
        let template = self
            .spec
            .match_path(req.method, &req.path)
            .unwrap_or("?")
            .to_owned();
        self.covered
            .insert((format!("{} {template}", req.method), status));
        self.checked += 1;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let json = if content_type.starts_with("application/json") {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        } else {
            Value::Null
        };
        Resp {
            status,
            json,
            text,
            location,
            content_type,
        }
    }

    /// Sends and asserts the status.
    pub async fn expect(&mut self, req: Req, status: u16) -> Resp {
        let what = format!("{} {}", req.method, req.path);
        let r = self.send(req).await;
        assert_eq!(r.status, status, "{what}: {}", r.text);
        r
    }
}
