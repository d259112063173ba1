#!/usr/bin/env bash
# Stops the API and dashboard started by scripts/demo.sh (PostgreSQL and Redis keep running).
set -uo pipefail
cd "$(dirname "$0")/.."
for name in api dashboard; do
  pidfile=.dgascope/$name.pid
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  # The dashboard pid is npx's; stop its whole process group's children too.
  pkill -TERM -P "$pid" 2>/dev/null
  kill -TERM "$pid" 2>/dev/null && [ "${1:-}" != "--quiet" ] && echo "stopped $name ($pid)"
  rm -f "$pidfile"
done
exit 0
