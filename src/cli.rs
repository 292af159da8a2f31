//! The command line, as clap derives. Doc comments here are the help text and
//! the man pages.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum, ValueHint};

use crate::key::{EXPIRING_WITHIN_DAYS, Role, Status};
use crate::operator::Permission;

/// Administer a company's business-banking API keys.
///
/// Create keys with exactly the roles they need, see each secret once, watch
/// keys approach their 90-day freeze, renew them, delete leaked ones at once,
/// and verify a presented key.
#[derive(Debug, Parser)]
#[command(
    name = "intergiro-keys",
    version,
    // `--version` also names the commit and its date (build.rs); `-V`,
    // and the man pages, the version alone.
    long_version = concat!(
        env!("CARGO_PKG_VERSION"),
        " (",
        env!("INTERGIRO_KEYS_VERSION_DETAIL"),
        ")"
    )
)]
#[command(
    after_help = "Run `intergiro-keys COMMAND --help` for the options and examples of each command."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// The help heading of the options every command takes, so that each
/// command's own options stand apart from them.
const GLOBAL: &str = "Global options";

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// The database file [default: the per-user data directory, e.g.
    /// ~/.local/share/intergiro-keys/keys.db]
    #[arg(
        long,
        global = true,
        env = "INTERGIRO_KEYS_DB",
        value_name = "PATH",
        value_hint = ValueHint::FilePath,
        help_heading = GLOBAL
    )]
    pub db: Option<PathBuf>,

    /// How results are printed on stdout (sarif: `scan` only; openmetrics
    /// and prometheus: `check` only)
    #[arg(long, global = true, value_enum, default_value_t = FormatChoice::Table, help_heading = GLOBAL)]
    pub format: FormatChoice,

    /// When to colour output (NO_COLOR in the environment means never)
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, help_heading = GLOBAL)]
    pub color: ColorChoice,

    /// Never prompt; fail instead where an answer would be needed
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub no_input: bool,

    /// Print long tables straight to the terminal instead of through the
    /// pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub no_pager: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables and sentences for people
    Table,
    /// JSON for scripts
    Json,
}

/// The formats `--format` accepts: every command's, and SARIF for `scan`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatChoice {
    /// Tables and sentences for people
    Table,
    /// JSON for scripts
    Json,
    /// SARIF 2.1.0 for code-scanning uploads (scan only)
    Sarif,
    /// OpenMetrics 1.0 text, for Prometheus (check only)
    Openmetrics,
    /// Prometheus text format 0.0.4, for node_exporter's textfile
    /// collector (check only)
    Prometheus,
    /// One JSON object per line, for log shippers (audit only)
    Jsonl,
}

impl FormatChoice {
    /// The format of commands that have no SARIF or metrics form.
    pub fn plain(self) -> Option<Format> {
        match self {
            FormatChoice::Table => Some(Format::Table),
            FormatChoice::Json => Some(Format::Json),
            FormatChoice::Sarif
            | FormatChoice::Openmetrics
            | FormatChoice::Prometheus
            | FormatChoice::Jsonl => None,
        }
    }

