#!/usr/bin/env python3
"""Images/s of neardup.describe() from Python against the CLI on the same folder.

Usage: PYTHONPATH=build/python /usr/bin/python3 bench/python_describe.py DIR [METHOD...]
       [--cli build/neardup] [--repeats 3]

For each method (default: pdq8 and cnn:mobilenet_v2), alternating the two so that drift of a noisy
machine hits both alike, each run on all cores and without a cache:
  cli      `neardup find --no-cache -q -m METHOD DIR`, wall time of the whole process (decode,
           describe, and the search and grouping, which are a small part at these sizes);
  python   a fresh `python3 -c 'import neardup; neardup.describe(files, METHOD)'` process, wall
           time of the whole process (interpreter start and import included);
  call     the describe() call alone, inside that process.
Prints images/s (the median and the best of the repeats) and python/cli: 1.0 = no cost, 0.95 = the
binding costs 5%.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".tif", ".tiff", ".bmp", ".gif")

CHILD = r"""
import json, sys, time
import neardup
files = json.load(open(sys.argv[1]))
start = time.perf_counter()
out = neardup.describe(files, sys.argv[2])
print(json.dumps({"call_s": time.perf_counter() - start, "rows": out.shape[0]}))
"""


def timed(cmd, env=None):
    start = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    if r.returncode not in (0, 1):
        sys.exit("failed: %s\n%s" % (" ".join(cmd), r.stderr))
    return wall, r.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("methods", nargs="*", default=["pdq8", "cnn:mobilenet_v2"])
    ap.add_argument("--cli", default="build/neardup")
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    files = sorted(os.path.join(a.dir, f) for f in os.listdir(a.dir)
                   if f.lower().endswith(EXTENSIONS))
    list_file = "/tmp/neardup-python-bench-files.json"
    with open(list_file, "w") as f:
        json.dump(files, f)
    env = dict(os.environ, XDG_CACHE_HOME="/tmp/neardup-python-bench-cache")
    print("%d images in %s, %d cores, %d runs each, alternating" % (len(files), a.dir,
                                                                   os.cpu_count(), a.repeats))
    print("%-18s %-6s %10s %10s %10s %8s %8s" % ("method", "of", "cli img/s", "py img/s",
                                               "call img/s", "py/cli", "call/cli"))
    for method in a.methods:
        cli, py, call = [], [], []
        for _ in range(a.repeats):
            wall, _ = timed([a.cli, "find", "--no-cache", "-q", "-m", method, a.dir], env)
            cli.append(wall)
            wall, out = timed([sys.executable, "-c", CHILD, list_file, method], env)
            got = json.loads(out)
            assert got["rows"] == len(files)
            py.append(wall)
            call.append(got["call_s"])
        n = len(files)
        for label, pick in (("median", statistics.median), ("best", min)):
            c, p, k = (pick(x) for x in (cli, py, call))
            print("%-18s %-6s %10.1f %10.1f %10.1f %8.3f %8.3f" % (method, label, n / c, n / p,
                                                                 n / k, c / p, c / k))


if __name__ == "__main__":
    main()
