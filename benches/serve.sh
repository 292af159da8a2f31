#!/usr/bin/env bash
# `serve` against the references named by its targets, all on this machine in
# one run (ratios are what mean anything on a shared machine):
#
#   S1  cached /verify throughput (wrk, 1 thread, 32 connections) vs nginx
#       `return 200` with 1 worker
#   S2  wrk -> nginx (auth_request -> serve) -> upstream `return 200`, vs
#       wrk -> nginx -> the same upstream without auth
#   S3  latency of cached /verify at half of S1's rate (wrk's delay() paces
#       each of 32 connections)
#   S4  revocation: `delete` exit -> first 401, TRIALS trials; SQLite, and
#       PostgreSQL when a server is there (tests/pg/cluster.sh)
#   S5  cached throughput while 8 connections flood well-formed unknown keys
#   S6  resident memory of serve with KEYS keys cached, and of the cache
#       alone at 100,000 keys (examples/serve_cache_memory.rs)
#   S7  first sight of a key: one argon2, vs a `verify` process
#
# Usage: benches/serve.sh [SECONDS] [TRIALS] [KEYS]   (default 10 s, 200, 2000)
# Needs wrk, nginx and curl (apt-get install wrk nginx curl).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
trials=${2:-200}
keys=${3:-2000}
for tool in wrk nginx curl python3; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install $tool)" >&2; exit 2; }
done

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/intergiro-keys
work=$(mktemp -d)
chmod 755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${pg_dir:-}" ] && tests/pg/cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$1/" && return; sleep 0.05; done; echo "nothing on port $1" >&2; exit 1; }
rps() { awk '/^Requests\/sec:/ { print $2 }'; }
p99() { awk '$1 == "99%" { print $2 }'; }
non2xx() { awk '/Non-2xx/ { print $4 } END { }' | tail -1; }

db=$work/keys.db
export INTERGIRO_KEYS_DB=$db
key=$("$bin" create --name bench --role payments)

serve_port=$(free_port)
"$bin" serve --listen "127.0.0.1:$serve_port" 2>"$work/serve.log" &
serve_pid=$!
pids+=("$serve_pid")
for _ in $(seq 200); do grep -q listening "$work/serve.log" && break; sleep 0.05; done
curl -sf -o /dev/null -H "Authorization: Bearer $key" "http://127.0.0.1:$serve_port/verify"

