// dgascope and Keras from the same start: the same initial weights (dgascope's, handed to Keras),
// the same 64 batches of 128 in file order, no dropout; prints both training losses batch by batch.
// Equal losses mean the two compute the same updates: what is left between their learning curves
// in bench:backends is the draw of the initial weights, the batch order and the dropout masks.
//   node bench/native/same-start.mjs   (after npm run bench:backends has made the split and venv)
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as ml from '@dgascope/ml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const split = path.join(root, 'bench/.cache/ml-split-registered-domain.tsv');
const start = path.join(root, 'bench/.cache/same-start-weights.json');
const BATCHES = 64;
await ml.initBackend({ backend: 'tfjs-node' });
const train = readFileSync(split, 'utf8')
  .split('\n')
  .map((l) => l.split('\t'))
  .filter((r) => r[0] === 'train')
  .slice(0, BATCHES * 128)
  .map(([, label, input]) => ({ input, label }));
const tok = ml.CharTokenizer.fit(train.map((s) => s.input));
const labels = [...new Set(train.map((s) => s.label))].sort();
const net = ml.LstmNet.create(ml.resolveConfig(tok.vocabSize, labels.length, { dropout: 0 }), 23);
writeFileSync(start, JSON.stringify(Object.fromEntries(Object.entries(net.getWeights()).map(([k, v]) => [k, Array.from(v)]))));
const optimizer = new ml.KerasRmsprop(0.001, 0.9, 1e-7);
const xs = train.map((s) => tok.encode(s.input));
const ys = train.map((s) => labels.indexOf(s.label));
const ours = [];
for (let b = 0; b < BATCHES; b++) {
  const idx = Array.from({ length: 128 }, (_, i) => b * 128 + i);
  ours.push(
    tf.tidy(() => {
      const x = ml.timeMajorBatch(
        idx.map((i) => xs[i]),
        75,
      );
      const y = tf.oneHot(
        tf.tensor1d(
          idx.map((i) => ys[i]),
          'int32',
        ),
        labels.length,
      );
      const loss = () =>
        tf.losses.softmaxCrossEntropy(y, net.logits(x, { training: true, onEmbeddingSlices: (e, s) => optimizer.squaredSlices(e, s) }));
      return optimizer.minimize(loss, true, net.variables).dataSync()[0];
    }),
  );
}
const py = spawnSync(
  path.join(root, 'bench/.cache/venv/bin/python'),
  [path.join(root, 'bench/reference/keras_same_start.py'), split, start, String(BATCHES)],
  {
    encoding: 'utf8',
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
  },
);
const keras = JSON.parse(py.stdout.trim().split('\n').at(-1));
console.log('| batch | dgascope loss | Keras loss |\n|---|---|---|');
for (const b of [0, 1, 2, 4, 8, 16, 32, 48, 63]) console.log(`| ${b + 1} | ${ours[b].toFixed(4)} | ${keras[b].toFixed(4)} |`);
console.log(`largest difference over ${BATCHES} batches: ${Math.max(...ours.map((l, b) => Math.abs(l - keras[b]))).toExponential(2)}`);
