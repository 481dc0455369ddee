//! tamara-widget: Tamara as a payment option in one snippet.
//!
//! ```html
//! <script type="module" src="/tamara-checkout.js"></script>
//! <tamara-checkout worker-url="" country="SA" currency="SAR" lang="en"></tamara-checkout>
//! ```
//!
//! * [`state`] — pure model (native tests): cart → payment-options query, phases, texts,
//!   idempotency keys, render dedupe.
//! * `view` — DOM in a shadow root: logo, options as native radios, live regions, button.
//! * `api` — the Worker's storefront API with `gloo-net`.
//! * [`mount`] — the exported API the `<tamara-checkout>` element (`www/tamara-checkout.js`)
//!   delegates to: `mount(element, options)` → handle with `set_cart`, `set_customer`,
//!   `set_shipping_address`, `set_lang`, `destroy`.

pub mod state;

#[cfg(target_arch = "wasm32")]
mod api;
#[cfg(target_arch = "wasm32")]
mod js;
#[cfg(target_arch = "wasm32")]
mod mount;
#[cfg(target_arch = "wasm32")]
mod view;

#[cfg(target_arch = "wasm32")]
pub use mount::{mount, TamaraWidget};
