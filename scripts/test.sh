#!/usr/bin/env bash
# The whole test suite, as the README's second command: services, build, every test.
# Extra arguments go to vitest (e.g. `npm test -- --project api`).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1
export DATABASE_URL=${DATABASE_URL:-postgresql://dgascope:dgascope@127.0.0.1:5432/dgascope}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}

[ -d node_modules ] || npm ci --no-audit --no-fund
bash scripts/services.sh
bash scripts/ensure-chromium.sh
npx turbo run build --output-logs=errors-only
npx vitest run "$@"
