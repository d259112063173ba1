// Writes the benchmark split as TSV (part<TAB>label<TAB>input) for the Keras reference:
//   node bench/ml/export-split.mjs [--reduction=registered-domain|full]
import { writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { arg, benchmarkSplit, cacheDir } from './common.mjs';

const reduction = arg('reduction', 'registered-domain');
const { raw, prepared, split } = benchmarkSplit({ reduction });
mkdirSync(cacheDir, { recursive: true });
const file = path.join(cacheDir, `ml-split-${reduction}.tsv`);
const rows = [];
for (const part of ['train', 'validation', 'test']) for (const s of split[part]) rows.push(`${part}\t${s.label}\t${s.input}`);
writeFileSync(file, rows.join('\n') + '\n');
console.log(
  JSON.stringify({
    file,
    raw: raw.length,
    samples: prepared.samples.length,
    classes: prepared.labels.length,
    train: split.train.length,
    validation: split.validation.length,
    test: split.test.length,
    stats: { ...prepared.stats, invalidExamples: undefined },
  }),
);
