//! Last use, recorded off the request path: answers hand key IDs to one
//! thread, which writes them in batches, each key at most once per
//! `key::last_used_resolution` (the cache hands a key on once per period).

use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use std::sync::Arc;

use super::pool::Pool;
use crate::App;
use crate::store::{Open, Store};

/// How long uses gather before they are written.
const BATCH: Duration = Duration::from_secs(2);

/// Uses waiting to be written, at most; beyond, a use goes unrecorded (the
/// next one, a period later, is recorded).
const QUEUE: usize = 65_536;

pub struct LastUse {
    sender: SyncSender<String>,
}

impl LastUse {
    /// With `shared`, uses are written on that pool's store connection (on
    /// SQLite, the process's only one: see `pool`); else on a connection
    /// of its own.
    pub fn start(
        app: &App,
        clock: super::Clock,
        shared: Option<Arc<Pool>>,
    ) -> anyhow::Result<LastUse> {
        let (sender, receiver) = std::sync::mpsc::sync_channel(QUEUE);
        let app = app.clone();
        std::thread::Builder::new()
            .name("last-use".into())
            .spawn(move || write_batches(&app, &receiver, clock, shared.as_deref()))?;
        Ok(LastUse { sender })
    }

    /// Hands on a use of the key `id`; never waits.
    pub fn note(&self, id: &str) {
        let _ = self.sender.try_send(id.to_string());
    }
}

fn write_batches(
    app: &App,
    receiver: &Receiver<String>,
    clock: super::Clock,
    shared: Option<&Pool>,
) {
    let mut store: Option<Box<dyn Store>> = None;
    let mut batch: Vec<String> = Vec::new();
    loop {
        let deadline = Instant::now() + BATCH;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match receiver.recv_timeout(left) {
                Ok(id) => batch.push(id),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        if batch.is_empty() {
            continue;
        }
        batch.sort();
        batch.dedup();
        if let Some(pool) = shared {
            let ids = std::mem::take(&mut batch);
            let now = clock.now();
            let _ = pool.run_blocking(move |slot| {
                let Ok(store) = slot.store() else { return };
                let stale_after = now - crate::key::last_used_resolution();
                for id in ids {
                    // As `verify`: a busy or read-only store misses the note.
                    let _ = store.record_use(&id, now, stale_after);
                }
            });
            continue;
        }
        if store.is_none() {
            store = crate::ops::open(app, Open::MustExist).ok();
        }
        let Some(open) = store.as_mut() else {
            batch.clear();
            continue;
        };
        let now = clock.now();
        let stale_after = now - crate::key::last_used_resolution();
        for id in batch.drain(..) {
            // As `verify`: a busy or read-only store just misses the note.
            match open.record_use(&id, now, stale_after) {
                Ok(_)
                | Err(crate::store::Error::Busy { .. } | crate::store::Error::ReadOnly { .. }) => {}
                Err(_) => {
                    store = None;
                    break;
                }
            }
        }
        batch.clear();
    }
}
