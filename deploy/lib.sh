# Shared helpers for the deploy scripts (sourced, not run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
VENV="$ROOT/.venv"
PY="$VENV/bin/python"
say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# as_postgres CMD...: run a command as the postgres OS user (peer auth on the socket).
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

# prepare_tests: what every test script needs first (installs, PostgreSQL and Redis,
# the test broker and the var directory the Celery worker shares).
prepare_tests() {
  bash deploy/setup.sh test
  bash deploy/services.sh
  export CELERY_BROKER_URL="${TEST_CELERY_BROKER_URL:-redis://127.0.0.1:6379/14}"
  export GRIDGOV_VAR_DIR="$ROOT/var/test"
  mkdir -p "$GRIDGOV_VAR_DIR"
}