    /// The one command a format other than table and JSON is for.
    pub fn only_for(self) -> Option<(&'static str, &'static str)> {
        match self {
            FormatChoice::Table | FormatChoice::Json => None,
            FormatChoice::Sarif => Some(("sarif", "scan")),
            FormatChoice::Openmetrics => Some(("openmetrics", "check")),
            FormatChoice::Prometheus => Some(("prometheus", "check")),
            FormatChoice::Jsonl => Some(("jsonl", "audit")),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(InitArgs),
    Migrate(MigrateArgs),
    Upgrade(UpgradeArgs),
    Create(CreateArgs),
    List(ListArgs),
    Renew(RenewArgs),
    #[command(visible_aliases = ["rm", "remove", "revoke"])]
    Delete(DeleteArgs),
    Rotate(RotateArgs),
    Show(ShowArgs),
    Verify(VerifyArgs),
    Serve(ServeArgs),
    Check(CheckArgs),
    Users(UsersArgs),
    Audit(AuditArgs),
    Scan(ScanArgs),
    Backup(BackupArgs),
    Status(StatusArgs),
    Completions(CompletionsArgs),
}

/// Create a store, with you as its first administrator
///
/// With a `postgresql://` URL as --db: creates the store's schema (named
/// `intergiro_keys`, or `?schema=NAME` in the URL) in an existing database,
/// with a non-login owner role that alone holds the tables and functions
/// through which the server checks every operator's permissions. Run it as
/// a role that may create roles and schemas; that role becomes the first
/// administrator. With a file: creates the database file, as `create` does.
///
/// With --adopt: makes a copy of another store restored into this database
/// (pg_restore of its dump, e.g. for testing) this database's own, with
/// roles of its own; the other store's roles are left as they are.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys init --db postgresql://keys_admin@db.example/keys
  intergiro-keys init --db 'postgresql://keys_admin@db.example/corp?schema=keys&sslmode=verify-full'
  intergiro-keys init --db ~/keys.db
  intergiro-keys init --adopt --db postgresql://keys_admin@db.example/keys_test")]
pub struct InitArgs {
    /// Give the copy of another store found here its own owner and
    /// operators roles (PostgreSQL; a role with CREATEROLE)
    #[arg(long)]
    pub adopt: bool,
}

/// Move a store from its SQLite file into a new PostgreSQL store
///
/// Creates the store in the PostgreSQL database given with --to (as `init`
/// does) and carries into it, in one transaction, every key with its hash
/// and dates, the operators by name and the whole audit log, whose chain is
/// checked before and after. The keys keep working unchanged. Needs the
/// admin permission on the file; the role of --to becomes an administrator.
/// An operator whose name is a role that already exists on the server gets
/// the store's permissions through it: those roles are listed first, and on
/// a terminal it asks (--yes is required without one). The file is left as
/// it was.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys migrate --to postgresql://keys_admin@db.example/keys
  intergiro-keys --db /srv/intergiro-keys/keys.db migrate --to postgresql://keys_admin@db.example/keys")]
pub struct MigrateArgs {
    /// The PostgreSQL database to move the store into (a postgresql:// URL)
    #[arg(long, value_name = "URL")]
    pub to: String,

    /// Grant the store's permissions to the existing roles named like its
    /// operators without asking (required without a terminal when there
    /// are any)
    #[arg(long, short)]
    pub yes: bool,
}

/// Bring the store to this intergiro-keys's format
///
/// The only command that changes a store's format: every other command
/// refuses a store of an older format (one of a newer minor format, from a
/// newer intergiro-keys, keeps working). All of it in one transaction,
/// recorded in the audit log. Needs the admin permission. Upgrade the
/// administrators' intergiro-keys first, run `upgrade`, then the verifiers'
/// (see docs/upgrades.md).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys upgrade --dry-run
  intergiro-keys upgrade")]
pub struct UpgradeArgs {
    /// Only list the steps the upgrade would take; change nothing
    #[arg(long)]
    pub dry_run: bool,
}

/// Create a key and print its secret, once
///
/// The secret is shown only now: the database keeps an argon2id hash of it.
/// On a terminal it is framed with a warning; when stdout is not a terminal,
/// stdout carries the key alone on one line and everything else goes to
/// stderr. The key is usable for 90 days, then frozen until renewed.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys create --name ci-deploy --role payments
  intergiro-keys create --name reporting --role accounts,transactions
  KEY=$(intergiro-keys create --name nightly --role transactions)
  intergiro-keys create --name bot --role accounts --format json")]
pub struct CreateArgs {
    /// A name saying what the key is for
    #[arg(long, short, value_hint = ValueHint::Other)]
    pub name: Option<String>,

    /// A role the key gets (repeat, or separate with commas)
    #[arg(
        long = "role",
        short,
        value_enum,
        value_delimiter = ',',
        value_name = "ROLE"
    )]
    pub roles: Vec<Role>,

    /// Refuse a name a live key already has (without it, such a name only
    /// draws a warning: commands given that name then ask for an ID)
    #[arg(long)]
    pub unique_name: bool,
}

/// List keys with their status, days left before the freeze and last use
///
/// Keys 14 days or less from their freeze are `expiring`, keys past it are
/// `frozen`; both are marked. A key replaced by `rotate` is `retiring` until
/// its grace period ends, then leaves the list. LAST USED is when `verify`
/// last accepted the key's secret (to 15 minutes). Keys freezing soonest
/// come first. Filters are combined (a key must pass all of them) and
/// evaluated in the database, so they stay fast with many keys. On a
/// terminal, a table longer than the screen goes through the pager.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys list
  intergiro-keys list --expiring
  intergiro-keys list --within 30 --format json
  intergiro-keys list --role payments --status frozen --status expiring
  intergiro-keys list --name 'ci-*' --sort name
  intergiro-keys list --unused-for 30 --sort last-used
  intergiro-keys list --created-by mallory --older-than 30")]
