//! Integration tests of the sandbox: one module per area.

#[path = "api/common.rs"]
mod common;

#[path = "api/auth_checkout.rs"]
mod auth_checkout;
#[path = "api/cli.rs"]
mod cli;
#[path = "api/control.rs"]
mod control;
#[path = "api/faults.rs"]
mod faults;
#[path = "api/golive.rs"]
mod golive;
#[path = "api/hosted.rs"]
mod hosted;
#[path = "api/in_store.rs"]
mod in_store;
#[path = "api/orders.rs"]
mod orders;
#[path = "api/persistence.rs"]
mod persistence;
#[path = "api/timers.rs"]
mod timers;
#[path = "api/webhooks.rs"]
mod webhooks;
