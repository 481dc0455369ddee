//! Tamara's merchant API (rows 1–22 of the endpoint catalogue), Bearer-authenticated.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use tamara_core::checkout::{
    CheckoutSession, CheckoutValidationError, CreateCheckout, CreateInStoreQr,
    CreateInStoreSession, CreditPreCheck, InStoreSession, PaymentLabel, PaymentOptionsAvailability,
    PaymentOptionsPreCheck, PaymentTypeInfo, VoidResult,
};
use tamara_core::http::parse_query;
use tamara_core::lifecycle::{Event, OrderState};
use tamara_core::merchants::{IdVerification, MerchantConfigs};
use tamara_core::orders::{Authorisation, CancelOrder, Cancellation, MessageResponse};
use tamara_core::payments::{
    Capture, CaptureResult, LegacyRefund, LegacyRefundId, LegacyRefundResult, RefundResult,
    SimplifiedRefund,
};
use tamara_core::secret::constant_time_eq;
use tamara_core::webhooks::{
    check_webhook_events, check_webhook_type, check_webhook_url, RegisterWebhook, Webhook,
    WebhookValidationError,
};
use tamara_core::{Country, Currency, EventType, Money, OrderStatus, Phone, Timestamp, WebhookId};

use crate::config::{Config, DECLINE_PHONE, SUCCESS_PHONE};
use crate::error::{parse_json, read_body, ApiErr};
use crate::order::{Ctx, OrderRequest};
use crate::state::{Inner, SandboxState, SmsMessage};

type ApiResult<T> = Result<Json<T>, ApiErr>;

/// The authenticated Tamara API routes.
pub fn routes(st: SandboxState) -> Router<SandboxState> {
    Router::new()
        .route("/checkout", post(create_checkout))
        .route("/checkout/in-store-session", post(create_in_store))
        .route("/checkout/in-store", post(create_in_store_qr))
        .route("/checkout/{checkout_id}/void", post(void_checkout))
        .route("/checkout/payment-options-pre-check", post(pre_check))
        .route("/checkout/payment-types", get(payment_types))
        .route("/checkout/credit-pre-check", post(credit_pre_check))
        .route(
            "/pre-checkout/v1/eligibility",
            post(crate::eligibility::eligibility),
        )
        .route("/merchants/orders/{order_id}", get(get_order))
        .route("/orders/{order_id}", get(get_order))
        .route(
            "/merchants/orders/reference-id/{reference}",
            get(get_order_by_reference),
        )
        .route("/orders/{order_id}/authorise", post(authorise))
        .route("/orders/{order_id}/cancel", post(cancel))
        .route("/orders/{order_id}/reference-id", put(update_reference))
        .route("/payments/capture", post(capture))
        .route(
            "/payments/simplified-refund/{order_id}",
            post(simplified_refund),
        )
        .route("/payments/refund", post(legacy_refund))
        .route(
            "/merchants/customer/id-verification-status",
            get(id_verification),
        )
        .route("/merchants/configs", get(merchant_configs))
        .route("/webhooks", post(register_webhook).get(list_webhooks))
        // A client (Tamara's Odoo module) lists at `/webhooks/list`: the same list.
        .route("/webhooks/list", get(list_webhooks))
        .route(
            "/webhooks/{webhook_id}",
            get(get_webhook).put(update_webhook).delete(delete_webhook),
        )
        .route_layer(axum::middleware::from_fn_with_state(st, auth))
}

/// `Authorization: Bearer <api token>` or 401 `{"message":"Unauthorized"}`.
async fn auth(State(st): State<SandboxState>, req: Request, next: Next) -> Response {
    let given = req
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .unwrap_or("");
    let ok = {
        let inner = st.lock();
        let want = inner.config.api_token.expose();
        !want.is_empty() && !given.is_empty() && constant_time_eq(given.as_bytes(), want.as_bytes())
    };
    if ok {
        next.run(req).await
    } else {
        ApiErr::unauthorized().into_response()
    }
}

