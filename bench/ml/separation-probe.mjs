// node bench/ml/separation-probe.mjs --models=a.dgam[,b.dgam,…] [--probes=ensemble,suffix,knn,lm]
//   [--capEarly=10000] [--capLater=500] [--seed=23]
//
// Does anything beyond one model's DGA score separate DGA names from popular names it never saw?
// Asked of main models saved by `bench:quality --saveModel` (give the same --capEarly/--capLater/
// --seed: the split and the fresh domains are rebuilt from them), without training again:
//   models    each model's DGA score (its preset's family prior), as bench:quality scores it
//   ensemble  the mean of the models' DGA scores (and their minimum)
//   suffix    every name's public suffix replaced by .com on both sides: how much the suffix decides
//   knn       distance to the 10th nearest benign training name in the first model's feature space
//             (cosine, penultimate layer), alone and OR-ed with the model's own verdict
//   lm        a character 4-gram model of the benign training names (interpolated absolute
//             discounting): evidence against "benign" = −log P_benign(name) − |name| · log 37, alone
//             and OR-ed with the model's own verdict
// Every row: the share flagged of fresh DGA domains, of real never-seen families and of the held-out
// top lists, at thresholds that flag 0.1 % / 1 % of the Alexa 2015 top-10k (an oracle no user has:
// detection at equal false alarms) or, for the OR rows, at the model's own threshold plus the
// probe's threshold read on benign validation names.
import * as tf from '@tensorflow/tfjs';
import { getDomainWithoutSuffix, getPublicSuffix } from 'tldts';
import * as ml from '@dgascope/ml';
import { arg } from './common.mjs';
import { BENIGN, dgaScores } from './quality-data.mjs';
import { loadRecalibrated, probeFlags, probeScenario } from './probe-setup.mjs';

const ALEXA = 'alexa-2015-top10k';
const flags = probeFlags();
const files = flags.files;
const probes = new Set(arg('probes', 'ensemble,suffix,knn,lm').split(','));
await ml.initBackend({});

const { split, fresh, neverSeen, heldOut, valBenign } = probeScenario(flags);
const sets = {
  fresh: fresh.map((r) => r.input),
  neverSeen: neverSeen.map((r) => r.input),
  ...heldOut,
};
const models = files.map((f) => loadRecalibrated(f, split));

const scoreAll = (fn) => Object.fromEntries(Object.entries({ val: valBenign, ...sets }).map(([k, v]) => [k, fn(v)]));
/** The score above which `share` of `scores` lie (quantile, no floor: probes have any range). */
const above = (scores, share) => {
  const s = Float64Array.from(scores).sort().reverse();
  const v = s[Math.floor(share * s.length)];
  return v + Math.max(1e-12, Math.abs(v) * 1e-9);
};
const rate = (xs) => xs.reduce((a, x) => a + (x ? 1 : 0), 0) / Math.max(1, xs.length);
const rows = [];
/** Oracle rows: thresholds that flag 0.1 % / 1 % of Alexa. */
function oracle(name, scores) {
  for (const share of [0.001, 0.01]) {
    const th = above(scores[ALEXA], share);
    rows.push({
      probe: name,
      at: `${share * 100} % of Alexa`,
      ...Object.fromEntries(Object.keys(sets).map((k) => [k, rate(Array.from(scores[k], (x) => x >= th))])),
    });
  }
}
/** OR rows: the model's own verdict, or the probe's score above its share of benign validation names. */
function orVerdict(name, scores, model, own) {
  for (const share of [0.0005, 0.001, 0.005]) {
    const th = above(scores.val, share);
    rows.push({
      probe: `${name} OR own verdict`,
      at: `own + ${share * 100} % of benign validation`,
      ...Object.fromEntries(
        Object.keys(sets).map((k) => [k, rate(Array.from(scores[k], (x, i) => x >= th || own[k][i] >= model.meta.decision.dgaThreshold))]),
      ),
    });
  }
}

const own = models.map((m) => scoreAll((inputs) => dgaScores(m, inputs)));
models.forEach((m, i) => {
  oracle(files[i], own[i]);
  rows.push({
    probe: files[i],
    at: `own threshold ${m.meta.decision.dgaThreshold.toFixed(6)}`,
    ...Object.fromEntries(Object.keys(sets).map((k) => [k, rate(Array.from(own[i][k], (x) => x >= m.meta.decision.dgaThreshold))])),
  });
});

