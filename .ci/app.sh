#!/usr/bin/env bash
# The README's run command: set up everything, then serve the dashboard on http://localhost:8501.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/setup.sh
exec .venv/bin/streamlit run app.py "$@"
