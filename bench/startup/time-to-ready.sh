#!/usr/bin/env bash
# Time from launching bin/meshery-broker to its "Server is ready" line, for start-up measurements
# (docs/performance.md, "Start-up"). Usage: bench/startup/time-to-ready.sh [rounds]
#   MESHERY_BROKER_CDS=off bench/startup/time-to-ready.sh 3   # without the class data sharing archive
# Each round starts a node on a free loopback port, polls its log every 10 ms, prints the milliseconds, and stops it
# with SIGTERM (the first run with class data sharing on writes the archive when it exits).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds="${1:-3}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for _ in $(seq 1 "$rounds"); do
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  : > "$log"
  t0="$(date +%s%N)"
  bin/meshery-broker -p "$port" -m 0 -a 127.0.0.1 > "$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 1000); do grep -q "Server is ready" "$log" && break; sleep 0.01; done
  t1="$(date +%s%N)"
  echo "$(( (t1 - t0) / 1000000 )) ms to Server is ready"
  kill -TERM "$pid"
  wait "$pid" || true
done