if (probes.has('ensemble') && models.length > 1) {
  const combine = (f) =>
    Object.fromEntries(Object.keys(own[0]).map((k) => [k, Float64Array.from(own[0][k], (_, i) => f(own.map((o) => o[k][i])))]));
  oracle(
    'mean of the models',
    combine((xs) => xs.reduce((a, b) => a + b, 0) / xs.length),
  );
  oracle(
    'min of the models',
    combine((xs) => Math.min(...xs)),
  );
}

if (probes.has('suffix')) {
  const asCom = (input) => `${getDomainWithoutSuffix(input, { allowPrivateDomains: true }) ?? input.split('.')[0]}.com`;
  oracle(
    `${files[0]}, every suffix .com`,
    scoreAll((inputs) => dgaScores(models[0], inputs.map(asCom))),
  );
}

if (probes.has('knn')) {
  const model = models[0];
  const K = 10;
  const features = (inputs) =>
    tf.tidy(() => {
      const out = ml.predictOutputs(
        model.net,
        inputs.map((s) => model.tokenizer.encode(s)),
        { features: true },
      );
      const f = tf.tensor2d(out.features, [inputs.length, model.net.featureDim]);
      return tf.keep(tf.div(f, tf.maximum(tf.norm(f, 2, 1, true), 1e-12)));
    });
  const bank = features(split.train.filter((s) => s.label === BENIGN).map((s) => s.input));
  const distance = (inputs) => {
    const f = features(inputs);
    const out = new Float64Array(inputs.length);
    for (let i = 0; i < inputs.length; i += 2048)
      tf.tidy(() => {
        const sims = tf.matMul(f.slice([i, 0], [Math.min(2048, inputs.length - i), -1]), bank, false, true);
        const kth = tf.topk(sims, K).values.slice([0, K - 1], [-1, 1]);
        out.set(
          Float64Array.from(kth.dataSync(), (s) => 1 - s),
          i,
        );
      });
    f.dispose();
    return out;
  };
  const scores = scoreAll(distance);
  bank.dispose();
  oracle(`distance to the ${K}th nearest benign training name`, scores);
  orVerdict(`benign-neighbour distance`, scores, model, own[0]);
}

if (probes.has('lm')) {
  const ORDER = 4,
    DISCOUNT = 0.75,
    ALPHABET = 37;
  const stem = (d) => {
    const s = getPublicSuffix(d, { allowPrivateDomains: true });
    return s && d.length > s.length + 1 ? d.slice(0, d.length - s.length - 1) : d;
  };
  const pad = (w) => '^'.repeat(ORDER - 1) + w + '$';
  const counts = Array.from({ length: ORDER }, () => new Map()); // order k: context of k chars → (char → count)
  for (const s of split.train)
    if (s.label === BENIGN) {
      const t = pad(stem(s.input));
      for (let i = ORDER - 1; i < t.length; i++)
        for (let k = 0; k < ORDER; k++) {
          const ctx = t.slice(i - k, i);
          const m = counts[k].get(ctx) ?? new Map();
          m.set(t[i], (m.get(t[i]) ?? 0) + 1);
          counts[k].set(ctx, m);
        }
    }
  const totals = counts.map(
    (c) => new Map([...c].map(([ctx, m]) => [ctx, { n: [...m.values()].reduce((a, b) => a + b, 0), types: m.size }])),
  );
  const prob = (ctx, ch, k) => {
    const lower = k === 0 ? 1 / ALPHABET : prob(ctx.slice(1), ch, k - 1);
    const m = counts[k].get(ctx);
    if (!m) return lower;
    const { n, types } = totals[k].get(ctx);
    return Math.max((m.get(ch) ?? 0) - DISCOUNT, 0) / n + ((DISCOUNT * types) / n) * lower;
  };
  const evidence = (input) => {
    const t = pad(stem(input));
    let s = 0;
    for (let i = ORDER - 1; i < t.length; i++) s -= Math.log(prob(t.slice(i - ORDER + 1, i), t[i], ORDER - 1)) - Math.log(ALPHABET);
    return s;
  };
  const scores = scoreAll((inputs) => Float64Array.from(inputs, evidence));
  oracle(`character ${ORDER}-gram model of the benign names`, scores);
  orVerdict(`benign ${ORDER}-gram evidence`, scores, models[0], own[0]);
}

const pct = (x) => `${(100 * x).toFixed(1)} %`;
const cols = Object.keys(sets);
console.log(`| probe | threshold | ${cols.join(' | ')} |`);
console.log(`|---|---|${cols.map(() => '---').join('|')}|`);
for (const r of rows) console.log(`| ${r.probe} | ${r.at} | ${cols.map((c) => pct(r[c])).join(' | ')} |`);
