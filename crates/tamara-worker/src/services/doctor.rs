//! The set-up self-test (`GET /admin/doctor`, `bash scripts/doctor.sh`) and the idempotent
//! registration of this Worker's webhook (`POST /admin/webhooks/ensure`, `doctor.sh --fix`).
//!
//! Each [`Check`] is one line: a name, pass or fail, what was found and, on a failure, what to
//! do. Details name variables, public URLs and ids, never a secret's value.

use serde::Serialize;
use serde_json::{json, Value};
use tamara_core::webhooks::{ListWebhooks, Webhook};
use tamara_core::{ApiError, EventType};

pub use super::webhook_setup::{ensure_webhook, REQUIRED_EVENTS};
use super::App;
use crate::config::names;
use crate::error::AppError;
use crate::store::Sql;
use crate::tamara::Transport;

/// The migrations in `migrations/` (a test keeps this list equal to the directory).
pub const MIGRATIONS: [&str; 3] = [
    "0001_init.sql",
    "0002_seed_catalog.sql",
    "0003_return_urls.sql",
];
/// The tables those migrations create.
pub const TABLES: [&str; 7] = [
    "cancels",
    "captures",
    "catalog",
    "events",
    "idempotency_keys",
    "orders",
    "refunds",
];

/// One line of the doctor's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable name (`secrets.TAMARA_API_TOKEN`, `tamara.api_token`, `webhook`, …).
    pub name: &'static str,
    /// Passed.
    pub ok: bool,
    /// What was found.
    pub detail: String,
    /// What to do (empty when passed).
    pub fix: String,
}

fn pass(name: &'static str, detail: impl Into<String>) -> Check {
    Check {
        name,
        ok: true,
        detail: detail.into(),
        fix: String::new(),
    }
}

fn fail(name: &'static str, detail: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        name,
        ok: false,
        detail: detail.into(),
        fix: fix.into(),
    }
}

fn is_loopback(url: &str) -> bool {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))
        .unwrap_or(url);
    let host = rest.split(['/', ':']).next().unwrap_or("");
    matches!(host, "127.0.0.1" | "localhost" | "[::1]")
}

/// Whether this configuration is a deployed one (Tamara's real API, not a local sandbox).
pub fn deployed(api_base: &str) -> bool {
    !is_loopback(api_base)
}

/// What Tamara's refusal of the API token means.
pub fn token_refusal(e: &ApiError, base: &str) -> Check {
    let name = "tamara.api_token";
    let message = match e {
        ApiError::Unauthorized { body, .. } | ApiError::Rejected { body, .. } => {
            body.message.to_ascii_lowercase()
        }
        _ => String::new(),
    };
    if message.contains("merchant") && message.contains("not found") {
        let other = if base.contains("api-sandbox") {
            "a production token against the sandbox base"
        } else {
            "a sandbox token against the production base"
        };
        return fail(
            name,
            format!("Tamara at {base} answered \"Merchant is not found\": likely {other}"),
            "use the token and TAMARA_API_BASE of the same environment (sandbox token → https://api-sandbox.tamara.co, production token → https://api.tamara.co)",
        );
    }
    match e {
        ApiError::Unauthorized { status, .. } => fail(
            name,
            format!("Tamara at {base} refused the API token ({status})"),
            format!(
                "copy the API token from Tamara's partners portal: wrangler secret put {} (--env …)",
                names::TAMARA_API_TOKEN
            ),
        ),
        other => fail(
            name,
            format!("Tamara at {base} answered {}", other.code()),
            "check TAMARA_API_BASE and retry",
        ),
    }
}

