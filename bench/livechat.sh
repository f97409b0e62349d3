#!/usr/bin/env bash
# Live chat fan-out benchmark: CONNS chat streams (SSE) in one room on the
# real server stack, RATE messages a second for DURATION, each stream
# timing every message from send to receipt; the trivial handler is timed
# in the same run (idle, and during the fan-out). Prints fan-out p50/p99,
# deliveries, drops, the server's RSS and the load average.
#
#   bench/livechat.sh
#   CONNS=10000 RATE=20 DURATION=60s bench/livechat.sh
#   ADDR=127.0.0.1:8193 ... to use another port
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH_OUT=$PWD/bench/out
CONNS=${CONNS:-10000}
RATE=${RATE:-20}
DURATION=${DURATION:-60s}
ADDR=${ADDR:-127.0.0.1:8093}
mkdir -p "$BENCH_OUT"
# One descriptor per stream in each process (server, load), plus some:
# raise the soft limit up to the hard one, or say why not.
WANT=$((CONNS + 1000))
HARD=$(ulimit -Hn)
if [ "$HARD" != unlimited ] && [ "$HARD" -lt "$WANT" ]; then
  echo "ulimit -Hn $HARD is too low for $CONNS streams (need $WANT): raise it (limits.conf, systemd LimitNOFILE, docker --ulimit nofile)"
  exit 1
fi
[ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$WANT" ] && ulimit -n "$WANT"
echo "ulimit -n $(ulimit -n) for $CONNS streams"
go build -o "$BENCH_OUT/livechat" ./bench/livechat

DATA=$BENCH_OUT/livechat-data
rm -rf "$DATA"
REDMARK_LOG_LEVEL=warn "$BENCH_OUT/livechat" serve --data "$DATA" --out "$BENCH_OUT" --addr $ADDR 2>"$BENCH_OUT/livechat-server.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf http://$ADDR/readyz >/dev/null && break; sleep 0.2; done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$BENCH_OUT/livechat" load --addr $ADDR --out "$BENCH_OUT" --conns "$CONNS" --rate "$RATE" --duration "$DURATION" --server-pid $PID
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
