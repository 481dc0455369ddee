//! Native tests of the services over the fakes in `crate::testing`: SQLite with the real
//! migrations as D1, the sandbox in-process as Tamara, a clock moved by hand.

mod abuse;
mod common;
mod errors;
mod flow;
mod golive;
mod idempotency;
mod in_store;
mod money;
mod outside;
mod plan;
mod reconcile;
mod returns;
mod timing;
mod webhook;
