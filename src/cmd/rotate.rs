//! `rotate`: a replacement key with the same name and roles, while the old
//! one keeps working through a grace period, so a deploy can switch over
//! without an outage.

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow};

use crate::App;
use crate::cli::{Format, RotateArgs};
use crate::cmd::create::{Replacing, generate_key, refuse_discarded_output, write_secret};
use crate::explain::Explained;
use crate::operator::Action;
use crate::ops::{LookUp, authorize_roles, open_authorized_about, record_refused, resolve_key};
use crate::output::{self, human_time, sanitize};
use crate::store;

pub fn run(app: &App, args: RotateArgs) -> Result<ExitCode> {
    refuse_discarded_output()?;
    let mut store = open_authorized_about(app, Action::Rotate, std::slice::from_ref(&args.key))?;
    let old = resolve_key(
        store.as_ref(),
        &args.key,
        app.now,
        LookUp::Change,
        Action::Rotate,
    )?;
    authorize_roles(app, store.as_mut(), Action::Rotate, &old.id, &old.roles)?;
    if crate::key::holds_key_text(&old.name) {
        // A rotation copies the name, and with it the key text.
        anyhow::bail!(
            "key {}'s name holds key text (igk_ and an ID followed by more), which a rotation would copy into the new key; delete it (`intergiro-keys delete {}`) and create its replacement with a proper name (`intergiro-keys create --name NAME --role {}`); nothing was changed",
            old.id,
            old.id,
            old.roles
        );
    }

    let begun = generate_key(
        old.name.clone(),
        old.roles.clone(),
        app,
        |key, secret_hash| Ok(store.begin_rotation(&old.id, key, secret_hash, app.actor())?),
    );
    let (token, key) = match begun {
        Ok(begun) => begun,
        Err(err) => {
            let refused = err.downcast_ref::<Explained>().is_some_and(|explained| {
                matches!(explained.error, store::Error::NotRotatable { .. })
            });
            // Rotated already: name the replacement to rotate instead (the
            // audit log keeps the store's own words).
            let shown = match (&old.replaced_by, err.downcast_ref::<Explained>()) {
                (
                    Some(replacement),
                    Some(Explained {
                        error:
                            store::Error::NotRotatable {
                                reason: store::NotRotatable::Retiring(retires_at),
                                ..
                            },
                        ..
                    }),
                ) => {
                    let new = sanitize(replacement);
                    Some(anyhow!(
                        "key {} was already rotated and retires at {}; rotate its replacement {new} instead (`intergiro-keys rotate {new}`); nothing was changed",
                        sanitize(&old.id),
                        human_time(*retires_at)
                    ))
                }
                _ => None,
            };
            if refused {
                record_refused(
                    store.as_mut(),
                    Action::Rotate,
                    Some(&old.id),
                    &err,
                    app.actor(),
                );
            }
            return Err(shown.unwrap_or(err));
        }
    };

    // As with `create`: the new key becomes usable, and the old one starts
    // retiring, only once the secret has been written out. If writing
    // fails, the new key is discarded and the old one left as it was.
    let retires_at = app.now + args.grace;
    let replacing = Replacing {
        old_id: &old.id,
        retires_at,
    };
    let written = write_secret(app, &token, &key, Some(&replacing), &[]);
    drop(token);
    if let Err(err) = written {
        let discarded = store.discard_unissued(&key.id, app.actor());
        return Err(match discarded {
            Ok(()) => anyhow!(
                "the new key could not be written to stdout ({err:#}), so it was discarded; key {} was left as it was",
                old.id
            ),
            Err(_) => anyhow!(
                "the new key could not be written to stdout ({err:#}); key {} stays unusable — delete it; key {} was left as it was",
                key.id,
                old.id
            ),
        });
    }
    store
        .finish_rotation(&old.id, &key.id, retires_at, app.actor())
        .map_err(anyhow::Error::from)
        .with_context(|| {
            format!(
                "the secret was printed but key {} could not be activated; key {} still works — delete {} and rotate again",
                key.id, old.id, key.id
            )
        })?;
    if app.format == Format::Table && !app.stdout_is_terminal {
        let old_fate = if args.grace.is_zero() {
            "stopped working now".to_string()
        } else {
            format!("keeps working until {}", human_time(retires_at))
        };
        output::note(format!(
            "Rotated key {} \"{}\": the new key {} ({}) is usable until {}; {} {}. The key printed on stdout is shown only once: store it now.",
            sanitize(&old.id),
            sanitize(&key.name),
            key.id,
            key.roles,
            human_time(key.freezes_at),
            sanitize(&old.id),
            old_fate
        ));
    }
    crate::cmd::notice_expiring_keys(app, store.as_ref());
    Ok(ExitCode::SUCCESS)
}
