//! D1 access. Every state change of an order is a conditional UPDATE: either a compare-and-set
//! on `version`, or a guard on the status / claim column. Callers look at the number of rows
//! changed to know whether they won.

use serde::de::DeserializeOwned;
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use crate::error::{AppError, AppResult};
use crate::group::{self, KeepAlive};
use crate::idempotency::Stored;
use crate::model::OrderRow;

/// The D1 binding plus the request's `waitUntil`, for group commit ([`crate::group`]).
/// Derefs to [`D1Database`], so every single-statement helper takes `&Db` as well.
pub struct Db<'a> {
    d1: D1Database,
    keep: &'a KeepAlive,
}

impl<'a> Db<'a> {
    /// Wraps the binding; `keep` registers the group flush with the event's `waitUntil`.
    pub fn new(d1: D1Database, keep: &'a KeepAlive) -> Self {
        Self { d1, keep }
    }

    /// Runs `stmts` as one atomic batch, grouped with concurrent requests' batches.
    pub async fn batch(&self, stmts: Vec<D1PreparedStatement>) -> AppResult<Vec<worker::D1Result>> {
        group::batch(&self.d1, self.keep, stmts)
            .await
            .map_err(AppError::Storage)
    }
}

impl std::fmt::Debug for Db<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Db(DB)")
    }
}

impl std::ops::Deref for Db<'_> {
    type Target = D1Database;
    fn deref(&self) -> &D1Database {
        &self.d1
    }
}

/// A bind argument.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    /// INTEGER
    I(i64),
    /// TEXT
    T(&'a str),
    /// NULL
    Null,
}

impl Arg<'_> {
    fn js(&self) -> JsValue {
        match self {
            // D1 takes JS numbers; every integer we store (ms, minor units ≤ 10^15) is exact.
            Arg::I(v) => JsValue::from_f64(*v as f64),
            Arg::T(s) => JsValue::from_str(s),
            Arg::Null => JsValue::null(),
        }
    }
}

/// `Some(text)` or NULL.
pub fn opt<'a>(s: Option<&'a str>) -> Arg<'a> {
    s.map(Arg::T).unwrap_or(Arg::Null)
}

fn storage(e: worker::Error) -> AppError {
    AppError::Storage(e.to_string())
}

