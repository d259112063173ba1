#!/usr/bin/env bash
# Ablations (dgascope only), on a reduced budget: the first N training samples of the split, E epochs.
#   bash bench/ml/run-ablations.sh [N=20000] [E=3]
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-20000}"; E="${2:-3}"
rm -f bench/results/abl-*.json
run() { node bench/ml/train.bench.mjs --epochs="$E" --limit="$N" --workers=1 "$@"; }
run --tag=abl-batch --padding=batch                      # random batches, each padded to its own longest (default)
run --tag=abl-pad75 --padding=max                        # the same batches padded to 75 (the seed's way)
run --tag=abl-bucket4 --padding=bucket --bucketChunk=4   # sortish length grouping, 4 batches per sorted chunk
run --tag=abl-bucket-all --padding=bucket --bucketChunk=Infinity  # whole epoch sorted by length
run --tag=abl-sqrt --padding=batch --classWeights=sqrt
run --tag=abl-inverse --padding=batch --classWeights=inverse
run --tag=abl-effective --padding=batch --classWeights=effective-number
run --tag=abl-full-names --padding=batch --reduction=full
node bench/ml/ablations-table.mjs
