//! Hosted pages (what the shopper's browser sees): the online checkout page and the in-store
//! payment-link page, with their form posts. HTML comes from [`crate::pages`].

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tamara_core::http::{append_query, parse_query};
use tamara_core::lifecycle::Event;
use tamara_core::{Locale, OrderStatus, Phone, Timestamp};

use crate::config::DECLINE_PHONE;
use crate::error::read_body;
use crate::order::{Ctx, DeclineInfo, OrderRequest, StoredOrder};
use crate::pages::{self, CheckoutPageView, LineView, Notice, PayLinkPageView};
use crate::state::{Inner, SandboxState};

/// Routes of the hosted pages (no Tamara auth).
pub fn routes() -> Router<SandboxState> {
    Router::new()
        .route("/checkout/{checkout_id}", get(checkout_page))
        .route("/hosted/checkout/{checkout_id}", post(checkout_submit))
        .route("/pay/{checkout_id}", get(pay_page))
        .route("/hosted/pay/{checkout_id}", post(pay_submit))
}

const MERCHANT_NAME: &str = "Sandbox Merchant";

/// The pages use inline CSS only and no script: the CSP forbids everything else. (No
/// `form-action`: browsers apply it to the 303 redirect to the merchant's site.)
const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'";

/// An HTML answer with the hosted pages' security headers.
pub(crate) fn html(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CACHE_CONTROL, "no-store"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::X_FRAME_OPTIONS, "DENY"),
        ],
        Html(body),
    )
        .into_response()
}

fn notice(status: StatusCode, n: Notice, locale: &Locale) -> Response {
    html(status, pages::render_notice(&n, locale))
}

fn query_locale(q: Option<&str>) -> Option<Locale> {
    parse_query(q.unwrap_or(""))
        .into_iter()
        .find(|(k, v)| k == "locale" && !v.is_empty())
        .map(|(_, v)| Locale::parse(&v))
}

/// Query `locale`, else the order's; by default Arabic online (Tamara's default for new
/// shoppers) and English in-store (like the SMS).
fn page_locale(o: &StoredOrder, q: Option<Locale>) -> Locale {
    q.or_else(|| o.locale()).unwrap_or(match o.request {
        OrderRequest::Online(_) => Locale::ArSa,
        _ => Locale::EnUs,
    })
}

fn lines(o: &StoredOrder) -> Vec<LineView> {
    o.items()
        .iter()
        .map(|i| LineView {
            name: i.name.clone(),
            quantity: i.quantity,
            total: i.total_amount,
        })
        .collect()
}

/// Looks the session up and runs its timers. `None` for an unknown checkout id.
fn find(inner: &mut Inner, checkout_id: &str, jobs: &mut Vec<String>) -> Option<StoredOrder> {
    let id = inner.order_id_by_checkout(checkout_id)?;
    inner.order(&id, jobs).ok().cloned()
}

/// Whether a session belongs on the online checkout page (else on the in-store pay page).
fn is_online(o: &StoredOrder) -> bool {
    matches!(o.request, OrderRequest::Online(_))
}

/// The notice for a session that can no longer be used, if it cannot.
fn closed(o: &StoredOrder, now: Timestamp) -> Option<(StatusCode, Notice)> {
    match &o.state.status {
        OrderStatus::New if now >= o.state.expires_at => Some((StatusCode::GONE, Notice::Expired)),
        OrderStatus::New => None,
        OrderStatus::Expired => Some((StatusCode::GONE, Notice::Expired)),
        OrderStatus::Canceled => Some((StatusCode::CONFLICT, Notice::Voided)),
        s => Some((StatusCode::CONFLICT, Notice::AlreadyDecided(s.clone()))),
    }
}

/// The session shown by a `GET` page (timers run first), the sandbox time and the page
/// language; or the not-found page when the id is unknown or belongs to the other page
/// (`online`: the checkout page, else the pay-link page).
fn load_page(
    st: &SandboxState,
    checkout_id: &str,
    q: Option<&str>,
    online: bool,
) -> Result<(StoredOrder, Timestamp, Locale), Box<Response>> {
    let qloc = query_locale(q);
    let mut jobs = Vec::new();
    let (found, now) = {
        let mut inner = st.lock();
        (find(&mut inner, checkout_id, &mut jobs), inner.now())
    };
    st.finish(jobs);
    let Some(o) = found else {
        return Err(Box::new(notice(
            StatusCode::NOT_FOUND,
            Notice::NotFound,
            &qloc.unwrap_or(Locale::EnUs),
        )));
    };
    let locale = page_locale(&o, qloc);
    if is_online(&o) != online {
        return Err(Box::new(notice(
            StatusCode::NOT_FOUND,
            Notice::NotFound,
            &locale,
        )));
    }
    Ok((o, now, locale))
}

