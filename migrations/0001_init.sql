-- tamara-worker schema. Money is integer minor units (see tamara_core::Money); times are Unix
-- milliseconds. No consumer PII is stored: names, phones, e-mails and addresses stay at Tamara.

-- One row per Tamara order. order_id is Tamara's id; order_reference_id is ours.
CREATE TABLE orders (
  order_id             TEXT PRIMARY KEY,
  checkout_id          TEXT,
  order_reference_id   TEXT NOT NULL UNIQUE,
  status               TEXT NOT NULL,                    -- Tamara status, mirrored forward-only
  channel              TEXT NOT NULL DEFAULT 'online',   -- online | in_store
  country              TEXT NOT NULL,
  currency             TEXT NOT NULL,
  total_minor          INTEGER NOT NULL CHECK (total_minor >= 0),
  shipping_minor       INTEGER NOT NULL DEFAULT 0 CHECK (shipping_minor >= 0),
  tax_minor            INTEGER NOT NULL DEFAULT 0 CHECK (tax_minor >= 0),
  discount_minor       INTEGER NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
  captured_minor       INTEGER NOT NULL DEFAULT 0 CHECK (captured_minor >= 0),
  refunded_minor       INTEGER NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0),
  canceled_minor       INTEGER NOT NULL DEFAULT 0 CHECK (canceled_minor >= 0),
  items                TEXT NOT NULL DEFAULT '[]',       -- JSON: [{sku,name,quantity,unit_minor,total_minor}]
  locale               TEXT,
  checkout_url         TEXT,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL,
  version              INTEGER NOT NULL DEFAULT 0,       -- compare-and-set counter
  approved_at          INTEGER,
  authorised_at        INTEGER,
  expires_at           INTEGER,
  authorise_claimed_at INTEGER,                          -- claim: only one request calls authorise
  auto_capture_flagged_at INTEGER,
  last_synced_at       INTEGER
);
CREATE INDEX orders_status_updated ON orders (status, updated_at);
CREATE INDEX orders_created ON orders (created_at);

-- Audit trail: every webhook, redirect, admin action and reconciliation step.
CREATE TABLE events (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  dedupe_key    TEXT NOT NULL UNIQUE,
  order_id      TEXT,
  source        TEXT NOT NULL,    -- webhook | redirect | admin | reconcile | storefront
  kind          TEXT NOT NULL,    -- event_type or action
  status_before TEXT,
  status_after  TEXT,
  detail        TEXT,             -- JSON, no PII, no secrets
  processed     INTEGER NOT NULL DEFAULT 1,
  created_at    INTEGER NOT NULL
);
CREATE INDEX events_order ON events (order_id, id);

CREATE TABLE captures (
  capture_id    TEXT PRIMARY KEY,
  order_id      TEXT NOT NULL REFERENCES orders (order_id),
  amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
  currency      TEXT NOT NULL,
  shipping_info TEXT,
  created_at    INTEGER NOT NULL
);
CREATE INDEX captures_order ON captures (order_id);

CREATE TABLE refunds (
  refund_id     TEXT PRIMARY KEY,
  order_id      TEXT NOT NULL REFERENCES orders (order_id),
  capture_id    TEXT,
  amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
  currency      TEXT NOT NULL,
  comment       TEXT,
  created_at    INTEGER NOT NULL
);
CREATE INDEX refunds_order ON refunds (order_id);

CREATE TABLE cancels (
  cancel_id     TEXT PRIMARY KEY,
  order_id      TEXT NOT NULL REFERENCES orders (order_id),
  amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
  currency      TEXT NOT NULL,
  created_at    INTEGER NOT NULL
);
CREATE INDEX cancels_order ON cancels (order_id);

-- Idempotency-Key replay (24 h). response_status NULL = request in flight.
CREATE TABLE idempotency_keys (
  key             TEXT PRIMARY KEY,
  request_hash    TEXT NOT NULL,
  response_status INTEGER,
  response_body   TEXT,
  created_at      INTEGER NOT NULL
);
CREATE INDEX idempotency_created ON idempotency_keys (created_at);

-- Storefront catalog: the only source of prices for `cart` checkouts.
CREATE TABLE catalog (
  sku         TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  name_ar     TEXT NOT NULL,
  price_minor INTEGER NOT NULL CHECK (price_minor > 0),
  currency    TEXT NOT NULL,
  image_url   TEXT,
  active      INTEGER NOT NULL DEFAULT 1
);
