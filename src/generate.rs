//! Shell completions and man pages, generated from the clap definition. The
//! committed copies under `completions/` and `man/` are compared with these
//! by a test; `INTERGIRO_KEYS_REGENERATE=1 cargo test --test generated`
//! rewrites them.

use clap::CommandFactory;
use clap_complete::{Generator, Shell};
use roff::{Roff, bold, italic, roman};

use crate::cli::Cli;

pub const BIN: &str = "intergiro-keys";

/// Every shell `completions` supports.
pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

/// The completion script for `shell`.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut script);
    script
}

/// The file name a shell's completion script is installed under.
pub fn completion_file_name(shell: Shell) -> String {
    shell.file_name(BIN)
}

/// Every man page as (file name, roff text): the main page and one per
/// subcommand (`intergiro-keys-create.1`, …).
pub fn man_pages() -> Vec<(String, String)> {
    let mut main = Cli::command().disable_help_subcommand(true);
    main.build();
    let mut pages = vec![(format!("{BIN}.1"), man_page(&main, BIN, None))];
    for sub in main.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let name = format!("{BIN}-{}", sub.get_name());
        let sub = sub
            .clone()
            .display_name(name.clone())
            .bin_name(format!("{BIN} {}", sub.get_name()));
        pages.push((
            format!("{name}.1"),
            man_page(&sub, &name, Some(sub.get_name())),
        ));
    }
    pages
}

type RenderSection = fn(&clap_mangen::Man, &mut dyn std::io::Write) -> std::io::Result<()>;

/// The date on every page: that of the release they describe.
const MAN_DATE: &str = "2026-11-26";

fn man_page(cmd: &clap::Command, title: &str, sub: Option<&str>) -> String {
    let man = clap_mangen::Man::new(cmd.clone())
        .title(title)
        .date(MAN_DATE)
        .source(format!("intergiro-keys {}", env!("CARGO_PKG_VERSION")))
        .manual("intergiro-keys manual");
    let mut out = Vec::new();
    let sections: [RenderSection; 4] = [
        clap_mangen::Man::render_title,
        clap_mangen::Man::render_name_section,
        clap_mangen::Man::render_synopsis_section,
        clap_mangen::Man::render_description_section,
    ];
    for render in sections {
        // Writing into a Vec cannot fail.
        let _ = render(&man, &mut out);
    }
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
    see_also(&mut roff, sub);
    // clap_mangen separates possible values with an empty line between two
    // `.br`, which mandoc -Tlint warns about; one `.br` does the same.
    let mut page = String::from_utf8_lossy(&out).replace(".br\n\n.br\n", ".br\n");
    page.push_str(&roff.to_roff());
    page
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
        (
            "75",
            "temporary failure: the database stayed locked past the busy timeout; try again",
        ),
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
    let other = [
        ("0", "success"),
        (
            "2",
            "error: bad usage, no database, I/O or permission; one line on stderr",
        ),
        (
            "75",
            "temporary failure: the database stayed locked past the busy timeout; try again",
        ),
    ];
    let codes: &[(&str, &str)] = match sub {
        Some("verify") => &verify,
        Some("check") => &check,
        Some(_) => &other,
        None => &[
            ("0", "success; verify: the key is valid"),
            (
                "1",
                "verify: the key is rejected (unknown, deleted, wrong secret or malformed)",
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
            ("0\\(en3", "check only: OK, WARNING, CRITICAL, UNKNOWN"),
            (
                "75",
                "temporary failure: the database stayed locked past the busy timeout; try again",
            ),
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

fn see_also(roff: &mut Roff, sub: Option<&str>) {
    let mut pages: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|cmd| format!("{BIN}-{}", cmd.get_name()))
        .filter(|name| Some(name.as_str()) != sub.map(|sub| format!("{BIN}-{sub}")).as_deref())
        .collect();
    if sub.is_some() {
        pages.insert(0, BIN.to_string());
    }
    roff.control("SH", ["SEE ALSO"]);
    let mut inlines = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        if index > 0 {
            inlines.push(roman(", "));
        }
        inlines.push(bold(page.as_str()));
        inlines.push(roman("(1)"));
    }
    roff.text(inlines);
}
