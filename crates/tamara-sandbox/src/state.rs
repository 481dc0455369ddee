//! Shared sandbox state: configuration, orders, webhooks registry, SMS outbox, webhook delivery
//! log, fault rules and the controllable clock; plus persistence to a JSON file.
//!
//! Sending webhooks is [`crate::delivery`]'s job: this module owns its [`Queue`] and gives it the
//! delivery log through [`DeliveryLog`]; `delivery.rs` never names the state.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::{Deserialize, Serialize};
use tamara_core::ids::{MerchantId, WebhookId};
use tamara_core::lifecycle::{self, Event};
use tamara_core::webhooks::{Webhook, WebhookPayload};
use tamara_core::{CheckoutId, EventType, OrderId, Timestamp};

use crate::config::Config;
pub use crate::delivery::wall_clock;
use crate::delivery::{Attempt, DeliveryLog, Outcome, Queue};
use crate::error::ApiErr;
use crate::order::{Applied, Ctx, StoredOrder};

/// Delivery-log entries kept (oldest finished ones are dropped first).
pub const MAX_DELIVERIES: usize = 10_000;

/// One SMS the sandbox "sent" (in-store payment links).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsMessage {
    /// Phone, international form without `+`.
    pub phone: String,
    /// Text (English or Arabic by locale).
    pub text: String,
    /// The payment link.
    pub link: String,
    /// Order.
    pub order_id: OrderId,
    /// Session.
    pub checkout_id: CheckoutId,
    /// When.
    pub sent_at: Timestamp,
    /// `en` or `ar`.
    pub lang: String,
}

/// One webhook delivery (with its retries).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// Delivery id.
    pub id: String,
    /// Target URL (without the token).
    pub url: String,
    /// Event.
    pub event_type: EventType,
    /// Order.
    pub order_id: OrderId,
    /// Registered webhook, or `null` for `merchant_url.notification`.
    pub webhook_id: Option<WebhookId>,
    /// Attempts made.
    pub attempts: u32,
    /// A 2xx was received.
    pub delivered: bool,
    /// Last HTTP status.
    pub last_status: Option<u16>,
    /// Last transport error.
    pub last_error: Option<String>,
    /// Created (sandbox clock).
    pub created_at: Timestamp,
    /// The JSON payload.
    pub body: serde_json::Value,
}

/// A fault rule: what to do to the next `count` requests matching `route`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// Id.
    #[serde(default)]
    pub fault_id: String,
    /// `METHOD /path/with/*/or/{id}/segments` (`*` method matches any).
    pub route: String,
    /// Answer with this status instead.
    #[serde(default)]
    pub status: Option<u16>,
    /// Wait this long first.
    #[serde(default)]
    pub delay_ms: u64,
    /// Handle the request, then hold the answer this long (the work is done but the answer is
    /// late, as with a slow Tamara the client gives up on).
    #[serde(default)]
    pub delay_after_ms: u64,
    /// Requests left to affect.
    #[serde(default = "one")]
    pub count: u32,
    /// Abort the connection instead of answering.
    #[serde(default)]
    pub drop_connection: bool,
}

fn one() -> u32 {
    1
}

/// Everything that is persisted with `--store`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Data {
    /// Clock offset from real time, in ms.
    pub clock_offset_ms: i64,
    /// Next order sequence number.
    pub next_seq: u64,
    /// Orders by id.
    pub orders: BTreeMap<String, StoredOrder>,
    /// Registered webhooks by id.
    pub webhooks: BTreeMap<String, Webhook>,
    /// SMS outbox.
    pub sms: Vec<SmsMessage>,
    /// Webhook delivery log.
    pub deliveries: Vec<Delivery>,
}

/// The mutable state behind the lock.
#[derive(Debug)]
pub struct Inner {
    /// Merchant configuration.
    pub config: Config,
    /// Persisted data.
    pub data: Data,
    /// Fault rules (not persisted).
    pub faults: Vec<Fault>,
    /// Lookups over `data.orders`, kept in sync by [`Inner::insert_order`], [`Inner::apply`],
    /// [`Inner::tick_order`] and [`Inner::reset`].
    index: Index,
}

