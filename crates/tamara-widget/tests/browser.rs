//! Browser tests (headless Chromium via wasm-bindgen-test-runner):
//! `CHROMEDRIVER=/usr/bin/chromedriver CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
//! cargo test -p tamara-widget --target wasm32-unknown-unknown`.
//!
//! The Worker is replaced by a `window.fetch` mock (inline JS below) that records every
//! request, so the widget runs its real gloo-net code path.
#![cfg(target_arch = "wasm32")]

use tamara_widget::{mount, TamaraWidget};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
const money = (minor) => ({ amount: (minor / 100).toFixed(2), minor, currency: "SAR" });
export function options_for(minor) {
  return JSON.stringify({
    available: true, amount: money(minor), reason: null,
    options: [{ payment_type: "PAY_BY_INSTALMENTS", instalments: 4, instalment_amount: money(Math.ceil(minor / 4)),
      label_en: "Split in 4 payments, no interest or hidden fees", label_ar: "قسّمها على 4 دفعات بدون فوائد" }],
    min_limit: money(10000), max_limit: money(500000),
  });
}
export function unavailable() { return JSON.stringify({
  available: false, amount: money(5750),
  reason: { code: "amount_below_minimum", message: "Tamara is available from 100.00 SAR" },
  options: [], min_limit: money(10000), max_limit: money(500000),
}); }

// routes: [{method, path, status, body (JSON text), delay, network_error}], first prefix match wins.
export function install_mock(routes_json) {
  const routes = JSON.parse(routes_json);
  window.__twCalls = [];
  window.fetch = async (input, init) => {
    const req = input instanceof Request ? input : new Request(input, init);
    const url = new URL(req.url);
    const path = url.pathname + url.search;
    const body = req.method === "POST" ? await req.text() : null;
    const headers = [...req.headers.keys()].join(",");
    window.__twCalls.push({ method: req.method, path, key: req.headers.get("Idempotency-Key"), headers, body });
    const route = routes.find((r) => r.method === req.method && path.startsWith(r.path));
    if (route?.delay) await new Promise((r) => setTimeout(r, route.delay));
    if (!route) return new Response('{"error":{"code":"not_found","message":"no mock"}}', { status: 404 });
    if (route.network_error) throw new TypeError("Failed to fetch");
    return new Response(route.body, { status: route.status ?? 200, headers: { "content-type": "application/json" } });
  };
}
export function route(method, path, status, body, delay, network_error) {
  return { method, path, status, body, delay, network_error };
}
export function routes_json(list) { return JSON.stringify(list); }
export function count_calls(method, prefix) {
  return window.__twCalls.filter((c) => c.method === method && c.path.startsWith(prefix)).length;
}
export function call_field(method, prefix, index, field) {
  const list = window.__twCalls.filter((c) => c.method === method && c.path.startsWith(prefix));
  return String(list[index]?.[field] ?? "");
}
export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }
export function host() {
  const el = document.createElement("div");
  document.body.append(el);
  el.__events = [];
  for (const type of ["tamara-ready", "tamara-availability", "tamara-error", "tamara-redirect"]) {
    el.addEventListener(type, (e) => {
      el.__events.push({ type, detail: e.detail });
      if (type === "tamara-redirect") e.preventDefault(); // stay on the test page
    });
  }
  return el;
}
export function events(el, type) { return el.__events.filter((e) => e.type === type).length; }
export function event_detail(el, type, field) {
  const list = el.__events.filter((e) => e.type === type);
  const d = list[list.length - 1]?.detail ?? {};
  return JSON.stringify(d[field] ?? null);
}
export function q_text(el, selector) { return el.shadowRoot?.querySelector(selector)?.textContent ?? null; }
export function q_attr(el, selector, name) { return el.shadowRoot?.querySelector(selector)?.getAttribute(name) ?? null; }
export function q_count(el, selector) { return el.shadowRoot?.querySelectorAll(selector).length ?? 0; }
export function q_prop(el, selector, name) { return String(el.shadowRoot?.querySelector(selector)?.[name]); }
export function click(el, selector) { el.shadowRoot.querySelector(selector).click(); }
export function json(text) { return JSON.parse(text); }
export function with_prefetch_from(options, url) {
  const answer = fetch(url).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
  return { ...options, prefetch: { url, answer } };
}
export function with_prefetch(options, path) {
  const url = `http://worker.test${path}`;
  const answer = fetch(url).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
  return { ...options, prefetch: { url, answer } };
}
"#)]
extern "C" {
    fn unavailable() -> String;
    fn options_for(minor: u32) -> String;
    fn install_mock(routes_json: &str);
    fn route(
        method: &str,
        path: &str,
        status: u16,
        body: &str,
        delay: u32,
        network_error: bool,
    ) -> JsValue;
    fn routes_json(list: &js_sys::Array) -> String;
    fn count_calls(method: &str, prefix: &str) -> u32;
    fn call_field(method: &str, prefix: &str, index: u32, field: &str) -> String;
    fn sleep(ms: u32) -> js_sys::Promise;
    fn host() -> Element;
    fn events(el: &Element, kind: &str) -> u32;
    fn event_detail(el: &Element, kind: &str, field: &str) -> String;
    fn q_text(el: &Element, selector: &str) -> Option<String>;
    fn q_attr(el: &Element, selector: &str, name: &str) -> Option<String>;
    fn q_count(el: &Element, selector: &str) -> u32;
    fn q_prop(el: &Element, selector: &str, name: &str) -> String;
    fn click(el: &Element, selector: &str);
    fn json(text: &str) -> JsValue;
    fn with_prefetch(options: &JsValue, path: &str) -> JsValue;
    fn with_prefetch_from(options: &JsValue, url: &str) -> JsValue;
}