fn stmt(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> AppResult<D1PreparedStatement> {
    let vals: Vec<JsValue> = args.iter().map(Arg::js).collect();
    db.prepare(sql).bind(&vals).map_err(storage)
}

/// Rows of a SELECT.
pub async fn all<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[Arg<'_>],
) -> AppResult<Vec<T>> {
    let res = stmt(db, sql, args)?.all().await.map_err(storage)?;
    res.results::<T>().map_err(storage)
}

/// First row of a SELECT.
pub async fn first<T: DeserializeOwned>(
    db: &D1Database,
    sql: &str,
    args: &[Arg<'_>],
) -> AppResult<Option<T>> {
    stmt(db, sql, args)?.first::<T>(None).await.map_err(storage)
}

/// Runs a write; returns the number of rows changed.
pub async fn run(db: &D1Database, sql: &str, args: &[Arg<'_>]) -> AppResult<usize> {
    exec(stmt(db, sql, args)?).await
}

/// Runs a prepared write; returns the number of rows changed.
async fn exec(statement: D1PreparedStatement) -> AppResult<usize> {
    changes(&statement.run().await.map_err(storage)?)
}

/// The rows a write's result changed, or its error.
fn changes(res: &worker::D1Result) -> AppResult<usize> {
    if let Some(err) = res.error() {
        return Err(AppError::Storage(err));
    }
    Ok(res
        .meta()
        .ok()
        .flatten()
        .and_then(|m| m.changes)
        .unwrap_or(0))
}

// ---- catalog --------------------------------------------------------------------------------

/// A catalog product.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct Product {
    /// SKU.
    pub sku: String,
    /// English name.
    pub name: String,
    /// Arabic name.
    pub name_ar: String,
    /// Price.
    pub price_minor: i64,
    /// Currency.
    pub currency: String,
    /// Image.
    #[serde(default)]
    pub image_url: Option<String>,
}

/// Active products in `currency`.
pub async fn catalog(db: &D1Database, currency: &str) -> AppResult<Vec<Product>> {
    all(
        db,
        "SELECT sku, name, name_ar, price_minor, currency, image_url FROM catalog \
         WHERE active = 1 AND currency = ?1 ORDER BY sku",
        &[Arg::T(currency)],
    )
    .await
}

// ---- orders ---------------------------------------------------------------------------------

const ORDER_COLS: &str = "order_id, checkout_id, order_reference_id, status, channel, country, \
    currency, total_minor, shipping_minor, tax_minor, discount_minor, captured_minor, \
    refunded_minor, canceled_minor, items, locale, checkout_url, created_at, updated_at, version, \
    approved_at, authorised_at, expires_at, authorise_claimed_at, auto_capture_flagged_at, \
    last_synced_at";

/// Inserts a new order.
pub async fn insert_order(db: &D1Database, o: &OrderRow) -> AppResult<()> {
    exec(insert_order_stmt(db, o)?).await.map(|_| ())
}

fn insert_order_stmt(db: &D1Database, o: &OrderRow) -> AppResult<D1PreparedStatement> {
    stmt(
        db,
        "INSERT INTO orders (order_id, checkout_id, order_reference_id, status, channel, country, \
         currency, total_minor, shipping_minor, tax_minor, discount_minor, items, locale, \
         checkout_url, created_at, updated_at, version, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, 0, ?16)",
        &[
            Arg::T(&o.order_id),
            opt(o.checkout_id.as_deref()),
            Arg::T(&o.order_reference_id),
            Arg::T(&o.status),
            Arg::T(&o.channel),
            Arg::T(&o.country),
            Arg::T(&o.currency),
            Arg::I(o.total_minor),
            Arg::I(o.shipping_minor),
            Arg::I(o.tax_minor),
            Arg::I(o.discount_minor),
            Arg::T(&o.items),
            opt(o.locale.as_deref()),
            opt(o.checkout_url.as_deref()),
            Arg::I(o.created_at),
            o.expires_at.map(Arg::I).unwrap_or(Arg::Null),
        ],
    )
}

/// One order.
pub async fn get_order(db: &D1Database, order_id: &str) -> AppResult<Option<OrderRow>> {
    first(
        db,
        &format!("SELECT {ORDER_COLS} FROM orders WHERE order_id = ?1"),
        &[Arg::T(order_id)],
    )
    .await
}

/// One order by merchant reference.
pub async fn get_order_by_reference(
    db: &D1Database,
    reference: &str,
) -> AppResult<Option<OrderRow>> {
    first(
        db,
        &format!("SELECT {ORDER_COLS} FROM orders WHERE order_reference_id = ?1"),
        &[Arg::T(reference)],
    )
    .await
}

/// Newest orders, optionally by status.
pub async fn list_orders(
    db: &D1Database,
    status: Option<&str>,
    limit: i64,
) -> AppResult<Vec<OrderRow>> {
    match status {
        Some(s) => {
            all(
                db,
                &format!(
                    "SELECT {ORDER_COLS} FROM orders WHERE status = ?1 \
                     ORDER BY created_at DESC LIMIT ?2"
                ),
                &[Arg::T(s), Arg::I(limit)],
            )
            .await
        }
        None => {
            all(
                db,
                &format!("SELECT {ORDER_COLS} FROM orders ORDER BY created_at DESC LIMIT ?1"),
                &[Arg::I(limit)],
            )
            .await
        }
    }
}

/// Orders in `new`/`approved` not updated since `before_ms`.
/// Least recently checked first: a pass that finds an order unchanged only touches
/// `last_synced_at`, so it goes to the back and a backlog larger than `limit` rotates instead of
/// the same oldest orders being re-checked on every pass.
pub async fn stale_pending(
    db: &D1Database,
    before_ms: i64,
    limit: i64,
) -> AppResult<Vec<OrderRow>> {
    all(
        db,
        &format!(
            "SELECT {ORDER_COLS} FROM orders WHERE status IN ('new', 'approved') \
             AND updated_at < ?1 ORDER BY COALESCE(last_synced_at, updated_at), updated_at \
             LIMIT ?2"
        ),
        &[Arg::I(before_ms), Arg::I(limit)],
    )
    .await
}

/// Authorised (not yet captured) orders authorised before `before_ms` and not flagged yet.
pub async fn near_auto_capture(
    db: &D1Database,
    before_ms: i64,
    limit: i64,
) -> AppResult<Vec<OrderRow>> {
    all(
        db,
        &format!(
            "SELECT {ORDER_COLS} FROM orders WHERE status IN ('authorised', 'updated', \
             'partially_captured') AND authorised_at IS NOT NULL AND authorised_at < ?1 \
             AND auto_capture_flagged_at IS NULL ORDER BY authorised_at LIMIT ?2"
        ),
        &[Arg::I(before_ms), Arg::I(limit)],
    )
    .await
}

/// The mirrored fields written by a sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mirror {
    /// Status.
    pub status: String,
    /// Captured.
    pub captured_minor: i64,
    /// Refunded.
    pub refunded_minor: i64,
    /// Canceled.
    pub canceled_minor: i64,
    /// Approved at.
    pub approved_at: Option<i64>,
    /// Authorised at.
    pub authorised_at: Option<i64>,
}

/// Compare-and-set of the mirrored fields: only if `version` is still `expected_version`.
pub async fn cas_mirror(
    db: &D1Database,
    order_id: &str,
    expected_version: i64,
    m: &Mirror,
    now: i64,
) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE orders SET status = ?1, captured_minor = ?2, refunded_minor = ?3, \
         canceled_minor = ?4, approved_at = ?5, authorised_at = ?6, updated_at = ?7, \
         last_synced_at = ?7, version = version + 1 WHERE order_id = ?8 AND version = ?9",
        &[
            Arg::T(&m.status),
            Arg::I(m.captured_minor),
            Arg::I(m.refunded_minor),
            Arg::I(m.canceled_minor),
            m.approved_at.map(Arg::I).unwrap_or(Arg::Null),
            m.authorised_at.map(Arg::I).unwrap_or(Arg::Null),
            Arg::I(now),
            Arg::T(order_id),
            Arg::I(expected_version),
        ],
    )
    .await?;
    Ok(n == 1)
}