pub struct ListArgs {
    /// Only keys that are frozen or freeze within --within days, not those
    /// retiring after a rotation (meant to stop) or never issued, as `check`
    /// counts them
    #[arg(long)]
    pub expiring: bool,

    /// Days ahead that --expiring looks [default: 14]; given alone, it
    /// implies --expiring
    #[arg(long, value_name = "DAYS", value_parser = days(), value_hint = ValueHint::Other)]
    pub within: Option<u32>,

    /// Only keys holding this role (repeat, or separate with commas, for
    /// keys holding all of them): transactions, accounts, payments
    #[arg(long = "role", value_enum, value_delimiter = ',', value_name = "ROLE")]
    pub roles: Vec<Role>,

    /// Only keys with this status (repeat, or separate with commas, for any
    /// of them): active, expiring, frozen, unissued, retiring (`expired` is
    /// taken for frozen; deleted keys are in `audit`, not in listings)
    #[arg(
        long = "status",
        value_parser = StatusParser,
        value_delimiter = ',',
        value_name = "STATUS"
    )]
    pub statuses: Vec<Status>,

    /// Only keys whose name matches this pattern: `*` any text, `?` one
    /// character, `[abc]` one of these, `[!abc]` none of these; case matters
    #[arg(long, value_name = "GLOB", value_hint = ValueHint::Other)]
    pub name: Option<String>,

    /// Only keys nobody used for this many days (keys never used and older
    /// than that included)
    #[arg(long, value_name = "DAYS", value_parser = days(), value_hint = ValueHint::Other)]
    pub unused_for: Option<u32>,

    #[command(flatten)]
    pub origin: OriginFilter,

    /// The order of the keys (ties by ID)
    #[arg(long, value_enum, value_name = "ORDER", default_value_t = SortOrder::Freezes)]
    pub sort: SortOrder,
}

/// Filters on where a key came from, shared by `list` and `delete`.
#[derive(Debug, Args, Default)]
pub struct OriginFilter {
    /// Only keys this operator created (by `create`, or by `rotate` for a
    /// replacement), as the audit log records it
    #[arg(long, value_name = "OPERATOR", value_hint = ValueHint::Other)]
    pub created_by: Option<String>,

    /// Only keys created this many days ago or earlier
    #[arg(long, value_name = "DAYS", value_parser = days(), value_hint = ValueHint::Other)]
    pub older_than: Option<u32>,
}

/// How `list` orders keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SortOrder {
    /// By key ID
    Id,
    /// By name
    Name,
    /// Oldest first
    Created,
    /// Soonest freeze first
    Freezes,
    /// Never used first, then the longest unused first
    LastUsed,
}

/// Renew keys: each freezes 90 days from now
///
/// Works before or after the freeze; a frozen key is usable again at once.
/// A key retiring after a rotation is not renewed: renew its replacement.
/// Either every key given is renewed or, if any is unknown or retiring,
/// none is.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys renew 3hT9kQ2mXa7B
  intergiro-keys renew ci-deploy
  intergiro-keys renew 3hT9kQ2mXa7B Zp4QwE8rT1yU --format json")]
pub struct RenewArgs {
    /// The keys: IDs as shown by `list`, or names that only one key has
    #[arg(required = true, value_name = "ID|NAME", value_hint = ValueHint::Other)]
    pub ids: Vec<String>,
}

/// Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)
///
/// Asks for confirmation on a terminal; without one, --yes is required.
/// Given no key (or `-`), reads the full text of a leaked key from stdin —
/// on a terminal, asks for it without echo — and deletes that key, without
/// anyone needing to know its ID. Either every key given is deleted or, if
/// any is unknown, none is.
///
/// Instead of keys, filters (as `list` takes them) select every live key
/// that passes all of them, e.g. every key an operator whose account leaked
/// created: the keys are named before the question, and each deletion is
/// audited.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys delete 3hT9kQ2mXa7B
  intergiro-keys delete ci-deploy
  intergiro-keys delete --yes 3hT9kQ2mXa7B Zp4QwE8rT1yU
  intergiro-keys revoke --yes < leaked-key.txt
  intergiro-keys delete --created-by mallory
  intergiro-keys delete --older-than 365 --role payments --yes")]
