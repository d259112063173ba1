// Prints the ablation results (bench/results/abl-*.json) as a markdown table.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { resultsDir } from './common.mjs';

const rows = readdirSync(resultsDir)
  .filter((f) => f.startsWith('abl-'))
  .map((f) => JSON.parse(readFileSync(path.join(resultsDir, f), 'utf8')));
const f4 = (v) => (v == null ? '–' : v.toFixed(4));
console.log(
  '| run | padding | class weights | input | train n | epochs | train samples/s | accuracy | macro-F1 | micro-F1 | AUC | TPR@1e-3 | families F1=0 |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows)
  console.log(
    `| ${r.tag} | ${r.padding}${r.bucketChunk ? ' ' + r.bucketChunk : ''} | ${r.classWeights} | ${r.reduction} | ${r.train} | ${r.epochsRun} | ${r.trainSamplesPerSec} | ${f4(r.accuracy)} | ${f4(r.macroF1)} | ${f4(r.microF1)} | ${f4(r.auc)} | ${f4(r.tprAtFpr?.['1e-3'])} | ${r.zeroF1Families.length} |`,
  );
