//! # tamara-core
//!
//! An exact, typed, **sans-IO** model of [Tamara](https://tamara.co)'s merchant API (buy now, pay
//! later across Saudi Arabia and the Gulf). It builds HTTP requests and parses HTTP responses; it
//! never opens a socket and never reads a clock (time is always an argument). The Cloudflare
//! Worker, the offline sandbox and the tests are thin adapters around it, and it builds for native
//! targets and for `wasm32-unknown-unknown`.
//!
//! * [`money`]: integer minor units per currency (SAR/AED/QAR 2 decimals, KWD/BHD/OMR 3), exact
//!   conversion to and from Tamara's JSON numbers, checked arithmetic.
//! * [`country`]: markets, their currencies, phone normalisation.
//! * One module per API resource: [`checkout`], [`orders`], [`payments`], [`merchants`],
//!   [`webhooks`]; every request implements [`http::Endpoint`].
//! * [`lifecycle`]: the forward-only order state machine, timers and money books.
//! * [`token`]: `tamaraToken` (HS256 JWT) verification, and with the `signer` feature, signing.
//! * [`secret`]: tokens whose `Debug` is redacted.
//!
//! ## Example: build a request, parse a response
//!
//! ```
//! use tamara_core::http::{Client, Endpoint, Environment, Method};
//! use tamara_core::orders::GetOrder;
//! use tamara_core::secret::ApiToken;
//!
//! let client = Client::new(Environment::Sandbox, ApiToken::new("token"));
//! let req = client.build(&GetOrder::new("f56a3123-9e23-45e4-87a2-95366d3b0bca".into()));
//! assert_eq!(req.method, Method::Get);
//! assert_eq!(
//!     req.url,
//!     "https://api-sandbox.tamara.co/merchants/orders/f56a3123-9e23-45e4-87a2-95366d3b0bca"
//! );
//! // ... send it with any HTTP client, then:
//! let err = GetOrder::parse_response(404, br#"{"message":"Order not found"}"#).unwrap_err();
//! assert_eq!(err.code(), "tamara_not_found");
//! ```
//!
//! ## Features
//! * `signer`: [`token::sign`] to mint notification tokens (sandbox, tests).

pub mod checkout;
pub mod country;
pub mod display;
pub mod eligibility;
pub mod enums;
pub mod error;
pub mod http;
pub mod ids;
pub mod json_path;
pub mod lifecycle;
pub mod merchants;
pub mod money;
pub mod orders;
pub mod payments;
pub mod secret;
pub mod timestamp;
pub mod token;
pub mod types;
pub mod webhooks;

pub use country::{Country, Phone};
pub use enums::{EventType, Locale, OrderStatus, PaymentType};
pub use error::{ApiError, ErrorBody, ErrorCode};
pub use http::{Client, Endpoint, Environment, HttpRequest, Method};
pub use ids::{CaptureId, CheckoutId, OrderId, OrderReferenceId, RefundId, WebhookId};
pub use money::{Currency, Money, MoneyError};
pub use secret::{ApiToken, NotificationToken, SecretString};
pub use timestamp::Timestamp;
