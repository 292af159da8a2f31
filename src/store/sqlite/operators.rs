//! The `operator` table.

use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::audit::append_sealed;
use super::seal;
use crate::audit::{Actor, Event, Seal, operator_subject};
use crate::operator::{self, Change, Operator, Permission, Permissions};
use crate::store::{Error, Result, Visit};

const SELECT_OPERATOR: &str = "SELECT name, permissions, key_roles FROM operator";

fn operator(row: &Row) -> rusqlite::Result<Operator> {
    Ok(Operator {
        name: row.get("name")?,
        permissions: row.get("permissions")?,
        key_roles: row.get("key_roles")?,
    })
}

pub fn any(conn: &Connection) -> Result<bool> {
    Ok(
        conn.query_row("SELECT EXISTS (SELECT 1 FROM operator)", [], |row| {
            row.get(0)
        })?,
    )
}

pub fn add_first_administrator(tx: &Transaction, name: &str, actor: Actor) -> Result<bool> {
    if any(tx)? {
        return Ok(false);
    }
    let admin = Operator {
        name: name.to_string(),
        permissions: Permissions::new([Permission::Admin]),
        key_roles: None,
    };
    insert(tx, &admin, actor)?;
    append_sealed(
        tx,
        &Event::FirstAdministrator { name },
        actor,
        seal::operator_seal(tx, name)?,
    )?;
    Ok(true)
}

pub fn find(conn: &Connection, name: &str) -> Result<Option<Operator>> {
    Ok(conn
        .query_row(
            &format!("{SELECT_OPERATOR} WHERE name = ?1"),
            [name],
            operator,
        )
        .optional()?)
}

/// One operator, `Error::Tampered` when its row disagrees with the audit
/// entry that last wrote it.
pub fn find_checked(conn: &Connection, name: &str) -> Result<Option<Operator>> {
    let Some(operator) = find(conn, name)? else {
        return Ok(None);
    };
    if let Some(current) = seal::operator_seal(conn, name)? {
        seal::check(conn, &current)?;
    }
    Ok(Some(operator))
}

pub fn each(conn: &Connection, visit: Visit<Operator>) -> Result<()> {
    let mut statement = conn.prepare(&format!("{SELECT_OPERATOR} ORDER BY name"))?;
    let mut rows = statement.query([])?;
    while let Some(row) = rows.next()? {
        visit(operator(row)?).map_err(Error::Other)?;
    }
    Ok(())
}

pub fn add(tx: &Transaction, operator: &Operator, actor: Actor) -> Result<()> {
    if find(tx, &operator.name)?.is_some() {
        return Err(Error::OperatorExists(operator.name.clone()));
    }
    insert(tx, operator, actor)?;
    append_sealed(
        tx,
        &Event::OperatorAdded { operator },
        actor,
        seal::operator_seal(tx, &operator.name)?,
    )
}

pub fn change(tx: &Transaction, name: &str, change: &Change, actor: Actor) -> Result<Operator> {
    // A tampered operator is not changed: that would seal what was forged.
    let current =
        find_checked(tx, name)?.ok_or_else(|| Error::UnknownOperator(name.to_string()))?;
    let updated = change.apply(&current);
    tx.execute(
        "UPDATE operator SET permissions = ?2, key_roles = ?3 WHERE name = ?1",
        params![name, updated.permissions, updated.key_roles],
    )?;
    refuse_without_administrator(tx)?;
    append_sealed(
        tx,
        &Event::OperatorChanged {
            action: change.action(),
            operator: &updated,
        },
        actor,
        seal::operator_seal(tx, name)?,
    )?;
    Ok(updated)
}

pub fn remove(tx: &Transaction, name: &str, actor: Actor) -> Result<()> {
    if tx.execute("DELETE FROM operator WHERE name = ?1", [name])? == 0 {
        return Err(Error::UnknownOperator(name.to_string()));
    }
    refuse_without_administrator(tx)?;
    append_sealed(
        tx,
        &Event::OperatorRemoved { name },
        actor,
        Some(Seal::removed(operator_subject(name))),
    )
}

fn insert(tx: &Transaction, operator: &Operator, actor: Actor) -> Result<()> {
    tx.execute(
        "INSERT INTO operator (name, permissions, key_roles, added_at, added_by)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            operator.name,
            operator.permissions,
            operator.key_roles,
            actor.now.timestamp(),
            actor.operator,
        ],
    )?;
    Ok(())
}

/// The domain decides what an administrator is, over the parsed permissions
/// of every operator (a handful of rows).
fn refuse_without_administrator(tx: &Transaction) -> Result<()> {
    let mut statement = tx.prepare("SELECT permissions FROM operator")?;
    let permissions = statement
        .query_map([], |row| row.get::<_, Permissions>("permissions"))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if !operator::has_administrator(permissions.into_iter()) {
        return Err(Error::LastAdministrator);
    }
    Ok(())
}
