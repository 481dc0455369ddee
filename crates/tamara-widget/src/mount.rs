//! The exported mount API: glue between the pure state, the view and the Worker.

use crate::api;
use crate::js::{self, Bad};
use crate::state::{cat, Config, Effect, Input, Lang, ReturnUrls, Widget};
use crate::view::{Action, View};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, Element};

struct Inner {
    model: Widget,
    view: View,
    host: Element,
    destroyed: bool,
    /// A payment-options request the page sent before the wasm was ready: its URL and the
    /// promise of its `{status, body}`, used if the widget's own first request is the same.
    prefetch: Option<(String, js_sys::Promise)>,
    /// The JSON of the last payment-options answer (the `tamara-availability` detail).
    answer: JsValue,
}

type Shared = Rc<RefCell<Inner>>;

/// Reads a host input (`null`/`undefined` = empty) into the widget's [`Input`].
// Not generic and not inlined: one copy for the cart, customer and address.
#[inline(never)]
fn read(
    value: &JsValue,
    what: &str,
    reader: fn(&JsValue) -> Result<Input, Bad>,
) -> Result<Input, JsError> {
    reader(value).map_err(|Bad(field)| {
        JsError::new(&cat(&["tamara-widget: invalid ", what, ": field ", field]))
    })
}

fn read_cart(value: &JsValue) -> Result<Input, Bad> {
    js::cart(value).map(Input::SetCart)
}

fn read_customer(value: &JsValue) -> Result<Input, Bad> {
    js::customer(value).map(Input::SetCustomer)
}

fn read_address(value: &JsValue) -> Result<Input, Bad> {
    js::address(value).map(Input::SetShipping)
}

/// An event detail: a plain JS object with these string fields, made by `serde-wasm-bindgen`.
/// (A map of string pairs, not derived structs: no per-struct code, no field-name cache.)
struct Detail<'a>(&'a [(&'a str, &'a str)]);

impl Serialize for Detail<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().copied())
    }
}

fn detail(fields: &[(&str, &str)]) -> JsValue {
    Detail(fields)
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// Random part of the idempotency keys (`crypto.randomUUID()`; the clock without WebCrypto).
fn nonce() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| crate::state::uint(js_sys::Date::now() as u64))
}

/// A mounted widget. Call `destroy()` when removing it (the custom element does).
#[wasm_bindgen]
pub struct TamaraWidget {
    // `&self` everywhere (even `destroy`): event listeners may call back into the handle
    // while one of its methods is running.
    inner: RefCell<Option<Shared>>,
}

impl std::fmt::Debug for TamaraWidget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TamaraWidget")
    }
}

