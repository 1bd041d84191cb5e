#!/bin/sh
# Bandeja container entrypoint. The first argument picks the role:
#   api      apply pending migrations (unless MIGRATE_ON_START=false), run the seed when
#            SEED_ON_START=true, then serve HTTP
#   worker   run the queue worker (expects migrations to be applied already)
#   migrate  apply pending migrations and exit
#   seed     run the seed and exit
#   anything else is executed as given, e.g. `sh` or `node -e '...'`
set -eu

# The image keeps the app in /app; resolve it from this script so it also runs from a checkout.
cd "$(dirname "$0")/.."

API_MAIN=dist/apps/api/apps/api/src/main.js
WORKER_MAIN=dist/apps/worker/apps/worker/src/main.js
SEED_MAIN=dist/apps/api/prisma/seed.js

# While the database is not reachable yet (container start order, DNS, Postgres still
# initialising) `prisma migrate deploy` is retried; any other failure stops at once.
MIGRATE_ATTEMPTS=30
MIGRATE_DELAY_SECONDS=2

log() {
  printf '%s [entrypoint] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2
}

migrate() {
  attempt=1
  while :; do
    if output=$(npx --no prisma migrate deploy 2>&1); then
      printf '%s\n' "$output"
      return 0
    fi
    printf '%s\n' "$output" >&2
    case $output in
      *P1001* | *P1002* | *P1017* | *"Can't reach database server"* | \
        *"database system is starting up"* | *"database system is shutting down"*) ;;
      *)
        log 'migrations failed; not retrying'
        return 1
        ;;
    esac
    if [ "$attempt" -ge "$MIGRATE_ATTEMPTS" ]; then
      log "database still unreachable after $attempt attempts; giving up"
      return 1
    fi
    log "database not reachable yet (attempt $attempt/$MIGRATE_ATTEMPTS); retrying in ${MIGRATE_DELAY_SECONDS}s"
    attempt=$((attempt + 1))
    sleep "$MIGRATE_DELAY_SECONDS"
  done
}

seed() {
  if [ ! -f "$SEED_MAIN" ]; then
    log "no compiled seed at $SEED_MAIN"
    return 1
  fi
  log 'running seed'
  node "$SEED_MAIN"
}

role=${1:-api}

case $role in
  api)
    if [ "${MIGRATE_ON_START:-true}" != 'false' ]; then
      migrate
    else
      log 'MIGRATE_ON_START=false: skipping migrations'
    fi
    if [ "${SEED_ON_START:-false}" = 'true' ]; then
      seed
    fi
    exec node "$API_MAIN"
    ;;
  worker)
    exec node "$WORKER_MAIN"
    ;;
  migrate)
    migrate
    ;;
  seed)
    seed
    ;;
  *)
    exec "$@"
    ;;
esac
