#!/usr/bin/env bash
# Makes PostgreSQL and Redis available on loopback, from nothing, on Debian/Ubuntu.
# Idempotent: installs only what is missing, starts only what is stopped, and never
# drops or rewrites existing data. Settings come from the environment (see .env.example).
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER_APP=${DGASCOPE_DB_USER:-dgascope}
PGPASSWORD_APP=${DGASCOPE_DB_PASSWORD:-dgascope}
PGDATABASE_APP=${DGASCOPE_DB_NAME:-dgascope}
REDIS_PORT=${REDIS_PORT:-6379}
REDIS_DIR=${REDIS_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/dgascope/redis-$REDIS_PORT}

log() { printf '[services] %s\n' "$*"; }
die() { printf '[services] error: %s\n' "$*" >&2; exit 1; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root (or sudo) for: $*"; fi; }

apt_updated=0
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not found: install $* yourself, or use docker-compose.yml"
  if [ "$apt_updated" -eq 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1; }

# --- PostgreSQL ---------------------------------------------------------------
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
app_login() { command -v psql >/dev/null && PGPASSWORD="$PGPASSWORD_APP" psql -X -q -h "$PGHOST" -p "$PGPORT" -U "$PGUSER_APP" -d "$PGDATABASE_APP" -tAc 'SELECT 1' >/dev/null 2>&1; }
psql_admin() { as_root su postgres -c "psql -X -q -v ON_ERROR_STOP=1 -p $PGPORT $*"; }

if port_open "$PGHOST" "$PGPORT" && ! command -v pg_lsclusters >/dev/null; then
  # Someone else's PostgreSQL (docker compose, a managed server): use it as it is.
  log "PostgreSQL already answers on $PGHOST:$PGPORT (not managed here)"
  if command -v psql >/dev/null && ! app_login; then
    die "cannot log in to $PGDATABASE_APP as $PGUSER_APP on $PGHOST:$PGPORT; create that role and database, or set DGASCOPE_DB_*"
  fi
else
  if [ -z "$(pg_version)" ] || ! command -v pg_ctlcluster >/dev/null; then apt_install postgresql; fi
  PGVER=$(pg_version)
  [ -n "$PGVER" ] || die "PostgreSQL installation not found under /usr/lib/postgresql"
  if ! pg_lsclusters -h 2>/dev/null | awk '{print $1, $2}' | grep -q "^$PGVER main$"; then
    log "creating cluster $PGVER/main"
    as_root pg_createcluster "$PGVER" main -p "$PGPORT" >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main" {print $4}' | grep -q online; then
    log "starting PostgreSQL $PGVER"
    as_root pg_ctlcluster "$PGVER" main start
  fi
  for _ in $(seq 1 60); do
    pg_isready -q -h "$PGHOST" -p "$PGPORT" && break
    sleep 0.5
  done
  pg_isready -q -h "$PGHOST" -p "$PGPORT" || die "PostgreSQL did not become ready on $PGHOST:$PGPORT"
  # CREATEDB: the test suite clones a template database per test file.
  if [ "$(psql_admin "-tAc \"SELECT 1 FROM pg_roles WHERE rolname='$PGUSER_APP'\"")" != "1" ]; then
    log "creating role $PGUSER_APP"
    psql_admin "-c \"CREATE ROLE \\\"$PGUSER_APP\\\" LOGIN CREATEDB PASSWORD '$PGPASSWORD_APP'\""
  fi
  if [ "$(psql_admin "-tAc \"SELECT 1 FROM pg_database WHERE datname='$PGDATABASE_APP'\"")" != "1" ]; then
    log "creating database $PGDATABASE_APP"
    psql_admin "-c \"CREATE DATABASE \\\"$PGDATABASE_APP\\\" OWNER \\\"$PGUSER_APP\\\"\""
  fi
  log "PostgreSQL $PGVER on $PGHOST:$PGPORT (database $PGDATABASE_APP, role $PGUSER_APP)"
fi

# --- Redis --------------------------------------------------------------------
if port_open 127.0.0.1 "$REDIS_PORT"; then
  log "Redis already answers on 127.0.0.1:$REDIS_PORT"
else
  command -v redis-server >/dev/null || apt_install redis-server
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  # BullMQ requires noeviction: an evicted job key is a lost job. The append-only file, synced on
  # every write, keeps every acknowledged job across a Redis crash or restart (job writes are few).
  mkdir -p "$REDIS_DIR"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --maxmemory-policy noeviction \
    --dir "$REDIS_DIR" --save '' --appendonly yes --appendfsync always --logfile /tmp/dgascope-redis.log
  for _ in $(seq 1 40); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.25
  done
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "Redis did not become ready on 127.0.0.1:$REDIS_PORT"
  log "Redis on 127.0.0.1:$REDIS_PORT"
fi
log "ready"
