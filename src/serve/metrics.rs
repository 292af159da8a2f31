//! Counters for `GET /metrics`, in the Prometheus text format.

use std::fmt::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What a `/verify` request was answered, for counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Valid,
    MissingRole,
    /// No key, or a malformed one.
    Malformed,
    /// Unknown, deleted, wrong secret, frozen, retired, unissued.
    Rejected,
    /// The store could not be reached or trusted.
    Unavailable,
    /// Too much uncached work waiting.
    Overloaded,
    /// A required role that does not exist.
    BadRequest,
}

impl Outcome {
    const ALL: [Outcome; 7] = [
        Outcome::Valid,
        Outcome::MissingRole,
        Outcome::Malformed,
        Outcome::Rejected,
        Outcome::Unavailable,
        Outcome::Overloaded,
        Outcome::BadRequest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Valid => "valid",
            Outcome::MissingRole => "missing_role",
            Outcome::Malformed => "malformed",
            Outcome::Rejected => "rejected",
            Outcome::Unavailable => "unavailable",
            Outcome::Overloaded => "overloaded",
            Outcome::BadRequest => "bad_request",
        }
    }
}

#[derive(Default)]
pub struct Metrics {
    requests: [AtomicU64; 7],
    pub hits: AtomicU64,
    pub misses: AtomicU64,
    pub revalidations: AtomicU64,
    pub invalidations: AtomicU64,
    pub store_up: AtomicBool,
}

/// What the metrics page shows that is read when it is asked for.
pub struct Gauges {
    pub cache_entries: usize,
    pub pool_workers: usize,
    pub pool_busy: usize,
    pub pool_queued: usize,
    pub trusted: bool,
    /// The notification delay last measured (PostgreSQL), in seconds.
    pub notification_lag: Option<f64>,
}

impl Metrics {
    pub fn count(&self, outcome: Outcome) {
        let index = Outcome::ALL
            .iter()
            .position(|known| *known == outcome)
            .unwrap_or(0);
        self.requests[index].fetch_add(1, Ordering::Relaxed);
    }

    pub fn render(&self, gauges: &Gauges) -> String {
        let mut text = String::new();
        let mut family = |name: &str, kind: &str, help: &str, samples: &[(&str, f64)]| {
            let _ = writeln!(text, "# HELP {name} {help}");
            let _ = writeln!(text, "# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _ = writeln!(text, "{name}{labels} {value}");
            }
        };
        let requests: Vec<(String, f64)> = Outcome::ALL
            .iter()
            .zip(&self.requests)
            .map(|(outcome, count)| {
                (
                    format!("{{outcome=\"{}\"}}", outcome.as_str()),
                    count.load(Ordering::Relaxed) as f64,
                )
            })
            .collect();
        let requests: Vec<(&str, f64)> = requests
            .iter()
            .map(|(labels, value)| (labels.as_str(), *value))
            .collect();
        family(
            "intergiro_keys_serve_requests_total",
            "counter",
            "Verification requests answered, by outcome.",
            &requests,
        );
        let counter = |value: &AtomicU64| value.load(Ordering::Relaxed) as f64;
        family(
            "intergiro_keys_serve_cache_hits_total",
            "counter",
            "Verifications answered from the cache.",
            &[("", counter(&self.hits))],
        );
        family(
            "intergiro_keys_serve_cache_misses_total",
            "counter",
            "Verifications that ran argon2 (requests for the same key at the same moment share one).",
            &[("", counter(&self.misses))],
        );
        family(
            "intergiro_keys_serve_cache_revalidations_total",
            "counter",
            "Cached entries re-read from the store after a change.",
            &[("", counter(&self.revalidations))],
        );
        family(
            "intergiro_keys_serve_cache_invalidations_total",
            "counter",
            "Changes to the store that made cached entries stale.",
            &[("", counter(&self.invalidations))],
        );
        family(
            "intergiro_keys_serve_cache_entries",
            "gauge",
            "Entries in the cache.",
            &[("", gauges.cache_entries as f64)],
        );
        family(
            "intergiro_keys_serve_pool_workers",
            "gauge",
            "Threads that run argon2.",
            &[("", gauges.pool_workers as f64)],
        );
        family(
            "intergiro_keys_serve_pool_busy",
            "gauge",
            "argon2 threads working.",
            &[("", gauges.pool_busy as f64)],
        );
        family(
            "intergiro_keys_serve_pool_queued",
            "gauge",
            "Verifications waiting for an argon2 thread.",
            &[("", gauges.pool_queued as f64)],
        );
        family(
            "intergiro_keys_serve_store_up",
            "gauge",
            "Whether the store answered the last time it was asked.",
            &[(
                "",
                f64::from(u8::from(self.store_up.load(Ordering::SeqCst))),
            )],
        );
        family(
            "intergiro_keys_serve_cache_trusted",
            "gauge",
            "Whether changes reach the cache (SQLite: always; PostgreSQL: while the LISTEN connection is up).",
            &[("", f64::from(u8::from(gauges.trusted)))],
        );
        if let Some(lag) = gauges.notification_lag {
            family(
                "intergiro_keys_serve_notification_lag_seconds",
                "gauge",
                "How long the last heartbeat notification took to come back.",
                &[("", lag)],
            );
        }
        text
    }
}
