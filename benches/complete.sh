#!/usr/bin/env bash
# Shell completion of keys (`renew <Tab>`) at 100,000 keys: the query the
# completion scripts run (`INTERGIRO_KEYS_COMPLETE=keys intergiro-keys --db
# DB -- WORD`) against the system `sqlite3` selecting the same rows, in one
# interleaved run. The target is 50 ms for the query at 100,000 keys, and
# the ratio shows what the tool adds to the reading itself (starting up,
# proving the file is its own store, finding the operator).
#
# The database is built as benches/estate.sh builds it: one real key and
# rows of the same shape named `filler N` with random IDs. The words: a name
# prefix that 11,111 keys share (the first 100 are offered), an ID prefix,
# and nothing typed at all.
#
# Usage: benches/complete.sh [RUNS] [KEYS]   (default 20 runs, 100000 keys)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
keys=${2:-100000}
command -v sqlite3 >/dev/null || { echo "needs sqlite3 (apt-get install sqlite3)" >&2; exit 2; }

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/intergiro-keys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/keys.db

"$bin" --db "$db" create --name bench --role accounts >"$work/key" 2>/dev/null
sqlite3 "$db" "
  WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $keys - 1)
  INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued)
  SELECT substr(hex(randomblob(8)), 1, 12), 'filler ' || i, roles, secret_hash,
         created_at, renewed_at, freezes_at, 1
  FROM seq, (SELECT * FROM api_key LIMIT 1);"
echo "$(sqlite3 "$db" 'SELECT count(*) FROM api_key') keys"

id_prefix=$(sqlite3 "$db" "SELECT substr(id, 1, 2) FROM api_key WHERE name = 'filler 77'")
query() { echo "INTERGIRO_KEYS_COMPLETE=keys $bin --db $db -- '$1'"; }
names="SELECT name, id FROM api_key WHERE name >= 'filler 5' AND name < 'filler 6' ORDER BY name, id LIMIT 100"
ids="SELECT id, name FROM api_key WHERE id >= '$id_prefix' AND id < '${id_prefix}~' ORDER BY id LIMIT 100"
for word in "filler 5" "$id_prefix" ""; do
  echo "'$word': $(eval "$(query "$word")" | wc -l) candidates"
done

benches/interleave.py "$runs" \
  "sqlite3, names by prefix=sqlite3 $db \"$names\"" \
  "complete a name prefix=$(query "filler 5")" \
  "sqlite3, IDs by prefix=sqlite3 $db \"$ids\"" \
  "complete an ID prefix=$(query "$id_prefix")" \
  "complete nothing typed=$(query "")"
