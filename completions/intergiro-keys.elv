
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
            cand --format 'How results are printed on stdout'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand create 'Create a key and print its secret, once'
            cand list 'List keys with their status and days left before the freeze'
            cand renew 'Renew keys: each freezes 90 days from now'
            cand delete 'Delete keys: revoked at once, irreversibly'
            cand verify 'Verify a presented key, read from stdin or a file'
            cand check 'Check for keys near their freeze, for cron and monitoring'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'intergiro-keys;create'= {
            cand -n 'A name saying what the key is for'
            cand --name 'A name saying what the key is for'
            cand -r 'A role the key gets (repeat, or separate with commas): transactions, accounts, payments'
            cand --role 'A role the key gets (repeat, or separate with commas): transactions, accounts, payments'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'intergiro-keys;list'= {
            cand --within 'Days ahead that --expiring looks'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --expiring 'Only keys that are frozen or freeze within --within days'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'intergiro-keys;renew'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'intergiro-keys;delete'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand -y 'Do not ask for confirmation (required without a terminal)'
            cand --yes 'Do not ask for confirmation (required without a terminal)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'intergiro-keys;verify'= {
            cand -r 'A role the key must have (repeat, or separate with commas)'
            cand --role 'A role the key must have (repeat, or separate with commas)'
            cand --key-file 'Read the key from this file instead of stdin'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'intergiro-keys;check'= {
            cand -w 'WARNING when a key freezes within this many days'
            cand --warning 'WARNING when a key freezes within this many days'
            cand -c 'CRITICAL when a key freezes within this many days (0: only frozen keys)'
            cand --critical 'CRITICAL when a key freezes within this many days (0: only frozen keys)'
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'intergiro-keys;completions'= {
            cand --db 'The database file [default: the per-user data directory, e.g. ~/.local/share/intergiro-keys/keys.db]'
            cand --format 'How results are printed on stdout'
            cand --color 'When to colour output (NO_COLOR in the environment means never)'
            cand --no-input 'Never prompt; fail instead where an answer would be needed'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'intergiro-keys;help'= {
            cand create 'Create a key and print its secret, once'
            cand list 'List keys with their status and days left before the freeze'
            cand renew 'Renew keys: each freezes 90 days from now'
            cand delete 'Delete keys: revoked at once, irreversibly'
            cand verify 'Verify a presented key, read from stdin or a file'
            cand check 'Check for keys near their freeze, for cron and monitoring'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'intergiro-keys;help;create'= {
        }
        &'intergiro-keys;help;list'= {
        }
        &'intergiro-keys;help;renew'= {
        }
        &'intergiro-keys;help;delete'= {
        }
        &'intergiro-keys;help;verify'= {
        }
        &'intergiro-keys;help;check'= {
        }
        &'intergiro-keys;help;completions'= {
        }
        &'intergiro-keys;help;help'= {
        }
    ]
    $completions[$command]
}