/// What a form post does: the event to apply and the page to answer once it applied; or the
/// page to answer at once (bad input).
type Decision = Result<(Event, Ctx, Response), Box<Response>>;

/// Handles a form post to a page: reads the form, looks the open session up (not found,
/// wrong page, expired or decided sessions get their notice), lets `decide` pick the event
/// from the session, its language, the `action` and the `phone` field, and applies it. A
/// refused transition is shown under `fail_title`.
async fn submit(
    st: SandboxState,
    checkout_id: String,
    headers: HeaderMap,
    body: Body,
    online: bool,
    fail_title: &str,
    decide: impl FnOnce(&StoredOrder, &Locale, &str, &str) -> Decision,
) -> Response {
    let bytes = match read_body(&headers, body).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let (action, phone) = form(&bytes);
    let mut jobs = Vec::new();
    let resp = (|| {
        let mut inner = st.lock();
        let now = inner.now();
        let Some(o) = find(&mut inner, &checkout_id, &mut jobs) else {
            return notice(StatusCode::NOT_FOUND, Notice::NotFound, &Locale::EnUs);
        };
        let locale = page_locale(&o, None);
        if is_online(&o) != online {
            return notice(StatusCode::NOT_FOUND, Notice::NotFound, &locale);
        }
        if let Some((status, n)) = closed(&o, now) {
            return notice(status, n, &locale);
        }
        let (event, ctx, ok) = match decide(&o, &locale, &action, &phone) {
            Ok(d) => d,
            Err(page) => return *page,
        };
        match inner.apply(o.order_id.as_str(), &event, ctx, &mut jobs) {
            Ok(_) => ok,
            Err(e) => html(
                e.status,
                pages::render_message(
                    if locale.is_arabic() {
                        "تعذّر إتمام العملية"
                    } else {
                        fail_title
                    },
                    &e.message,
                    &locale,
                ),
            ),
        }
    })();
    st.finish(jobs);
    resp
}

/// The 400 page for an unknown form `action`.
fn unknown_action(expected: &str, locale: &Locale) -> Box<Response> {
    Box::new(html(
        StatusCode::BAD_REQUEST,
        pages::render_message(
            "Unknown action",
            &format!("The form field `action` must be {expected}."),
            locale,
        ),
    ))
}

/// Declined with these details.
fn declined(info: DeclineInfo) -> Ctx {
    Ctx {
        decline: Some(info),
        ..Ctx::default()
    }
}

async fn checkout_page(
    State(st): State<SandboxState>,
    Path(checkout_id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let (o, now, locale) = match load_page(&st, &checkout_id, q.as_deref(), true) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let OrderRequest::Online(req) = &o.request else {
        return notice(StatusCode::NOT_FOUND, Notice::NotFound, &locale);
    };
    let view = CheckoutPageView {
        checkout_id: o.checkout_id.to_string(),
        order_id: o.order_id.to_string(),
        order_reference_id: o.order_reference_id.to_string(),
        merchant_name: MERCHANT_NAME.to_owned(),
        items: lines(&o),
        shipping: req.shipping_amount,
        tax: req.tax_amount,
        discount: req.discount.as_ref().map(|d| d.amount),
        total: o.state.total,
        instalments: o.plan().1.unwrap_or(1),
        consumer_phone: req.consumer.phone_number.clone(),
        locale,
        status: o.state.status.clone(),
        expires_at: o.state.expires_at,
        now,
    };
    let status = closed(&o, now).map(|c| c.0).unwrap_or(StatusCode::OK);
    html(status, pages::render_checkout(&view))
}

fn form(bytes: &[u8]) -> (String, String) {
    let text = String::from_utf8_lossy(bytes);
    let pairs = parse_query(&text);
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(pk, _)| pk == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    (get("action"), get("phone"))
}

fn redirect(url: &str, order_id: &str, status: &str) -> Response {
    let location = append_query(
        url,
        &[
            ("orderId", order_id.to_owned()),
            ("paymentStatus", status.to_owned()),
        ],
    );
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
    )
        .into_response()
}

