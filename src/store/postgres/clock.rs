//! The server's clock, read once per command before anything else, so that
//! every verdict on a shared store (frozen, expiring, in its grace) is
//! judged by the clock that dated its writes, whatever this host's clock
//! says. The connection that read it is kept for the store to use.

use std::sync::Mutex;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use postgres::Client;

use super::connect::Location;
use crate::store::{Error, Result};

/// The server's time and how far this host's clock is from it.
#[derive(Clone, Copy, Debug)]
pub struct ServerClock {
    pub now: DateTime<Utc>,
    /// The server's clock minus this host's: positive when this host is
    /// behind.
    pub skew: chrono::Duration,
}

/// The connection the clock was read on, for the store opened next; or
/// why there was none, so that a server that cannot be reached is waited
/// for once, not twice.
static SPARE: Mutex<Option<(String, Result<Client>)>> = Mutex::new(None);

/// Reads the clock of the server at `url`. Only the catalog's own function
/// runs: nothing of the store is called before it is proven its own.
pub fn read(url: &str) -> Result<ServerClock> {
    let location = Location::parse(url)?;
    let mut client = match location.connect() {
        Ok(client) => client,
        Err(err) => {
            let said = crate::explain::sentence(&err);
            if let Ok(mut spare) = SPARE.lock() {
                *spare = Some((identity(&location), Err(err)));
            }
            return Err(Error::Other(anyhow::anyhow!(said)));
        }
    };
    let before = SystemTime::now();
    let row = client
        .query_typed_one(
            "SELECT pg_catalog.date_part('epoch', pg_catalog.clock_timestamp())",
            &[],
        )
        .map_err(|err| super::explain(err, &location, super::BUSY_TIMEOUT))?;
    let after = SystemTime::now();
    let seconds: f64 = row.get(0);
    let now = DateTime::from_timestamp_millis((seconds * 1000.0) as i64)
        .ok_or_else(|| Error::Other(anyhow::anyhow!("the server's clock says {seconds}")))?;
    // This host's time halfway through the round trip.
    let host =
        crate::time_from_system(before + after.duration_since(before).unwrap_or_default() / 2)
            .ok_or_else(|| Error::Other(anyhow::anyhow!("this host's clock is out of range")))?;
    if let Ok(mut spare) = SPARE.lock() {
        *spare = Some((identity(&location), Ok(client)));
    }
    Ok(ServerClock {
        now,
        skew: now - host,
    })
}

/// The connection `read` left for `location` (or why it could not
/// connect), if any.
pub(super) fn take_spare(location: &Location) -> Option<Result<Client>> {
    let mut spare = SPARE.lock().ok()?;
    match spare.take() {
        Some((spared, client)) if spared == identity(location) => Some(client),
        _ => None,
    }
}

/// What tells one store's connection from another's.
fn identity(location: &Location) -> String {
    format!("{}\0{}", location.shown(), location.user())
}