/// Indexes over the orders (not persisted: rebuilt on load and reset).
#[derive(Debug, Default)]
struct Index {
    /// Checkout session id → order id.
    by_checkout: HashMap<String, String>,
    /// Pending timers, soonest first: (`lifecycle::next_deadline`, order id).
    deadlines: BTreeSet<(Timestamp, String)>,
    /// The deadline each order has in `deadlines`.
    deadline_of: HashMap<String, Timestamp>,
}

impl Index {
    fn build(orders: &BTreeMap<String, StoredOrder>) -> Self {
        let mut index = Index::default();
        for (id, o) in orders {
            index.add(id, o);
        }
        index
    }

    fn add(&mut self, id: &str, o: &StoredOrder) {
        self.by_checkout
            .entry(o.checkout_id.to_string())
            .or_insert_with(|| id.to_owned());
        self.set_deadline(id, Some(o));
    }

    /// Re-reads one order's next timer (`None`: the order is gone).
    fn set_deadline(&mut self, id: &str, o: Option<&StoredOrder>) {
        let next = o.and_then(|o| lifecycle::next_deadline(&o.state).map(|(at, _)| at));
        let old = self.deadline_of.get(id).copied();
        if old == next {
            return;
        }
        if let Some(at) = old {
            self.deadlines.remove(&(at, id.to_owned()));
            self.deadline_of.remove(id);
        }
        if let Some(at) = next {
            self.deadlines.insert((at, id.to_owned()));
            self.deadline_of.insert(id.to_owned(), at);
        }
    }

    /// Orders whose next timer is due at `now`, in order-id order.
    fn due(&self, now: Timestamp) -> Vec<String> {
        let mut ids: Vec<String> = self
            .deadlines
            .iter()
            .take_while(|(at, _)| *at <= now)
            .map(|(_, id)| id.clone())
            .collect();
        ids.sort_unstable();
        ids
    }
}

#[derive(Debug)]
struct Shared {
    inner: Mutex<Inner>,
    store: Option<PathBuf>,
    /// Sends the logged deliveries (in order per order and URL, with retries).
    deliveries: Queue,
}

/// Cheap-to-clone handle to the sandbox state.
#[derive(Debug, Clone)]
pub struct SandboxState {
    shared: Arc<Shared>,
}

impl Inner {
    /// The sandbox clock: real time plus the offset.
    pub fn now(&self) -> Timestamp {
        Timestamp::from_millis(
            wall_clock()
                .millis()
                .saturating_add(self.data.clock_offset_ms),
        )
    }

    /// Merchant id.
    pub fn merchant(&self) -> MerchantId {
        MerchantId::new(self.config.merchant_id.clone())
    }

    /// Runs due timers of one order; returns the delivery ids to start.
    pub fn tick_order(&mut self, order_id: &str) -> Vec<String> {
        let now = self.now();
        let merchant = self.merchant();
        let payloads = match self.data.orders.get_mut(order_id) {
            Some(o) => o.tick(now, &merchant),
            None => return Vec::new(),
        };
        self.reindex(order_id);
        self.enqueue(payloads)
    }

    /// Runs due timers of every order. Only orders whose next timer is due are visited.
    pub fn tick_all(&mut self) -> Vec<String> {
        let ids = self.index.due(self.now());
        ids.iter().flat_map(|id| self.tick_order(id)).collect()
    }

    /// Adds a new order with fresh order and checkout ids and the next sequence number; returns
    /// the ids.
    pub fn create_order(
        &mut self,
        country: tamara_core::Country,
        state: lifecycle::OrderState,
        request: crate::order::OrderRequest,
    ) -> (OrderId, CheckoutId) {
        let order_id = OrderId::new(uuid::Uuid::new_v4().to_string());
        let checkout_id = CheckoutId::new(uuid::Uuid::new_v4().to_string());
        let seq = self.next_seq();
        self.insert_order(StoredOrder::new(
            order_id.clone(),
            checkout_id.clone(),
            seq,
            country,
            state,
            request,
        ));
        (order_id, checkout_id)
    }

    /// Adds a new order (and indexes it).
    pub fn insert_order(&mut self, order: StoredOrder) {
        let id = order.order_id.to_string();
        self.index.add(&id, &order);
        self.data.orders.insert(id, order);
    }

