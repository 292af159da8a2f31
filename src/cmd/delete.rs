use std::process::ExitCode;

use anyhow::{Result, bail};
use serde::Serialize;

use crate::App;
use crate::cli::{DeleteArgs, Format};
use crate::cmd::{authenticate, open_authorized_about, read_key, resolve_ids, retired_key};
use crate::key::ApiKey;
use crate::operator::Action;
use crate::output::{self, sanitize};
use crate::prompt;
use crate::store::{self, Store};

#[derive(Serialize)]
struct DeletedJson<'a> {
    id: &'a str,
    name: &'a str,
    roles: &'a crate::key::Roles,
    deleted: bool,
}

pub fn run(app: &App, args: DeleteArgs) -> Result<ExitCode> {
    let from_stdin = args.ids.is_empty() || args.ids == ["-"];
    // At a terminal, a key read from stdin is asked for without echo and
    // then confirmed like any other.
    if !args.yes && !app.interactive {
        bail!(
            "deleting keys cannot be undone and there is no terminal to confirm on: pass --yes to delete without asking"
        );
    }
    let mut store = open_authorized_about(app, Action::Delete, &args.ids)?;
    let ids = if from_stdin {
        vec![id_of_presented_key(app, store.as_ref())?]
    } else {
        resolve_ids(store.as_ref(), &args.ids, app.now, Action::Delete)?
    };

    if !args.yes {
        let mut lines = Vec::with_capacity(ids.len());
        for id in &ids {
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
        if !prompt::confirm(&question)? {
            output::note("Nothing was deleted.");
            return Ok(ExitCode::SUCCESS);
        }
    }

    let deleted = store.delete(&ids, app.actor())?;
    print_deleted(app, &deleted)?;
    crate::notice::expiring_keys(app, store.as_ref());
    Ok(ExitCode::SUCCESS)
}

/// The ID of a leaked key given in full on stdin, once its secret is proven
/// to match: a typo must not delete some other key.
fn id_of_presented_key(app: &App, store: &dyn Store) -> Result<String> {
    let token = match read_key(app, None)? {
        Ok(token) => token,
        Err(malformed) => bail!("the text on stdin is not a key: {malformed}; nothing was changed"),
    };
    match authenticate(store, &token)? {
        None => bail!(
            "the key on stdin is not a key of this database (already deleted?); nothing was changed"
        ),
        Some(key) if !key.is_live(app.now) => Err(retired_key(&key, app.now)),
        Some(key) => Ok(key.id),
    }
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
