// Side by side: dgascope vs the Keras reference, from bench/results/<tag>.json files.
//   node bench/ml/compare.mjs [--dgascope=tag] [--keras=tag]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { arg, resultsDir } from './common.mjs';

const load = (tag) => JSON.parse(readFileSync(path.join(resultsDir, `${tag}.json`), 'utf8'));
const d = load(arg('dgascope', 'dgascope-main'));
const k = load(arg('keras', 'keras-main'));
const rows = [
  ['training samples/s', d.trainSamplesPerSec, k.trainSamplesPerSec],
  ['inference domains/s (model only)', d.inferPerSec, k.inferPerSec],
  ['classify() domains/s (normalise+reduce+predict), 1 thread', d.classifyPerSec, null],
  ['InferencePool.classify() domains/s, 2 worker threads', d.poolClassifyPerSec, null],
  ['peak RSS MB', d.peakRssMB, k.peakRssMB],
  ['accuracy', d.accuracy, k.accuracy],
  ['macro-F1', d.macroF1, k.macroF1],
  ['micro-F1', d.microF1, k.microF1],
  ['AUC (DGA vs benign)', d.auc, k.auc],
  ['TPR @ FPR 1e-3', d.tprAtFpr?.['1e-3'], k.tprAtFpr?.['1e-3']],
  ['families with F1 = 0', d.zeroF1Families.length, k.zeroF1Families.length],
];
const fmt = (v) => (v === null || v === undefined ? '–' : Number.isInteger(v) ? String(v) : v.toFixed(4));
console.log(
  `| metric | dgascope (${d.backend}, ${d.epochsRun} epochs) | Keras ${k.tfVersion} (${k.epochs} epochs) | ratio dgascope/Keras |`,
);
console.log('|---|---|---|---|');
for (const [name, a, b] of rows) console.log(`| ${name} | ${fmt(a)} | ${fmt(b)} | ${a != null && b ? (a / b).toFixed(2) : '–'} |`);
console.log(`\nsame split: train ${d.train}/${k.train}, test ${d.test}/${k.test}, classes ${d.classes}/${k.classes}`);
