//! DOM rendering in an open shadow root.
//!
//! The skeleton (styles, logo, live regions, button) is written once; each render patches only
//! the nodes whose text changed, and a render whose [`ViewModel`] equals the previous one does
//! nothing at all. Listeners are RAII ([`Listener`]): dropping the view removes them.
//! Theming: CSS custom properties on the host or any ancestor (`--tamara-accent`,
//! `--tamara-accent-text`, `--tamara-radius`, `--tamara-font`, `--tamara-font-size`,
//! `--tamara-text`, `--tamara-muted`, `--tamara-bg`, `--tamara-border`, `--tamara-error`,
//! `--tamara-focus`, `--tamara-padding`), plus `::part(container|option|button)`.

use crate::state::{minor_to_decimal, Lang, OptionTexts, Texts, ViewModel};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Document, Element, Event, EventTarget, HtmlButtonElement, HtmlElement, HtmlInputElement,
    ShadowRoot, ShadowRootInit, ShadowRootMode,
};

/// What the shopper did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// "Continue with Tamara".
    Continue,
    /// "Try again".
    Retry,
    /// Picked option `n`.
    Select(usize),
}

/// An event listener removed when dropped.
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    closure: Closure<dyn FnMut(Event)>,
}

impl Listener {
    /// Adds `handler` for `kind` events on `target`.
    pub fn new(
        target: &EventTarget,
        kind: &'static str,
        handler: impl FnMut(Event) + 'static,
    ) -> Listener {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        // Adding a listener only fails for non-callable values, which a Closure never is.
        let _ = target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        Listener {
            target: target.clone(),
            kind,
            closure,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.closure.as_ref().unchecked_ref());
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listener")
            .field("kind", &self.kind)
            .finish()
    }
}

const LOGO_EN: &str = "tamara";
const LOGO_AR: &str = "تمارا";

const SKELETON: &str = concat!(
    "<style>",
    ":host{display:block;font-family:var(--tamara-font,system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans Arabic\",Tahoma,sans-serif);",
    "font-size:var(--tamara-font-size,15px);color:var(--tamara-text,#1f1f24);line-height:1.4}",
    ":host([hidden]){display:none}",
    ".tw{box-sizing:border-box;border:1px solid var(--tamara-border,#dcdce4);border-radius:var(--tamara-radius,12px);",
    "background:var(--tamara-bg,#fff);padding:var(--tamara-padding,16px);text-align:start}",
    ".tw>*+*{margin-top:12px}.tw>:empty,.tw>[hidden]{margin-top:0}",
    ".tw-head{display:flex;align-items:center;gap:10px;font-weight:600}",
    ".tw-logo{height:24px;width:auto;flex:none}",
    ".tw-options{display:grid;gap:8px}",
    ".tw-option{display:flex;align-items:flex-start;gap:10px;padding:10px 12px;cursor:pointer;",
    "border:1px solid var(--tamara-border,#dcdce4);border-radius:calc(var(--tamara-radius,12px) - 4px)}",
    ".tw-option:has(input:checked){border-color:var(--tamara-accent,#111118);box-shadow:0 0 0 1px var(--tamara-accent,#111118)}",
    ".tw-option:has(input:focus-visible){outline:3px solid var(--tamara-focus,#6d4aff);outline-offset:2px}",
    ".tw-option input{margin:2px 0 0;width:18px;height:18px;flex:none;accent-color:var(--tamara-accent,#111118)}",
    ".tw-option input:focus-visible{outline:none}",
    ".tw-body{display:grid;gap:2px}.tw-text{font-weight:600}",
    ".tw-label{font-size:.87em;color:var(--tamara-muted,#5d5d6b)}.tw-label:empty{display:none}",
    ".tw-status,.tw-alert{margin-bottom:0}",
    ".tw-status{color:var(--tamara-muted,#5d5d6b)}",
    ".tw-alert{color:var(--tamara-error,#b3261e);font-weight:500}",
    ".tw[aria-busy=true] .tw-status::before{content:\"\";display:inline-block;width:.8em;height:.8em;margin-inline-end:.5em;",
    "border:2px solid currentColor;border-inline-end-color:transparent;border-radius:50%;vertical-align:-.1em;animation:tw-spin .8s linear infinite}",
    "@keyframes tw-spin{to{transform:rotate(360deg)}}",
    "@media (prefers-reduced-motion:reduce){.tw[aria-busy=true] .tw-status::before{animation:none}}",
    ".tw-btn{appearance:none;display:block;width:100%;min-height:44px;padding:12px 16px;border:0;cursor:pointer;font:inherit;font-weight:600;",
    "border-radius:var(--tamara-button-radius,var(--tamara-radius,12px));background:var(--tamara-accent,#111118);color:var(--tamara-accent-text,#fff)}",
    ".tw-btn:hover:not(:disabled){filter:brightness(1.15)}",
    ".tw-btn:disabled{opacity:.6;cursor:progress}",
    ".tw-btn[hidden]{display:none}",
    ":focus-visible{outline:3px solid var(--tamara-focus,#6d4aff);outline-offset:2px}",
    "</style>",
    "<div class=\"tw\" part=\"container\">",
    "<div class=\"tw-head\">",
    "<svg class=\"tw-logo\" viewBox=\"0 0 96 28\" role=\"img\" aria-label=\"Tamara\" xmlns=\"http://www.w3.org/2000/svg\">",
    "<defs><linearGradient id=\"tw-g\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"1\">",
    "<stop offset=\"0\" stop-color=\"#ffb38a\"/><stop offset=\".5\" stop-color=\"#ff8fc6\"/><stop offset=\"1\" stop-color=\"#b69cff\"/>",
    "</linearGradient></defs>",
    "<rect width=\"96\" height=\"28\" rx=\"14\" fill=\"url(#tw-g)\"/>",
    "<text x=\"48\" y=\"19.5\" text-anchor=\"middle\" font-family=\"system-ui,'Noto Sans Arabic',sans-serif\" font-size=\"16\" font-weight=\"700\" fill=\"#111118\">tamara</text>",
    "</svg>",
    "<span class=\"tw-title\" id=\"tw-title\"></span>",
    "</div>",
    "<div class=\"tw-options\" role=\"radiogroup\" aria-labelledby=\"tw-title\"></div>",
    "<p class=\"tw-status\" role=\"status\" aria-live=\"polite\"></p>",
    "<p class=\"tw-alert\" role=\"alert\" aria-live=\"assertive\"></p>",
    "<button type=\"button\" class=\"tw-btn\" part=\"button\" hidden></button>",
    "</div>",
);

