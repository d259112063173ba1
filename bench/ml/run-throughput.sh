#!/usr/bin/env bash
# Throughput side by side, back to back under the same machine conditions: one epoch each on the full split.
#   bash bench/ml/run-throughput.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${KERAS_PYTHON:-bench/.cache/venv/bin/python}"
[ -f bench/.cache/ml-split-registered-domain.tsv ] || node bench/ml/export-split.mjs
node bench/ml/train.bench.mjs --epochs=1 --tag=tp-dgascope
"$PY" bench/reference/keras_lstm.py bench/.cache/ml-split-registered-domain.tsv --epochs 1 --tag tp-keras --out bench/results/tp-keras.json 2> >(grep -v '^WARNING\|^I0000\|oneDNN' >&2)
node bench/ml/compare.mjs --dgascope=tp-dgascope --keras=tp-keras
