//! Proving that a schema is a store of ours before anything in it is read
//! or run, as PostgreSQL's own advice for SECURITY DEFINER functions has it:
//! trust an object only if its owner is the role you expect.
//!
//! Whoever may create objects in the database (its owner, or any role
//! granted CREATE on it) can make a schema of the store's name holding a
//! view or function of the store's names. Selecting from such a view, or
//! calling such a function, runs the planter's code with the caller's
//! privileges: an administrator's, whose role may create roles. So before
//! the first read, with `search_path` pinned to `pg_catalog` (a planted
//! operator or function elsewhere on the path is never chosen), the
//! catalogs are asked, in one round trip, for everything in the schema that
//! its owner role did not make or that is not of a kind the store makes.
//! Anything found is refused with the object and its owner named, and
//! nothing else is run.
//!
//! The owner role is `<database>_<schema>_owner` (`schema::role_names`),
//! made by `init` with NOLOGIN; only a role that may act as it (one with
//! CREATEROLE, as the store's administrator has) can add objects to the
//! schema, so what it owns is the store's.

use postgres::{Client, SimpleQueryMessage};

use super::connect::{Location, quote_identifier};
use super::quote_literal;
use crate::store::format::Fit;
use crate::store::{Error, Untrusted};

/// The catalogs first, the caller's temporary schema last, for the proof's
/// transaction: a database's owner may give the database another default
/// `search_path` (`ALTER DATABASE ... SET`). `SET LOCAL`, so that nothing
/// is left on a session a transaction pooler hands to another client.
pub const PINNED: &str = "SET LOCAL search_path = pg_catalog, pg_temp;";

/// The functions of the current schema, by identity signature, and whether
/// each runs with its owner's rights (SECURITY DEFINER): exactly these, no
/// more, each with the pinned `search_path`. A fresh store passes the proof
/// only if this list is complete, which the store's tests check.
pub const FUNCTIONS: &[(&str, bool)] = &[
    ("_announce_key_change()", false),
    ("_audit(text, text, text, text, text, text)", false),
    ("_check_permissions(text, text)", false),
    ("_deny(text)", false),
    ("_describe_operator(text, text, text)", false),
    (
        "_entry_hash(text, bigint, bigint, text, text, text, text, text, text, text)",
        false,
    ),
    ("_issue(api_key)", false),
    ("_key_seal(api_key)", false),
    ("_lock_operators()", false),
    ("_named(text)", false),
    ("_now()", false),
    ("_operator_seal(operator)", false),
    ("_operator_seal_problem(text, operator)", false),
    ("_own_unissued(text)", false),
    ("_refuse(text)", false),
    ("_refuse_tampered(api_key)", false),
    ("_refuse_without_admin()", false),
    ("_release_claim(text)", false),
    ("_require(text)", false),
    ("_seal_all(text)", false),
    ("_seal_problem(text, api_key)", false),
    ("_valid_ids(text[])", false),
    ("_valid_key_arguments(text, text, text, text)", false),
    ("_within_key_roles(text, text, text, text)", false),
    ("add_operator(text, text, text)", true),
    ("append_only()", false),
    ("audit_entries(text, text, bigint)", true),
    ("audit_last_seq()", true),
    ("begin_rotation(text, text, text)", true),
    ("count_flagged(bigint, bigint)", true),
    ("create_key(text, text, text, text)", true),
    ("delete_keys(text[])", true),
    ("discard_unissued(text)", true),
    ("find_key(text)", true),
    ("finish_rotation(text, text, bigint)", true),
    ("keys_named(text, boolean, bigint, text[])", true),
    ("list_keys(bigint, boolean)", true),
    ("lock_operator(text)", true),
    ("mark_issued(text)", true),
    ("operators()", true),
    ("record_refusal(text, text, text)", true),
    ("record_use(text, bigint)", true),
    ("remove_operator(text)", true),
    ("renew_keys(text[])", true),
    ("revoke_found(text[], text[])", true),
    ("server_now()", true),
    ("tampered()", true),
    ("update_operator(text, text, text, text)", true),
    ("whoami()", true),
];

