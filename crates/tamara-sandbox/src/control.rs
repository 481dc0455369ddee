//! The control API under `/_sandbox` (no Tamara auth): clock, faults, deliveries, SMS outbox,
//! orders, event triggers, reset and config.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tamara_core::lifecycle::Event;
use tamara_core::Money;

use crate::api::{do_authorise, order_response};
use crate::error::{parse_json, read_body, ApiErr};
use crate::order::{Ctx, DeclineInfo};
use crate::state::{Fault, SandboxState};

/// Routes under `/_sandbox`.
pub fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/_sandbox/clock", get(clock))
        .route("/_sandbox/clock/advance", post(advance))
        .route(
            "/_sandbox/faults",
            post(add_fault).delete(clear_faults).get(list_faults),
        )
        .route("/_sandbox/webhooks/deliveries", get(deliveries))
        .route("/_sandbox/sms", get(sms))
        .route("/_sandbox/orders", get(orders))
        .route("/_sandbox/orders/{order_id}/trigger", post(trigger))
        .route("/_sandbox/reset", post(reset))
        .route("/_sandbox/config", get(config).patch(patch_config))
}

async fn json_in<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: Body,
) -> Result<T, ApiErr> {
    let bytes = read_body(headers, body).await?;
    parse_json(&bytes)
}

fn clock_body(st: &SandboxState) -> Value {
    let inner = st.lock();
    let now = inner.now();
    json!({"now": now.to_rfc3339(), "now_ms": now.millis(), "offset_ms": inner.data.clock_offset_ms})
}

