//! `rotate`: a replacement key with the same name and roles, while the old
//! one keeps working through a grace period, so a deploy can switch over
//! without an outage.

use std::process::ExitCode;

use anyhow::Result;

use crate::App;
use crate::cli::{Format, RotateArgs};
use crate::cmd::create::{Replacing, refuse_discarded_output, write_secret};
use crate::ops::Done;
use crate::output::{self, human_time, sanitize};

pub fn run(app: &App, args: RotateArgs) -> Result<ExitCode> {
    refuse_discarded_output()?;
    let rotation = crate::ops::rotate::rotate(app, &args.key)?;
    // As with `create`: the new key becomes usable, and the old one starts
    // retiring, only once the secret has been written out. If writing
    // fails, the new key is discarded and the old one left as it was.
    let retires_at = app.now + args.grace;
    let replacing = Replacing {
        old_id: &rotation.old.id,
        retires_at,
    };
    let written = write_secret(app, &rotation.token, &rotation.key, Some(&replacing), &[]);
    let old_id = rotation.old.id.clone();
    let Done { fact: key, store } = match written {
        Ok(()) => rotation.finish(app, retires_at)?,
        Err(err) => return Err(rotation.discard(app, err)),
    };
    if store.confirmed_after_loss() {
        output::note(format!(
            "intergiro-keys: note: the connection to the server was lost as key {} was being activated; the server, reached again, confirms it: the rotation was made, and the new key's secret is above",
            key.id
        ));
    }
    if app.format == Format::Table && !app.stdout_is_terminal {
        let old_fate = if args.grace.is_zero() {
            "stopped working now".to_string()
        } else {
            format!("keeps working until {}", human_time(retires_at))
        };
        output::note(format!(
            "Rotated key {} \"{}\": the new key {} ({}) is usable until {}; {} {}. The key printed on stdout is shown only once: store it now.",
            sanitize(&old_id),
            sanitize(&key.name),
            key.id,
            key.roles,
            human_time(key.freezes_at),
            sanitize(&old_id),
            old_fate
        ));
    }
    crate::cmd::notice_expiring_keys(app, store.as_ref());
    Ok(ExitCode::SUCCESS)
}
