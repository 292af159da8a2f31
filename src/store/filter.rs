//! A `KeyFilter` turned into SQL once, for either store: the conditions,
//! order and limit are the same rules; only how each database spells them
//! differs (placeholders, booleans, the name glob, collation, the
//! creator's entry). Times are Unix seconds in both.

use crate::key::{self, EXPIRING_WITHIN_DAYS, Status};
use crate::store::{KeyFilter, KeySort};

const DAY: i64 = 86_400;

/// Which database the SQL is for, and what it selects from.
#[derive(Clone, Copy, Debug)]
pub enum Dialect<'a> {
    /// `select` is the `SELECT … FROM api_key` the rows come from.
    Sqlite { select: &'a str },
    /// Rows come from the server's `list_keys(NULL, issued_only)` in
    /// `schema`, which needs `view` (as `audit_entries` does for the
    /// creator's entry).
    Postgres { schema: &'a str },
}

/// A value bound to a placeholder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Param {
    Int(i64),
    /// A NULL of the integer type (PostgreSQL types every parameter).
    NullInt,
    Text(String),
    Bool(bool),
}

/// SQL text and the values of its placeholders, in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub sql: String,
    pub params: Vec<Param>,
}

/// Whether rows come out in the filter's order (a listing) or as found
/// (a measure of all of them, which need not sort).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    Sorted,
    AsFound,
}

/// The query selecting the keys `filter` selects.
pub fn select(dialect: Dialect, filter: &KeyFilter, order: Order) -> Query {
    let mut builder = Builder {
        dialect,
        params: Vec::new(),
    };
    let mut sql = match dialect {
        Dialect::Sqlite { select } => select.to_string(),
        Dialect::Postgres { schema } => {
            let none = builder.bind(Param::NullInt);
            let issued_only = builder.bind(Param::Bool(filter.issued_only));
            format!("SELECT * FROM {schema}.list_keys({none}, {issued_only})")
        }
    };
    let conditions = builder.conditions(filter);
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    if order == Order::Sorted {
        sql.push_str(" ORDER BY ");
        sql.push_str(builder.order(filter.sort));
    }
    if let Some(limit) = filter.limit {
        let limit = builder.bind(Param::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
        sql.push_str(&format!(" LIMIT {limit}"));
    }
    Query {
        sql,
        params: builder.params,
    }
}

struct Builder<'a> {
    dialect: Dialect<'a>,
    params: Vec<Param>,
}

