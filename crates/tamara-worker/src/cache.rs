//! Small per-isolate TTL caches of Tamara's answers, reused for a few minutes instead of being
//! fetched on every page view. Two separate caches, so per-shopper keys can never push out what
//! every shopper shares:
//! * [`Kind::Shared`]: the payment types of a market (a handful of keys, one per country and
//!   currency; nothing a request chooses freely);
//! * [`Kind::PerShopper`]: pre-check verdicts (phone × amount), which a client can vary at will.
//!
//! Each is a bounded LRU: when full, expired entries go first, then the least recently used.

use std::cell::RefCell;
use std::collections::HashMap;

/// Most entries of the shared cache.
pub const MAX_SHARED: usize = 64;
/// Most entries of the per-shopper cache.
pub const MAX_PER_SHOPPER: usize = 256;

/// Which cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Entries every shopper shares (payment types).
    Shared,
    /// Entries keyed by what one shopper sends (pre-check verdicts).
    PerShopper,
}

#[derive(Debug)]
struct Entry {
    expires: i64,
    used: u64,
    value: String,
}

/// A TTL map with LRU eviction; time is an argument.
#[derive(Debug)]
pub struct TtlCache {
    capacity: usize,
    tick: u64,
    entries: HashMap<String, Entry>,
}

impl TtlCache {
    /// An empty cache of at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        TtlCache {
            capacity: capacity.max(1),
            tick: 0,
            entries: HashMap::new(),
        }
    }

    /// Entries held (expired ones included until evicted).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The value for `key` if it has not expired at `now` (and marks it used).
    pub fn get(&mut self, key: &str, now: i64) -> Option<String> {
        self.tick += 1;
        let tick = self.tick;
        let e = self.entries.get_mut(key).filter(|e| e.expires > now)?;
        e.used = tick;
        Some(e.value.clone())
    }

    /// Stores `value` until `now + ttl_ms`, evicting expired entries, then the least recently
    /// used, when full.
    pub fn put(&mut self, key: String, value: String, now: i64, ttl_ms: i64) {
        if ttl_ms <= 0 {
            return;
        }
        self.tick += 1;
        if !self.entries.contains_key(&key) && self.entries.len() >= self.capacity {
            self.entries.retain(|_, e| e.expires > now);
            if self.entries.len() >= self.capacity {
                if let Some(k) = self
                    .entries
                    .iter()
                    .min_by_key(|(_, e)| e.used)
                    .map(|(k, _)| k.clone())
                {
                    self.entries.remove(&k);
                }
            }
        }
        self.entries.insert(
            key,
            Entry {
                expires: now.saturating_add(ttl_ms),
                used: self.tick,
                value,
            },
        );
    }
}

thread_local! {
    static SHARED: RefCell<TtlCache> = RefCell::new(TtlCache::new(MAX_SHARED));
    static PER_SHOPPER: RefCell<TtlCache> = RefCell::new(TtlCache::new(MAX_PER_SHOPPER));
}

fn with<R>(kind: Kind, f: impl FnOnce(&mut TtlCache) -> R) -> R {
    match kind {
        Kind::Shared => SHARED.with(|c| f(&mut c.borrow_mut())),
        Kind::PerShopper => PER_SHOPPER.with(|c| f(&mut c.borrow_mut())),
    }
}

/// Reads one of the isolate's caches.
pub fn get(kind: Kind, key: &str, now: i64) -> Option<String> {
    with(kind, |c| c.get(key, now))
}

/// Writes one of the isolate's caches.
pub fn put(kind: Kind, key: String, value: String, now: i64, ttl_ms: i64) {
    with(kind, |c| c.put(key, value, now, ttl_ms));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_and_bounds() {
        let mut c = TtlCache::new(MAX_PER_SHOPPER);
        c.put("a".into(), "1".into(), 0, 1000);
        assert_eq!(c.get("a", 999).as_deref(), Some("1"));
        assert_eq!(c.get("a", 1000), None);
        c.put("z".into(), "1".into(), 0, 0);
        assert_eq!(c.get("z", 0), None);
        for i in 0..(MAX_PER_SHOPPER + 10) {
            c.put(format!("k{i}"), "v".into(), 2000, 1000);
        }
        assert!(c.len() <= MAX_PER_SHOPPER);
    }

    #[test]
    fn lru_keeps_what_is_used() {
        let mut c = TtlCache::new(4);
        c.put("hot".into(), "h".into(), 0, 10_000);
        for i in 0..100 {
            assert_eq!(c.get("hot", 1).as_deref(), Some("h"), "round {i}");
            c.put(format!("cold{i}"), "c".into(), 1, 10_000);
        }
        assert_eq!(c.len(), 4);
    }

    #[test]
    fn per_shopper_keys_never_evict_shared_entries() {
        put(
            Kind::Shared,
            "payment-types:SA:SAR".into(),
            "t".into(),
            0,
            60_000,
        );
        for i in 0..10_000 {
            put(
                Kind::PerShopper,
                format!("pre-check:SA:{i}:5{i:08}"),
                "1".into(),
                0,
                60_000,
            );
        }
        assert_eq!(
            get(Kind::Shared, "payment-types:SA:SAR", 1).as_deref(),
            Some("t")
        );
        assert!(PER_SHOPPER.with(|c| c.borrow().len()) <= MAX_PER_SHOPPER);
    }
}
