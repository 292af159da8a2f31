//! The man pages, made from the command line's clap definitions: a main
//! page and one per subcommand, with the sections clap_mangen does not
//! write (examples, exit status, environment, files, see also). Only the
//! generated-files test makes them; `man/` holds what it made.

use clap::CommandFactory;
use roff::{Roff, bold, italic, roman};

use intergiro_keys::cli::Cli;
use intergiro_keys::generate::BIN;

/// Every man page as (file name, roff text): the main page and one per
/// subcommand, nested ones included (`intergiro-keys-create.1`,
/// `intergiro-keys-users-add.1`, …).
pub fn man_pages() -> Vec<(String, String)> {
    let mut main = Cli::command().disable_help_subcommand(true);
    main.build();
    let names = page_names(&main);
    let mut pages = vec![(format!("{BIN}.1"), man_page(&main, BIN, None, &names))];
    add_subcommand_pages(&main, &[], &names, &mut pages);
    pages
}

/// The pages of `command`'s subcommands, and of theirs.
fn add_subcommand_pages(
    command: &clap::Command,
    path: &[&str],
    names: &[String],
    pages: &mut Vec<(String, String)>,
) {
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let mut path = path.to_vec();
        path.push(sub.get_name());
        let name = format!("{BIN}-{}", path.join("-"));
        let words = path.join(" ");
        let page = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("{BIN} {words}"));
        pages.push((
            format!("{name}.1"),
            man_page(&page, &name, Some(&words), names),
        ));
        add_subcommand_pages(sub, &path, names, pages);
    }
}

/// The title of every page: `intergiro-keys`, `intergiro-keys-create`, …
fn page_names(command: &clap::Command) -> Vec<String> {
    fn walk(command: &clap::Command, prefix: &str, names: &mut Vec<String>) {
        for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
            let name = format!("{prefix}-{}", sub.get_name());
            names.push(name.clone());
            walk(sub, &name, names);
        }
    }
    let mut names = vec![BIN.to_string()];
    walk(command, BIN, &mut names);
    names
}

/// The date on every page: that of the release they describe.
const MAN_DATE: &str = "2026-11-26";

fn man_page(cmd: &clap::Command, title: &str, sub: Option<&str>, names: &[String]) -> String {
    let man = clap_mangen::Man::new(cmd.clone())
        .title(title)
        .date(MAN_DATE)
        .source(format!("intergiro-keys {}", env!("CARGO_PKG_VERSION")))
        .manual("intergiro-keys manual");
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    let _ = synopsis(cmd).to_writer(&mut out);
    let _ = man.render_description_section(&mut out);
    if cmd.get_arguments().any(|arg| !arg.is_hide_set()) {
        let _ = man.render_options_section(&mut out);
    }
    if cmd.has_subcommands() {
        let _ = man.render_subcommands_section(&mut out);
    }
    let mut roff = Roff::new();
    examples(&mut roff, cmd);
    exit_status(&mut roff, sub);
    environment(&mut roff);
    files(&mut roff);
    see_also(&mut roff, title, names);
    // clap_mangen separates possible values with an empty line between two
    // `.br`, which mandoc -Tlint warns about; one `.br` does the same.
    let mut page = String::from_utf8_lossy(&out)
        .replace(".br\n\n.br\n", ".br\n")
        .replace(NO_BREAK, "\\ ")
        .replace(NO_HYPHEN, "\\%");
    page.push_str(&roff.to_roff());
    ascii_roff(&page)
}

