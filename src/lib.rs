//! intergiro-keys: administration of a company's business-banking API keys.

pub mod audit;
pub mod cli;
pub mod cmd;
pub mod explain;
pub mod generate;
pub mod hash;
pub mod key;
#[cfg(test)]
mod layering;
pub mod notice;
pub mod operator;
pub mod ops;
pub mod output;
pub mod pager;
pub mod process;
pub mod prompt;
pub mod scan;
pub mod serve;
pub mod store;
pub mod text;
pub mod token;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use chrono::{DateTime, SubsecRound, Utc};

use cli::{Cli, ColorChoice, Command, Format, FormatChoice};

/// What every command needs to know about how it was run.
#[derive(Clone, Debug)]
pub struct App {
    pub db: PathBuf,
    /// Whether `db` is the per-user default, whose directory is made when
    /// missing; a path given with --db or INTERGIRO_KEYS_DB must be in a
    /// directory that exists (a typo makes no new directories).
    pub db_is_default: bool,
    pub format: Format,
    /// Whether stdout gets ANSI colours.
    pub color: bool,
    /// Whether the user can be asked questions (terminal on stdin and stderr,
    /// and no --no-input).
    pub interactive: bool,
    /// Whether stdout is a terminal.
    pub stdout_is_terminal: bool,
    /// Whether long tables may go through a pager (a terminal, no
    /// --no-pager).
    pub pager: bool,
    pub now: DateTime<Utc>,
    /// On PostgreSQL, the server's clock minus this host's, when it was
    /// read: `now` is then the server's time (`on_store_clock`).
    pub clock_skew: Option<chrono::Duration>,
    /// The acting operator, looked up only by commands that check
    /// permissions: `verify` and `check` never pay for an account lookup
    /// (which may go to a directory service).
    operator: std::sync::OnceLock<String>,
    pub uid: u32,
}

impl App {
    /// How tables are drawn for this run.
    pub fn table_style(&self) -> output::Style {
        output::Style {
            color: self.color,
            fit_terminal: self.stdout_is_terminal,
        }
    }

    /// The acting operator: the account of the process's real user id.
    pub fn operator(&self) -> &str {
        self.operator.get_or_init(operator::acting)
    }

    /// Who is acting, and when, for the audit log.
    pub fn actor(&self) -> audit::Actor<'_> {
        audit::Actor {
            operator: self.operator(),
            now: self.now,
        }
    }

    /// The run of a completion script's query: no terminal, no questions.
    fn for_completion(db: PathBuf) -> Result<App> {
        Ok(App {
            db,
            // Completion never creates a store.
            db_is_default: false,
            format: Format::Table,
            color: false,
            interactive: false,
            stdout_is_terminal: false,
            pager: false,
            now: now()?.trunc_subsecs(0),
            clock_skew: None,
            operator: std::sync::OnceLock::new(),
            uid: nix::unistd::getuid().as_raw(),
        })
    }

    pub fn from_cli(cli: &Cli) -> Result<App> {
        let global = &cli.global;
        let stdout_is_terminal = std::io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty());
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stdout_is_terminal && !no_color,
        };
        let interactive =
            !global.no_input && std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
        let format = match (
            global.format.plain(),
            global.format.only_for(),
            &cli.command,
        ) {
            (Some(format), _, _) => format,
            // scan renders SARIF itself and JSON wherever it needs a plain format.
            (None, Some((_, "scan")), Command::Scan(_)) => Format::Json,
            // check renders metrics itself.
            (None, Some((_, "check")), Command::Check(_)) => Format::Table,
            // audit writes JSON lines itself.
            (None, Some((_, "audit")), Command::Audit(_)) => Format::Json,
            (None, only_for, _) => {
                let (name, command) = only_for.unwrap_or(("this", "another command"));
                anyhow::bail!(
                    "--format {name} is only for `intergiro-keys {command}`; use --format table or json"
                )
            }
        };
        // Prompts go to stderr: coloured by the same choice, judged there.
        prompt::set_color(match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stderr().is_terminal() && !no_color,
        });
        let db = match &global.db {
            Some(path) => path.clone(),
            None => default_db_path()?,
        };
        // Other accounts can read a command line (ps), not the environment.
        // Not for `check`: monitoring merges stderr into its status line.
        let from_command_line = std::env::var_os("INTERGIRO_KEYS_DB").as_deref()
            != global.db.as_deref().map(|db| db.as_os_str());
        if from_command_line
            && !matches!(cli.command, Command::Check(_))
            && global
                .db
                .as_deref()
                .and_then(|db| db.to_str())
                .is_some_and(store::postgres::url_has_password)
        {
            output::note(PASSWORD_ON_COMMAND_LINE);
        }
        Ok(App {
            db_is_default: global.db.is_none(),
            db,
            format,
            color,
            interactive,
            stdout_is_terminal,
            pager: stdout_is_terminal && !global.no_pager,
            // Whole seconds, as stored, so a new key has exactly 90 days left.
            now: now()?.trunc_subsecs(0),
            clock_skew: None,
            operator: std::sync::OnceLock::new(),
            uid: nix::unistd::getuid().as_raw(),
        })
    }

    /// On a PostgreSQL store, takes the server's clock for `now`: writes
    /// are dated by it, so verdicts are judged by it too, the same on every
    /// host. Warns once when this host's clock is more than a minute off
    /// (not for `check`, whose stderr monitoring reads as its status). A
    /// server that cannot be reached leaves the local clock: the store's
    /// opening reports that, as each command does.
    fn on_store_clock(mut self, command: &Command) -> App {
        let Some(url) = self.db.to_str().filter(|db| store::postgres::is_url(db)) else {
            return self;
        };
        if matches!(command, Command::Init(_) | Command::Migrate(_)) {
            return self;
        }
        let Ok(clock) = store::postgres::read_clock(url) else {
            return self;
        };
        self.clock_skew = Some(clock.skew);
        // The test suite's clock (`INTERGIRO_KEYS_NOW`) is the server's too.
        if !test_clock_set() {
            self.now = clock.now.trunc_subsecs(0);
        }
        if skew_seconds(clock.skew).abs() > CLOCK_SKEW_WARNING
            && !matches!(command, Command::Check(_))
        {
            output::note(format!(
                "intergiro-keys: warning: this host's clock is {} the PostgreSQL server's; keys are judged by the server's clock, but set this host's right (NTP)",
                skew_text(clock.skew)
            ));
        }
        self
    }
}

