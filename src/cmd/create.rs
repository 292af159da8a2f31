use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::App;
use crate::cli::{CreateArgs, Format};
use crate::key::{ApiKey, Roles, validate_name};
use crate::ops::Done;
use crate::output::{self, KeyJson, human_time, sanitize};
use crate::process;
use crate::prompt;
use crate::token::Token;

#[derive(Serialize)]
struct CreatedJson<'a> {
    #[serde(flatten)]
    key: KeyJson<'a>,
    secret: &'a str,
    #[serde(flatten)]
    replacing: Option<ReplacingJson<'a>>,
    /// What the one who created the key should know (a name another key
    /// has); absent when there is nothing to say.
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
}

/// What `rotate` adds to create's object.
#[derive(Serialize)]
struct ReplacingJson<'a> {
    replaces: &'a str,
    replaced_key_retires_at: String,
}

/// The key a new one replaces (`rotate`), and when that key retires.
pub struct Replacing<'a> {
    pub old_id: &'a str,
    pub retires_at: DateTime<Utc>,
}

pub fn run(app: &App, args: CreateArgs) -> Result<ExitCode> {
    refuse_discarded_output()?;
    let roles = match Roles::new(args.roles) {
        roles if !roles.is_empty() => roles,
        _ if app.interactive && app.format == Format::Table => prompt::roles()?,
        _ => bail!(
            "no role given: pass --role transactions, accounts or payments (repeat it, or separate with commas, for several)"
        ),
    };
    let default_name = format!(
        "{}-{}",
        roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join("+"),
        app.now.format("%Y%m%d")
    );
    let name = match args.name {
        Some(name) => name,
        None if app.interactive && app.format == Format::Table => prompt::name(&default_name)?,
        None => default_name,
    };
    validate_name(&name).map_err(|problem| anyhow!(problem))?;

    let mut new = crate::ops::create::create(app, name, roles, args.unique_name)?;
    // The secret goes out exactly once. Only when it has been written does
    // the key become usable; if writing fails, the key is discarded. It is
    // wiped from memory before anything else happens.
    let warnings = std::mem::take(&mut new.warnings);
    let Done { fact: key, store } = match write_secret(app, &new.token, &new.key, None, &warnings) {
        Ok(()) => new.issue()?,
        Err(err) => return Err(new.discard(app, err)),
    };
    if store.confirmed_after_loss() {
        output::note(format!(
            "intergiro-keys: note: the connection to the server was lost as key {} was being activated; the server, reached again, confirms it: the key was created and is active, and its secret is above",
            key.id
        ));
    }
    if app.format == Format::Table {
        for warning in &warnings {
            output::note(format!("intergiro-keys: warning: {warning}"));
        }
    }
    if app.format == Format::Table && !app.stdout_is_terminal {
        output::note(format!(
            "Created key {} \"{}\" ({}): usable until {}. The key printed on stdout is shown only once: store it now.",
            key.id,
            sanitize(&key.name),
            key.roles,
            human_time(key.freezes_at)
        ));
    }
    crate::cmd::notice_expiring_keys(app, store.as_ref());
    Ok(ExitCode::SUCCESS)
}

/// Refuses to make a key whose secret would go nowhere.
pub fn refuse_discarded_output() -> Result<()> {
    if process::discards_output(std::io::stdout()) {
        bail!(
            "stdout is /dev/null or closed, so the new key's secret would be lost; nothing was created — send stdout to a terminal, file or pipe"
        );
    }
    Ok(())
}

/// Writes the secret to stdout, in the one form the situation calls for.
/// The whole output is built in one buffer sized up front (growing would
/// leave copies of the secret behind), written with plain `write` calls past
/// std's stdout buffer, and wiped.
pub fn write_secret(
    app: &App,
    token: &Token,
    key: &ApiKey,
    replacing: Option<&Replacing>,
    warnings: &[String],
) -> Result<()> {
    use std::fmt::Write as _;
    // Far more than the longest output: a name of the most characters, each
    // escaped as `\\uXXXX` in JSON.
    const CAPACITY: usize = 16 * 1024;
    let text = token.expose();
    let mut out = zeroize::Zeroizing::new(String::with_capacity(CAPACITY));
    match app.format {
        Format::Json => {
            // Shown as it will be once issued, which it is only after this write.
            let issued = ApiKey {
                issued: true,
                ..key.clone()
            };
            let json = CreatedJson {
                key: KeyJson::new(&issued, app.now),
                secret: &text,
                replacing: replacing.map(|replacing| ReplacingJson {
                    replaces: replacing.old_id,
                    replaced_key_retires_at: output::rfc3339(replacing.retires_at),
                }),
                warnings,
            };
            let mut bytes = zeroize::Zeroizing::new(Vec::with_capacity(CAPACITY));
            output::write_json(&mut *bytes, &json)?;
            out.push_str(std::str::from_utf8(&bytes)?);
        }
        Format::Table if app.stdout_is_terminal => {
            // The frame is 4 columns wider than the key; on a terminal too
            // narrow for it the frame would break and the key wrap, so the
            // key stands alone on its line, ready to copy.
            let framed_width = text.len() + 4;
            if output::screen_width().is_none_or(|columns| columns >= framed_width + 2) {
                let rule = "─".repeat(text.len() + 2);
                write!(out, "\n┌{rule}┐\n│ {} │\n└{rule}┘\n", text.as_str())?;
            } else {
                write!(out, "\n{}\n\n", text.as_str())?;
            }
            writeln!(
                out,
                // Lines under 60 columns: none breaks on a narrow terminal.
                "WARNING: this key is shown only once.\nIt cannot be recovered: store it in your secrets now.\n"
            )?;
            writeln!(out, "  ID          {}", key.id)?;
            writeln!(out, "  Name        {}", sanitize(&key.name))?;
            writeln!(out, "  Roles       {}", key.roles)?;
            writeln!(
                out,
                "  Freezes at  {} (in {} days)",
                human_time(key.freezes_at),
                key.days_left(app.now)
            )?;
            if let Some(replacing) = replacing {
                writeln!(
                    out,
                    "  Replaces    {} (works until {})",
                    sanitize(replacing.old_id),
                    human_time(replacing.retires_at)
                )?;
            }
        }
        Format::Table => writeln!(out, "{}", text.as_str())?,
    }
    if out.capacity() != CAPACITY {
        bail!("the key's output outgrew its buffer; nothing was written");
    }
    // Anything std buffered for stdout goes first, to keep the order.
    std::io::stdout().flush()?;
    process::write_all(std::io::stdout(), out.as_bytes())?;
    Ok(())
}
