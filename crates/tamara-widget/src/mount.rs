//! The exported mount API: glue between the pure state, the view and the Worker.

use crate::api;
use crate::js::{self, Bad};
use crate::state::{Config, Effect, Input, Lang, PaymentOptions, Widget};
use crate::view::{Action, View};
use serde::Serialize;
use std::cell::RefCell;
use std::rc::{Rc, Weak};
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, HtmlElement};

struct Inner {
    model: Widget,
    view: View,
    host: HtmlElement,
    destroyed: bool,
}

type Shared = Rc<RefCell<Inner>>;

fn from_js<T: Default>(
    value: &JsValue,
    what: &str,
    read: fn(&JsValue) -> Result<T, Bad>,
) -> Result<T, JsError> {
    if value.is_null() || value.is_undefined() {
        return Ok(T::default());
    }
    read(value).map_err(|Bad(field)| {
        JsError::new(&format!("tamara-widget: invalid {what}: field {field}"))
    })
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

fn nonce() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut bytes = [0u8; 12];
    let filled = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .is_some_and(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok());
    if !filled {
        // No WebCrypto: the clock still separates page loads.
        let now = js_sys::Date::now() as u64;
        bytes[..8].copy_from_slice(&now.to_le_bytes());
    }
    bytes
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
        .map(char::from)
        .collect()
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
        f.debug_struct("TamaraWidget")
            .field("mounted", &self.inner.borrow().is_some())
            .finish()
    }
}

/// Mounts the widget into `element`'s (open) shadow root.
///
/// `options`: `{workerUrl, country, currency, lang, cart?, customer?, shippingAddress?,
/// catalog?}` (`catalog`: an already fetched `GET /api/catalog` answer).
/// Dispatches `tamara-ready` on `element` once mounted.
#[wasm_bindgen]
pub fn mount(element: &HtmlElement, options: &JsValue) -> Result<TamaraWidget, JsError> {
    let text = |keys: &[&str]| js::option_string(options, keys);
    let config = Config::new(
        &text(&["workerUrl", "worker_url"]),
        &text(&["country"]),
        &text(&["currency"]),
        &text(&["lang"]),
    )
    .map_err(|e| JsError::new(&format!("tamara-widget: {e}")))?;
    let input = |keys: &[&str]| js::option_value(options, keys);
    let shipping = input(&["shippingAddress", "shipping_address"])
        .map(|v| from_js(&v, "shipping address", js::address))
        .transpose()?;
    let customer = input(&["customer"])
        .map(|v| from_js(&v, "customer", js::customer))
        .transpose()?;
    let cart = input(&["cart"])
        .map(|v| from_js(&v, "cart", js::cart))
        .transpose()?;
    // A catalog the page already fetched (the custom element prefetches it while the wasm
    // loads); unreadable → ignored, the widget fetches its own.
    let catalog = input(&["catalog"]).and_then(|v| js::catalog(&v).ok());
    let country = config.country.clone();
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
    let view = View::new(element, &country, on_action)
        .map_err(|_| JsError::new("tamara-widget: cannot render into this element"))?;
    let shared: Shared = Rc::new(RefCell::new(Inner {
        model: Widget::new(config, &nonce()),
        view,
        host: element.clone(),
        destroyed: false,
    }));
    *slot.borrow_mut() = Rc::downgrade(&shared);
    let start = {
        let mut inner = shared.borrow_mut();
        let mut effects =
            catalog.map_or_else(Vec::new, |c| inner.model.apply(Input::CatalogLoaded(c)));
        effects.extend(inner.model.start());
        effects
    };
    run(&shared, start);
    emit(
        &shared,
        "tamara-ready",
        &JsValue::from(js_sys::Object::new()),
        false,
    );
    let widget = TamaraWidget {
        inner: RefCell::new(Some(shared)),
    };
    if let Some(address) = shipping {
        widget.apply(Input::SetShipping(address));
    }
    if let Some(customer) = customer {
        widget.apply(Input::SetCustomer(customer));
    }
    if let Some(cart) = cart {
        widget.apply(Input::SetCart(cart));
    }
    widget.apply_render();
    Ok(widget)
}

#[wasm_bindgen]
impl TamaraWidget {
    /// Sets the cart `{items: [{sku, quantity}]}` (`null` = empty).
    pub fn set_cart(&self, cart: JsValue) -> Result<(), JsError> {
        let cart = from_js(&cart, "cart", js::cart)?;
        self.apply(Input::SetCart(cart));
        Ok(())
    }

    /// Sets the consumer `{first_name, last_name, phone_number, email}`.
    pub fn set_customer(&self, customer: JsValue) -> Result<(), JsError> {
        let customer = from_js(&customer, "customer", js::customer)?;
        self.apply(Input::SetCustomer(customer));
        Ok(())
    }

