
use builtin;
use str;

set edit:completion:arg-completer[intergiro-keys] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'intergiro-keys'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'intergiro-keys'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand init 'Create a store, with you as its first administrator'
            cand migrate 'Move a store from its SQLite file into a new PostgreSQL store'
            cand upgrade 'Bring the store to this intergiro-keys''s format'
            cand create 'Create a key and print its secret, once'
            cand list 'List keys with their status, days left before the freeze and last use'
            cand renew 'Renew keys: each freezes 90 days from now'
            cand delete 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)'
            cand rm 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)'
            cand remove 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)'
            cand revoke 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)'
            cand rotate 'Replace a key by a new one; the old one keeps working for a while'
            cand show 'Show everything about one key, and its history'
            cand verify 'Verify a presented key, read from stdin or a file'
            cand serve 'Answer key verifications over HTTP, for API gateways'
            cand check 'Check for keys near their freeze, for cron and monitoring'
            cand users 'Manage operators: who may view, create, renew and delete keys'
            cand audit 'Show the audit log, or check its hash chain'
            cand scan 'Find leaked keys in files, directories or stdin, and tell which still work'
            cand backup 'Copy the database to a new file, consistently, while others use it'
            cand status 'Show the store in use, who you are to it and what it holds'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'intergiro-keys;init'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --adopt 'Give the copy of another store found here its own owner and operators roles (PostgreSQL; a role with CREATEROLE)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;migrate'= {
            cand --to 'The PostgreSQL database to move the store into (a postgresql:// URL)'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand -y 'Grant the store''s permissions to the existing roles named like its operators without asking (required without a terminal when there are any)'
            cand --yes 'Grant the store''s permissions to the existing roles named like its operators without asking (required without a terminal when there are any)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;upgrade'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --dry-run 'Only list the steps the upgrade would take; change nothing'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;create'= {
            cand -n 'A name saying what the key is for'
            cand --name 'A name saying what the key is for'
            cand -r 'A role the key gets (repeat, or separate with commas)'
            cand --role 'A role the key gets (repeat, or separate with commas)'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --unique-name 'Refuse a name a live key already has (without it, such a name only draws a warning: commands given that name then ask for an ID)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;list'= {
            cand --within 'Days ahead that --expiring looks [default: 14]; given alone, it implies --expiring'
            cand --role 'Only keys holding this role (repeat, or separate with commas, for keys holding all of them): transactions, accounts, payments'
            cand --status 'Only keys with this status (repeat, or separate with commas, for any of them): active, expiring, frozen, unissued, retiring (`expired` is taken for frozen; deleted keys are in `audit`, not in listings)'
            cand --name 'Only keys whose name matches this pattern: `*` any text, `?` one character, `[abc]` one of these, `[!abc]` none of these; case matters'
            cand --unused-for 'Only keys nobody used for this many days (keys never used and older than that included)'
            cand --created-by 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it'
            cand --older-than 'Only keys created this many days ago or earlier'
            cand --sort 'The order of the keys (ties by ID)'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --expiring 'Only keys that are frozen or freeze within --within days, not those retiring after a rotation (meant to stop) or never issued, as `check` counts them'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;renew'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;delete'= {
            cand --created-by 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it'
            cand --older-than 'Only keys created this many days ago or earlier'
            cand --role 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)'
            cand --status 'With filters: only keys with this status (repeat, or separate with commas, for any of them)'
            cand --name 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)'
            cand --unused-for 'With filters: only keys nobody used for this many days'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;rm'= {
            cand --created-by 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it'
            cand --older-than 'Only keys created this many days ago or earlier'
            cand --role 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)'
            cand --status 'With filters: only keys with this status (repeat, or separate with commas, for any of them)'
            cand --name 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)'
            cand --unused-for 'With filters: only keys nobody used for this many days'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;remove'= {
            cand --created-by 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it'
            cand --older-than 'Only keys created this many days ago or earlier'
            cand --role 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)'
            cand --status 'With filters: only keys with this status (repeat, or separate with commas, for any of them)'
            cand --name 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)'
            cand --unused-for 'With filters: only keys nobody used for this many days'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;revoke'= {
            cand --created-by 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it'
            cand --older-than 'Only keys created this many days ago or earlier'
            cand --role 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)'
            cand --status 'With filters: only keys with this status (repeat, or separate with commas, for any of them)'
            cand --name 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)'
            cand --unused-for 'With filters: only keys nobody used for this many days'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;rotate'= {
            cand --grace 'How long the old key keeps working: 0 (stops now), or minutes, hours or days, e.g. 90m, 12h, 2d; at most 7d'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;show'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;verify'= {
            cand -r 'A role the key must have (repeat, or separate with commas)'
            cand --role 'A role the key must have (repeat, or separate with commas)'
            cand --key-file 'Read the key from this file instead of stdin'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;serve'= {
            cand --listen 'Where to listen: IP:PORT, or unix:PATH for a Unix socket (mode 0660)'
            cand --workers 'Threads that run argon2 for keys not in memory [default: the number of processors]'
            cand --queue 'Uncached verifications that may wait for a thread; beyond, 503 at once'
            cand --cache-ttl 'The longest a verified key is answered from memory (30s, 10m, 1h)'
            cand --negative-ttl 'How long a key that matched no stored key is remembered as such'
            cand --cache-size 'The most keys kept in memory'
            cand --drain 'How long SIGTERM waits for requests in flight'
            cand --expect-head 'An audit head recorded earlier (printed by `backup` and `audit --verify`): /healthz answers 503 while the store''s log does not hold it, as when the store was put back to an older copy. The identity running serve then needs the view permission too'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;check'= {
            cand -w 'WARNING when a key freezes within this many days'
            cand --warning 'WARNING when a key freezes within this many days'
            cand -c 'CRITICAL when a key freezes within this many days (0: only frozen keys)'
            cand --critical 'CRITICAL when a key freezes within this many days (0: only frozen keys)'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;users'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand list 'List operators and their permissions'
            cand add 'Add an operator'
            cand grant 'Give an operator more permissions (or change their key-role limit)'
            cand revoke 'Take permissions away from an operator'
            cand remove 'Remove an operator'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'intergiro-keys;users;list'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;users;add'= {
            cand -p 'A permission (repeat, or separate with commas)'
            cand --permission 'A permission (repeat, or separate with commas)'
            cand --key-roles 'Limit the key roles this operator may give new keys (default: any)'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --force 'Add an administrator even though no account of that name exists on this host (it does not count as the administrator who keeps the database manageable)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;users;grant'= {
            cand --key-roles 'grant: limit the key roles this operator may give new keys'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --any-key-role 'grant: let the operator give new keys any role'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;users;revoke'= {
            cand --key-roles 'grant: limit the key roles this operator may give new keys'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --any-key-role 'grant: let the operator give new keys any role'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;users;remove'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;users;help'= {
            cand list 'List operators and their permissions'
            cand add 'Add an operator'
            cand grant 'Give an operator more permissions (or change their key-role limit)'
            cand revoke 'Take permissions away from an operator'
            cand remove 'Remove an operator'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'intergiro-keys;users;help;list'= {
        }
        &'intergiro-keys;users;help;add'= {
        }
        &'intergiro-keys;users;help;grant'= {
        }
        &'intergiro-keys;users;help;revoke'= {
        }
        &'intergiro-keys;users;help;remove'= {
        }
        &'intergiro-keys;users;help;help'= {
        }
        &'intergiro-keys;audit'= {
            cand --key 'Only entries about this key ID'
            cand --operator 'Only entries by this operator'
            cand --since 'Only entries at or after this time (YYYY-MM-DD or RFC 3339, UTC)'
            cand --after 'Only entries after this sequence number: give the `seq` of the last entry a previous run printed to resume where it stopped, with nothing skipped or repeated'
            cand --syslog-socket 'The syslog socket --syslog writes to'
            cand --expect-head 'With --verify: a head hash recorded earlier (printed by `backup` and `audit --verify`, kept elsewhere); exit 1 when this log does not hold it, as when the store was put back to an older copy or replaced'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --follow 'Keep running and print each new entry as it is written (with --format jsonl or table); SIGINT or SIGTERM ends it, after a whole line'
            cand --syslog 'Send each entry to the local syslog (RFC 5424, facility authpriv, the entry as JSON) instead of stdout'
            cand --verify 'Check the hash chain instead of listing; exit 1 when it is broken'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;scan'= {
            cand --git 'Search the repository''s history instead of the work tree: every line each commit of REV-RANGE (default: every branch and tag) added, reported with its commit, path and line in that commit'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-ignore 'Also search files that .gitignore, .ignore and git''s exclude files exclude'
            cand --staged 'Search what `git commit` would record instead of the work tree: the files the index adds or changes, as staged (for a pre-commit hook). Paths are printed from the repository''s top directory'
            cand --no-check 'Do not check the keys found against the database: each is reported `unchecked` and makes the exit code 1 (for hooks and CI, where any key in the code is a problem)'
            cand --revoke 'Delete every key found that still works (or is tampered), recording in the audit log where it was found (needs the `delete` permission); asks first on a terminal'
            cand -y 'With --revoke: do not ask for confirmation (required without a terminal)'
            cand --yes 'With --revoke: do not ask for confirmation (required without a terminal)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;backup'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;status'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;completions'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand --no-pager 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'intergiro-keys;help'= {
            cand init 'Create a store, with you as its first administrator'
            cand migrate 'Move a store from its SQLite file into a new PostgreSQL store'
            cand upgrade 'Bring the store to this intergiro-keys''s format'
            cand create 'Create a key and print its secret, once'
            cand list 'List keys with their status, days left before the freeze and last use'
            cand renew 'Renew keys: each freezes 90 days from now'
            cand delete 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)'
            cand rotate 'Replace a key by a new one; the old one keeps working for a while'
            cand show 'Show everything about one key, and its history'
            cand verify 'Verify a presented key, read from stdin or a file'
            cand serve 'Answer key verifications over HTTP, for API gateways'
            cand check 'Check for keys near their freeze, for cron and monitoring'
            cand users 'Manage operators: who may view, create, renew and delete keys'
            cand audit 'Show the audit log, or check its hash chain'
            cand scan 'Find leaked keys in files, directories or stdin, and tell which still work'
            cand backup 'Copy the database to a new file, consistently, while others use it'
            cand status 'Show the store in use, who you are to it and what it holds'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'intergiro-keys;help;init'= {
        }
        &'intergiro-keys;help;migrate'= {
        }
        &'intergiro-keys;help;upgrade'= {
        }
        &'intergiro-keys;help;create'= {
        }
        &'intergiro-keys;help;list'= {
        }
        &'intergiro-keys;help;renew'= {
        }
        &'intergiro-keys;help;delete'= {
        }
        &'intergiro-keys;help;rotate'= {
        }
        &'intergiro-keys;help;show'= {
        }
        &'intergiro-keys;help;verify'= {
        }
        &'intergiro-keys;help;serve'= {
        }
        &'intergiro-keys;help;check'= {
        }
        &'intergiro-keys;help;users'= {
            cand list 'List operators and their permissions'
            cand add 'Add an operator'
            cand grant 'Give an operator more permissions (or change their key-role limit)'
            cand revoke 'Take permissions away from an operator'
            cand remove 'Remove an operator'
        }
        &'intergiro-keys;help;users;list'= {
        }
        &'intergiro-keys;help;users;add'= {
        }
        &'intergiro-keys;help;users;grant'= {
        }
        &'intergiro-keys;help;users;revoke'= {
        }
        &'intergiro-keys;help;users;remove'= {
        }
        &'intergiro-keys;help;audit'= {
        }
        &'intergiro-keys;help;scan'= {
        }
        &'intergiro-keys;help;backup'= {
        }
        &'intergiro-keys;help;status'= {
        }
        &'intergiro-keys;help;completions'= {
        }
        &'intergiro-keys;help;help'= {
        }
    ]
    $completions[$command]
}
