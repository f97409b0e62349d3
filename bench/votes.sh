#!/usr/bin/env bash
# Voting benchmark: 20,000 signed-in voters (100 votes a day each) vote for
# 10 nominees with wrk, next to the trivial handler in the same run, in
# embedded mode (SQLite, group commit) and in Redis mode (Lua gate, votes
# landing in batches). Prints votes/s, p50, p99, the ratio to the baseline,
# the load average, the server's peak RSS and the invariant check afterwards
# (in Redis mode also that Redis and the database agree).
#
#   bench/votes.sh                        # both modes
#   MODE=redis bench/votes.sh             # one mode: embedded or redis
#   DURATION=15s CONNS=64 USERS=20000 SETTLE=10 REDIS=redis://127.0.0.1:6379/0 bench/votes.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_DIR=$PWD/bench BENCH_OUT=$PWD/bench/out
DURATION=${DURATION:-15s}
CONNS=${CONNS:-64}
USERS=${USERS:-20000}
MODE=${MODE:-embedded redis}
REDIS=${REDIS:-redis://127.0.0.1:6379/0}
ADDR=127.0.0.1:8092
mkdir -p "$BENCH_OUT"
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk"; exit 1; }
go build -o "$BENCH_OUT/redmark" ./cmd/redmark
go build -o "$BENCH_OUT/voteprep" ./bench/voteprep

PID=
PREFIX=
cleanup() {
  [ -n "$PID" ] && kill $PID 2>/dev/null
  wait 2>/dev/null
  # This run's Redis keys only (its own prefix).
  [ -n "$PREFIX" ] && command -v redis-cli >/dev/null &&
    redis-cli -u "$REDIS" --scan --pattern "$PREFIX:*" | xargs -r redis-cli -u "$REDIS" del >/dev/null
  true
}
trap cleanup EXIT

BASE=
run() { # name script path
  local out rps p50 p99 ratio=""
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency ${2:+-s "$BENCH_DIR/$2"} "http://$ADDR$3")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  if [ -z "$2" ]; then BASE=$rps; elif [ -n "$BASE" ]; then ratio=$(awk -v a="$rps" -v b="$BASE" 'BEGIN {printf "%.2f", a / b}'); fi
  printf "%-26s %10s %9s %9s %7s   load %s\n" "$1" "$rps" "$p50" "$p99" "$ratio" "$(cut -d' ' -f1-3 /proc/loadavg)"
  grep -E "Non-2xx|Socket errors" <<<"$out" | sed 's/^/    /' || true
}

for mode in $MODE; do
  DATA=$BENCH_OUT/votes-$mode
  rm -rf "$DATA"
  "$BENCH_OUT/voteprep" prep --data "$DATA" --out "$BENCH_OUT" --users "$USERS"
  extra=() verify=()
  case $mode in
    embedded) ;;
    redis)
      PREFIX=rmbench$$
      extra=(--redis "$REDIS" --redis-prefix "$PREFIX")
      verify=(--redis "$REDIS" --redis-prefix "$PREFIX") ;;
    *) echo "MODE: embedded or redis, not $mode"; exit 1 ;;
  esac
  REDMARK_LOG_LEVEL=warn "$BENCH_OUT/redmark" serve --data "$DATA" --addr $ADDR --no-rate-limits "${extra[@]}" &
  PID=$!
  for _ in $(seq 1 100); do curl -sf http://$ADDR/readyz >/dev/null && break; sleep 0.2; done
  sleep "${SETTLE:-10}" # start-up work (search index of the new users) first
  echo
  echo "== $mode mode: $USERS voters, $CONNS connections, $DURATION each"
  printf "%-26s %10s %9s %9s %7s\n" endpoint "req/s" p50 p99 "/base"
  BASE=
  run "baseline (trivial)" "" /bench/baseline
  run "votes" vote.lua /
  run "baseline (again)" "" /bench/baseline
  echo "server peak RSS: $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/$PID/status)"
  kill $PID; wait $PID 2>/dev/null || true
  PID=
  "$BENCH_OUT/voteprep" verify --data "$DATA" "${verify[@]}"
  cleanup
  PREFIX=
done
