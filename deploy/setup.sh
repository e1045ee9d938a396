#!/usr/bin/env bash
# Install what is missing, and nothing else: Debian packages, the venv (from
# Debian's /usr/bin/python3, whose sqlite3 loads mod_spatialite), Python and npm
# packages, compiled translations. A second run takes a few seconds.
#   deploy/setup.sh          runtime (make demo)
#   deploy/setup.sh test     runtime + PostgreSQL/PostGIS, Redis, Chromium (make test)
source "$(dirname "$0")/lib.sh"

packages="libgdal32 libgeos-c1v5 libproj25 libsqlite3-mod-spatialite python3-venv gettext fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"
if [ "${1:-}" = "test" ]; then
  packages="$packages postgresql-15 postgresql-15-postgis-3 redis-server chromium poppler-utils"
fi
# Browser libraries pinned in package.json come from npm (Debian's nodejs when none is installed).
if [ -f package.json ] && ! command -v npm >/dev/null 2>&1; then
  packages="$packages nodejs npm"
fi
missing=()
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The venv must come from Debian's Python: a pyenv or other build may lack
# SQLite extension loading, which SpatiaLite needs.
if [ ! -x "$PY" ] || [ "$("$PY" -c 'import sys; print(sys.base_prefix)')" != "/usr" ]; then
  say "creating .venv from /usr/bin/python3"
  rm -rf "$VENV"
  /usr/bin/python3 -m venv "$VENV"
  "$PY" -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
fi
want="$(sha256sum requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
  say "pip install -r requirements.txt"
  "$PY" -m pip install -q -r requirements.txt 2>&1 | grep -v "^WARNING: Location" || true
  "$PY" -c "import django, rest_framework_gis, celery, pyogrio, shapely, playwright" # fail loudly if pip did
  echo "$want" > "$VENV/.requirements.sha256"
fi

if [ -f package.json ]; then
  want="$(cat package.json package-lock.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [ "$(cat node_modules/.gridgov.sha256 2>/dev/null)" != "$want" ]; then
    say "npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > node_modules/.gridgov.sha256
  fi
fi

# Compile translations (the project's and each app's own) when a .po is newer than its .mo.
for po in locale/*/LC_MESSAGES/django.po apps/*/locale/*/LC_MESSAGES/django.po; do
  [ -f "$po" ] || continue
  mo="${po%.po}.mo"
  if [ ! -f "$mo" ] || [ "$po" -nt "$mo" ]; then
    msgfmt --check -o "$mo" "$po"
  fi
done
mkdir -p var
