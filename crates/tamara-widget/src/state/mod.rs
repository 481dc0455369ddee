//! Pure widget state: no DOM, no network, no clock.
//!
//! The browser side (`mount.rs`, `view.rs`, `api.rs`) feeds [`Input`]s into [`Widget::apply`],
//! runs the [`Effect`]s it returns, and renders [`Widget::texts`]. Everything a shopper sees is
//! decided here and tested natively:
//!
//! * cart → payment-options query: SKUs and quantities only (`items=TSHIRT-1:2,MUG-1:1`); the
//!   Worker prices them from its own catalog and answers with the total it would charge,
//! * availability, labels and the instalment text in English and Arabic,
//! * the phases `idle → loading → ready | unavailable | error → submitting → redirecting`,
//! * one `Idempotency-Key` per checkout attempt (a retry of the same body reuses it; a double
//!   click while submitting is ignored),
//! * render dedupe: [`Texts`] is `PartialEq`, so the same inputs produce no re-render.
//!
//! Size: nothing here formats with `core::fmt` (`format!`, `to_string`, `{}`): texts are joined
//! with [`cat`] and numbers written with [`push_uint`], which keeps the formatting machinery
//! out of the wasm; the checkout body is written by [`CheckoutRequest::to_json`] (serde's
//! derives for five nested structs cost more than 1 KB gzipped).
//!
//! Layout (each module with its own native tests; the widget's flows in `tests.rs`):
//! [`cat`] and friends (`strings`), `config`, `money` (money text), `cart` (inputs from the
//! host page), `answers` (the Worker's answers), `request` (what is sent to the Worker),
//! `phase` (inputs, effects, phases), `widget` (the state machine), `texts` (the view model).

mod answers;
mod cart;
mod config;
mod money;
mod phase;
mod request;
mod strings;
mod texts;
mod widget;

pub use answers::{CheckoutCreated, FetchError, Money, PaymentOption, PaymentOptions, Reason};
pub use cart::{cart_items, Address, Cart, CartItem, Customer, MAX_LINES, MAX_QUANTITY};
pub use config::{country_currency, Config, ConfigError, Lang, ReturnUrls};
pub use money::{currency_exponent, minor_to_decimal, money_text};
pub use phase::{Effect, Failure, Input, Phase, Stage};
pub use request::{encode, CheckoutRequest, OptionsQuery};
pub use strings::{cat, push_uint, uint};
pub use texts::{instalment_text, ButtonTexts, OptionKind, OptionTexts, Texts};
pub use widget::Widget;

#[cfg(test)]
mod tests;