/// The types of the arguments of the store's function `name`, as
/// `FUNCTIONS` lists them (none for a function it does not list).
pub fn argument_types(name: &str) -> Vec<postgres::types::Type> {
    use postgres::types::Type;
    FUNCTIONS
        .iter()
        .find_map(|(signature, _)| {
            let (function, arguments) = signature.split_once('(')?;
            (function == name).then(|| arguments.trim_end_matches(')'))
        })
        .map(|arguments| {
            arguments
                .split(", ")
                .filter(|argument| !argument.is_empty())
                .map(|argument| match argument {
                    "bigint" => Type::INT8,
                    "boolean" => Type::BOOL,
                    "text[]" => Type::TEXT_ARRAY,
                    _ => Type::TEXT,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// What the catalogs say of a schema that was proved: no such schema, or
/// the store's version number (`format::Format::from_stored`).
pub enum Proved {
    NoSchema,
    Version(i64),
}

/// Opens a transaction, proves the schema of `location` is the store's and
/// reads its version, all before anything in the schema runs. The
/// functions must be those of the store's format as this build knows it
/// (`expected_functions`): exactly, for its own format; for a newer minor
/// format, every one it knows, and others the owner role made (the newer
/// format's additions, which this build never calls); for an older one,
/// none it does not know. A store this build does not read at all
/// (pre-release, another major format) is proved for ownership and kinds
/// only, and then refused by its version. The transaction, which changes
/// nothing, ends in the round trip that reads the version and functions.
pub fn prove(client: &mut Client, location: &Location) -> Result<Proved, Error> {
    let explain = |err: postgres::Error| super::explain(err, location, std::time::Duration::MAX);
    let schema = &location.schema;
    let messages = client
        .simple_query(&format!("BEGIN; {PINNED} {}", ownership_query(schema)))
        .map_err(explain)?;
    let problems = rows(&messages);
    if let Some(problem) = problems.first() {
        let _ = client.simple_query("ROLLBACK");
        if problem.get(3).map(String::as_str) == Some("missing") {
            return Ok(Proved::NoSchema);
        }
        return Err(untrusted(location, problem));
    }
    let quoted = quote_identifier(schema);
    // The version is read from a table now proven the owner's (no view, no
    // rule, no policy of another), and the functions from the catalog: the
    // transaction has read all it needs, so it ends in the same round trip.
    // A refusal below rolls back nothing then; the ROLLBACKs stay for the
    // paths where the statements failed.
    let messages = client
        .simple_query(&format!(
            "SELECT version FROM {quoted}.schema_version; {functions}; COMMIT",
            functions = functions_query(schema)
        ))
        .map_err(|err| {
            let _ = client.simple_query("ROLLBACK");
            explain(err)
        })?;
    let mut statements = statements(&messages).into_iter();
    let version = statements
        .next()
        .and_then(|rows| rows.into_iter().next())
        .and_then(|row| row.into_iter().next())
        .and_then(|text| text.parse::<i64>().ok());
    let Some(version) = version else {
        let _ = client.simple_query("ROLLBACK");
        return Err(Error::Other(anyhow::anyhow!(
            "the store at {} has no readable version (schema_version holds no number); restore it from a backup",
            location.shown()
        )));
    };
    let fit = match crate::store::format::Format::from_stored(version) {
        crate::store::format::Stored::Format(stored) => Some(super::schema::fit(stored)),
        crate::store::format::Stored::PreRelease(_) => None,
    };
    if let Some(fit) = fit {
        let found = statements.next().unwrap_or_default();
        if let Some(problem) = function_problem(&found, schema, fit) {
            let _ = client.simple_query("ROLLBACK");
            return Err(Error::Untrusted {
                location: location.shown().to_string(),
                problem,
            });
        }
    }
    Ok(Proved::Version(version))
}

/// Proves ownership and kinds only, inside a transaction the caller holds
/// (`init`, before it reads what is there); `Ok(false)` when there is no
/// such schema.
pub fn prove_in(tx: &mut postgres::Transaction, location: &Location) -> Result<bool, Error> {
    let explain = |err: postgres::Error| super::explain(err, location, std::time::Duration::MAX);
    tx.batch_execute("SET LOCAL search_path = pg_catalog, pg_temp")
        .map_err(explain)?;
    let messages = tx
        .simple_query(&ownership_query(&location.schema))
        .map_err(explain)?;
    match rows(&messages).first() {
        None => Ok(true),
        Some(problem) if problem.get(3).map(String::as_str) == Some("missing") => Ok(false),
        Some(problem) => Err(untrusted(location, problem)),
    }
}

/// Every object in the schema its owner role did not make, or of a kind the
/// store never makes: kind, name, owner, problem. One row `missing` when
/// there is no such schema. Run with `search_path` pinned to `pg_catalog`.
fn ownership_query(schema: &str) -> String {
    let schema = quote_literal(schema);
    format!(
        "WITH ns AS (SELECT oid, nspowner, nspacl FROM pg_catalog.pg_namespace WHERE nspname = {schema}),
              own AS (SELECT oid FROM pg_catalog.pg_roles
                      WHERE rolname = pg_catalog.current_database() || '_' || {schema} || '_owner'),
              expected AS (SELECT (SELECT oid FROM own) AS owner, ns.oid AS ns FROM ns)
         SELECT 'schema', {schema}, NULL, 'missing' WHERE NOT EXISTS (SELECT 1 FROM ns)
         UNION ALL
         SELECT 'schema', {schema}, pg_catalog.pg_get_userbyid(ns.nspowner), 'owner'
           FROM ns, expected WHERE ns.nspowner IS DISTINCT FROM expected.owner
         UNION ALL
         SELECT 'schema', {schema}, pg_catalog.pg_get_userbyid(a.grantee), 'create'
           FROM ns, pg_catalog.aclexplode(ns.nspacl) a
          WHERE a.privilege_type = 'CREATE' AND a.grantee <> ns.nspowner
         UNION ALL
         SELECT CASE c.relkind WHEN 'r' THEN 'table' WHEN 'i' THEN 'index' WHEN 'v' THEN 'view'
                     WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
                     WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table'
                     WHEN 'c' THEN 'composite type' ELSE 'relation' END,
                c.relname, pg_catalog.pg_get_userbyid(c.relowner),
                CASE WHEN c.relowner IS DISTINCT FROM e.owner THEN 'owner' ELSE 'kind' END
           FROM expected e JOIN pg_catalog.pg_class c ON c.relnamespace = e.ns
          WHERE c.relowner IS DISTINCT FROM e.owner OR c.relkind NOT IN ('r', 'i')
         UNION ALL
         SELECT 'function', p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')',
                pg_catalog.pg_get_userbyid(p.proowner), 'owner'
           FROM expected e JOIN pg_catalog.pg_proc p ON p.pronamespace = e.ns
          WHERE p.proowner IS DISTINCT FROM e.owner
         UNION ALL
         SELECT 'type', t.typname, pg_catalog.pg_get_userbyid(t.typowner), 'owner'
           FROM expected e JOIN pg_catalog.pg_type t ON t.typnamespace = e.ns
          WHERE t.typowner IS DISTINCT FROM e.owner
         UNION ALL
         SELECT 'operator', o.oprname, pg_catalog.pg_get_userbyid(o.oprowner), 'kind'
           FROM expected e JOIN pg_catalog.pg_operator o ON o.oprnamespace = e.ns
         UNION ALL
         SELECT 'collation', c.collname, pg_catalog.pg_get_userbyid(c.collowner), 'kind'
           FROM expected e JOIN pg_catalog.pg_collation c ON c.collnamespace = e.ns
         UNION ALL
         SELECT 'conversion', c.conname, pg_catalog.pg_get_userbyid(c.conowner), 'kind'
           FROM expected e JOIN pg_catalog.pg_conversion c ON c.connamespace = e.ns
         UNION ALL
         SELECT 'operator class', c.opcname, pg_catalog.pg_get_userbyid(c.opcowner), 'kind'
           FROM expected e JOIN pg_catalog.pg_opclass c ON c.opcnamespace = e.ns
         UNION ALL
         SELECT 'operator family', f.opfname, pg_catalog.pg_get_userbyid(f.opfowner), 'kind'
           FROM expected e JOIN pg_catalog.pg_opfamily f ON f.opfnamespace = e.ns
         UNION ALL
         SELECT 'statistics object', s.stxname, pg_catalog.pg_get_userbyid(s.stxowner), 'kind'
           FROM expected e JOIN pg_catalog.pg_statistic_ext s ON s.stxnamespace = e.ns
         UNION ALL
         SELECT 'extension', x.extname, pg_catalog.pg_get_userbyid(x.extowner), 'kind'
           FROM expected e JOIN pg_catalog.pg_extension x ON x.extnamespace = e.ns
         UNION ALL
         SELECT 'trigger', c.relname || '.' || t.tgname, pg_catalog.pg_get_userbyid(p.proowner), 'trigger'
           FROM expected e JOIN pg_catalog.pg_class c ON c.relnamespace = e.ns
           JOIN pg_catalog.pg_trigger t ON t.tgrelid = c.oid AND NOT t.tgisinternal
           JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
          WHERE p.pronamespace <> e.ns OR p.proowner IS DISTINCT FROM e.owner
         UNION ALL
         SELECT 'rule', c.relname || '.' || r.rulename, pg_catalog.pg_get_userbyid(c.relowner), 'kind'
           FROM expected e JOIN pg_catalog.pg_class c ON c.relnamespace = e.ns
           JOIN pg_catalog.pg_rewrite r ON r.ev_class = c.oid
         UNION ALL
         SELECT 'policy', c.relname || '.' || p.polname, pg_catalog.pg_get_userbyid(c.relowner), 'kind'
           FROM expected e JOIN pg_catalog.pg_class c ON c.relnamespace = e.ns
           JOIN pg_catalog.pg_policy p ON p.polrelid = c.oid"
    )
}

/// Every function of the schema: identity signature, SECURITY DEFINER, and
/// whether its `search_path` is pinned as the store sets it.
fn functions_query(schema: &str) -> String {
    let pinned = quote_literal(&format!(
        "search_path=pg_catalog, {}, pg_temp",
        quote_identifier(schema).trim_matches('"')
    ));
    format!(
        "SELECT p.proname || '(' || pg_catalog.oidvectortypes(p.proargtypes) || ')',
                p.prosecdef, COALESCE({pinned} = ANY (p.proconfig), false)
           FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = {schema}",
        schema = quote_literal(schema)
    )
}

/// The functions of a store of this build's format: `FUNCTIONS`, and those
/// the migrations after 1.0 add.
pub fn expected_functions() -> Vec<(&'static str, bool)> {
    let mut all = FUNCTIONS.to_vec();
    for migration in super::schema::migrations() {
        all.extend_from_slice(migration.functions);
    }
    all
}

/// The first way the functions found differ from those expected of a store
/// that fits this build as `fit` says.
fn function_problem(found: &[Vec<String>], schema: &str, fit: Fit) -> Option<Untrusted> {
    let expected = expected_functions();
    let name = |signature: &str| format!("{schema}.{signature}");
    // A row type of the store's own (`api_key`) is named with its schema,
    // which is not on the proof's search_path.
    let prefixes = [
        format!("{}.", quote_identifier(schema)),
        format!("{schema}."),
    ];
    for row in found {
        let [signature, definer, pinned] = &row[..] else {
            continue;
        };
        let signature = &prefixes.iter().fold(signature.clone(), |text, prefix| {
            text.replace(prefix.as_str(), "")
        });
        match expected.iter().find(|(known, _)| known == signature) {
            // What a newer minor format added: its owner made it (the
            // ownership proof says so), and this build never calls it.
            None if fit == Fit::NewerMinor && pinned == "t" => {}
            None => {
                return Some(Untrusted::UnexpectedFunction {
                    function: name(signature),
                });
            }
            Some((_, expected_definer)) if (definer == "t") != *expected_definer => {
                return Some(Untrusted::FunctionChanged {
                    function: name(signature),
                    what: "its SECURITY DEFINER setting",
                });
            }
            Some(_) if pinned != "t" => {
                return Some(Untrusted::FunctionChanged {
                    function: name(signature),
                    what: "its search_path",
                });
            }
            Some(_) => {}
        }
    }
    // An older format lacks what came after it.
    if matches!(fit, Fit::OlderMinor | Fit::OlderMajor) {
        return None;
    }
    expected
        .iter()
        .find(|(known, _)| {
            !found.iter().any(|row| {
                row.first().is_some_and(|signature| {
                    prefixes.iter().fold(signature.clone(), |text, prefix| {
                        text.replace(prefix.as_str(), "")
                    }) == *known
                })
            })
        })
        .map(|(signature, _)| Untrusted::MissingFunction {
            function: name(signature),
        })
}

fn untrusted(location: &Location, row: &[String]) -> Error {
    let field = |i: usize| row.get(i).cloned().unwrap_or_default();
    let (kind, name, owner, problem) = (field(0), field(1), field(2), field(3));
    let object = if kind == "schema" {
        format!("schema {name}")
    } else {
        format!("{kind} {}.{name}", location.schema)
    };
    let expected_owner = format!("{}_{}_owner", location.database(), location.schema);
    let problem = match problem.as_str() {
        "owner" => Untrusted::ForeignOwner {
            object,
            owner,
            expected: expected_owner,
        },
        "create" => Untrusted::OthersMayCreate {
            schema: name,
            grantee: owner,
        },
        "trigger" => Untrusted::ForeignTrigger {
            trigger: object,
            owner,
        },
        _ => Untrusted::Planted { object, owner },
    };
    Error::Untrusted {
        location: location.shown().to_string(),
        problem,
    }
}

/// The rows of a simple query's statements, all together, as text (NULL as
/// an empty string).
fn rows(messages: &[SimpleQueryMessage]) -> Vec<Vec<String>> {
    statements(messages).into_iter().flatten().collect()
}

/// The rows of each statement of a simple query, in order; statements that
/// return no rows (SET, BEGIN) count too.
fn statements(messages: &[SimpleQueryMessage]) -> Vec<Vec<Vec<String>>> {
    let mut statements = vec![Vec::new()];
    for message in messages {
        match message {
            SimpleQueryMessage::Row(row) => {
                let values = (0..row.len())
                    .map(|i| row.get(i).unwrap_or_default().to_string())
                    .collect();
                if let Some(rows) = statements.last_mut() {
                    rows.push(values);
                }
            }
            SimpleQueryMessage::CommandComplete(_) => statements.push(Vec::new()),
            _ => {}
        }
    }
    statements.pop();
    statements
}

#[cfg(test)]
mod tests {
    use super::super::testdb::TestDb;
    use super::super::{PgStore, schema};
    use crate::store::{Error, KeyFilter, Untrusted};

    /// The error of opening the store at `location`, which must fail.
    fn refusal(location: &super::Location) -> Untrusted {
        match PgStore::open(location) {
            Err(Error::Untrusted { problem, .. }) => problem,
            Err(other) => panic!("refused for another reason: {other:?}"),
            Ok(_) => panic!("an untrusted store was opened"),
        }
    }

    /// A table the hostile code writes to when it runs: it must stay empty.
    fn marker(db: &mut TestDb) -> i64 {
        db.admin
            .query_one("SELECT count(*) FROM public.marker", &[])
            .unwrap()
            .get(0)
    }

    #[test]
    #[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
    fn a_schema_planted_by_the_database_owner_is_refused_and_nothing_in_it_runs() {
        let mut db = TestDb::new();
        db.ensure_role("t_dbowner");
        db.admin
            .batch_execute(&format!(
                "ALTER DATABASE {} OWNER TO t_dbowner;
                 CREATE TABLE public.marker (who text);
                 GRANT INSERT ON public.marker TO PUBLIC",
                db.name
            ))
            .unwrap();
        // The finding: a view named like the store's version table runs the
        // planter's function as whoever reads it.
        db.raw("t_dbowner")
            .batch_execute(
                "CREATE SCHEMA intergiro_keys;
                 CREATE FUNCTION intergiro_keys.evil() RETURNS integer LANGUAGE plpgsql AS
                     $$ BEGIN INSERT INTO public.marker VALUES (current_user); RETURN 1; END $$;
                 CREATE VIEW intergiro_keys.schema_version AS
                     SELECT intergiro_keys.evil() AS version, 'x'::text AS operators_role;
                 GRANT USAGE ON SCHEMA intergiro_keys TO PUBLIC;
                 GRANT SELECT ON intergiro_keys.schema_version TO PUBLIC",
            )
            .unwrap();
        // What init would make the store with, had the schema been free.
        let location = db.location("t_admin");
        db.admin
            .batch_execute(&format!(
                "ALTER ROLE t_admin CREATEROLE; GRANT CREATE ON DATABASE {} TO t_admin",
                db.name
            ))
            .unwrap();
        let mut client = location.connect().unwrap();
        let err = schema::initialize(&mut client, &location, None).unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains(
                "schema intergiro_keys belongs to role t_dbowner, not to the store's owner role"
            ),
            "{text}"
        );
        assert_eq!(
            refusal(&location),
            Untrusted::ForeignOwner {
                object: "schema intergiro_keys".into(),
                owner: "t_dbowner".into(),
                expected: format!("{}_intergiro_keys_owner", db.name),
            }
        );
        assert_eq!(marker(&mut db), 0, "the planted code ran");
    }

    #[test]
    #[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
    fn objects_in_the_store_that_its_owner_did_not_make_as_the_store_does_are_refused() {
        let mut db = TestDb::new();
        drop(db.store("t_admin"));
        let location = db.location("t_admin");
        db.ensure_role("t_mallory");
        let owner = format!("{}_intergiro_keys_owner", db.name);
        // Each change is refused, then undone; the store opens again after.
        let cases: Vec<(String, String, Untrusted)> = vec![
            (
                "GRANT CREATE ON SCHEMA intergiro_keys TO t_mallory".into(),
                "REVOKE CREATE ON SCHEMA intergiro_keys FROM t_mallory".into(),
                Untrusted::OthersMayCreate {
                    schema: "intergiro_keys".into(),
                    grantee: "t_mallory".into(),
                },
            ),
            (
                "CREATE VIEW intergiro_keys.planted AS SELECT 1 AS one;
                 ALTER VIEW intergiro_keys.planted OWNER TO t_mallory"
                    .into(),
                "DROP VIEW intergiro_keys.planted".into(),
                Untrusted::ForeignOwner {
                    object: "view intergiro_keys.planted".into(),
                    owner: "t_mallory".into(),
                    expected: owner.clone(),
                },
            ),
            (
                format!(
                    "CREATE VIEW intergiro_keys.planted AS SELECT 1 AS one;
                     ALTER VIEW intergiro_keys.planted OWNER TO {owner}"
                ),
                "DROP VIEW intergiro_keys.planted".into(),
                Untrusted::Planted {
                    object: "view intergiro_keys.planted".into(),
                    owner: owner.clone(),
                },
            ),
            (
                format!(
                    "CREATE FUNCTION intergiro_keys.find_key(integer) RETURNS integer
                         LANGUAGE sql AS 'SELECT 1';
                     ALTER FUNCTION intergiro_keys.find_key(integer) OWNER TO {owner}"
                ),
                "DROP FUNCTION intergiro_keys.find_key(integer)".into(),
                Untrusted::UnexpectedFunction {
                    function: "intergiro_keys.find_key(integer)".into(),
                },
            ),
            (
                "ALTER FUNCTION intergiro_keys.create_key(text, text, text, text) SECURITY INVOKER"
                    .into(),
                "ALTER FUNCTION intergiro_keys.create_key(text, text, text, text) SECURITY DEFINER"
                    .into(),
                Untrusted::FunctionChanged {
                    function: "intergiro_keys.create_key(text, text, text, text)".into(),
                    what: "its SECURITY DEFINER setting",
                },
            ),
            (
                "ALTER FUNCTION intergiro_keys.delete_keys(text[]) RESET search_path".into(),
                "ALTER FUNCTION intergiro_keys.delete_keys(text[])
                     SET search_path = pg_catalog, intergiro_keys, pg_temp"
                    .into(),
                Untrusted::FunctionChanged {
                    function: "intergiro_keys.delete_keys(text[])".into(),
                    what: "its search_path",
                },
            ),
            (
                "CREATE FUNCTION public.sneak() RETURNS trigger LANGUAGE plpgsql AS
                     $$ BEGIN RETURN NEW; END $$;
                 CREATE TRIGGER zz BEFORE INSERT ON intergiro_keys.api_key
                     FOR EACH ROW EXECUTE FUNCTION public.sneak()"
                    .into(),
                "DROP TRIGGER zz ON intergiro_keys.api_key; DROP FUNCTION public.sneak()".into(),
                Untrusted::ForeignTrigger {
                    trigger: "trigger intergiro_keys.api_key.zz".into(),
                    owner: "postgres".into(),
                },
            ),
            (
                "CREATE RULE zz AS ON INSERT TO intergiro_keys.setting DO ALSO NOTIFY planted"
                    .into(),
                "DROP RULE zz ON intergiro_keys.setting".into(),
                Untrusted::Planted {
                    object: "rule intergiro_keys.setting.zz".into(),
                    owner: owner.clone(),
                },
            ),
        ];
        for (plant, undo, expected) in cases {
            db.admin.batch_execute(&plant).unwrap();
            assert_eq!(refusal(&location), expected, "after {plant}");
            db.admin.batch_execute(&undo).unwrap();
            assert!(PgStore::open(&location).is_ok(), "after {undo}");
        }
        // A missing function: the store was changed by other means.
        db.admin
            .batch_execute("ALTER FUNCTION intergiro_keys.whoami() RENAME TO whoami_gone")
            .unwrap();
        assert!(matches!(
            refusal(&location),
            Untrusted::UnexpectedFunction { .. } | Untrusted::MissingFunction { .. }
        ));
    }

    #[test]
    #[ignore = "needs PostgreSQL: run under tests/pg/cluster.sh with --include-ignored"]
    fn a_search_path_the_database_owner_set_does_not_reach_the_tools_queries() {
        let mut db = TestDb::new();
        let mut store = db.store("t_admin");
        // The filter runs on listed rows only: one key to list.
        let key = crate::key::ApiKey::new(
            "AAAAAAAAAAAA".into(),
            "ci-deploy".into(),
            crate::key::Roles::new([crate::key::Role::Accounts]),
            chrono::Utc::now(),
        );
        let actor = crate::audit::Actor {
            operator: "ignored",
            now: chrono::Utc::now(),
        };
        use crate::store::Store;
        store
            .insert_unissued(&key, crate::store::tests::HASH, actor)
            .unwrap();
        store.mark_issued("AAAAAAAAAAAA").unwrap();
        drop(store);
        db.ensure_role("t_dbowner");
        db.admin
            .batch_execute(&format!(
                "ALTER DATABASE {name} OWNER TO t_dbowner;
                 CREATE TABLE public.marker (who text);
                 GRANT INSERT ON public.marker TO PUBLIC;
                 GRANT CREATE ON DATABASE {name} TO t_dbowner",
                name = db.name
            ))
            .unwrap();
        // An operator of the same name and types as the one the list's name
        // filter uses, found first on the database's search_path.
        db.raw("t_dbowner")
            .batch_execute(&format!(
                "CREATE SCHEMA trap;
                 CREATE FUNCTION trap.matches(text, text) RETURNS boolean LANGUAGE plpgsql AS
                     $$ BEGIN INSERT INTO public.marker VALUES (current_user); RETURN true; END $$;
                 CREATE OPERATOR trap.~ (LEFTARG = text, RIGHTARG = text, FUNCTION = trap.matches);
                 GRANT USAGE ON SCHEMA trap TO PUBLIC;
                 ALTER DATABASE {} SET search_path = trap, pg_catalog, public",
                db.name
            ))
            .unwrap();
        let store = PgStore::open(&db.location("t_admin")).unwrap();
        let filter = KeyFilter {
            name_glob: Some("ci-*".into()),
            ..KeyFilter::default()
        };
        assert_eq!(crate::store::keys(&store, &filter).unwrap().len(), 1);
        assert_eq!(marker(&mut db), 0, "the planted operator ran");
    }
}
