#!/usr/bin/env bash
# A company's whole key estate: `list` and `check` at 100,000 keys against the
# system `sqlite3` reading the same rows, interleaved in one run so the ratios
# are comparable; the peak column is each command's largest resident set.
#
# The database holds one real key and 99,999 rows of the same shape with
# random IDs and freeze dates spread over 120 days, so that some keys are
# frozen and some expiring. The references: `sqlite3 -json` and plain
# `sqlite3` selecting the listed columns in list's order, and a count of the
# flagged rows. Tables go to a pipe (`| cat`), for both.
#
# Usage: benches/estate.sh [RUNS] [KEYS]   (default 20 runs, 100000 keys)
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
         created_at - (i % 120) * 86400, renewed_at - (i % 120) * 86400,
         freezes_at - (i % 120) * 86400, 1
  FROM seq, (SELECT * FROM api_key LIMIT 1);"
echo "$(sqlite3 "$db" 'SELECT count(*) FROM api_key') keys"

columns="id, name, roles, created_at, renewed_at, freezes_at"
order="ORDER BY freezes_at, id"
flagged="SELECT count(*) FROM api_key WHERE issued = 1 AND freezes_at <= unixepoch() + 14 * 86400"

"$bin" --db "$db" check >"$work/check" || true
echo "check: first line $(head -1 "$work/check" | wc -c) bytes, whole output $(wc -c <"$work/check") bytes, $(wc -l <"$work/check") lines"
head -1 "$work/check"
echo "flagged rows by sqlite3: $(sqlite3 "$db" "$flagged")"
echo "list --format json: $("$bin" --db "$db" list --format json | wc -c) bytes; sqlite3 -json: $(sqlite3 -json "$db" "SELECT $columns FROM api_key $order" | wc -c) bytes"

benches/interleave.py "$runs" \
  "sqlite3 -json=sqlite3 -json $db 'SELECT $columns FROM api_key $order'" \
  "list --format json=$bin --db $db list --format json" \
  "sqlite3 plain, to a pipe=sqlite3 $db 'SELECT $columns FROM api_key $order' | cat" \
  "list (table), to a pipe=$bin --db $db list | cat" \
  "sqlite3 count of flagged rows=sqlite3 $db '$flagged'" \
  "check=$bin --db $db check"
