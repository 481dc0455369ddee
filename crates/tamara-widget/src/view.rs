//! DOM rendering in an open shadow root.
//!
//! The skeleton (logo, radio group, live regions, button) is written once; each render patches
//! only the parts whose text changed (the options list is one escaped HTML template), and a
//! render whose [`Texts`] equal the previous ones does nothing at all. The one listener is RAII
//! ([`Listener`]): dropping the view removes it.
//! The styles are one constructable stylesheet that the snippet (`js/tamara-checkout.js`) adopts
//! into the shadow root (shared by every widget on the page, parsed while the wasm loads).
//! Theming: CSS custom properties on the host or any ancestor (`--tamara-accent`,
//! `--tamara-accent-text`, `--tamara-radius`, `--tamara-font`, `--tamara-font-size`,
//! `--tamara-text`, `--tamara-muted`, `--tamara-bg`, `--tamara-border`, `--tamara-error`,
//! `--tamara-focus`, `--tamara-padding`), plus `::part(container|option|button)`.

use crate::state::{uint, Lang, OptionTexts, Texts};
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, EventTarget, ShadowRoot, ShadowRootInit, ShadowRootMode};

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

/// The widget's one event listener (`click` and `change` on its container), removed when
/// dropped.
pub struct Listener {
    target: EventTarget,
    closure: Closure<dyn FnMut(Event)>,
}

const EVENTS: [&str; 2] = ["click", "change"];

impl Listener {
    /// Adds `handler` for `click` and `change` events on `target`.
    pub fn new(target: &EventTarget, handler: impl FnMut(Event) + 'static) -> Listener {
        let closure = Closure::<dyn FnMut(Event)>::new(handler);
        for kind in EVENTS {
            // Adding a listener only fails for non-callable values, which a Closure never is.
            let _ = target.add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref());
        }
        Listener {
            target: target.clone(),
            closure,
        }
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        for kind in EVENTS {
            let _ = self
                .target
                .remove_event_listener_with_callback(kind, self.closure.as_ref().unchecked_ref());
        }
    }
}

impl std::fmt::Debug for Listener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Listener")
    }
}

const SKELETON: &str = concat!(
    "<div class=\"tw\" part=\"container\">",
    "<div class=\"tw-head\">",
    "<svg class=\"tw-logo\" viewBox=\"0 0 96 28\" role=\"img\" aria-label=\"Tamara\">",
    "<defs><linearGradient id=\"tw-g\" x1=\"0\" x2=\"1\" y1=\"0\" y2=\"1\">",
    "<stop offset=\"0\" stop-color=\"#ffb38a\"/><stop offset=\".5\" stop-color=\"#ff8fc6\"/><stop offset=\"1\" stop-color=\"#b69cff\"/>",
    "</linearGradient></defs>",
    "<rect width=\"96\" height=\"28\" rx=\"14\" fill=\"url(#tw-g)\"/>",
    "<text x=\"48\" y=\"19.5\" text-anchor=\"middle\" font-family=\"system-ui,'Noto Sans Arabic',sans-serif\" font-size=\"16\" font-weight=\"700\" fill=\"#111118\">tamara</text>",
    "</svg>",
    "<span class=\"tw-title\" id=\"tw-title\"></span>",
    "<span class=\"tw-tagline\"></span>",
    "</div>",
    "<div class=\"tw-options\" role=\"radiogroup\" aria-labelledby=\"tw-title\"></div>",
    "<p class=\"tw-status\" role=\"status\" aria-live=\"polite\"></p>",
    "<p class=\"tw-alert\" role=\"alert\" aria-live=\"assertive\"></p>",
    "<button type=\"button\" class=\"tw-btn\" part=\"button\" hidden></button>",
    "</div>",
);

/// The widget's DOM.
pub struct View {
    root: ShadowRoot,
    container: Element,
    logo_text: Element,
    title: Element,
    tagline: Element,
    options: Element,
    status: Element,
    alert: Element,
    button: Element,
    texts: Option<Texts>,
    renders: u32,
    _listener: Listener,
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("View")
    }
}

fn query(root: &ShadowRoot, selector: &str) -> Result<Element, JsValue> {
    root.query_selector(selector)?
        .ok_or_else(|| JsValue::from_str("tamara-widget: skeleton incomplete"))
}