    /// Refreshes the timer index of an order after its state changed.
    fn reindex(&mut self, order_id: &str) {
        self.index
            .set_deadline(order_id, self.data.orders.get(order_id));
    }

    /// Forgets orders, deliveries, SMS and faults and sets the clock offset back to 0
    /// (registered webhooks and the config stay).
    pub fn reset(&mut self) {
        self.data.orders.clear();
        self.data.deliveries.clear();
        self.data.sms.clear();
        self.data.clock_offset_ms = 0;
        self.data.next_seq = 0;
        self.faults.clear();
        self.index = Index::default();
    }

    /// Order by id (after running its timers).
    pub fn order(
        &mut self,
        order_id: &str,
        jobs: &mut Vec<String>,
    ) -> Result<&StoredOrder, ApiErr> {
        jobs.extend(self.tick_order(order_id));
        self.data
            .orders
            .get(order_id)
            .ok_or_else(ApiErr::order_not_found)
    }

    /// Order id for a checkout session id.
    pub fn order_id_by_checkout(&self, checkout_id: &str) -> Option<String> {
        self.index.by_checkout.get(checkout_id).cloned()
    }

    /// Newest order with this merchant reference.
    pub fn order_id_by_reference(&self, reference: &str) -> Option<String> {
        self.data
            .orders
            .values()
            .filter(|o| o.order_reference_id.as_str() == reference)
            .max_by_key(|o| o.seq)
            .map(|o| o.order_id.to_string())
    }

    /// Applies `event` to an order (timers first); returns the ids created and queues webhooks.
    pub fn apply(
        &mut self,
        order_id: &str,
        event: &Event,
        ctx: Ctx,
        jobs: &mut Vec<String>,
    ) -> Result<Applied, ApiErr> {
        jobs.extend(self.tick_order(order_id));
        let now = self.now();
        let merchant = self.merchant();
        let auto_authorise = self.config.auto_authorise;
        let order = self
            .data
            .orders
            .get_mut(order_id)
            .ok_or_else(ApiErr::order_not_found)?;
        let (applied, mut payloads) = order
            .apply(event, ctx, now, &merchant)
            .map_err(|e| ApiErr::transition(&e))?;
        if applied.changed && auto_authorise && matches!(event, Event::Approve) {
            // Auto-authorisation merchants: approved → fully_captured without an authorise call.
            if let Ok((a, more)) = order.apply(
                &Event::Authorise { auto_capture: true },
                Ctx::default(),
                now,
                &merchant,
            ) {
                if a.changed {
                    order.authorisation = Some(order.authorisation_body(true));
                }
                payloads.extend(more);
            }
        }
        self.reindex(order_id);
        jobs.extend(self.enqueue(payloads));
        Ok(applied)
    }

    /// Adds delivery-log entries for each payload: `merchant_url.notification` of the order and
    /// every registered webhook subscribed to the event. Returns their ids.
    pub fn enqueue(&mut self, payloads: Vec<WebhookPayload>) -> Vec<String> {
        let now = self.now();
        let mut ids = Vec::new();
        for p in payloads {
            let body = serde_json::to_value(&p).unwrap_or(serde_json::Value::Null);
            let mut targets: Vec<(String, Option<WebhookId>)> = Vec::new();
            if let Some(url) = self
                .data
                .orders
                .get(p.order_id.as_str())
                .and_then(|o| o.merchant_url())
                .and_then(|m| m.notification.clone())
                .filter(|u| !u.trim().is_empty())
            {
                targets.push((url, None));
            }
            for w in self.data.webhooks.values() {
                if w.events.contains(&p.event_type) {
                    targets.push((w.url.clone(), Some(w.webhook_id.clone())));
                }
            }
            for (url, webhook_id) in targets {
                let id = uuid::Uuid::new_v4().to_string();
                self.data.deliveries.push(Delivery {
                    id: id.clone(),
                    url,
                    event_type: p.event_type.clone(),
                    order_id: p.order_id.clone(),
                    webhook_id,
                    attempts: 0,
                    delivered: false,
                    last_status: None,
                    last_error: None,
                    created_at: now,
                    body: body.clone(),
                });
                ids.push(id);
            }
        }
        // Bounded log: forget the oldest finished deliveries beyond the cap.
        while self.data.deliveries.len() > MAX_DELIVERIES {
            match self
                .data
                .deliveries
                .iter()
                .position(|d| d.delivered || d.attempts > 0)
            {
                Some(i) => {
                    self.data.deliveries.remove(i);
                }
                None => break,
            }
        }
        ids
    }

