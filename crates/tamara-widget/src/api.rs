//! The Worker's storefront API (CONTRACTS.md §2.1) over `gloo-net`.
//!
//! Bodies are parsed by the browser (`Response.json()`) and read with [`crate::js`]; the
//! checkout body is written by `CheckoutRequest::to_json` (no `serde_json` in the wasm). `GET`s carry no custom header, so a cross-origin Worker needs
//! no CORS preflight.

use crate::js::{self, Bad};
use crate::state::{cat, CheckoutRequest, FetchError, Input, OptionsQuery};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

fn js_message(value: &JsValue) -> String {
    js::get(value, "message")
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

fn network(error: JsValue) -> FetchError {
    FetchError::Network(js_message(&error))
}

fn decode(error: JsValue) -> FetchError {
    FetchError::Decode(js_message(&error))
}

/// One Worker call.
#[derive(Debug)]
pub enum Call {
    /// `GET /api/payment-options?…` for request `seq`; with the answer to the same URL when the
    /// page already asked (the custom element does while the wasm loads): a promise of
    /// `{status, body}` (`body`: the parsed JSON, or `null`).
    Options(u64, OptionsQuery, Option<js_sys::Promise>),
    /// `POST /api/checkout` with this `Idempotency-Key` and body.
    Checkout(String, Box<CheckoutRequest>),
}

impl Call {
    fn failed(&self, error: FetchError) -> Input {
        match self {
            Call::Options(seq, ..) => Input::OptionsFailed(*seq, error),
            Call::Checkout(..) => Input::CheckoutFailed(error),
        }
    }

    /// The HTTP status and the parsed JSON body (`Err` if it was not JSON).
    async fn exchange(
        &mut self,
        base: &str,
    ) -> Result<(u16, Result<JsValue, JsValue>), FetchError> {
        let request = match self {
            Call::Options(_, _, prefetched @ Some(_)) => {
                let promise = prefetched
                    .take()
                    .unwrap_or_else(|| js_sys::Promise::resolve(&JsValue::NULL));
                let got = JsFuture::from(promise).await.map_err(network)?;
                let status = js::get(&got, "status").as_f64().unwrap_or_default() as u16;
                return Ok((status, Ok(js::get(&got, "body"))));
            }
            Call::Options(_, query, None) => {
                web_sys::Request::new_with_str(&cat(&[base, &query.path()]))
            }
            Call::Checkout(key, body) => {
                let headers = js_sys::Object::new();
                for (name, value) in [
                    ("Accept", "application/json"),
                    ("Content-Type", "application/json"),
                    ("Idempotency-Key", key.as_str()),
                ] {
                    let _ = js_sys::Reflect::set(
                        &headers,
                        &JsValue::from_str(name),
                        &JsValue::from_str(value),
                    );
                }
                let init = web_sys::RequestInit::new();
                init.set_method("POST");
                init.set_headers(&headers);
                init.set_body(&JsValue::from_str(&body.to_json()));
                web_sys::Request::new_with_str_and_init(&cat(&[base, "/api/checkout"]), &init)
            }
        }
        .map_err(network)?;
        let response: web_sys::Response = gloo_net::http::Request::from(request)
            .send()
            .await
            .map_err(|e| FetchError::Network(gloo_message(e)))?
            .into();
        let body = JsFuture::from(response.json().map_err(decode)?).await;
        Ok((response.status(), body))
    }
}

/// Sends `call` to the Worker at `base` and turns the answer into the widget's next input,
/// with the answer's JSON body (`undefined` when there is none).
/// (One async function for every call: one state machine in the wasm, not one per call.)
pub async fn perform(base: &str, mut call: Call) -> (Input, JsValue) {
    let value = match call.exchange(base).await {
        Ok((status, body)) => answer(status, body),
        Err(error) => Err(error),
    };
    let value = match value {
        Ok(value) => value,
        Err(error) => return (call.failed(error), JsValue::UNDEFINED),
    };
    let parsed = match &call {
        Call::Options(seq, ..) => {
            js::payment_options(&value).map(|a| Input::OptionsLoaded(*seq, a))
        }
        Call::Checkout(..) => js::checkout_created(&value).map(Input::CheckoutCreated),
    };
    let input = parsed.unwrap_or_else(|Bad(field)| {
        call.failed(FetchError::Decode(cat(&[
            "unexpected answer: field ",
            field,
        ])))
    });
    (input, value)
}

/// 2xx → the parsed JSON body, else the Worker's `{"error": {code, message}}`.
fn answer(status: u16, body: Result<JsValue, JsValue>) -> Result<JsValue, FetchError> {
    if (200..300).contains(&status) {
        return body.map_err(decode);
    }
    Err(match body.ok().and_then(|v| js::error_body(&v).ok()) {
        Some(reason) => FetchError::Http {
            status,
            code: reason.code,
            message: reason.message,
        },
        None => FetchError::Http {
            status,
            code: cat(&["http_", &crate::state::uint(u64::from(status))]),
            message: String::new(),
        },
    })
}