pub struct DeleteArgs {
    /// The keys: IDs as shown by `list`, or names that only one key has;
    /// `-` or none (and no filter): read a key from stdin
    #[arg(value_name = "ID|NAME", value_hint = ValueHint::Other)]
    pub ids: Vec<String>,

    #[command(flatten)]
    pub origin: OriginFilter,

    /// With filters: only keys holding this role (repeat, or separate with
    /// commas, for keys holding all of them)
    #[arg(long = "role", value_enum, value_delimiter = ',', value_name = "ROLE")]
    pub roles: Vec<Role>,

    /// With filters: only keys with this status (repeat, or separate with
    /// commas, for any of them)
    #[arg(
        long = "status",
        value_parser = StatusParser,
        value_delimiter = ',',
        value_name = "STATUS"
    )]
    pub statuses: Vec<Status>,

    /// With filters: only keys whose name matches this pattern (`*`, `?`,
    /// `[abc]`, `[!abc]`; case matters)
    #[arg(long, value_name = "GLOB", value_hint = ValueHint::Other)]
    pub name: Option<String>,

    /// With filters: only keys nobody used for this many days
    #[arg(long, value_name = "DAYS", value_parser = days(), value_hint = ValueHint::Other)]
    pub unused_for: Option<u32>,

    /// Do not ask for confirmation (required without a terminal)
    #[arg(long, short)]
    pub yes: bool,
}

/// Replace a key by a new one; the old one keeps working for a while
///
/// The new key gets the same name and roles, a new ID and secret (shown
/// once, as by `create`) and a fresh 90 days. The old key keeps verifying
/// for the grace period, listed as `retiring`; then `verify` rejects it and
/// it leaves the listings, with no further command. Deploy the new key
/// within the grace period. Needs the create and delete permissions.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys rotate ci-deploy
  NEW=$(intergiro-keys rotate 3hT9kQ2mXa7B --grace 2h)
  intergiro-keys rotate ci-deploy --grace 0 --format json")]
pub struct RotateArgs {
    /// The key to replace: its ID, or a name only one key has
    #[arg(value_name = "ID|NAME", value_hint = ValueHint::Other)]
    pub key: String,

    /// How long the old key keeps working: 0 (stops now), or minutes, hours
    /// or days, e.g. 90m, 12h, 2d; at most 7d
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = crate::key::parse_grace, value_hint = ValueHint::Other)]
    pub grace: chrono::Duration,
}

/// Show everything about one key, and its history
///
/// Every field of the key (status, dates, last use, rotation) and each entry
/// of the audit log about it: who created it, renewals, rotation, refused
/// commands. Also shows a key retired after a rotation, by its ID, and a
/// key changed outside intergiro-keys, as stored and marked TAMPERED. Needs
/// `view`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys show ci-deploy
  intergiro-keys show 3hT9kQ2mXa7B --format json")]
pub struct ShowArgs {
    /// The key: its ID, or a name only one key has
    #[arg(value_name = "ID|NAME", value_hint = ValueHint::Other)]
    pub key: String,
}

/// Verify a presented key, read from stdin or a file
///
/// The key is read from stdin (or --key-file), never from the command line:
/// other users can see arguments in the process list. The checksum is
/// checked before the database is opened. Exit codes: 0 valid, 1 rejected
/// (unknown, deleted, wrong secret or malformed), 3 frozen, 4 missing a
/// --role, 2 error.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys verify < key.txt
  printf '%s' \"$API_KEY\" | intergiro-keys verify --role payments
  intergiro-keys verify --key-file /run/secrets/api-key --format json")]
pub struct VerifyArgs {
    /// A role the key must have (repeat, or separate with commas)
    #[arg(
        long = "role",
        short,
        value_enum,
        value_delimiter = ',',
        value_name = "ROLE"
    )]
    pub roles: Vec<Role>,

    /// Read the key from this file instead of stdin
    #[arg(long, value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub key_file: Option<PathBuf>,
}