/// Records that the order was just read from Tamara (no version bump: nothing changed).
pub async fn touch_synced(db: &D1Database, order_id: &str, now: i64) -> AppResult<()> {
    exec(touch_synced_stmt(db, order_id, now)?)
        .await
        .map(|_| ())
}

fn touch_synced_stmt(db: &D1Database, order_id: &str, now: i64) -> AppResult<D1PreparedStatement> {
    stmt(
        db,
        "UPDATE orders SET last_synced_at = ?1 WHERE order_id = ?2",
        &[Arg::I(now), Arg::T(order_id)],
    )
}

/// [`touch_synced`] and [`finish_event`] (status unchanged) in one round trip.
pub async fn touch_synced_and_finish(
    db: &Db<'_>,
    order_id: &str,
    now: i64,
    dedupe_key: &str,
    status: &str,
) -> AppResult<()> {
    let stmts = vec![
        touch_synced_stmt(db, order_id, now)?,
        finish_event_stmt(db, dedupe_key, Some(status), Some(status))?,
    ];
    check_batch(db.batch(stmts).await?)
}

fn check_batch(results: Vec<worker::D1Result>) -> AppResult<()> {
    for res in results {
        if let Some(err) = res.error() {
            return Err(AppError::Storage(err));
        }
    }
    Ok(())
}

