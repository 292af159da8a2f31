#!/usr/bin/env bash
# What does recording a key's last use cost `verify`? The release binary
# against one built from before last use existed (OLD_BINARY, e.g. built from
# a `git worktree add --detach` of commit 137fdfc), interleaved in one run:
# - each binary verifying a key whose use was just recorded (the new binary
#   writes nothing: at most one write per key per 15 minutes);
# - each binary verifying right after a `sqlite3` write to its database: for
#   the new binary the write resets `last_used_at`, so `verify` records the use
#   (one UPDATE); for the old one it rewrites a name with itself, the same
#   `sqlite3` process and commit, so both cases pay for the same reset.
# Each binary works on a database it created (its own schema), with KEYS keys.
#
# Usage: benches/last_use.sh OLD_BINARY [RUNS] [KEYS]   (default 20 runs, 1000 keys)
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: benches/last_use.sh OLD_BINARY [RUNS] [KEYS]}
runs=${2:-20}
keys=${3:-1000}
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 2; }

cargo build --release --quiet
new=${CARGO_TARGET_DIR:-$PWD/target}/release/intergiro-keys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for which in old new; do
  bin=${!which}
  "$bin" --db "$work/$which.db" create --name bench --role accounts >"$work/$which.key" 2>/dev/null
  sqlite3 "$work/$which.db" "
    WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $keys - 1)
    INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued)
    SELECT substr(hex(randomblob(8)), 1, 12), 'filler ' || i, roles, secret_hash,
           created_at, renewed_at, freezes_at, 1
    FROM seq, (SELECT * FROM api_key LIMIT 1);"
  "$bin" --db "$work/$which.db" verify --key-file "$work/$which.key" >/dev/null
done
id=$(cut -c5-16 "$work/new.key")
old_id=$(cut -c5-16 "$work/old.key")
reset="sqlite3 $work/new.db \"UPDATE api_key SET last_used_at = NULL WHERE id = '$id'\""
same="sqlite3 $work/old.db \"UPDATE api_key SET name = name WHERE id = '$old_id'\""

# The reset makes the next verify write; the one after it does not.
eval "$reset"
"$new" --db "$work/new.db" verify --key-file "$work/new.key" >/dev/null
echo "after one verify: last_used_at = $(sqlite3 "$work/new.db" "SELECT last_used_at FROM api_key WHERE id = '$id'")"

benches/interleave.py "$runs" \
  "before last use: verify=$old --db $work/old.db verify --key-file $work/old.key" \
  "now: verify, use already recorded (no write)=$new --db $work/new.db verify --key-file $work/new.key" \
  "before last use: sqlite3 write, then verify=$same && $old --db $work/old.db verify --key-file $work/old.key" \
  "now: sqlite3 reset, then verify recording the use (one write)=$reset && $new --db $work/new.db verify --key-file $work/new.key"

if [ "${CALLGRIND:-0}" = 1 ]; then
  count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    grep -o 'Collected : [0-9]*' | grep -o '[0-9]*'; }
  echo "instructions, before last use: $(count "$old" --db "$work/old.db" verify --key-file "$work/old.key")"
  echo "instructions, now, no write: $(count "$new" --db "$work/new.db" verify --key-file "$work/new.key")"
  eval "$reset"
  echo "instructions, now, one write: $(count "$new" --db "$work/new.db" verify --key-file "$work/new.key")"
fi