async fn clock(State(st): State<SandboxState>) -> Json<Value> {
    st.tick();
    Json(clock_body(&st))
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceBody {
    #[serde(default)]
    seconds: i64,
    #[serde(default)]
    minutes: i64,
    #[serde(default)]
    hours: i64,
    #[serde(default)]
    days: i64,
}

async fn advance(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiErr> {
    let b: AdvanceBody = json_in(&headers, body).await?;
    let ms = [
        (b.seconds, 1_000i64),
        (b.minutes, 60_000),
        (b.hours, 3_600_000),
        (b.days, 86_400_000),
    ]
    .iter()
    .try_fold(0i64, |acc, (n, unit)| {
        n.checked_mul(*unit).and_then(|v| acc.checked_add(v))
    })
    .ok_or_else(|| ApiErr::field("seconds", "advance is too large"))?;
    if ms < 0 {
        return Err(ApiErr::new(
            StatusCode::BAD_REQUEST,
            "negative_advance",
            "the sandbox clock only moves forward",
        ));
    }
    if ms > 10 * 366 * 86_400_000 {
        return Err(ApiErr::field("days", "advance at most 10 years at once"));
    }
    st.advance(ms);
    Ok(Json(clock_body(&st)))
}

async fn add_fault(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiErr> {
    let mut f: Fault = json_in(&headers, body).await?;
    crate::faults::validate(&f)?;
    f.fault_id = uuid::Uuid::new_v4().to_string();
    let id = f.fault_id.clone();
    st.lock().faults.push(f);
    Ok(Json(json!({ "fault_id": id })))
}

async fn clear_faults(State(st): State<SandboxState>) -> Json<Value> {
    st.lock().faults.clear();
    Json(json!({}))
}

async fn list_faults(State(st): State<SandboxState>) -> Json<Vec<Fault>> {
    Json(st.lock().faults.clone())
}

async fn deliveries(State(st): State<SandboxState>) -> Json<Value> {
    Json(serde_json::to_value(&st.lock().data.deliveries).unwrap_or(Value::Null))
}

/// The SMS outbox: JSON (`[{phone, text, link, …}]`) for programs, an HTML page with
/// clickable links for a browser (an `Accept` that names `text/html` and not JSON);
/// `?lang=ar` for the Arabic page.
async fn sms(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    axum::extract::RawQuery(q): axum::extract::RawQuery,
) -> Response {
    let accept = headers
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let inner = st.lock();
    if !accept.contains("text/html") || accept.contains("application/json") {
        return Json(serde_json::to_value(&inner.data.sms).unwrap_or(Value::Null)).into_response();
    }
    let views: Vec<crate::pages::SmsView> = inner
        .data
        .sms
        .iter()
        .map(|m| crate::pages::SmsView {
            phone: m.phone.clone(),
            text: m.text.clone(),
            link: m.link.clone(),
            lang: m.lang.clone(),
            order_id: m.order_id.to_string(),
        })
        .collect();
    drop(inner);
    let arabic = tamara_core::http::parse_query(q.as_deref().unwrap_or(""))
        .iter()
        .any(|(k, v)| k == "lang" && v.starts_with("ar"));
    let locale = if arabic {
        tamara_core::Locale::ArSa
    } else {
        tamara_core::Locale::EnUs
    };
    crate::hosted::html(
        StatusCode::OK,
        crate::pages::render_sms_outbox(&views, &locale),
    )
}

async fn orders(State(st): State<SandboxState>) -> Json<Value> {
    st.tick();
    let inner = st.lock();
    let mut list: Vec<_> = inner.data.orders.values().collect();
    list.sort_by_key(|o| o.seq);
    let details: Vec<_> = list.into_iter().map(|o| o.details()).collect();
    Json(serde_json::to_value(details).unwrap_or(Value::Null))
}

#[derive(Debug, Deserialize)]
struct TriggerBody {
    event: String,
    #[serde(default)]
    amount: Option<String>,
    #[serde(default)]
    comment: Option<String>,
}

/// Applies any lifecycle event to an order, like `stripe trigger`. Money events default to the
/// whole remaining amount. `auto_capture` captures the remainder now even before day 21.
async fn trigger(
    State(st): State<SandboxState>,
    Path(order_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiErr> {
    let b: TriggerBody = json_in(&headers, body).await?;
    let mut jobs = Vec::new();
    let res = (|| {
        let mut inner = st.lock();
        let o = inner.order(&order_id, &mut jobs)?;
        let cur = o.state.total.currency();
        let (capturable, refundable) = (o.state.capturable(), o.state.refundable());
        let amount = |default: Money| -> Result<Money, ApiErr> {
            match &b.amount {
                Some(a) => Money::parse(a, cur).map_err(|e| ApiErr::field("amount", e.to_string())),
                None => Ok(default),
            }
        };
        let mut ctx = Ctx::default();
        let event = match b.event.as_str() {
            "approve" => Event::Approve,
            "decline" => {
                ctx.decline = Some(DeclineInfo::risk());
                Event::Decline
            }
            "expire" => Event::Expire,
            "authorise" | "authorize" => {
                do_authorise(&mut inner, &order_id, &mut jobs)?;
                return Ok(());
            }
            "capture" => {
                ctx.shipping_info = Some(tamara_core::types::ShippingInfo::new(
                    inner.now().to_rfc3339(),
                    "Sandbox trigger",
                ));
                Event::Capture {
                    amount: amount(capturable)?,
                }
            }
            "refund" => {
                ctx.comment = Some(b.comment.clone().unwrap_or_else(|| "sandbox trigger".into()));
                Event::Refund {
                    amount: amount(refundable)?,
                }
            }
            "cancel" => Event::Cancel {
                amount: amount(capturable)?,
            },
            "pay" | "pay_in_store" => Event::PayInStore,
            "void" => Event::Void,
            "auto_capture" => {
                let r = inner.apply(&order_id, &Event::AutoCapture, Ctx::default(), &mut jobs);
                match r {
                    Err(e) if e.code.as_deref() == Some("not_due") => Event::Capture {
                        amount: capturable,
                    },
                    other => return other.map(|_| ()),
                }
            }
            other => {
                return Err(ApiErr::field(
                    "event",
                    format!("unknown event `{other}`; use approve, decline, expire, authorise, capture, refund, cancel, pay, void or auto_capture"),
                ))
            }
        };
        inner.apply(&order_id, &event, ctx, &mut jobs).map(|_| ())
    })();
    st.finish(jobs);
    res?;
    order_response(&st, Some(order_id))
}

async fn reset(State(st): State<SandboxState>) -> Json<Value> {
    st.lock().reset();
    st.save();
    Json(json!({}))
}

async fn config(State(st): State<SandboxState>) -> Json<Value> {
    Json(serde_json::to_value(st.config().public()).unwrap_or(Value::Null))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigPatch {
    #[serde(default)]
    auto_capture: Option<bool>,
    #[serde(default)]
    auto_authorise: Option<bool>,
}

/// Flips the merchant switches at run time: `{"auto_capture": true, "auto_authorise": false}`.
async fn patch_config(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiErr> {
    let p: ConfigPatch = json_in(&headers, body).await?;
    {
        let mut inner = st.lock();
        if let Some(v) = p.auto_capture {
            inner.config.auto_capture = v;
        }
        if let Some(v) = p.auto_authorise {
            inner.config.auto_authorise = v;
        }
    }
    Ok(config(State(st)).await.into_response())
}
