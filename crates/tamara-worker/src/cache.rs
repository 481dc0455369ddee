//! A small per-isolate TTL cache (payment types and pre-check verdicts): Tamara's answers for
//! the same inputs are reused for a few minutes instead of being fetched on every page view.

use std::cell::RefCell;
use std::collections::HashMap;

/// Most entries kept.
pub const MAX_ENTRIES: usize = 256;

/// A TTL map with time as an argument.
#[derive(Debug, Default)]
pub struct TtlCache {
    entries: HashMap<String, (i64, String)>,
}

impl TtlCache {
    /// The value for `key` if it has not expired at `now`.
    pub fn get(&self, key: &str, now: i64) -> Option<String> {
        self.entries
            .get(key)
            .filter(|(exp, _)| *exp > now)
            .map(|(_, v)| v.clone())
    }

    /// Stores `value` until `now + ttl_ms`, evicting expired (then arbitrary) entries when full.
    pub fn put(&mut self, key: String, value: String, now: i64, ttl_ms: i64) {
        if ttl_ms <= 0 {
            return;
        }
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.retain(|_, (exp, _)| *exp > now);
        }
        if self.entries.len() >= MAX_ENTRIES {
            if let Some(k) = self.entries.keys().next().cloned() {
                self.entries.remove(&k);
            }
        }
        self.entries
            .insert(key, (now.saturating_add(ttl_ms), value));
    }
}

thread_local! {
    static CACHE: RefCell<TtlCache> = RefCell::new(TtlCache::default());
}

/// Reads the isolate cache.
pub fn get(key: &str, now: i64) -> Option<String> {
    CACHE.with(|c| c.borrow().get(key, now))
}

/// Writes the isolate cache.
pub fn put(key: String, value: String, now: i64, ttl_ms: i64) {
    CACHE.with(|c| c.borrow_mut().put(key, value, now, ttl_ms));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_and_bounds() {
        let mut c = TtlCache::default();
        c.put("a".into(), "1".into(), 0, 1000);
        assert_eq!(c.get("a", 999).as_deref(), Some("1"));
        assert_eq!(c.get("a", 1000), None);
        c.put("z".into(), "1".into(), 0, 0);
        assert_eq!(c.get("z", 0), None);
        for i in 0..(MAX_ENTRIES + 10) {
            c.put(format!("k{i}"), "v".into(), 2000, 1000);
        }
        assert!(c.entries.len() <= MAX_ENTRIES);
        put("g".into(), "x".into(), 0, 10);
        assert_eq!(get("g", 5).as_deref(), Some("x"));
    }
}