/// The SYNOPSIS section as clap_mangen lays it out (options in display
/// order, optional ones first, then positionals and subcommands), but with
/// each option's value (`[--grace DURATION]`) and `...` after what may be
/// repeated, as `--help`'s usage line has them: clap_mangen 0.3 writes
/// `[--grace]`, as if the option took no value.
fn synopsis(cmd: &clap::Command) -> Roff {
    let name = cmd.get_bin_name().unwrap_or_else(|| cmd.get_name());
    let mut line = vec![bold(name), roman(" ")];
    let mut options: Vec<&clap::Arg> = cmd
        .get_arguments()
        .filter(|arg| !arg.is_hide_set() && !arg.is_positional())
        .collect();
    options.sort_by_key(|arg| {
        let key = match (arg.get_short(), arg.get_long()) {
            (Some(short), _) => format!(
                "{}{}",
                short.to_ascii_lowercase(),
                if short.is_ascii_lowercase() { '0' } else { '1' }
            ),
            (None, Some(long)) => long.to_string(),
            (None, None) => format!("{{{}", arg.get_id()),
        };
        (arg.get_display_order(), key)
    });
    let (optional, required): (Vec<&clap::Arg>, Vec<&clap::Arg>) =
        options.into_iter().partition(|arg| !arg.is_required_set());
    for arg in optional.into_iter().chain(required) {
        let (open, close) = markers(arg.is_required_set());
        line.push(roman(open));
        match (arg.get_short(), arg.get_long()) {
            (Some(short), Some(long)) => {
                line.push(bold(format!("-{short}")));
                line.push(roman("|"));
                line.push(bold(format!("--{long}")));
            }
            (Some(short), None) => line.push(bold(format!("-{short}"))),
            (None, Some(long)) => line.push(bold(format!("--{long}"))),
            (None, None) => continue,
        }
        let values = arg.get_num_args().unwrap_or_default();
        if values.takes_values() {
            // Kept on one line with its option (see `NO_BREAK`).
            let value = italic(value_name(arg));
            if values.min_values() == 0 {
                line.extend([roman(format!("{NO_BREAK}[")), value, roman("]")]);
            } else {
                line.extend([roman(NO_BREAK.to_string()), value]);
            }
        }
        line.push(roman(close));
        if repeats(arg) {
            line.push(roman("..."));
        }
        line.push(roman(" "));
    }
    for arg in cmd.get_positionals().filter(|arg| !arg.is_hide_set()) {
        let (open, close) = markers(arg.is_required_set());
        line.extend([roman(open), italic(value_name(arg)), roman(close)]);
        if repeats(arg) {
            line.push(roman("..."));
        }
        line.push(roman(" "));
    }
    if cmd.has_subcommands() {
        let (open, close) = markers(cmd.is_subcommand_required_set());
        let heading = cmd.get_subcommand_help_heading().unwrap_or("SUBCOMMANDS");
        let value = cmd.get_subcommand_value_name().unwrap_or(heading);
        line.extend([roman(open), italic(value.to_lowercase()), roman(close)]);
    }
    let mut roff = Roff::new();
    roff.control("SH", ["SYNOPSIS"]);
    roff.text(line);
    roff
}

/// A space the synopsis must not be broken at, between an option and its
/// value: written as NO-BREAK SPACE, which `man_page` turns into roff's
/// unbreakable space `\ ` (the roff crate escapes any backslash it is
/// given).
const NO_BREAK: char = '\u{a0}';

/// Written before a synopsis word so that `man` does not hyphenate it
/// (`[--sta-` / `tus STATUS]`): `man_page` turns it into roff's `\%`.
const NO_HYPHEN: char = '\u{e000}';

/// `[`…`]` around what may be left out, `<`…`>` around what may not, each
/// starting a word that is not hyphenated.
fn markers(required: bool) -> (String, &'static str) {
    let (open, close) = if required { ('<', ">") } else { ('[', "]") };
    (format!("{NO_HYPHEN}{open}"), close)
}

/// What `--help` calls an argument's value: its value names, or its ID in
/// capitals (positionals keep clap_mangen's spelling of their ID).
fn value_name(arg: &clap::Arg) -> String {
    match arg.get_value_names() {
        Some(names) => names
            .iter()
            .map(|name| name.as_str())
            .collect::<Vec<_>>()
            .join(" "),
        None if arg.is_positional() => arg.get_id().to_string(),
        None => arg.get_id().as_str().to_uppercase(),
    }
}

/// Whether an argument may be given more than once, or take several values.
fn repeats(arg: &clap::Arg) -> bool {
    matches!(
        arg.get_action(),
        clap::ArgAction::Append | clap::ArgAction::Count
    ) || (arg.is_positional()
        && arg
            .get_num_args()
            .is_some_and(|values| values.max_values() > 1))
}

/// Non-ASCII characters as groff escapes (`—` as `\[u2014]`): groff without
/// `-K utf8` warns about raw UTF-8, and mandoc reads the escapes too.
fn ascii_roff(page: &str) -> String {
    let mut ascii = String::with_capacity(page.len());
    for c in page.chars() {
        if c.is_ascii() {
            ascii.push(c);
        } else {
            ascii.push_str(&format!("\\[u{:04X}]", c as u32));
        }
    }
    ascii
}