/// Escapes text for an HTML text or attribute position.
fn escape(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// The options as one HTML template (every text escaped): native radios in labels.
fn options_html(options: &[OptionTexts], selected: usize) -> String {
    let mut html = String::new();
    for (index, option) in options.iter().enumerate() {
        html.push_str(
            "<label class=\"tw-option\" part=\"option\"><input type=\"radio\" name=\"tamara-option\" value=\"",
        );
        html.push_str(&uint(index as u64));
        html.push('"');
        if index == selected {
            html.push_str(" checked");
        }
        html.push_str("><span class=\"tw-body\"><span class=\"tw-text\">");
        escape(&mut html, &option.text);
        // The second line repeats the amount: hidden from the radio's accessible name, which
        // states it once.
        html.push_str("</span><span class=\"tw-label\" aria-hidden=\"true\">");
        escape(&mut html, &option.label);
        html.push_str("</span></span></label>");
    }
    html
}

impl View {
    /// Writes the skeleton into `host`'s shadow root (made open if missing) and wires the
    /// listeners to `on_action`.
    pub fn new(host: &Element, on_action: Rc<dyn Fn(Action)>) -> Result<View, JsValue> {
        let root = match host.shadow_root() {
            Some(root) => root,
            None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
        };
        root.set_inner_html(SKELETON);
        let container = query(&root, ".tw")?;
        // One listener: the button says what it does (`data-action`), a radio which option it
        // is (`value`); a radio's click and change both select it (a repeat changes nothing).
        let listener = Listener::new(&container, move |event: Event| {
            let Some(target) = event.target().and_then(|t| t.dyn_into::<Element>().ok()) else {
                return;
            };
            if let Some(action) = target.get_attribute("data-action") {
                on_action(if action == "retry" {
                    Action::Retry
                } else {
                    Action::Continue
                });
            } else if let Some(index) = target
                .get_attribute("value")
                .and_then(|value| value.parse::<usize>().ok())
            {
                on_action(Action::Select(index));
            }
        });
        Ok(View {
            button: query(&root, ".tw-btn")?,
            options: query(&root, ".tw-options")?,
            logo_text: query(&root, ".tw-logo text")?,
            title: query(&root, ".tw-title")?,
            tagline: query(&root, ".tw-tagline")?,
            status: query(&root, ".tw-status")?,
            alert: query(&root, ".tw-alert")?,
            container,
            root,
            texts: None,
            renders: 0,
            _listener: listener,
        })
    }

    /// How many renders changed the DOM.
    pub fn renders(&self) -> u32 {
        self.renders
    }

    /// Renders `texts`; returns `false` (and touches nothing) when they equal the last ones.
    pub fn render(&mut self, texts: Texts) -> Result<bool, JsValue> {
        if self.texts.as_ref() == Some(&texts) {
            return Ok(false);
        }
        let old = self.texts.take();
        let changed = |f: &dyn Fn(&Texts) -> bool| old.as_ref().is_none_or(f);

        if changed(&|o| o.lang != texts.lang) {
            self.container.set_attribute("lang", texts.lang)?;
            self.container.set_attribute("dir", texts.dir)?;
            self.logo_text.set_text_content(Some(if texts.lang == "ar" {
                "تمارا"
            } else {
                "tamara"
            }));
            self.title.set_text_content(Some(texts.title));
        }
        if changed(&|o| o.tagline != texts.tagline) {
            self.tagline.set_text_content(Some(texts.tagline));
        }
        // Not eligible: Tamara stays on the page, greyed out, with the short reason.
        if texts.greyed {
            self.container.set_attribute("data-eligible", "false")?;
        } else {
            self.container.remove_attribute("data-eligible")?;
        }
        self.container.set_attribute("data-state", texts.state)?;
        self.container
            .set_attribute("aria-busy", if texts.busy { "true" } else { "false" })?;
        // A new selection is already on screen (the shopper made it): the radios are rebuilt
        // only when their texts change, so keyboard focus stays where it is.
        if changed(&|o| o.options != texts.options) {
            self.options
                .set_inner_html(&options_html(&texts.options, texts.selected));
        }
        if changed(&|o| o.status != texts.status) {
            self.status.set_text_content(Some(&texts.status));
        }
        if changed(&|o| o.alert != texts.alert) {
            self.alert.set_text_content(Some(&texts.alert));
        }
        let button = self.button.clone();
        match &texts.button {
            Some(b) => {
                button.set_text_content(Some(b.label));
                button.toggle_attribute_with_force("disabled", b.disabled)?;
                button.set_attribute("data-action", b.action)?;
                button.toggle_attribute_with_force("hidden", false)?;
            }
            None => {
                button.toggle_attribute_with_force("hidden", true)?;
            }
        }
        self.texts = Some(texts);
        self.renders += 1;
        Ok(true)
    }

    /// `minor` as money text (`SAR 57.50`), as `Intl.NumberFormat` prints it
    /// ([`crate::state::money_text`]).
    pub fn format(&self, lang: Lang, currency: &str, exponent: u32, minor: u64) -> String {
        crate::state::money_text(lang, currency, exponent, minor)
    }

    /// Empties the shadow root (listeners go with `self`).
    pub fn clear(&self) {
        self.root.set_inner_html("");
    }
}
