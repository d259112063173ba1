// Open-set check: train without some families, then see how their domains come out (DGA? uncertain?).
//   node bench/ml/leave-out.bench.mjs [--families=conficker,matsnu,tinba,simda,suppobox] [--epochs=3] [--limit=N]
import * as ml from '@dgascope/ml';
import { arg, benchmarkSplit, writeResult } from './common.mjs';

const families = arg('families', 'conficker,matsnu,tinba,simda,suppobox').split(',');
const epochs = Number(arg('epochs', '3'));
const limit = arg('limit', undefined);
await ml.initBackend();
const { prepared } = benchmarkSplit();
let samples = prepared.samples;
if (limit) {
  // keep all held-out domains and a stratified, seeded subset of `limit` others
  const held = samples.filter((s) => families.includes(s.label));
  const others = samples.filter((s) => !families.includes(s.label));
  const subset = ml.stratifiedSplit(others, {
    seed: 23,
    validation: 0,
    test: 1 - Math.min(Number(limit), others.length - 1) / others.length,
  }).train;
  samples = [...subset, ...held];
}
const r = await ml.leaveFamiliesOut(samples, families, { train: { epochs, earlyStopping: false } });
const out = {
  families: r.families,
  micro: r.micro,
  macro: r.macro,
  threshold: r.threshold,
  knownTest: {
    accuracy: r.knownTest.accuracy,
    macroF1: r.knownTest.macro.f1,
    auc: r.knownTest.binary?.auc,
    uncertainRate: r.knownTest.uncertainRate,
  },
};
writeResult('leave-out', out);
console.log(JSON.stringify(out, null, 1));
