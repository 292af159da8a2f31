//! Threads that work for the answers: the bounded argon2 pool, and the
//! look-ups (each thread with its own store connection), never queued
//! behind argon2.
//!
//! On SQLite there is one look-up thread, and the only store connection of
//! the process besides the change counter's: opening a store opens and
//! closes descriptors of the database and its `-shm` to check them, and
//! closing any descriptor of a file drops every POSIX lock the process
//! holds on it, those of connections already open included. Opened first
//! and never reopened, the one connection keeps its locks.
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
            self.store = Some(crate::ops::open(&self.app, Open::MustExist)?);
        }
        match self.store.as_mut() {
            Some(store) => Ok(store.as_mut()),
            None => unreachable!("opened above"),
        }
    }

    /// Drops a server connection after an error; the next job opens
    /// another. A SQLite connection is kept: it does not break, and closing
    /// it would close a descriptor of the database file, which drops the
    /// POSIX locks of every other connection of this process.
    pub fn reset(&mut self) {
        if self
            .app
            .db
            .to_str()
            .is_some_and(crate::store::postgres::is_url)
        {
            self.store = None;
        }
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
    queue: usize,
}

impl Pool {
    /// `threads` threads named `name`, with at most `queue` jobs waiting;
    /// `nice` lowers their scheduling priority (Linux: per thread). With
    /// `open_now`, each thread opens its store before this returns.
    pub fn new(
        app: &App,
        name: &str,
        threads: usize,
        queue: usize,
        nice: i32,
        open_now: bool,
    ) -> Result<Pool> {
        let (sender, receiver) = std::sync::mpsc::sync_channel::<Job>(queue);
        let receiver = Arc::new(Mutex::new(receiver));
        let queued = Arc::new(AtomicUsize::new(0));
        let busy = Arc::new(AtomicUsize::new(0));
        let (ready, started) = std::sync::mpsc::channel();
        for n in 0..threads {
            let receiver = Arc::clone(&receiver);
            let (queued, busy) = (Arc::clone(&queued), Arc::clone(&busy));
            let app = app.clone();
            let ready = ready.clone();
            std::thread::Builder::new()
                .name(format!("{name}-{n}"))
                .spawn(move || {
                    lower_priority(nice);
                    let mut slot = Slot { app, store: None };
                    if open_now {
                        // A failure is met again, and said, by the first job.
                        let _ = slot.store();
                    }
                    let _ = ready.send(());
                    work(&receiver, slot, &queued, &busy);
                })?;
        }
        for _ in 0..threads {
            let _ = started.recv();
        }
        Ok(Pool {
            sender,
            queued,
            busy,
            threads,
            queue,
        })
    }

    /// Whether a job given now would be refused.
    pub fn full(&self) -> bool {
        self.queued() >= self.queue
    }

    /// `run` for a thread outside the runtime: waits for the result.
    pub fn run_blocking<T: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Slot) -> T + Send + 'static,
    ) -> Result<T, Overloaded> {
        let (tell, told) = std::sync::mpsc::channel();
        self.queued.fetch_add(1, Ordering::SeqCst);
        let sent = self.sender.try_send(Box::new(move |slot: &mut Slot| {
            let _ = tell.send(job(slot));
        }));
        if sent.is_err() {
            self.queued.fetch_sub(1, Ordering::SeqCst);
            return Err(Overloaded);
        }
        told.recv().map_err(|_| Overloaded)
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
