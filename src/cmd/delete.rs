use std::process::ExitCode;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::App;
use crate::cli::{DeleteArgs, Format};
use crate::cmd::key_input::read_key;
use crate::key::ApiKey;
use crate::ops::Done;
use crate::output::{self, sanitize};
use crate::prompt;
use crate::store::{self, KeyFilter, KeySort, Store};

#[derive(Serialize)]
struct DeletedJson<'a> {
    id: &'a str,
    name: &'a str,
    roles: &'a crate::key::Roles,
    deleted: bool,
}

pub fn run(app: &App, args: DeleteArgs) -> Result<ExitCode> {
    if let Some(filter) = selection(app, &args)? {
        return delete_selected(app, &args, &filter);
    }
    let from_stdin = args.ids.is_empty() || args.ids == ["-"];
    // At a terminal, a key read from stdin is asked for without echo and
    // then confirmed like any other.
    if !args.yes && !app.interactive {
        bail!(
            "deleting keys cannot be undone and there is no terminal to confirm on: pass --yes to delete without asking"
        );
    }
    room_for_revocation(app);
    let mut deletion = if from_stdin {
        crate::ops::delete::presented(app, &args.ids, || read_key(app, None))?
    } else {
        crate::ops::delete::keys(app, &args.ids)?
    };
    if !args.yes {
        let (store, ids) = deletion.resolved(app)?;
        if !confirm(store, ids)? {
            output::note("Nothing was deleted.");
            return Ok(ExitCode::SUCCESS);
        }
    }
    let Done {
        fact: deleted,
        store,
    } = deletion.delete(app)?;
    print_deleted(app, &deleted)?;
    crate::cmd::notice_expiring_keys(app, store.as_ref());
    Ok(ExitCode::SUCCESS)
}

/// The filter the flags give, or None when keys are given by ID or name (or
/// on stdin). Keys and filters together are refused: which would win is
/// not obvious, and deleting cannot be undone.
fn selection(app: &App, args: &DeleteArgs) -> Result<Option<KeyFilter>> {
    let filtered = args.origin.created_by.is_some()
        || args.origin.older_than.is_some()
        || !args.roles.is_empty()
        || !args.statuses.is_empty()
        || args.name.is_some()
        || args.unused_for.is_some();
    if !filtered {
        return Ok(None);
    }
    if !args.ids.is_empty() {
        bail!(
            "give either keys or filters (--created-by, --older-than, --role, --status, --name, --unused-for), not both; nothing was changed"
        );
    }
    Ok(Some(KeyFilter {
        now: Some(app.now),
        // Retired keys are already refused everywhere; retiring ones still
        // work and are deleted.
        live_at: Some(app.now),
        created_by: args.origin.created_by.clone(),
        created_by_then: crate::cmd::created_before(&args.origin, app.now),
        roles: args.roles.clone(),
        statuses: (!args.statuses.is_empty()).then(|| args.statuses.clone()),
        name_glob: args.name.clone(),
        unused_since: args
            .unused_for
            .map(|days| app.now - chrono::Duration::days(i64::from(days))),
        sort: KeySort::Id,
        ..KeyFilter::default()
    }))
}

/// `delete` with filters: every live key they select, named before the
/// question as `scan --revoke` does, deleted at once (or none, when one of
/// them went meanwhile) and each deletion audited.
fn delete_selected(app: &App, args: &DeleteArgs, filter: &KeyFilter) -> Result<ExitCode> {
    if !args.yes && !app.interactive {
        bail!(
            "deleting keys cannot be undone and there is no terminal to confirm on: pass --yes to delete every key the filters select without asking (`intergiro-keys list` with the same filters shows them)"
        );
    }
    room_for_revocation(app);
    let mut deletion = crate::ops::delete::selected(app, filter)?;
    crate::cmd::warn_skipped(deletion.store());
    let (store, ids) = deletion.resolved(app)?;
    if ids.is_empty() {
        output::note("No key matches; nothing was deleted.");
        return Ok(ExitCode::SUCCESS);
    }
    if !args.yes && !confirm(store, ids)? {
        output::note("Nothing was deleted.");
        return Ok(ExitCode::SUCCESS);
    }
    let deleted = deletion.delete(app)?.fact;
    print_deleted(app, &deleted)?;
    Ok(ExitCode::SUCCESS)
}

/// On a full file system, the room kept for revocations is used, and said.
pub fn room_for_revocation(app: &App) {
    if store::make_room_for_revocation(&app.db) {
        output::note(
            "intergiro-keys: warning: the file system holding the store is full; the room kept for revocations is used for this one — free some space",
        );
    }
}

/// Names each key and asks whether to delete them all.
fn confirm(store: &dyn Store, ids: &[String]) -> Result<bool> {
    let mut lines = Vec::with_capacity(ids.len());
    for id in ids {
        lines.push(match store.find_key(id) {
            Ok(Some(stored)) => format!(
                "  {}  {}  ({})",
                sanitize(&stored.key.id),
                sanitize(&stored.key.name),
                stored.key.roles
            ),
            Ok(None) => return Err(store::Error::UnknownKeys(vec![id.clone()]).into()),
            // Deleting is the remedy for a tampered key; its name and
            // roles are not worth showing.
            Err(store::Error::Tampered { .. }) => {
                format!(
                    "  {}  (changed outside intergiro-keys: tampered)",
                    sanitize(id)
                )
            }
            Err(err) => return Err(err.into()),
        });
    }
    for line in &lines {
        output::note(line);
    }
    let question = match lines.len() {
        1 => {
            output::note("Anything using it stops working at once.");
            "Delete this key?".to_string()
        }
        n => {
            output::note("Anything using them stops at once.");
            format!("Delete these {n} keys?")
        }
    };
    prompt::confirm(&question)
}

fn print_deleted(app: &App, deleted: &[ApiKey]) -> Result<()> {
    match app.format {
        Format::Json => {
            let json: Vec<DeletedJson> = deleted
                .iter()
                .map(|key| DeletedJson {
                    id: &key.id,
                    name: &key.name,
                    roles: &key.roles,
                    deleted: true,
                })
                .collect();
            output::print_json(&json)
        }
        Format::Table => {
            for key in deleted {
                output::print_line(format!(
                    "Deleted key {} \"{}\" ({}): revoked.",
                    sanitize(&key.id),
                    sanitize(&key.name),
                    key.roles
                ))?;
            }
            Ok(())
        }
    }
}
