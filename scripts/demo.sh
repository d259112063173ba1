#!/usr/bin/env bash
# The README's first command: from a fresh clone to a running dgascope on the demo data.
# Installs dependencies, starts PostgreSQL and Redis, applies migrations, builds, ingests
# data/demo/, and starts the API and the dashboard in the background (logs and pids in
# .dgascope/). Safe to run again: it ingests nothing twice and restarts the processes.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1
[ -f .env ] || cp .env.example .env
set -a; . ./.env; set +a
STATE=.dgascope
mkdir -p "$STATE"

step() { printf '\n==> %s\n' "$*"; }

step "installing dependencies"
[ -d node_modules ] || npm ci --no-audit --no-fund

step "starting PostgreSQL and Redis"
bash scripts/services.sh

step "applying migrations"
npm run db:migrate --silent

step "building"
npx turbo run build --output-logs=errors-only

step "ingesting the demo data (data/demo)"
cli() { node apps/api/dist/cli/main.js "$@"; }
cli ingest data/demo/dga-feed-high-2018-10-14.csv.gz --feed bambenek-high
cli ingest data/demo/dga-feed-2018-12-31.csv.gz --feed bambenek
cli ingest data/demo/umbrella-top30k-2026-07-06.csv.zip --feed umbrella

step "starting the API and the dashboard"
bash scripts/demo-stop.sh --quiet
nohup node apps/api/dist/main.js > "$STATE/api.log" 2>&1 &
echo $! > "$STATE/api.pid"
(cd apps/dashboard && nohup npx next start -p "${DASHBOARD_PORT:-3000}" -H "${HOST:-127.0.0.1}" > "../../$STATE/dashboard.log" 2>&1 & echo $! > "../../$STATE/dashboard.pid")

API="http://${HOST:-127.0.0.1}:${PORT:-4000}"
for _ in $(seq 1 60); do
  curl -fs "$API/healthz" > /dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "$API/healthz" > /dev/null || { echo "the API did not start; see $STATE/api.log" >&2; tail -20 "$STATE/api.log" >&2; exit 1; }

cat <<MSG

dgascope is up on the demo data:
  GraphQL API   $API/graphql
  Dashboard     http://${HOST:-127.0.0.1}:${DASHBOARD_PORT:-3000}
  Admin key     the ADMIN_API_KEY in .env
  Logs          $STATE/*.log        Stop: npm run demo:stop
Try:
  node apps/api/dist/cli/main.js unseen 1 2
  curl -s $API/graphql -H 'content-type: application/json' \\
    -d '{"query":"{ unseenFamilies(a: 1, b: 2) { appearedFraction appeared { family count fraction } } }"}'
MSG