    /// Next order sequence number.
    pub fn next_seq(&mut self) -> u64 {
        self.data.next_seq += 1;
        self.data.next_seq
    }
}

impl SandboxState {
    /// In-memory state.
    pub fn new(config: Config) -> Self {
        Self::build(config, Data::default(), None)
    }

    /// State persisted to `path` (loaded from it when it exists). A file that cannot be parsed
    /// is an error, so a demo's data is never overwritten by mistake.
    pub fn with_store(config: Config, path: impl AsRef<Path>) -> Result<Self, String> {
        let path = path.as_ref().to_path_buf();
        let data = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice::<Data>(&bytes)
                .map_err(|e| format!("cannot load {}: {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Data::default(),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        Ok(Self::build(config, data, Some(path)))
    }

    fn build(config: Config, data: Data, store: Option<PathBuf>) -> Self {
        SandboxState {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner {
                    config,
                    index: Index::build(&data.orders),
                    data,
                    faults: Vec::new(),
                }),
                store,
                deliveries: Queue::new(),
            }),
        }
    }

    /// Locks the state. Never hold the guard across an `.await`.
    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.shared
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The HTTP client for webhooks.
    pub fn http(&self) -> &reqwest::Client {
        self.shared.deliveries.http()
    }

    /// Sandbox clock.
    pub fn now(&self) -> Timestamp {
        self.lock().now()
    }

    /// A copy of the configuration.
    pub fn config(&self) -> Config {
        self.lock().config.clone()
    }

    /// The store file, if any.
    pub fn store_path(&self) -> Option<&Path> {
        self.shared.store.as_deref()
    }

    /// Writes the state to the store file (temp file + rename), if there is one.
    pub fn save(&self) {
        let Some(path) = &self.shared.store else {
            return;
        };
        let inner = self.lock();
        let bytes = match serde_json::to_vec_pretty(&inner.data) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("tamara-sandbox: cannot serialise state: {e}");
                return;
            }
        };
        let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
        let res = std::fs::write(&tmp, &bytes).and_then(|()| std::fs::rename(&tmp, path));
        drop(inner);
        if let Err(e) = res {
            eprintln!(
                "tamara-sandbox: cannot write {}: {e}",
                path.as_os_str().to_string_lossy()
            );
        }
    }

    /// Starts webhook deliveries in the background (needs a Tokio runtime) and saves the state.
    /// Deliveries to the same URL for the same order go out one after the other, in order.
    pub fn finish(&self, jobs: Vec<String>) {
        self.shared.deliveries.start(self, jobs);
        self.save();
    }

    /// Runs every due timer now (webhooks fire).
    pub fn tick(&self) {
        let jobs = self.lock().tick_all();
        if !jobs.is_empty() {
            self.finish(jobs);
        }
    }

    /// Spawns a task that runs timers every `period` so that expiries fire in real time too.
    pub fn spawn_ticker(&self, period: std::time::Duration) -> tokio::task::JoinHandle<()> {
        let st = self.clone();
        tokio::spawn(async move {
            let mut iv = tokio::time::interval(period);
            loop {
                iv.tick().await;
                st.tick();
            }
        })
    }

    /// Moves the clock forward by `ms` and runs every due timer.
    pub fn advance(&self, ms: i64) {
        let jobs = {
            let mut inner = self.lock();
            inner.data.clock_offset_ms = inner.data.clock_offset_ms.saturating_add(ms);
            inner.tick_all()
        };
        self.finish(jobs);
    }
}

/// The delivery log, as the delivery queue reads and updates it.
impl DeliveryLog for SandboxState {
    fn queue_key(&self, id: &str) -> Option<String> {
        let inner = self.lock();
        let d = inner.data.deliveries.iter().find(|d| d.id == id)?;
        Some(format!("{} {}", d.order_id, d.url))
    }

    fn retry_policy(&self) -> (u32, u64) {
        let inner = self.lock();
        (
            inner.config.webhook_max_attempts,
            inner.config.webhook_retry_base_ms,
        )
    }

