//! The merchant API's bearer check (`Authorization: Bearer <ADMIN_TOKEN>`, constant time),
//! ID verification and the manual reconcile.

use serde_json::json;
use tamara_core::secret::constant_time_eq;
use worker::Response;

use crate::error::{AppError, AppResult};
use crate::http::request::Request;
use crate::http::response::json;
use crate::http::Ctx;
use crate::services::{merchant, reconcile};

/// Checks the request's bearer token against `ADMIN_TOKEN`.
pub fn authenticate(ctx: &Ctx, req: &Request) -> AppResult<()> {
    let expected = ctx.cfg.admin_token()?;
    check_bearer(req.header("Authorization").as_deref(), expected.expose())
}

/// Pure bearer check.
pub fn check_bearer(header: Option<&str>, expected: &str) -> AppResult<()> {
    let token = header
        .map(str::trim)
        .and_then(|h| {
            h.strip_prefix("Bearer ")
                .or_else(|| h.strip_prefix("bearer "))
        })
        .map(str::trim)
        .ok_or(AppError::Unauthorized("missing bearer token"))?;
    if expected.is_empty() || !constant_time_eq(token.as_bytes(), expected.as_bytes()) {
        return Err(AppError::Unauthorized("invalid bearer token"));
    }
    Ok(())
}

/// `GET /admin/customers/id-verification?phone=…&country=SA`
pub async fn id_verification(ctx: &Ctx, req: &Request) -> AppResult<Response> {
    let q = req.query_pairs();
    let (phone, country) = (q.get("phone"), q.get("country"));
    let verified = merchant::id_verified(&ctx.app(), phone.as_deref(), country.as_deref()).await?;
    json(200, &json!({"is_id_verified": verified}))
}

/// `POST /admin/reconcile`: one pass now.
pub async fn reconcile(ctx: &Ctx) -> AppResult<Response> {
    let app = ctx.app();
    let now = ctx.tamara_now(&app).await;
    json(200, &reconcile::run(&app, now).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer() {
        assert!(check_bearer(Some("Bearer s3cret"), "s3cret").is_ok());
        assert!(check_bearer(Some("bearer s3cret "), "s3cret").is_ok());
        assert_eq!(check_bearer(None, "s3cret").unwrap_err().status(), 401);
        for bad in ["Bearer nope", "Basic s3cret"] {
            assert_eq!(check_bearer(Some(bad), "s3cret").unwrap_err().status(), 401);
        }
        assert_eq!(check_bearer(Some("Bearer "), "").unwrap_err().status(), 401);
        let e = check_bearer(Some("Bearer wrong"), "s3cret").unwrap_err();
        assert!(!e.body().to_string().contains("s3cret"));
    }
}
