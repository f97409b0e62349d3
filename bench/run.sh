#!/usr/bin/env bash
# Serves a seeded community and loads its hot paths with wrk, next to a
# trivial handler on the same server in the same run. Prints req/s, p50,
# p99 per endpoint and the server's peak RSS.
#
#   bench/run.sh                 # seeds bench/out/data on first run (100k users, 1M notes, 10M interactions)
#   SEED_ARGS="--users 10000 --notes 100000 --interactions 1000000" bench/run.sh   # smaller set
#   DURATION=30s CONNS=64 WARMUP=10s bench/run.sh   # WARMUP=0: measure from cold caches
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_DIR=$PWD/bench BENCH_OUT=$PWD/bench/out
DATA=${DATA:-$BENCH_OUT/data}
DURATION=${DURATION:-20s}
CONNS=${CONNS:-64}
ADDR=127.0.0.1:8089
mkdir -p "$BENCH_OUT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }

go build -o "$BENCH_OUT/redmark" ./cmd/redmark
if [ ! -f "$DATA/redmark.db" ]; then
  "$BENCH_OUT/redmark" seed --data "$DATA" ${SEED_ARGS:-}
fi
# The search index is built ahead (the server would otherwise rebuild a
# missing one in the background while we measure).
if [ ! -f "$DATA/search.built" ]; then
  "$BENCH_OUT/redmark" reindex --data "$DATA"
fi
# Measure a server in its steady state, not one warming up: read the
# database file into the OS page cache (a long-running server's working set
# stays there) and give every endpoint a WARMUP run, not reported, before
# its measured one (a long-running server's caches are warm).
cat "$DATA/redmark.db" >/dev/null
WARMUP=${WARMUP:-10s}
"$BENCH_OUT/redmark" serve --data "$DATA" --addr $ADDR --no-rate-limits 2>"$BENCH_OUT/server.log" &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null' EXIT
for _ in $(seq 1 100); do curl -sf http://$ADDR/readyz >/dev/null && break; sleep 0.2; done
# Measure the steady state: wait for the discover model's first build.
for _ in $(seq 1 600); do grep -q "recommender built" "$BENCH_OUT/server.log" && break; sleep 1; done
go run ./bench/prep --data "$DATA" --url http://$ADDR --out "$BENCH_OUT"

printf "\n%-22s %10s %9s %9s\n" endpoint "req/s" p50 p99
run() { # name script path [connections]
  local out
  [ "$WARMUP" = 0 ] || wrk -t2 -c"${4:-$CONNS}" -d"$WARMUP" ${2:+-s "$BENCH_DIR/$2"} "http://$ADDR$3" >/dev/null
  out=$(wrk -t2 -c"${4:-$CONNS}" -d"$DURATION" --latency ${2:+-s "$BENCH_DIR/$2"} "http://$ADDR$3")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf "%-22s %10s %9s %9s\n" "$1" "$rps" "$p50" "$p99"
  if grep -q "Non-2xx" <<<"$out"; then grep "Non-2xx" <<<"$out" | sed 's/^/    /'; fi
}
run "baseline (trivial)" "" /bench/baseline
run "note page (HTML)" note_page.lua /
run "note API (JSON)" note_api.lua /
run "following feed API" feed.lua /
run "like/unlike API" like.lua /
run "discover feed API" discover.lua /
run "check-in API" checkin.lua /
run "task centre API" tasks.lua /
# The same at 4 connections: latency without 64 requests queued on 2 cores.
run "discover feed (c=4)" discover.lua / 4
run "baseline (again)" "" /bench/baseline
echo
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$PID/status); at the end: $(awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' /proc/$PID/status)"
