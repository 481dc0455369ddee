//! The Worker's [`Transport`]: the runtime's `fetch` with `AbortSignal.timeout`.

use tamara_core::HttpRequest;
use wasm_bindgen::JsCast;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::Transport;
use crate::error::{AppError, AppResult};
use crate::platform;

/// `fetch` from the Workers runtime.
#[derive(Debug, Clone, Copy, Default)]
pub struct FetchTransport;

impl Transport for FetchTransport {
    async fn send(&self, req: &HttpRequest, timeout_ms: u32) -> AppResult<(u16, Vec<u8>)> {
        send(req, timeout_ms).await
    }

    async fn sleep(&self, ms: u64) {
        platform::sleep_ms(ms).await;
    }

    fn warn(&self, line: &str) {
        worker::console_warn!("{line}");
    }
}

/// One HTTP exchange: `(status, body)` or a transport error. Plain `fetch` through web-sys:
/// `worker::RequestInit` would also bring in the serialiser of every `cf` option.
pub async fn send(req: &HttpRequest, timeout_ms: u32) -> AppResult<(u16, Vec<u8>)> {
    let headers =
        web_sys::Headers::new().map_err(|_| AppError::Internal("cannot create headers".into()))?;
    for (k, v) in &req.headers {
        headers
            .set(k, v)
            .map_err(|_| AppError::Internal(format!("bad header {k}")))?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(req.method.as_str());
    init.set_headers(&headers);
    if let Some(body) = &req.body {
        init.set_body(&js_sys::Uint8Array::from(body.as_slice()));
    }
    let signal = web_sys::AbortSignal::timeout_with_u32(timeout_ms);
    init.set_signal(Some(&signal));
    let unreachable = |e: JsValue| {
        if signal.aborted() {
            AppError::TamaraUnreachable(format!("no answer within {} ms", timeout_ms))
        } else {
            let detail = e
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_default();
            AppError::TamaraUnreachable(format!("connection failed: {detail}"))
        }
    };
    let global: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let resp = JsFuture::from(global.fetch_with_str_and_init(&req.url, &init))
        .await
        .map_err(unreachable)?;
    let resp: web_sys::Response = resp
        .dyn_into()
        .map_err(|_| AppError::Internal("fetch did not return a Response".into()))?;
    let status = resp.status();
    // The whole body in one promise.
    let buffer = JsFuture::from(resp.array_buffer().map_err(unreachable)?)
        .await
        .map_err(unreachable)?;
    Ok((status, js_sys::Uint8Array::new(&buffer).to_vec()))
}