/// Claims the right to call authorise: only one request wins while the order is `approved`
/// and no fresh claim exists (a claim older than `stale_before` is abandoned and may be taken).
pub async fn claim_authorise(
    db: &D1Database,
    order_id: &str,
    now: i64,
    stale_before: i64,
) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE orders SET authorise_claimed_at = ?1, version = version + 1, updated_at = ?1 \
         WHERE order_id = ?2 AND status = 'approved' \
         AND (authorise_claimed_at IS NULL OR authorise_claimed_at < ?3)",
        &[Arg::I(now), Arg::T(order_id), Arg::I(stale_before)],
    )
    .await?;
    Ok(n == 1)
}

/// Completes a claimed authorisation.
pub async fn finish_authorise(
    db: &D1Database,
    order_id: &str,
    status: &str,
    captured_minor: i64,
    now: i64,
) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE orders SET status = ?1, authorised_at = COALESCE(authorised_at, ?2), \
         captured_minor = MAX(captured_minor, ?3), authorise_claimed_at = NULL, \
         version = version + 1, updated_at = ?2, last_synced_at = ?2 \
         WHERE order_id = ?4 AND status = 'approved'",
        &[
            Arg::T(status),
            Arg::I(now),
            Arg::I(captured_minor),
            Arg::T(order_id),
        ],
    )
    .await?;
    Ok(n == 1)
}

/// Gives a claim back after a failed authorisation.
pub async fn release_authorise(db: &D1Database, order_id: &str, now: i64) -> AppResult<()> {
    run(
        db,
        "UPDATE orders SET authorise_claimed_at = NULL, version = version + 1, updated_at = ?1 \
         WHERE order_id = ?2 AND authorise_claimed_at IS NOT NULL",
        &[Arg::I(now), Arg::T(order_id)],
    )
    .await
    .map(|_| ())
}

/// CAS update of the merchant reference.
pub async fn cas_reference(
    db: &D1Database,
    order_id: &str,
    expected_version: i64,
    reference: &str,
    now: i64,
) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE orders SET order_reference_id = ?1, version = version + 1, updated_at = ?2 \
         WHERE order_id = ?3 AND version = ?4",
        &[
            Arg::T(reference),
            Arg::I(now),
            Arg::T(order_id),
            Arg::I(expected_version),
        ],
    )
    .await?;
    Ok(n == 1)
}

/// CAS flag for the auto-capture warning.
pub async fn cas_flag_auto_capture(
    db: &D1Database,
    order_id: &str,
    expected_version: i64,
    now: i64,
) -> AppResult<bool> {
    let n = run(
        db,
        "UPDATE orders SET auto_capture_flagged_at = ?1, version = version + 1 \
         WHERE order_id = ?2 AND version = ?3 AND auto_capture_flagged_at IS NULL",
        &[Arg::I(now), Arg::T(order_id), Arg::I(expected_version)],
    )
    .await?;
    Ok(n == 1)
}

// ---- money movements ------------------------------------------------------------------------

/// Stores a capture (idempotent on capture_id).
pub async fn insert_capture(
    db: &D1Database,
    capture_id: &str,
    order_id: &str,
    amount_minor: i64,
    currency: &str,
    shipping_info: Option<&str>,
    now: i64,
) -> AppResult<bool> {
    Ok(run(
        db,
        "INSERT OR IGNORE INTO captures (capture_id, order_id, amount_minor, currency, \
         shipping_info, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            Arg::T(capture_id),
            Arg::T(order_id),
            Arg::I(amount_minor),
            Arg::T(currency),
            opt(shipping_info),
            Arg::I(now),
        ],
    )
    .await?
        == 1)
}

