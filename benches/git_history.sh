#!/usr/bin/env bash
# `scan --git` against `git log -p --all | rg REGEX` on a generated
# repository of COMMITS commits (release build, interleaved, page cache warm
# for both). The repository is made with `git fast-import` in a temporary
# directory at run time and removed afterwards: source-like files edited a
# few lines at a time on two branches, the second merged into the first
# every 250 commits, with keys added in some commits and removed in later
# ones, one of them inside base64 text. (`scan --git` also diffs each merge
# against its parents, which the reference does not.)
#
# The reference is what the README offered before `scan --git`: git's full
# patch output (3 lines of context) piped into ripgrep searching the README's
# regular expression. `scan --git` runs `git log -p -U0 --all` itself and
# checks each match's checksum; both are timed without a store (`--no-check`):
# checking adds one argon2id verification per distinct key, as for any scan.
#
# Usage: benches/git_history.sh [COMMITS] [RUNS]   (default 5000 commits, 10 runs)
# Needs: git, rg (Debian package ripgrep), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
commits=${1:-5000}
runs=${2:-10}
for tool in git rg python3; do
  command -v "$tool" >/dev/null || { echo "benches/git_history.sh needs $tool" >&2; exit 1; }
done

cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/intergiro-keys
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for name in deploy nightly reporting; do
  "$bin" --db "$work/keys.db" create --name "$name" --role accounts >"$work/$name.key" 2>/dev/null
done

python3 - "$work/stream" "$commits" "$work"/deploy.key "$work"/nightly.key "$work"/reporting.key <<'PY'
import base64, os, random, sys
out, commits, key_files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
keys = [open(f).read().strip() for f in key_files]
random.seed(24)
corpus = []
for base, _, files in os.walk("src"):
    for f in sorted(files):
        corpus += open(os.path.join(base, f), encoding="utf-8").read().splitlines()
files = {"src/mod%02d/file%03d.rs" % (i % 40, i): random.sample(corpus, 200) for i in range(400)}
# Keys come in at these commits (not merges, which the reference does not
# search) and leave 50 commits later.
leaks = {commits // 5 + 1: ("deploy/old.sh", "export KEY=%s" % keys[0]),
         commits // 2 + 1: ("config/app.env", "API_KEY=%s" % keys[1]),
         4 * commits // 5 + 1: ("k8s/secret.yaml", "  api-key: %s" % base64.b64encode(keys[2].encode()).decode())}
removals = {at + 50: path for at, (path, _) in leaks.items()}
with open(out, "wb") as stream:
    def blob(path, lines):
        data = ("\n".join(lines) + "\n").encode()
        stream.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
    parents = {"main": None, "feature": None}
    for n in range(1, commits + 1):
        branch = "feature" if n % 7 == 0 and n > 1 else "main"
        message = b"change %d" % n
        stream.write(b"commit refs/heads/%s\nmark :%d\n" % (branch.encode(), n))
        stream.write(b"committer t <t@example.com> %d +0000\n" % (1700000000 + n * 60))
        stream.write(b"data %d\n%s\n" % (len(message), message))
        if parents[branch]:
            stream.write(b"from :%d\n" % parents[branch])
        elif branch == "feature":
            stream.write(b"from :%d\n" % parents["main"])
        # Every 250 commits main merges the feature branch (and changes a
        # few files itself, as a merge resolving conflicts does).
        if branch == "main" and n % 250 == 0 and parents["feature"]:
            stream.write(b"merge :%d\n" % parents["feature"])
        parents[branch] = n
        for path in (random.sample(sorted(files), 400) if n == 1 else random.sample(sorted(files), 3)):
            lines = files[path]
            for _ in range(0 if n == 1 else 5):
                lines[random.randrange(len(lines))] = random.choice(corpus)
            blob(path, lines)
        if n in leaks:
            path, line = leaks[n]
            blob(path, ["# settings", line, "# end"])
        if n in removals:
            stream.write(b"D %s\n" % removals[n].encode())
PY
repo=$work/repo
git init -q "$repo"
git -C "$repo" fast-import --quiet < "$work/stream"
git -C "$repo" checkout -q main
echo "repository: $(git -C "$repo" rev-list --all | wc -l) commits, $(git -C "$repo" log -p --all | wc -c | awk '{printf "%.0f MiB of patches", $1 / 1048576}')" >&2

regex='igk_[0-9A-Za-z]{12}_[0-9A-Za-z]{49}'
cd "$repo"
echo "scan --git finds:" >&2
"$bin" scan --git --no-check >&2 || true
echo "git log -p --all | rg finds: $(git log -p --all | rg -c "$regex") lines (not the key in base64)" >&2

echo
echo "Wall time, $commits commits, $runs runs:"
"$OLDPWD"/benches/interleave.py "$runs" \
  "git log -p --all, piped to rg=git log -p --all | rg -n '$regex'" \
  "scan --git=$bin scan --git --no-check"
