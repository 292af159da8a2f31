#!/usr/bin/env bash
# How long does `verify` take, against the reference C implementation of
# argon2, and does it cost the same whatever the number of keys?
#
# Builds the release binary, makes databases with 1, 1,000 and 100,000 keys
# (one real key, the rest rows with the same shape), and times, interleaved in
# one run so the ratios are comparable:
# - the reference `argon2` CLI (Debian package `argon2`) evaluating argon2id
#   once with the same parameters (m=19456 t=2 p=1; `-e` prints the encoded
#   hash only: without it the CLI evaluates a second time to check itself);
# - `verify` of the real key in each database;
# - the rest of `verify` (start-up, reading the key, opening the store, the
#   lookup, the output) on a copy of the 1-key store whose hash has the
#   smallest parameters (m=8 KiB, t=1), so argon2 costs next to nothing.
# The peak column is each command's largest resident set. With CALLGRIND=1
# it also counts instructions under valgrind, which is exact and unaffected by
# other load on the machine.
#
# Usage: benches/verify_scaling.sh [RUNS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
for tool in sqlite3 argon2; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 2; }
done

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/intergiro-keys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" --db "$work/1.db" create --name bench --role accounts >"$work/key" 2>/dev/null
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

# The key's secret (igk_<12-character ID>_<43-character secret><checksum>),
# for the reference CLI and for the store with the cheap hash.
cut -c18-60 "$work/key" | tr -d '\n' >"$work/secret"
cp "$work/1.db" "$work/cheap.db"
cheap=$(argon2 "cheap-hash-salt" -id -t 1 -k 8 -p 1 -e <"$work/secret")
sqlite3 "$work/cheap.db" "UPDATE api_key SET secret_hash = '$cheap'"
# The row must agree with the audit log, or verify rejects it as tampered.
benches/reseal.py "$work/cheap.db" "$(cut -c5-16 "$work/key")"

reference="argon2 bench-salt-0 -id -t 2 -k 19456 -p 1 -e <$work/secret"
for db in 1 1000 100000 cheap; do
  code=0; "$bin" --db "$work/$db.db" verify --key-file "$work/key" >/dev/null || code=$?
  echo "verify in $db.db: exit $code"
  [ "$code" = 0 ] || exit 1
done

benches/interleave.py "$runs" \
  "argon2 C CLI, one evaluation=$reference" \
  "verify, 1 key=$bin --db $work/1.db verify --key-file $work/key" \
  "verify, 1,000 keys=$bin --db $work/1000.db verify --key-file $work/key" \
  "verify, 100,000 keys=$bin --db $work/100000.db verify --key-file $work/key" \
  "verify without argon2's work (m 8 KiB, t 1)=$bin --db $work/cheap.db verify --key-file $work/key"

if [ "${CALLGRIND:-0}" = 1 ]; then
  for n in 1 1000 100000; do
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$n" \
      "$bin" --db "$work/$n.db" verify <"$work/key" >/dev/null 2>"$work/vg.$n"
    echo "$n keys: $(grep -o 'Collected : [0-9]*' "$work/vg.$n" | grep -o '[0-9]*') instructions"
  done
fi
