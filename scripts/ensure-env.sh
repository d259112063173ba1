#!/usr/bin/env bash
# Creates .env from .env.example on first run, with a random ADMIN_API_KEY in place of the
# placeholder; an existing .env that still holds the placeholder gets a random key too.
# Usage: scripts/ensure-env.sh [directory holding .env.example]   (default: the repository root)
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
PLACEHOLDER='change-me-to-a-long-random-string'
[ -f .env ] || cp .env.example .env
if grep -q "^ADMIN_API_KEY=${PLACEHOLDER}\$" .env; then
  key=$(node -e "process.stdout.write(require('node:crypto').randomBytes(24).toString('base64url'))")
  tmp=$(mktemp)
  sed "s/^ADMIN_API_KEY=${PLACEHOLDER}\$/ADMIN_API_KEY=${key}/" .env >"$tmp"
  cat "$tmp" >.env
  rm -f "$tmp"
  chmod 600 .env
  echo "[env] wrote a random ADMIN_API_KEY into $(pwd)/.env"
fi
