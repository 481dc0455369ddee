//! The Worker's storefront API (CONTRACTS.md §2.1) over `gloo-net`.
//!
//! Bodies are parsed by the browser (`Response.json()`) and read with [`crate::js`]; the
//! checkout body is serialized with `serde-wasm-bindgen` + `JSON.stringify` (no `serde_json`
//! in the wasm: smaller bundle).

use crate::js::{self, Bad};
use crate::state::{
    Catalog, CheckoutCreated, CheckoutRequest, FetchError, OptionsQuery, PaymentOptions,
};
use gloo_net::http::{Request, Response};
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

async fn read<T>(
    sent: Result<Response, gloo_net::Error>,
    parse: fn(&JsValue) -> Result<T, Bad>,
) -> Result<T, FetchError> {
    let response: web_sys::Response = sent
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
    let value = body_json(&response).await?;
    parse(&value).map_err(bad)
}

/// `GET /api/catalog`.
pub async fn catalog(base: &str) -> Result<Catalog, FetchError> {
    let url = format!("{base}/api/catalog");
    read(
        Request::get(&url)
            .header("Accept", "application/json")
            .send()
            .await,
        js::catalog,
    )
    .await
}

/// `GET /api/payment-options?…`.
pub async fn payment_options(
    base: &str,
    query: &OptionsQuery,
) -> Result<PaymentOptions, FetchError> {
    let url = format!("{base}{}", query.path());
    read(
        Request::get(&url)
            .header("Accept", "application/json")
            .send()
            .await,
        js::payment_options,
    )
    .await
}

/// `POST /api/checkout` with `Idempotency-Key`.
pub async fn create_checkout(
    base: &str,
    key: &str,
    body: &CheckoutRequest,
) -> Result<CheckoutCreated, FetchError> {
    let url = format!("{base}/api/checkout");
    let value = body
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|_| FetchError::Decode("cannot encode the checkout".to_owned()))?;
    let text = js_sys::JSON::stringify(&value)
        .map_err(|e| FetchError::Decode(js_message(&e)))?
        .as_string()
        .unwrap_or_default();
    let request = Request::post(&url)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .body(text)
        .map_err(|e| FetchError::Network(gloo_message(e)))?;
    read(request.send().await, js::checkout_created).await
}
