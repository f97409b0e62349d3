#!/usr/bin/env bash
# Checkout benchmark: concurrent shoppers do cart → order → sandbox pay on
# the demo shop's catalog against an in-process server over HTTP, then the
# program checks the shop's invariants in the database. Prints orders/s,
# p50/p99 per step and the invariant checks.
#
#   bench/checkout.sh                                   # SQLite, 32 shoppers, 20 s
#   SHOPPERS=64 DURATION=30s bench/checkout.sh
#   DB=postgres://user:pass@localhost/empty_db bench/checkout.sh
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./bench/checkout -shoppers "${SHOPPERS:-32}" -duration "${DURATION:-20s}" ${DB:+-db "$DB"}
