#!/usr/bin/env bash
# Trains the ahead-of-time cache bin/meshery-broker keeps on JDK 25+ (docs/performance.md, "Java 25") with the
# traffic of the benchmark's nats.go scenarios, so that every server process of a bin/bench run starts from the same
# cache. A node in service records its own first run instead. Usage: bench/startup/train-aot.sh
# Runs a node, drives it with the nats.go harness (pub/sub, fan-out, queue, 64 KiB, request-reply, many requesters,
# connections), stops it (it writes its recording at exit), starts and stops a second node (which makes the cache
# in the background), and waits until the cache is there. Needs Go and nats.go, as the go-* scenarios do.
set -euo pipefail
cd "$(dirname "$0")/../.."
harness=bench/target/natsgo-bench
if [[ ! -x "$harness" ]] || [[ bench/clients/go-bench/main.go -nt "$harness" ]]; then
  mkdir -p bench/target
  (cd bench/clients/go-bench && GO111MODULE=off GOPATH="${BENCH_GOPATH:-/usr/share/gocode}" \
    GOCACHE="$PWD/../../target/go-cache" go build -o ../../target/natsgo-bench .)
fi
cds_dir="${MESHERY_BROKER_CDS_DIR:-broker-node/target/cds}"
rm -f "$cds_dir"/node-*.aot "$cds_dir"/node-*.aotconf.*
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
start() {
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  : > "$log"
  bin/meshery-broker -p "$port" -m 0 -a 127.0.0.1 > "$log" 2>&1 &
  pid=$!
  for _ in $(seq 1 3000); do grep -q "Server is ready" "$log" && return 0; sleep 0.1; done
  echo "the node did not start: $(cat "$log")" >&2
  exit 1
}
start
for s in pub:3000000 pubsub:2000000 fanout:500000 queue:1000000 pubsub64k:20000 reqrep:20000 reqmany:100000 conns:1000; do
  "$harness" -scenario "${s%%:*}" -count "${s##*:}" -url "nats://127.0.0.1:$port" | grep -E '^(value|problem)' || true
done
kill -TERM "$pid"; wait "$pid" || true
start
kill -TERM "$pid"; wait "$pid" || true
for _ in $(seq 1 1200); do
  if compgen -G "$cds_dir/node-*.aot" > /dev/null; then echo "cache: $(ls "$cds_dir"/node-*.aot)"; exit 0; fi
  sleep 0.1
done
echo "no cache in $cds_dir after 120 s (is the node's java older than 25?)" >&2
exit 1
