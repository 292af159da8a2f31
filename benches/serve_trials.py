#!/usr/bin/env python3
"""The measures of benches/serve.sh that need a client with logic, against a
running `serve` (release build):

    serve_trials.py revocation BIN DB ADDRESS TRIALS
        S4: per trial, a fresh key is verified in a loop while `delete`
        runs; counts the 200s to requests started after `delete` exited,
        and the delay from its exit to the first 401 answered.
    serve_trials.py first-sight BIN DB ADDRESS TRIALS
        S7: the first /verify of a fresh key, against a `verify` process on
        the same key; and the argon2 runs `serve` counted (one per key).
    serve_trials.py memory BIN DB ADDRESS PID KEYS
        S6: resident memory of `serve` before and after KEYS more distinct
        keys are cached.
    serve_trials.py unknown-keys FILE COUNT
        Writes COUNT well-formed keys that no store has, one a line.
"""
import http.client
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import zlib

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def random_key():
    body = "igk_" + "".join(random.choice(BASE62) for _ in range(12)) + "_" + "".join(
        random.choice(BASE62) for _ in range(43))
    value = zlib.crc32(body.encode())
    checksum = ""
    for _ in range(6):
        checksum = BASE62[value % 62] + checksum
        value //= 62
    return body + checksum


def connect(address):
    host, port = address.rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port), timeout=10)


def status(conn, key):
    conn.request("GET", "/verify", headers={"Authorization": "Bearer " + key})
    response = conn.getresponse()
    response.read()
    return response.status


def create(binary, db):
    out = subprocess.run([binary, "--db", db, "create", "--name", "trial", "--role", "accounts"],
                         check=True, capture_output=True, text=True).stdout
    return out.strip()


def metric(address, name):
    conn = connect(address)
    conn.request("GET", "/metrics")
    for line in conn.getresponse().read().decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    raise SystemExit(f"no {name} in /metrics")


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def revocation(binary, db, address, trials):
    allowed_after = 0
    delays = []
    for _ in range(trials):
        key = create(binary, db)
        conn = connect(address)
        assert status(conn, key) == 200
        seen = []
        stop = threading.Event()

        def loop():
            c = connect(address)
            while not stop.is_set():
                started = time.monotonic()
                code = status(c, key)
                seen.append((started, time.monotonic(), code))

        thread = threading.Thread(target=loop)
        thread.start()
        time.sleep(0.01)
        subprocess.run([binary, "--db", db, "delete", "--yes", key[4:16]], check=True,
                       capture_output=True)
        exited = time.monotonic()
        deadline = exited + 2
        while time.monotonic() < deadline and not any(
                code == 401 and done >= exited for _, done, code in seen):
            time.sleep(0.001)
        time.sleep(0.005)
        stop.set()
        thread.join()
        allowed_after += sum(1 for started, _, code in seen if started >= exited and code == 200)
        first = min((done for _, done, code in seen if code == 401 and done >= exited), default=None)
        if first is None:
            raise SystemExit("no 401 within 2 s of delete")
        delays.append((first - exited) * 1000)
    print(f"trials {trials}; requests started after delete exited and allowed: {allowed_after}; "
          f"delay to the first 401: median {statistics.median(delays):.2f} ms, "
          f"p99 {percentile(delays, 99):.2f} ms, max {max(delays):.2f} ms")


def first_sight(binary, db, address, trials):
    before = metric(address, "intergiro_keys_serve_cache_misses_total")
    serve_ms, verify_ms = [], []
    for _ in range(trials):
        key = create(binary, db)
        # The same key, both ways, alternating which goes first.
        for which in (["serve", "verify"] if len(serve_ms) % 2 == 0 else ["verify", "serve"]):
            if which == "serve":
                conn = connect(address)
                conn.connect()
                started = time.perf_counter()
                assert status(conn, key) == 200
                serve_ms.append((time.perf_counter() - started) * 1000)
            else:
                started = time.perf_counter()
                subprocess.run([binary, "--db", db, "verify"], input=key, text=True, check=True,
                               capture_output=True)
                verify_ms.append((time.perf_counter() - started) * 1000)
    runs = metric(address, "intergiro_keys_serve_cache_misses_total") - before
    s, v = statistics.median(serve_ms), statistics.median(verify_ms)
    print(f"first sight of {trials} keys: serve median {s:.1f} ms, verify process median "
          f"{v:.1f} ms, ratio {s / v:.2f}; argon2 runs counted by serve: {runs:.0f}")


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status_file:
        for line in status_file:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit("no VmRSS")


def memory(binary, db, address, pid, keys):
    texts = []
    # Keys made in parallel: each `create` hashes once.
    with open(os.devnull, "w"):
        procs = []
        for _ in range(keys):
            procs.append(subprocess.Popen([binary, "--db", db, "create", "--name", "m",
                                           "--role", "accounts"], stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL, text=True,
                                          env={**os.environ,
                                                          "INTERGIRO_KEYS_BUSY_TIMEOUT": "600"}))
            if len(procs) >= 4:
                texts.append(procs.pop(0).communicate()[0].strip())
        texts.extend(p.communicate()[0].strip() for p in procs)
    entries_before = metric(address, "intergiro_keys_serve_cache_entries")
    before = rss_kib(pid)
    lock = threading.Lock()

    def work(chunk):
        conn = connect(address)
        for text in chunk:
            code = status(conn, text)
            with lock:
                assert code == 200, code

    threads = [threading.Thread(target=work, args=(texts[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    entries = metric(address, "intergiro_keys_serve_cache_entries") - entries_before
    after = rss_kib(pid)
    per_entry = (after - before) * 1024 / max(entries, 1)
    projected = (before * 1024 + per_entry * 100_000) / 2**20
    print(f"{entries:.0f} more keys cached: RSS {before / 1024:.1f} MiB -> {after / 1024:.1f} MiB, "
          f"{per_entry:.0f} bytes per entry; at 100,000 keys: {projected:.1f} MiB")


def main():
    what = sys.argv[1]
    if what == "revocation":
        revocation(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif what == "first-sight":
        first_sight(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif what == "memory":
        memory(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]))
    elif what == "unknown-keys":
        with open(sys.argv[2], "w") as out:
            for _ in range(int(sys.argv[3])):
                out.write(random_key() + "\n")
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
