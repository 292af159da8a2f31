//! Shell completions, generated from the clap definition for the
//! `completions` command. The committed copies under `completions/` are
//! compared with these by `tests/generated/`, which also makes the man
//! pages and Debian files (generation-only code stays out of the binary).

use clap::CommandFactory;
use clap_complete::{Generator, Shell};

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