    fn attempt(&self, id: &str) -> Option<Attempt> {
        let inner = self.lock();
        let d = inner.data.deliveries.iter().find(|d| d.id == id)?;
        let headers = d
            .webhook_id
            .as_ref()
            .and_then(|w| inner.data.webhooks.get(w.as_str()))
            .and_then(|w| w.headers.clone())
            .map(|h| h.into_iter().collect())
            .unwrap_or_default();
        Some(Attempt {
            url: d.url.clone(),
            notification_token: inner.config.notification_token.clone(),
            body: serde_json::to_vec(&d.body).unwrap_or_default(),
            headers,
            timeout: std::time::Duration::from_millis(inner.config.webhook_timeout_ms),
        })
    }

    fn record(&self, id: &str, outcome: Outcome) {
        {
            let mut inner = self.lock();
            if let Some(d) = inner.data.deliveries.iter_mut().find(|d| d.id == id) {
                d.attempts += u32::from(outcome.attempted);
                d.last_status = outcome.status;
                d.last_error = outcome.error;
                d.delivered = outcome.delivered;
            }
        }
        self.save();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tamara_core::OrderStatus;

    #[test]
    fn clock_offset_and_store_round_trip() {
        let dir = std::env::temp_dir().join(format!("sandbox-state-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.json");
        let st = SandboxState::with_store(Config::default(), &path).unwrap();
        let before = st.now();
        st.lock().data.clock_offset_ms = 3_600_000;
        assert!(st.now().since(before) >= 3_600_000);
        st.save();
        let again = SandboxState::with_store(Config::default(), &path).unwrap();
        assert_eq!(again.lock().data.clock_offset_ms, 3_600_000);
        std::fs::write(&path, b"{broken").unwrap();
        assert!(SandboxState::with_store(Config::default(), &path).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn in_store(inner: &mut Inner, id: &str, ttl_ms: Option<i64>) {
        use tamara_core::lifecycle::OrderState;
        use tamara_core::money::{Currency, Money};
        let total = Money::from_minor(30000, Currency::Sar).unwrap();
        let req = crate::order::sample_in_store(total);
        let seq = inner.next_seq();
        let state = OrderState::new_in_store(total, inner.now(), ttl_ms);
        inner.insert_order(StoredOrder::new(
            OrderId::new(id),
            CheckoutId::new(format!("c-{id}")),
            seq,
            tamara_core::Country::Sa,
            state,
            crate::order::OrderRequest::InStore(Box::new(req)),
        ));
    }

    #[test]
    fn indexes_follow_inserts_timers_reset_and_reload() {
        let dir = std::env::temp_dir().join(format!("sandbox-index-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.json");
        let st = SandboxState::with_store(Config::default(), &path).unwrap();
        {
            let mut inner = st.lock();
            in_store(&mut inner, "a", None);
            in_store(&mut inner, "b", Some(60 * 60_000));
            assert_eq!(inner.order_id_by_checkout("c-a").as_deref(), Some("a"));
            assert_eq!(inner.order_id_by_checkout("a"), None);
            assert_eq!(inner.index.deadlines.len(), 2);
            // 16 minutes on: only `a` (15-minute link) is due; `b` is not visited.
            inner.data.clock_offset_ms = 16 * 60_000;
            assert_eq!(inner.index.due(inner.now()), vec!["a".to_owned()]);
            inner.tick_all();
            assert_eq!(inner.data.orders["a"].state.status, OrderStatus::Expired);
            assert_eq!(inner.data.orders["b"].state.status, OrderStatus::New);
            assert_eq!(inner.index.deadlines.len(), 1);
            assert!(inner.index.due(inner.now()).is_empty());
        }
        st.save();
        let again = SandboxState::with_store(Config::default(), &path).unwrap();
        {
            let mut inner = again.lock();
            assert_eq!(inner.order_id_by_checkout("c-b").as_deref(), Some("b"));
            assert_eq!(inner.index.deadline_of.keys().collect::<Vec<_>>(), ["b"]);
            inner.reset();
            assert_eq!(inner.order_id_by_checkout("c-b"), None);
            assert!(inner.index.deadlines.is_empty() && inner.index.deadline_of.is_empty());
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