/// The "Examples:" lines of a command's `after_help`.
fn examples(roff: &mut Roff, cmd: &clap::Command) {
    let Some(help) = cmd.get_after_help().map(|help| help.to_string()) else {
        return;
    };
    let lines: Vec<&str> = help
        .lines()
        .skip_while(|line| !line.starts_with("Examples:"))
        .skip(1)
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    if lines.is_empty() {
        return;
    }
    roff.control("SH", ["EXAMPLES"]).control("EX", []);
    for line in lines {
        roff.text([roman(line)]);
    }
    roff.control("EE", []);
}

/// Exit status 75 in every page that lists it, as the README's table says.
const TEMPORARY_FAILURE: &str = "temporary failure, nothing changed: the database stayed locked past the busy timeout, a PostgreSQL server could not be reached, or it stopped the change in a deadlock; try again";

fn exit_status(roff: &mut Roff, sub: Option<&str>) {
    let verify = [
        ("0", "the key is valid"),
        (
            "1",
            "the key is rejected: unknown, deleted, wrong secret or malformed",
        ),
        (
            "2",
            "error: bad usage, no key given (empty input), no database, I/O or permission",
        ),
        (
            "3",
            "the secret is right but the key is frozen; renew revives it",
        ),
        ("4", "the key is valid but lacks a role given with --role"),
        ("75", TEMPORARY_FAILURE),
    ];
    let check = [
        ("0", "OK: no key freezes within the warning threshold"),
        ("1", "WARNING: some key freezes within --warning days"),
        (
            "2",
            "CRITICAL: some key is frozen, or freezes within --critical days",
        ),
        (
            "3",
            "UNKNOWN: no database, unreadable database or bad arguments",
        ),
    ];
    let scan = [
        ("0", "no key that works was found"),
        (
            "1",
            "a key that still works (active, expiring, frozen or retiring) or may work (unchecked or tampered) was found",
        ),
        (
            "2",
            "error: bad usage, an unreadable path (the scan is incomplete), the database, permission",
        ),
    ];
    let other = [
        ("0", "success"),
        (
            "2",
            "error: bad usage, no database, I/O or permission; one line on stderr",
        ),
        ("75", TEMPORARY_FAILURE),
    ];
    let codes: &[(&str, &str)] = match sub {
        Some("verify") => &verify,
        Some("check") => &check,
        Some("scan") => &scan,
        Some(_) => &other,
        None => &[
            ("0", "success; verify: the key is valid"),
            (
                "1",
                "verify: the key is rejected (unknown, deleted, wrong secret or malformed); scan: a key that works was found",
            ),
            (
                "2",
                "error: bad usage, no database, I/O or permission; one line on stderr",
            ),
            ("3", "verify: the secret is right but the key is frozen"),
            (
                "4",
                "verify: the key is valid but lacks a role given with --role",
            ),
            ("0\u{2013}3", "check only: OK, WARNING, CRITICAL, UNKNOWN"),
            ("75", TEMPORARY_FAILURE),
        ],
    };
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in codes {
        roff.control("TP", [])
            .text([bold(*code)])
            .text([roman(*meaning)]);
    }
}

fn environment(roff: &mut Roff) {
    roff.control("SH", ["ENVIRONMENT"]);
    roff.control("TP", [])
        .text([bold("INTERGIRO_KEYS_DB")])
        .text([roman("The database file, when --db is not given.")]);
    roff.control("TP", [])
        .text([bold("INTERGIRO_KEYS_BUSY_TIMEOUT")])
        .text([roman(
            "Seconds a command waits for another's lock on the database before giving up (0 to 3600; default 10).",
        )]);
    roff.control("TP", []).text([bold("NO_COLOR")]).text([roman(
        "When set and not empty, output is never coloured (unless --color always).",
    )]);
}

fn files(roff: &mut Roff) {
    roff.control("SH", ["FILES"]);
    roff.control("TP", [])
        .text([italic("~/.local/share/intergiro-keys/keys.db")])
        .text([roman(
            "The default database (the per-user data directory; $XDG_DATA_HOME is honoured). \
             It is created 0600, in a directory created 0700, by the first create.",
        )]);
}

fn see_also(roff: &mut Roff, title: &str, names: &[String]) {
    roff.control("SH", ["SEE ALSO"]);
    let mut inlines = Vec::new();
    for page in names.iter().filter(|name| *name != title) {
        if !inlines.is_empty() {
            inlines.push(roman(", "));
        }
        inlines.push(bold(page.as_str()));
        inlines.push(roman("(1)"));
    }
    roff.text(inlines);
}
