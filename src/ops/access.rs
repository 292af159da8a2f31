//! Opening the store for an operation and checking that the acting
//! operator may do it: the "authorize" step of every operation. A refusal
//! is recorded in the audit log and changes nothing else.

use std::time::Duration;

use anyhow::{Result, bail};

use crate::App;
use crate::audit::Actor;
use crate::key::Roles;
use crate::operator::{self, Action, Operator, Refusal};
use crate::store::{self, Open, Store};
use crate::token;

/// How long a writer waits for another's lock before giving up, unless
/// `INTERGIRO_KEYS_BUSY_TIMEOUT` (seconds) says otherwise.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The busy timeout in force: `INTERGIRO_KEYS_BUSY_TIMEOUT` seconds (0 to
/// 3600), or 10.
pub fn busy_timeout() -> Result<Duration> {
    match std::env::var("INTERGIRO_KEYS_BUSY_TIMEOUT") {
        Err(_) => Ok(BUSY_TIMEOUT),
        Ok(text) => match text.trim().parse::<u64>() {
            Ok(seconds) if seconds <= 3600 => Ok(Duration::from_secs(seconds)),
            _ => bail!(
                "INTERGIRO_KEYS_BUSY_TIMEOUT={text:?} is not a number of seconds from 0 to 3600; unset it for the default of {}",
                BUSY_TIMEOUT.as_secs()
            ),
        },
    }
}

