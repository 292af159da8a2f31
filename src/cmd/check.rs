//! `check`: one status line for cron and monitoring, in the monitoring-plugin
//! convention (Nagios, Icinga, Zabbix): exit 0 OK, 1 WARNING, 2 CRITICAL,
//! 3 UNKNOWN.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Result, bail};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::App;
use crate::cli::{CheckArgs, FormatChoice};
use crate::key::{ApiKey, EXPIRING_WITHIN_DAYS, Status, freezes_within};
use crate::output::metrics::{Flavor, Metrics};
use crate::output::{self, human_days_left, sanitize};
use crate::store::{KeyFilter, Open};

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
        // Never usable, so never about to stop working; or replaced by
        // `rotate`, so meant to stop.
        Status::Unissued | Status::Retiring | Status::Retired => Level::Ok,
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
    keys: u64,
    warning: u64,
    critical: u64,
    warning_days: u32,
    critical_days: u32,
    /// The first `FLAGGED_SHOWN` flagged keys, worst first.
    flagged: Vec<FlaggedJson<'a>>,
    /// The first `FLAGGED_SHOWN` keys replaced by `rotate` and still
    /// working: meant to stop, so never a warning, but worth knowing about.
    retiring: Vec<RetiringJson<'a>>,
}

#[derive(Serialize)]
struct RetiringJson<'a> {
    id: &'a str,
    name: &'a str,
    retires_at: Option<String>,
}

/// The first line, status and perfdata, fits a monitoring screen's line.
const FIRST_LINE_BYTES: usize = 200;
/// Nagios keeps 8 KiB of a plugin's output.
const OUTPUT_BYTES: usize = 8 * 1024;
/// Flagged keys read from the store to name: more than 8 KiB can hold.
const FLAGGED_SHOWN: u64 = 100;
/// Names on the status line are cut to this many characters.
const NAME_CHARS: usize = 24;
/// Per-key metric series, soonest-freezing first: enough for every key a
/// person could act on, few enough that a store of 100,000 keys writes
/// about 150 KiB and Prometheus keeps a bounded number of series; the rest
/// are counted in `intergiro_keys_freeze_series_omitted`.
const KEY_SERIES: u64 = 1000;

/// What `check` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Output {
    /// The monitoring-plugin status line (and long output).
    Plugin,
    Json,
    Metrics(Flavor),
}

impl Output {
    fn of(format: FormatChoice) -> Output {
        match format {
            FormatChoice::Json => Output::Json,
            FormatChoice::Openmetrics => Output::Metrics(Flavor::OpenMetrics),
            FormatChoice::Prometheus => Output::Metrics(Flavor::Prometheus),
            // --format sarif is refused before the check; its UNKNOWN line
            // is the plugin's.
            FormatChoice::Table | FormatChoice::Sarif | FormatChoice::Jsonl => Output::Plugin,
        }
    }
}

/// Runs the check. It never fails: whatever goes wrong, a failed start
/// included, is reported as UNKNOWN (exit 3), which monitoring understands.
pub fn run(app: Result<App>, format: FormatChoice, args: CheckArgs) -> ExitCode {
    let room = app.as_ref().ok().and_then(room_problem);
    match app.and_then(|app| check(&app, Output::of(format), &args, room.as_deref())) {
        Ok(code) => code,
        // A broken pipe before the level was known falls through to
        // UNKNOWN too: monitoring must never read OK from it.
        // Only stdout: Icinga merges stderr into the status line.
        Err(err) => {
            let mut text = crate::error_text(&err);
            // A full disk is why an SQLite store cannot even be read.
            if let Some(room) = &room {
                text.push_str("; ");
                text.push_str(room);
            }
            unknown(format, &text, Some(&args))
        }
    }
}

/// When the file system holding an SQLite store runs out of room, what to
/// say: while the room kept for revocations is there, a `delete` still
/// works however full it is; once used, only free space is left for one.
fn room_problem(app: &App) -> Option<String> {
    let room = crate::store::revocation_room(&app.db)?;
    let (free, needed) = (room.free / 1024, room.needed / 1024);
    match room.reserved {
        true if room.free < room.needed => Some(format!(
            "the store's file system has {free} KiB free, less than the {needed} KiB a change may need: free some space (a revocation still has the room kept for it)"
        )),
        // Not made again for want of room (a change makes it when there is
        // room for it and a revocation besides).
        false if room.free < 2 * room.needed => Some(format!(
            "the room kept for revocations is used up and the store's file system has {free} KiB free ({needed} KiB a revocation may need): free some space"
        )),
        _ => None,
    }
}

