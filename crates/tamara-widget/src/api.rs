//! The Worker's storefront API (CONTRACTS.md §2.1) over `gloo-net`.
//!
//! Bodies are parsed by the browser (`Response.json()`) and read with [`crate::js`]; the
//! checkout body is serialized with `serde-wasm-bindgen` + `JSON.stringify` (no `serde_json`
//! in the wasm: smaller bundle).

use crate::js::{self, Bad};
use crate::state::{CheckoutRequest, FetchError, Input, OptionsQuery};
use gloo_net::http::Request;
use serde::Serialize as _;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

fn js_message(value: &JsValue) -> String {
    let message = js::get(value, "message");
    message
        .as_string()
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "request failed".to_owned())
}

fn gloo_message(error: gloo_net::Error) -> String {
    // Matching (not `Display`) keeps serde_json's error texts out of the wasm.
    match error {
        gloo_net::Error::JsError(e) => e.message,
        gloo_net::Error::GlooError(message) => message,
        _ => "request failed".to_owned(),
    }
}

fn bad(field: Bad) -> FetchError {
    FetchError::Decode(format!("unexpected answer: field {}", field.0))
}

async fn body_json(response: &web_sys::Response) -> Result<JsValue, FetchError> {
    let promise = response
        .json()
        .map_err(|e| FetchError::Decode(js_message(&e)))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| FetchError::Decode(js_message(&e)))
}

/// One Worker call.
#[derive(Debug)]
pub enum Call {
    /// `GET /api/catalog`.
    Catalog,
    /// `GET /api/payment-options?…` for request `seq`.
    Options(u64, OptionsQuery),
    /// `POST /api/checkout` with this `Idempotency-Key` and body.
    Checkout(String, CheckoutRequest),
}

impl Call {
    fn failed(self, error: FetchError) -> Input {
        match self {
            Call::Catalog => Input::CatalogFailed(error),
            Call::Options(seq, _) => Input::OptionsFailed(seq, error),
            Call::Checkout(..) => Input::CheckoutFailed(error),
        }
    }

    fn request(&self, base: &str) -> Result<Request, FetchError> {
        let get = |path: &str| {
            Request::get(&format!("{base}{path}"))
                .header("Accept", "application/json")
                .build()
                .map_err(|e| FetchError::Network(gloo_message(e)))
        };
        match self {
            Call::Catalog => get("/api/catalog"),
            Call::Options(_, query) => get(&query.path()),
            Call::Checkout(key, body) => {
                let value = body
                    .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
                    .map_err(|_| FetchError::Decode("cannot encode the checkout".to_owned()))?;
                let text = js_sys::JSON::stringify(&value)
                    .map_err(|e| FetchError::Decode(js_message(&e)))?
                    .as_string()
                    .unwrap_or_default();
                Request::post(&format!("{base}/api/checkout"))
                    .header("Accept", "application/json")
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .body(text)
                    .map_err(|e| FetchError::Network(gloo_message(e)))
            }
        }
    }
}

/// Sends `call` to the Worker at `base` and turns the answer into the widget's next input.
/// (One async function for every call: one state machine in the wasm, not one per call.)
pub async fn perform(base: &str, call: Call) -> Input {
    let answer = match call.request(base) {
        Ok(request) => send(request).await,
        Err(error) => Err(error),
    };
    let value = match answer {
        Ok(value) => value,
        Err(error) => return call.failed(error),
    };
    let parsed = match &call {
        Call::Catalog => js::catalog(&value).map(Input::CatalogLoaded),
        Call::Options(seq, _) => js::payment_options(&value).map(|a| Input::OptionsLoaded(*seq, a)),
        Call::Checkout(..) => js::checkout_created(&value).map(Input::CheckoutCreated),
    };
    parsed.unwrap_or_else(|field| call.failed(bad(field)))
}

/// Sends a request; 2xx → the parsed JSON body, else the Worker's `{"error": {code, message}}`.
async fn send(request: Request) -> Result<JsValue, FetchError> {
    let response: web_sys::Response = request
        .send()
        .await
        .map_err(|e| FetchError::Network(gloo_message(e)))?
        .into();
    let status = response.status();
    if !(200..300).contains(&status) {
        let reason = body_json(&response)
            .await
            .ok()
            .and_then(|v| js::error_body(&v).ok());
        return Err(match reason {
            Some(reason) => FetchError::Http {
                status,
                code: reason.code,
                message: reason.message,
            },
            None => FetchError::Http {
                status,
                code: format!("http_{status}"),
                message: String::new(),
            },
        });
    }
    body_json(&response).await
}
