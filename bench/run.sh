#!/usr/bin/env bash
# make bench: every benchmark on PostGIS, then on SpatiaLite. Each script prints
# its figures beside a baseline measured in the same run, and the ratio.
source "$(dirname "$0")/../deploy/lib.sh"

bash deploy/setup.sh test
bash deploy/services.sh
export GRIDGOV_VAR_DIR="$ROOT/var/bench"
mkdir -p "$GRIDGOV_VAR_DIR"

# Pure-algorithm benchmarks read gis_data/district.gpkg directly and use no database: run them once.
# Their baselines (PySAL spopt) come from bench/requirements.txt, never from requirements.txt.
NO_DATABASE="bench/bench_zoning.py bench/bench_assignment.py bench/bench_offline_photo.py"
"$PY" -m pip install --quiet -r requirements.txt -r bench/requirements.txt
say "benchmarks without a database"
for script in $NO_DATABASE; do
  echo "--- $script"
  "$PY" "$script"
done

for db in postgis spatialite; do
  if [ "$db" = postgis ]; then
    export DATABASE_URL="postgis://gridgov:gridgov@127.0.0.1:5432/gridgov_bench"
  else
    export DATABASE_URL="spatialite:///$GRIDGOV_VAR_DIR/bench.sqlite3"
  fi
  say "benchmarks on $db"
  # Every bench/bench_*.py, bench_signals.py included (it plants the KPI-gaming patterns into the
  # simulated year once: 41 cases and 40 photos on top of it).
  for script in bench/bench_*.py; do
    case " $NO_DATABASE " in *" $script "*) continue ;; esac
    echo "--- $script"
    if [ "$script" = bench/bench_load.py ] && [ "$db" = postgis ]; then
      # bench_load drops and recreates its database: keep it away from the
      # one the other benchmarks fill (20,000 simulated cases take minutes).
      DATABASE_URL="${DATABASE_URL}_load" "$PY" "$script"
    else
      "$PY" "$script"
    fi
  done
done