/// How many issued keys there are and how many are at each level.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Counts {
    keys: u64,
    warning: u64,
    critical: u64,
    /// Keys retiring after a rotation (never warning or critical).
    retiring: u64,
    /// Rows read that are not keys (changed by other means): critical.
    unreadable: u64,
}

fn check(app: &App, output: Output, args: &CheckArgs, room: Option<&str>) -> Result<ExitCode> {
    if args.critical > args.warning {
        bail!(
            "--critical {} is more than --warning {}; the critical threshold must be the nearer one",
            args.critical,
            args.warning
        );
    }
    let store = crate::ops::open(app, Open::MustExist)?;
    // Counted in the store, whatever the number of keys.
    let days = |days: u32| app.now + Duration::days(i64::from(days));
    let within_critical = store.count_flagged(app.now, days(args.critical))?;
    let within_warning = store.count_flagged(app.now, days(args.warning))?;
    let critical = within_critical.frozen + within_critical.expiring;
    let counts = Counts {
        keys: within_warning.issued,
        critical,
        warning: (within_warning.frozen + within_warning.expiring).saturating_sub(critical),
        retiring: within_warning.retiring,
        unreadable: 0,
    };
    let mut counts = counts;
    // Only the first few flagged keys are read, to be named.
    let mut flagged: Vec<(Level, ApiKey)> = Vec::new();
    if counts.critical + counts.warning > 0 {
        let filter = KeyFilter {
            now: Some(app.now),
            freezing_by: Some(days(args.warning)),
            issued_only: true,
            // Not the keys retiring after a rotation: they are meant to stop.
            statuses: Some(vec![Status::Active, Status::Expiring, Status::Frozen]),
            limit: Some(FLAGGED_SHOWN),
            ..KeyFilter::default()
        };
        store.each_key(&filter, &mut |key| {
            let level = level_of(&key, app.now, args.warning, args.critical);
            flagged.push((level, key));
            Ok(())
        })?;
    }
    let retiring = match counts.retiring {
        0 => Vec::new(),
        _ => crate::store::keys(
            store.as_ref(),
            &KeyFilter {
                now: Some(app.now),
                statuses: Some(vec![Status::Retiring]),
                limit: Some(FLAGGED_SHOWN),
                ..KeyFilter::default()
            },
        )?,
    };
    // Said in the status line only: monitoring merges stderr into it.
    counts.unreadable = crate::ops::skipped_rows(store.as_ref()).len() as u64;
    // Soonest-freezing first from the store; worst first here.
    flagged.sort_by_key(|(level, _)| std::cmp::Reverse(*level));
    let mut level = match counts {
        Counts { critical: 1.., .. }
        | Counts {
            unreadable: 1.., ..
        } => Level::Critical,
        Counts { warning: 1.., .. } => Level::Warning,
        _ => Level::Ok,
    };
    let flagged: Vec<(Level, &ApiKey)> = flagged.iter().map(|(level, key)| (*level, key)).collect();
    let (mut first_line, named_all) = status_line(level, counts, &flagged, app.now, args);
    if let Some(room) = room {
        // Said first, before the perfdata: a full disk is a warning even
        // when every key is fine.
        if level == Level::Ok {
            level = Level::Warning;
            first_line = first_line.replacen("OK: ", "WARNING: ", 1);
        }
        let prefix = format!("{}: ", level.label());
        first_line = first_line.replacen(&prefix, &format!("{prefix}{room}; "), 1);
    }

    let printed = match output {
        Output::Metrics(flavor) => {
            let text = metrics(store.as_ref(), app.now, flavor, level, counts)?;
            write_stdout(&text)
        }
        Output::Json => output::print_json(&CheckJson {
            status: level,
            code: level.exit_code(),
            message: &first_line,
            keys: counts.keys,
            warning: counts.warning,
            critical: counts.critical,
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
            retiring: retiring
                .iter()
                .map(|key| RetiringJson {
                    id: &key.id,
                    name: &key.name,
                    retires_at: key.retires_at.map(output::rfc3339),
                })
                .collect(),
        }),
        Output::Plugin => {
            let mut out = first_line;
            out.push('\n');
            if !named_all {
                out.push_str(&details(counts, &flagged, app.now, args, out.len()));
            }
            out.push_str(&retiring_details(counts, &retiring, out.len()));
            write_stdout(&out)
        }
    };
    crate::unless_broken_pipe(printed)?;
    Ok(ExitCode::from(level.exit_code()))
}