/// Answer key verifications over HTTP, for API gateways
///
/// `GET /verify` (any method; or `/verify/ROLE[,ROLE]`, or the
/// X-Intergiro-Required-Roles header) judges the key in `Authorization:
/// Bearer igk_…` or X-Api-Key, as `verify` does: 200 valid (with
/// X-Intergiro-Key-Id, -Key-Name and -Key-Roles), 401 rejected (with
/// `WWW-Authenticate: Bearer`), 403 missing a required role, 503 store
/// unreachable or untrusted, or too much uncached work (with Retry-After).
/// For nginx `auth_request`, Caddy `forward_auth`, Traefik `forwardAuth` and
/// Envoy `ext_authz` (which appends the client's path: ask `/ext-authz`,
/// roles in the header). A verified key is answered from memory until it
/// changes, freezes, retires or --cache-ttl passes; a change to the store is
/// seen before the next answer (SQLite) or at once by notification
/// (PostgreSQL). `GET /healthz` and `GET /metrics` (Prometheus) for
/// monitoring. SIGTERM stops after the requests in flight. Needs only the
/// `verify` permission.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys serve
  intergiro-keys serve --listen unix:/run/intergiro-keys/verify.sock
  curl -H \"Authorization: Bearer $API_KEY\" http://127.0.0.1:8787/verify/payments")]
pub struct ServeArgs {
    /// Where to listen: IP:PORT, or unix:PATH for a Unix socket (mode 0660)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    pub listen: crate::serve::Listen,

    /// Threads that run argon2 for keys not in memory [default: the number
    /// of processors]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub workers: Option<u16>,

    /// Uncached verifications that may wait for a thread; beyond, 503 at once
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub queue: u32,

    /// The longest a verified key is answered from memory (30s, 10m, 1h)
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = crate::serve::parse_duration)]
    pub cache_ttl: std::time::Duration,

    /// How long a key that matched no stored key is remembered as such
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::serve::parse_duration)]
    pub negative_ttl: std::time::Duration,

    /// The most keys kept in memory
    #[arg(long, value_name = "N", default_value_t = 200_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub cache_size: u32,

    /// How long SIGTERM waits for requests in flight
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = crate::serve::parse_duration)]
    pub drain: std::time::Duration,

    /// An audit head recorded earlier (printed by `backup` and
    /// `audit --verify`): /healthz answers 503 while the store's log does
    /// not hold it, as when the store was put back to an older copy. The
    /// identity running serve then needs the view permission too
    #[arg(long, value_name = "HASH", value_parser = parse_head, value_hint = ValueHint::Other)]
    pub expect_head: Option<String>,
}

/// Check for keys near their freeze, for cron and monitoring
///
/// Prints one status line in the monitoring-plugin convention (Nagios,
/// Icinga, Zabbix, cron mail) naming the keys concerned and their days left,
/// and exits 0 OK, 1 WARNING (a key freezes within --warning days),
/// 2 CRITICAL (a key is frozen, or freezes within --critical days) or
/// 3 UNKNOWN (no database, unreadable database, bad arguments).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys check
  intergiro-keys check --warning 21 --critical 3
  intergiro-keys check --format json
  intergiro-keys check --format openmetrics > /var/lib/prometheus/node-exporter/intergiro-keys.prom.tmp")]
pub struct CheckArgs {
    /// WARNING when a key freezes within this many days
    #[arg(
        long,
        short,
        value_name = "DAYS",
        default_value_t = EXPIRING_WITHIN_DAYS,
        value_parser = days(),
        value_hint = ValueHint::Other
    )]
    pub warning: u32,

    /// CRITICAL when a key freezes within this many days (0: only frozen keys)
    #[arg(long, short, value_name = "DAYS", default_value_t = 0, value_parser = days(), value_hint = ValueHint::Other)]
    pub critical: u32,
}

