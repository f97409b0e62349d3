#!/usr/bin/env bash
# One server versus two behind nginx, on PostgreSQL with Redis and NATS:
# the trivial handler, the note API and likes through the load balancer,
# first with one upstream, then with both, in one run.
#
#   bench/cluster.sh     # seeds DB on first run (SEED_ARGS, default 20k users, 200k notes, 2M interactions)
#   DURATION=20s CONNS=64 bench/cluster.sh
#
# Settings: DB (postgres://postgres@127.0.0.1:5432/redmark_bench_cluster), REDIS (redis://127.0.0.1:6379/2),
# NATS (nats://127.0.0.1:4222). nginx and wrk come from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_DIR=$PWD/bench BENCH_OUT=$PWD/bench/out/cluster
DB=${DB:-postgres://postgres@127.0.0.1:5432/redmark_bench_cluster?sslmode=disable}
REDIS=${REDIS:-redis://127.0.0.1:6379/2}
NATS=${NATS:-nats://127.0.0.1:4222}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-5s}
CONNS=${CONNS:-64}
LB=127.0.0.1:8190
mkdir -p "$BENCH_OUT/nginx-tmp"
for cmd in wrk nginx; do command -v $cmd >/dev/null || { echo "$cmd is needed: apt-get install wrk nginx-light"; exit 1; }; done

go build -o "$BENCH_OUT/redmark" ./cmd/redmark
dbname=${DB##*/}; dbname=${dbname%%\?*}
if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $dbname"
  "$BENCH_OUT/redmark" seed --db "$DB" --data "$BENCH_OUT/seed" ${SEED_ARGS:---users 20000 --notes 200000 --interactions 2000000}
fi

export REDMARK_SECRET=${REDMARK_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  nginx -p "$BENCH_OUT" -c "$BENCH_OUT/nginx.conf" -s quit 2>/dev/null || true
}
trap cleanup EXIT INT TERM
start() { # n
  mkdir -p "$BENCH_OUT/server$1"
  REDMARK_NODE_ID=bench$1 "$BENCH_OUT/redmark" serve --addr 127.0.0.1:$((8190 + $1)) --data "$BENCH_OUT/server$1" \
    --db "$DB" --redis "$REDIS" --nats "$NATS" --nats-prefix redmark_bench --redis-prefix rmbench \
    --no-rate-limits --trust-proxy 2>"$BENCH_OUT/server$1.log" &
  pids+=($!)
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$((8190 + $1))/readyz" >/dev/null && break; sleep 0.5; done
  wait_idle $! "server $1"
}
# A server is ready before its start-up work is done (search index rebuild,
# recommender build, catching up on the event stream); measuring then would
# measure that work. Wait until its process uses under a tenth of a core for
# two 2-second windows in a row (at most IDLE_TIMEOUT seconds).
wait_idle() { # pid label
  local start=$SECONDS calm=0 before after
  ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
  before=$(ticks "$1")
  while [ $calm -lt 2 ] && [ $((SECONDS - start)) -lt "${IDLE_TIMEOUT:-900}" ]; do
    sleep 2
    after=$(ticks "$1")
    if [ $((after - before)) -lt $(( $(getconf CLK_TCK) / 5 )) ]; then calm=$((calm + 1)); else calm=0; fi
    before=$after
  done
  echo "$2 idle after $((SECONDS - start)) s" >&2
}
balance() { # upstream servers…
  local ups=""
  for n in "$@"; do ups+="server 127.0.0.1:$((8190 + n)); "; done
  cat >"$BENCH_OUT/nginx.conf" <<CONF
worker_processes 1;
error_log $BENCH_OUT/nginx-error.log;
pid $BENCH_OUT/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  upstream redmark { $ups keepalive 128; }
  server {
    listen $LB;
    location / { proxy_pass http://redmark; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
  if [ -f "$BENCH_OUT/nginx.pid" ] && kill -0 "$(cat "$BENCH_OUT/nginx.pid")" 2>/dev/null; then
    nginx -p "$BENCH_OUT" -c "$BENCH_OUT/nginx.conf" -s reload; sleep 1
  else
    nginx -p "$BENCH_OUT" -c "$BENCH_OUT/nginx.conf" -g "daemon on;"
  fi
}
run() { # label script path
  local out
  [ "$WARMUP" = 0 ] || wrk -t2 -c"$CONNS" -d"$WARMUP" ${2:+-s "$BENCH_DIR/$2"} "http://$LB$3" >/dev/null
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency ${2:+-s "$BENCH_DIR/$2"} "http://$LB$3")
  printf "%-32s %10s %9s %9s\n" "$1" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
  if grep -q "Non-2xx" <<<"$out"; then grep "Non-2xx" <<<"$out" | sed 's/^/    /'; fi
}
round() { # label
  run "$1: baseline (trivial)" "" /bench/baseline
  run "$1: note API (JSON)" note_api.lua /
  run "$1: like/unlike API" like.lua /
}

start 1
balance 1
go run ./bench/prep --db "$DB" --url "http://$LB" --out "$BENCH_OUT" --users 100
printf "\n%-32s %10s %9s %9s\n" "through nginx" "req/s" p50 p99
round "1 server"
start 2
balance 1 2
round "2 servers"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
