// node bench/ml/calibration-probe.mjs --models=a.dgam[,b.dgam,…] [--seed=23] [--capEarly=10000] [--capLater=500]
//   [--targets=0.001]
//
// Does the DGA threshold a model stores keep the benign false alarms it promises? Asked of main
// models saved by `bench:quality --saveModel` (give the same --capEarly/--capLater/--seed: the split
// is rebuilt from them), without training again. For each model and each threshold rule, the rule
// reads the benign validation names (what training calibrates on) and the row shows the share
// flagged of the model's own benign test names (never used for calibration, same list and date:
// whether the rule keeps its promise in distribution), of the held-out top lists, of fresh DGA
// domains and of real never-seen families. Rules: the empirical quantile, the tail fit (the product's
// default, decision.ts) and an upper confidence bound of the tail fit over resamples of the names.
import * as ml from '@dgascope/ml';
import { arg } from './common.mjs';
import { BENIGN, dgaScores } from './quality-data.mjs';
import { loadRecalibrated, probeFlags, probeScenario } from './probe-setup.mjs';

const flags = probeFlags();
const targets = arg('targets', '0.001').split(',').map(Number);
await ml.initBackend({});

const { split, fresh, neverSeen, heldOut, valBenign } = probeScenario(flags);
const sets = {
  testBenign: split.test.filter((s) => s.label === BENIGN).map((s) => s.input),
  ...heldOut,
  fresh: fresh.map((r) => r.input),
  neverSeen: neverSeen.map((r) => r.input),
};

/** Threshold rules: name → (benign validation scores, target) → threshold. */
const rules = {
  quantile: (v, t) => ml.chooseDgaThresholdBy('quantile', v, t).threshold,
  tail: (v, t) => ml.chooseDgaThresholdBy('tail', v, t).threshold,
  'tail-bound': (v, t) => tailBound(v, t),
};

/**
 * The 90th percentile of the tail rule's threshold over 200 resamples (bootstrap) of the benign
 * validation names: a threshold that holds its target with 90 % confidence over their draw.
 */
function tailBound(v, t, draws = 200, confidence = 0.9) {
  const rng = ml.createRng(0x7a11); // fixed seed: same scores, same threshold
  const ths = Array.from(
    { length: draws },
    () =>
      ml.chooseDgaThresholdBy(
        'tail',
        Float64Array.from(v, () => v[Math.floor(rng() * v.length)]),
        t,
      ).threshold,
  ).sort((x, y) => x - y);
  return Math.max(ml.chooseDgaThresholdBy('tail', v, t).threshold, ths[Math.ceil(confidence * draws) - 1]);
}

const rate = (xs, th) => xs.reduce((a, x) => a + (x >= th ? 1 : 0), 0) / Math.max(1, xs.length);
const pct = (x) => `${(100 * x).toFixed(2)} %`;
const cols = Object.keys(sets);
console.log(`benign validation names: ${valBenign.length}; ${cols.map((c) => `${c} ${sets[c].length}`).join(', ')}`);
console.log(`| model | rule | target | threshold | ${cols.join(' | ')} |`);
console.log(`|---|---|---|---|${cols.map(() => '---').join('|')}|`);
for (const file of flags.files) {
  const m = loadRecalibrated(file, split);
  const val = dgaScores(m, valBenign);
  const scores = Object.fromEntries(cols.map((c) => [c, dgaScores(m, sets[c])]));
  for (const target of targets)
    for (const [name, rule] of Object.entries(rules)) {
      const th = rule(val, target);
      console.log(
        `| ${file.split('/').pop()} | ${name} | ${target} | ${th.toFixed(6)} | ${cols.map((c) => pct(rate(scores[c], th))).join(' | ')} |`,
      );
    }
}
