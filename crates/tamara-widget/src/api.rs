//! The Worker's storefront API (CONTRACTS.md §2.1) over `gloo-net`.
//!
//! Bodies are read with the browser's own JSON parser and `serde-wasm-bindgen` (no
//! `serde_json` in the wasm: smaller bundle).

use crate::state::{
    Catalog, CheckoutCreated, CheckoutRequest, FetchError, OptionsQuery, PaymentOptions,
};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize as _};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorInner,
}

#[derive(Deserialize)]
struct ErrorInner {
    code: String,
    #[serde(default)]
    message: String,
}

fn js_message(value: &JsValue) -> String {
    js_sys::Error::from(value.clone())
        .message()
        .as_string()
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "request failed".to_owned())
}

async fn body_json(response: &web_sys::Response) -> Result<JsValue, FetchError> {
    let promise = response
        .json()
        .map_err(|e| FetchError::Decode(js_message(&e)))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| FetchError::Decode(js_message(&e)))
}

async fn read<T: DeserializeOwned>(
    sent: Result<Response, gloo_net::Error>,
) -> Result<T, FetchError> {
    let response: web_sys::Response = sent.map_err(|e| FetchError::Network(e.to_string()))?.into();
    let status = response.status();
    if !(200..300).contains(&status) {
        let body = body_json(&response)
            .await
            .ok()
            .and_then(|v| serde_wasm_bindgen::from_value::<ErrorBody>(v).ok());
        return Err(match body {
            Some(ErrorBody { error }) => FetchError::Http {
                status,
                code: error.code,
                message: error.message,
            },
            None => FetchError::Http {
                status,
                code: format!("http_{status}"),
                message: String::new(),
            },
        });
    }
    let value = body_json(&response).await?;
    serde_wasm_bindgen::from_value(value).map_err(|e| FetchError::Decode(e.to_string()))
}

/// `GET /api/catalog`.
pub async fn catalog(base: &str) -> Result<Catalog, FetchError> {
    let url = format!("{base}/api/catalog");
    read(
        Request::get(&url)
            .header("Accept", "application/json")
            .send()
            .await,
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
        .map_err(|e| FetchError::Decode(e.to_string()))?;
    let text = js_sys::JSON::stringify(&value)
        .map_err(|e| FetchError::Decode(js_message(&e)))?
        .as_string()
        .unwrap_or_default();
    let request = Request::post(&url)
        .header("Accept", "application/json")
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .body(text)
        .map_err(|e| FetchError::Network(e.to_string()))?;
    read(request.send().await).await
}
