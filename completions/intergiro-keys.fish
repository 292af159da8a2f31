# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_intergiro_keys_global_optspecs
    string join \n db= format= color= no-input no-pager h/help V/version
end

function __fish_intergiro_keys_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    # An option still waiting for its value fails argparse: no subcommand yet.
    argparse -s (__fish_intergiro_keys_global_optspecs) -- $cmd 2>/dev/null
    or return 0
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_intergiro_keys_using_subcommand
    set -l cmd (__fish_intergiro_keys_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -s V -l version -d 'Print version'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "init" -d 'Create a store, with you as its first administrator'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "migrate" -d 'Move a store from its SQLite file into a new PostgreSQL store'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "upgrade" -d 'Bring the store to this intergiro-keys\'s format'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "create" -d 'Create a key and print its secret, once'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "list" -d 'List keys with their status, days left before the freeze and last use'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "renew" -d 'Renew keys: each freezes 90 days from now'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "delete" -d 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "rm" -d 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "remove" -d 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "revoke" -d 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "rotate" -d 'Replace a key by a new one; the old one keeps working for a while'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "show" -d 'Show everything about one key, and its history'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "verify" -d 'Verify a presented key, read from stdin or a file'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "serve" -d 'Answer key verifications over HTTP, for API gateways'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "check" -d 'Check for keys near their freeze, for cron and monitoring'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "users" -d 'Manage operators: who may view, create, renew and delete keys'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "audit" -d 'Show the audit log, or check its hash chain'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "scan" -d 'Find leaked keys in files, directories or stdin, and tell which still work'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "backup" -d 'Copy the database to a new file, consistently, while others use it'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "status" -d 'Show the store in use, who you are to it and what it holds'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand init" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand init" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand init" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand init" -l adopt -d 'Give the copy of another store found here its own owner and operators roles (PostgreSQL; a role with CREATEROLE)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand init" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand init" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand migrate" -l to -d 'The PostgreSQL database to move the store into (a postgresql:// URL)' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand migrate" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand migrate" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand migrate" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand migrate" -s y -l yes -d 'Grant the store\'s permissions to the existing roles named like its operators without asking (required without a terminal when there are any)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand migrate" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand migrate" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand migrate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand upgrade" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand upgrade" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand upgrade" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand upgrade" -l dry-run -d 'Only list the steps the upgrade would take; change nothing'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand upgrade" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand upgrade" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand upgrade" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -s n -l name -d 'A name saying what the key is for' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -s r -l role -d 'A role the key gets (repeat, or separate with commas)' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -l unique-name -d 'Refuse a name a live key already has (without it, such a name only draws a warning: commands given that name then ask for an ID)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l within -d 'Days ahead that --expiring looks [default: 14]; given alone, it implies --expiring' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l role -d 'Only keys holding this role (repeat, or separate with commas, for keys holding all of them): transactions, accounts, payments' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l status -d 'Only keys with this status (repeat, or separate with commas, for any of them): active, expiring, frozen, unissued, retiring (`expired` is taken for frozen; deleted keys are in `audit`, not in listings)' -r -f -a "active\t'Usable, more than 14 days before its freeze'
expiring\t'Usable, 14 days (14 × 24 h) or less before its freeze'
frozen\t'Past its freeze: `verify` rejects it until it is renewed'
unissued\t'Created, but its secret was never confirmed written out (the process was killed or its output failed): it can never be used; delete it'
retiring\t'Replaced by `rotate`: still usable until its `retires_at`'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l name -d 'Only keys whose name matches this pattern: `*` any text, `?` one character, `[abc]` one of these, `[!abc]` none of these; case matters' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l unused-for -d 'Only keys nobody used for this many days (keys never used and older than that included)' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l created-by -d 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l older-than -d 'Only keys created this many days ago or earlier' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l sort -d 'The order of the keys (ties by ID)' -r -f -a "id\t'By key ID'
name\t'By name'
created\t'Oldest first'
freezes\t'Soonest freeze first'
last-used\t'Never used first, then the longest unused first'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l expiring -d 'Only keys that are frozen or freeze within --within days, not those retiring after a rotation (meant to stop) or never issued, as `check` counts them'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l created-by -d 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l older-than -d 'Only keys created this many days ago or earlier' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l role -d 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l status -d 'With filters: only keys with this status (repeat, or separate with commas, for any of them)' -r -f -a "active\t'Usable, more than 14 days before its freeze'
expiring\t'Usable, 14 days (14 × 24 h) or less before its freeze'
frozen\t'Past its freeze: `verify` rejects it until it is renewed'
unissued\t'Created, but its secret was never confirmed written out (the process was killed or its output failed): it can never be used; delete it'
retiring\t'Replaced by `rotate`: still usable until its `retires_at`'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l name -d 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l unused-for -d 'With filters: only keys nobody used for this many days' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -l created-by -d 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -l older-than -d 'Only keys created this many days ago or earlier' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -l role -d 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -l status -d 'With filters: only keys with this status (repeat, or separate with commas, for any of them)' -r -f -a "active\t'Usable, more than 14 days before its freeze'
expiring\t'Usable, 14 days (14 × 24 h) or less before its freeze'
frozen\t'Past its freeze: `verify` rejects it until it is renewed'
unissued\t'Created, but its secret was never confirmed written out (the process was killed or its output failed): it can never be used; delete it'
retiring\t'Replaced by `rotate`: still usable until its `retires_at`'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -l name -d 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -l unused-for -d 'With filters: only keys nobody used for this many days' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rm" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -l created-by -d 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -l older-than -d 'Only keys created this many days ago or earlier' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -l role -d 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -l status -d 'With filters: only keys with this status (repeat, or separate with commas, for any of them)' -r -f -a "active\t'Usable, more than 14 days before its freeze'
expiring\t'Usable, 14 days (14 × 24 h) or less before its freeze'
frozen\t'Past its freeze: `verify` rejects it until it is renewed'
unissued\t'Created, but its secret was never confirmed written out (the process was killed or its output failed): it can never be used; delete it'
retiring\t'Replaced by `rotate`: still usable until its `retires_at`'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -l name -d 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -l unused-for -d 'With filters: only keys nobody used for this many days' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -l created-by -d 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -l older-than -d 'Only keys created this many days ago or earlier' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -l role -d 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -l status -d 'With filters: only keys with this status (repeat, or separate with commas, for any of them)' -r -f -a "active\t'Usable, more than 14 days before its freeze'
expiring\t'Usable, 14 days (14 × 24 h) or less before its freeze'
frozen\t'Past its freeze: `verify` rejects it until it is renewed'
unissued\t'Created, but its secret was never confirmed written out (the process was killed or its output failed): it can never be used; delete it'
retiring\t'Replaced by `rotate`: still usable until its `retires_at`'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -l name -d 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -l unused-for -d 'With filters: only keys nobody used for this many days' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rotate" -l grace -d 'How long the old key keeps working: 0 (stops now), or minutes, hours or days, e.g. 90m, 12h, 2d; at most 7d' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rotate" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rotate" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rotate" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rotate" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rotate" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand rotate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand show" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand show" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand show" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand show" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand show" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -s r -l role -d 'A role the key must have (repeat, or separate with commas)' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -l key-file -d 'Read the key from this file instead of stdin' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l listen -d 'Where to listen: IP:PORT, or unix:PATH for a Unix socket (mode 0660)' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l workers -d 'Threads that run argon2 for keys not in memory [default: the number of processors]' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l queue -d 'Uncached verifications that may wait for a thread; beyond, 503 at once' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l cache-ttl -d 'The longest a verified key is answered from memory (30s, 10m, 1h)' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l negative-ttl -d 'How long a key that matched no stored key is remembered as such' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l cache-size -d 'The most keys kept in memory' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l drain -d 'How long SIGTERM waits for requests in flight' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l expect-head -d 'An audit head recorded earlier (printed by `backup` and `audit --verify`): /healthz answers 503 while the store\'s log does not hold it, as when the store was put back to an older copy. The identity running serve then needs the view permission too' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -s w -l warning -d 'WARNING when a key freezes within this many days' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -s c -l critical -d 'CRITICAL when a key freezes within this many days (0: only frozen keys)' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -f -a "list" -d 'List operators and their permissions'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -f -a "add" -d 'Add an operator'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -f -a "grant" -d 'Give an operator more permissions (or change their key-role limit)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -f -a "revoke" -d 'Take permissions away from an operator'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -f -a "remove" -d 'Remove an operator'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and not __fish_seen_subcommand_from list add grant revoke remove help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from list" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from list" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from list" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from list" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from list" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from add" -s p -l permission -d 'A permission (repeat, or separate with commas)' -r -f -a "verify\t'Verify keys and run `check`, nothing else: for CI and monitoring roles on PostgreSQL (on SQLite these need no permission)'
view\t'See keys (`list`) and the audit log'
create\t'Create keys (`create`), possibly limited to some key roles'
renew\t'Renew keys (`renew`)'
delete\t'Delete keys (`delete`)'
admin\t'Everything above, and manage operators (`users`)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from add" -l key-roles -d 'Limit the key roles this operator may give new keys (default: any)' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from add" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from add" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from add" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from add" -l force -d 'Add an administrator even though no account of that name exists on this host (it does not count as the administrator who keeps the database manageable)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from add" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from add" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from grant" -l key-roles -d 'grant: limit the key roles this operator may give new keys' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from grant" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from grant" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from grant" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from grant" -l any-key-role -d 'grant: let the operator give new keys any role'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from grant" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from grant" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from grant" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from revoke" -l key-roles -d 'grant: limit the key roles this operator may give new keys' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from revoke" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from revoke" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from revoke" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from revoke" -l any-key-role -d 'grant: let the operator give new keys any role'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from revoke" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from revoke" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from revoke" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from remove" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from remove" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from remove" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from remove" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from remove" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "list" -d 'List operators and their permissions'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add an operator'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "grant" -d 'Give an operator more permissions (or change their key-role limit)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "revoke" -d 'Take permissions away from an operator'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove an operator'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l key -d 'Only entries about this key ID' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l operator -d 'Only entries by this operator' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l since -d 'Only entries at or after this time (YYYY-MM-DD or RFC 3339, UTC)' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l after -d 'Only entries after this sequence number: give the `seq` of the last entry a previous run printed to resume where it stopped, with nothing skipped or repeated' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l syslog-socket -d 'The syslog socket --syslog writes to' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l expect-head -d 'With --verify: a head hash recorded earlier (printed by `backup` and `audit --verify`, kept elsewhere); exit 1 when this log does not hold it, as when the store was put back to an older copy or replaced' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l follow -d 'Keep running and print each new entry as it is written (with --format jsonl or table); SIGINT or SIGTERM ends it, after a whole line'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l syslog -d 'Send each entry to the local syslog (RFC 5424, facility authpriv, the entry as JSON) instead of stdout'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l verify -d 'Check the hash chain instead of listing; exit 1 when it is broken'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand audit" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -l git -d 'Search the repository\'s history instead of the work tree: every line each commit of REV-RANGE (default: every branch and tag) added, reported with its commit, path and line in that commit' -r -f
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -l no-ignore -d 'Also search files that .gitignore, .ignore and git\'s exclude files exclude'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -l staged -d 'Search what `git commit` would record instead of the work tree: the files the index adds or changes, as staged (for a pre-commit hook). Paths are printed from the repository\'s top directory'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -l no-check -d 'Do not check the keys found against the database: each is reported `unchecked` and makes the exit code 1 (for hooks and CI, where any key in the code is a problem)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -l revoke -d 'Delete every key found that still works (or is tampered), recording in the audit log where it was found (needs the `delete` permission); asks first on a terminal'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -s y -l yes -d 'With --revoke: do not ask for confirmation (required without a terminal)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand scan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand backup" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand backup" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand backup" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand backup" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand backup" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand backup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand status" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand status" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand status" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand status" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand status" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand status" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -l format -d 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'
sarif\t'SARIF 2.1.0 for code-scanning uploads (scan only)'
openmetrics\t'OpenMetrics 1.0 text, for Prometheus (check only)'
prometheus\t'Prometheus text format 0.0.4, for node_exporter\'s textfile collector (check only)'
jsonl\t'One JSON object per line, for log shippers (audit only)'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -l no-pager -d 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "init" -d 'Create a store, with you as its first administrator'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "migrate" -d 'Move a store from its SQLite file into a new PostgreSQL store'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "upgrade" -d 'Bring the store to this intergiro-keys\'s format'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "create" -d 'Create a key and print its secret, once'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "list" -d 'List keys with their status, days left before the freeze and last use'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "renew" -d 'Renew keys: each freezes 90 days from now'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "delete" -d 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "rotate" -d 'Replace a key by a new one; the old one keeps working for a while'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "show" -d 'Show everything about one key, and its history'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "verify" -d 'Verify a presented key, read from stdin or a file'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "serve" -d 'Answer key verifications over HTTP, for API gateways'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "check" -d 'Check for keys near their freeze, for cron and monitoring'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "users" -d 'Manage operators: who may view, create, renew and delete keys'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "audit" -d 'Show the audit log, or check its hash chain'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "scan" -d 'Find leaked keys in files, directories or stdin, and tell which still work'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "backup" -d 'Copy the database to a new file, consistently, while others use it'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "status" -d 'Show the store in use, who you are to it and what it holds'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from init migrate upgrade create list renew delete rotate show verify serve check users audit scan backup status completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "list" -d 'List operators and their permissions'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "add" -d 'Add an operator'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "grant" -d 'Give an operator more permissions (or change their key-role limit)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "revoke" -d 'Take permissions away from an operator'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and __fish_seen_subcommand_from users" -f -a "remove" -d 'Remove an operator'
# Values of positional arguments.
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from grant" -f -a "verify view create renew delete admin"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand users; and __fish_seen_subcommand_from revoke" -f -a "verify view create renew delete admin"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -f -a "bash elvish fish powershell zsh"
# Key IDs and names from the store a --db on the line names (else
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
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew delete rm remove revoke rotate show" -f -a "(__fish_intergiro_keys_keys)"