/// Mounts the widget into `element`'s (open) shadow root.
///
/// `options`: `{workerUrl, country, currency, lang, cart?, customer?, shippingAddress?,
/// returnUrls?, prefetch?}` (`returnUrls`: `{success?, failure?, cancel?}`, sent with the checkout) (`prefetch`: `{url, answer}`, a `GET /api/payment-options` the page already
/// sent — its URL and a promise of `{status, body}` with the parsed JSON body — used when it is
/// the widget's first request).
/// Dispatches `tamara-ready` on `element` once mounted.
#[wasm_bindgen]
pub fn mount(element: &Element, options: &JsValue) -> Result<TamaraWidget, JsError> {
    let text = |keys: &[&str]| js::option_string(options, keys);
    let mut config = Config::new(
        &text(&["workerUrl", "worker_url"]),
        &text(&["country"]),
        &text(&["currency"]),
        &text(&["lang"]),
    )
    .map_err(|e| JsError::new(&cat(&["tamara-widget: ", &e.message()])))?;
    let input = |keys: &[&str]| js::option_value(options, keys);
    if let Some(urls) = input(&["returnUrls", "return_urls"]) {
        let page = |key: &str| {
            js::get(&urls, key)
                .as_string()
                .filter(|u| !u.trim().is_empty())
        };
        config.return_urls = ReturnUrls {
            success: page("success"),
            failure: page("failure"),
            cancel: page("cancel"),
        };
    }
    // Details first, so the first payment-options query already has the phone.
    let mut inputs = Vec::new();
    for (keys, what, reader) in [
        (
            &["shippingAddress", "shipping_address"][..],
            "shipping address",
            read_address as fn(&JsValue) -> Result<Input, Bad>,
        ),
        (&["customer"][..], "customer", read_customer),
        (&["cart"][..], "cart", read_cart),
    ] {
        if let Some(value) = input(keys) {
            inputs.push(read(&value, what, reader)?);
        }
    }
    let prefetch = input(&["prefetch"]).and_then(|p| {
        let url = js::get(&p, "url").as_string()?;
        let answer = js::get(&p, "answer").dyn_into::<js_sys::Promise>().ok()?;
        Some((url, answer))
    });
    // The view's listeners reach the widget through a weak slot filled once it exists (no
    // reference cycle: dropping the handle drops everything).
    let slot: Rc<RefCell<Weak<RefCell<Inner>>>> = Rc::new(RefCell::new(Weak::new()));
    let listener_slot = Rc::clone(&slot);
    let on_action: Rc<dyn Fn(Action)> = Rc::new(move |action| {
        let weak = listener_slot.borrow().clone();
        if let Some(shared) = weak.upgrade() {
            let input = match action {
                Action::Continue => Input::Submit,
                Action::Retry => Input::Retry,
                Action::Select(index) => Input::Select(index),
            };
            dispatch(&shared, input);
        }
    });
    let view = View::new(element, on_action)
        .map_err(|_| JsError::new("tamara-widget: cannot render into this element"))?;
    let shared: Shared = Rc::new(RefCell::new(Inner {
        model: Widget::new(config, &nonce()),
        view,
        host: element.clone(),
        destroyed: false,
        prefetch,
        answer: JsValue::UNDEFINED,
    }));
    *slot.borrow_mut() = Rc::downgrade(&shared);
    let widget = TamaraWidget {
        inner: RefCell::new(Some(Rc::clone(&shared))),
    };
    for input in inputs {
        widget.apply(input);
    }
    render(&shared);
    // The page's request was for another query: nobody reads it.
    shared.borrow_mut().prefetch = None;
    emit(&shared, "tamara-ready", &js_sys::Object::new(), false);
    Ok(widget)
}

#[wasm_bindgen]
impl TamaraWidget {
    /// Sets the cart `{items: [{sku, quantity}]}` (`null` = empty).
    pub fn set_cart(&self, cart: JsValue) -> Result<(), JsError> {
        self.apply(read(&cart, "cart", read_cart)?);
        Ok(())
    }

    /// Sets the consumer `{first_name, last_name, phone_number, email}`.
    pub fn set_customer(&self, customer: JsValue) -> Result<(), JsError> {
        self.apply(read(&customer, "customer", read_customer)?);
        Ok(())
    }

    /// Sets the shipping address `{first_name, last_name, line1, city, country_code, …}`.
    pub fn set_shipping_address(&self, address: JsValue) -> Result<(), JsError> {
        self.apply(read(&address, "shipping address", read_address)?);
        Ok(())
    }

    /// Switches language (`en` / `ar`).
    pub fn set_lang(&self, lang: JsValue) -> Result<(), JsError> {
        let lang = Lang::parse(&lang.as_string().unwrap_or_default())
            .ok_or_else(|| JsError::new("tamara-widget: lang must be en or ar"))?;
        self.apply(Input::SetLang(lang));
        Ok(())
    }

    /// Current phase: `idle`, `loading`, `ready`, `unavailable`, `error`, `submitting`,
    /// `redirecting` (`destroyed` after `destroy()`).
    pub fn state(&self) -> JsValue {
        JsValue::from_str(
            self.shared()
                .map_or("destroyed", |s| s.borrow().model.phase().name()),
        )
    }

    /// Number of renders that changed the DOM (dedupe check for tests and tooling).
    pub fn render_count(&self) -> u32 {
        self.shared().map_or(0, |s| s.borrow().view.renders())
    }

    /// Removes the widget: listeners, shadow content, pending answers are dropped.
    pub fn destroy(&self) {
        let taken = self.inner.borrow_mut().take();
        if let Some(shared) = taken {
            let mut inner = shared.borrow_mut();
            inner.destroyed = true;
            inner.view.clear();
        }
    }
}

