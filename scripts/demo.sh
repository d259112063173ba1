#!/usr/bin/env bash
# The README's first command: from a fresh clone to a running dgascope on the demo data.
# Installs dependencies, starts PostgreSQL and Redis, applies migrations, builds, ingests the
# earlier demo feed and the benign list, and starts the API, a worker and the dashboard in the
# background (logs and pids in .dgascope/), then walks the analyst's loop (scripts/demo-model.mjs):
# import the demo's model (data/demo/model, built by `npm run demo:model`) and promote it, the later
# feed arrives and is evaluated, retrain with a warm start, evaluate.
# Safe to run again: it ingests nothing twice, runs the loop only when no model is promoted, and
# restarts the processes.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 TURBO_TELEMETRY_DISABLED=1
bash scripts/ensure-env.sh
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

step "ingesting the earlier demo feed and the benign list (data/demo; the later feed comes during the loop)"
cli() { node apps/api/dist/cli/main.js "$@"; }
# Dated by their content: the feed by its "Feed generated at" header, the top list (no date inside)
# by its list date. The same files and dates as scripts/demo-lib.mjs (DEMO_FILES, BENIGN_TAKEN_AT).
cli ingest data/demo/dga-feed-high-2018-10-14.csv.gz --feed bambenek
cli ingest data/demo/umbrella-top30k-2026-07-06.csv.zip --feed umbrella --taken-at 2026-07-06

step "starting the API, a worker and the dashboard"
bash scripts/demo-stop.sh --quiet
nohup node apps/api/dist/main.js > "$STATE/api.log" 2>&1 &
echo $! > "$STATE/api.pid"
nohup node apps/api/dist/workers/main.js > "$STATE/worker.log" 2>&1 &
echo $! > "$STATE/worker.pid"
# `next start <dir>` runs the built dashboard; $! is then the server itself.
DGASCOPE_API_URL="http://${HOST:-127.0.0.1}:${PORT:-4000}/graphql" nohup node_modules/.bin/next start apps/dashboard -p "${DASHBOARD_PORT:-3000}" -H "${HOST:-127.0.0.1}" > "$STATE/dashboard.log" 2>&1 &
echo $! > "$STATE/dashboard.pid"

API="http://${HOST:-127.0.0.1}:${PORT:-4000}"
for _ in $(seq 1 60); do
  curl -fs "$API/healthz" > /dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "$API/healthz" > /dev/null || { echo "the API did not start; see $STATE/api.log" >&2; tail -20 "$STATE/api.log" >&2; exit 1; }

step "the analyst's loop: import the demo's model, the later feed arrives, review, retrain with a warm start, evaluate (a few minutes)"
node scripts/demo-model.mjs

cat <<MSG

dgascope is up on the demo data:
  GraphQL API   $API/graphql
  Dashboard     http://${HOST:-127.0.0.1}:${DASHBOARD_PORT:-3000}
  Worker        npm run worker (one is running; start more on any host with the same .env)
  Admin key     the ADMIN_API_KEY in .env
  Logs          $STATE/*.log        Stop: npm run demo:stop
MSG
cat "$STATE/demo-hints.txt"