/// Find leaked keys in files, directories or stdin, and tell which still work
///
/// Searches files and directories (default: the current directory) the way
/// ripgrep does: what .gitignore or .ignore excludes is skipped, and so are
/// binary files and the .git directory; hidden files such as .env are
/// searched. `-` reads stdin. --staged searches what is about to be
/// committed, --git a repository's history (naming the commit of each
/// find). A match counts only if its checksum holds, so text that merely
/// looks like a key is never reported, and keys glued to other text
/// (`igk_…_old`, `KEY=igk_…;`) or inside base64 text are found.
///
/// Each key found is checked against the database, its secret verified as
/// `verify` does (once per key, however often it occurs), and reported as
/// active, expiring, frozen, retiring (replaced by `rotate`, still
/// verifying until its grace ends), retired (its grace is over: dead),
/// unissued, tampered (its row was changed outside intergiro-keys:
/// rejected now, but still stored) or `not in this store`; with no
/// database (or --no-check), as `unchecked`. Output: `path:line:column`,
/// the key's ID, status and name — never its secret. Needs no permission
/// (whoever holds a key can `verify` it); --revoke needs `delete`. Exit
/// codes: 0 no key that works, 1 a key that still works (active, expiring,
/// frozen or retiring) or may work (unchecked or tampered) was found, 2
/// error.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys scan
  intergiro-keys scan src/ .env deploy/
  git log -p --all | intergiro-keys scan -
  intergiro-keys scan --format sarif > intergiro-keys.sarif
  intergiro-keys scan --staged --no-check
  intergiro-keys scan --git
  intergiro-keys scan --git main..feature --format json
  intergiro-keys scan --revoke chat-export.txt")]
pub struct ScanArgs {
    /// Files and directories to search; `-` reads stdin [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Also search files that .gitignore, .ignore and git's exclude files
    /// exclude
    #[arg(long)]
    pub no_ignore: bool,

    /// Search what `git commit` would record instead of the work tree: the
    /// files the index adds or changes, as staged (for a pre-commit hook).
    /// Paths are printed from the repository's top directory
    #[arg(long, conflicts_with_all = ["paths", "git", "no_ignore"])]
    pub staged: bool,

    /// Search the repository's history instead of the work tree: every
    /// line each commit of REV-RANGE (default: every branch and tag) added,
    /// reported with its commit, path and line in that commit
    #[arg(
        long,
        value_name = "REV-RANGE",
        num_args = 0..=1,
        conflicts_with_all = ["paths", "no_ignore"],
        value_hint = ValueHint::Other
    )]
    pub git: Option<Option<String>>,

    /// Do not check the keys found against the database: each is reported
    /// `unchecked` and makes the exit code 1 (for hooks and CI, where any
    /// key in the code is a problem)
    #[arg(long, conflicts_with = "revoke")]
    pub no_check: bool,

    /// Delete every key found that still works (or is tampered), recording
    /// in the audit log where it was found (needs the `delete` permission);
    /// asks first on a terminal
    #[arg(long)]
    pub revoke: bool,

    /// With --revoke: do not ask for confirmation (required without a
    /// terminal)
    #[arg(long, short, requires = "revoke")]
    pub yes: bool,
}

/// Print a shell completion script
///
/// Load it in the current shell, or install it where the shell looks for
/// completions (see the README).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  source <(intergiro-keys completions bash)
  intergiro-keys completions zsh > ~/.zfunc/_intergiro-keys
  intergiro-keys completions fish > ~/.config/fish/completions/intergiro-keys.fish")]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}

/// Manage operators: who may view, create, renew and delete keys
///
/// Operators are operating-system accounts; the acting operator is the account
/// running the command. Administrators (`admin`) hold every permission and
/// manage operators. Whoever creates the database is its first administrator.
/// The last administrator cannot be removed or demoted. `users list` needs
/// `view`; the other subcommands need `admin`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys users list
  intergiro-keys users add alice --permission view --permission renew
  intergiro-keys users add ci-bot --permission create --key-roles accounts,transactions
  intergiro-keys users grant alice delete
  intergiro-keys users revoke alice renew
  intergiro-keys users remove alice")]
