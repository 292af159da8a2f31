use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::App;
use crate::cli::{Format, VerifyArgs};
use crate::cmd::key_input::read_key;
use crate::key::{ApiKey, Roles, Verdict};
use crate::ops::Done;
use crate::ops::verify::Verified;
use crate::output::{self, human_days_left, human_time, sanitize};
use crate::token::Malformed;

/// The JSON object of `verify`: always the same fields, null when unknown.
#[derive(Serialize)]
struct VerifyJson<'a> {
    valid: bool,
    code: &'static str,
    key_id: Option<&'a str>,
    name: Option<&'a str>,
    roles: Option<&'a Roles>,
    status: Option<crate::key::Status>,
    freezes_at: Option<String>,
    days_left: Option<i64>,
    /// Set for a key replaced by `rotate`: it stops working then.
    retires_at: Option<String>,
    replaced_by: Option<&'a str>,
    missing_roles: Option<&'a Roles>,
    reason: Option<String>,
}

pub fn run(app: &App, args: VerifyArgs) -> Result<ExitCode> {
    let wanted = Roles::new(args.roles);
    // The checksum is checked before the database is touched.
    let (verified, store, malformed) = match read_key(app, args.key_file.as_deref())? {
        Err(malformed) => {
            let rejected = Verified {
                verdict: Verdict::Rejected,
                key: None,
            };
            (rejected, None, Some(malformed))
        }
        Ok(token) => {
            let Done { fact, store } = crate::ops::verify::verify(app, &token, &wanted)?;
            (fact, Some(store), None)
        }
    };
    let Verified { verdict, key } = verified;
    let printed = print(app, &verdict, key.as_ref(), malformed);
    // Closed once the verdict is out (see `ops::verify`).
    drop(store);
    crate::unless_broken_pipe(printed)?;
    Ok(ExitCode::from(verdict.exit_code()))
}

fn print(
    app: &App,
    verdict: &Verdict,
    key: Option<&ApiKey>,
    malformed: Option<Malformed>,
) -> Result<()> {
    let missing = match verdict {
        Verdict::MissingRoles(missing) => Some(missing),
        _ => None,
    };
    match app.format {
        Format::Json => output::print_json(&VerifyJson {
            valid: *verdict == Verdict::Valid,
            code: verdict.code(),
            key_id: key.map(|key| key.id.as_str()),
            name: key.map(|key| key.name.as_str()),
            roles: key.map(|key| &key.roles),
            status: key.map(|key| key.status(app.now)),
            freezes_at: key.map(|key| output::rfc3339(key.freezes_at)),
            days_left: key.map(|key| key.days_left(app.now)),
            retires_at: key.and_then(|key| key.retires_at).map(output::rfc3339),
            replaced_by: key.and_then(|key| key.replaced_by.as_deref()),
            missing_roles: missing,
            reason: malformed.map(|m| m.to_string()),
        }),
        Format::Table => {
            let line = match (verdict, key) {
                (Verdict::Rejected, _) | (_, None) => match malformed {
                    Some(malformed) => format!("rejected: {malformed}"),
                    None => "rejected: unknown key, deleted key or wrong secret".to_string(),
                },
                // Replaced by `rotate`: what matters is when it stops.
                (Verdict::Valid, Some(key)) if key.retires_at.is_some() => format!(
                    "valid: key {} \"{}\" ({}), retiring after a rotation: it stops working at {}{}",
                    key.id,
                    sanitize(&key.name),
                    key.roles,
                    key.retires_at.map(human_time).unwrap_or_default(),
                    match &key.replaced_by {
                        Some(new) => format!("; switch to its replacement {}", sanitize(new)),
                        None => String::new(),
                    }
                ),
                (Verdict::Valid, Some(key)) => format!(
                    "valid: key {} \"{}\" ({}), freezes at {} ({})",
                    key.id,
                    sanitize(&key.name),
                    key.roles,
                    human_time(key.freezes_at),
                    match key.days_left(app.now) {
                        0 => human_days_left(0, false),
                        days => format!("{} left", human_days_left(days, false)),
                    }
                ),
                (Verdict::Frozen, Some(key))
                    if crate::key::beyond_lifetime(key.freezes_at, app.now) =>
                {
                    format!(
                        "frozen: key {} \"{}\" ({}) has a freeze date more than 90 days ahead ({}), which no renewal gives; it is not honoured — `intergiro-keys renew {}` sets a true one",
                        key.id,
                        sanitize(&key.name),
                        key.roles,
                        human_time(key.freezes_at),
                        key.id
                    )
                }
                (Verdict::Frozen, Some(key)) => format!(
                    "frozen: key {} \"{}\" ({}) froze at {}; `intergiro-keys renew {}` revives it",
                    key.id,
                    sanitize(&key.name),
                    key.roles,
                    human_time(key.freezes_at),
                    key.id
                ),
                (Verdict::MissingRoles(missing), Some(key)) => format!(
                    "missing role: key {} \"{}\" has {} but not {}",
                    key.id,
                    sanitize(&key.name),
                    key.roles,
                    missing
                ),
            };
            output::print_line(line)
        }
    }
}
