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
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, BIN, &mut script);
    match shell {
        Shell::Bash => keys_for_bash(&fix_bash(&String::from_utf8_lossy(&script))).into_bytes(),
        Shell::Fish => {
            keys_for_fish(&fix_fish(&String::from_utf8_lossy(&script), &command)).into_bytes()
        }
        Shell::Zsh => keys_for_zsh(&String::from_utf8_lossy(&script), &command).into_bytes(),
        _ => script,
    }
}

/// The commands whose arguments are keys: their IDs and names are
/// completed from the store (`INTERGIRO_KEYS_COMPLETE=keys intergiro-keys
/// [--db PATH] -- WORD`, `cli::CompleteKeysArgs`).
const KEY_COMMANDS: [&str; 4] = ["renew", "delete", "rotate", "show"];

/// `script` with `from` replaced by `to` exactly `times` times. Panics
/// (the generated-files test fails) when clap_complete's output no longer
/// holds the text as often: a patch that silently stopped applying would
/// ship scripts that complete no key.
fn replace_exactly(script: &str, from: &str, to: &str, times: usize) -> String {
    let found = script.matches(from).count();
    assert!(
        found == times,
        "clap_complete's output changed: {from:?} found {found} times, not {times}; update src/generate.rs"
    );
    script.replace(from, to)
}

/// Key IDs and names for bash: in the cases of `KEY_COMMANDS` a word that
/// is not an option completes to keys, the first one after the command too
/// (clap_complete offers options there).
fn keys_for_bash(script: &str) -> String {
    let mut script = script.to_string();
    for command in KEY_COMMANDS {
        let start = format!("        intergiro__keys__subcmd__{command})\n");
        let at = script
            .find(&start)
            .unwrap_or_else(|| panic!("clap_complete's output changed: no {start:?}"));
        let end = at
            + script[at..]
                .find("\n            ;;\n")
                .unwrap_or_else(|| panic!("clap_complete's output changed: {start:?} never ends"))
            + "\n            ;;\n".len();
        let case = &script[at..end];
        let case = replace_exactly(
            case,
            "if [[ ${cur} == -* || ${COMP_CWORD} -eq 2 ]] ; then",
            "if [[ ${cur} == -* ]] ; then",
            1,
        );
        let case = replace_exactly(
            &case,
            "            __intergiro_keys_compgen -W \"${opts}\" -- \"${cur}\"\n            return 0\n            ;;\n",
            "            __intergiro_keys_keys \"${cur}\"\n            return 0\n            ;;\n",
            1,
        );
        script.replace_range(at..end, &case);
    }
    format!(
        r#"# Fills COMPREPLY with the IDs and names of keys starting with $1, from the
# store a --db on the line names (else INTERGIRO_KEYS_DB's, or the default);
# a name that needs quoting is quoted.
__intergiro_keys_keys() {{
    COMPREPLY=()
    local db=() i candidate
    for (( i = 1; i < COMP_CWORD; i++ )); do
        case "${{COMP_WORDS[i]}}" in
            --db) db=(--db "${{COMP_WORDS[i+1]/#\~/$HOME}}") ;;
            --db=*) db=("${{COMP_WORDS[i]}}") ;;
        esac
    done
    while IFS=$'\t' read -r candidate _; do
        if [[ ${{candidate}} == *[!A-Za-z0-9._+@:=,/-]* ]]; then
            printf -v candidate '%q' "${{candidate}}"
        fi
        COMPREPLY+=("${{candidate}}")
    done < <(INTERGIRO_KEYS_COMPLETE=keys command intergiro-keys "${{db[@]}}" -- "$1" 2>/dev/null)
}}

{script}"#
    )
}