pub struct UsersArgs {
    #[command(subcommand)]
    pub command: UsersCommand,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List operators and their permissions
    ///
    /// Needs `view`.
    #[command(after_help = "Examples:
  intergiro-keys users list
  intergiro-keys users list --format json")]
    List,
    /// Add an operator
    ///
    /// Needs `admin`. Without --key-roles the operator may give new keys any
    /// role.
    #[command(after_help = "Examples:
  intergiro-keys users add alice --permission view --permission renew
  intergiro-keys users add ci-bot --permission create --key-roles accounts,transactions")]
    Add(UserAddArgs),
    /// Give an operator more permissions (or change their key-role limit)
    ///
    /// Needs `admin`.
    #[command(after_help = "Examples:
  intergiro-keys users grant alice delete
  intergiro-keys users grant ci-bot --key-roles accounts
  intergiro-keys users grant ci-bot --any-key-role")]
    Grant(UserChangeArgs),
    /// Take permissions away from an operator
    ///
    /// Needs `admin`. The last administrator cannot be demoted.
    #[command(after_help = "Examples:
  intergiro-keys users revoke alice renew
  intergiro-keys users revoke alice renew,delete")]
    Revoke(UserChangeArgs),
    /// Remove an operator
    ///
    /// Needs `admin`. The last administrator cannot be removed.
    #[command(after_help = "Examples:
  intergiro-keys users remove alice
  intergiro-keys users remove alice --format json")]
    Remove(UserRemoveArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The operating-system account name
    #[arg(value_hint = ValueHint::Other)]
    pub name: String,

    /// A permission (repeat, or separate with commas)
    #[arg(
        long = "permission",
        short,
        value_enum,
        value_delimiter = ',',
        required = true,
        value_name = "PERMISSION"
    )]
    pub permissions: Vec<Permission>,

    /// Limit the key roles this operator may give new keys (default: any)
    #[arg(long, value_enum, value_delimiter = ',', value_name = "ROLE")]
    pub key_roles: Vec<Role>,

    /// Add an administrator even though no account of that name exists on
    /// this host (it does not count as the administrator who keeps the
    /// database manageable)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct UserChangeArgs {
    /// The operating-system account name
    #[arg(value_hint = ValueHint::Other)]
    pub name: String,

    /// Permissions to grant or revoke
    #[arg(value_enum, value_delimiter = ',', value_name = "PERMISSION")]
    pub permissions: Vec<Permission>,

    /// grant: limit the key roles this operator may give new keys
    #[arg(long, value_enum, value_delimiter = ',', value_name = "ROLE")]
    pub key_roles: Vec<Role>,

    /// grant: let the operator give new keys any role
    #[arg(long, conflicts_with = "key_roles")]
    pub any_key_role: bool,
}

#[derive(Debug, Args)]
pub struct UserRemoveArgs {
    /// The operating-system account name
    #[arg(value_hint = ValueHint::Other)]
    pub name: String,
}

/// Show the audit log, or check its hash chain
///
/// Every create, renew, delete, operator change and refused command is
/// recorded with its time, operator, action, key ID and outcome — never a
/// secret. The database rejects changes to the log, and each entry carries
/// the hash of the one before, so an entry edited or removed by other means
/// is reported by `audit --verify` (exit 1). Needs `view`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys audit
  intergiro-keys audit --key 3hT9kQ2mXa7B
  intergiro-keys audit --operator alice --since 2026-11-01 --format json
  intergiro-keys audit --verify
  intergiro-keys audit --verify --expect-head \"$KEPT_HEAD\"
  intergiro-keys audit --follow --format jsonl --after 1234 >> /var/log/intergiro-keys.jsonl
  intergiro-keys audit --follow --syslog")]
pub struct AuditArgs {
    /// Only entries about this key ID
    #[arg(long, value_name = "ID", value_hint = ValueHint::Other)]
    pub key: Option<String>,

    /// Only entries by this operator
    #[arg(long, value_name = "NAME", value_hint = ValueHint::Other)]
    pub operator: Option<String>,

    /// Only entries at or after this time (YYYY-MM-DD or RFC 3339, UTC)
    #[arg(long, value_name = "DATE", value_parser = parse_since, value_hint = ValueHint::Other)]
    pub since: Option<chrono::DateTime<chrono::Utc>>,

    /// Only entries after this sequence number: give the `seq` of the
    /// last entry a previous run printed to resume where it stopped, with
    /// nothing skipped or repeated
    #[arg(long, value_name = "SEQ", value_parser = clap::value_parser!(i64).range(0..), value_hint = ValueHint::Other)]
    pub after: Option<i64>,

    /// Keep running and print each new entry as it is written (with
    /// --format jsonl or table); SIGINT or SIGTERM ends it, after a whole
    /// line
    #[arg(long)]
    pub follow: bool,

    /// Send each entry to the local syslog (RFC 5424, facility authpriv,
    /// the entry as JSON) instead of stdout
    #[arg(long)]
    pub syslog: bool,

    /// The syslog socket --syslog writes to
    #[arg(long, value_name = "PATH", default_value = "/dev/log", value_hint = ValueHint::FilePath)]
    pub syslog_socket: PathBuf,