fn secrets<T: Transport, Q: Sql>(app: &App<T, Q>) -> Vec<Check> {
    let cfg = &app.cfg;
    let set = [
        (names::TAMARA_API_TOKEN, cfg.has_api_token()),
        (
            names::TAMARA_NOTIFICATION_TOKEN,
            cfg.notification_token().is_ok(),
        ),
        (names::ADMIN_TOKEN, cfg.admin_token().is_ok()),
        (names::CART_SIGNING_KEY, cfg.cart_signing_key().is_ok()),
    ];
    let mut out: Vec<Check> = set
        .iter()
        .map(|(n, ok)| {
            let name = match *n {
                names::TAMARA_API_TOKEN => "secret.TAMARA_API_TOKEN",
                names::TAMARA_NOTIFICATION_TOKEN => "secret.TAMARA_NOTIFICATION_TOKEN",
                names::ADMIN_TOKEN => "secret.ADMIN_TOKEN",
                _ => "secret.CART_SIGNING_KEY",
            };
            if *ok {
                pass(name, format!("{n} is set"))
            } else {
                fail(
                    name,
                    format!("{n} is not set"),
                    format!("wrangler secret put {n} (--env …); locally: .dev.vars"),
                )
            }
        })
        .collect();
    out.push(pass(
        "secret.TAMARA_NOTIFICATION_TOKEN_PREVIOUS",
        if cfg.notification_token_previous().is_some() {
            "set: webhooks signed with the previous notification token are accepted (remove it once the rotation is over)"
        } else {
            "not set (only needed while rotating the notification token)"
        },
    ));
    out
}

fn urls<T: Transport, Q: Sql>(app: &App<T, Q>) -> Check {
    let cfg = &app.cfg;
    let name = "config.urls";
    if !deployed(&cfg.api_base) {
        return pass(
            name,
            format!(
                "local stack (TAMARA_API_BASE {}): http allowed",
                cfg.api_base
            ),
        );
    }
    let mut problems = Vec::new();
    if !cfg.api_base.starts_with("https://") {
        problems.push("TAMARA_API_BASE is not https".to_owned());
    }
    for (n, v) in [
        ("PUBLIC_URL", &cfg.public_url),
        ("STORE_URL", &cfg.store_url),
    ] {
        if !v.starts_with("https://") {
            problems.push(format!("{n} ({v}) is not https"));
        }
    }
    let origins = cfg.allowed_origins.list();
    if origins.is_empty() {
        problems.push("ALLOWED_ORIGINS is empty".to_owned());
    }
    for o in origins {
        if !o.starts_with("https://") {
            problems.push(format!("ALLOWED_ORIGINS has {o}, not https"));
        }
    }
    let store_origin = origin(&cfg.store_url);
    if !cfg.allowed_origins.allows(&store_origin) {
        problems.push(format!(
            "STORE_URL's origin {store_origin} is not in ALLOWED_ORIGINS"
        ));
    }
    if cfg.sandbox_clock_url.is_some() {
        problems.push("SANDBOX_CLOCK_URL is set (dev only)".to_owned());
    }
    if problems.is_empty() {
        pass(
            name,
            format!(
                "PUBLIC_URL {}, STORE_URL {}, ALLOWED_ORIGINS https and consistent",
                cfg.public_url, cfg.store_url
            ),
        )
    } else {
        fail(
            name,
            problems.join("; "),
            "fix [env.…vars] in wrangler.toml: https URLs, STORE_URL's origin in ALLOWED_ORIGINS, SANDBOX_CLOCK_URL empty",
        )
    }
}

fn origin(url: &str) -> String {
    let Some(i) = url.find("://") else {
        return url.to_owned();
    };
    match url[i + 3..].find('/') {
        Some(j) => url[..i + 3 + j].to_owned(),
        None => url.to_owned(),
    }
}

fn webhook_check<T: Transport, Q: Sql>(app: &App<T, Q>, list: &[Webhook]) -> Check {
    let name = "tamara.webhook";
    let url = app.cfg.public("/tamara/webhook");
    match list.iter().find(|w| w.url == url) {
        Some(w) => {
            let missing: Vec<&str> = REQUIRED_EVENTS
                .iter()
                .filter(|e| !w.events.contains(e))
                .map(EventType::as_str)
                .collect();
            if missing.is_empty() {
                pass(
                    name,
                    format!("{url} registered (id {}) with every event", w.webhook_id),
                )
            } else {
                fail(
                    name,
                    format!(
                        "{url} registered (id {}) without {}",
                        w.webhook_id,
                        missing.join(", ")
                    ),
                    "bash scripts/doctor.sh --fix (POST /admin/webhooks/ensure)",
                )
            }
        }
        None => fail(
            name,
            format!("{url} is not registered at Tamara"),
            "bash scripts/doctor.sh --fix (POST /admin/webhooks/ensure)",
        ),
    }
}