impl Builder<'_> {
    /// The placeholder of `param`, bound next.
    fn bind(&mut self, param: Param) -> String {
        self.params.push(param);
        match self.dialect {
            Dialect::Sqlite { .. } => format!("?{}", self.params.len()),
            Dialect::Postgres { .. } => format!("${}", self.params.len()),
        }
    }

    fn time(&mut self, time: chrono::DateTime<chrono::Utc>) -> String {
        self.bind(Param::Int(time.timestamp()))
    }

    /// `issued` is an integer 0 or 1 on SQLite, a boolean on PostgreSQL.
    fn issued(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite { .. } => "issued = 1",
            Dialect::Postgres { .. } => "issued",
        }
    }

    fn unissued(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite { .. } => "issued = 0",
            Dialect::Postgres { .. } => "NOT issued",
        }
    }

    fn never(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite { .. } => "0",
            Dialect::Postgres { .. } => "false",
        }
    }

    /// Each condition `filter` sets, to be joined with AND.
    fn conditions(&mut self, filter: &KeyFilter) -> Vec<String> {
        let mut conditions: Vec<String> = Vec::new();
        let now = filter.now.map(|now| now.timestamp());
        // A freeze date more than 90 days ahead counts as frozen
        // (`key::status`).
        let beyond = filter.now.map(key::latest_honoured_freeze);
        if let Some(time) = filter.freezing_by {
            let by = self.time(time);
            // A key replaced by `rotate` is meant to stop, whatever its
            // freeze.
            conditions.push(match beyond {
                Some(beyond) => format!(
                    "retires_at IS NULL AND (freezes_at <= {by} OR freezes_at > {})",
                    self.bind(Param::Int(beyond))
                ),
                None => format!("retires_at IS NULL AND freezes_at <= {by}"),
            });
        }
        // PostgreSQL's `list_keys` takes it as an argument.
        if filter.issued_only && matches!(self.dialect, Dialect::Sqlite { .. }) {
            conditions.push(self.issued().to_string());
        }
        for role in &filter.roles {
            // Roles are stored comma-separated and sorted:
            // "accounts,payments".
            conditions.push(format!(
                "(',' || roles || ',') LIKE {}",
                self.bind(Param::Text(format!("%,{},%", role.as_str())))
            ));
        }
        if let Some(statuses) = &filter.statuses {
            let any: Vec<String> = match (now, beyond) {
                (Some(now), Some(beyond)) => statuses
                    .iter()
                    .map(|status| self.status(*status, now, beyond))
                    .collect(),
                _ => Vec::new(),
            };
            conditions.push(match any.is_empty() {
                true => self.never().to_string(),
                false => format!("({})", any.join(" OR ")),
            });
        }
        if let Some(glob) = &filter.name_glob {
            conditions.push(match self.dialect {
                Dialect::Sqlite { .. } => format!(
                    "name GLOB {}",
                    self.bind(Param::Text(crate::store::glob::sqlite_pattern(glob)))
                ),
                Dialect::Postgres { .. } => format!(
                    "name ~ {}",
                    self.bind(Param::Text(crate::store::glob::posix_regex(glob)))
                ),
            });
        }
        if let Some(time) = filter.live_at {
            conditions.push(format!(
                "(retires_at IS NULL OR retires_at > {})",
                self.time(time)
            ));
        }
        if let Some(name) = &filter.name {
            conditions.push(format!("name = {}", self.bind(Param::Text(name.clone()))));
        }
        if let Some(time) = filter.unused_since {
            let since = self.time(time);
            conditions.push(format!(
                "(last_used_at <= {since} OR (last_used_at IS NULL AND created_at <= {since}))"
            ));
        }
        if let Some(time) = filter.created_by_then {
            conditions.push(format!("created_at <= {}", self.time(time)));
        }
        if let Some(operator) = &filter.created_by {
            let operator = self.bind(Param::Text(operator.clone()));
            // The operator of the key's first successful create or rotate
            // entry.
            conditions.push(match self.dialect {
                // One look-up per key, through the index on the log's key ID.
                Dialect::Sqlite { .. } => format!(
                    "(SELECT operator FROM audit WHERE audit.key_id = api_key.id \
                     AND action IN ('create', 'rotate') AND outcome = 'ok' ORDER BY seq LIMIT 1) = {operator}"
                ),
                Dialect::Postgres { schema } => format!(
                    "id IN (SELECT c.key_id FROM (SELECT DISTINCT ON (a.key_id) a.key_id, a.operator \
                     FROM {schema}.audit_entries(NULL::text, NULL::text, NULL::bigint) a \
                     WHERE a.key_id IS NOT NULL AND a.action IN ('create', 'rotate') AND a.outcome = 'ok' \
                     ORDER BY a.key_id, a.seq) c WHERE c.operator = {operator})"
                ),
            });
        }
        conditions
    }

    /// The condition for keys in `status` at `now` (`key::status`).
    fn status(&mut self, status: Status, now: i64, beyond: i64) -> String {
        let expiring = now + i64::from(EXPIRING_WITHIN_DAYS) * DAY;
        let issued = self.issued();
        // A rotated key is retiring or retired, whatever its freeze.
        match status {
            Status::Active => format!(
                "({issued} AND retires_at IS NULL AND freezes_at > {} AND freezes_at <= {})",
                self.bind(Param::Int(expiring)),
                self.bind(Param::Int(beyond))
            ),
            Status::Expiring => format!(
                "({issued} AND retires_at IS NULL AND freezes_at > {} AND freezes_at <= {})",
                self.bind(Param::Int(now)),
                self.bind(Param::Int(expiring))
            ),
            Status::Frozen => format!(
                "({issued} AND retires_at IS NULL AND (freezes_at <= {} OR freezes_at > {}))",
                self.bind(Param::Int(now)),
                self.bind(Param::Int(beyond))
            ),
            Status::Unissued => self.unissued().to_string(),
            Status::Retiring => {
                format!("({issued} AND retires_at > {})", self.bind(Param::Int(now)))
            }
            Status::Retired => {
                format!(
                    "({issued} AND retires_at <= {})",
                    self.bind(Param::Int(now))
                )
            }
        }
    }

    /// Ties broken by ID; names and IDs in byte order, and never-used keys
    /// first, as SQLite sorts by default.
    fn order(&self, sort: KeySort) -> &'static str {
        match self.dialect {
            Dialect::Sqlite { .. } => match sort {
                KeySort::Freezes => "freezes_at, id",
                KeySort::Id => "id",
                KeySort::Name => "name, id",
                KeySort::Created => "created_at, id",
                KeySort::LastUsed => "last_used_at, id",
            },
            Dialect::Postgres { .. } => match sort {
                KeySort::Freezes => r#"freezes_at, id COLLATE "C""#,
                KeySort::Id => r#"id COLLATE "C""#,
                KeySort::Name => r#"name COLLATE "C", id COLLATE "C""#,
                KeySort::Created => r#"created_at, id COLLATE "C""#,
                KeySort::LastUsed => r#"last_used_at NULLS FIRST, id COLLATE "C""#,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    const SQLITE: Dialect = Dialect::Sqlite {
        select: "SELECT id FROM api_key",
    };
    const POSTGRES: Dialect = Dialect::Postgres {
        schema: "intergiro_keys",
    };

    fn filter() -> KeyFilter {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        KeyFilter {
            now: Some(now),
            issued_only: true,
            statuses: Some(vec![Status::Unissued, Status::Retiring]),
            name_glob: Some("ci-*".into()),
            live_at: Some(now),
            limit: Some(10),
            ..KeyFilter::default()
        }
    }

    #[test]
    fn the_same_filter_reads_alike_in_both_dialects_but_for_their_spelling() {
        let sqlite = select(SQLITE, &filter(), Order::Sorted);
        assert_eq!(
            sqlite.sql,
            "SELECT id FROM api_key WHERE issued = 1 AND (issued = 0 OR (issued = 1 AND retires_at > ?1)) \
             AND name GLOB ?2 AND (retires_at IS NULL OR retires_at > ?3) ORDER BY freezes_at, id LIMIT ?4"
        );
        let postgres = select(POSTGRES, &filter(), Order::Sorted);
        assert_eq!(
            postgres.sql,
            "SELECT * FROM intergiro_keys.list_keys($1, $2) WHERE (NOT issued OR (issued AND retires_at > $3)) \
             AND name ~ $4 AND (retires_at IS NULL OR retires_at > $5) ORDER BY freezes_at, id COLLATE \"C\" LIMIT $6"
        );
        // The same values, after the two `list_keys` takes.
        assert_eq!(postgres.params[..2], [Param::NullInt, Param::Bool(true)]);
        assert_eq!(sqlite.params[0], postgres.params[2]);
        assert_eq!(sqlite.params[2..], postgres.params[4..]);
        assert_eq!(sqlite.params[1], Param::Text("ci-*".into()));
        assert_eq!(postgres.params[3], Param::Text("^ci-.*$".into()));
    }

    #[test]
    fn no_status_selects_nothing_and_no_filter_everything() {
        let nothing = KeyFilter {
            statuses: Some(Vec::new()),
            ..KeyFilter::default()
        };
        assert_eq!(
            select(SQLITE, &nothing, Order::AsFound).sql,
            "SELECT id FROM api_key WHERE 0"
        );
        assert_eq!(
            select(POSTGRES, &nothing, Order::AsFound).sql,
            "SELECT * FROM intergiro_keys.list_keys($1, $2) WHERE false"
        );
        let everything = select(SQLITE, &KeyFilter::default(), Order::AsFound);
        assert_eq!(everything.sql, "SELECT id FROM api_key");
        assert_eq!(everything.params, []);
    }
}
