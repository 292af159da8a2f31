// What `--version` adds to the crate's version: the commit and its date,
// `abc1234 2026-12-10`. Included by build.rs, and by tests/version.rs to
// test it on a tree without git.

use std::path::Path;
use std::process::Command;

/// `git` run in `dir`, its output trimmed; None when git is missing, fails
/// or says nothing.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env_remove("GIT_DIR")
        .output()
        .ok()?;
    let text = String::from_utf8(output.stdout).ok()?.trim().to_string();
    (output.status.success() && !text.is_empty()).then_some(text)
}

/// The commit and date of the checkout at `dir`, or, without git (a source
/// tarball, a tree inside some other repository), the date alone:
/// `SOURCE_DATE_EPOCH`'s when set (reproducible builds), else `today`.
fn version_detail(dir: &Path, source_date_epoch: Option<&str>, today: &str) -> String {
    let own = git(dir, &["rev-parse", "--show-toplevel"])
        .is_some_and(|top| Path::new(&top).canonicalize().ok() == dir.canonicalize().ok());
    if own
        && let Some(commit) = git(dir, &["rev-parse", "--short=7", "HEAD"])
        && let Some(date) = git(dir, &["log", "-1", "--format=%cd", "--date=format:%Y-%m-%d"])
    {
        return format!("{commit} {date}");
    }
    source_date_epoch
        .and_then(|epoch| epoch.trim().parse::<i64>().ok())
        .map(civil_date)
        .unwrap_or_else(|| today.to_string())
}

/// The UTC date of a Unix time, `YYYY-MM-DD` (Howard Hinnant's
/// days-to-civil: a build script has no date library).
fn civil_date(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
