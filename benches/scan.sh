#!/usr/bin/env bash
# `scan` against ripgrep on a generated tree of source-like text with a few
# keys in it (release build, interleaved, page cache warm for both), and the
# peak memory of `scan` at two tree sizes. The tree is generated in a
# temporary directory at run time and removed afterwards.
#
# ripgrep searches the regular expression the README gives other scanners;
# `scan` additionally checks each match's checksum. Both run with their
# default threads (one per core) and print path:line:column.
#
# Usage: benches/scan.sh [MIB] [RUNS]   (default 512 MiB, 10 runs)
# Needs: rg (Debian package ripgrep), python3, GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${1:-512}
runs=${2:-10}
for tool in rg python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "benches/scan.sh needs $tool" >&2; exit 1; }
done

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/intergiro-keys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db=$work/keys.db
for name in leaked-live leaked-frozen-later deleted; do
  "$bin" --db "$db" create --name "$name" --role accounts >"$work/$name.key" 2>/dev/null
done
"$bin" --db "$db" delete --yes "$(cut -c5-16 "$work/deleted.key")" >/dev/null
# A key of another database: checksum valid, not in this store.
"$bin" --db "$work/other.db" create --name foreign --role payments >"$work/foreign.key" 2>/dev/null

# Four quarters of MIB/4 each, so that memory can be read at 1/4 and 4/4.
python3 - "$work/tree" "$mib" "$work"/leaked-live.key "$work"/leaked-frozen-later.key \
  "$work"/deleted.key "$work"/foreign.key <<'PY'
import os, random, sys
root, mib, key_files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
keys = [open(f).read().strip() for f in key_files]
random.seed(12)
corpus = b""
for base, _, files in os.walk("."):
    if "/target" in base or "/.git" in base:
        continue
    for f in files:
        if f.endswith((".rs", ".md", ".toml", ".sh", ".py")):
            corpus += open(os.path.join(base, f), "rb").read()
corpus = corpus * (1 + (4 << 20) // len(corpus))
# Key-shaped text with a wrong checksum: regex matches, never keys.
decoy = "igk_" + "A1b2C3d4E5f6" + "_" + "x" * 49
placed = [(k, "KEY=%s;\n") for k in keys] + [(keys[0], "old = '%s_old'\n"), (decoy, "%s\n")]
total = mib << 20
per_quarter = total // 4
files = []
for q in range(4):
    size = 0
    while size < per_quarter:
        n = min(int(random.lognormvariate(10, 1.2)) + 200, 1 << 20)
        d = os.path.join(root, "q%d" % q, "pkg%02d" % random.randrange(40), "mod%d" % random.randrange(8))
        files.append((d, n))
        size += n
slots = random.sample(range(len(files)), len(placed))
for i, (d, n) in enumerate(files):
    os.makedirs(d, exist_ok=True)
    start = random.randrange(len(corpus) - n)
    data = corpus[start:start + n]
    if i in slots:
        key, template = placed[slots.index(i)]
        cut = data.rfind(b"\n", 0, len(data) // 2) + 1
        data = data[:cut] + (template % key).encode() + data[cut:]
    with open(os.path.join(d, "file%05d.rs" % i), "wb") as out:
        out.write(data)
print("tree: %d files, %.0f MiB" % (len(files), sum(n for _, n in files) / 2**20), file=sys.stderr)
PY

regex='igk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}'
tree=$work/tree
cd "$work"
echo "scan finds:" >&2
"$bin" --db "$db" scan tree >&2 || true
echo "rg finds: $(rg -c -n --column "$regex" tree | wc -l) files" >&2

echo
echo "Wall time, ${mib} MiB tree, $runs runs:"
"$OLDPWD"/benches/interleave.py "$runs" \
  "rg=rg -n --column '$regex' tree" \
  "scan (no store)=$bin --db $work/none.db scan tree" \
  "scan (checked against the store)=$bin --db $db scan tree"

echo
echo "Peak RSS (KiB):"
echo "| case | 1/4 tree | whole tree |"
echo "|---|---:|---:|"
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
for case in "scan (no store)" "scan (checked)" "rg"; do
  case $case in
    "scan (no store)") cmd=("$bin" --db "$work/none.db" scan) ;;
    "scan (checked)") cmd=("$bin" --db "$db" scan) ;;
    rg) cmd=(rg -n --column "$regex") ;;
  esac
  echo "| $case | $(rss "${cmd[@]}" tree/q0) | $(rss "${cmd[@]}" tree) |"
done
