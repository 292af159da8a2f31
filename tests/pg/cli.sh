#!/usr/bin/env bash
# The CLI test suite against a PostgreSQL store: every test but those of the
# SQLite file itself, listed in tests/cli/sqlite-only.txt. Uses the test
# cluster of INTERGIRO_KEYS_TEST_PG, or runs under a throwaway one.
#
#   tests/pg/cli.sh                      the whole suite on PostgreSQL
#   tests/pg/cli.sh --locked -- names::  cargo options, then test filters
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ -z "${INTERGIRO_KEYS_TEST_PG:-}" ]; then
  exec tests/pg/cluster.sh tests/pg/cli.sh "$@"
fi

cargo_args=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
  cargo_args+=("$1")
  shift
done
[ "${1:-}" = -- ] && shift

# Each listed name must be one test of the suite, so that the list cannot
# skip more than it says or go stale. Cargo's own messages stay on stderr:
# a suite that does not build says why before the script stops.
tests=$(cargo test "${cargo_args[@]}" --test cli -- --list | sed -n 's/: test$//p')
skips=()
while read -r name; do
  matches=$(grep -cF -- "$name" <<<"$tests" || true)
  if [ "$matches" != 1 ]; then
    echo "tests/cli/sqlite-only.txt: $name names $matches tests of the CLI suite, not 1" >&2
    exit 1
  fi
  skips+=(--skip "$name")
done < <(sed 's/#.*//' tests/cli/sqlite-only.txt | awk 'NF { print $1 }')

# The tests that need PostgreSQL are #[ignore]d for plain `cargo test`;
# here PostgreSQL is there, so they run.
INTERGIRO_KEYS_TEST_STORE=postgres \
  cargo test "${cargo_args[@]}" --test cli -- --include-ignored "${skips[@]}" "$@"
