#!/usr/bin/env bash
# The side-by-side benchmark: dgascope and the Keras reference on the same split, one after the other.
#   bash bench/ml/run-main.sh [epochs]      (needs: npm run build -w @dgascope/ml; the Keras venv, see bench/ml/README.md)
set -euo pipefail
cd "$(dirname "$0")/../.."
EPOCHS="${1:-5}"
PY="${KERAS_PYTHON:-bench/.cache/venv/bin/python}"
node bench/ml/export-split.mjs
node bench/ml/train.bench.mjs --epochs="$EPOCHS" --tag=dgascope-main
if [ -x "$PY" ]; then
  "$PY" bench/reference/keras_lstm.py bench/.cache/ml-split-registered-domain.tsv --epochs "$EPOCHS" --tag keras-main --out bench/results/keras-main.json 2> >(grep -v '^WARNING\|^I0000\|oneDNN' >&2)
  node bench/ml/compare.mjs --dgascope=dgascope-main --keras=keras-main
else
  echo "no Keras venv at $PY: skipped the reference (see bench/ml/README.md)" >&2
fi
