//! The operations between the commands and the store, as cargo's `ops`
//! sits between its commands and its core: each authorizes the acting
//! operator, resolves what it acts on, acts in the store and has it
//! audited, then returns a fact for the command to print. No printing of
//! results, no clap.

pub mod access;
pub mod authenticate;
pub mod backup;
pub mod complete_keys;
pub mod create;
pub mod delete;
pub mod init;
pub mod migrate;
pub mod renew;
pub mod resolve;
pub mod rotate;
pub mod show;
pub mod upgrade;
pub mod users;
pub mod verify;

pub use access::{
    BUSY_TIMEOUT, acting_operator, authorize_roles, busy_timeout, ensure_administrator, open,
    open_authorized, open_authorized_about, open_authorized_to_select, open_to_create,
    record_refused, skipped_rows,
};
pub use authenticate::{authenticate, check_secret};
pub use resolve::{LookUp, act_on_keys, is_tampered, resolve_ids, resolve_key, retired_key};

use crate::store::Store;

/// What an operation did, and the store it did it in, still open: the
/// command prints the fact, then may gather the facts of a notice there.
pub struct Done<T> {
    pub fact: T,
    pub store: Box<dyn Store>,
}
