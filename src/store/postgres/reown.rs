//! A copy of a store restored into another database of the same cluster
//! (`pg_restore` of a production dump, for testing) arrives owned by the
//! production store's roles: its schema belongs to production's owner role
//! and its functions are granted to production's operators role, so a
//! membership changed on the copy would change production. The proof
//! refuses such a copy (its owner is not this database's store owner);
//! `reown` gives it roles of its own, without touching production's.

use postgres::Transaction;
use postgres::types::Type;

use super::connect::{Location, quote_identifier};
use super::{explain, quote_literal};
use crate::store::{Error, Result};

/// What `reown` did.
#[derive(Debug)]
pub struct Reowned {
    /// The roles the copy had (the other store's).
    pub old_owner: String,
    pub old_operators: String,
    /// The copy's own roles now.
    pub owner: String,
    pub operators: String,
    /// The operators granted the copy's operators role.
    pub granted: Vec<String>,
    /// Operators of the copy without a login role on this server.
    pub without_role: Vec<String>,
}

/// Gives the store at `location`, a copy of another store, its own owner
/// and operators roles, in one transaction: everything of the schema
/// passes from the other store's owner role to this database's (in this
/// database only), the functions' grants from the other store's operators
/// role to this one's, and each operator of the copy becomes a member of
/// this one's. The other store's roles keep every membership and every
/// object elsewhere. The caller needs CREATEROLE. `Ok(None)` when the
/// store already has its own roles.
pub fn reown(location: &Location) -> Result<Option<Reowned>> {
    let mut client = location.connect()?;
    let explain = |err: postgres::Error| explain(err, location, std::time::Duration::MAX);
    let database: String = client
        .query_typed_one("SELECT pg_catalog.current_database()::text", &[])
        .map_err(explain)?
        .get(0);
    let schema = &location.schema;
    // As `schema::role_names` names a store's roles.
    let owner = format!("{database}_{schema}_owner");
    let operators = format!("{database}_{schema}_operators");
    let mut tx = client.transaction().map_err(explain)?;
    tx.batch_execute("SET LOCAL search_path = pg_catalog, pg_temp")
        .map_err(explain)?;
    let found = tx
        .query_typed(
            "SELECT r.rolname::text FROM pg_catalog.pg_namespace n
               JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) n.nspowner
              WHERE n.nspname OPERATOR(pg_catalog.=) $1",
            &[(schema, Type::TEXT)],
        )
        .map_err(explain)?;
    let Some(old_owner) = found.first().map(|row| row.get::<_, String>(0)) else {
        return Err(Error::NoStore {
            location: location.shown().to_string(),
            schema: schema.clone(),
        });
    };
    if old_owner == owner {
        return Ok(None);
    }
    if !old_owner.ends_with(&format!("_{schema}_owner")) {
        return Err(Error::Other(anyhow::anyhow!(
            "schema {schema} belongs to role {old_owner}, which is no store's owner role, so it is not a copy of a store; it was left untouched (restored from a dump without the store's roles? drop it and restore the roles first: docs/restore.md)"
        )));
    }
    let (owner_q, operators_q, old_owner_q) = (
        quote_identifier(&owner),
        quote_identifier(&operators),
        quote_identifier(&old_owner),
    );
    let member: bool = tx
        .query_typed_one(
            "SELECT pg_catalog.pg_has_role(current_user, $1, 'MEMBER')",
            &[(&old_owner, Type::TEXT)],
        )
        .map_err(explain)?
        .get(0);
    let steps = format!(
        "DO $$ BEGIN
             IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = {owner_literal}) THEN
                 CREATE ROLE {owner_q} NOLOGIN;
             END IF;
             IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = {operators_literal}) THEN
                 CREATE ROLE {operators_q} NOLOGIN;
             END IF;
         END $$;
         GRANT {owner_q} TO CURRENT_USER;
         {join_old}
         REASSIGN OWNED BY {old_owner_q} TO {owner_q};",
        owner_literal = quote_literal(&owner),
        operators_literal = quote_literal(&operators),
        join_old = if member {
            String::new()
        } else {
            format!("GRANT {old_owner_q} TO CURRENT_USER;")
        },
    );
    tx.batch_execute(&steps)
        .map_err(|err| refused(err, location))?;
    // Now owned as this database's store: proved as any store is, before
    // anything in it is read or run.
    super::prove::prove_in(&mut tx, location)?;
    let quoted_schema = quote_identifier(schema);
    tx.batch_execute(&format!("SET LOCAL ROLE {owner_q}"))
        .map_err(explain)?;
    let old_operators: String = tx
        .query_typed_one(
            &format!("SELECT operators_role FROM {quoted_schema}.schema_version"),
            &[],
        )
        .map_err(explain)?
        .get(0);
    regrant(&mut tx, schema, &old_operators, &operators, location)?;
    tx.batch_execute(&format!(
        "UPDATE {quoted_schema}.schema_version SET operators_role = {};",
        quote_literal(&operators)
    ))
    .map_err(explain)?;
    let listed: Vec<(String, String)> = tx
        .query_typed(
            &format!("SELECT name, permissions FROM {quoted_schema}.operator ORDER BY name"),
            &[],
        )
        .map_err(explain)?
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    tx.query_typed(
        &format!("SELECT {quoted_schema}._audit('users reown', NULL, 'ok', $1)"),
        &[(
            &format!(
                "roles {owner} and {operators} replace {old_owner} and {old_operators} (a copy of another store)"
            ),
            Type::TEXT,
        )],
    )
    .map_err(explain)?;
    tx.batch_execute("RESET ROLE").map_err(explain)?;
    let mut granted = Vec::new();
    let mut without_role = Vec::new();
    for (name, permissions) in listed {
        let exists: bool = tx
            .query_typed_one(super::ROLE_EXISTS, &[(&name, Type::TEXT)])
            .map_err(explain)?
            .get(0);
        if !exists {
            without_role.push(name);
            continue;
        }
        let admin = permissions
            .split(',')
            .any(|permission| permission == "admin");
        tx.batch_execute(&format!(
            "GRANT {operators_q} TO {}{}",
            quote_identifier(&name),
            if admin { " WITH ADMIN OPTION" } else { "" }
        ))
        .map_err(|err| refused(err, location))?;
        granted.push(name);
    }
    let mut leave = format!("REVOKE {owner_q} FROM CURRENT_USER;");
    if !member {
        leave.push_str(&format!("REVOKE {old_owner_q} FROM CURRENT_USER;"));
    }
    tx.batch_execute(&leave).map_err(explain)?;
    tx.commit().map_err(explain)?;
    Ok(Some(Reowned {
        old_owner,
        old_operators,
        owner,
        operators,
        granted,
        without_role,
    }))
}

