#!/usr/bin/env bash
# Stops the API, worker and dashboard started by scripts/demo.sh (PostgreSQL and Redis keep running).
set -uo pipefail
cd "$(dirname "$0")/.."
for name in api worker dashboard; do
  pidfile=.dgascope/$name.pid
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  pkill -TERM -P "$pid" 2>/dev/null # next start runs its server in a child process
  kill -TERM "$pid" 2>/dev/null && [ "${1:-}" != "--quiet" ] && echo "stopped $name ($pid)"
  rm -f "$pidfile"
done
exit 0