const CHECKOUT_OK: &str = r#"{"order_id":"ord_1","checkout_url":"http://sandbox.test/checkout/c1","order_reference_id":"R1","total":{"amount":"230.00","minor":23000,"currency":"SAR"}}"#;
const CART_4_TSHIRTS: &str = r#"{"items":[{"sku":"TSHIRT-1","quantity":4}]}"#;
const CUSTOMER: &str = r#"{"first_name":"Mona","last_name":"Ali","phone_number":"544337866","email":"mona@example.com"}"#;
const ADDRESS: &str = r#"{"first_name":"Mona","last_name":"Ali","line1":"King Fahd Rd","city":"Riyadh","country_code":"SA"}"#;

fn routes(list: Vec<JsValue>) -> String {
    routes_json(&list.into_iter().collect())
}

fn get(path: &str, body: &str) -> JsValue {
    route("GET", path, 200, body, 0, false)
}

const TSHIRTS_4: &str = "/api/payment-options?country=SA&currency=SAR&items=TSHIRT-1:4";
const MUG_1: &str = "/api/payment-options?country=SA&currency=SAR&items=MUG-1:1";

fn happy_routes(extra: Vec<JsValue>) -> String {
    let mut list = extra;
    list.push(get(TSHIRTS_4, &options_for(23000)));
    list.push(get(MUG_1, &options_for(11500)));
    list.push(get("/api/payment-options", &options_for(5750)));
    routes(list)
}

fn state(widget: &TamaraWidget) -> String {
    widget.state().as_string().unwrap_or_default()
}

fn lang(widget: &TamaraWidget, lang: &str) {
    widget
        .set_lang(JsValue::from_str(lang))
        .map_err(JsValue::from)
        .unwrap();
}

async fn pause(ms: u32) {
    let _ = JsFuture::from(sleep(ms)).await;
}

async fn wait_state(widget: &TamaraWidget, state: &str) {
    for _ in 0..400 {
        if self::state(widget) == state {
            return;
        }
        pause(5).await;
    }
    panic!(
        "timed out waiting for state {state}, still {}",
        self::state(widget)
    );
}

fn options(lang: &str, cart: &str) -> JsValue {
    json(&format!(
        r#"{{"workerUrl":"http://worker.test","country":"SA","currency":"SAR","lang":"{lang}","cart":{cart}}}"#
    ))
}

fn mount_with(el: &Element, lang: &str, cart: &str) -> TamaraWidget {
    mount(el, &options(lang, cart))
        .map_err(JsValue::from)
        .expect("mount")
}