impl TamaraWidget {
    fn shared(&self) -> Option<Shared> {
        self.inner.borrow().clone()
    }

    fn apply(&self, input: Input) {
        if let Some(shared) = self.shared() {
            dispatch(&shared, input);
        }
    }
}

// Not inlined: every async task and listener calls it; one copy keeps the wasm small.
#[inline(never)]
fn render(shared: &Shared) {
    let mut inner = shared.borrow_mut();
    if inner.destroyed {
        return;
    }
    let Inner { model, view, .. } = &mut *inner;
    let config = model.config();
    let texts =
        model.texts(&|minor| view.format(config.lang, &config.currency, config.exponent, minor));
    // A failed DOM call leaves the previous render on screen; nothing else to do.
    let _ = view.render(texts);
}

// Not inlined: every async task and listener calls it; one copy keeps the wasm small.
#[inline(never)]
fn dispatch(shared: &Shared, input: Input) {
    let effects = {
        let mut inner = shared.borrow_mut();
        if inner.destroyed {
            return;
        }
        inner.model.apply(input)
    };
    render(shared);
    run(shared, effects);
}

/// Runs a Worker call in the background; its answer comes back through [`dispatch`] unless the
/// widget was destroyed meanwhile.
fn spawn(shared: &Shared, call: api::Call) {
    let weak = Rc::downgrade(shared);
    let base = shared.borrow().model.config().worker_url.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let (input, answer) = api::perform(&base, call).await;
        if let Some(shared) = weak.upgrade() {
            shared.borrow_mut().answer = answer;
            dispatch(&shared, input);
        }
    });
}

// Not inlined: every async task and listener calls it; one copy keeps the wasm small.
#[inline(never)]
fn run(shared: &Shared, effects: Vec<Effect>) {
    for effect in effects {
        if shared.borrow().destroyed {
            return;
        }
        match effect {
            Effect::FetchOptions(seq, query) => {
                let prefetched = {
                    let mut inner = shared.borrow_mut();
                    let url = cat(&[&inner.model.config().worker_url, &query.path()]);
                    match inner.prefetch.take() {
                        Some((sent, answer)) if sent == url => Some(answer),
                        _ => None,
                    }
                };
                spawn(shared, api::Call::Options(seq, query, prefetched));
            }
            Effect::CreateCheckout(key, body) => spawn(shared, api::Call::Checkout(key, body)),
            Effect::Availability(available) => {
                // The Worker's answer as it came, `available` only when an option is shown.
                let detail = shared.borrow().answer.clone();
                if detail.is_object() {
                    let _ = js_sys::Reflect::set(
                        &detail,
                        &JsValue::from_str("available"),
                        &JsValue::from_bool(available),
                    );
                }
                emit(shared, "tamara-availability", &detail, false);
            }
            Effect::Error(failure) => {
                let fields = [
                    ("code", failure.code.as_str()),
                    ("stage", failure.stage.name()),
                    ("message", failure.detail.as_str()),
                ];
                emit(shared, "tamara-error", &detail(&fields), false);
            }
            Effect::Redirect(created) => {
                let url = created.checkout_url.as_str();
                let fields = [
                    ("order_id", created.order_id.as_str()),
                    ("checkout_url", url),
                ];
                if emit(shared, "tamara-redirect", &detail(&fields), true) {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().assign(url);
                    }
                } else {
                    dispatch(shared, Input::RedirectCanceled);
                }
            }
        }
    }
}

/// Dispatches a bubbling, composed `CustomEvent` on the host (no borrow held, so listeners may
/// call back into the handle). Returns `false` if a listener canceled it.
// Not inlined: every async task and listener calls it; one copy keeps the wasm small.
#[inline(never)]
fn emit(shared: &Shared, kind: &str, detail: &JsValue, cancelable: bool) -> bool {
    let host = shared.borrow().host.clone();
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_cancelable(cancelable);
    init.set_detail(detail);
    match CustomEvent::new_with_event_init_dict(kind, &init) {
        Ok(event) => host.dispatch_event(&event).unwrap_or(true),
        Err(_) => true,
    }
}
