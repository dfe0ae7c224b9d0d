#!/usr/bin/env bash
# The checks that keep the code's shape: lint and format, strict types, layer contracts, no code written twice.
# Uses the venv that scripts/test.sh installs (LP_VENV, default .venv). CI runs it after the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${LP_VENV:-.venv}/bin

echo "== ruff"
"$BIN/ruff" check .
"$BIN/ruff" format --check .
echo "== mypy --strict (protocol, app/domain, app/services, app/host, server, examples)"
"$BIN/mypy"
echo "== import contracts"
"$BIN/lint-imports"
echo "== code written twice (six or more lines)"
"$BIN/pylint" --disable=all --enable=duplicate-code --min-similarity-lines=6 \
  --ignore-imports=yes --ignore-signatures=yes --ignore-comments=yes --ignore-docstrings=yes \
  --ignore-paths='^server/migrations/versions/.*' --score=no \
  app server protocol/licence_protocol examples
echo "lint: all checks passed"