async fn migrations<T: Transport, Q: Sql>(app: &App<T, Q>) -> Check {
    let name = "d1.migrations";
    let fix = "npx wrangler d1 migrations apply DB --remote --env … (locally: --local)";
    let Ok(store) = app.store() else {
        return fail(
            name,
            "the D1 binding DB is missing",
            "add [[d1_databases]] binding = \"DB\" to wrangler.toml",
        );
    };
    let tables = match store.table_names().await {
        Ok(t) => t,
        Err(e) => return fail(name, format!("D1 did not answer ({})", e.code()), fix),
    };
    let missing_tables: Vec<&str> = TABLES
        .iter()
        .copied()
        .filter(|t| !tables.iter().any(|x| x == t))
        .collect();
    let recorded = store.applied_migrations().await.ok().flatten();
    let missing_migrations: Vec<&str> = match &recorded {
        Some(applied) => MIGRATIONS
            .iter()
            .copied()
            .filter(|m| !applied.iter().any(|a| a == m))
            .collect(),
        None => Vec::new(),
    };
    if missing_tables.is_empty() && missing_migrations.is_empty() {
        pass(name, format!("all {} migrations applied", MIGRATIONS.len()))
    } else if !missing_migrations.is_empty() {
        fail(
            name,
            format!("not applied: {}", missing_migrations.join(", ")),
            fix,
        )
    } else {
        fail(
            name,
            format!("missing tables: {}", missing_tables.join(", ")),
            fix,
        )
    }
}

/// Every check, in order.
pub async fn run<T: Transport, Q: Sql>(app: &App<T, Q>) -> Vec<Check> {
    let mut out = secrets(app);
    let base = app.cfg.api_base.clone();
    let base_ok = base.starts_with("https://") || is_loopback(&base);
    out.push(if base_ok {
        pass("config.TAMARA_API_BASE", base.clone())
    } else {
        fail(
            "config.TAMARA_API_BASE",
            format!("{base} is not https"),
            "https://api.tamara.co (production) or https://api-sandbox.tamara.co (sandbox)",
        )
    });
    // One harmless read proves the token and the base: the webhook list.
    let list = match app.tamara() {
        Err(_) => {
            out.push(fail(
                "tamara.api_token",
                "cannot call Tamara without TAMARA_API_TOKEN",
                format!("wrangler secret put {}", names::TAMARA_API_TOKEN),
            ));
            None
        }
        Ok(t) => match t.call(&ListWebhooks).await {
            Ok(list) => {
                out.push(pass(
                    "tamara.api_token",
                    format!("Tamara at {base} accepted the API token (GET /webhooks)"),
                ));
                Some(list.0)
            }
            Err(AppError::Tamara(e)) => {
                out.push(token_refusal(&e, &base));
                None
            }
            Err(e) => {
                out.push(fail(
                    "tamara.api_token",
                    format!("Tamara at {base} did not answer ({})", e.code()),
                    "check TAMARA_API_BASE and the network",
                ));
                None
            }
        },
    };
    out.push(match &list {
        Some(list) => webhook_check(app, list),
        None => fail(
            "tamara.webhook",
            "not checked: Tamara's webhook list could not be read",
            "fix tamara.api_token first",
        ),
    });
    out.push(migrations(app).await);
    out.push(urls(app));
    out
}

/// The report: `{"ok", "checks": [...]}`.
pub async fn report<T: Transport, Q: Sql>(app: &App<T, Q>) -> Value {
    let checks = run(app).await;
    json!({"ok": checks.iter().all(|c| c.ok), "checks": checks})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_list_matches_the_directory() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|f| f.ends_with(".sql"))
            .collect();
        files.sort();
        assert_eq!(files, MIGRATIONS);
    }

    #[test]
    fn merchant_not_found_names_the_environment_mix_up() {
        let e = ApiError::from_response(401, br#"{"message":"Merchant is not found"}"#);
        let c = token_refusal(&e, "https://api.tamara.co");
        assert!(!c.ok);
        assert!(
            c.detail
                .contains("sandbox token against the production base"),
            "{c:?}"
        );
        let e = ApiError::from_response(401, br#"{"message":"Unauthorized"}"#);
        let c = token_refusal(&e, "https://api.tamara.co");
        assert!(c.detail.contains("refused the API token"), "{c:?}");
        assert_eq!(
            origin("https://shop.example.com/cart"),
            "https://shop.example.com"
        );
        assert!(deployed("https://api.tamara.co") && !deployed("http://127.0.0.1:7070"));
    }
}