/// Stores a refund (idempotent on refund_id).
#[allow(clippy::too_many_arguments)]
pub async fn insert_refund(
    db: &D1Database,
    refund_id: &str,
    order_id: &str,
    capture_id: Option<&str>,
    amount_minor: i64,
    currency: &str,
    comment: Option<&str>,
    now: i64,
) -> AppResult<bool> {
    Ok(run(
        db,
        "INSERT OR IGNORE INTO refunds (refund_id, order_id, capture_id, amount_minor, currency, \
         comment, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[
            Arg::T(refund_id),
            Arg::T(order_id),
            opt(capture_id),
            Arg::I(amount_minor),
            Arg::T(currency),
            opt(comment),
            Arg::I(now),
        ],
    )
    .await?
        == 1)
}

/// Stores a cancel (idempotent on cancel_id).
pub async fn insert_cancel(
    db: &D1Database,
    cancel_id: &str,
    order_id: &str,
    amount_minor: i64,
    currency: &str,
    now: i64,
) -> AppResult<bool> {
    Ok(run(
        db,
        "INSERT OR IGNORE INTO cancels (cancel_id, order_id, amount_minor, currency, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            Arg::T(cancel_id),
            Arg::T(order_id),
            Arg::I(amount_minor),
            Arg::T(currency),
            Arg::I(now),
        ],
    )
    .await?
        == 1)
}

/// Ids of the captures / refunds / cancels already stored for an order.
pub async fn known_ids(db: &D1Database, table: Movement, order_id: &str) -> AppResult<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    let (col, tbl) = table.column();
    let rows: Vec<Id> = all(
        db,
        &format!("SELECT {col} AS id FROM {tbl} WHERE order_id = ?1"),
        &[Arg::T(order_id)],
    )
    .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

/// Which money-movement table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Movement {
    /// captures
    Capture,
    /// refunds
    Refund,
    /// cancels
    Cancel,
}

impl Movement {
    fn column(self) -> (&'static str, &'static str) {
        match self {
            Movement::Capture => ("capture_id", "captures"),
            Movement::Refund => ("refund_id", "refunds"),
            Movement::Cancel => ("cancel_id", "cancels"),
        }
    }
}

// ---- audit events ---------------------------------------------------------------------------

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent<'a> {
    /// Unique key (duplicates are ignored).
    pub dedupe_key: &'a str,
    /// Order.
    pub order_id: Option<&'a str>,
    /// webhook | redirect | admin | reconcile | storefront
    pub source: &'a str,
    /// Event type or action.
    pub kind: &'a str,
    /// Status before.
    pub status_before: Option<&'a str>,
    /// Status after.
    pub status_after: Option<&'a str>,
    /// JSON detail (no PII, no secrets).
    pub detail: Option<String>,
    /// Whether the event is fully handled.
    pub processed: bool,
}

/// Inserts an event; `false` when the dedupe key already exists.
pub async fn record_event(db: &D1Database, e: &NewEvent<'_>, now: i64) -> AppResult<bool> {
    Ok(exec(record_event_stmt(db, e, now)?).await? == 1)
}

fn record_event_stmt(
    db: &D1Database,
    e: &NewEvent<'_>,
    now: i64,
) -> AppResult<D1PreparedStatement> {
    stmt(
        db,
        "INSERT OR IGNORE INTO events (dedupe_key, order_id, source, kind, status_before, \
         status_after, detail, processed, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        &[
            Arg::T(e.dedupe_key),
            opt(e.order_id),
            Arg::T(e.source),
            Arg::T(e.kind),
            opt(e.status_before),
            opt(e.status_after),
            opt(e.detail.as_deref()),
            Arg::I(i64::from(e.processed)),
            Arg::I(now),
        ],
    )
}

/// Whether an event with this key was fully processed.
pub async fn event_processed(db: &D1Database, dedupe_key: &str) -> AppResult<Option<bool>> {
    #[derive(serde::Deserialize)]
    struct P {
        processed: i64,
    }
    Ok(first::<P>(
        db,
        "SELECT processed FROM events WHERE dedupe_key = ?1",
        &[Arg::T(dedupe_key)],
    )
    .await?
    .map(|p| p.processed != 0))
}

