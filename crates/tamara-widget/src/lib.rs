//! tamara-widget: Tamara as a payment option in one snippet.
//!
//! ```html
//! <script type="module" src="/tamara-checkout.js"></script>
//! <tamara-checkout worker-url="" country="SA" currency="SAR" lang="en"></tamara-checkout>
//! ```
//!
//! * [`state`] — pure model (native tests): cart → one `GET /api/payment-options?items=…`
//!   query (the Worker prices the SKUs), phases, texts, idempotency keys, render dedupe.
//! * `view` — DOM in a shadow root: logo, options as native radios, live regions, button.
//! * `api` — the Worker's storefront API with `gloo-net`.
//! * `mount` — the exported API the `<tamara-checkout>` element (`js/tamara-checkout.js`, published
//!   as `www/tamara-checkout.js`) delegates to: `mount(element, options)` → handle with `set_cart`, `set_customer`,
//!   `set_shipping_address`, `set_lang`, `destroy`.
//!
//! Size: no `core::fmt` on purpose (see [`state::cat`]), and a small allocator
//! (`lol_alloc`, behind a spin lock: no `unsafe` here).

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

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: lol_alloc::LockedAllocator<lol_alloc::FreeListAllocator> =
    lol_alloc::LockedAllocator::new(lol_alloc::FreeListAllocator::new());
