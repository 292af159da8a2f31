//! `status`: which store this command line reaches, who the acting operator
//! is to it, and what it holds, as `gh auth status` and `vault status` tell.

use std::process::ExitCode;

use anyhow::Result;
use serde::Serialize;

use crate::App;
use crate::cli::Format;
use crate::key::Status;
use crate::operator::{Operator, Permission};
use crate::ops::{acting_operator, open};
use crate::output::{self, sanitize};
use crate::store::{self, KeyFilter, Open, Store};

/// The statuses counted, in the order shown.
const COUNTED: [Status; 5] = [
    Status::Active,
    Status::Expiring,
    Status::Frozen,
    Status::Retiring,
    Status::Unissued,
];

#[derive(Serialize)]
struct StatusJson<'a> {
    store: &'a str,
    backend: &'a str,
    reachable: bool,
    /// The store's error when it was not reached.
    error: Option<String>,
    /// The store's format, MAJOR.MINOR; null when it was not reached.
    format: Option<String>,
    /// The format this build writes.
    build_format: String,
    operator: Option<OperatorJson>,
    /// Keys by status; null when the operator may not see them.
    keys: Option<serde_json::Map<String, serde_json::Value>>,
    /// This host's clock minus the PostgreSQL server's, in seconds
    /// (positive: this host is ahead); null on SQLite, whose verdicts follow
    /// this host's clock, or when the server was not reached.
    clock_skew_seconds: Option<i64>,
}

#[derive(Serialize)]
struct OperatorJson {
    name: String,
    /// Whether the store knows this operator at all.
    known: bool,
    permissions: Vec<&'static str>,
    /// The roles the operator may give new keys; null for any.
    key_roles: Option<Vec<&'static str>>,
}

pub fn run(app: &App) -> Result<ExitCode> {
    let db = app.db.to_string_lossy();
    let (shown, backend) = match db.as_ref() {
        url if store::postgres::is_url(url) => (
            store::postgres::Location::parse(url)?.shown().to_string(),
            "postgresql",
        ),
        path => (path.to_string(), "sqlite"),
    };
    let shown = sanitize(&shown).into_owned();
    let opened = open(app, Open::MustExist);
    let (reachable, error, operator, counts, format) = match &opened {
        Ok(store) => {
            let format = store.format()?;
            let name = acting_operator(app, store.as_ref());
            // Tampered or unreadable operator rows: shown as not known.
            let operator = store.operator(&name).ok().flatten();
            let counts = match &operator {
                Some(operator) if operator.permissions.allows(Permission::View) => {
                    Some(count(store.as_ref(), app)?)
                }
                _ => None,
            };
            (true, None, Some((name, operator)), counts, Some(format))
        }
        Err(err) => (false, Some(crate::error_text(err)), None, None, None),
    };
    let skew = app.clock_skew.filter(|_| reachable);
    match app.format {
        Format::Json => {
            let keys = counts.as_ref().map(|counts| {
                let mut map = serde_json::Map::new();
                for (status, n) in COUNTED.iter().zip(counts) {
                    map.insert(status.as_str().into(), (*n).into());
                }
                map.insert("total".into(), counts.iter().sum::<u64>().into());
                map
            });
            output::print_json(&StatusJson {
                store: &shown,
                backend,
                reachable,
                error,
                format: format.map(|format| format.to_string()),
                build_format: store::format::CURRENT.to_string(),
                operator: operator.as_ref().map(|(name, operator)| OperatorJson {
                    name: name.clone(),
                    known: operator.is_some(),
                    permissions: operator
                        .as_ref()
                        .map(|operator| permission_names(operator))
                        .unwrap_or_default(),
                    key_roles: operator.as_ref().and_then(|operator| {
                        operator
                            .key_roles
                            .as_ref()
                            .map(|roles| roles.iter().map(|role| role.as_str()).collect())
                    }),
                }),
                keys,
                clock_skew_seconds: skew.map(|skew| -crate::skew_seconds(skew)),
            })?;
        }
        Format::Table => {
            let backend_name = match backend {
                "postgresql" => "PostgreSQL",
                _ => "SQLite",
            };
            let mut lines = vec![
                format!("Store       {shown} ({backend_name})"),
                format!("Reachable   {}", if reachable { "yes" } else { "no" }),
            ];
            if let Some(format) = format {
                lines.push(format!(
                    "Format      {format} (this intergiro-keys writes {})",
                    store::format::CURRENT
                ));
            }
            if let Some(skew) = skew {
                lines.push(format!(
                    "Clock       this host's is {} the server's (verdicts follow the server's)",
                    crate::skew_text(skew)
                ));
            }
            if let Some((name, operator)) = &operator {
                let name = sanitize(name);
                match operator {
                    Some(operator) => {
                        lines.push(format!("Operator    {name}: {}", operator.permissions));
                        lines.push(format!(
                            "Key roles   {}",
                            operator
                                .key_roles
                                .as_ref()
                                .map_or_else(|| "any".to_string(), |roles| roles.to_string())
                        ));
                    }
                    None => lines.push(format!(
                        "Operator    {name}: not an operator of this store (an administrator adds you with `intergiro-keys users add {name}`)"
                    )),
                }
            }
            match &counts {
                Some(counts) => {
                    let parts: Vec<String> = COUNTED
                        .iter()
                        .zip(counts)
                        .map(|(status, n)| format!("{n} {}", status.as_str()))
                        .collect();
                    lines.push(format!(
                        "Keys        {}: {}",
                        counts.iter().sum::<u64>(),
                        parts.join(", ")
                    ));
                }
                None if reachable => {
                    lines.push("Keys        (counting them needs the view permission)".into())
                }
                None => {}
            }
            output::print_line(lines.join("\n"))?;
        }
    }
    // Unreached: the store's own error, and its exit code, follow.
    opened?;
    Ok(ExitCode::SUCCESS)
}

/// The keys in each status of `COUNTED`, as `list --status` counts them.
fn count(store: &dyn Store, app: &App) -> Result<Vec<u64>> {
    COUNTED
        .iter()
        .map(|&status| {
            let filter = KeyFilter {
                now: Some(app.now),
                live_at: Some(app.now),
                statuses: Some(vec![status]),
                ..KeyFilter::default()
            };
            Ok(store.key_extent(&filter)?.keys)
        })
        .collect()
}

/// The permissions as granted (`admin` implies the others).
fn permission_names(operator: &Operator) -> Vec<&'static str> {
    operator
        .permissions
        .iter()
        .map(|permission| permission.as_str())
        .collect()
}