/// Marks an event processed, with its outcome.
pub async fn finish_event(
    db: &D1Database,
    dedupe_key: &str,
    status_before: Option<&str>,
    status_after: Option<&str>,
) -> AppResult<()> {
    exec(finish_event_stmt(
        db,
        dedupe_key,
        status_before,
        status_after,
    )?)
    .await
    .map(|_| ())
}

fn finish_event_stmt(
    db: &D1Database,
    dedupe_key: &str,
    status_before: Option<&str>,
    status_after: Option<&str>,
) -> AppResult<D1PreparedStatement> {
    stmt(
        db,
        "UPDATE events SET processed = 1, status_before = COALESCE(status_before, ?1), \
         status_after = ?2 WHERE dedupe_key = ?3",
        &[opt(status_before), opt(status_after), Arg::T(dedupe_key)],
    )
}

/// An audit row as shown to the merchant.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EventRow {
    /// Row id.
    pub id: i64,
    /// Source.
    pub source: String,
    /// Kind.
    pub kind: String,
    /// Status before.
    #[serde(default)]
    pub status_before: Option<String>,
    /// Status after.
    #[serde(default)]
    pub status_after: Option<String>,
    /// Detail JSON text.
    #[serde(default)]
    pub detail: Option<String>,
    /// 0/1.
    pub processed: i64,
    /// Unix ms.
    pub created_at: i64,
}

/// Events of one order, oldest first.
pub async fn events_for(db: &D1Database, order_id: &str) -> AppResult<Vec<EventRow>> {
    all(
        db,
        "SELECT id, source, kind, status_before, status_after, detail, processed, created_at \
         FROM events WHERE order_id = ?1 ORDER BY id LIMIT 200",
        &[Arg::T(order_id)],
    )
    .await
}

// ---- idempotency keys -----------------------------------------------------------------------

/// The stored row for a key.
pub async fn idem_get(db: &D1Database, key: &str) -> AppResult<Option<Stored>> {
    first(db, IDEM_GET, &[Arg::T(key)]).await
}

const IDEM_GET: &str = "SELECT request_hash, response_status, response_body, created_at \
     FROM idempotency_keys WHERE key = ?1";
const IDEM_CLAIM: &str =
    "INSERT OR IGNORE INTO idempotency_keys (key, request_hash, created_at) VALUES (?1, ?2, ?3)";

/// Claims a key (in flight): one statement, grouped with concurrent requests' batches (it is
/// the only D1 work a checkout does before calling Tamara). `false` if someone else holds it;
/// only then does the caller read the stored row ([`idem_get`]).
pub async fn idem_claim(db: &Db<'_>, key: &str, hash: &str, now: i64) -> AppResult<bool> {
    let claim = stmt(db, IDEM_CLAIM, &[Arg::T(key), Arg::T(hash), Arg::I(now)])?;
    let results = db.batch(vec![claim]).await?;
    let result = results
        .first()
        .ok_or_else(|| AppError::Storage("batch: no claim result".into()))?;
    Ok(changes(result)? == 1)
}

/// Replaces an expired or abandoned row with a fresh claim (CAS on its old created_at).
pub async fn idem_reclaim(
    db: &D1Database,
    key: &str,
    hash: &str,
    old_created_at: i64,
    now: i64,
) -> AppResult<bool> {
    Ok(run(
        db,
        "UPDATE idempotency_keys SET request_hash = ?1, response_status = NULL, \
         response_body = NULL, created_at = ?2 WHERE key = ?3 AND created_at = ?4",
        &[
            Arg::T(hash),
            Arg::I(now),
            Arg::T(key),
            Arg::I(old_created_at),
        ],
    )
    .await?
        == 1)
}

/// Stores the final answer for a key.
pub async fn idem_complete(db: &D1Database, key: &str, status: u16, body: &str) -> AppResult<()> {
    exec(idem_complete_stmt(db, key, status, body)?)
        .await
        .map(|_| ())
}

