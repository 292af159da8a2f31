//! Threads that work on the store, each with its own connection: the
//! bounded argon2 pool, and the look-ups that re-validate cached entries
//! (never queued behind argon2).
//!
//! Dedicated threads rather than tokio's blocking pool: each keeps a store
//! connection open (a connection is not shared between threads), the queue
//! is bounded so that excess work is refused at once instead of waiting,
//! and argon2 threads run at a lower priority so that answers from the
//! cache keep the processor when a flood of unknown keys arrives.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use anyhow::Result;

use crate::App;
use crate::store::{Open, Store};

/// A thread's store connection, opened when first needed and again after
/// an error (a dropped server connection is replaced by the next job).
pub struct Slot {
    app: App,
    store: Option<Box<dyn Store>>,
}

impl Slot {
    pub fn store(&mut self) -> Result<&mut dyn Store> {
        if self.store.is_none() {
            self.store = Some(crate::cmd::open(&self.app, Open::MustExist)?);
        }
        match self.store.as_mut() {
            Some(store) => Ok(store.as_mut()),
            None => unreachable!("opened above"),
        }
    }

    /// Drops the connection after an error; the next job opens another.
    pub fn reset(&mut self) {
        self.store = None;
    }
}

type Job = Box<dyn FnOnce(&mut Slot) + Send>;

/// Work was refused: the queue is full.
#[derive(Debug)]
pub struct Overloaded;

pub struct Pool {
    sender: SyncSender<Job>,
    /// Jobs waiting for a thread.
    queued: Arc<AtomicUsize>,
    /// Threads working.
    busy: Arc<AtomicUsize>,
    pub threads: usize,
}

impl Pool {
    /// `threads` threads named `name`, with at most `queue` jobs waiting;
    /// `nice` lowers their scheduling priority (Linux: per thread).
    pub fn new(app: &App, name: &str, threads: usize, queue: usize, nice: i32) -> Result<Pool> {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        let queued = Arc::new(AtomicUsize::new(0));
        let busy = Arc::new(AtomicUsize::new(0));
        for n in 0..threads {
            let receiver = Arc::clone(&receiver);
            let (queued, busy) = (Arc::clone(&queued), Arc::clone(&busy));
            let app = app.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{n}"))
                .spawn(move || {
                    lower_priority(nice);
                    work(&receiver, Slot { app, store: None }, &queued, &busy);
                })?;
        }
        Ok(Pool {
            sender,
            queued,
            busy,
            threads,
        })
    }

    /// Runs `job` on a pool thread and waits for its result, or refuses at
    /// once when the queue is full.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Slot) -> T + Send + 'static,
    ) -> Result<T, Overloaded> {
        let (tell, told) = tokio::sync::oneshot::channel();
        self.queued.fetch_add(1, Ordering::SeqCst);
        let sent = self.sender.try_send(Box::new(move |slot: &mut Slot| {
            let _ = tell.send(job(slot));
        }));
        match sent {
            Ok(()) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.queued.fetch_sub(1, Ordering::SeqCst);
                return Err(Overloaded);
            }
        }
        // The sender is dropped unanswered only if the job panicked, which
        // aborts a release build.
        told.await.map_err(|_| Overloaded)
    }

    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::SeqCst)
    }

    pub fn busy(&self) -> usize {
        self.busy.load(Ordering::SeqCst)
    }
}

fn work(receiver: &Mutex<Receiver<Job>>, mut slot: Slot, queued: &AtomicUsize, busy: &AtomicUsize) {
    loop {
        let job = {
            let receiver = receiver
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            match receiver.recv() {
                Ok(job) => job,
                // The server is gone.
                Err(_) => return,
            }
        };
        queued.fetch_sub(1, Ordering::SeqCst);
        busy.fetch_add(1, Ordering::SeqCst);
        job(&mut slot);
        busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Lowers the calling thread's priority by `nice`; best effort.
fn lower_priority(nice: i32) {
    if nice == 0 {
        return;
    }
    // On Linux, PRIO_PROCESS with a thread ID sets that thread's nice value.
    #[cfg(target_os = "linux")]
    {
        let tid = nix::unistd::gettid().as_raw();
        // SAFETY: setpriority only reads its integer arguments.
        unsafe {
            nix::libc::setpriority(nix::libc::PRIO_PROCESS, tid as nix::libc::id_t, nice);
        }
    }
}
