#!/usr/bin/env bash
# Set everything up and run Editorial on the embedded defaults: SQLite, no Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-true}
bash scripts/setup.sh
.venv/bin/python manage.py setup_roles
.venv/bin/python manage.py seed_demo
echo "Editorial on http://127.0.0.1:8000/ (admin: http://127.0.0.1:8000/admin/)"
exec .venv/bin/python manage.py runserver 127.0.0.1:8000
