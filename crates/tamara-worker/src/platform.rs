//! The few things the Workers runtime provides: the clock, random ids, timers. Kept here so
//! everything else takes `now` and ids as arguments.

use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = crypto, js_name = randomUUID)]
    fn crypto_random_uuid() -> String;
}

/// Wall-clock Unix milliseconds.
pub fn now_ms() -> i64 {
    // Date.now() is an integral f64 well inside i64; the cast is exact.
    js_sys::Date::now() as i64
}

/// A random v4 UUID from the runtime's CSPRNG.
pub fn uuid() -> String {
    crypto_random_uuid()
}

/// Sleeps `ms` milliseconds.
pub async fn sleep_ms(ms: u64) {
    worker::Delay::from(std::time::Duration::from_millis(ms)).await;
}
