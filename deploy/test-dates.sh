#!/usr/bin/env bash
# make test-dates: the modules whose code reads the clock, run with the clock set
# to dates where calendars break (1 January, 29 February of a leap year, the day
# before a holiday, the last minutes of 31 December), on SpatiaLite. A test whose
# verdict depends on the day it runs fails here on some date, not a week later.
# The Celery-worker and browser tests are left out: the worker and Chromium run
# in other processes on the machine's own clock. Extra arguments go to pytest.
source "$(dirname "$0")/lib.sh"

prepare_tests
# SpatiaLite: the faster of the two here; make test already runs everything on both.
export DATABASE_URL="spatialite:///$GRIDGOV_VAR_DIR/gridgov.sqlite3"
export GRIDGOV_TEST_SQLITE_FILE="$GRIDGOV_VAR_DIR/test_gridgov.sqlite3"

CLOCKS=${TEST_CLOCKS:-"2027-01-01T00:10 2028-02-29T10:00 2026-09-30T17:45 2026-12-31T23:50"}
MODULES=(tests/cases tests/stars tests/dashboard tests/compounds tests/patrols tests/supervision tests/bulletins tests/integrity)
for clock in $CLOCKS; do
  say "date-sensitive tests with the clock at $clock"
  "$VENV/bin/pytest" -q -p no:cacheprovider --clock "$clock" "${MODULES[@]}" -m "not worker" \
    --ignore tests/cases/test_tasks_worker.py "$@"
done
