//! tamara-sandbox: a stateful offline stand-in for Tamara's API (being built).
