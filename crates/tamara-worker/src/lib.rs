//! tamara-worker (being built).