/// Key IDs and names for zsh, described by name or ID, through a function
/// the arguments of `KEY_COMMANDS` (and their aliases) call.
fn keys_for_zsh(script: &str, command: &clap::Command) -> String {
    let cases: usize = command
        .get_subcommands()
        .filter(|sub| KEY_COMMANDS.contains(&sub.get_name()))
        .map(|sub| 1 + sub.get_visible_aliases().count())
        .sum();
    let mut patched = 0;
    let mut fixed = String::with_capacity(script.len() + 1024);
    for line in script.split_inclusive('\n') {
        let key_argument = (line.starts_with("'*::ids -- ") || line.starts_with("':key -- "))
            && line.ends_with(":' \\\n");
        if key_argument {
            fixed.push_str(&line[..line.len() - "' \\\n".len()]);
            fixed.push_str("_intergiro_keys_keys' \\\n");
            patched += 1;
        } else {
            fixed.push_str(line);
        }
    }
    assert!(
        patched == cases,
        "clap_complete's output changed: {patched} key arguments found in the zsh script, not {cases}; update src/generate.rs"
    );
    let function = r#"(( $+functions[_intergiro_keys_keys] )) ||
_intergiro_keys_keys() {
    # Key IDs and names from the store a --db on the line names (else
    # INTERGIRO_KEYS_DB's, or the default), each described by the other.
    local -a line db candidates
    local i found
    line=(${(z)BUFFER})
    for (( i = 1; i < ${#line}; i++ )); do
        case ${line[i]} in
            (--db) db=(--db ${(Q)line[i+1]/#\~/$HOME}) ;;
            (--db=*) db=(${(Q)line[i]}) ;;
        esac
    done
    for found in ${(f)"$(INTERGIRO_KEYS_COMPLETE=keys command intergiro-keys $db -- ${(Q)PREFIX} 2>/dev/null)"}; do
        candidates+=("${${found%%$'\t'*}//:/\\:}:${found#*$'\t'}")
    done
    _describe -t keys 'key ID or name' candidates
}

"#;
    let last = "if [ \"$funcstack[1]\" = \"_intergiro-keys\" ]; then\n";
    replace_exactly(&fixed, last, &format!("{function}{last}"), 1)
}

/// Key IDs and names for fish, described by name or ID.
fn keys_for_fish(script: &str) -> String {
    let mut names: Vec<String> = Vec::new();
    let command = Cli::command();
    for sub in command
        .get_subcommands()
        .filter(|sub| KEY_COMMANDS.contains(&sub.get_name()))
    {
        names.push(sub.get_name().to_string());
        names.extend(sub.get_visible_aliases().map(str::to_string));
    }
    format!(
        r#"{script}# Key IDs and names from the store a --db on the line names (else
# INTERGIRO_KEYS_DB's, or the default), each described by the other.
function __fish_intergiro_keys_keys
    set -l db
    set -l tokens (commandline -opc)
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --db
                set -l next (math $i + 1)
                set db --db $tokens[$next]
            case '--db=*'
                set db $tokens[$i]
        end
    end
    INTERGIRO_KEYS_COMPLETE=keys command intergiro-keys $db -- (commandline -ct) 2>/dev/null
end
complete -c {BIN} -n "__fish_intergiro_keys_using_subcommand {}" -f -a "(__fish_intergiro_keys_keys)"
"#,
        names.join(" ")
    )
}

/// Repairs clap_complete's bash script:
///
/// - for a binary name with a hyphen, its `case` labels spell the command
///   `intergiro__subcmd__keys__subcmd__create` while its dispatch loop
///   builds `intergiro__keys__subcmd__create`, so nothing after the
///   subcommand completes (clap-rs/clap#6421, #6529);
/// - `COMPREPLY=( $(compgen …) )` splits every candidate on blanks, so
///   `my keys.db` became two words (shellcheck SC2207); each candidate is
///   read as one line instead.
fn fix_bash(script: &str) -> String {
    // Fails loudly (the generated-files test) once upstream spells the
    // names alike or stops splitting candidates: the patch is then stale.
    let misnamed = script.matches("intergiro__subcmd__keys").count();
    assert!(
        misnamed > 0,
        "clap_complete's bash output no longer spells the command intergiro__subcmd__keys (clap-rs/clap#6421): drop this patch from src/generate.rs"
    );
    let script = script.replace("intergiro__subcmd__keys", "intergiro__keys");
    let mut fixed = String::with_capacity(script.len() + 512);
    let mut rewritten = 0;
    for line in script.lines() {
        let trimmed = line.trim_start();
        let indent = &line[..line.len() - trimmed.len()];
        let compgen = trimmed
            .strip_prefix("COMPREPLY=( $(compgen ")
            .and_then(|rest| rest.strip_suffix(") )"))
            .or_else(|| {
                trimmed
                    .strip_prefix("COMPREPLY=($(compgen ")
                    .and_then(|rest| rest.strip_suffix("))"))
            });
        match compgen {
            Some(arguments) => {
                rewritten += 1;
                fixed.push_str(&format!("{indent}__intergiro_keys_compgen {arguments}\n"));
            }
            None => {
                fixed.push_str(line);
                fixed.push('\n');
            }
        }
    }
    assert!(
        rewritten > 0,
        "clap_complete's bash output has no `COMPREPLY=( $(compgen …) )` line left (shellcheck SC2207; no upstream issue): drop this patch from src/generate.rs"
    );
    format!(
        "# Fills COMPREPLY with compgen's candidates, one per line, so that a
# candidate with a space in it stays one word.
__intergiro_keys_compgen() {{
    COMPREPLY=()
    local candidate
    while IFS='' read -r candidate; do
        COMPREPLY+=(\"$candidate\")
    done < <(compgen \"$@\")
}}

{fixed}"
    )
}

/// Repairs clap_complete's fish script:
///
/// - a global option still waiting for its value (`intergiro-keys --format
///   <TAB>`) made the "no subcommand yet" test fail, so fish offered file
///   names instead of the option's values;
/// - values of positional arguments (`completions SHELL`, `users grant NAME
///   PERMISSION`) were not offered at all.
fn fix_fish(script: &str, command: &clap::Command) -> String {
    let needs_command = "    argparse -s (__fish_intergiro_keys_global_optspecs) -- $cmd 2>/dev/null\n    or return\n";
    // In the `__fish_…_needs_command` helper clap-rs/clap#5568 introduced
    // (no upstream issue for this yet): fails loudly when its text changes.
    let mut fixed = replace_exactly(
        script,
        needs_command,
        "    # An option still waiting for its value fails argparse: no subcommand yet.\n    argparse -s (__fish_intergiro_keys_global_optspecs) -- $cmd 2>/dev/null\n    or return 0\n",
        1,
    );
    let mut lines = Vec::new();
    positional_values_for_fish(command, &[], &mut lines);
    if !lines.is_empty() {
        fixed.push_str("# Values of positional arguments.\n");
        for line in lines {
            fixed.push_str(&line);
            fixed.push('\n');
        }
    }
    fixed
}

fn positional_values_for_fish(command: &clap::Command, path: &[&str], lines: &mut Vec<String>) {
    if let [first, rest @ ..] = path {
        let mut condition = format!("__fish_intergiro_keys_using_subcommand {first}");
        if let Some(last) = rest.last() {
            condition.push_str(&format!("; and __fish_seen_subcommand_from {last}"));
        }
        for arg in command.get_positionals().filter(|arg| !arg.is_hide_set()) {
            let values: Vec<String> = arg
                .get_possible_values()
                .iter()
                .filter(|value| !value.is_hide_set())
                .map(|value| value.get_name().to_string())
                .collect();
            if !values.is_empty() {
                lines.push(format!(
                    "complete -c {BIN} -n \"{condition}\" -f -a \"{}\"",
                    values.join(" ")
                ));
            }
        }
    }
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let mut path = path.to_vec();
        path.push(sub.get_name());
        positional_values_for_fish(sub, &path, lines);
    }
}

/// The file name a shell's completion script is installed under.
pub fn completion_file_name(shell: Shell) -> String {
    shell.file_name(BIN)
}

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

/// The Debian package's copyright file (DEP-5), made from the licence files,
/// and its changelog; `cargo deb` packs them (see Cargo.toml).
pub fn debian_files() -> Vec<(String, String)> {
    let mit: String = include_str!("../LICENSE-MIT")
        .lines()
        .skip_while(|line| !line.starts_with("Permission is hereby granted"))
        .map(|line| {
            if line.trim().is_empty() {
                " .\n".to_string()
            } else {
                format!(" {line}\n")
            }
        })
        .collect();
    let copyright = format!(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: {BIN}

Files: *
Copyright: 2026 The {BIN} authors
License: MIT or Apache-2.0

License: MIT
{mit}
License: Apache-2.0
 Licensed under the Apache License, Version 2.0 (the \"License\"); you may not
 use this software except in compliance with the License.
 .
 On Debian systems, the full text of the Apache License, Version 2.0 can be
 found in \"/usr/share/common-licenses/Apache-2.0\".
"
    );
    let changelog = format!(
        "{BIN} ({}-1) unstable; urgency=medium

  * Upstream release {}; see /usr/share/doc/{BIN}/CHANGELOG.md.gz.

 -- {BIN} maintainers <maintainers@{BIN}.invalid>  Thu, 26 Nov 2026 00:00:00 +0000
",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION")
    );
    vec![
        ("copyright".to_string(), copyright),
        ("changelog".to_string(), changelog),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each patch of clap_complete's output fails loudly when the text it
    /// patches is not there, rather than shipping an unpatched script.
    #[test]
    #[should_panic(expected = "intergiro__subcmd__keys")]
    fn the_bash_patch_fails_loudly_when_upstream_changes() {
        fix_bash("complete -F _intergiro-keys intergiro-keys\n");
    }

    #[test]
    #[should_panic(expected = "COMPREPLY")]
    fn the_bash_candidates_patch_fails_loudly_when_upstream_changes() {
        fix_bash("intergiro__subcmd__keys\n");
    }

    #[test]
    #[should_panic(expected = "clap_complete's output changed")]
    fn the_fish_patch_fails_loudly_when_upstream_changes() {
        fix_fish("complete -c intergiro-keys\n", &crate::cli::Cli::command());
    }
}