async fn json_body<T: DeserializeOwned>(headers: &HeaderMap, body: Body) -> Result<T, ApiErr> {
    let bytes = read_body(headers, body).await?;
    parse_json(&bytes)
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A session lifetime already checked by core (`SESSION_MINUTES`), in ms.
fn ttl_ms(minutes: Option<u32>) -> Option<i64> {
    minutes.map(|m| i64::from(m) * 60_000)
}

/// A create-checkout error from core as Tamara answers it: `invalid_request` naming the field,
/// the address phone codes with `message == error_code`, the others with core's message.
fn validation(e: CheckoutValidationError) -> ApiErr {
    match (e.field(), &e) {
        (Some(f), _) => ApiErr::field(f, e.to_string()),
        (None, CheckoutValidationError::ShippingPhone | CheckoutValidationError::BillingPhone) => {
            ApiErr::bad(e.code())
        }
        (None, _) => ApiErr::new(StatusCode::BAD_REQUEST, e.code(), e.to_string()),
    }
}

/// An in-store session error from core: `invalid_request` naming the field, else
/// `message == error_code`.
fn in_store_validation(e: CheckoutValidationError) -> ApiErr {
    match e.field() {
        Some(f) => ApiErr::field(f, e.to_string()),
        None => ApiErr::bad(e.code()),
    }
}

/// A webhook registration error from core: its code, naming the field.
fn webhook_validation(e: WebhookValidationError) -> ApiErr {
    ApiErr {
        field: Some(e.field().to_owned()),
        ..ApiErr::new(StatusCode::BAD_REQUEST, e.code(), e.to_string())
    }
}

/// The plan to check limits against: only one the merchant has configured. Legacy or unknown
/// names (`PAY_BY_LATER`, `PAY_NEXT_MONTH`) are accepted and checked against any plan.
fn known_plan<'a>(
    config: &Config,
    country: Country,
    plan: Option<&'a tamara_core::PaymentType>,
) -> Option<&'a tamara_core::PaymentType> {
    plan.filter(|p| config.payment_types(country).iter().any(|t| &t.name == *p))
}

fn limit_err(code: &'static str) -> ApiErr {
    ApiErr::bad(code)
}

// ---------------------------------------------------------------------------------------------
// Checkout sessions

