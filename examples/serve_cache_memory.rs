//! S6 of benches/serve.sh at full size: the resident memory that `serve`'s
//! cache takes for 100,000 keys (or the number given), filled directly (a
//! real server would first run argon2 100,000 times, hours on 2 cores).
//!
//!     cargo run --release --example serve_cache_memory [KEYS]

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use intergiro_keys::key::{ApiKey, Role, Roles};
use intergiro_keys::serve::cache::{Cache, CachedKey, Finding, KeyId, hash_print};

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let keys: usize = std::env::args()
        .nth(1)
        .and_then(|text| text.parse().ok())
        .unwrap_or(100_000);
    let cache = Cache::new(Duration::from_secs(600), Duration::from_secs(30), keys + 1)
        .expect("a cache key from the operating system");
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap();
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    let before = rss_kib();
    let started = Instant::now();
    for n in 0..keys {
        let id = format!("{n:012}");
        let key = ApiKey {
            issued: true,
            last_used_at: Some(now),
            ..ApiKey::new(
                id.clone(),
                format!("service {n} deploy key"),
                Roles::new([Role::Accounts, Role::Payments]),
                now,
            )
        };
        let text = format!("igk_{id}_{n:043}abcdef");
        let finding = Finding {
            id: KeyId::new(&id),
            hash: Some(hash_print(hash)),
            key: Some(CachedKey::new(key)),
        };
        cache.put(cache.digest(&text), finding, cache.ticket(), started);
    }
    let after = rss_kib();
    println!(
        "{} keys cached: RSS {:.1} MiB -> {:.1} MiB, {:.0} bytes per key",
        cache.len(),
        before as f64 / 1024.0,
        after as f64 / 1024.0,
        (after - before) as f64 * 1024.0 / keys as f64
    );
}