/// The widget's DOM.
pub struct View {
    document: Document,
    root: ShadowRoot,
    container: Element,
    logo_text: Element,
    title: Element,
    options: Element,
    status: Element,
    alert: Element,
    button: HtmlButtonElement,
    country: String,
    /// `Intl.NumberFormat(…).format` for (language, currency), built on first use: the first
    /// `Intl.NumberFormat` of a page costs tens of ms (ICU data), so it is built while a request
    /// is in flight ([`View::warm_formatter`]) and never for renders without amounts.
    formatter: RefCell<Option<(Lang, String, js_sys::Function)>>,
    last: Option<ViewModel>,
    texts: Option<Texts>,
    renders: u32,
    _listeners: Vec<Listener>,
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("View")
            .field("renders", &self.renders)
            .finish()
    }
}

fn query(root: &ShadowRoot, selector: &str) -> Result<Element, JsValue> {
    root.query_selector(selector)?
        .ok_or_else(|| JsValue::from_str("tamara-widget: skeleton incomplete"))
}

impl View {
    /// Writes the skeleton into `host`'s shadow root (made open if missing) and wires the
    /// listeners to `on_action`.
    pub fn new(
        host: &HtmlElement,
        country: &str,
        on_action: Rc<dyn Fn(Action)>,
    ) -> Result<View, JsValue> {
        let root = match host.shadow_root() {
            Some(root) => root,
            None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
        };
        root.set_inner_html(SKELETON);
        let document = host
            .owner_document()
            .ok_or_else(|| JsValue::from_str("tamara-widget: element has no document"))?;
        let button: HtmlButtonElement = query(&root, ".tw-btn")?.dyn_into()?;
        let options = query(&root, ".tw-options")?;
        let on_click = Rc::clone(&on_action);
        let click = Listener::new(&button, "click", move |event: Event| {
            let retry = event
                .current_target()
                .and_then(|t| t.dyn_into::<Element>().ok())
                .and_then(|b| b.get_attribute("data-action"))
                .is_some_and(|a| a == "retry");
            on_click(if retry {
                Action::Retry
            } else {
                Action::Continue
            });
        });
        let change = Listener::new(&options, "change", move |event: Event| {
            let index = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                .and_then(|input| input.value().parse::<usize>().ok());
            if let Some(index) = index {
                on_action(Action::Select(index));
            }
        });
        Ok(View {
            container: query(&root, ".tw")?,
            logo_text: query(&root, ".tw-logo text")?,
            title: query(&root, ".tw-title")?,
            status: query(&root, ".tw-status")?,
            alert: query(&root, ".tw-alert")?,
            country: country.to_owned(),
            formatter: RefCell::new(None),
            options,
            button,
            document,
            root,
            last: None,
            texts: None,
            renders: 0,
            _listeners: vec![click, change],
        })
    }

    /// How many renders changed the DOM.
    pub fn renders(&self) -> u32 {
        self.renders
    }