/// Seconds of difference between this host's clock and a PostgreSQL
/// server's beyond which every command warns.
pub const CLOCK_SKEW_WARNING: i64 = 60;

/// "12 min 5 s behind" or "3 s ahead of": this host's clock against a
/// server's whose time is `skew` ahead of it.
pub fn skew_text(skew: chrono::Duration) -> String {
    let seconds = skew_seconds(skew).abs();
    let amount = match (seconds / 60, seconds % 60) {
        (0, s) => format!("{s} s"),
        (m, 0) => format!("{m} min"),
        (m, s) => format!("{m} min {s} s"),
    };
    match skew_seconds(skew) {
        0 => "in step with".to_string(),
        n if n > 0 => format!("{amount} behind"),
        _ => format!("{amount} ahead of"),
    }
}

/// `skew` in whole seconds, rounded.
pub fn skew_seconds(skew: chrono::Duration) -> i64 {
    (skew.num_milliseconds() as f64 / 1000.0).round() as i64
}

/// Whether the debug-only test clock (`INTERGIRO_KEYS_NOW`) is set.
fn test_clock_set() -> bool {
    cfg!(debug_assertions) && std::env::var_os("INTERGIRO_KEYS_NOW").is_some()
}

/// Runs the parsed command line and returns the process's exit code.
pub fn run(cli: Cli) -> Result<ExitCode> {
    if let Command::Completions(args) = cli.command {
        return cmd::completions::run(args);
    }
    let app = App::from_cli(&cli).map(|app| app.on_store_clock(&cli.command));
    let sarif = cli.global.format == FormatChoice::Sarif;
    let jsonl = cli.global.format == FormatChoice::Jsonl;
    match cli.command {
        Command::Init(args) => cmd::init::run(&app?, args),
        Command::Migrate(args) => cmd::migrate::run(&app?, args),
        Command::Upgrade(args) => cmd::upgrade::run(&app?, args),
        Command::Create(args) => cmd::create::run(&app?, args),
        Command::List(args) => cmd::list::run(&app?, args),
        Command::Renew(args) => cmd::renew::run(&app?, args),
        Command::Delete(args) => cmd::delete::run(&app?, args),
        Command::Rotate(args) => cmd::rotate::run(&app?, args),
        Command::Show(args) => cmd::show::run(&app?, args),
        Command::Verify(args) => cmd::verify::run(&app?, args),
        Command::Serve(args) => cmd::serve::run(&app?, args),
        // `check` reports every failure, even a failed start, as UNKNOWN.
        Command::Check(args) => Ok(cmd::check::run(app, cli.global.format, args)),
        Command::Users(args) => cmd::users::run(&app?, args),
        Command::Audit(args) => cmd::audit::run(&app?, args, jsonl),
        Command::Scan(args) => cmd::scan::run(&app?, args, sarif),
        Command::Backup(args) => cmd::backup::run(&app?, args),
        Command::Status(_) => cmd::status::run(&app?),
        Command::Completions(args) => cmd::completions::run(args),
    }
}

