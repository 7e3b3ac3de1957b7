#!/usr/bin/env bash
# schemathesis (pinned, installed by scripts/setup.sh test into target/venv) against a
# running Worker: the OpenAPI document it serves at /openapi.json (with the generators of
# tests/schemathesis/flexedge_hooks.py for the query language's formats), every check, a fixed
# number of examples per operation and a fixed seed, authenticated with the key $2 (one on
# the `high` rate-limit tier, so the run does not trip its own limit). Exits non-zero on
# any failure; the JUnit report goes to $3.
#   scripts/schemathesis.sh http://127.0.0.1:8788 schemathesis-key tests/e2e/out/schemathesis
set -euo pipefail
cd "$(dirname "$0")/.."
base="$1" key="$2" out="$3"
mkdir -p "$out"
printf '[schemathesis] %s against %s/openapi.json, %s examples per operation\n' \
  "$(target/venv/bin/schemathesis --version)" "$base" "${SCHEMATHESIS_EXAMPLES:-50}"
# The query language's formats get generators of valid instances (the hooks module).
# One worker: with two, hypothesis describes lambdas (its own, schemathesis' and the hooks')
# by parsing their source with `ast` in two threads at once, and CPython 3.11's parser is not
# safe for that ("AST constructor recursion depth mismatch", a runtime error that failed a CI
# run with every API check green).
export SCHEMATHESIS_HOOKS=flexedge_hooks PYTHONPATH="$PWD/tests/schemathesis${PYTHONPATH:+:$PYTHONPATH}"
target/venv/bin/schemathesis run "${SCHEMATHESIS_SCHEMA:-$base/openapi.json}" --url "$base" \
  --checks all --header "Authorization: Bearer $key" \
  --max-examples "${SCHEMATHESIS_EXAMPLES:-50}" --seed 1 --workers 1 \
  --generation-database none --request-timeout 30 --no-color \
  --report junit --report-dir "$out"