async fn checkout_submit(
    State(st): State<SandboxState>,
    Path(checkout_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    submit(
        st,
        checkout_id,
        headers,
        body,
        true,
        "Checkout not possible",
        |o, locale, action, phone| {
            let (OrderRequest::Online(req), Some(urls)) = (&o.request, o.merchant_url()) else {
                return Err(Box::new(notice(
                    StatusCode::NOT_FOUND,
                    Notice::NotFound,
                    locale,
                )));
            };
            let (event, ctx, url, status) = match action {
                "pay" => {
                    let raw = if phone.is_empty() {
                        req.consumer.phone_number.as_str()
                    } else {
                        phone
                    };
                    let Ok(p) = Phone::parse(raw, o.country) else {
                        return Err(Box::new(html(
                            StatusCode::BAD_REQUEST,
                            if locale.is_arabic() {
                                pages::render_message(
                                    "رقم الجوال غير صالح",
                                    "أدخل رقم جوال من بلد الطلب، مثل 544337866.",
                                    locale,
                                )
                            } else {
                                pages::render_message(
                                    "Invalid phone number",
                                    "Enter a mobile number of the order's country, e.g. 544337866.",
                                    locale,
                                )
                            },
                        )));
                    };
                    if p.national() == DECLINE_PHONE {
                        let ctx = declined(DeclineInfo::risk());
                        (Event::Decline, ctx, &urls.failure, "declined")
                    } else {
                        (Event::Approve, Ctx::default(), &urls.success, "approved")
                    }
                }
                "decline" => {
                    let ctx = declined(DeclineInfo::by_customer());
                    (Event::Decline, ctx, &urls.failure, "declined")
                }
                "cancel" => (Event::Expire, Ctx::default(), &urls.cancel, "canceled"),
                _ => return Err(unknown_action("pay, decline or cancel", locale)),
            };
            Ok((event, ctx, redirect(url, o.order_id.as_str(), status)))
        },
    )
    .await
}

async fn pay_page(
    State(st): State<SandboxState>,
    Path(checkout_id): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let (o, now, locale) = match load_page(&st, &checkout_id, q.as_deref(), false) {
        Ok(found) => found,
        Err(page) => return *page,
    };
    let view = PayLinkPageView {
        checkout_id: o.checkout_id.to_string(),
        order_id: o.order_id.to_string(),
        order_reference_id: o.order_reference_id.to_string(),
        merchant_name: MERCHANT_NAME.to_owned(),
        items: lines(&o),
        total: o.state.total,
        instalments: o.plan().1.unwrap_or(1),
        consumer_phone: o
            .phone()
            .and_then(|p| Phone::parse(p, o.country).ok())
            .map(|p| p.national().to_owned())
            .unwrap_or_default(),
        locale,
        status: o.state.status.clone(),
        expires_at: o.state.expires_at,
        now,
    };
    let status = closed(&o, now).map(|c| c.0).unwrap_or(StatusCode::OK);
    html(status, pages::render_pay_link(&view))
}

async fn pay_submit(
    State(st): State<SandboxState>,
    Path(checkout_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    submit(
        st,
        checkout_id,
        headers,
        body,
        false,
        "Payment not possible",
        |o, locale, action, phone| {
            let declined_phone = !phone.is_empty()
                && Phone::parse(phone, o.country).is_ok_and(|p| p.national() == DECLINE_PHONE);
            let (event, ctx, n) = match action {
                "pay" if declined_phone => (
                    Event::Decline,
                    declined(DeclineInfo::risk()),
                    Notice::Declined,
                ),
                "pay" => (Event::PayInStore, Ctx::default(), Notice::Paid),
                "decline" => (
                    Event::Decline,
                    declined(DeclineInfo::by_customer()),
                    Notice::Declined,
                ),
                _ => return Err(unknown_action("pay or decline", locale)),
            };
            Ok((event, ctx, notice(StatusCode::OK, n, locale)))
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_decoded() {
        assert_eq!(
            form(b"action=pay&phone=%2B966+526422337"),
            ("pay".to_owned(), "+966 526422337".to_owned())
        );
        assert_eq!(form(b"garbage"), (String::new(), String::new()));
        assert_eq!(
            query_locale(Some("locale=ar_SA&orderId=1")),
            Some(Locale::ArSa)
        );
        assert_eq!(query_locale(Some("locale=")), None);
        assert_eq!(query_locale(None), None);
    }
}