/// Parses the command line, runs it and maps any error to the exit code and
/// the one line on stderr that the README documents.
pub fn main_with_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> ExitCode {
    quiet_panics();
    if let Err(err) = process::forbid_core_dumps() {
        eprintln!("intergiro-keys: error: {err:#}");
        return ExitCode::from(2);
    }
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    if std::env::var_os("INTERGIRO_KEYS_COMPLETE").is_some_and(|what| what == "keys") {
        return complete_keys(&args);
    }
    let cli = match <Cli as clap::Parser>::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => return usage_error(&err, &args),
    };
    match run(cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            print_error(&err);
            ExitCode::from(exit_code(&err))
        }
    }
}

/// Key IDs and names for a shell's completion script (`cli::CompleteKeysArgs`):
/// whatever goes wrong, nothing is printed and the exit code is 0, since a
/// shell is drawing its prompt.
fn complete_keys(args: &[std::ffi::OsString]) -> ExitCode {
    let Ok(parsed) = <cli::CompleteKeysArgs as clap::Parser>::try_parse_from(args) else {
        return ExitCode::SUCCESS;
    };
    let app = match &parsed.db {
        Some(db) => Ok(db.clone()),
        None => default_db_path(),
    }
    .and_then(App::for_completion);
    if let Ok(app) = app {
        let _ = cmd::complete_keys::run(&app, &parsed.prefix);
    }
    ExitCode::SUCCESS
}

/// EX_TEMPFAIL (sysexits.h): worth retrying later.
pub const EXIT_TEMPORARY: u8 = 75;

/// A failure worth retrying later (exit 75) whose sentence says itself
/// what was and was not changed, where a store error's would not.
#[derive(Debug)]
pub struct Temporary(pub String);

impl std::fmt::Display for Temporary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Temporary {}

/// 75 for a store that stayed busy, a server that could not be reached or
/// one that stopped the change in a deadlock, so that retry logic can tell a
/// transient failure from a permanent one; 2 for every other error.
pub(crate) fn exit_code(err: &anyhow::Error) -> u8 {
    let busy = err.chain().any(|cause| {
        cause.downcast_ref::<Temporary>().is_some()
            || cause
                .downcast_ref::<explain::Explained>()
                .is_some_and(|explained| {
                    matches!(
                        explained.error,
                        store::Error::Busy { .. }
                            | store::Error::Conflict { .. }
                            | store::Error::Unreachable { .. }
                            | store::Error::OutcomeUnknown { .. }
                    )
                })
    });
    if busy { EXIT_TEMPORARY } else { 2 }
}

/// The one line on stderr for a failed command.
pub fn print_error(err: &anyhow::Error) {
    eprintln!("intergiro-keys: error: {}", error_text(err));
}

/// An error as users may read it. Whatever it quotes (a path, a value), a
/// key in it is cut to its ID: stderr ends up in CI logs. What it quotes
/// from the database (an ID, a name) may be anything someone wrote into
/// the file, so hidden characters are shown escaped, as on every output.
pub fn error_text(err: &anyhow::Error) -> String {
    text::sanitize(&token::redact(&format!("{err:#}"))).into_owned()
}

/// A panic is a bug; its message could quote whatever was being handled, a
/// key included, so only its location is printed.
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|location| format!(" at {}:{}", location.file(), location.line()))
            .unwrap_or_default();
        eprintln!(
            "intergiro-keys: internal error{location}; the command was stopped and its unfinished changes rolled back — please report this"
        );
    }));
}