    /// Check the hash chain instead of listing; exit 1 when it is broken
    #[arg(long, conflicts_with_all = ["key", "operator", "since", "after", "follow", "syslog"])]
    pub verify: bool,

    /// With --verify: a head hash recorded earlier (printed by `backup` and
    /// `audit --verify`, kept elsewhere); exit 1 when this log does not hold
    /// it, as when the store was put back to an older copy or replaced
    #[arg(long, value_name = "HASH", requires = "verify", value_parser = parse_head, value_hint = ValueHint::Other)]
    pub expect_head: Option<String>,
}

/// A head hash: 64 hexadecimal digits, as `audit --verify` prints it.
fn parse_head(text: &str) -> Result<String, String> {
    let text = text.trim().to_ascii_lowercase();
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(text)
    } else {
        Err(
            "a head hash is 64 hexadecimal digits, as `audit --verify` and `backup` print it"
                .into(),
        )
    }
}

/// Show the store in use, who you are to it and what it holds
///
/// Which store (its path, or its URL without the password), its schema
/// version, whether it can be reached, the acting operator and their
/// permissions, and (with `view`) how many keys are in each status. Exit 0
/// when the store was reached; otherwise the store's error follows on
/// stderr, with exit 75 when a retry may help (unreachable, busy) and 2
/// otherwise.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys status
  intergiro-keys --db postgresql://alice@db.internal/keys status --format json")]
pub struct StatusArgs {}

/// Copy the database to a new file, consistently, while others use it
///
/// Uses SQLite's online backup: the copy is a whole database as of one
/// moment, made without stopping anyone, written under a temporary name and
/// moved into place, readable by you alone (0600). It is checked as it is
/// written and can be checked again with `intergiro-keys --db COPY audit
/// --verify`. To restore, stop every writer and copy the file back into
/// place. Needs `view`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  intergiro-keys backup /var/backups/keys-$(date +%F).db
  intergiro-keys --db /var/backups/keys-2026-11-28.db audit --verify")]
pub struct BackupArgs {
    /// Where to write the copy; must not exist yet
    #[arg(value_name = "PATH", value_hint = ValueHint::FilePath)]
    pub path: PathBuf,
}

/// A number of days for a flag: at most a century, so that the date it
/// gives is always one the calendar holds (chrono ends at year 262143).
fn days() -> clap::builder::RangedI64ValueParser<u32> {
    clap::value_parser!(u32).range(..=36_500)
}

fn parse_since(text: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&chrono::Utc));
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .map(|time| time.and_utc())
        .ok_or_else(|| format!("{text:?} is not a date; use YYYY-MM-DD or an RFC 3339 time"))
}

/// `list --status`: the statuses, and the words people type for them that
/// are not statuses, each said what it means.
#[derive(Clone, Copy, Debug)]
pub struct StatusParser;

impl clap::builder::TypedValueParser for StatusParser {
    type Value = Status;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<Status, clap::Error> {
        match value.to_str() {
            Some("expired") => {
                // Said once per use, so that nobody wonders why "expired"
                // shows what it shows.
                eprintln!(
                    "intergiro-keys: note: 'expired' is taken for 'frozen': keys past their freeze date (`renew` revives them)"
                );
                Ok(Status::Frozen)
            }
            Some(word @ ("deleted" | "revoked" | "removed")) => Err(clap::Error::raw(
                clap::error::ErrorKind::InvalidValue,
                format!(
                    "'{word}' is not a status a listing can show: a deleted key leaves the listings at once; see deletions with `intergiro-keys audit` (or `audit --key ID`)\n"
                ),
            )
            .with_cmd(cmd)),
            _ => clap::builder::EnumValueParser::<Status>::new().parse_ref(cmd, arg, value),
        }
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        Some(Box::new(
            Status::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

/// What the shell completion scripts run to complete a key (`renew <Tab>`):
/// `INTERGIRO_KEYS_COMPLETE=keys intergiro-keys [--db PATH] [--] WORD`. Not
/// a subcommand, so that the scripts do not offer it.
#[derive(Debug, Parser)]
#[command(name = "intergiro-keys", no_binary_name = false)]
pub struct CompleteKeysArgs {
    #[arg(long, env = "INTERGIRO_KEYS_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,

    /// The word being completed
    #[arg(allow_hyphen_values = true, default_value = "")]
    pub prefix: String,
}