fn write_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(anyhow::Error::from)
}

const UP: &str = "intergiro_keys_store_up";
const STATUS: &str = "intergiro_keys_check_status";

/// The metrics of a finished check: keys by status (as `list` shows
/// them), keys at each check level, the check's state, the soonest freeze
/// and each key's freeze (the `KEY_SERIES` soonest), the store up.
fn metrics(
    store: &dyn crate::store::Store,
    now: DateTime<Utc>,
    flavor: Flavor,
    level: Level,
    counts: Counts,
) -> Result<String> {
    let expiring_by = now + Duration::days(i64::from(EXPIRING_WITHIN_DAYS));
    let by_status = store.count_flagged(now, expiring_by)?;
    let mut soonest: Vec<ApiKey> = Vec::new();
    store.each_key(
        &KeyFilter {
            now: Some(now),
            issued_only: true,
            // Keys to renew: not those retiring after a rotation.
            statuses: Some(vec![Status::Active, Status::Expiring, Status::Frozen]),
            limit: Some(KEY_SERIES),
            ..KeyFilter::default()
        },
        &mut |key| {
            soonest.push(key);
            Ok(())
        },
    )?;
    let renewable = by_status.issued.saturating_sub(by_status.retiring);
    let mut out = Metrics::new(flavor);
    out.gauge(
        UP,
        "Whether the key store could be opened and read (1) or not (0).",
        None,
    )
    .sample(UP, &[], 1);
    out.gauge(
        STATUS,
        "The check's monitoring-plugin state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
        None,
    )
    .sample(STATUS, &[], i64::from(level.exit_code()));
    const KEYS: &str = "intergiro_keys_keys";
    out.gauge(
        KEYS,
        "Issued keys by status: active, expiring (freezing within 14 days), frozen, retiring (replaced by rotate).",
        None,
    );
    let active = renewable.saturating_sub(by_status.frozen + by_status.expiring);
    for (status, count) in [
        ("active", active),
        ("expiring", by_status.expiring),
        ("frozen", by_status.frozen),
        ("retiring", by_status.retiring),
    ] {
        out.sample(KEYS, &[("status", status)], count as i64);
    }
    const FLAGGED: &str = "intergiro_keys_flagged_keys";
    out.gauge(
        FLAGGED,
        "Keys at each level against the check's --warning and --critical thresholds.",
        None,
    )
    .sample(FLAGGED, &[("level", "warning")], counts.warning as i64)
    .sample(FLAGGED, &[("level", "critical")], counts.critical as i64);
    const NEXT: &str = "intergiro_keys_next_freeze_timestamp_seconds";
    out.gauge(
        NEXT,
        "When the soonest-freezing key (active, expiring or frozen) freezes or froze, in seconds since the epoch; absent without keys.",
        Some("seconds"),
    );
    if let Some(first) = soonest.first() {
        out.sample(NEXT, &[], first.freezes_at.timestamp());
    }
    const FREEZE: &str = "intergiro_keys_freeze_timestamp_seconds";
    out.gauge(
        FREEZE,
        "When each key freezes or froze, in seconds since the epoch (the 1000 soonest-freezing keys).",
        Some("seconds"),
    );
    for key in &soonest {
        let roles: Vec<&str> = key.roles.iter().map(|role| role.as_str()).collect();
        out.sample(
            FREEZE,
            &[
                ("id", &key.id),
                ("name", &sanitize(&key.name)),
                ("roles", &roles.join(",")),
            ],
            key.freezes_at.timestamp(),
        );
    }
    const OMITTED: &str = "intergiro_keys_freeze_series_omitted";
    out.gauge(
        OMITTED,
        "Keys left out of intergiro_keys_freeze_timestamp_seconds: they freeze later than the 1000 shown.",
        None,
    )
    .sample(OMITTED, &[], renewable.saturating_sub(soonest.len() as u64) as i64);
    const UNREADABLE: &str = "intergiro_keys_unreadable_rows";
    let unreadable = counts.unreadable + crate::ops::skipped_rows(store).len() as u64;
    out.gauge(
        UNREADABLE,
        "Key rows read that cannot be read as keys (changed outside the tool, or damaged); any is critical.",
        None,
    )
    .sample(UNREADABLE, &[], unreadable as i64);
    Ok(out.finish())
}

