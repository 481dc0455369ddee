//! tamara-widget (being built).
