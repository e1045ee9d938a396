#!/usr/bin/env bash
# make test: install what is missing, make sure PostgreSQL+PostGIS and Redis run,
# then run the whole suite on PostGIS and again on SpatiaLite.
# Extra arguments go to pytest (e.g. deploy/test.sh -k locate).
source "$(dirname "$0")/lib.sh"

prepare_tests

say "tests on PostGIS"
DATABASE_URL="${TEST_POSTGIS_URL:-postgis://gridgov:gridgov@127.0.0.1:5432/gridgov}" \
  "$VENV/bin/pytest" "$@"

say "tests on SpatiaLite"
DATABASE_URL="spatialite:///$GRIDGOV_VAR_DIR/gridgov.sqlite3" \
  GRIDGOV_TEST_SQLITE_FILE="$GRIDGOV_VAR_DIR/test_gridgov.sqlite3" \
  "$VENV/bin/pytest" "$@"