/// Moves every grant the schema's objects give `old` to `new`: the
/// functions' EXECUTE and anything else the schema grants the operators.
/// Runs as the (new) owner, the grantor of them all.
fn regrant(
    tx: &mut Transaction,
    schema: &str,
    old: &str,
    new: &str,
    location: &Location,
) -> Result<()> {
    let explain = |err: postgres::Error| explain(err, location, std::time::Duration::MAX);
    let grants: Vec<String> = tx
        .query_typed(
            "SELECT a.privilege_type || ' ON FUNCTION ' || p.oid::pg_catalog.regprocedure::text
               FROM pg_catalog.pg_proc p, pg_catalog.aclexplode(p.proacl) a
              WHERE p.pronamespace OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) $1)
                AND a.grantee OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) $2)
             UNION ALL
             SELECT a.privilege_type || ' ON TABLE ' || c.oid::pg_catalog.regclass::text
               FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) a
              WHERE c.relnamespace OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname OPERATOR(pg_catalog.=) $1)
                AND a.grantee OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) $2)
             UNION ALL
             SELECT a.privilege_type || ' ON SCHEMA ' || pg_catalog.quote_ident(n.nspname)
               FROM pg_catalog.pg_namespace n, pg_catalog.aclexplode(n.nspacl) a
              WHERE n.nspname OPERATOR(pg_catalog.=) $1
                AND a.grantee OPERATOR(pg_catalog.=) (SELECT oid FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) $2)",
            &[(&schema, Type::TEXT), (&old, Type::TEXT)],
        )
        .map_err(explain)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let (old, new) = (quote_identifier(old), quote_identifier(new));
    for grant in grants {
        tx.batch_execute(&format!(
            "GRANT {grant} TO {new}; REVOKE {grant} FROM {old};"
        ))
        .map_err(explain)?;
    }
    Ok(())
}

/// A refusal of the server to let this role make roles or take objects.
fn refused(err: postgres::Error, location: &Location) -> Error {
    match err.as_db_error() {
        Some(db) if db.code().code() == "42501" => Error::Other(anyhow::anyhow!(
            "role {} may not give this copy roles of its own ({}); run `users reown` as a role with CREATEROLE (on PostgreSQL 16 and later, one that may also act as the other store's owner role, or a superuser)",
            location.user(),
            db.message()
        )),
        _ => explain(err, location, std::time::Duration::MAX),
    }
}
