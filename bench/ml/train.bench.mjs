// dgascope side of the benchmark: trains on the benchmark split and prints/saves numbers.
//   node bench/ml/train.bench.mjs [--epochs=5] [--padding=batch|bucket|max] [--classWeights=none|inverse|sqrt|effective-number]
//        [--bucketChunk=8] [--reduction=registered-domain|full] [--limit=N (train samples)] [--earlyStopping=0|patience] [--tag=name] [--backend=wasm]
import * as ml from '@dgascope/ml';
import { arg, benchmarkSplit, peakRssMB, writeResult } from './common.mjs';

const epochs = Number(arg('epochs', '5'));
const padding = arg('padding', 'batch');
const classWeights = arg('classWeights', 'none');
const reduction = arg('reduction', 'registered-domain');
const limit = arg('limit', undefined);
const patience = Number(arg('earlyStopping', '0'));
const bucketChunk = Number(arg('bucketChunk', '8'));
const tag = arg('tag', `dgascope-${padding}-${classWeights}-${reduction}-e${epochs}${limit ? `-n${limit}` : ''}`);

const backend = await ml.initBackend(arg('backend') ? { backend: arg('backend') } : {});
const { prepared, split } = benchmarkSplit({ reduction, limit });
console.error(
  `[${tag}] backend ${backend.choice}; ${prepared.samples.length} samples, ${prepared.labels.length} classes; train ${split.train.length}, val ${split.validation.length}, test ${split.test.length}`,
);
const t0 = performance.now();
const r = await ml.train(
  { train: split.train, validation: split.validation },
  {
    epochs,
    padding,
    bucketChunk,
    classWeights,
    inputForm: { reduction },
    earlyStopping: patience > 0 ? { patience } : false,
    progressEvery: 100,
    onProgress: (p) => {
      if (p.phase === 'epoch')
        console.error(
          `[${tag}] epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)} ${Math.round(p.samplesPerSec)} samples/s val loss ${p.validation?.loss.toFixed(4)} acc ${p.validation?.accuracy.toFixed(4)} macroF1 ${p.validation?.macroF1.toFixed(4)}`,
        );
      else
        console.error(
          `[${tag}]   epoch ${p.epoch} batch ${p.batch}/${p.batches} ${Math.round(p.samplesPerSec)} samples/s loss ${p.loss.toFixed(4)} eta ${Math.round(p.etaSeconds)} s`,
        );
    },
  },
);
const trainSeconds = (performance.now() - t0) / 1000;
const trainedSamples = r.history.reduce((a, h) => a + h.samplesPerSec * h.seconds, 0);
const trainOnlySeconds = r.history.reduce((a, h) => a + h.seconds, 0);

// inference: warm up, then classify() the test domains (normalise + reduce + predict) and predictProba() on inputs
const domains = split.test.map((s) => s.domain),
  inputs = split.test.map((s) => s.input);
r.model.predictProba(inputs.slice(0, 2048));
let t = performance.now();
r.model.predictProba(inputs);
const inferPerSec = inputs.length / ((performance.now() - t) / 1000);
t = performance.now();
r.model.classify(domains);
const classifyPerSec = domains.length / ((performance.now() - t) / 1000);

// the same on 2 worker threads (one per core here)
const pool = await ml.InferencePool.create(r.model, { workers: Number(arg('workers', '2')) });
await pool.predictProba(inputs.slice(0, 4096));
t = performance.now();
await pool.classify(domains);
const poolClassifyPerSec = domains.length / ((performance.now() - t) / 1000);
await pool.close();

const test = ml.evaluate(r.model, split.test, { misclassifiedCap: 50 });
const result = {
  impl: 'dgascope',
  tag,
  backend: backend.choice,
  epochs,
  epochsRun: r.history.length,
  padding,
  bucketChunk: padding === 'bucket' ? bucketChunk : null,
  classWeights,
  reduction,
  train: split.train.length,
  validation: split.validation.length,
  test: split.test.length,
  classes: r.model.labels.length,
  trainSamplesPerSec: Math.round(trainedSamples / trainOnlySeconds),
  trainSeconds: Math.round(trainSeconds),
  inferPerSec: Math.round(inferPerSec),
  classifyPerSec: Math.round(classifyPerSec),
  poolClassifyPerSec: Math.round(poolClassifyPerSec),
  peakRssMB: peakRssMB(),
  accuracy: test.accuracy,
  macroF1: test.macro.f1,
  microF1: test.micro.f1,
  weightedF1: test.weighted.f1,
  auc: test.binary?.auc,
  tprAtFpr: test.binary?.tprAtFpr,
  openSetThreshold: r.model.meta.openSetThreshold,
  unknownFamilyRate: test.unknownFamilyRate,
  benignFlaggedRate: test.benignFlaggedRate,
  zeroF1Families: test.perClass.filter((c) => c.f1 === 0).map((c) => c.label),
  perClass: test.perClass,
  history: r.history,
  misclassifiedSample: test.misclassified.slice(0, 20),
};
const file = writeResult(tag, result);
const { perClass, history, misclassifiedSample, ...summary } = result;
console.log(JSON.stringify(summary));
console.error(`[${tag}] written ${file}`);
if (arg('save')) await ml.saveModel(r.model, arg('save'));
r.model.dispose();
