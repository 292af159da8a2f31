#!/usr/bin/env bash
# Does `verify` take the same time for an unknown ID, a known ID with a wrong
# secret and the right key? (If not, timing would let IDs be probed.)
#
# Release build; the three are timed interleaved in one run so the ratios
# are comparable; with CALLGRIND=1 valgrind also counts instructions, which is
# exact and unaffected by load.
#
# Usage: benches/verify_timing.sh [RUNS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/intergiro-keys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" --db "$work/keys.db" create --name bench --role accounts >"$work/right" 2>/dev/null
"$bin" --db "$work/other.db" create --name elsewhere --role accounts >"$work/unknown" 2>/dev/null
# The right key's ID with another secret, and a valid checksum for it.
python3 - "$work/right" "$work/wrong" <<'PY'
import secrets, string, sys, zlib
alphabet = string.digits + string.ascii_uppercase + string.ascii_lowercase
key = open(sys.argv[1]).read().strip()
body = key[:17] + "".join(secrets.choice(alphabet) for _ in range(43))
crc, digits = zlib.crc32(body.encode()), ""
for _ in range(6):
    crc, d = divmod(crc, 62)
    digits = alphabet[d] + digits
open(sys.argv[2], "w").write(body + digits + "\n")
PY

for case in right wrong unknown; do
  code=0; "$bin" --db "$work/keys.db" verify <"$work/$case" >/dev/null || code=$?
  echo "$case key: exit $code"
done

# Interleaved, in rotating order, so that drifts in the machine's speed hit
# all three alike (run back to back, the same command varies by 30 % here).
benches/interleave.py "$runs" \
  "right key=$bin --db $work/keys.db verify --key-file $work/right" \
  "wrong secret=$bin --db $work/keys.db verify --key-file $work/wrong" \
  "unknown ID=$bin --db $work/keys.db verify --key-file $work/unknown"

if [ "${CALLGRIND:-0}" = 1 ]; then
  for case in unknown wrong right; do
    valgrind --tool=callgrind --callgrind-out-file="$work/cg.$case" \
      "$bin" --db "$work/keys.db" verify <"$work/$case" >/dev/null 2>"$work/vg.$case" || true
    echo "$case: $(grep -o 'Collected : [0-9]*' "$work/vg.$case" | grep -o '[0-9]*') instructions"
  done
fi
