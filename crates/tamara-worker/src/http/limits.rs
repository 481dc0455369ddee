//! The Rate Limiting bindings (`[[ratelimits]]` in `wrangler.toml`, one per [`Limit`]), asked
//! through `worker::RateLimiter`. Which limit and which key is decided in `guard`.

use worker::Env;

use crate::error::{AppError, AppResult};
use crate::guard::{Limit, PERIOD_SECS};

/// Counts one request of `client` against `limit`: `Ok(())` within the limit, 429
/// `rate_limited` (with `Retry-After`) over it. A missing binding is a deploy mistake and fails
/// closed (503 `config_missing`); a binding that errors lets the request through with a warning
/// (the platform's outage should not stop checkouts).
pub async fn count(env: &Env, limit: Limit, client: &str) -> AppResult<()> {
    if allows(env, limit, client).await? {
        Ok(())
    } else {
        Err(AppError::RateLimited(PERIOD_SECS))
    }
}

/// Like [`count`], as a yes/no.
pub async fn allows(env: &Env, limit: Limit, client: &str) -> AppResult<bool> {
    let rl = env
        .rate_limiter(limit.binding())
        .map_err(|_| AppError::ConfigMissing(limit.binding()))?;
    match rl.limit(client.to_owned()).await {
        Ok(outcome) => Ok(outcome.success),
        Err(e) => {
            worker::console_warn!("rate limiter {} failed: {e}", limit.binding());
            Ok(true)
        }
    }
}
