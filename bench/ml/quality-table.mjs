// node bench/ml/quality-table.mjs <tag> [<tag> ...]: one ablation table (markdown) from bench:quality results.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { resultsDir } from './common.mjs';

const tags = process.argv.slice(2);
if (tags.length === 0) throw new Error('usage: node bench/ml/quality-table.mjs <tag> [<tag> ...] (files bench/results/quality-<tag>.json)');
const f3 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(3));
const pct = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)} %`);
/** What a run changed against its preset's plain recipe. */
function recipe(t, binary) {
  const parts = [t.preset, t.loss ?? 'cross-entropy'];
  if (binary) parts.push('binary (one DGA class)');
  if (t.loss === 'focal') parts[1] += ` γ=${t.focalGamma ?? 2}`;
  if (t.classWeights && t.classWeights !== 'none') parts.push(`${t.classWeights} weights`);
  if (t.sampling) parts.push(`sampling ${JSON.stringify(t.sampling).replace(/["{}]/g, '')}`);
  if (t.outlierExposure) parts.push(`outliers ${t.outlierExposure.share} (weight ${t.outlierExposure.weight ?? 0.5})`);
  if (t.architecture?.pooling && t.architecture.pooling !== 'max') parts.push(`${t.architecture.pooling} pooling`);
  if (t.architecture?.kernelSize) parts.push(`kernel ${t.architecture.kernelSize}`);
  if (t.architecture?.blocks !== undefined) parts.push(`${t.architecture.blocks} blocks`);
  if (t.architecture?.filters) parts.push(`${t.architecture.filters} filters`);
  if (t.architecture?.dropout !== undefined) parts.push(`dropout ${t.architecture.dropout}`);
  if (t.batchSize) parts.push(`batch ${t.batchSize}`);
  if (t.learningRate) parts.push(`lr ${t.learningRate}`);
  if (t.learningRateSchedule && t.learningRateSchedule !== 'constant') parts.push(`${t.learningRateSchedule} lr`);
  if (t.padding) parts.push(`${t.padding} padding`);
  if (t.benignCleaning) parts.push(`benign cleaning ${t.benignCleaning.share}`);
  return parts.join(' / ');
}
const at = (r, target) => r.operatingPoints?.find((o) => o.target === target);
console.log(
  '| run | recipe / epochs / seed | s per epoch | test macro-F1 | AUC | fresh macro / micro F1 | fresh F1 = 0 (≥ 50) | fresh flagged | real unseen flagged | Alexa / OpenDNS flagged | at FPR target 1e-2: fresh / Alexa / OpenDNS flagged | at 0.1 % / 1 % of Alexa flagged: fresh / real never-seen flagged | at 0.1 % of OpenDNS / of new Umbrella names flagged: fresh / real never-seen flagged |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const tag of tags) {
  const r = JSON.parse(readFileSync(path.join(resultsDir, `quality-${tag}.json`), 'utf8'));
  const t = r.options.train;
  const spe = r.time.secondsPerEpoch.reduce((a, b) => a + b, 0) / r.time.epochs;
  const o = at(r, 0.01);
  const eq = [at(r, '0.001 of alexa-2015-top10k'), at(r, '0.01 of alexa-2015-top10k')];
  // runs from before 2026-12-03 (round 12) set these thresholds on Alexa only
  const others = [at(r, '0.001 of opendns-top10k'), at(r, '0.001 of umbrella-2026-07-24-new')];
  console.log(
    `| ${tag} | ${recipe(t, r.options.binary)} / ${r.time.epochs} / ${t.seed} | ${spe.toFixed(1)} | ${f3(r.test.macroF1)} | ${f3(r.test.auc)} | ${f3(r.fresh.macroF1)} / ${f3(r.fresh.microF1)} | ${r.fresh.zeroF1Over50.length} | ${pct(r.fresh.flaggedAsDga)} | ${pct(r.real.unseen?.micro.dgaRecall)} | ${pct(r.benign['alexa-2015-top10k'].flaggedRate)} / ${pct(r.benign['opendns-top10k'].flaggedRate)} | ${o ? `${pct(o.fresh)} / ${pct(o['alexa-2015-top10k'])} / ${pct(o['opendns-top10k'])}` : '–'} | ${eq[0] ? eq.map((e) => `${pct(e.fresh)} / ${pct(e.realUnseen)}`).join('; ') : '–'} | ${others[0] ? others.map((e) => `${pct(e.fresh)} / ${pct(e.realUnseen)}`).join('; ') : '–'} |`,
  );
}
