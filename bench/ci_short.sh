#!/usr/bin/env bash
# The benchmarks' short modes for CI, on one fresh PostgreSQL database (dropped at the end):
# bench/search.py --short loads the short data once (demo-data --credits 20000 --seed 3
# --as-of 2026-11-26 --bulk, phones, people), then bench/cob.py --short (first close, then the
# timed close with 1 % new events) and bench/web.py --short on the same data. Each exits non-zero
# when its ratio is worse than bench/bounds.json; this script exits non-zero if any fails.
# Usage: bench/ci_short.sh [database name]   (default recupera_ci_bench_<pid>)
set -uo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
db="${1:-recupera_ci_bench_$$}"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db" >/dev/null
trap 'psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true' EXIT
started=$SECONDS
failed=()
run() {
  local name=$1; shift
  local t0=$SECONDS
  echo "== $name"
  if "$@" > "bench/results/ci-$name.log" 2>&1; then
    echo "   ok ($((SECONDS - t0)) s): $(tail -n 1 "bench/results/ci-$name.log")"
  else
    echo "   FALLA ($((SECONDS - t0)) s); últimas líneas:"
    tail -n 15 "bench/results/ci-$name.log" | sed 's/^/   /'
    failed+=("$name")
  fi
}
mkdir -p bench/results
uptime
run search "$py" bench/search.py --short
run cob "$py" bench/cob.py --short
if [ -f bench/web.py ]; then
  run web "$py" bench/web.py --short
fi
echo "== total $((SECONDS - started)) s; $(uptime)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "fallaron: ${failed[*]}"
  exit 1
fi
