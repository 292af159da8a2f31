use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::App;
use crate::cli::{CreateArgs, Format};
use crate::hash;
use crate::key::{ApiKey, Roles, validate_name};
use crate::operator::Action;
use crate::ops::open_to_create;
use crate::output::{self, KeyJson, human_time, sanitize};
use crate::process;
use crate::prompt;
use crate::store::Store;
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

    let mut store = open_to_create(app, &roles)?;
    let warnings = namesakes(store.as_ref(), &name, app, args.unique_name)?;
    let (token, key) = insert_new_key(store.as_mut(), name, roles, app)?;

    // The secret goes out exactly once. Only when it has been written does
    // the key become usable; if writing fails, the key is discarded. It is
    // wiped from memory before anything else happens.
    let written = write_secret(app, &token, &key, None, &warnings);
    drop(token);
    if let Err(err) = written {
        let discarded = store.discard_unissued(&key.id, app.actor());
        // A message, not the I/O error itself: a closed pipe here is a
        // failure (exit 2), not the quiet success it is for other commands.
        return Err(match discarded {
            Ok(()) => anyhow!(
                "the key could not be written to stdout ({err:#}), so it was discarded and nothing was created"
            ),
            Err(_) => anyhow!(
                "the key could not be written to stdout ({err:#}); key {} stays unusable — delete it",
                key.id
            ),
        });
    }
    store
        .mark_issued(&key.id)
        .map_err(anyhow::Error::from)
        .with_context(|| {
        format!(
            "the secret was printed but key {} could not be activated; delete it and create another",
            key.id
        )
    })?;
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

/// The warning for a name live keys already have, or with `unique` the
/// refusal of it (before anything is created): a second key of a name makes
/// every command given that name ask for an ID instead.
fn namesakes(store: &dyn Store, name: &str, app: &App, unique: bool) -> Result<Vec<String>> {
    let named = store.keys_named(name, false, app.now, Action::Create)?;
    let ids: Vec<String> = named
        .iter()
        .map(|key| sanitize(&key.id).into_owned())
        .collect();
    let shown = sanitize(name);
    let (keys, verb) = match ids.len() {
        0 => return Ok(Vec::new()),
        1 => ("a live key".to_string(), "has"),
        n => (format!("{n} live keys"), "have"),
    };
    if unique {
        bail!(
            "{keys} ({}) already {verb} the name \"{shown}\"; nothing was created — choose another name, or leave out --unique-name to create another key of that name",
            ids.join(", ")
        );
    }
    Ok(vec![format!(
        "{keys} ({}) already {verb} the name \"{shown}\"; commands given that name will ask for an ID (`--unique-name` refuses a taken name)",
        ids.join(", ")
    )])
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

/// Generates a key and stores it, unissued, retrying on the (astronomically
/// unlikely) collision of random IDs.
fn insert_new_key(
    store: &mut dyn Store,
    name: String,
    roles: Roles,
    app: &App,
) -> Result<(Token, ApiKey)> {
    generate_key(name, roles, app, |key, secret_hash| {
        Ok(store.insert_unissued(key, secret_hash, app.actor())?)
    })
}

/// Generates a key and hands it with its hash to `store`, which stores it
/// unissued and says false when the ID is taken; then tries another.
pub fn generate_key(
    name: String,
    roles: Roles,
    app: &App,
    mut store: impl FnMut(&ApiKey, &str) -> Result<bool>,
) -> Result<(Token, ApiKey)> {
    for _ in 0..5 {
        let token = Token::generate().context("the operating system's random generator failed")?;
        let secret_hash = hash::hash_secret(token.secret())?;
        let key = ApiKey::new(token.id().to_string(), name.clone(), roles.clone(), app.now);
        if store(&key, &secret_hash)? {
            return Ok((token, key));
        }
    }
    bail!("could not find an unused key ID; try again")
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
