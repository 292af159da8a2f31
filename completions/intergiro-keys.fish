# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_intergiro_keys_global_optspecs
    string join \n db= format= color= no-input h/help V/version
end

function __fish_intergiro_keys_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_intergiro_keys_global_optspecs) -- $cmd 2>/dev/null
    or return
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
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -l format -d 'How results are printed on stdout' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'"
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -s V -l version -d 'Print version'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "create" -d 'Create a key and print its secret, once'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "list" -d 'List keys with their status and days left before the freeze'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "renew" -d 'Renew keys: each freezes 90 days from now'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "delete" -d 'Delete keys: revoked at once, irreversibly'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "verify" -d 'Verify a presented key, read from stdin or a file'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "check" -d 'Check for keys near their freeze, for cron and monitoring'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c intergiro-keys -n "__fish_intergiro_keys_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -s n -l name -d 'A name saying what the key is for' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -s r -l role -d 'A role the key gets (repeat, or separate with commas): transactions, accounts, payments' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -l format -d 'How results are printed on stdout' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand create" -s V -l version -d 'Print version'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l within -d 'Days ahead that --expiring looks' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l format -d 'How results are printed on stdout' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l expiring -d 'Only keys that are frozen or freeze within --within days'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand list" -s V -l version -d 'Print version'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -l format -d 'How results are printed on stdout' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand renew" -s V -l version -d 'Print version'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l format -d 'How results are printed on stdout' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -s y -l yes -d 'Do not ask for confirmation (required without a terminal)'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand delete" -s V -l version -d 'Print version'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -s r -l role -d 'A role the key must have (repeat, or separate with commas)' -r -f -a "transactions\t'Get all transaction details'
accounts\t'Get all accounts'
payments\t'Create payments'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -l key-file -d 'Read the key from this file instead of stdin' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -l format -d 'How results are printed on stdout' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand verify" -s V -l version -d 'Print version'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -s w -l warning -d 'WARNING when a key freezes within this many days' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -s c -l critical -d 'CRITICAL when a key freezes within this many days (0: only frozen keys)' -r
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -l format -d 'How results are printed on stdout' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand check" -s V -l version -d 'Print version'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -l db -d 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]' -r -F
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -l format -d 'How results are printed on stdout' -r -f -a "table\t'Tables and sentences for people'
json\t'JSON for scripts'"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -l color -d 'When to colour output (NO_COLOR in the environment means never)' -r -f -a "auto\t'Colour when stdout is a terminal and NO_COLOR is not set'
always\t''
never\t''"
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -l no-input -d 'Never prompt; fail instead where an answer would be needed'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand completions" -s V -l version -d 'Print version'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from create list renew delete verify check completions help" -f -a "create" -d 'Create a key and print its secret, once'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from create list renew delete verify check completions help" -f -a "list" -d 'List keys with their status and days left before the freeze'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from create list renew delete verify check completions help" -f -a "renew" -d 'Renew keys: each freezes 90 days from now'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from create list renew delete verify check completions help" -f -a "delete" -d 'Delete keys: revoked at once, irreversibly'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from create list renew delete verify check completions help" -f -a "verify" -d 'Verify a presented key, read from stdin or a file'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from create list renew delete verify check completions help" -f -a "check" -d 'Check for keys near their freeze, for cron and monitoring'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from create list renew delete verify check completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c intergiro-keys -n "__fish_intergiro_keys_using_subcommand help; and not __fish_seen_subcommand_from create list renew delete verify check completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