    /// Sets the shipping address `{first_name, last_name, line1, city, country_code, …}`.
    pub fn set_shipping_address(&self, address: JsValue) -> Result<(), JsError> {
        let address = from_js(&address, "shipping address", js::address)?;
        self.apply(Input::SetShipping(address));
        Ok(())
    }

    /// Switches language (`en` / `ar`).
    pub fn set_lang(&self, lang: &str) -> Result<(), JsError> {
        let lang = Lang::parse(lang)
            .ok_or_else(|| JsError::new("tamara-widget: lang must be en or ar"))?;
        self.apply(Input::SetLang(lang));
        Ok(())
    }

    /// Current phase: `idle`, `loading`, `ready`, `unavailable`, `error`, `submitting`,
    /// `redirecting` (`destroyed` after `destroy()`).
    pub fn state(&self) -> String {
        self.shared()
            .map_or("destroyed", |s| s.borrow().model.phase().name())
            .to_owned()
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

    fn apply_render(&self) {
        if let Some(shared) = self.shared() {
            render(&shared);
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
    let vm = inner.model.view();
    // A failed DOM call leaves the previous render on screen; nothing else to do.
    let _ = inner.view.render(vm);
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
        let input = api::perform(&base, call).await;
        if let Some(shared) = weak.upgrade() {
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
            Effect::FetchCatalog => spawn(shared, api::Call::Catalog),
            Effect::FetchOptions(seq, query) => {
                spawn(shared, api::Call::Options(seq, query));
                // Queued after the request task: the formatter is built while the answer is on
                // its way instead of after it.
                let weak = Rc::downgrade(shared);
                wasm_bindgen_futures::spawn_local(async move {
                    if let Some(shared) = weak.upgrade() {
                        let inner = shared.borrow();
                        let config = inner.model.config();
                        inner
                            .view
                            .warm_formatter(config.lang, &config.currency, config.exponent);
                    }
                });
            }
            Effect::CreateCheckout(key, body) => spawn(shared, api::Call::Checkout(key, body)),
            Effect::Availability(answer) => {
                emit(
                    shared,
                    "tamara-availability",
                    &availability_detail(&answer),
                    false,
                );
            }
            Effect::Error(failure) => {
                let detail = ErrorDetail {
                    code: &failure.code,
                    stage: failure.stage.name(),
                    message: &failure.detail,
                };
                emit(shared, "tamara-error", &to_js(&detail), false);
            }
            Effect::Redirect(created) => {
                let detail = RedirectDetail {
                    order_id: &created.order_id,
                    checkout_url: &created.checkout_url,
                };
                if emit(shared, "tamara-redirect", &to_js(&detail), true) {
                    if let Some(window) = web_sys::window() {
                        let _ = window.location().assign(&created.checkout_url);
                    }
                } else {
                    dispatch(shared, Input::RedirectCanceled);
                }
            }
        }
    }
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    stage: &'static str,
    message: &'a str,
}

#[derive(Serialize)]
struct RedirectDetail<'a> {
    order_id: &'a str,
    checkout_url: &'a str,
}

#[derive(Serialize)]
struct MoneyDetail<'a> {
    amount: &'a str,
    minor: u64,
    currency: &'a str,
}

#[derive(Serialize)]
struct OptionDetail<'a> {
    payment_type: &'a str,
    instalments: u32,
    instalment_amount: MoneyDetail<'a>,
}

#[derive(Serialize)]
struct AvailabilityDetail<'a> {
    available: bool,
    amount: MoneyDetail<'a>,
    reason: Option<ReasonDetail<'a>>,
    options: Vec<OptionDetail<'a>>,
}

#[derive(Serialize)]
struct ReasonDetail<'a> {
    code: &'a str,
    message: &'a str,
}

fn money_detail(m: &crate::state::Money) -> MoneyDetail<'_> {
    MoneyDetail {
        amount: &m.amount,
        minor: m.minor,
        currency: &m.currency,
    }
}

fn availability_detail(answer: &PaymentOptions) -> JsValue {
    to_js(&AvailabilityDetail {
        available: answer.available && !answer.options.is_empty(),
        amount: money_detail(&answer.amount),
        reason: answer.reason.as_ref().map(|r| ReasonDetail {
            code: &r.code,
            message: &r.message,
        }),
        options: answer
            .options
            .iter()
            .map(|o| OptionDetail {
                payment_type: &o.payment_type,
                instalments: o.instalments,
                instalment_amount: money_detail(&o.instalment_amount),
            })
            .collect(),
    })
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
