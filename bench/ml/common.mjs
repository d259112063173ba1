// Shared by the ml benchmark scripts: the data set, the split, CLI flags, result files.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ml from '@dgascope/ml';
import { loadBenchmarkData, repoRoot, arg } from './dataset.mjs';

export { arg, repoRoot };
export const resultsDir = path.join(repoRoot, 'bench/results');
export const cacheDir = path.join(repoRoot, 'bench/.cache');

/** Prepared + split benchmark data. reduction: 'registered-domain' (default) | 'full'. */
export function benchmarkSplit({ reduction = 'registered-domain', limit } = {}) {
  const raw = loadBenchmarkData();
  const prepared = ml.prepareData(raw, { inputForm: { reduction } });
  const split = ml.stratifiedSplit(prepared.samples, { seed: 23, validation: 0.1, test: 0.2 });
  if (limit) split.train = split.train.slice(0, Number(limit));
  return { raw, prepared, split };
}

export function writeResult(name, obj) {
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  writeFileSync(file, JSON.stringify(obj, null, 1));
  return file;
}

export const peakRssMB = () => Math.round(process.resourceUsage().maxRSS / 1024);
