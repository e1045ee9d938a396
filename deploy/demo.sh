#!/usr/bin/env bash
# make demo: the district on a map at http://127.0.0.1:8000 on the embedded
# stack (SpatiaLite under var/, Celery on kombu's filesystem transport under var/).
# Idempotent; a second run skips what is done. Ctrl-C stops gunicorn and the worker.
source "$(dirname "$0")/lib.sh"

bash deploy/setup.sh
export DJANGO_SETTINGS_MODULE=gridgov.settings
export CELERY_BROKER_URL="${CELERY_BROKER_URL:-filesystem://}"
export STATIC_MANIFEST="${STATIC_MANIFEST:-1}"
mkdir -p var/celery/out var/celery/processed var/celery/control var/media

say "migrate"
"$PY" manage.py migrate --noinput -v0
say "load the sample district (gis_data/district.gpkg)"
"$PY" manage.py load_district gis_data/district.gpkg
"$PY" manage.py collectstatic --noinput -v0
say "demo accounts"
"$PY" manage.py seed_demo
say "case categories, office hours and holidays; star programme history"
"$PY" manage.py seed_cases
"$PY" manage.py seed_stars
"$PY" manage.py seed_supervision
# A year of sample cases for the desks and dashboards (the full 20,000 with
# DEMO_CASES=20000; the default keeps the first start to a few minutes).
# --plants: a known number of each KPI-gaming pattern for /integrity/ to find.
say "sample cases (simulate_cases --cases ${DEMO_CASES:-3000} --plants; skipped when already there)"
"$PY" manage.py simulate_cases --cases "${DEMO_CASES:-3000}" --plants
say "sample patrol check-ins (seed_patrols --weeks 8; what exists is kept)"
"$PY" manage.py seed_patrols --weeks 8
say "bulletins of past periods, incentives, duty lists, publicity (seed_bulletins; what exists is kept)"
"$PY" manage.py seed_bulletins
say "each demo login's first piece of work"
"$PY" manage.py seed_demo_work

pids=()
stop() {
  trap - INT TERM
  echo
  say "stopping"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
  exit 0
}
trap stop INT TERM

# --beat: the periodic tasks (deadlines, outbox sweeper, star indicators) run in the worker.
"$VENV/bin/celery" -A gridgov worker --beat --schedule=var/celery/beat-schedule --loglevel=warning \
  --concurrency=1 --hostname=demo@%h &
pids+=($!)
"$VENV/bin/gunicorn" gridgov.wsgi:application --config deploy/gunicorn.conf.py \
  --bind "${BIND:-127.0.0.1:8000}" &
pids+=($!)
say "GridGov is running at http://${BIND:-127.0.0.1:8000}/  (Ctrl-C stops it)"
# Return as soon as either process exits, then stop the other one too.
wait -n "${pids[@]}" || true
stop
