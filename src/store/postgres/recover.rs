//! A change whose connection is lost: what became of it.
//!
//! A change runs in a transaction of its own, numbered before anything is
//! sent (`txid_current`). A connection lost before `COMMIT` was sent leaves
//! nothing changed: the server rolls the transaction back, so the change
//! may be sent again on a new connection. A connection lost as `COMMIT` was
//! sent is the one doubt, and the server answers it once it is reached
//! again (`txid_status`, which PostgreSQL keeps for exactly this): the
//! change was made or it was not. A server that restarted meanwhile (a
//! crash) may have handed the number of a transaction it lost to another,
//! so there "committed" is confirmed by looking the change itself up. Only
//! when the server cannot be reached again in time is the outcome unknown.

use std::time::{Duration, Instant};

use postgres::types::Type;
use postgres::{Client, SimpleQueryMessage};

use super::connect::Location;
use crate::store::Error;

/// How long a command keeps trying to reach a server it lost: long enough
/// for a server restarted at once to finish its recovery, short enough for
/// a command someone is waiting for.
pub(super) const RECONNECT_FOR: Duration = Duration::from_secs(8);

/// How many times a change the server is known not to have made is sent
/// again on a new connection.
pub(super) const RESENDS: u32 = 3;

/// One try of a change.
pub(super) enum Attempt<T> {
    /// Committed, with what it returned.
    Done(T),
    /// The server's answer (a refusal, a conflict), or a failure that is no
    /// lost connection: final.
    Failed(Error),
    /// The connection was lost before `COMMIT` was sent: nothing changed.
    NotCommitted(Error),
    /// The connection was lost as `COMMIT` was sent: the server knows.
    InDoubt { sent: Sent, value: T, lost: Error },
}

/// What identifies a transaction sent: its number, and when the server that
/// numbered it started.
#[derive(Clone, Debug)]
pub(super) struct Sent {
    xid: i64,
    server_started: String,
}

/// What the server says became of a transaction.
pub(super) enum Fate {
    Committed,
    /// Committed by the number, but the server restarted since: the change
    /// itself must be looked up.
    Restarted,
    Aborted,
    /// The server could not be reached again, or no longer knows.
    Unknown,
}

/// Whether `err` is the connection lost (rather than the server's answer).
pub(super) fn is_lost(err: &Error) -> bool {
    matches!(err, Error::Unreachable { .. })
}

/// What a change's transaction asks first: its number and the server's
/// start, in the round trip that begins it.
const IDENTIFY: &str =
    "SELECT pg_catalog.txid_current(), pg_catalog.pg_postmaster_start_time()::text";

/// Starts a change's transaction with `settings` (`SET LOCAL …;`) and
/// returns what identifies it: one round trip, one simple query, as a
/// transaction pooler needs.
pub(super) fn begin(
    client: &mut Client,
    settings: &str,
) -> std::result::Result<Sent, postgres::Error> {
    identify(client.simple_query(&format!("BEGIN; {settings} {IDENTIFY}"))?)
}

/// `begin` for a transaction already started.
pub(super) fn begin_in(
    tx: &mut postgres::Transaction,
    settings: &str,
) -> std::result::Result<Sent, postgres::Error> {
    identify(tx.simple_query(&format!("{settings} {IDENTIFY}"))?)
}

fn identify(messages: Vec<SimpleQueryMessage>) -> std::result::Result<Sent, postgres::Error> {
    let row = messages.iter().find_map(|message| match message {
        SimpleQueryMessage::Row(row) => Some(row),
        _ => None,
    });
    Ok(Sent {
        xid: row
            .and_then(|row| row.get(0))
            .and_then(|xid| xid.parse().ok())
            .unwrap_or(0),
        server_started: row
            .and_then(|row| row.get(1))
            .unwrap_or_default()
            .to_string(),
    })
}

/// A new connection to `location`, trying until `deadline`: a restarting
/// server refuses connections while it recovers.
pub(super) fn reconnect(location: &Location, deadline: Instant) -> Option<Client> {
    loop {
        if let Ok(mut client) = location.connect()
            && super::set_test_clock(&mut client, location).is_ok()
        {
            return Some(client);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What became of the transaction `sent`, asked of the server on `client`
/// (a new connection), reconnecting when that one is lost too, until
/// `deadline`. A transaction still in progress (its server process not yet
/// gone) is waited for.
pub(super) fn fate(
    location: &Location,
    client: &mut Client,
    sent: &Sent,
    deadline: Instant,
) -> Fate {
    loop {
        let status = client
            .query_typed_one(
                "SELECT pg_catalog.txid_status($1), pg_catalog.pg_postmaster_start_time()::text",
                &[(&sent.xid, Type::INT8)],
            )
            .map(|row| (row.get::<_, Option<String>>(0), row.get::<_, String>(1)));
        let restarted = |started: &str| started != sent.server_started;
        match status {
            Ok((Some(status), started)) if status == "committed" => {
                return match restarted(&started) {
                    true => Fate::Restarted,
                    false => Fate::Committed,
                };
            }
            Ok((Some(status), _)) if status == "aborted" => return Fate::Aborted,
            Ok((Some(status), _)) if status == "in progress" && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Ok(_) => return Fate::Unknown,
            Err(_) => match reconnect(location, deadline) {
                Some(new) if Instant::now() < deadline => *client = new,
                _ => return Fate::Unknown,
            },
        }
    }
}

/// The error for a change whose outcome could not be learned.
pub(super) fn unknown(lost: Error) -> Error {
    match lost {
        Error::Unreachable { location, detail } => Error::OutcomeUnknown {
            location,
            detail,
            keys: Vec::new(),
            operator: None,
        },
        other => other,
    }
}

/// `err` naming what to look at when its outcome is unknown.
pub(super) fn about(err: Error, keys: &[&str], operator: Option<&str>) -> Error {
    match err {
        Error::OutcomeUnknown {
            location, detail, ..
        } => Error::OutcomeUnknown {
            location,
            detail,
            keys: keys.iter().map(|id| id.to_string()).collect(),
            operator: operator.map(str::to_string),
        },
        other => other,
    }
}