/// Opens the store without checking who is acting: for `verify` and
/// `check`, which anyone who can read the store may run.
pub fn open(app: &App, open: Open) -> Result<Box<dyn Store>> {
    let file = (!store::is_url(&app.db)).then_some(app.db.as_path());
    let new_file = open == Open::CreateIfMissing
        && file.is_some_and(|path| std::fs::symlink_metadata(path).is_err());
    if new_file && !app.db_is_default {
        let dir = app
            .db
            .parent()
            .filter(|dir| !dir.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        if std::fs::metadata(dir).is_err() {
            bail!(
                "the directory {dir} of the database {db} does not exist; create it first (`mkdir -p -m 700 {dir}`) or fix the path given with --db or INTERGIRO_KEYS_DB; nothing was created",
                dir = dir.display(),
                db = app.db.display()
            );
        }
    }
    let store = store::open(&app.db, open, busy_timeout()?)?;
    if new_file && file.is_some_and(|path| path.exists()) {
        crate::output::note(format!(
            "intergiro-keys: created a new store at {}",
            crate::text::sanitize(&app.db.display().to_string())
        ));
    }
    Ok(store)
}

/// Opens the store for `action`, whose acting operator must hold the
/// permission it needs. A refusal is recorded in the audit log and changes
/// nothing else.
pub fn open_authorized(app: &App, action: Action) -> Result<Box<dyn Store>> {
    open_authorized_about(app, action, &[])
}

/// `open_authorized` for a command that first lists the keys it acts on
/// (`delete --created-by`): the `view` permission is needed too, as on
/// PostgreSQL the server asks it of any listing.
pub fn open_authorized_to_select(app: &App, action: Action) -> Result<Box<dyn Store>> {
    open_checked(app, action, None, |operator| {
        std::iter::once(crate::operator::Permission::View)
            .chain(action.permissions())
            .try_for_each(|permission| operator.authorize(permission))
    })
}

/// `open_authorized` for a command given `keys` (IDs or names): a refusal
/// about a single key ID is recorded against that key, so its history
/// (`show`) tells it.
pub fn open_authorized_about(app: &App, action: Action, keys: &[String]) -> Result<Box<dyn Store>> {
    let about = match keys {
        [id] if token::is_id(id) => Some(id.as_str()),
        _ => None,
    };
    open_checked(app, action, about, |operator| {
        action
            .permissions()
            .into_iter()
            .try_for_each(|permission| operator.authorize(permission))
    })
}

/// Opens the store to create a key with `roles`: the create permission and
/// the operator's key-role limit both apply. Creates the store if need be.
pub fn open_to_create(app: &App, roles: &Roles) -> Result<Box<dyn Store>> {
    open_checked(app, Action::Create, None, |operator| {
        operator.authorize_create(roles)
    })
}

/// Checks that the acting operator may give a new key `roles` when
/// replacing the key `old_id` (`rotate`); a refusal is recorded against it.
pub fn authorize_roles(
    app: &App,
    store: &mut dyn Store,
    action: Action,
    old_id: &str,
    roles: &Roles,
) -> Result<()> {
    let acting = acting_operator(app, store);
    let verdict = match store.operator(&acting)? {
        Some(operator) => operator.authorize_create(roles),
        None => Err(Refusal::NotAnOperator),
    };
    if let Err(refusal) = verdict {
        let _ = store.record_refusal(action, Some(old_id), &refusal.audit_detail(), app.actor());
        bail!(refusal.explain(&acting, action));
    }
    Ok(())
}

/// The operator a change is checked against: a store that authenticates its
/// callers (PostgreSQL) knows them by their login role, not by the
/// operating-system account.
pub fn acting_operator(app: &App, store: &dyn Store) -> String {
    match store.session_operator() {
        Some(name) => name.to_string(),
        None => app.operator().to_string(),
    }
}

fn open_checked(
    app: &App,
    action: Action,
    about: Option<&str>,
    allowed: impl FnOnce(&Operator) -> Result<(), Refusal>,
) -> Result<Box<dyn Store>> {
    let how = match action {
        Action::Create => Open::CreateIfMissing,
        Action::Upgrade => Open::ToUpgrade,
        _ => Open::MustExist,
    };
    let mut store = open(app, how)?;
    ensure_administrator(app, store.as_mut())?;
    let acting = acting_operator(app, store.as_ref());
    let operator = match store.operator(&acting) {
        // Looking cannot do harm, and an administrator must be able to look
        // at a store whose rows were tampered with; changing it is refused.
        Err(tampered @ store::Error::Tampered { .. })
            if action.permission() == operator::Permission::View =>
        {
            crate::output::note(format!(
                "intergiro-keys: warning: {}",
                crate::explain::sentence(&tampered)
            ));
            store::operators(store.as_ref())?
                .into_iter()
                .find(|operator| operator.name == acting)
        }
        found => found?,
    };
    let verdict = match operator {
        Some(operator) => allowed(&operator),
        None => Err(Refusal::NotAnOperator),
    };
    if let Err(refusal) = verdict {
        // Best effort: a read-only store cannot record it.
        let _ = store.record_refusal(action, about, &refusal.audit_detail(), app.actor());
        bail!(refusal.explain(&acting, action));
    }
    Ok(store)
}

/// Gives a store without operators (new, or made by a version without them)
/// its first administrator, as the domain decides.
pub fn ensure_administrator(app: &App, store: &mut dyn Store) -> Result<()> {
    if store.is_read_only() || store.has_operators()? {
        return Ok(());
    }
    let admin = operator::first_administrator(app.operator(), app.uid, store.owner_uid()?);
    store.add_first_administrator(&admin, app.actor())?;
    Ok(())
}

/// Records that a rule refused a change asked of `action`, about the key
/// `key_id` when it concerned one. Best effort: a read-only store cannot
/// record it, and the refusal stands either way.
pub fn record_refused(
    store: &mut dyn Store,
    action: Action,
    key_id: Option<&str>,
    err: &anyhow::Error,
    actor: Actor,
) {
    let _ = store.record_refusal(action, key_id, &format!("{err:#}"), actor);
}

/// The IDs of the rows the listings skipped as unreadable, each once.
pub fn skipped_rows(store: &dyn Store) -> Vec<String> {
    let mut skipped = store.take_skipped();
    skipped.sort();
    skipped.dedup();
    skipped
}
