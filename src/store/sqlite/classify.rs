//! Generic SQLite helpers: SQLite's result codes sorted into the store's
//! typed errors, and conversions of domain values to and from columns.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rusqlite::{ErrorCode, Row};

use crate::key::Roles;
use crate::operator::Permissions;
use crate::store::{Error, NotOurs};

/// Inside the backend, SQLite errors travel as `Error::Other` until the
/// store's entry point sorts them with `classify`.
impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        Error::Other(anyhow::Error::new(err))
    }
}

/// Sorts SQLite's error into what it means for the store at `location`.
pub fn classify(location: &str, busy_timeout: Duration, err: rusqlite::Error) -> Error {
    let location = location.to_string();
    match err.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::Busy {
            location,
            waited: busy_timeout,
        },
        Some(ErrorCode::NotADatabase) => Error::NotOurs {
            location,
            reason: NotOurs::InvalidSqlite,
        },
        Some(ErrorCode::DatabaseCorrupt) => Error::Damaged { location },
        Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => Error::CannotWrite { location },
        Some(ErrorCode::CannotOpen) => Error::CannotOpen { location },
        _ => Error::Other(anyhow::Error::new(err).context(format!("database error in {location}"))),
    }
}

/// `classify` for an error that may have come from SQLite; others pass.
pub fn reclassify(location: &str, busy_timeout: Duration, err: Error) -> Error {
    match err {
        Error::Other(err) => match err.downcast::<rusqlite::Error>() {
            Ok(sql) => classify(location, busy_timeout, sql),
            Err(err) => Error::Other(err),
        },
        err => err,
    }
}

/// Roles are stored as their comma-separated names: `accounts,payments`.
impl ToSql for Roles {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for Roles {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value
            .as_str()?
            .parse()
            .map_err(|err: String| FromSqlError::Other(err.into()))
    }
}

/// Permissions likewise: `view,renew`.
impl ToSql for Permissions {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_string()))
    }
}

impl FromSql for Permissions {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        value
            .as_str()?
            .parse()
            .map_err(|err: String| FromSqlError::Other(err.into()))
    }
}

/// A time column: Unix seconds, UTC.
pub fn time(row: &Row, column: &str) -> rusqlite::Result<DateTime<Utc>> {
    let seconds: i64 = row.get(column)?;
    seconds_to_time(column, seconds)
}

/// `time` of the column at `index`, named `column`: a lookup by position
/// costs a fraction of one by name, which counts in a listing of many rows.
pub fn time_at(row: &Row, index: usize, column: &str) -> rusqlite::Result<DateTime<Utc>> {
    seconds_to_time(column, row.get(index)?)
}

/// `time_at` of a column that may be NULL.
pub fn optional_time_at(
    row: &Row,
    index: usize,
    column: &str,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let seconds: Option<i64> = row.get(index)?;
    seconds
        .map(|seconds| seconds_to_time(column, seconds))
        .transpose()
}

fn seconds_to_time(column: &str, seconds: i64) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Integer,
            format!("{column} {seconds} is out of range").into(),
        )
    })
}
