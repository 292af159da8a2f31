//! `check`: one status line for cron and monitoring, in the monitoring-plugin
//! convention (Nagios, Icinga, Zabbix): exit 0 OK, 1 WARNING, 2 CRITICAL,
//! 3 UNKNOWN.

use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::App;
use crate::cli::{CheckArgs, Format};
use crate::key::{ApiKey, Status, freezes_within};
use crate::output::{self, human_days_left, sanitize};
use crate::store::{self, KeyFilter, Open};

/// A monitoring state, ordered from best to worst.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Level {
    Ok,
    Warning,
    Critical,
    Unknown,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Ok => "OK",
            Level::Warning => "WARNING",
            Level::Critical => "CRITICAL",
            Level::Unknown => "UNKNOWN",
        }
    }

    pub fn exit_code(self) -> u8 {
        self as u8
    }
}

/// How one key stands against the thresholds: critical when frozen or
/// freezing within `critical` days, warning within `warning` days.
pub fn level_of(key: &ApiKey, now: DateTime<Utc>, warning: u32, critical: u32) -> Level {
    match key.status(now) {
        // Never usable, so never about to stop working.
        Status::Unissued => Level::Ok,
        Status::Frozen => Level::Critical,
        _ if freezes_within(key.freezes_at, now, critical) => Level::Critical,
        _ if freezes_within(key.freezes_at, now, warning) => Level::Warning,
        _ => Level::Ok,
    }
}

#[derive(Serialize)]
struct FlaggedJson<'a> {
    id: &'a str,
    name: &'a str,
    level: Level,
    status: Status,
    freezes_at: String,
    days_left: i64,
}

#[derive(Serialize)]
struct CheckJson<'a> {
    status: Level,
    code: u8,
    message: &'a str,
    keys: usize,
    warning_days: u32,
    critical_days: u32,
    flagged: Vec<FlaggedJson<'a>>,
}

/// Runs the check. It never fails: whatever goes wrong, a failed start
/// included, is reported as UNKNOWN (exit 3), which monitoring understands.
pub fn run(app: Result<App>, format: Format, args: CheckArgs) -> ExitCode {
    match app.and_then(|app| check(&app, &args)) {
        Ok(code) => code,
        Err(err) if crate::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            crate::print_error(&err);
            unknown(Some(format), &anyhow::anyhow!(crate::error_text(&err)))
        }
    }
}

fn check(app: &App, args: &CheckArgs) -> Result<ExitCode> {
    if args.critical > args.warning {
        bail!(
            "--critical {} is more than --warning {}; the critical threshold must be the nearer one",
            args.critical,
            args.warning
        );
    }
    let store = crate::cmd::open(app, Open::MustExist)?;
    let keys = store::keys(
        store.as_ref(),
        &KeyFilter {
            issued_only: true,
            ..KeyFilter::default()
        },
    )?;

    let mut flagged: Vec<(Level, &ApiKey)> = keys
        .iter()
        .map(|key| (level_of(key, app.now, args.warning, args.critical), key))
        .filter(|(level, _)| *level > Level::Ok)
        .collect();
    // Keys come soonest-freezing first from the store; worst first here.
    flagged.sort_by_key(|(level, _)| std::cmp::Reverse(*level));
    let level = flagged.first().map_or(Level::Ok, |(level, _)| *level);
    let message = summary(level, &flagged, keys.len(), app.now, args);

    match app.format {
        Format::Json => output::print_json(&CheckJson {
            status: level,
            code: level.exit_code(),
            message: &message,
            keys: keys.len(),
            warning_days: args.warning,
            critical_days: args.critical,
            flagged: flagged
                .iter()
                .map(|(level, key)| FlaggedJson {
                    id: &key.id,
                    name: &key.name,
                    level: *level,
                    status: key.status(app.now),
                    freezes_at: output::rfc3339(key.freezes_at),
                    days_left: key.days_left(app.now),
                })
                .collect(),
        })?,
        Format::Table => output::print_line(&message)?,
    }
    Ok(ExitCode::from(level.exit_code()))
}