fn idem_complete_stmt(
    db: &D1Database,
    key: &str,
    status: u16,
    body: &str,
) -> AppResult<D1PreparedStatement> {
    stmt(
        db,
        "UPDATE idempotency_keys SET response_status = ?1, response_body = ?2 WHERE key = ?3",
        &[Arg::I(i64::from(status)), Arg::T(body), Arg::T(key)],
    )
}

/// After a transient failure (the client may retry with the key): the key stays, but its claim
/// is dated back past the in-flight window, so the next request with it proceeds at once, as a
/// retry: it looks the order up (in D1 and at Tamara) before creating anything, because the
/// failed attempt may have created it.
pub async fn idem_mark_retryable(db: &D1Database, key: &str) -> AppResult<()> {
    run(
        db,
        "UPDATE idempotency_keys SET created_at = created_at - ?2 \
         WHERE key = ?1 AND response_status IS NULL",
        &[
            Arg::T(key),
            Arg::I(crate::idempotency::IN_FLIGHT_STALE_MS + 1),
        ],
    )
    .await
    .map(|_| ())
}

/// Deletes keys older than `before_ms`.
pub async fn idem_purge(db: &D1Database, before_ms: i64) -> AppResult<usize> {
    run(
        db,
        "DELETE FROM idempotency_keys WHERE created_at < ?1",
        &[Arg::I(before_ms)],
    )
    .await
}

// ---- batched reads --------------------------------------------------------------------------

/// What a webhook needs from D1 before calling Tamara, in one round trip.
#[derive(Debug, Clone)]
pub struct WebhookPrelude {
    /// The event was already fully processed (a duplicate delivery).
    pub duplicate: bool,
    /// The local order.
    pub order: Option<OrderRow>,
}

/// One D1 round trip (one transaction): records the event `e` unless its dedupe key exists,
/// reads whether that key was fully processed, and reads the order.
pub async fn webhook_prelude(
    db: &Db<'_>,
    e: &NewEvent<'_>,
    order_id: &str,
    now: i64,
) -> AppResult<WebhookPrelude> {
    #[derive(serde::Deserialize)]
    struct P {
        processed: i64,
    }
    let stmts = vec![
        record_event_stmt(db, e, now)?,
        stmt(
            db,
            "SELECT processed FROM events WHERE dedupe_key = ?1",
            &[Arg::T(e.dedupe_key)],
        )?,
        stmt(
            db,
            &format!("SELECT {ORDER_COLS} FROM orders WHERE order_id = ?1"),
            &[Arg::T(order_id)],
        )?,
    ];
    let mut results = db.batch(stmts).await?.into_iter();
    let mut next = || {
        results
            .next()
            .ok_or_else(|| AppError::Storage("batch: missing result".into()))
    };
    let insert = next()?;
    if let Some(err) = insert.error() {
        return Err(AppError::Storage(err));
    }
    let processed = next()?.results::<P>().map_err(storage)?;
    let order = next()?.results::<OrderRow>().map_err(storage)?;
    Ok(WebhookPrelude {
        duplicate: processed.first().is_some_and(|p| p.processed != 0),
        order: order.into_iter().next(),
    })
}

// ---- batched writes -------------------------------------------------------------------------

/// Records a new checkout in one D1 round trip (one transaction): the order, its audit event
/// and, with an Idempotency-Key, the key's final answer `(key, status, body)`.
pub async fn insert_checkout(
    db: &Db<'_>,
    o: &OrderRow,
    e: &NewEvent<'_>,
    now: i64,
    idem: Option<(&str, u16, &str)>,
) -> AppResult<()> {
    let mut stmts = vec![insert_order_stmt(db, o)?, record_event_stmt(db, e, now)?];
    if let Some((key, status, body)) = idem {
        stmts.push(idem_complete_stmt(db, key, status, body)?);
    }
    check_batch(db.batch(stmts).await?)
}
