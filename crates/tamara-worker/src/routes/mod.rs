//! HTTP handlers, one module per audience.

pub mod admin;
pub mod redirect;
pub mod storefront;
pub mod webhook;