/// Text from the store made safe for a plugin's output: no control
/// character (a newline would end the status line), no `|` (which starts
/// the performance data) and no `;` (which Nagios turns into `:`).
fn plugin_text(text: &str) -> String {
    sanitize(text).replace('|', "\\x7c").replace(';', "\\x3b")
}

/// A key as the status line names it: `ci-deploy (3 days)`.
fn named(key: &ApiKey, now: DateTime<Utc>) -> String {
    let name = plugin_text(&key.name);
    let name = match name.char_indices().nth(NAME_CHARS) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name,
    };
    format!(
        "{name} ({})",
        human_days_left(key.days_left(now), key.status(now) == Status::Frozen)
    )
}

/// `WARNING: 2 of 7 keys freeze within 14 days: ci-deploy (3 days), … | keys=7;;;0 warning=2;0;;0 critical=0;;0;0`
///
/// At most `FIRST_LINE_BYTES`: as many names as fit, then "and N more";
/// also whether every flagged key was named. The performance data follow
/// the monitoring-plugin guidelines (`label=value;warn;crit;min`): any
/// warning or critical key is an alert.
fn status_line(
    level: Level,
    counts: Counts,
    flagged: &[(Level, &ApiKey)],
    now: DateTime<Utc>,
    args: &CheckArgs,
) -> (String, bool) {
    let names = |wanted: Level| -> Vec<String> {
        flagged
            .iter()
            .filter(|(level, _)| *level == wanted)
            .map(|(_, key)| named(key, now))
            .collect()
    };
    let critical = names(Level::Critical);
    let warning = names(Level::Warning);
    // `retiring` only when there are some: a store without rotations keeps
    // the perfdata it always had.
    let retiring_data = match counts.retiring {
        0 => String::new(),
        n => format!(" retiring={n};;;0"),
    };
    let unreadable_data = match counts.unreadable {
        0 => String::new(),
        n => format!(" unreadable={n};;0;0"),
    };
    let perfdata = format!(
        " | keys={};;;0 warning={};0;;0 critical={};;0;0{retiring_data}{unreadable_data}",
        counts.keys, counts.warning, counts.critical
    );
    let line = |shown_critical: usize, shown_warning: usize| -> String {
        let total = counts.keys;
        let keys = |n: u64| if n == 1 { "key" } else { "keys" };
        let list = |names: &[String], count: u64| -> String {
            let more = count - names.len() as u64;
            match (names.is_empty(), more) {
                (true, _) => String::new(),
                (false, 0) => format!(": {}", names.join(", ")),
                (false, more) => format!(": {} and {more} more", names.join(", ")),
            }
        };
        let mut parts = Vec::new();
        if counts.critical > 0 {
            let within = if args.critical == 0 {
                "frozen".to_string()
            } else {
                format!("frozen or freezing within {} days", args.critical)
            };
            parts.push(format!(
                "{} of {total} {} {within}{}",
                counts.critical,
                keys(total),
                list(&critical[..shown_critical], counts.critical)
            ));
        }
        if counts.warning > 0 {
            parts.push(format!(
                "{} of {total} {} {} within {} days{}",
                counts.warning,
                keys(total),
                if counts.warning == 1 {
                    "freezes"
                } else {
                    "freeze"
                },
                args.warning,
                list(&warning[..shown_warning], counts.warning)
            ));
        }
        if counts.unreadable > 0 {
            parts.push(format!(
                "{} key {} unreadable (changed outside intergiro-keys)",
                counts.unreadable,
                if counts.unreadable == 1 {
                    "row"
                } else {
                    "rows"
                }
            ));
        }
        if parts.is_empty() {
            parts.push(match total {
                0 => "no keys".to_string(),
                n => format!("{n} {}, none freezes within {} days", keys(n), args.warning),
            });
        }
        // Counted here, named on the lines after.
        if counts.retiring > 0 {
            parts.push(format!("{} retiring after rotation", counts.retiring));
        }
        // Not `;`: Nagios turns it into `:` in the status text.
        format!("{}: {}{perfdata}", level.label(), parts.join(". "))
    };
    // Name critical keys first, then warning ones, while the line fits.
    let (mut shown_critical, mut shown_warning) = (0, 0);
    while shown_critical < critical.len() && line(shown_critical + 1, 0).len() <= FIRST_LINE_BYTES {
        shown_critical += 1;
    }
    if shown_critical == critical.len() {
        while shown_warning < warning.len()
            && line(shown_critical, shown_warning + 1).len() <= FIRST_LINE_BYTES
        {
            shown_warning += 1;
        }
    }
    let named_all =
        shown_critical as u64 == counts.critical && shown_warning as u64 == counts.warning;
    (line(shown_critical, shown_warning), named_all)
}

