#!/usr/bin/env bash
# Load bench of `neardup serve --index` (issue 16; not CI): builds an index of REF_DIR, starts the
# server, sends REQUESTS uploads of the images of QUERY_DIR from CLIENTS concurrent clients
# (bench/serve_load_bench.cc), and prints requests/s, latency, statuses and the server's peak RSS
# (VmHWM). Extra arguments go to `serve` (e.g. --workers 8 --max-queue 64 --heavy 2).
# Usage: bench/serve_load.sh REF_DIR QUERY_DIR METHOD [CLIENTS] [REQUESTS] [SERVE_ARGS...]
set -euo pipefail
refs=${1:?usage: bench/serve_load.sh REF_DIR QUERY_DIR METHOD [CLIENTS] [REQUESTS] [SERVE_ARGS...]}
queries=${2:?query dir}
method=${3:?method}
clients=${4:-100}
requests=${5:-1000}
shift $(( $# < 5 ? $# : 5 ))
nd=${BUILD_DIR:-build}/neardup
work=$(mktemp -d)
mkdir -p "$work/empty"
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
$nd index create "$work/ix" -m "$method" >/dev/null
/usr/bin/time -f "index add: %e s" $nd index add "$work/ix" "$refs" -q
$nd serve "$work/empty" --index "$work/ix" --bind 127.0.0.1:0 --no-cache -q "$@" > "$work/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "listening" "$work/out" && break; sleep 0.2; done
port=$(grep -o "127.0.0.1:[0-9]*" "$work/out" | head -1 | cut -d: -f2)
echo "server pid $pid port $port, RSS at start: $(grep VmRSS /proc/$pid/status | awk '{print $2/1024 " MB"}')"
${BUILD_DIR:-build}/bench/serve_load_bench "$port" "$queries" --clients "$clients" --requests "$requests" || echo "FAILED REQUESTS"
echo "server peak RSS (VmHWM): $(grep VmHWM /proc/$pid/status | awk '{print $2/1024 " MB"}')"
curl -s "127.0.0.1:$port/metrics" | grep -E "rejected_total|images_described_total" || true
