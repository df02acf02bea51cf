#!/usr/bin/env bash
# The README's test command: set up everything, then lint, type-check and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh --test
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.ci/eslint/node_modules/.bin/eslint --config .ci/eslint/eslint.config.mjs geo/web/
.venv/bin/python -m pytest "$@"
