#!/usr/bin/env bash
# The random comparison with the argon2 crate, at length: a nightly-style run
# of `random_inputs_and_parameters_give_the_crates_output` with many more
# cases than CI's 10,000 (which take a few seconds).
#
# Usage: crates/argon2-avx2/run-long-proptest.sh [CASES]   (default 1000000)
#
# A failure prints the smallest failing case proptest found (algorithm,
# version, lanes, blocks per lane, passes, tag length, inputs). The crate's
# tests run optimised in the dev profile, so no release build is needed.
# CI is set so that, on a CPU without AVX2, the run fails instead of
# skipping.
set -euo pipefail
cd "$(dirname "$0")/../.."
cases=${1:-1000000}
[[ $cases =~ ^[0-9]+$ ]] || { echo "CASES must be a number, not '$cases'" >&2; exit 2; }
start=$SECONDS
CI=true PROPTEST_CASES=$cases cargo test --locked -p argon2-avx2 --lib -- \
  --exact tests::random_inputs_and_parameters_give_the_crates_output
echo "$cases random cases agreed with the argon2 crate in $((SECONDS - start)) s"
