#!/bin/sh
# Migrate, load the demo data, print where everything is, then run the platform's processes
# under supervisord. Run by `make run` through scripts/stack.py (which provides the servers).
set -eu
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
export BIND_HOST="${BIND_HOST:-127.0.0.1}" HTTP_PORT="${HTTP_PORT:-8000}" WS_PORT="${WS_PORT:-8001}"
export WEB_WORKERS="${WEB_WORKERS:-3}" WORKER_CONCURRENCY="${WORKER_CONCURRENCY:-2}"
export ANALYTICS_DASHBOARD_WS_URL="${ANALYTICS_DASHBOARD_WS_URL:-ws://$BIND_HOST:$WS_PORT/ws/}"  # the staff dashboard's socket
export PROMETHEUS_MULTIPROC_DIR="${PROMETHEUS_MULTIPROC_DIR:-$PWD/var/prometheus}" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR" && rm -f "$PROMETHEUS_MULTIPROC_DIR"/*.db  # metrics of web, ws and workers; fresh each start
export CELERY_QUEUES="${CELERY_QUEUES:-default,assessments,ai,exports,email,airtable,research,webhooks}"
export WS_SERVER="${WS_SERVER:-uvicorn}"  # the ws process's server (scripts/ws_server.sh): uvicorn or daphne
case "$WS_SERVER" in uvicorn | daphne) ;; *) echo "WS_SERVER must be uvicorn or daphne, not '$WS_SERVER'" >&2 && exit 2 ;; esac

python manage.py migrate --noinput -v0
python manage.py seed_demo
cat <<URLS

  API          http://$BIND_HOST:$HTTP_PORT/api/v1/
  API docs     http://$BIND_HOST:$HTTP_PORT/api/docs/
  Admin        http://$BIND_HOST:$HTTP_PORT/admin/
  WebSocket    ws://$BIND_HOST:$WS_PORT/ws/  ($WS_SERVER)
  Health       http://$BIND_HOST:$HTTP_PORT/healthz  http://$BIND_HOST:$HTTP_PORT/readyz

  Ctrl-C stops everything.

URLS
exec supervisord --configuration config/supervisord.conf