async fn create_checkout(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<CheckoutSession> {
    let req: CreateCheckout = json_body(&headers, body).await?;
    req.validate().map_err(validation)?;
    let ttl = ttl_ms(req.expires_in_minutes);
    let session = {
        let mut inner = st.lock();
        let plan = known_plan(&inner.config, req.country_code, req.payment_type.as_ref());
        let instalments = plan.and(req.instalments);
        inner
            .config
            .check_limit(req.country_code, req.total_amount, plan, instalments)
            .map_err(limit_err)?;
        let locale = req
            .locale
            .as_ref()
            .map(|l| if l.is_arabic() { "ar_SA" } else { "en_US" })
            .unwrap_or("ar_SA");
        let state = OrderState::new_online(req.total_amount, inner.now(), ttl);
        let (order_id, checkout_id) =
            inner.create_order(req.country_code, state, OrderRequest::Online(Box::new(req)));
        let checkout_url = format!(
            "{}/checkout/{checkout_id}?locale={locale}&orderId={order_id}",
            inner.config.public_url
        );
        CheckoutSession {
            order_id,
            checkout_id,
            checkout_url,
            status: OrderStatus::New,
        }
    };
    st.save();
    Ok(Json(session))
}

/// The SMS text in the shopper's language, the amount written by
/// [`tamara_core::display::money_text`] (`SAR\u{a0}300.00`, `\u{200f}300.00\u{a0}ر.س.\u{200f}`).
pub fn sms_text(arabic: bool, total: Money, link: &str) -> String {
    let amount = tamara_core::display::money_text(total, arabic);
    if arabic {
        format!("أكمل عملية الشراء بقيمة {amount} وقسّمها مع تمارا: {link}")
    } else {
        format!("Complete your purchase of {amount} and split it with Tamara: {link}")
    }
}

/// Creates an in-store order; its session answer carries the payment link.
fn in_store_session(
    inner: &mut Inner,
    country: Country,
    state: OrderState,
    request: OrderRequest,
) -> InStoreSession {
    let (order_id, checkout_id) = inner.create_order(country, state, request);
    let link = format!("{}/pay/{checkout_id}", inner.config.public_url);
    InStoreSession {
        checkout_id,
        order_id,
        checkout_deeplink: Some(link),
    }
}

async fn create_in_store(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<InStoreSession> {
    let req: CreateInStoreSession = json_body(&headers, body).await?;
    req.validate().map_err(in_store_validation)?;
    let country = req.country();
    let phone = req.phone().map_err(in_store_validation)?;
    let ttl = ttl_ms(req.expiry_time);
    let out = {
        let mut inner = st.lock();
        let plan = known_plan(&inner.config, country, req.payment_type.as_ref());
        inner
            .config
            .check_limit(country, req.total_amount, plan, None)
            .map_err(limit_err)?;
        let now = inner.now();
        let arabic = req.locale.as_ref().is_some_and(|l| l.is_arabic());
        let total = req.total_amount;
        let state = OrderState::new_in_store(total, now, ttl);
        let session = in_store_session(
            &mut inner,
            country,
            state,
            OrderRequest::InStore(Box::new(req)),
        );
        let link = session.checkout_deeplink.clone().unwrap_or_default();
        inner.data.sms.push(SmsMessage {
            phone: phone.international(),
            text: sms_text(arabic, total, &link),
            link,
            order_id: session.order_id.clone(),
            checkout_id: session.checkout_id.clone(),
            sent_at: now,
            lang: if arabic { "ar" } else { "en" }.to_owned(),
        });
        session
    };
    st.save();
    Ok(Json(out))
}

async fn create_in_store_qr(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<InStoreSession> {
    let device = headers
        .get("x-device-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .unwrap_or("")
        .to_owned();
    let mut req: CreateInStoreQr = json_body(&headers, body).await?;
    req.device_id = device;
    req.validate().map_err(in_store_validation)?;
    let country = Country::for_currency(req.amount.currency());
    let out = {
        let mut inner = st.lock();
        inner
            .config
            .check_limit(country, req.amount, None, None)
            .map_err(limit_err)?;
        let state = OrderState::new_in_store(req.amount, inner.now(), None);
        in_store_session(
            &mut inner,
            country,
            state,
            OrderRequest::InStoreQr(Box::new(req)),
        )
    };
    st.save();
    Ok(Json(out))
}

#[derive(Debug, Default, Deserialize)]
struct VoidBody {
    #[serde(default)]
    order_id: Option<String>,
    #[serde(default)]
    store_code: Option<String>,
}

/// Voids an unpaid in-store session. Answers `order_was_voided: true` (order `canceled`, webhook
/// `order_canceled`) while it is `new` or already voided, `false` once paid, expired or declined.
async fn void_checkout(
    State(st): State<SandboxState>,
    Path(checkout_id): Path<String>,
    RawQuery(q): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<VoidResult> {
    let bytes = read_body(&headers, body).await?;
    let from_body: VoidBody = if bytes.iter().all(u8::is_ascii_whitespace) {
        VoidBody::default()
    } else {
        parse_json(&bytes)?
    };
    let query = parse_query(q.as_deref().unwrap_or(""));
    let qget = |k: &str| {
        query
            .iter()
            .find(|(qk, v)| qk == k && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    let order_id = qget("order_id")
        .or(from_body.order_id)
        .ok_or_else(|| ApiErr::field("order_id", "order_id is required (query or body)"))?;
    let store_code = qget("store_code")
        .or(from_body.store_code)
        .unwrap_or_default();
    let mut jobs = Vec::new();
    let res = {
        let mut inner = st.lock();
        let found = inner
            .order_id_by_checkout(&checkout_id)
            .ok_or_else(|| ApiErr::not_found("Checkout session not found"))?;
        if found != order_id {
            return Err(ApiErr::bad("order_id_mismatch"));
        }
        let o = inner.order(&order_id, &mut jobs)?;
        let status = o.state.status.clone();
        let captured = o.state.captured;
        match status {
            OrderStatus::New | OrderStatus::Canceled => {
                inner.apply(&order_id, &Event::Void, Ctx::default(), &mut jobs)?;
                VoidResult {
                    order_was_voided: true,
                    captured_amount: Some(captured),
                    message: "Checkout session was voided".to_owned(),
                    store_code,
                }
            }
            other => VoidResult {
                order_was_voided: false,
                captured_amount: Some(captured),
                message: format!("Checkout session cannot be voided: order is {other}"),
                store_code,
            },
        }
    };
    st.finish(jobs);
    Ok(Json(res))
}

// ---------------------------------------------------------------------------------------------
// Availability

fn labels(config: &Config, country: Country, amount: Money) -> Vec<PaymentLabel> {
    let mut out = Vec::new();
    for t in config.payment_types(country) {
        if !t.allows(amount) {
            continue;
        }
        if t.supported_instalments.is_empty() {
            out.push(PaymentLabel {
                payment_type: t.name.clone(),
                instalment: 0,
                description_en: format!("Pay in full with Tamara ({})", amount),
                description_ar: "ادفع كامل المبلغ مع تمارا".to_owned(),
            });
        }
        for s in &t.supported_instalments {
            if amount.minor() < s.min_limit.minor() || amount.minor() > s.max_limit.minor() {
                continue;
            }
            let each = amount
                .split(s.instalments)
                .first()
                .copied()
                .unwrap_or(amount);
            out.push(PaymentLabel {
                payment_type: t.name.clone(),
                instalment: s.instalments,
                description_en: format!(
                    "Split in {} payments of {} with Tamara, no interest",
                    s.instalments, each
                ),
                description_ar: format!(
                    "قسّمها على {} دفعات بقيمة {} مع تمارا بدون فوائد",
                    s.instalments,
                    each.to_decimal_string()
                ),
            });
        }
    }
    out
}

fn is_decline_phone(phone: Option<&str>, country: Country) -> bool {
    phone
        .and_then(|p| Phone::parse(p, country).ok())
        .is_some_and(|p| p.national() == DECLINE_PHONE)
}

async fn pre_check(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<PaymentOptionsAvailability> {
    let req: PaymentOptionsPreCheck = json_body(&headers, body).await?;
    req.country
        .check_currency(req.order_value.currency())
        .map_err(|e| ApiErr::bad(e.code()))?;
    let config = st.config();
    let labels = if is_decline_phone(req.phone_number.as_deref(), req.country) {
        Vec::new()
    } else {
        labels(&config, req.country, req.order_value)
    };
    Ok(Json(PaymentOptionsAvailability {
        has_available_payment_options: !labels.is_empty(),
        single_checkout_enabled: true,
        available_payment_labels: labels,
    }))
}

fn filter_types(config: &Config, country: Country, amount: Option<Money>) -> Vec<PaymentTypeInfo> {
    config
        .payment_types(country)
        .iter()
        .filter(|t| amount.is_none_or(|a| t.allows(a)))
        .cloned()
        .collect()
}

async fn payment_types(
    State(st): State<SandboxState>,
    RawQuery(q): RawQuery,
) -> ApiResult<Vec<PaymentTypeInfo>> {
    let q = parse_query(q.as_deref().unwrap_or(""));
    let get = |k: &str| q.iter().find(|(qk, _)| qk == k).map(|(_, v)| v.as_str());
    let country: Country = get("country")
        .ok_or_else(|| ApiErr::field("country", "query parameter country is required"))?
        .parse()
        .map_err(|e: tamara_core::country::CountryError| ApiErr::bad(e.code()))?;
    if let Some(c) = get("currency").filter(|c| !c.is_empty()) {
        let cur: Currency = c.parse().map_err(|_| ApiErr::bad("currency_unsupported"))?;
        country
            .check_currency(cur)
            .map_err(|e| ApiErr::bad(e.code()))?;
    }
    let amount = match get("order_value").filter(|v| !v.is_empty()) {
        Some(v) => Some(
            Money::parse(v, country.currency())
                .map_err(|e| ApiErr::field("order_value", e.to_string()))?,
        ),
        None => None,
    };
    if is_decline_phone(get("phone"), country) {
        return Ok(Json(Vec::new()));
    }
    Ok(Json(filter_types(&st.config(), country, amount)))
}

async fn credit_pre_check(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Vec<PaymentTypeInfo>> {
    let req: CreditPreCheck = json_body(&headers, body).await?;
    req.country_code
        .check_currency(req.total_amount.currency())
        .map_err(|e| ApiErr::bad(e.code()))?;
    // `consumer` (like the other optional objects) may be absent or null.
    if let Some(consumer) = &req.consumer {
        if Phone::parse(&consumer.phone_number, req.country_code).is_err() {
            return Err(ApiErr::bad("consumer_invalid_phone_number"));
        }
        if is_decline_phone(Some(&consumer.phone_number), req.country_code) {
            return Ok(Json(Vec::new()));
        }
    }
    Ok(Json(filter_types(
        &st.config(),
        req.country_code,
        Some(req.total_amount),
    )))
}

async fn id_verification(
    State(st): State<SandboxState>,
    RawQuery(q): RawQuery,
) -> ApiResult<IdVerification> {
    let q = parse_query(q.as_deref().unwrap_or(""));
    let get = |k: &str| q.iter().find(|(qk, _)| qk == k).map(|(_, v)| v.clone());
    let country: Country = get("country_code")
        .ok_or_else(|| ApiErr::field("country_code", "country_code is required"))?
        .parse()
        .map_err(|e: tamara_core::country::CountryError| ApiErr::bad(e.code()))?;
    if !matches!(country, Country::Sa | Country::Ae) {
        return Err(ApiErr::bad("not_supported_delivery_country"));
    }
    let raw = get("phone_number")
        .ok_or_else(|| ApiErr::field("phone_number", "phone_number is required"))?;
    // Tamara documents the number with its country code (`966544337766`, no `+`).
    let digits = raw.trim().trim_start_matches('+');
    if !digits.starts_with(country.calling_code()) {
        return Err(ApiErr::field(
            "phone_number",
            "phone_number must include the country code (e.g. 966544337766)",
        ));
    }
    let phone = Phone::parse(&raw, country).map_err(|_| ApiErr::bad("invalid_phone_number"))?;
    // Verified: the documented success phone, or anyone who already paid in this sandbox.
    let verified = phone.national() == SUCCESS_PHONE || {
        let inner = st.lock();
        inner.data.orders.values().any(|o| {
            o.state.status.is_paid()
                && o.country == country
                && o.phone()
                    .and_then(|p| Phone::parse(p, country).ok())
                    .is_some_and(|p| p == phone)
        })
    };
    Ok(Json(IdVerification {
        is_id_verified: verified,
    }))
}

async fn merchant_configs(State(st): State<SandboxState>) -> ApiResult<MerchantConfigs> {
    Ok(Json(MerchantConfigs {
        single_checkout_enabled: true,
        public_key: st.config().public_key,
    }))
}

// ---------------------------------------------------------------------------------------------
// Orders

async fn get_order(
    State(st): State<SandboxState>,
    Path(order_id): Path<String>,
) -> Result<Response, ApiErr> {
    order_response(&st, Some(order_id))
}

async fn get_order_by_reference(
    State(st): State<SandboxState>,
    Path(reference): Path<String>,
) -> Result<Response, ApiErr> {
    let id = st.lock().order_id_by_reference(&reference);
    order_response(&st, id)
}

/// The GET-order body of an order (after its timers ran).
pub fn order_response(st: &SandboxState, order_id: Option<String>) -> Result<Response, ApiErr> {
    let order_id = order_id.ok_or_else(ApiErr::order_not_found)?;
    let mut jobs = Vec::new();
    let details = {
        let mut inner = st.lock();
        inner.order(&order_id, &mut jobs)?.details()
    };
    if !jobs.is_empty() {
        st.finish(jobs);
    }
    let mut v = serde_json::to_value(&details).unwrap_or_default();
    full_shape(&mut v);
    Ok(Json(v).into_response())
}

/// Every channel answers the same keys (null or zero where there is no value): Tamara's PHP
/// SDK reads `shipping_address`, `consumer.is_first_order` and each capture's `tax_amount`,
/// `shipping_amount`, `discount_amount` and `shipping_info` on every order, and throws a
/// TypeError when an in-store order lacks them.
pub fn full_shape(v: &mut serde_json::Value) {
    let Some(o) = v.as_object_mut() else {
        return;
    };
    let currency = o
        .get("total_amount")
        .and_then(|m| m.get("currency"))
        .cloned()
        .unwrap_or(json!("SAR"));
    let zero = json!({"amount": 0, "currency": currency});
    for key in ["shipping_address", "billing_address", "description"] {
        o.entry(key).or_insert(serde_json::Value::Null);
    }
    let consumer = o.entry("consumer").or_insert(serde_json::Value::Null);
    if consumer.is_null() {
        *consumer = json!({"first_name": "", "last_name": "", "phone_number": "", "email": ""});
    }
    if let Some(c) = consumer.as_object_mut() {
        for key in ["first_name", "last_name", "phone_number", "email"] {
            c.entry(key).or_insert(json!(""));
        }
        c.entry("is_first_order").or_insert(json!(false));
    }
    if let Some(caps) = o
        .get_mut("transactions")
        .and_then(|t| t.get_mut("captures"))
        .and_then(|c| c.as_array_mut())
    {
        for cap in caps.iter_mut().filter_map(|c| c.as_object_mut()) {
            for key in ["tax_amount", "shipping_amount", "discount_amount"] {
                cap.entry(key).or_insert(zero.clone());
            }
            cap.entry("shipping_info")
                .or_insert(serde_json::Value::Null);
        }
    }
}

/// Authorises (idempotent: a paid order answers the stored authorisation again).
pub fn do_authorise(
    inner: &mut Inner,
    order_id: &str,
    jobs: &mut Vec<String>,
) -> Result<Authorisation, ApiErr> {
    let auto_capture = inner.config.auto_capture;
    let o = inner.order(order_id, jobs)?;
    if o.state.status != OrderStatus::Approved {
        if let Some(a) = &o.authorisation {
            if o.state.status.is_paid() {
                return Ok(a.clone());
            }
        }
    }
    let applied = inner.apply(
        order_id,
        &Event::Authorise { auto_capture },
        Ctx::default(),
        jobs,
    )?;
    let o = inner
        .data
        .orders
        .get_mut(order_id)
        .ok_or_else(ApiErr::order_not_found)?;
    let body = o.authorisation_body(applied.changed && auto_capture);
    if applied.changed {
        o.authorisation = Some(body.clone());
    }
    Ok(body)
}

async fn authorise(
    State(st): State<SandboxState>,
    Path(order_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Authorisation> {
    // Any body (or none) is accepted: the SDK sends {"order_id"}, the docs send nothing.
    read_body(&headers, body).await?;
    let mut jobs = Vec::new();
    let res = do_authorise(&mut st.lock(), &order_id, &mut jobs);
    st.finish(jobs);
    res.map(Json)
}

async fn cancel(
    State(st): State<SandboxState>,
    Path(order_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Cancellation> {
    let req: CancelOrder = json_body(&headers, body).await?;
    let mut jobs = Vec::new();
    let res = (|| {
        let mut inner = st.lock();
        let ctx = Ctx {
            items: req.items,
            ..Ctx::default()
        };
        let applied = inner.apply(
            &order_id,
            &Event::Cancel {
                amount: req.total_amount,
            },
            ctx,
            &mut jobs,
        )?;
        let o = inner.order(&order_id, &mut jobs)?;
        Ok(Cancellation {
            cancel_id: applied.cancel_id.unwrap_or_default(),
            order_id: o.order_id.clone(),
            status: o.state.status.clone(),
            canceled_amount: req.total_amount,
        })
    })();
    st.finish(jobs);
    res.map(Json)
}

async fn capture(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<CaptureResult> {
    let req: Capture = json_body(&headers, body).await?;
    if req.shipping_info.shipping_company.trim().is_empty() {
        return Err(ApiErr::field(
            "shipping_info.shipping_company",
            "shipping_info.shipping_company is required",
        ));
    }
    if Timestamp::parse_rfc3339(&req.shipping_info.shipped_at).is_none() {
        return Err(ApiErr::field(
            "shipping_info.shipped_at",
            "shipping_info.shipped_at must be an ISO-8601 date-time",
        ));
    }
    let order_id = req.order_id.to_string();
    let mut jobs = Vec::new();
    let res = (|| {
        let mut inner = st.lock();
        let ctx = Ctx {
            shipping_info: Some(req.shipping_info),
            items: req.items,
            shipping_amount: req.shipping_amount,
            tax_amount: req.tax_amount,
            discount_amount: req.discount_amount,
            ..Ctx::default()
        };
        let applied = inner.apply(
            &order_id,
            &Event::Capture {
                amount: req.total_amount,
            },
            ctx,
            &mut jobs,
        )?;
        let o = inner.order(&order_id, &mut jobs)?;
        Ok(CaptureResult {
            capture_id: applied.capture_ids.first().cloned().unwrap_or_default(),
            order_id: o.order_id.clone(),
            status: o.state.status.clone(),
            captured_amount: req.total_amount,
        })
    })();
    st.finish(jobs);
    res.map(Json)
}

async fn simplified_refund(
    State(st): State<SandboxState>,
    Path(order_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<RefundResult> {
    let req: SimplifiedRefund = json_body(&headers, body).await?;
    if req.comment.trim().is_empty() {
        return Err(ApiErr::field("comment", "comment is required"));
    }
    let mut jobs = Vec::new();
    let res = (|| {
        let mut inner = st.lock();
        let ctx = Ctx {
            comment: Some(req.comment.clone()),
            ..Ctx::default()
        };
        let applied = inner.apply(
            &order_id,
            &Event::Refund {
                amount: req.total_amount,
            },
            ctx,
            &mut jobs,
        )?;
        let o = inner.order(&order_id, &mut jobs)?;
        let (refund_id, capture_id) = applied.refund.unwrap_or_default();
        Ok(RefundResult {
            order_id: o.order_id.clone(),
            comment: req.comment,
            refund_id,
            capture_id,
            status: o.state.status.clone(),
            refunded_amount: req.total_amount,
        })
    })();
    st.finish(jobs);
    res.map(Json)
}

async fn legacy_refund(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<LegacyRefundResult> {
    let req: LegacyRefund = json_body(&headers, body).await?;
    if req.refunds.is_empty() {
        return Err(ApiErr::field("refunds", "refunds must not be empty"));
    }
    let order_id = req.order_id.to_string();
    let mut jobs = Vec::new();
    let res = (|| {
        let mut inner = st.lock();
        // Check every line first so that a bad line refunds nothing.
        {
            let o = inner.order(&order_id, &mut jobs)?;
            let mut per_capture: BTreeMap<String, u64> = BTreeMap::new();
            for line in &req.refunds {
                let room = o
                    .capture_refundable(&line.capture_id)
                    .ok_or_else(|| ApiErr::bad("capture_not_found"))?;
                let asked = per_capture.entry(line.capture_id.to_string()).or_insert(0);
                *asked = asked.saturating_add(line.total_amount.minor());
                if line.total_amount.currency() != room.currency() {
                    return Err(ApiErr::bad("total_amount_invalid_currency"));
                }
                if *asked > room.minor() {
                    return Err(ApiErr::new(
                        StatusCode::CONFLICT,
                        "refund_exceeds_captured",
                        format!("capture {} has only {room} left to refund", line.capture_id),
                    ));
                }
            }
        }
        let mut out = Vec::new();
        for line in req.refunds {
            let ctx = Ctx {
                items: line.items,
                refund_capture: Some(line.capture_id.clone()),
                ..Ctx::default()
            };
            let applied = inner.apply(
                &order_id,
                &Event::Refund {
                    amount: line.total_amount,
                },
                ctx,
                &mut jobs,
            )?;
            if let Some((refund_id, _)) = applied.refund {
                out.push(LegacyRefundId {
                    capture_id: line.capture_id,
                    refund_id,
                });
            }
        }
        Ok(LegacyRefundResult {
            order_id: req.order_id,
            refunds: out,
        })
    })();
    st.finish(jobs);
    res.map(Json)
}

#[derive(Debug, Deserialize)]
struct ReferenceBody {
    order_reference_id: String,
}

async fn update_reference(
    State(st): State<SandboxState>,
    Path(order_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<MessageResponse> {
    let req: ReferenceBody = json_body(&headers, body).await?;
    let r = req.order_reference_id.trim();
    if r.is_empty() || r.len() > 128 {
        return Err(ApiErr::field(
            "order_reference_id",
            "order_reference_id must be 1–128 characters",
        ));
    }
    {
        let mut inner = st.lock();
        let o = inner
            .data
            .orders
            .get_mut(&order_id)
            .ok_or_else(ApiErr::order_not_found)?;
        o.order_reference_id = r.into();
    }
    st.save();
    Ok(Json(MessageResponse {
        message: "Order reference id was updated successfully".to_owned(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Webhooks

async fn register_webhook(
    State(st): State<SandboxState>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiErr> {
    let req: RegisterWebhook = json_body(&headers, body).await?;
    req.validate().map_err(webhook_validation)?;
    let w = {
        let mut inner = st.lock();
        // A URL already registered: Tamara's `webhook_already_registered`, with the existing
        // registration in `errors[0].data` (`tamara-api.md` §14.2).
        if let Some(old) = inner.data.webhooks.values().find(|w| w.url == req.url) {
            let body = json!({
                "message": "webhook_already_registered",
                "errors": [{"error_code": "webhook_already_registered",
                            "data": {"webhook_id": old.webhook_id, "url": old.url}}]
            });
            return Ok((StatusCode::BAD_REQUEST, Json(body)).into_response());
        }
        let w = Webhook {
            webhook_id: WebhookId::new(new_id()),
            merchant_id: Some(inner.merchant()),
            webhook_type: Some(req.webhook_type),
            url: req.url,
            events: req.events,
            headers: req.headers,
        };
        inner
            .data
            .webhooks
            .insert(w.webhook_id.to_string(), w.clone());
        w
    };
    st.save();
    Ok(Json(w).into_response())
}

async fn list_webhooks(State(st): State<SandboxState>) -> ApiResult<Vec<Webhook>> {
    Ok(Json(st.lock().data.webhooks.values().cloned().collect()))
}

fn webhook_not_found() -> ApiErr {
    ApiErr::not_found("Webhook not found")
}

async fn get_webhook(State(st): State<SandboxState>, Path(id): Path<String>) -> ApiResult<Webhook> {
    st.lock()
        .data
        .webhooks
        .get(&id)
        .cloned()
        .map(Json)
        .ok_or_else(webhook_not_found)
}

#[derive(Debug, Deserialize)]
struct UpdateBody {
    /// Optional; when sent it must be `order` or `dispute` (not null), and it replaces the type.
    #[serde(rename = "type", default, deserialize_with = "present")]
    webhook_type: Option<tamara_core::enums::WebhookType>,
    url: String,
    events: Vec<EventType>,
    #[serde(default, deserialize_with = "tamara_core::webhooks::headers_map")]
    headers: Option<BTreeMap<String, String>>,
}

/// `Some` for every value sent: unlike a plain `Option`, `null` is not read as absent (it fails
/// as the inner type's own type error).
fn present<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

async fn update_webhook(
    State(st): State<SandboxState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Webhook> {
    // `webhook_id` in the body is optional (the SDK sends it); the path wins.
    let bytes = read_body(&headers, body).await?;
    let req: UpdateBody = parse_json(&bytes)?;
    check_webhook_url(&req.url)
        .and_then(|()| check_webhook_events(&req.events))
        .and_then(|()| req.webhook_type.as_ref().map_or(Ok(()), check_webhook_type))
        .map_err(webhook_validation)?;
    let w = {
        let mut inner = st.lock();
        let w = inner
            .data
            .webhooks
            .get_mut(&id)
            .ok_or_else(webhook_not_found)?;
        if let Some(t) = req.webhook_type {
            w.webhook_type = Some(t);
        }
        w.url = req.url;
        w.events = req.events;
        w.headers = req.headers;
        w.clone()
    };
    st.save();
    Ok(Json(w))
}

async fn delete_webhook(
    State(st): State<SandboxState>,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiErr> {
    let removed = st.lock().data.webhooks.remove(&id);
    if removed.is_none() {
        return Err(webhook_not_found());
    }
    st.save();
    Ok(Json(
        json!({"webhook_id": id, "message": "Webhook was deleted successfully"}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_texts_and_helpers() {
        let m = Money::from_minor(30000, Currency::Sar).unwrap();
        let en = sms_text(false, m, "http://x/pay/1");
        assert_eq!(
            en,
            "Complete your purchase of SAR\u{a0}300.00 and split it with Tamara: http://x/pay/1"
        );
        let ar = sms_text(true, m, "http://x/pay/1");
        assert_eq!(
            ar,
            "أكمل عملية الشراء بقيمة \u{200f}300.00\u{a0}ر.س.\u{200f} وقسّمها مع تمارا: http://x/pay/1"
        );
        assert_eq!(ttl_ms(None), None);
        assert_eq!(ttl_ms(Some(5)), Some(300_000));
        let c = Config::default();
        let legacy = tamara_core::PaymentType::PayByLater;
        assert_eq!(known_plan(&c, Country::Sa, Some(&legacy)), None);
        let now = tamara_core::PaymentType::PayNow;
        assert_eq!(known_plan(&c, Country::Sa, Some(&now)), Some(&now));
        let e = validation(CheckoutValidationError::Url("merchant_url.success"));
        assert_eq!(e.field.as_deref(), Some("merchant_url.success"));
        assert_eq!(e.message, "merchant_url.success must be an http(s) URL");
        let e = validation(CheckoutValidationError::ShippingPhone);
        assert_eq!(
            e.body(),
            json!({"message": "shipping_address_invalid_phone_number",
            "errors": [{"error_code": "shipping_address_invalid_phone_number"}]})
        );
        let e = in_store_validation(CheckoutValidationError::ZeroAmount);
        assert_eq!(e.message, "total_amount_invalid_limit");
        let e = webhook_validation(WebhookValidationError::NoEvents);
        assert_eq!(
            e.body()["errors"][0],
            json!({"error_code": "invalid_events", "field": "events"})
        );
        assert!(is_decline_phone(Some("+966526422337"), Country::Sa));
        assert!(!is_decline_phone(Some("544337866"), Country::Sa));
        assert!(!is_decline_phone(None, Country::Sa));
    }
}