plain=$(free_port) proxied=$(free_port) authed=$(free_port)
cat >"$work/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/body; proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi; uwsgi_temp_path $work/uwsgi; scgi_temp_path $work/scgi;
    upstream upstream { server 127.0.0.1:$plain; keepalive 32; }
    upstream verifier { server 127.0.0.1:$serve_port; keepalive 32; }
    server { listen 127.0.0.1:$plain; location / { return 200 "ok\n"; } }
    server {
        listen 127.0.0.1:$proxied;
        location / { proxy_pass http://upstream; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
    server {
        listen 127.0.0.1:$authed;
        location = /_verify {
            internal;
            proxy_pass http://verifier/verify;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
        }
        location / {
            auth_request /_verify;
            proxy_pass http://upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
CONF
nginx -e "$work/nginx-error.log" -p "$work" -c "$work/nginx.conf" &
pids+=($!)
wait_port "$plain"

auth=(-H "Authorization: Bearer $key")
run_wrk() { wrk -t1 -c32 -d"${seconds}s" --latency "$@"; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

# S1, interleaved: reference, serve, reference, serve.
s1_ref=() s1=()
for _ in 1 2; do
  s1_ref+=("$(run_wrk "http://127.0.0.1:$plain/" | rps)")
  s1+=("$(run_wrk "${auth[@]}" "http://127.0.0.1:$serve_port/verify" | rps)")
done
best() { printf '%s\n' "$@" | sort -g | tail -1; }
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
r1_ref=$(best "${s1_ref[@]}") r1=$(best "${s1[@]}")
echo "S1 cached /verify: ${r1} req/s; nginx return 200: ${r1_ref} req/s; ratio $(ratio "$r1" "$r1_ref") (best of 2 each)"

# S2
s2_ref=$(run_wrk "http://127.0.0.1:$proxied/" | rps)
s2=$(run_wrk "${auth[@]}" "http://127.0.0.1:$authed/" | rps)
echo "S2 nginx with auth_request: ${s2} req/s; without: ${s2_ref} req/s; ratio $(ratio "$s2" "$s2_ref")"

# S3: 32 connections, each waiting so that together they ask half of S1.
delay_ms=$(python3 -c "print(max(1, round(32 * 1000 / ($r1 / 2))))")
printf 'function delay() return %s end\n' "$delay_ms" >"$work/pace.lua"
out=$(run_wrk -s "$work/pace.lua" "${auth[@]}" "http://127.0.0.1:$serve_port/verify")
echo "S3 cached /verify at $(echo "$out" | rps) req/s (target $(python3 -c "print(round($r1 / 2))")): p99 $(echo "$out" | p99)"

# S5: the flood asks distinct unknown keys, each costing one argon2.
python3 benches/serve_trials.py unknown-keys "$work/unknown" 200000
cat >"$work/flood.lua" <<LUA
local keys = {}
for line in io.lines("$work/unknown") do keys[#keys + 1] = line end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/verify", { ["Authorization"] = "Bearer " .. keys[(n * 7919 + math.random(1, 1000)) % #keys + 1] })
end
done = function(summary, latency, requests)
  io.write(string.format("flood: %d answers, %d not 2xx, %d timeouts\n", summary.requests, summary.errors.status, summary.errors.timeout))
end
LUA
wrk -t1 -c8 -d"$((seconds + 2))s" --timeout 5s -s "$work/flood.lua" "http://127.0.0.1:$serve_port/verify" >"$work/flood.out" &
flood=$!
sleep 1
out=$(run_wrk "${auth[@]}" "http://127.0.0.1:$serve_port/verify")
wait "$flood"
r5=$(echo "$out" | rps)
echo "S5 cached /verify under the flood: ${r5} req/s, ratio to S1 $(ratio "$r5" "$r1"), p99 $(echo "$out" | p99); $(grep '^flood' "$work/flood.out")"

# S7 and S6 on the same server.
python3 benches/serve_trials.py first-sight "$bin" "$db" "127.0.0.1:$serve_port" 20 | sed 's/^/S7 /'
python3 benches/serve_trials.py memory "$bin" "$db" "127.0.0.1:$serve_port" "$serve_pid" "$keys" | sed 's/^/S6 /'
# At full size the cache is filled directly: 100,000 argon2 runs first would
# take hours here.
cargo build --release --quiet --example serve_cache_memory
"${CARGO_TARGET_DIR:-$PWD/target}/release/examples/serve_cache_memory" 100000 | sed 's/^/S6 the cache alone: /'

# S4 on SQLite.
python3 benches/serve_trials.py revocation "$bin" "$db" "127.0.0.1:$serve_port" "$trials" | sed 's/^/S4 SQLite: /'

# S4 on PostgreSQL, on a throwaway cluster.
if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  eval "$(tests/pg/cluster.sh start)"
  pg_dir=$INTERGIRO_KEYS_TEST_PG_DIR
  me=$(id -un)
  psql -q "$INTERGIRO_KEYS_TEST_PG" -c "CREATE ROLE \"$me\" LOGIN CREATEROLE" -c "CREATE DATABASE bench OWNER \"$me\"" >/dev/null
  pg="postgresql:///bench?host=$pg_dir"
  INTERGIRO_KEYS_DB=$pg "$bin" init >/dev/null
  pg_port=$(free_port)
  INTERGIRO_KEYS_DB=$pg "$bin" serve --listen "127.0.0.1:$pg_port" 2>"$work/serve-pg.log" &
  pids+=($!)
  for _ in $(seq 200); do curl -sf -o /dev/null "http://127.0.0.1:$pg_port/healthz" && break; sleep 0.05; done
  python3 benches/serve_trials.py revocation "$bin" "$pg" "127.0.0.1:$pg_port" "$trials" | sed 's/^/S4 PostgreSQL: /'
else
  echo "S4 PostgreSQL: skipped (no PostgreSQL server installed)"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
