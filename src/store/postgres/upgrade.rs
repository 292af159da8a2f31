//! `upgrade`: the one thing that changes a store's format, by the
//! append-only steps of `schema::migrations`.

use std::time::Duration;

use postgres::types::Type;

use super::connect::{Location, quote_identifier};
use super::prove::{Proved, prove};
use super::schema::{Migration, fit, migrations, no_store, stored_version, substitute, usable};
use crate::store::Error;
use crate::store::format::{Fit, Format, Stored, UpgradePlan};

/// Brings the store at `location` to this build's format, in one
/// transaction, as its owner role, recording it in the audit log; with
/// `dry_run`, only says what it would do. The connecting role must be one
/// of the store's administrators and able to act as the owner: a role with
/// CREATEROLE, such as the one that ran `init`; any other is refused with
/// the store untouched. Concurrent upgrades queue on an advisory lock; the
/// later ones find the work done, or give up after `busy_timeout`. A store
/// of this or a newer minor format needs nothing.
pub fn upgrade(
    location: &Location,
    busy_timeout: Duration,
    dry_run: bool,
) -> Result<UpgradePlan, Error> {
    let mut client = location.connect()?;
    let version = match prove(&mut client, location)? {
        Proved::NoSchema => return Err(no_store(location)),
        Proved::Version(version) => version,
    };
    let from = upgradable(location, version)?;
    let plan = plan(from);
    if dry_run || plan.steps.is_empty() {
        return Ok(plan);
    }
    let explain = |err: postgres::Error| super::explain(err, location, busy_timeout);
    let mut tx = client.transaction().map_err(explain)?;
    tx.batch_execute(&format!(
        "{} SET LOCAL search_path = pg_catalog, pg_temp;
         SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext({}))",
        super::lock_wait(busy_timeout),
        super::quote_literal(&format!("intergiro_keys upgrade {}", location.schema))
    ))
    .map_err(explain)?;
    // Another upgrade may have run while this one waited for the lock.
    let version = stored_version(&mut tx, &location.schema)?.ok_or_else(|| no_store(location))?;
    let from = upgradable(location, version)?;
    let plan = self::plan(from);
    if plan.steps.is_empty() {
        return Ok(plan);
    }
    let schema = quote_identifier(&location.schema);
    let row = tx
        .query_typed_one(
            &format!(
                "SELECT n.nspowner::regrole::text, v.operators_role,
                        pg_has_role(current_user, n.nspowner, 'MEMBER')
                 FROM pg_namespace n, {schema}.schema_version v WHERE n.nspname = $1"
            ),
            &[(&location.schema, Type::TEXT)],
        )
        .map_err(explain)?;
    let (owner, operators, member): (String, String, bool) = (row.get(0), row.get(1), row.get(2));
    let sql: String = migrations()
        .into_iter()
        .filter(|migration| migration.to > from)
        .map(|migration| substitute(migration.sql, &schema, &operators))
        .collect::<Vec<_>>()
        .join("\n");
    // `owner` comes from regrole, quoted where it needs to be. Acting as
    // the owner needs a role that may (CREATEROLE): refused otherwise.
    let become_owner = format!(
        "{grant}
         SET LOCAL ROLE {owner};
         SET LOCAL search_path = {schema};",
        grant = if member {
            String::new()
        } else {
            format!("GRANT {owner} TO CURRENT_USER;")
        },
    );
    tx.batch_execute(&become_owner)
        .map_err(|err| match err.as_db_error() {
            Some(db) if db.code().code() == "42501" => Error::UpgradeNotAllowed {
                location: location.shown().to_string(),
                role: location.user().to_string(),
                from: from.stored(),
                to: plan.to.stored(),
            },
            _ => explain(err),
        })?;
    // Only the store's administrators upgrade it (the login role, as for
    // every function), and the upgrade is the log's next entry, as
    // src/audit.rs's `Event::Upgraded` words it.
    tx.batch_execute("SELECT _require('admin')")
        .map_err(explain)?;
    let steps = format!(
        "{sql}
         UPDATE schema_version SET version = {to};
         SELECT _audit('upgrade', NULL, 'ok', {detail});
         RESET ROLE;
         {revoke}",
        revoke = if member {
            String::new()
        } else {
            format!("REVOKE {owner} FROM CURRENT_USER;")
        },
        to = plan.to.stored(),
        detail = super::quote_literal(&format!("store format {from} to {}", plan.to)),
    );
    tx.batch_execute(&steps).map_err(|err| {
        Error::Other(anyhow::anyhow!(
            "the upgrade from format {from} to {} failed, and nothing was changed: {}",
            plan.to,
            super::connect::error_text(&err)
        ))
    })?;
    tx.commit().map_err(explain)?;
    Ok(plan)
}

/// The format of a store `upgrade` may work on: any this build reads, or
/// an older one of its major format.
fn upgradable(location: &Location, version: i64) -> Result<Format, Error> {
    match usable(location, version) {
        Err(Error::NeedsUpgrade { .. }) => match Format::from_stored(version) {
            Stored::Format(stored) if fit(stored) == Fit::OlderMinor => Ok(stored),
            _ => Err(Error::PreRelease {
                location: location.shown().to_string(),
                version,
            }),
        },
        other => other,
    }
}

/// What upgrading a store of format `from` takes.
pub(super) fn plan(from: Format) -> UpgradePlan {
    let steps: Vec<&Migration> = migrations()
        .into_iter()
        .filter(|migration| migration.to > from)
        .collect();
    UpgradePlan {
        from,
        to: steps.last().map_or(from, |migration| migration.to),
        steps: steps
            .iter()
            .map(|migration| format!("{}: {}", migration.to, migration.what))
            .collect(),
    }
}