/// `WARNING: 2 of 7 keys freeze within 14 days: ci-deploy (3 days), … | keys=7 warning=2 critical=0`
fn summary(
    level: Level,
    flagged: &[(Level, &ApiKey)],
    total: usize,
    now: DateTime<Utc>,
    args: &CheckArgs,
) -> String {
    let describe = |wanted: Level| -> Vec<String> {
        flagged
            .iter()
            .filter(|(level, _)| *level == wanted)
            .map(|(_, key)| {
                format!(
                    "{} ({})",
                    sanitize(&key.name),
                    human_days_left(key.days_left(now))
                )
            })
            .collect()
    };
    let critical = describe(Level::Critical);
    let warning = describe(Level::Warning);
    let keys = |n: usize| if n == 1 { "key" } else { "keys" };
    let mut parts = Vec::new();
    if !critical.is_empty() {
        let within = if args.critical == 0 {
            "frozen".to_string()
        } else {
            format!("frozen or freezing within {} days", args.critical)
        };
        parts.push(format!(
            "{} of {total} {} {within}: {}",
            critical.len(),
            keys(total),
            critical.join(", ")
        ));
    }
    if !warning.is_empty() {
        parts.push(format!(
            "{} of {total} {} {} within {} days: {}",
            warning.len(),
            keys(total),
            if warning.len() == 1 {
                "freezes"
            } else {
                "freeze"
            },
            args.warning,
            warning.join(", ")
        ));
    }
    if parts.is_empty() {
        parts.push(match total {
            0 => "no keys".to_string(),
            n => format!("{n} {}, none freezes within {} days", keys(n), args.warning),
        });
    }
    format!(
        "{}: {} | keys={total} warning={} critical={}",
        level.label(),
        parts.join("; "),
        warning.len(),
        critical.len()
    )
}

/// The status line for a check that could not be made.
pub fn unknown(app_format: Option<Format>, err: &anyhow::Error) -> ExitCode {
    let message = format!("UNKNOWN: {}", first_line(&format!("{err:#}")));
    match app_format {
        Some(Format::Json) => {
            let _ = output::print_json(&serde_json::json!({
                "status": "UNKNOWN",
                "code": Level::Unknown.exit_code(),
                "message": message,
            }));
        }
        _ => {
            let _ = output::print_line(&message);
        }
    }
    ExitCode::from(Level::Unknown.exit_code())
}

fn first_line(text: &str) -> &str {
    text.lines()
        .find(|line| !line.trim().is_empty())
        .unwrap_or(text)
        .trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::key::{Role, Roles};
    use chrono::{Duration, TimeZone};

    fn key(created: DateTime<Utc>) -> ApiKey {
        crate::key::issued_test_key("k", Roles::new([Role::Accounts]), created)
    }

    #[test]
    fn levels_follow_the_thresholds() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let k = key(t0);
        let at = |days_left: i64| k.freezes_at - Duration::days(days_left);
        assert_eq!(level_of(&k, at(15), 14, 0), Level::Ok);
        assert_eq!(level_of(&k, at(14), 14, 0), Level::Warning);
        assert_eq!(level_of(&k, at(13), 14, 0), Level::Warning);
        assert_eq!(level_of(&k, at(3), 14, 3), Level::Critical);
        assert_eq!(level_of(&k, at(4), 14, 3), Level::Warning);
        assert_eq!(level_of(&k, at(0), 14, 0), Level::Critical);
        assert_eq!(level_of(&k, at(-30), 14, 0), Level::Critical);
        let unissued = ApiKey { issued: false, ..k };
        assert_eq!(level_of(&unissued, at(-30), 14, 0), Level::Ok);
    }

    #[test]
    fn exit_codes_are_the_plugin_convention() {
        let codes: Vec<u8> = [Level::Ok, Level::Warning, Level::Critical, Level::Unknown]
            .iter()
            .map(|level| level.exit_code())
            .collect();
        assert_eq!(codes, [0, 1, 2, 3]);
    }

    #[test]
    fn unknown_reports_the_first_line() {
        assert_eq!(first_line("\n  no database at x\nmore"), "no database at x");
    }
}
