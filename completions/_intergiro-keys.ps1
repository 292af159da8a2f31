
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'intergiro-keys' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'intergiro-keys'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'intergiro-keys' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a store, with you as its first administrator')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Move a store from its SQLite file into a new PostgreSQL store')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Bring the store to this intergiro-keys''s format')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key and print its secret, once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List keys with their status, days left before the freeze and last use')
            [CompletionResult]::new('renew', 'renew', [CompletionResultType]::ParameterValue, 'Renew keys: each freezes 90 days from now')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)')
            [CompletionResult]::new('rm', 'rm', [CompletionResultType]::ParameterValue, 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Replace a key by a new one; the old one keeps working for a while')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show everything about one key, and its history')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify a presented key, read from stdin or a file')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Answer key verifications over HTTP, for API gateways')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check for keys near their freeze, for cron and monitoring')
            [CompletionResult]::new('users', 'users', [CompletionResultType]::ParameterValue, 'Manage operators: who may view, create, renew and delete keys')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit log, or check its hash chain')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find leaked keys in files, directories or stdin, and tell which still work')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Copy the database to a new file, consistently, while others use it')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the store in use, who you are to it and what it holds')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'intergiro-keys;init' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--adopt', '--adopt', [CompletionResultType]::ParameterName, 'Give the copy of another store found here its own owner and operators roles (PostgreSQL; a role with CREATEROLE)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;migrate' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The PostgreSQL database to move the store into (a postgresql:// URL)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Grant the store''s permissions to the existing roles named like its operators without asking (required without a terminal when there are any)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Grant the store''s permissions to the existing roles named like its operators without asking (required without a terminal when there are any)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;upgrade' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Only list the steps the upgrade would take; change nothing')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;create' {
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'A name saying what the key is for')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'A name saying what the key is for')
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'A role the key gets (repeat, or separate with commas)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'A role the key gets (repeat, or separate with commas)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--unique-name', '--unique-name', [CompletionResultType]::ParameterName, 'Refuse a name a live key already has (without it, such a name only draws a warning: commands given that name then ask for an ID)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;list' {
            [CompletionResult]::new('--within', '--within', [CompletionResultType]::ParameterName, 'Days ahead that --expiring looks [default: 14]; given alone, it implies --expiring')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'Only keys holding this role (repeat, or separate with commas, for keys holding all of them): transactions, accounts, payments')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only keys with this status (repeat, or separate with commas, for any of them): active, expiring, frozen, unissued, retiring (`expired` is taken for frozen; deleted keys are in `audit`, not in listings)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Only keys whose name matches this pattern: `*` any text, `?` one character, `[abc]` one of these, `[!abc]` none of these; case matters')
            [CompletionResult]::new('--unused-for', '--unused-for', [CompletionResultType]::ParameterName, 'Only keys nobody used for this many days (keys never used and older than that included)')
            [CompletionResult]::new('--created-by', '--created-by', [CompletionResultType]::ParameterName, 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it')
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Only keys created this many days ago or earlier')
            [CompletionResult]::new('--sort', '--sort', [CompletionResultType]::ParameterName, 'The order of the keys (ties by ID)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--expiring', '--expiring', [CompletionResultType]::ParameterName, 'Only keys that are frozen or freeze within --within days, not those retiring after a rotation (meant to stop) or never issued, as `check` counts them')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;renew' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;delete' {
            [CompletionResult]::new('--created-by', '--created-by', [CompletionResultType]::ParameterName, 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it')
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Only keys created this many days ago or earlier')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'With filters: only keys with this status (repeat, or separate with commas, for any of them)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)')
            [CompletionResult]::new('--unused-for', '--unused-for', [CompletionResultType]::ParameterName, 'With filters: only keys nobody used for this many days')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;rm' {
            [CompletionResult]::new('--created-by', '--created-by', [CompletionResultType]::ParameterName, 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it')
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Only keys created this many days ago or earlier')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'With filters: only keys with this status (repeat, or separate with commas, for any of them)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)')
            [CompletionResult]::new('--unused-for', '--unused-for', [CompletionResultType]::ParameterName, 'With filters: only keys nobody used for this many days')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;remove' {
            [CompletionResult]::new('--created-by', '--created-by', [CompletionResultType]::ParameterName, 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it')
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Only keys created this many days ago or earlier')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'With filters: only keys with this status (repeat, or separate with commas, for any of them)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)')
            [CompletionResult]::new('--unused-for', '--unused-for', [CompletionResultType]::ParameterName, 'With filters: only keys nobody used for this many days')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;revoke' {
            [CompletionResult]::new('--created-by', '--created-by', [CompletionResultType]::ParameterName, 'Only keys this operator created (by `create`, or by `rotate` for a replacement), as the audit log records it')
            [CompletionResult]::new('--older-than', '--older-than', [CompletionResultType]::ParameterName, 'Only keys created this many days ago or earlier')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'With filters: only keys holding this role (repeat, or separate with commas, for keys holding all of them)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'With filters: only keys with this status (repeat, or separate with commas, for any of them)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'With filters: only keys whose name matches this pattern (`*`, `?`, `[abc]`, `[!abc]`; case matters)')
            [CompletionResult]::new('--unused-for', '--unused-for', [CompletionResultType]::ParameterName, 'With filters: only keys nobody used for this many days')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;rotate' {
            [CompletionResult]::new('--grace', '--grace', [CompletionResultType]::ParameterName, 'How long the old key keeps working: 0 (stops now), or minutes, hours or days, e.g. 90m, 12h, 2d; at most 7d')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;show' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;verify' {
            [CompletionResult]::new('-r', '-r', [CompletionResultType]::ParameterName, 'A role the key must have (repeat, or separate with commas)')
            [CompletionResult]::new('--role', '--role', [CompletionResultType]::ParameterName, 'A role the key must have (repeat, or separate with commas)')
            [CompletionResult]::new('--key-file', '--key-file', [CompletionResultType]::ParameterName, 'Read the key from this file instead of stdin')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen: IP:PORT, or unix:PATH for a Unix socket (mode 0660)')
            [CompletionResult]::new('--workers', '--workers', [CompletionResultType]::ParameterName, 'Threads that run argon2 for keys not in memory [default: the number of processors]')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Uncached verifications that may wait for a thread; beyond, 503 at once')
            [CompletionResult]::new('--cache-ttl', '--cache-ttl', [CompletionResultType]::ParameterName, 'The longest a verified key is answered from memory (30s, 10m, 1h)')
            [CompletionResult]::new('--negative-ttl', '--negative-ttl', [CompletionResultType]::ParameterName, 'How long a key that matched no stored key is remembered as such')
            [CompletionResult]::new('--cache-size', '--cache-size', [CompletionResultType]::ParameterName, 'The most keys kept in memory')
            [CompletionResult]::new('--drain', '--drain', [CompletionResultType]::ParameterName, 'How long SIGTERM waits for requests in flight')
            [CompletionResult]::new('--expect-head', '--expect-head', [CompletionResultType]::ParameterName, 'An audit head recorded earlier (printed by `backup` and `audit --verify`): /healthz answers 503 while the store''s log does not hold it, as when the store was put back to an older copy. The identity running serve then needs the view permission too')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;check' {
            [CompletionResult]::new('-w', '-w', [CompletionResultType]::ParameterName, 'WARNING when a key freezes within this many days')
            [CompletionResult]::new('--warning', '--warning', [CompletionResultType]::ParameterName, 'WARNING when a key freezes within this many days')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'CRITICAL when a key freezes within this many days (0: only frozen keys)')
            [CompletionResult]::new('--critical', '--critical', [CompletionResultType]::ParameterName, 'CRITICAL when a key freezes within this many days (0: only frozen keys)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;users' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List operators and their permissions')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an operator')
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Give an operator more permissions (or change their key-role limit)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Take permissions away from an operator')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an operator')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'intergiro-keys;users;list' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;users;add' {
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'A permission (repeat, or separate with commas)')
            [CompletionResult]::new('--permission', '--permission', [CompletionResultType]::ParameterName, 'A permission (repeat, or separate with commas)')
            [CompletionResult]::new('--key-roles', '--key-roles', [CompletionResultType]::ParameterName, 'Limit the key roles this operator may give new keys (default: any)')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Add an administrator even though no account of that name exists on this host (it does not count as the administrator who keeps the database manageable)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;users;grant' {
            [CompletionResult]::new('--key-roles', '--key-roles', [CompletionResultType]::ParameterName, 'grant: limit the key roles this operator may give new keys')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--any-key-role', '--any-key-role', [CompletionResultType]::ParameterName, 'grant: let the operator give new keys any role')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;users;revoke' {
            [CompletionResult]::new('--key-roles', '--key-roles', [CompletionResultType]::ParameterName, 'grant: limit the key roles this operator may give new keys')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--any-key-role', '--any-key-role', [CompletionResultType]::ParameterName, 'grant: let the operator give new keys any role')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;users;remove' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;users;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List operators and their permissions')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an operator')
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Give an operator more permissions (or change their key-role limit)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Take permissions away from an operator')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an operator')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'intergiro-keys;users;help;list' {
            break
        }
        'intergiro-keys;users;help;add' {
            break
        }
        'intergiro-keys;users;help;grant' {
            break
        }
        'intergiro-keys;users;help;revoke' {
            break
        }
        'intergiro-keys;users;help;remove' {
            break
        }
        'intergiro-keys;users;help;help' {
            break
        }
        'intergiro-keys;audit' {
            [CompletionResult]::new('--key', '--key', [CompletionResultType]::ParameterName, 'Only entries about this key ID')
            [CompletionResult]::new('--operator', '--operator', [CompletionResultType]::ParameterName, 'Only entries by this operator')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only entries at or after this time (YYYY-MM-DD or RFC 3339, UTC)')
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'Only entries after this sequence number: give the `seq` of the last entry a previous run printed to resume where it stopped, with nothing skipped or repeated')
            [CompletionResult]::new('--syslog-socket', '--syslog-socket', [CompletionResultType]::ParameterName, 'The syslog socket --syslog writes to')
            [CompletionResult]::new('--expect-head', '--expect-head', [CompletionResultType]::ParameterName, 'With --verify: a head hash recorded earlier (printed by `backup` and `audit --verify`, kept elsewhere); exit 1 when this log does not hold it, as when the store was put back to an older copy or replaced')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--follow', '--follow', [CompletionResultType]::ParameterName, 'Keep running and print each new entry as it is written (with --format jsonl or table); SIGINT or SIGTERM ends it, after a whole line')
            [CompletionResult]::new('--syslog', '--syslog', [CompletionResultType]::ParameterName, 'Send each entry to the local syslog (RFC 5424, facility authpriv, the entry as JSON) instead of stdout')
            [CompletionResult]::new('--verify', '--verify', [CompletionResultType]::ParameterName, 'Check the hash chain instead of listing; exit 1 when it is broken')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;scan' {
            [CompletionResult]::new('--git', '--git', [CompletionResultType]::ParameterName, 'Search the repository''s history instead of the work tree: every line each commit of REV-RANGE (default: every branch and tag) added, reported with its commit, path and line in that commit')
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-ignore', '--no-ignore', [CompletionResultType]::ParameterName, 'Also search files that .gitignore, .ignore and git''s exclude files exclude')
            [CompletionResult]::new('--staged', '--staged', [CompletionResultType]::ParameterName, 'Search what `git commit` would record instead of the work tree: the files the index adds or changes, as staged (for a pre-commit hook). Paths are printed from the repository''s top directory')
            [CompletionResult]::new('--no-check', '--no-check', [CompletionResultType]::ParameterName, 'Do not check the keys found against the database: each is reported `unchecked` and makes the exit code 1 (for hooks and CI, where any key in the code is a problem)')
            [CompletionResult]::new('--revoke', '--revoke', [CompletionResultType]::ParameterName, 'Delete every key found that still works (or is tampered), recording in the audit log where it was found (needs the `delete` permission); asks first on a terminal')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'With --revoke: do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'With --revoke: do not ask for confirmation (required without a terminal)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;backup' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;status' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;completions' {
            [CompletionResult]::new('--db', '--db', [CompletionResultType]::ParameterName, 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'How results are printed on stdout (sarif: `scan` only; openmetrics and prometheus: `check` only)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output (NO_COLOR in the environment means never)')
            [CompletionResult]::new('--no-input', '--no-input', [CompletionResultType]::ParameterName, 'Never prompt; fail instead where an answer would be needed')
            [CompletionResult]::new('--no-pager', '--no-pager', [CompletionResultType]::ParameterName, 'Print long tables straight to the terminal instead of through the pager (INTERGIRO_KEYS_PAGER, then PAGER, else `less -FRX`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'intergiro-keys;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Create a store, with you as its first administrator')
            [CompletionResult]::new('migrate', 'migrate', [CompletionResultType]::ParameterValue, 'Move a store from its SQLite file into a new PostgreSQL store')
            [CompletionResult]::new('upgrade', 'upgrade', [CompletionResultType]::ParameterValue, 'Bring the store to this intergiro-keys''s format')
            [CompletionResult]::new('create', 'create', [CompletionResultType]::ParameterValue, 'Create a key and print its secret, once')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List keys with their status, days left before the freeze and last use')
            [CompletionResult]::new('renew', 'renew', [CompletionResultType]::ParameterValue, 'Renew keys: each freezes 90 days from now')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete keys: revoked at once, irreversibly (also `rm`, `remove`, `revoke`)')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Replace a key by a new one; the old one keeps working for a while')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show everything about one key, and its history')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Verify a presented key, read from stdin or a file')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Answer key verifications over HTTP, for API gateways')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'Check for keys near their freeze, for cron and monitoring')
            [CompletionResult]::new('users', 'users', [CompletionResultType]::ParameterValue, 'Manage operators: who may view, create, renew and delete keys')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'Show the audit log, or check its hash chain')
            [CompletionResult]::new('scan', 'scan', [CompletionResultType]::ParameterValue, 'Find leaked keys in files, directories or stdin, and tell which still work')
            [CompletionResult]::new('backup', 'backup', [CompletionResultType]::ParameterValue, 'Copy the database to a new file, consistently, while others use it')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the store in use, who you are to it and what it holds')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'intergiro-keys;help;init' {
            break
        }
        'intergiro-keys;help;migrate' {
            break
        }
        'intergiro-keys;help;upgrade' {
            break
        }
        'intergiro-keys;help;create' {
            break
        }
        'intergiro-keys;help;list' {
            break
        }
        'intergiro-keys;help;renew' {
            break
        }
        'intergiro-keys;help;delete' {
            break
        }
        'intergiro-keys;help;rotate' {
            break
        }
        'intergiro-keys;help;show' {
            break
        }
        'intergiro-keys;help;verify' {
            break
        }
        'intergiro-keys;help;serve' {
            break
        }
        'intergiro-keys;help;check' {
            break
        }
        'intergiro-keys;help;users' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List operators and their permissions')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add an operator')
            [CompletionResult]::new('grant', 'grant', [CompletionResultType]::ParameterValue, 'Give an operator more permissions (or change their key-role limit)')
            [CompletionResult]::new('revoke', 'revoke', [CompletionResultType]::ParameterValue, 'Take permissions away from an operator')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove an operator')
            break
        }
        'intergiro-keys;help;users;list' {
            break
        }
        'intergiro-keys;help;users;add' {
            break
        }
        'intergiro-keys;help;users;grant' {
            break
        }
        'intergiro-keys;help;users;revoke' {
            break
        }
        'intergiro-keys;help;users;remove' {
            break
        }
        'intergiro-keys;help;audit' {
            break
        }
        'intergiro-keys;help;scan' {
            break
        }
        'intergiro-keys;help;backup' {
            break
        }
        'intergiro-keys;help;status' {
            break
        }
        'intergiro-keys;help;completions' {
            break
        }
        'intergiro-keys;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