/// One line per key retiring after a rotation, after the status line (and
/// any flagged keys' lines), within what Nagios keeps.
fn retiring_details(counts: Counts, retiring: &[ApiKey], used: usize) -> String {
    let tail = |left: u64| {
        format!(
            "and {left} more retiring: `intergiro-keys list --status retiring` lists them all\n"
        )
    };
    let mut text = String::new();
    for (index, key) in retiring.iter().enumerate() {
        let until = key.retires_at.map_or_else(String::new, |at| {
            format!(" until {}", output::human_time(at))
        });
        let line = format!(
            "RETIRING: {} {}{until}, roles {}\n",
            plugin_text(&key.id),
            plugin_text(&key.name),
            key.roles,
        );
        let left = counts.retiring - index as u64;
        if used + text.len() + line.len() + tail(left).len() > OUTPUT_BYTES {
            text.push_str(&tail(left));
            return text;
        }
        text.push_str(&line);
    }
    if counts.retiring > retiring.len() as u64 {
        text.push_str(&tail(counts.retiring - retiring.len() as u64));
    }
    text
}

/// The lines after the status line (a plugin's long output), for when it
/// could not name every flagged key: one per key, worst first, within what
/// Nagios keeps.
fn details(
    counts: Counts,
    flagged: &[(Level, &ApiKey)],
    now: DateTime<Utc>,
    args: &CheckArgs,
    used: usize,
) -> String {
    let all = (counts.warning + counts.critical) as usize;
    let tail = |left: usize| {
        format!(
            "and {left} more: `intergiro-keys list --within {}` lists them all\n",
            args.warning
        )
    };
    let mut text = String::new();
    for (index, (level, key)) in flagged.iter().enumerate() {
        let line = format!(
            "{}: {} {}, roles {}\n",
            level.label(),
            plugin_text(&key.id),
            named(key, now),
            key.roles,
        );
        let left = all - index;
        if used + text.len() + line.len() + tail(left).len() > OUTPUT_BYTES {
            text.push_str(&tail(left));
            return text;
        }
        text.push_str(&line);
    }
    if flagged.len() < all {
        text.push_str(&tail(all - flagged.len()));
    }
    text
}

/// The status line for a check that could not be made, on stdout only, in
/// the requested format. The JSON object has every field of a finished
/// check, null where the check could not tell (the thresholds too, when the
/// arguments did not parse).
pub fn unknown(format: FormatChoice, problem: &str, args: Option<&CheckArgs>) -> ExitCode {
    // Not `;` (Nagios turns it into `:`), nor `|` (perfdata would follow).
    let message = format!(
        "UNKNOWN: {}",
        first_line(problem).replace(';', ",").replace('|', "\\x7c")
    );
    let _ = match Output::of(format) {
        Output::Metrics(flavor) => {
            // The store's state, for alerting; the reason for people, on
            // stderr (a service's journal), as metrics have no room for it.
            output::note(format!("intergiro-keys: {message}"));
            let mut out = Metrics::new(flavor);
            out.gauge(
                UP,
                "Whether the key store could be opened and read (1) or not (0).",
                None,
            )
            .sample(UP, &[], 0);
            out.gauge(
                STATUS,
                "The check's monitoring-plugin state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
                None,
            )
            .sample(STATUS, &[], i64::from(Level::Unknown.exit_code()));
            write_stdout(&out.finish())
        }
        Output::Json => output::print_json(&serde_json::json!({
            "status": "UNKNOWN",
            "code": Level::Unknown.exit_code(),
            "message": message,
            "keys": null,
            "warning": null,
            "critical": null,
            "warning_days": args.map(|args| args.warning),
            "critical_days": args.map(|args| args.critical),
            "flagged": null,
            "retiring": null,
        })),
        Output::Plugin => output::print_line(&message),
    };
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
