#!/usr/bin/env python3
"""Times commands interleaved, in rotating order, so that drifts in a shared
machine's speed hit all of them alike; prints a Markdown table of medians and
quartiles, relative to the first command, the median CPU time (user + system,
of the command and everything it started: less disturbed than wall time by
other work on the machine) relative to the first command's, and each
command's peak memory
(the largest resident set, from one more run under GNU time: a process forked
from Python would start with Python's resident set).

Usage: interleave.py RUNS NAME=COMMAND [NAME=COMMAND ...]
Each COMMAND is run by the shell; the first 3 rounds are a warm-up.
"""
import os
import resource
import statistics
import subprocess
import sys
import time

runs = int(sys.argv[1])
cases = [arg.split("=", 1) for arg in sys.argv[2:]]
times = {name: [] for name, _ in cases}
cpu = {name: [] for name, _ in cases}
for i in range(runs + 3):
    shift = i % len(cases)
    for name, command in cases[shift:] + cases[:shift]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if i >= 3:
            times[name].append((time.perf_counter() - start) * 1000)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu[name].append((after.ru_utime + after.ru_stime
                              - before.ru_utime - before.ru_stime) * 1000)


def peak(command):
    """The largest resident set in MiB of the shell running `command` and its
    children (the shell execs a simple command, so then the command's own)."""
    gnu_time = "/usr/bin/time"
    if not os.access(gnu_time, os.X_OK):
        return "–"
    out = subprocess.run([gnu_time, "-f", "%M", "sh", "-c", command + " >/dev/null 2>&1"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return f"{int(out.stderr.strip().splitlines()[-1]) / 1024:.1f}"


base = statistics.median(times[cases[0][0]])
cpu_base = statistics.median(cpu[cases[0][0]])
print("| case | median [ms] | quartiles [ms] | relative | CPU [ms] | CPU relative | peak [MiB] |")
print("|---|---:|---:|---:|---:|---:|---:|")
for name, command in cases:
    q = statistics.quantiles(times[name], n=4)
    median = statistics.median(times[name])
    cpu_median = statistics.median(cpu[name])
    print(f"| {name} | {median:.1f} | {q[0]:.1f} – {q[2]:.1f} | {median / base:.3f} "
          f"| {cpu_median:.1f} | {cpu_median / cpu_base:.3f} | {peak(command)} |")
