#!/usr/bin/env bash
# Wall time of the everyday commands (release build), interleaved in one run.
# `create` and `verify` are dominated by one argon2id hash each; `list` and
# `check` by process start-up. The database grows by one key per create run.
#
# Usage: benches/commands.sh [RUNS]   (default 40)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-40}

cargo build --release --quiet
bin=$PWD/target/release/intergiro-keys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" --db "$work/keys.db" create --name bench --role accounts >"$work/key" 2>/dev/null

benches/interleave.py "$runs" \
  "verify=$bin --db $work/keys.db verify --key-file $work/key" \
  "create=$bin --db $work/keys.db create --name bench --role accounts" \
  "list=$bin --db $work/keys.db list" \
  "check=$bin --db $work/keys.db check"
