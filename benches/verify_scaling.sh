#!/usr/bin/env bash
# Does `verify` cost the same whatever the number of keys?
#
# Builds the release binary, makes databases with 1, 1,000 and 100,000 keys
# (one real key, the rest rows with the same shape), and times `verify` of the
# real key in each, interleaved in one run so the ratios are comparable. With
# CALLGRIND=1 it also counts instructions under valgrind, which is exact and
# unaffected by other load on the machine.
#
# Usage: benches/verify_scaling.sh [RUNS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}

cargo build --release --quiet
bin=$PWD/target/release/intergiro-keys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" --db "$work/1.db" create --name bench --role accounts >"$work/key"
# Fill the others: the real key plus rows with random 12-character IDs.
for n in 1000 100000; do
  cp "$work/1.db" "$work/$n.db"
  sqlite3 "$work/$n.db" "
    WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $n - 1)
    INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued)
    SELECT substr(hex(randomblob(8)), 1, 12), 'filler ' || i, roles, secret_hash,
           created_at, renewed_at, freezes_at, 1
    FROM seq, (SELECT * FROM api_key LIMIT 1);"
  echo "$n.db: $(sqlite3 "$work/$n.db" 'SELECT count(*) FROM api_key') keys"
done

for n in 1 1000 100000; do
  "$bin" --db "$work/$n.db" verify <"$work/key" >/dev/null
done

benches/interleave.py "$runs" \
  "1 key=$bin --db $work/1.db verify --key-file $work/key" \
  "1,000 keys=$bin --db $work/1000.db verify --key-file $work/key" \
  "100,000 keys=$bin --db $work/100000.db verify --key-file $work/key"

if [ "${CALLGRIND:-0}" = 1 ]; then
  for n in 1 1000 100000; do
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$n" \
      "$bin" --db "$work/$n.db" verify <"$work/key" >/dev/null 2>"$work/vg.$n"
    echo "$n keys: $(grep -o 'Collected : [0-9]*' "$work/vg.$n" | grep -o '[0-9]*') instructions"
  done
fi
