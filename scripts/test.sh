#!/usr/bin/env bash
# Run the test suite: SQLite by default, PostgreSQL when DATABASE_URL is set.
#   ./scripts/test.sh                 everything (what CI runs)
#   ./scripts/test.sh --quick [ARGS]  the edit-test loop: no slow, browser, edge or Redis tests,
#                                     Hypothesis' quick profile (a fifth of the examples)
# Any other arguments go to pytest as they are.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=()
if [ "${1:-}" = "--quick" ]; then
  shift
  export HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-quick}
  quick=(-p no:cacheprovider -m "not slow and not browser and not edge and not redis")
fi
# setup.sh migrates with DEBUG off, which needs a SECRET_KEY: a throwaway one unless one is set.
SECRET_KEY=${SECRET_KEY:-$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')}
export SECRET_KEY
bash scripts/setup.sh >/dev/null
exec .venv/bin/python -m pytest "${quick[@]}" "$@"