/// Help and version exit 0; bad usage exits 2, or 3 (UNKNOWN) for `check`,
/// where 2 would read as CRITICAL.
fn usage_error(err: &clap::Error, args: &[std::ffi::OsString]) -> ExitCode {
    if !err.use_stderr() {
        let _ = err.print();
        return ExitCode::SUCCESS;
    }
    // What the command line says as far as it parses: the subcommand named
    // and the format asked for, from clap's own partial parse.
    let partial = <Cli as clap::CommandFactory>::command()
        .ignore_errors(true)
        // A value `check` cannot parse (`--warning soon`) must not hide the
        // rest of its line (`--format json` after it), and clap stops at
        // the first error: here its options take any text. (After an
        // unknown option, nothing more is read.)
        .mut_subcommand("check", |check| {
            check.mut_args(|arg| match arg.get_action().takes_values() {
                true => arg.value_parser(clap::builder::OsStringValueParser::new()),
                false => arg,
            })
        })
        .try_get_matches_from(args)
        .ok();
    let subcommand = partial
        .as_ref()
        .and_then(|matches| matches.subcommand_name());
    let key_argument = args
        .iter()
        .skip(1)
        .map(|arg| arg.to_string_lossy())
        .find(|arg| token::redact(arg) != *arg);
    if let Some(key) = key_argument {
        // clap would quote the whole key back; say what to do instead.
        eprintln!(
            "intergiro-keys: error: a key ({}) was given on the command line, where other users can see it in the process list; pipe it on stdin instead, e.g. `intergiro-keys verify < key.txt`",
            token::redact(&key)
        );
    } else if subcommand != Some("check") {
        let db_from_environment = partial
            .as_ref()
            .and_then(|matches| matches.value_source("db"))
            == Some(clap::parser::ValueSource::EnvVariable);
        let styled = match db_from_environment
            .then(|| without_implicit_db(args))
            .flatten()
        {
            Some(err) => err.render(),
            None => err.render(),
        };
        let rendered = if std::io::stderr().is_terminal() {
            styled.ansi().to_string()
        } else {
            styled.to_string()
        };
        // One style for every error: clap's start with the program name too.
        eprint!("intergiro-keys: {}", token::redact(&rendered));
    }
    if subcommand == Some("check") {
        // Only stdout, in the format asked for: Icinga merges stderr into
        // the status line, and JSON readers expect JSON.
        let rendered = token::redact(&err.render().to_string()).into_owned();
        let problem = rendered.trim_start().trim_start_matches("error: ");
        // One line, but with clap's tip ("a similar argument exists:
        // '--warning'") when it has one.
        let mut line = problem
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        for tip in problem
            .lines()
            .filter_map(|line| line.trim().strip_prefix("tip: "))
        {
            line.push_str(&format!(" ({tip})"));
        }
        let format = partial
            .as_ref()
            .and_then(|matches| matches.get_one::<FormatChoice>("format"))
            .copied()
            .unwrap_or(FormatChoice::Table);
        return cmd::check::unknown(format, &line, None);
    }
    ExitCode::from(2)
}

/// The same usage error as clap reports it without `INTERGIRO_KEYS_DB`:
/// clap's usage line names the arguments in use, and a `--db` from the
/// environment would read as if it were required
/// (`Usage: intergiro-keys renew --db <PATH> <ID>...`).
fn without_implicit_db(args: &[std::ffi::OsString]) -> Option<clap::Error> {
    <Cli as clap::CommandFactory>::command()
        .mut_arg("db", |db| db.env(None))
        .try_get_matches_from(args)
        .err()
}

/// The warning for a password given in a connection URL on a command line.
pub const PASSWORD_ON_COMMAND_LINE: &str = "intergiro-keys: warning: the connection URL holds a password, which other accounts on this host can read in the process list; put it in ~/.pgpass (or PGPASSFILE) or PGPASSWORD instead";

/// `~/.local/share/intergiro-keys/keys.db` on Linux; the platform's per-user
/// data directory elsewhere.
pub fn default_db_path() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "intergiro-keys").context(
        "cannot find a home directory for the default database; pass --db or set INTERGIRO_KEYS_DB",
    )?;
    Ok(dirs.data_dir().join("keys.db"))
}

/// The current time. Debug builds (the test suite) may set it with
/// `INTERGIRO_KEYS_NOW=<RFC 3339>` to age keys; release builds have no such
/// override and always use the system clock.
fn now() -> Result<DateTime<Utc>> {
    #[cfg(debug_assertions)]
    if let Some(value) = std::env::var_os("INTERGIRO_KEYS_NOW") {
        let value = value.to_string_lossy();
        let time = DateTime::parse_from_rfc3339(&value)
            .map(|time| time.with_timezone(&Utc))
            .with_context(|| format!("INTERGIRO_KEYS_NOW={value} is not an RFC 3339 time"))?;
        return usable_clock(Some(time));
    }
    // Not `Utc::now()`: it panics on a clock beyond chrono's range.
    usable_clock(time_from_system(std::time::SystemTime::now()))
}

/// The years a clock may show. Keys live 90 days and dates are written with
/// four-digit years, so a clock outside these is wrong, not the future.
const CLOCK_YEARS: std::ops::RangeInclusive<i32> = 1970..=9998;

