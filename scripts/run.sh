#!/usr/bin/env bash
# Set everything up and run Editorial on the embedded defaults: SQLite, no Redis, a Celery worker.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-true}
bash scripts/setup.sh
.venv/bin/python manage.py setup_roles
.venv/bin/python manage.py seed_demo
# A real Celery worker with beat beside the web server: reminders and notifications. Its broker
# is CELERY_BROKER_URL (Redis) when set, else kombu's filesystem transport in var/celery/.
.venv/bin/celery -A editorial worker --beat --concurrency=2 --loglevel=INFO \
  >var/celery-worker.log 2>&1 &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT
echo "Celery worker with beat running (log: var/celery-worker.log; emails: var/emails/)"
echo "Editorial on http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/)"
.venv/bin/python manage.py runserver 127.0.0.1:8000