    /// Renders `vm`; returns `false` (and touches nothing) when it equals the last one.
    pub fn render(&mut self, vm: ViewModel) -> Result<bool, JsValue> {
        if self.last.as_ref() == Some(&vm) {
            return Ok(false);
        }
        let format = |minor| self.format(vm.lang, &vm.currency, vm.exponent, minor);
        let texts = vm.texts(&format);
        let old = self.texts.take();
        let changed = |f: &dyn Fn(&Texts) -> bool| old.as_ref().is_none_or(f);

        if changed(&|o| o.lang != texts.lang) {
            self.container.set_attribute("lang", texts.lang)?;
            self.container.set_attribute("dir", texts.dir)?;
            self.logo_text
                .set_text_content(Some(if vm.lang == Lang::Ar {
                    LOGO_AR
                } else {
                    LOGO_EN
                }));
        }
        self.container.set_attribute("data-state", texts.state)?;
        self.container
            .set_attribute("aria-busy", if texts.busy { "true" } else { "false" })?;
        if changed(&|o| o.title != texts.title) {
            self.title.set_text_content(Some(&texts.title));
        }
        if changed(&|o| o.options != texts.options || o.selected != texts.selected) {
            self.render_options(
                &texts.options,
                texts.selected,
                old.as_ref().map(|o| o.options.len()),
            )?;
        }
        if changed(&|o| o.status != texts.status) {
            self.status.set_text_content(Some(&texts.status));
        }
        if changed(&|o| o.alert != texts.alert) {
            self.alert.set_text_content(Some(&texts.alert));
        }
        match &texts.button {
            Some(b) => {
                self.button.set_text_content(Some(&b.label));
                self.button.set_disabled(b.disabled);
                self.button.set_attribute("data-action", b.action)?;
                self.button.set_hidden(false);
            }
            None => self.button.set_hidden(true),
        }
        self.texts = Some(texts);
        self.last = Some(vm);
        self.renders += 1;
        Ok(true)
    }

    fn render_options(
        &self,
        options: &[OptionTexts],
        selected: usize,
        before: Option<usize>,
    ) -> Result<(), JsValue> {
        if before != Some(options.len()) {
            // Count changed: rebuild (texts set with text_content, never parsed as HTML).
            self.options.set_inner_html("");
            for index in 0..options.len() {
                let label = self.document.create_element("label")?;
                label.set_class_name("tw-option");
                label.set_attribute("part", "option")?;
                let input: HtmlInputElement = self.document.create_element("input")?.dyn_into()?;
                input.set_type("radio");
                input.set_name("tamara-option");
                input.set_value(&index.to_string());
                let body = self.document.create_element("span")?;
                body.set_class_name("tw-body");
                let text = self.document.create_element("span")?;
                text.set_class_name("tw-text");
                let small = self.document.create_element("span")?;
                small.set_class_name("tw-label");
                body.append_child(&text)?;
                body.append_child(&small)?;
                label.append_child(&input)?;
                label.append_child(&body)?;
                self.options.append_child(&label)?;
            }
        }
        let mut next = self.options.first_element_child();
        for (index, option) in options.iter().enumerate() {
            let Some(label) = next else { break };
            next = label.next_element_sibling();
            if let Some(text) = label.query_selector(".tw-text")? {
                text.set_text_content(Some(&option.text));
            }
            if let Some(small) = label.query_selector(".tw-label")? {
                small.set_text_content(Some(&option.label));
            }
            if let Some(input) = label.query_selector("input")? {
                let input: HtmlInputElement = input.dyn_into()?;
                input.set_checked(index == selected);
            }
        }
        Ok(())
    }

    /// Builds (and keeps) the number formatter for `lang` and `currency`.
    pub fn warm_formatter(&self, lang: Lang, currency: &str, exponent: u32) -> js_sys::Function {
        let mut cached = self.formatter.borrow_mut();
        if let Some((l, c, f)) = cached.as_ref() {
            if *l == lang && c == currency {
                return f.clone();
            }
        }
        let f = number_format(lang, &self.country, currency, exponent);
        *cached = Some((lang, currency.to_owned(), f.clone()));
        f
    }

    fn format(&self, lang: Lang, currency: &str, exponent: u32, minor: u64) -> String {
        let decimal = minor_to_decimal(minor, exponent);
        self.warm_formatter(lang, currency, exponent)
            .call1(&JsValue::NULL, &JsValue::from_str(&decimal))
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_else(|| format!("{decimal} {currency}"))
    }

    /// Empties the shadow root (listeners go with `self`).
    pub fn clear(&self) {
        self.root.set_inner_html("");
    }
}

/// `Intl.NumberFormat(locale, {style: "currency", currency, minimumFractionDigits: exponent})`;
/// its `format` is called with the exact decimal string (no float on the way).
fn number_format(lang: Lang, country: &str, currency: &str, exponent: u32) -> js_sys::Function {
    let options = js_sys::Object::new();
    let set = |key: &str, value: JsValue| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(key), &value);
    };
    set("style", JsValue::from_str("currency"));
    set("currency", JsValue::from_str(currency));
    set("minimumFractionDigits", JsValue::from(exponent));
    set("maximumFractionDigits", JsValue::from(exponent));
    let locales = js_sys::Array::of1(&JsValue::from_str(&lang.number_locale(country)));
    js_sys::Intl::NumberFormat::new(&locales, &options).format()
}
