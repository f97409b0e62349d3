#!/usr/bin/env bash
# A Redmark cluster on this machine: two servers on PostgreSQL, Redis and
# NATS JetStream behind nginx (round robin), each server on its own port.
#
#   deploy/local-cluster.sh          # start (Ctrl-C stops the servers and nginx)
#
# PostgreSQL, Redis and NATS must be running (the same services the tests
# use); nginx is installed from Debian's packages if missing. Settings:
#   DB     (postgres://postgres@127.0.0.1:5432/redmark_cluster?sslmode=disable; created if missing)
#   REDIS  (redis://127.0.0.1:6379/1)   NATS (nats://127.0.0.1:4222)
#   PORT   (8090: the load balancer)    DIR  (deploy/out)
#   MEDIA  (an s3://… media store, see docs/cluster.md; empty: local disk,
#           both servers given the same media directory, one machine)
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DIR:-$PWD/deploy/out}
PORT=${PORT:-8090}
DB=${DB:-postgres://postgres@127.0.0.1:5432/redmark_cluster?sslmode=disable}
REDIS=${REDIS:-redis://127.0.0.1:6379/1}
NATS=${NATS:-nats://127.0.0.1:4222}
mkdir -p "$DIR"

if ! command -v nginx >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi
dbname=${DB##*/}; dbname=${dbname%%\?*}
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$dbname'" | grep -q 1 ||
  psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $dbname"

go build -o "$DIR/redmark" ./cmd/redmark
export REDMARK_SECRET=${REDMARK_SECRET:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  nginx -p "$DIR" -c "$DIR/nginx.conf" -s quit 2>/dev/null || true
}
trap cleanup EXIT INT TERM
for i in 1 2; do
  mkdir -p "$DIR/server$i"
  # One machine: the second server's media directory is the first's.
  [ "$i" = 2 ] && [ ! -e "$DIR/server2/media" ] && ln -s "$DIR/server1/media" "$DIR/server2/media"
  REDMARK_NODE_ID=server$i "$DIR/redmark" serve --addr 127.0.0.1:$((PORT + i)) --data "$DIR/server$i" \
    --db "$DB" --redis "$REDIS" --nats "$NATS" ${MEDIA:+--media "$MEDIA"} --base-url "http://127.0.0.1:$PORT" --trust-proxy \
    $([ "$i" = 1 ] && echo --demo) >"$DIR/server$i.log" 2>&1 &
  pids+=($!)
  # The first server loads the demo into the empty database before the
  # second starts.
  for _ in $(seq 1 300); do curl -fs "http://127.0.0.1:$((PORT + i))/readyz" >/dev/null && break; sleep 1; done
done

cat >"$DIR/nginx.conf" <<CONF
worker_processes 1;
error_log $DIR/nginx-error.log;
pid $DIR/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  client_max_body_size 64m;
  upstream redmark { server 127.0.0.1:$((PORT + 1)); server 127.0.0.1:$((PORT + 2)); keepalive 64; }
  server {
    listen 127.0.0.1:$PORT;
    location / {
      proxy_pass http://redmark;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      proxy_set_header X-Forwarded-For \$remote_addr;
      proxy_buffering off;   # server-sent events (live leaderboards)
      proxy_read_timeout 1h;
    }
  }
}
CONF
mkdir -p "$DIR/nginx-tmp"
nginx -p "$DIR" -c "$DIR/nginx.conf" -g "daemon on;"
echo "Redmark cluster: http://127.0.0.1:$PORT (servers on $((PORT + 1)) and $((PORT + 2)); logs in $DIR)"
wait "${pids[@]}"
