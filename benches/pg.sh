#!/usr/bin/env bash
# The PostgreSQL store against the SQLite one and against psql, on a
# throwaway cluster over a Unix socket (release build, interleaved runs):
#
# 1. verify on PostgreSQL, direct and through pgbouncer in transaction
#    pooling mode, vs verify on SQLite (target: at most 1.1x; argon2 should
#    dominate) and direct vs a `psql -c 'SELECT 1'` process (target: 0.8x);
# 2. list --format json over 100,000 keys vs `psql --csv` of the same rows
#    (target: at most 2x);
# 3. 8 processes x (50 creates + 50 renews of one shared key): failures and
#    lost updates counted (target: 0 and 0).
#
# Usage: benches/pg.sh [RUNS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/intergiro-keys
work=$(mktemp -d)
eval "$(tests/pg/cluster.sh start)"
trap 'tests/pg/cluster.sh stop "$INTERGIRO_KEYS_TEST_PG_DIR"; rm -rf "$work"' EXIT
host=$INTERGIRO_KEYS_TEST_PG_DIR
me=$(id -un)
su=(psql -X -q -v ON_ERROR_STOP=1 "postgresql://postgres@/postgres?host=$host")
"${su[@]}" -c "CREATE DATABASE bench" -c "CREATE ROLE \"$me\" LOGIN CREATEROLE" \
  -c "GRANT CREATE ON DATABASE bench TO \"$me\""
url="postgresql:///bench?host=$host"
sub=(psql -X -q -v ON_ERROR_STOP=1 "postgresql://postgres@/bench?host=$host")
"$bin" --db "$url" init 2>/dev/null

# 1. verify, one key in each store.
"$bin" --db "$work/keys.db" create --name bench --role accounts >"$work/sqlite.key" 2>/dev/null
"$bin" --db "$url" create --name bench --role accounts >"$work/pg.key" 2>/dev/null
echo "## verify: PostgreSQL (direct and through pgbouncer) against SQLite"
# pgbouncer in transaction pooling mode in front of the cluster, as the
# server's account (it will not run as root).
pgb=$(mktemp -d)
printf '"%s" ""\n' "$me" postgres >"$pgb/users.txt"
cat >"$pgb/pgbouncer.ini" <<INI
[databases]
* = host=$host port=5432
[pgbouncer]
listen_addr =
listen_port = 6432
unix_socket_dir = $pgb
auth_type = trust
auth_file = $pgb/users.txt
pool_mode = transaction
default_pool_size = 4
logfile = $pgb/pgbouncer.log
pidfile = $pgb/pgbouncer.pid
INI
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$pgb"
  runuser -u postgres -- pgbouncer -d "$pgb/pgbouncer.ini"
else
  pgbouncer -d "$pgb/pgbouncer.ini"
fi
trap 'kill "$(cat "$pgb/pgbouncer.pid")" 2>/dev/null; tests/pg/cluster.sh stop "$INTERGIRO_KEYS_TEST_PG_DIR"; rm -rf "$work" "$pgb"' EXIT
until [ -S "$pgb/.s.PGSQL.6432" ]; do sleep 0.1; done
pooled="postgresql:///bench?host=$pgb&port=6432"
benches/interleave.py "$runs" \
  "sqlite-verify=$bin --db $work/keys.db verify --key-file $work/sqlite.key" \
  "pg-verify=$bin --db '$url' verify --key-file $work/pg.key" \
  "pgbouncer-verify=$bin --db '$pooled' verify --key-file $work/pg.key" \
  "psql-select-1=psql -X -q '$url' -c 'SELECT 1'"

# 2. 100,000 keys, written as the owner would (the CLI would spend an
# argon2 hash on each), then listed.
"${sub[@]}" -c "
  INSERT INTO intergiro_keys.api_key
  SELECT lpad(to_hex(n), 12, 'K'), 'key ' || n, 'accounts,payments',
         '\$argon2id\$v=19\$m=19456,t=2,p=1\$c2FsdHNhbHQ\$aGFzaGhhc2hoYXNoaGFzaA',
         1767225600 + n, 1767225600 + n, 1767225600 + n + 7776000, true
  FROM generate_series(1, 100000) AS n" >/dev/null
rows="SELECT id, name, roles, created_at, renewed_at, freezes_at, issued FROM intergiro_keys.api_key ORDER BY freezes_at, id"
echo
echo "## list --format json over 100,000 keys against psql --csv"
benches/interleave.py "$runs" \
  "psql-csv=psql -X --csv 'postgresql://postgres@/bench?host=$host' -c '$rows'" \
  "pg-list-json=$bin --db '$url' list --format json" \
  "sqlite-list-json-1-key=$bin --db $work/keys.db list --format json"
"${sub[@]}" -c "DELETE FROM intergiro_keys.api_key WHERE name LIKE 'key %'" >/dev/null

# 3. 8 processes at once, each 50 creates then 50 renews of one shared key.
shared=$("$bin" --db "$url" create --name shared --role accounts 2>/dev/null | cut -c5-16)
start=$(date +%s.%N)
for p in 1 2 3 4 5 6 7 8; do
  (
    failures=0
    for i in $(seq 50); do
      "$bin" --db "$url" create --name "p$p-$i" --role accounts >>"$work/keys.$p" 2>>"$work/errors" || failures=$((failures + 1))
    done
    for i in $(seq 50); do
      "$bin" --db "$url" renew "$shared" >/dev/null 2>>"$work/errors" || failures=$((failures + 1))
    done
    echo "$failures" >"$work/failures.$p"
  ) &
done
wait
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
failures=$(cat "$work"/failures.* | paste -sd+ | bc)
count() { "${sub[@]}" -A -t -c "$1"; }
created=$(count "SELECT count(*) FROM intergiro_keys.api_key WHERE name ~ '^p[1-8]-'")
create_entries=$(count "SELECT count(*) FROM intergiro_keys.audit WHERE action = 'create' AND detail LIKE 'roles %' AND key_id IN (SELECT id FROM intergiro_keys.api_key WHERE name ~ '^p[1-8]-')")
renew_entries=$(count "SELECT count(*) FROM intergiro_keys.audit WHERE action = 'renew' AND key_id = '$shared'")
echo
echo "## 8 processes x (50 creates + 50 renews of one shared key)"
echo "| failures | keys created | create entries | renew entries of the shared key | audit chain | wall time [s] |"
echo "|---:|---:|---:|---:|---|---:|"
chain=$("$bin" --db "$url" audit --verify >/dev/null 2>&1 && echo intact || echo BROKEN)
echo "| $failures | $created / 400 | $create_entries / 400 | $renew_entries / 400 | $chain | $elapsed |"
if grep -q "error:" "$work/errors"; then
  echo "errors:" && grep "error:" "$work/errors" | sort | uniq -c | head
fi
