#!/bin/bash
# Leader failover of a replicated (R3) stream, measured the same way for meshery-broker and nats-server:
# three local nodes configured alike (client, monitoring and cluster ports only), an R3 file stream, a jnats
# publisher that publishes with Nats-Msg-Id and publishes again after 500 ms without a PubAck; after 200 messages
# the stream's leader gets kill -9; printed: the time from the kill to the next PubAck, the new leader, and that
# the stream holds exactly what was published (no loss, no duplicate).
#
#   bench/failover/failover.sh ours [rounds]     # bin/meshery-broker (built first if needed)
#   bench/failover/failover.sh nats [rounds]     # nats-server on the PATH
#
# Needs: Java 17, Maven (for the jnats jar, already in ~/.m2 after the project's build), nats-server for "nats".
# Listens on 127.0.0.1 only (ports 5422x/5822x/5622x). Cleans up its processes and directories.
set -euo pipefail
which="${1:?ours or nats}"; rounds="${2:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d)"; trap 'pkill -f "$work/n[123].conf" 2>/dev/null || true; rm -rf "$work"' EXIT
jnats="$(ls "$HOME"/.m2/repository/io/nats/jnats/*/jnats-*.jar | grep -v sources | sort -V | tail -1)"
javac -cp "$jnats" -d "$work/classes" "$root/bench/failover/Failover.java"
for i in 1 2 3; do cat > "$work/n$i.conf" <<CONF
server_name: n$i
listen: 127.0.0.1:$((54220+i))
http: 127.0.0.1:$((58220+i))
jetstream { store_dir: "$work/sd$i" }
cluster { name: failover, listen: 127.0.0.1:$((56220+i)), routes: [nats-route://127.0.0.1:56221, nats-route://127.0.0.1:56222, nats-route://127.0.0.1:56223] }
CONF
done
for r in $(seq 1 "$rounds"); do
  rm -rf "$work"/sd*
  for i in 1 2 3; do
    if [ "$which" = nats ]; then nats-server -c "$work/n$i.conf" > "$work/n$i.log" 2>&1 &
    else "$root/bin/meshery-broker" -c "$work/n$i.conf" > "$work/n$i.log" 2>&1 & fi
  done
  for t in $(seq 1 90); do
    c=0; for i in 1 2 3; do curl -s "127.0.0.1:$((58220+i))/routez" | grep -q '"num_routes": *2' && c=$((c+1)); done
    [ "$c" = 3 ] && break; sleep 1
  done
  pids=""; for i in 1 2 3; do pids="$pids,n$i=$(pgrep -f "$work/n$i.conf" | head -1)"; done
  echo -n "$which round $r: "
  java -cp "$jnats:$work/classes" Failover nats://127.0.0.1:54221,nats://127.0.0.1:54222,nats://127.0.0.1:54223 "${pids#,}" 2>/dev/null
  pkill -f "$work/n[123].conf" || true; sleep 1
done
