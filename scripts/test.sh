#!/usr/bin/env bash
# Run the whole test suite: SQLite by default, PostgreSQL when DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
# setup.sh migrates with DEBUG off, which needs a SECRET_KEY: a throwaway one unless one is set.
SECRET_KEY=${SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')}
export SECRET_KEY
bash scripts/setup.sh >/dev/null
exec .venv/bin/python -m pytest "$@"
