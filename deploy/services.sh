#!/usr/bin/env bash
# Make sure PostgreSQL (with PostGIS) and Redis run on 127.0.0.1, using those
# already running and starting them when not; create the superuser role the
# test runner needs (it runs CREATE EXTENSION postgis in the test database).
# Prints the DATABASE_URL and CELERY_BROKER_URL to use.
source "$(dirname "$0")/lib.sh"

PGPORT="${PGPORT:-5432}"
if ! pg_isready -q -h 127.0.0.1 -p "$PGPORT"; then
  version="$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)"
  if [ -z "$version" ]; then
    version=15
    $SUDO pg_createcluster "$version" main >/dev/null
  fi
  say "starting PostgreSQL $version"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
    || $SUDO pg_ctlcluster "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$PGPORT" && break; sleep 0.5; done
fi
pg_isready -q -h 127.0.0.1 -p "$PGPORT" || { echo "PostgreSQL did not start on 127.0.0.1:$PGPORT" >&2; exit 1; }

role_sql="DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gridgov') THEN
    CREATE ROLE gridgov LOGIN SUPERUSER PASSWORD 'gridgov';
  END IF;
END \$\$;
SELECT 1 FROM pg_database WHERE datname = 'gridgov'"
if PGPASSWORD=gridgov psql -qtA -h 127.0.0.1 -p "$PGPORT" -U gridgov -d postgres -c "select 1" >/dev/null 2>&1; then
  :
elif psql -qtA -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "$role_sql" >/dev/null 2>&1; then
  :
else
  as_postgres psql -qtA -p "$PGPORT" -d postgres -c "$role_sql" >/dev/null
fi
if [ -z "$(PGPASSWORD=gridgov psql -qtA -h 127.0.0.1 -p "$PGPORT" -U gridgov -d postgres -c "SELECT 1 FROM pg_database WHERE datname='gridgov'")" ]; then
  PGPASSWORD=gridgov createdb -h 127.0.0.1 -p "$PGPORT" -U gridgov gridgov
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  say "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/gridgov-redis.log
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.25; done
fi
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "Redis did not start on 127.0.0.1:6379" >&2; exit 1; }