/// `time` if it is one this tool can compute with; a clear error otherwise.
fn usable_clock(time: Option<DateTime<Utc>>) -> Result<DateTime<Utc>> {
    use chrono::Datelike;
    match time {
        Some(time) if CLOCK_YEARS.contains(&time.year()) => Ok(time),
        Some(time) => anyhow::bail!(
            "the system clock says {}, outside the years {}–{} that keys can be dated in; set the clock right and try again (nothing was changed)",
            time.format("%Y-%m-%d %H:%M UTC"),
            CLOCK_YEARS.start(),
            CLOCK_YEARS.end()
        ),
        None => anyhow::bail!(
            "the system clock is hundreds of thousands of years off, beyond any date keys can have; set the clock right and try again (nothing was changed)"
        ),
    }
}

/// A system time as a UTC date, or None when it is beyond chrono's range.
pub fn time_from_system(time: std::time::SystemTime) -> Option<DateTime<Utc>> {
    use std::time::UNIX_EPOCH;
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => {
            DateTime::from_timestamp(i64::try_from(after.as_secs()).ok()?, after.subsec_nanos())
        }
        Err(before) => {
            let before = before.duration();
            let seconds = i64::try_from(before.as_secs()).ok()?;
            DateTime::from_timestamp(-seconds, 0)?.checked_sub_signed(
                chrono::Duration::nanoseconds(i64::from(before.subsec_nanos())),
            )
        }
    }
}

/// The result of printing a command whose exit code is already decided
/// (verify's verdict, check's level, scan's finding): a reader that went
/// away early (`| head -1`) is not an error and must not turn that code
/// into a plain 0, so only other write errors are passed on.
pub fn unless_broken_pipe(printed: anyhow::Result<()>) -> anyhow::Result<()> {
    match printed {
        Err(err) if is_broken_pipe(&err) => Ok(()),
        other => other,
    }
}

/// Whether an error is a write to our own stdout (or pager) after its
/// reader left (`intergiro-keys list | head -1`), which is not a failure.
/// A broken pipe on anything else, such as a PostgreSQL server's socket
/// closed under a command, is an error like any other: the reader of
/// stdout must still be there for it to count as the reader leaving.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    let broken = err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    broken
        && (pager::quit_early()
            || output::reader_gone(std::os::fd::AsFd::as_fd(&std::io::stdout())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    #[test]
    fn a_clock_beyond_any_date_is_an_error_not_a_panic() {
        let far_future = UNIX_EPOCH + Duration::from_secs(264_000 * 366 * 86_400);
        assert_eq!(time_from_system(far_future), None);
        assert!(usable_clock(time_from_system(far_future)).is_err());
        let far_past = UNIX_EPOCH - Duration::from_secs(264_000 * 366 * 86_400);
        assert_eq!(time_from_system(far_past), None);
        let before_1970 = UNIX_EPOCH - Duration::from_millis(1500);
        let time = time_from_system(before_1970).unwrap();
        assert_eq!(time.timestamp_millis(), -1500);
        assert!(usable_clock(Some(time)).is_err());
        let now = time_from_system(SystemTime::now()).unwrap();
        assert_eq!(usable_clock(Some(now)).unwrap(), now);
    }

    #[test]
    fn the_skew_is_said_from_this_hosts_side_in_whole_seconds() {
        let seconds = |ms: i64| chrono::Duration::milliseconds(ms);
        assert_eq!(skew_text(seconds(400)), "in step with");
        assert_eq!(skew_text(seconds(1_600)), "2 s behind");
        assert_eq!(skew_text(seconds(-1_200_000)), "20 min ahead of");
        assert_eq!(skew_text(seconds(599_400)), "9 min 59 s behind");
        assert_eq!(skew_seconds(seconds(-60_600)), -61);
    }

    #[test]
    fn a_broken_pipe_is_quiet_only_when_stdouts_reader_left() {
        use std::os::fd::AsFd;
        let (read, write) = nix::unistd::pipe().unwrap();
        assert!(!output::reader_gone(write.as_fd()));
        drop(read);
        assert!(output::reader_gone(write.as_fd()));
        // Under the test harness stdout's reader is there: a broken pipe
        // (as from a server's socket) is an error, not the reader leaving.
        let server = anyhow::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
            .context("PostgreSQL: error communicating with the server");
        if !output::reader_gone(std::io::stdout().as_fd()) {
            assert!(!is_broken_pipe(&server));
        }
    }
}