#[wasm_bindgen_test]
async fn renders_the_option_in_english() {
    install_mock(&happy_routes(vec![]));
    let el = host();
    let widget = mount_with(&el, "en", CART_4_TSHIRTS);
    assert_eq!(events(&el, "tamara-ready"), 1);
    wait_state(&widget, "ready").await;

    // One request, SKUs and quantities only: the Worker prices them (4 × 57.50 = 230.00). A
    // plain GET without custom headers (no CORS preflight); no catalog request.
    assert_eq!(count_calls("GET", "/api/"), 1);
    assert_eq!(count_calls("GET", TSHIRTS_4), 1);
    assert_eq!(call_field("GET", TSHIRTS_4, 0, "headers"), "");
    assert_eq!(
        q_text(&el, ".tw-text").as_deref(),
        Some("4 interest-free payments of SAR\u{a0}57.50")
    );
    assert_eq!(
        q_text(&el, ".tw-label").as_deref(),
        Some("Split in 4 payments, no interest or hidden fees")
    );
    assert_eq!(q_text(&el, ".tw-title").as_deref(), Some("Pay with Tamara"));
    assert_eq!(q_attr(&el, ".tw", "dir").as_deref(), Some("ltr"));
    assert_eq!(q_attr(&el, ".tw", "lang").as_deref(), Some("en"));
    assert_eq!(q_attr(&el, ".tw", "data-state").as_deref(), Some("ready"));
    // Accessible: logo as an image, options as a labelled radio group, live regions.
    assert_eq!(q_attr(&el, "svg.tw-logo", "role").as_deref(), Some("img"));
    assert_eq!(
        q_attr(&el, "svg.tw-logo", "aria-label").as_deref(),
        Some("Tamara")
    );
    assert_eq!(
        q_attr(&el, "[role=radiogroup]", "aria-labelledby").as_deref(),
        Some("tw-title")
    );
    assert_eq!(q_count(&el, "label.tw-option input[type=radio]"), 1);
    assert_eq!(q_prop(&el, "input[type=radio]", "checked"), "true");
    assert_eq!(
        q_attr(&el, ".tw-status", "aria-live").as_deref(),
        Some("polite")
    );
    assert_eq!(q_attr(&el, ".tw-alert", "role").as_deref(), Some("alert"));
    assert_eq!(
        q_text(&el, "button.tw-btn").as_deref(),
        Some("Continue with Tamara")
    );
    assert_eq!(q_prop(&el, "button.tw-btn", "hidden"), "false");
    assert_eq!(q_prop(&el, "button.tw-btn", "disabled"), "false");
    assert_eq!(events(&el, "tamara-availability"), 1);
    assert_eq!(
        event_detail(&el, "tamara-availability", "available"),
        "true"
    );
    // The detail is the Worker's answer: the priced total is there.
    assert!(event_detail(&el, "tamara-availability", "amount").contains(r#""minor":23000"#));
    widget.destroy();
}

/// A fresh mock Worker and host, the widget mounted with `options()` (made after the mock is
/// in place: a prefetch goes through it) and ready.
async fn mounted_ready(options: impl FnOnce() -> JsValue) -> (Element, TamaraWidget) {
    install_mock(&happy_routes(vec![]));
    let el = host();
    let widget = mount(&el, &options()).map_err(JsValue::from).unwrap();
    wait_state(&widget, "ready").await;
    (el, widget)
}

#[wasm_bindgen_test]
async fn a_prefetched_answer_saves_the_request() {
    // The page sent the widget's first query already (the custom element does while the wasm
    // loads): no second request.
    let (el, widget) =
        mounted_ready(|| with_prefetch(&options("en", CART_4_TSHIRTS), TSHIRTS_4)).await;
    assert_eq!(count_calls("GET", "/api/"), 1);
    assert_eq!(
        q_text(&el, ".tw-text").as_deref(),
        Some("4 interest-free payments of SAR\u{a0}57.50")
    );
    widget.destroy();

    // A prefetch for another query is not used: the widget asks for its own.
    let (el, widget) = mounted_ready(|| with_prefetch(&options("en", CART_4_TSHIRTS), MUG_1)).await;
    assert_eq!(count_calls("GET", TSHIRTS_4), 1);
    assert_eq!(
        q_text(&el, ".tw-text").as_deref(),
        Some("4 interest-free payments of SAR\u{a0}57.50")
    );
    widget.destroy();

    // Nor one from another origin, even for the same path.
    let other = cat_url("http://other.test", TSHIRTS_4);
    let (_, widget) =
        mounted_ready(|| with_prefetch_from(&options("en", CART_4_TSHIRTS), &other)).await;
    assert_eq!(count_calls("GET", TSHIRTS_4), 2);
    widget.destroy();
}

fn cat_url(base: &str, path: &str) -> String {
    format!("{base}{path}")
}

#[wasm_bindgen_test]
async fn unknown_sku_from_the_worker_is_explained() {
    install_mock(&routes(vec![route(
        "GET",
        "/api/payment-options",
        422,
        r#"{"error":{"code":"unknown_sku","message":"unknown SKU: GONE-9"}}"#,
        0,
        false,
    )]));
    let el = host();
    let widget = mount_with(&el, "en", r#"{"items":[{"sku":"GONE-9","quantity":1}]}"#);
    wait_state(&widget, "error").await;
    assert_eq!(
        call_field("GET", "/api/payment-options", 0, "path"),
        "/api/payment-options?country=SA&currency=SAR&items=GONE-9:1"
    );
    assert_eq!(
        q_text(&el, ".tw-alert").as_deref(),
        Some("A product in your cart is no longer sold (unknown SKU: GONE-9).")
    );
    assert_eq!(
        event_detail(&el, "tamara-error", "code"),
        r#""unknown_sku""#
    );
    // An invalid line is not sent at all.
    widget
        .set_cart(json(r#"{"items":[{"sku":"MUG-1","quantity":1000}]}"#))
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(count_calls("GET", "/api/payment-options"), 1);
    assert_eq!(
        event_detail(&el, "tamara-error", "code"),
        r#""invalid_cart""#
    );
    widget.destroy();
}

#[wasm_bindgen_test]
async fn arabic_is_right_to_left() {
    install_mock(&happy_routes(vec![]));
    let el = host();
    let widget = mount_with(&el, "ar", CART_4_TSHIRTS);
    wait_state(&widget, "ready").await;
    assert_eq!(q_attr(&el, ".tw", "dir").as_deref(), Some("rtl"));
    assert_eq!(q_attr(&el, ".tw", "lang").as_deref(), Some("ar"));
    assert_eq!(q_text(&el, ".tw-title").as_deref(), Some("ادفع مع تمارا"));
    let text = q_text(&el, ".tw-text").unwrap_or_default();
    assert!(text.starts_with("4 دفعات بدون فوائد بقيمة"), "{text}");
    assert!(text.contains("57.50"), "Latin digits from Intl: {text}");
    assert_eq!(
        q_text(&el, "button.tw-btn").as_deref(),
        Some("المتابعة مع تمارا")
    );
    assert_eq!(q_text(&el, ".tw-logo text").as_deref(), Some("تمارا"));
    // Switching language re-renders without a new request.
    let calls = count_calls("GET", "/api/payment-options");
    lang(&widget, "en");
    assert_eq!(q_attr(&el, ".tw", "dir").as_deref(), Some("ltr"));
    assert_eq!(q_text(&el, ".tw-title").as_deref(), Some("Pay with Tamara"));
    assert_eq!(count_calls("GET", "/api/payment-options"), calls);
    widget.destroy();
}

#[wasm_bindgen_test]
async fn unavailable_says_why() {
    install_mock(&routes(vec![get("/api/payment-options", &unavailable())]));
    let el = host();
    let widget = mount_with(&el, "en", r#"{"items":[{"sku":"TSHIRT-1","quantity":1}]}"#);
    wait_state(&widget, "unavailable").await;
    let status = q_text(&el, ".tw-status").unwrap_or_default();
    assert!(
        status.starts_with(
            "Tamara isn't available for this order: the order total is below Tamara's minimum."
        ),
        "{status}"
    );
    assert!(
        status.contains("SAR\u{a0}100.00") && status.contains("SAR\u{a0}5,000.00"),
        "{status}"
    );
    assert_eq!(q_prop(&el, "button.tw-btn", "hidden"), "true");
    assert_eq!(q_count(&el, "input[type=radio]"), 0);
    assert_eq!(
        event_detail(&el, "tamara-availability", "available"),
        "false"
    );
    assert!(event_detail(&el, "tamara-availability", "reason").contains("amount_below_minimum"));
    lang(&widget, "ar");
    let status = q_text(&el, ".tw-status").unwrap_or_default();
    assert!(status.contains("أقل من الحد الأدنى"), "{status}");
    widget.destroy();
}

#[wasm_bindgen_test]
async fn errors_have_a_message_and_a_working_retry() {
    install_mock(&routes(vec![route(
        "GET",
        "/api/payment-options",
        503,
        r#"{"error":{"code":"upstream_unavailable","message":"Tamara did not answer"}}"#,
        0,
        false,
    )]));
    let el = host();
    let widget = mount_with(&el, "en", CART_4_TSHIRTS);
    wait_state(&widget, "error").await;
    assert_eq!(
        q_text(&el, ".tw-alert").as_deref(),
        Some("Tamara payment options couldn't be loaded. Please try again.")
    );
    assert_eq!(q_text(&el, "button.tw-btn").as_deref(), Some("Try again"));
    assert_eq!(
        q_attr(&el, "button.tw-btn", "data-action").as_deref(),
        Some("retry")
    );
    assert_eq!(
        event_detail(&el, "tamara-error", "code"),
        r#""upstream_unavailable""#
    );
    assert_eq!(event_detail(&el, "tamara-error", "stage"), r#""options""#);

    // The service is back: "Try again" works.
    install_mock(&happy_routes(vec![]));
    click(&el, "button.tw-btn");
    wait_state(&widget, "ready").await;
    assert_eq!(q_text(&el, ".tw-alert").as_deref(), Some(""));
    assert_eq!(count_calls("GET", "/api/payment-options"), 1);

    // Offline: a network error has its own message.
    install_mock(&routes(vec![route(
        "GET",
        "/api/payment-options",
        0,
        "",
        0,
        true,
    )]));
    widget
        .set_cart(json(r#"{"items":[{"sku":"MUG-1","quantity":1}]}"#))
        .map_err(JsValue::from)
        .unwrap();
    wait_state(&widget, "error").await;
    assert!(q_text(&el, ".tw-alert")
        .unwrap_or_default()
        .starts_with("We couldn't reach the payment service"));
    assert_eq!(
        event_detail(&el, "tamara-error", "code"),
        r#""network_error""#
    );
    widget.destroy();
}

#[wasm_bindgen_test]
async fn cart_changes_render_once_and_same_cart_not_at_all() {
    install_mock(&happy_routes(vec![]));
    let el = host();
    let widget = mount_with(&el, "en", CART_4_TSHIRTS);
    wait_state(&widget, "ready").await;
    let renders = widget.render_count();
    let calls = count_calls("GET", "/api/payment-options");

    // Same cart (also as a new object): no request, no DOM work.
    for _ in 0..3 {
        widget
            .set_cart(json(CART_4_TSHIRTS))
            .map_err(JsValue::from)
            .unwrap();
    }
    // The same lines split differently: the same query, nothing either.
    widget
        .set_cart(json(
            r#"{"items":[{"sku":"TSHIRT-1","quantity":2},{"sku":"TSHIRT-1","quantity":2}]}"#,
        ))
        .map_err(JsValue::from)
        .unwrap();
    pause(30).await;
    assert_eq!(widget.render_count(), renders);
    assert_eq!(count_calls("GET", "/api/payment-options"), calls);

    // A real change: one request, exactly two renders (loading, ready).
    widget
        .set_cart(json(r#"{"items":[{"sku":"MUG-1","quantity":1}]}"#))
        .map_err(JsValue::from)
        .unwrap();
    wait_state(&widget, "ready").await;
    pause(20).await;
    assert_eq!(count_calls("GET", "/api/payment-options"), calls + 1);
    assert_eq!(widget.render_count(), renders + 2);
    assert_eq!(
        q_text(&el, ".tw-text").as_deref(),
        Some("4 interest-free payments of SAR\u{a0}28.75")
    );
    assert_eq!(count_calls("GET", MUG_1), 1);
    assert_eq!(count_calls("GET", "/api/catalog"), 0, "no catalog request");

    // Empty cart: idle, no request.
    widget
        .set_cart(JsValue::NULL)
        .map_err(JsValue::from)
        .unwrap();
    assert_eq!(state(&widget), "idle");
    assert_eq!(count_calls("GET", "/api/payment-options"), calls + 1);
    widget.destroy();
}

#[wasm_bindgen_test]
async fn double_click_creates_one_checkout() {
    install_mock(&happy_routes(vec![route(
        "POST",
        "/api/checkout",
        201,
        CHECKOUT_OK,
        150,
        false,
    )]));
    let el = host();
    let widget = mount_with(&el, "en", CART_4_TSHIRTS);
    wait_state(&widget, "ready").await;

    // Without details: a clear message, no request.
    click(&el, "button.tw-btn");
    assert!(q_text(&el, ".tw-alert")
        .unwrap_or_default()
        .starts_with("Please complete your details"));
    assert_eq!(count_calls("POST", "/api/checkout"), 0);
    assert_eq!(event_detail(&el, "tamara-error", "stage"), r#""input""#);

    widget
        .set_customer(json(CUSTOMER))
        .map_err(JsValue::from)
        .unwrap();
    widget
        .set_shipping_address(json(ADDRESS))
        .map_err(JsValue::from)
        .unwrap();
    wait_state(&widget, "ready").await; // the phone joined the options query

    click(&el, "button.tw-btn");
    click(&el, "button.tw-btn");
    assert_eq!(state(&widget), "submitting");
    assert_eq!(q_prop(&el, "button.tw-btn", "disabled"), "true");
    assert_eq!(q_attr(&el, ".tw", "aria-busy").as_deref(), Some("true"));
    click(&el, "button.tw-btn");
    widget
        .set_cart(json(CART_4_TSHIRTS))
        .map_err(JsValue::from)
        .unwrap();

    // The host cancels `tamara-redirect` (see `host()`), so the widget comes back to ready.
    for _ in 0..200 {
        if events(&el, "tamara-redirect") > 0 {
            break;
        }
        pause(5).await;
    }
    assert_eq!(count_calls("POST", "/api/checkout"), 1);
    let key = call_field("POST", "/api/checkout", 0, "key");
    assert!(key.starts_with("tw-") && key.len() <= 128, "{key}");
    let body = call_field("POST", "/api/checkout", 0, "body");
    assert!(
        body.contains(r#""cart":{"items":[{"sku":"TSHIRT-1","quantity":4}]}"#),
        "{body}"
    );
    assert!(
        !body.contains("price") && !body.contains("amount"),
        "no prices: {body}"
    );
    assert!(
        body.contains(r#""signed_cart":null"#) && body.contains(r#""locale":"en_US""#),
        "{body}"
    );
    assert!(
        body.contains(r#""consumer":{"first_name":"Mona""#),
        "{body}"
    );
    assert_eq!(
        event_detail(&el, "tamara-redirect", "checkout_url"),
        r#""http://sandbox.test/checkout/c1""#
    );
    assert_eq!(state(&widget), "ready");

    // A new attempt after a canceled redirect gets a new key.
    click(&el, "button.tw-btn");
    wait_state(&widget, "ready").await;
    assert_eq!(count_calls("POST", "/api/checkout"), 2);
    assert_ne!(call_field("POST", "/api/checkout", 1, "key"), key);
    widget.destroy();
}

#[wasm_bindgen_test]
async fn retry_after_a_network_error_reuses_the_key() {
    install_mock(&happy_routes(vec![route(
        "POST",
        "/api/checkout",
        0,
        "",
        0,
        true,
    )]));
    let el = host();
    let widget = mount_with(&el, "en", CART_4_TSHIRTS);
    widget
        .set_customer(json(CUSTOMER))
        .map_err(JsValue::from)
        .unwrap();
    widget
        .set_shipping_address(json(ADDRESS))
        .map_err(JsValue::from)
        .unwrap();
    wait_state(&widget, "ready").await;
    click(&el, "button.tw-btn");
    wait_state(&widget, "error").await;
    assert_eq!(q_text(&el, "button.tw-btn").as_deref(), Some("Try again"));
    assert_eq!(event_detail(&el, "tamara-error", "stage"), r#""checkout""#);

    install_mock(&happy_routes(vec![route(
        "POST",
        "/api/checkout",
        201,
        CHECKOUT_OK,
        0,
        false,
    )]));
    let first_key = {
        // The failed call was recorded by the previous mock; the retry goes to the new one.
        click(&el, "button.tw-btn");
        wait_state(&widget, "ready").await;
        call_field("POST", "/api/checkout", 0, "key")
    };
    assert!(
        first_key.ends_with("-1"),
        "same attempt, same key: {first_key}"
    );
    assert_eq!(events(&el, "tamara-redirect"), 1);

    // A 4xx validation error: back to the option, in words (never the Worker's field paths).
    install_mock(&happy_routes(vec![route(
        "POST",
        "/api/checkout",
        422,
        r#"{"error":{"code":"invalid_request","message":"phone_number must be a Saudi mobile number"}}"#,
        0,
        false,
    )]));
    click(&el, "button.tw-btn");
    for _ in 0..200 {
        if events(&el, "tamara-error") >= 2 {
            break;
        }
        pause(5).await;
    }
    assert_eq!(state(&widget), "ready");
    assert_eq!(
        q_text(&el, ".tw-alert").as_deref(),
        Some("Tamara checkout couldn't be started: please check your details and try again.")
    );
    widget.destroy();
}

#[wasm_bindgen_test]
async fn destroy_removes_everything_and_ignores_late_answers() {
    install_mock(&routes(vec![route(
        "GET",
        "/api/payment-options",
        200,
        &options_for(23000),
        100,
        false,
    )]));
    let el = host();
    let widget = mount_with(&el, "en", CART_4_TSHIRTS);
    pause(30).await;
    assert_eq!(state(&widget), "loading");
    widget.destroy();
    assert_eq!(state(&widget), "destroyed");
    assert_eq!(q_count(&el, "*"), 0);
    pause(150).await;
    assert_eq!(q_count(&el, "*"), 0);
    assert_eq!(events(&el, "tamara-availability"), 0);
    // The element can be mounted again (the shadow root is reused).
    install_mock(&happy_routes(vec![]));
    let again = mount_with(&el, "en", CART_4_TSHIRTS);
    wait_state(&again, "ready").await;
    again.destroy();
    el.remove();
}

#[wasm_bindgen_test]
fn bad_options_are_refused() {
    let el = host();
    let bad = json(r#"{"country":"US"}"#);
    assert!(mount(&el, &bad).is_err());
    let bad = json(r#"{"country":"SA","currency":"AED"}"#);
    assert!(mount(&el, &bad).is_err());
    let ok = mount(&el, &json(r#"{"country":"KW"}"#))
        .map_err(JsValue::from)
        .unwrap();
    assert!(ok
        .set_cart(json(r#"{"items":[{"sku":"A","quantity":"two"}]}"#))
        .is_err());
    ok.destroy();
}

#[wasm_bindgen(inline_js = r#"
export function intl_money(locale, currency, digits, decimal) {
  return new Intl.NumberFormat(locale, {
    style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(decimal);
}
"#)]
extern "C" {
    fn intl_money(locale: &str, currency: &str, digits: u32, decimal: &str) -> String;
}

/// The widget formats money by hand (no ICU set-up on the first render): its text must be
/// exactly what this browser's `Intl.NumberFormat` prints, for every Gulf currency, both
/// languages, with and without thousands separators.
#[wasm_bindgen_test]
fn money_text_is_what_intl_prints() {
    use tamara_widget::state::{country_currency, minor_to_decimal, money_text, Lang};
    let mut checked = 0;
    for country in ["SA", "AE", "QA", "KW", "BH", "OM"] {
        let currency = country_currency(country).unwrap();
        let exponent = if matches!(currency, "KWD" | "BHD" | "OMR") {
            3
        } else {
            2
        };
        for lang in [Lang::En, Lang::Ar] {
            for minor in [
                0,
                5,
                5_750,
                99_999,
                100_000,
                123_456,
                1_234_567_891,
                100_000_000_000,
            ] {
                let decimal = minor_to_decimal(minor, exponent);
                let want = intl_money(&lang.number_locale(country), currency, exponent, &decimal);
                assert_eq!(
                    money_text(lang, currency, exponent, minor),
                    want,
                    "{country} {lang:?} {decimal}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 96);
}
