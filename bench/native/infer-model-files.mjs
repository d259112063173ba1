// Where bench/native/inference.mjs caches a preset's benchmark model and its reference answers
// (classify-calls.mjs reads the same model). The name carries a hash of the preset's architecture:
// a preset whose network changes gets a model of its own instead of timing the old network under
// the preset's name.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cache = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/.cache');

export function inferModelFiles(ml, preset) {
  const key = createHash('sha256')
    .update(JSON.stringify(ml.presetTrainOptions(preset).architecture ?? {}))
    .digest('hex')
    .slice(0, 8);
  return {
    modelFile: path.join(cache, `infer-${preset}-${key}.dgam`),
    referenceFile: path.join(cache, `infer-${preset}-${key}-reference.json`),
  };
}
