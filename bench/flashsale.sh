#!/usr/bin/env bash
# Flash-sale benchmark: 50,000 distinct signed-in shoppers rush 1,000 units
# (limit 1 each) with wrk, next to the trivial handler in the same run, in
# embedded mode and with Redis. Prints attempts/s, p50, p99, the answers,
# and the invariant check afterwards.
#
#   bench/flashsale.sh                      # both modes
#   MODES=embedded bench/flashsale.sh       # one mode
#   REDIS_URL=redis://127.0.0.1:6379/0 DURATION=20s CONNS=64 USERS=50000 STOCK=1000 SETTLE=20 bench/flashsale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_DIR=$PWD/bench BENCH_OUT=$PWD/bench/out
DURATION=${DURATION:-20s}
CONNS=${CONNS:-64}
USERS=${USERS:-50000}
STOCK=${STOCK:-1000}
MODES=${MODES:-embedded redis}
REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}
ADDR=127.0.0.1:8091
mkdir -p "$BENCH_OUT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
go build -o "$BENCH_OUT/redmark" ./cmd/redmark
go build -o "$BENCH_OUT/flashprep" ./bench/flashprep

PID=
trap '[ -n "$PID" ] && kill $PID 2>/dev/null; wait 2>/dev/null' EXIT

run() { # name script path
  local out rps p50 p99
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency ${2:+-s "$BENCH_DIR/$2"} "http://$ADDR$3")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf "%-26s %10s %9s %9s\n" "$1" "$rps" "$p50" "$p99"
  grep -E "Non-2xx|Socket errors" <<<"$out" | sed 's/^/    /' || true
}

for mode in $MODES; do
  DATA=$BENCH_OUT/flash-$mode
  rm -rf "$DATA"
  REDIS_ARGS=()
  if [ "$mode" = redis ]; then REDIS_ARGS=(--redis "$REDIS_URL"); fi
  "$BENCH_OUT/flashprep" prep --data "$DATA" --out "$BENCH_OUT" --users "$USERS" --stock "$STOCK"
  REDMARK_LOG_LEVEL=warn "$BENCH_OUT/redmark" serve --data "$DATA" --addr $ADDR --no-rate-limits "${REDIS_ARGS[@]}" &
  PID=$!
  for _ in $(seq 1 100); do curl -sf http://$ADDR/readyz >/dev/null && break; sleep 0.2; done
  # Let start-up work finish first (the search index catches up on the
  # 50,000 new users in the background).
  sleep "${SETTLE:-20}"
  echo
  echo "== $mode mode: $USERS shoppers, $STOCK units, $CONNS connections, $DURATION each"
  printf "%-26s %10s %9s %9s\n" endpoint "req/s" p50 p99
  run "baseline (trivial)" "" /bench/baseline
  run "flash purchase attempts" flash.lua /
  run "baseline (again)" "" /bench/baseline
  echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$PID/status)"
  kill $PID; wait $PID 2>/dev/null || true
  PID=
  "$BENCH_OUT/flashprep" verify --data "$DATA" ${REDIS_ARGS[@]:+--redis "$REDIS_URL"}
done
