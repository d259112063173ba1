// dgascope vs the Keras reference, side by side, in one run on this machine: training of both
// presets, inference of both presets.
//   npm run bench:backends [-- --train 8192 --eval 10240 --epochs 2 --reps 3 --train-presets resnet-cnn,endgame-2016
//                             --baseline-ml <dist/index.js> --wasm --only training|inference --out file.json]
// Same data for all: the first --train samples of the ml benchmark's training split and the first
// --eval of its test split (bench/.cache/ml-split-registered-domain.tsv, bench/ml/README.md; written
// by bench/ml/export-split.mjs when missing).
// Training, per preset (default: the default preset resnet-cnn and the seed preset endgame-2016):
//   native, 2 threads / 1 thread: @dgascope/ml's train() with the preset's recipe (architecture, loss,
//                 class weights; product defaults: random batches of 128 padded to their own longest
//                 member, masked), data-parallel over 2 worker threads or on one (the default), then
//                 predictProba() (batch 1024);
//   native, before (--baseline-ml): the same on another build of @dgascope/ml (an earlier commit's);
//   wasm (--wasm): the WASM backend, one thread;
//   keras:        bench/reference/keras_lstm.py --arch lstm|cnn (TF/Keras in bench/.cache/venv: the
//                 same network in Keras, inputs pre-padded to 75, no masking, as the seed notebook),
//                 model.predict(batch 1024).
// Training throughput is the last epoch's (the first includes start-up: WASM compilation, graph
// tracing); each case runs in a fresh process, one after the other, cases interleaved over --reps.
// After each epoch both score the first --eval samples of the validation split (argmax accuracy),
// so their learning curves are compared epoch by epoch. Each rep first measures the machine's matmul
// rate in TensorFlow (matmul-rate.mjs); the physical limit of a preset is that rate over the
// arithmetic of one training sample (trainFlopsPerSample below), and each case's fraction of it is
// printed with its ratio to Keras. Cases are repeated (--reps, default 3): prints tables of the
// medians and the load average, writes bench/history/backends-<date>.json.
// Without bench/.cache/venv, the Keras peer is installed there first (pip install tensorflow-cpu).
// Inference of the presets (bench/native/inference.mjs, each rep in a fresh process): the default
// preset and the seed preset endgame-2016, each trained once for 1 epoch and cached, on
// --infer-backends (default tfjs-node): model alone on one thread and the 2-thread pool the bulk
// job uses, domains/s and domains per CPU-second, and the agreement of every score and verdict with
// the first run's (bench/.cache/infer-<preset>-<architecture hash>-reference.json).
// --only training | inference runs one half; --ml <dist/index.js> runs the inference cases on another
// build of @dgascope/ml (an earlier commit's, for a before/after in one window).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAverage as load, median, writeHistory } from '../record.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const argv = process.argv.slice(2);
const opt = (k, d) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? argv[i + 1] : d;
};
const N = Number(opt('train', '8192')),
  M = Number(opt('eval', '10240')),
  epochs = Number(opt('epochs', '2')),
  reps = Number(opt('reps', '3'));
const splitFile = path.join(root, 'bench/.cache/ml-split-registered-domain.tsv');
const python = path.join(root, 'bench/.cache/venv/bin/python');

// ---------------------------------------------------------------- one dgascope case (child process)
if (opt('case')) {
  const ml = await import(opt('case-ml') ?? '@dgascope/ml');
  const info = await ml.initBackend({ backend: opt('case') });
  const preset = opt('preset', 'endgame-2016');
  const threads = opt('threads') === undefined ? {} : { threads: Number(opt('threads')) };
  const parts = { train: [], validation: [], test: [] };
  for (const line of readFileSync(splitFile, 'utf8').split('\n')) {
    const [part, label, input] = line.split('\t');
    if (part in parts) parts[part].push({ domain: input, input, label });
  }
  const train = parts.train.slice(0, N),
    validation = parts.validation.slice(0, M),
    test = parts.test.slice(0, M);
  const cpu0 = process.cpuUsage();
  // The validation part is scored after each epoch, as Keras' fit(validation_data=…) does: the
  // learning curves of the two are compared epoch by epoch (argmax accuracy on the same samples).
  // The preset's recipe (architecture, loss, class weights), this run's epochs and seed.
  const r = await ml.train(
    { train, validation },
    {
      ...ml.presetTrainOptions(preset),
      ...threads,
      epochs,
      batchSize: 128,
      earlyStopping: false,
      decision: false,
      seed: Number(opt('seed', '23')),
    },
  );
  const cpu = process.cpuUsage(cpu0);
  const trainCpuS = (cpu.user + cpu.system) / 1e6;
  const inputs = test.map((s) => s.input);
  r.model.predictProba(inputs.slice(0, 2048)); // warm-up
  const t = performance.now();
  r.model.predictProba(inputs);
  const inferS = (performance.now() - t) / 1000;
  const known = new Set(r.model.labels);
  const acc = ml.evaluate(
    r.model,
    test.filter((s) => known.has(s.label)),
  ).accuracy;
  const trainS = r.history.reduce((a, h) => a + h.seconds, 0);
  console.log(
    JSON.stringify({
      impl: info.choice,
      backend: info.backend,
      preset,
      threads: r.threads ?? 1,
      epochSamplesPerSec: r.history.map((h) => Math.round(h.samplesPerSec)),
      epochValidationAccuracy: r.history.map((h) => h.validation?.accuracy ?? null),
      epochLoss: r.history.map((h) => h.loss),
      epochValidationLoss: r.history.map((h) => h.validation?.loss ?? null),
      trainSamplesPerCpuSec: Math.round((N * epochs) / trainCpuS),
      trainCores: +(trainCpuS / trainS).toFixed(2),
      inferPerSec: Math.round(inputs.length / inferS),
      accuracy: acc,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  r.model.dispose();
  process.exit(0);
}

// ---------------------------------------------------------------- orchestration
if (!existsSync(splitFile)) {
  console.error(`[backends] ${path.relative(root, splitFile)} missing: node bench/ml/export-split.mjs`);
  const p = spawnSync(process.execPath, [path.join(root, 'bench/ml/export-split.mjs')], { stdio: 'inherit' });
  if (p.status !== 0) process.exit(1);
}
const only = opt('only', null);
if (only !== null && only !== 'training' && only !== 'inference') throw new Error(`--only training|inference, got ${only}`);
if (only !== 'inference' && !existsSync(python)) {
  console.error(
    `[backends] installing the Keras peer into ${path.relative(root, path.dirname(path.dirname(python)))} (tensorflow-cpu from PyPI)`,
  );
  const venv = path.dirname(path.dirname(python));
  const made = spawnSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
  const installed = made.status === 0 && spawnSync(python, ['-m', 'pip', 'install', '-q', 'tensorflow-cpu'], { stdio: 'inherit' });
  if (!installed || installed.status !== 0) console.error('[backends] the Keras peer could not be installed; it is skipped');
}
const env = { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' };
const self = fileURLToPath(import.meta.url);
const { DEFAULT_PRESET, presetTrainOptions } = await import('@dgascope/ml');
// Training: each preset (default: the default preset and the seed preset) by dgascope on native
// TensorFlow with two training threads (data-parallel, packages/ml/src/train-threads.ts) and one, optionally an earlier
// build (--baseline-ml <dist/index.js>: "before" rows) and WASM (--wasm), and by Keras.
const trainPresets = opt('train-presets', `${DEFAULT_PRESET},endgame-2016`).split(',');
const baselineMl = opt('baseline-ml', null);
const dgascope = (preset, name, backend, extra) => ({
  name,
  preset,
  run: () => [process.execPath, [self, '--case', backend, '--preset', preset, ...extra, ...argv]],
});
const cases = trainPresets.flatMap((preset) => {
  const arch = presetTrainOptions(preset).architecture?.arch ?? 'lstm';
  return [
    dgascope(preset, 'native, 2 threads', 'tfjs-node', ['--threads', '2']),
    dgascope(preset, 'native, 1 thread', 'tfjs-node', ['--threads', '1']),
    ...(baselineMl ? [dgascope(preset, 'native, before', 'tfjs-node', ['--case-ml', path.resolve(baselineMl)])] : []),
    ...(argv.includes('--wasm') ? [dgascope(preset, 'wasm', 'wasm', [])] : []),
    {
      name: 'keras reference',
      preset,
      run: () => [
        python,
        [
          path.join(root, 'bench/reference/keras_lstm.py'),
          splitFile,
          '--arch',
          arch,
          '--epochs',
          String(epochs),
          '--limit',
          String(N),
          '--eval-limit',
          String(M),
          '--tag',
          `keras-backends-${arch}`,
        ],
      ],
      skip: () => (existsSync(python) ? null : `no ${path.relative(root, python)} (see bench/ml/README.md)`),
    },
  ];
});

// The physical limit of training, per preset: the machine's matmul rate in TensorFlow (both cores,
// measured in this run: matmul-rate.mjs, before each rep) over the arithmetic one training sample
// needs: 3 × the forward pass's multiply-adds × 2 (forward, and a backward pass of twice its cost)
// over the sample's own characters (no padding), counted on the first --train samples.
const trainLengths = readFileSync(splitFile, 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('train\t'))
  .slice(0, N)
  .map((l) => l.split('\t'));
const meanChars = trainLengths.reduce((a, [, , input]) => a + Math.min(input.length, 75), 0) / trainLengths.length;
const classes = new Set(trainLengths.map(([, label]) => label)).size;
function trainFlopsPerSample(preset) {
  const o = presetTrainOptions(preset).architecture ?? {};
  const E = 128,
    width = 128; // LSTM units, CNN filters (the presets' defaults)
  const perChar =
    o.arch === 'cnn'
      ? 2 * 3 * E * width + 2 * 2 * 2 * 3 * width * width // conv0 (k=3), 2 blocks × 2 convolutions
      : 2 * (E + width) * 4 * width; // input projection and recurrent product of the four gates
  return 3 * (perChar * meanChars + 2 * width * classes);
}
const matmulRuns = [];
function measureMatmul(rep) {
  const p = spawnSync(process.execPath, [path.join(here, 'matmul-rate.mjs')], { encoding: 'utf8', env, timeout: 120_000 });
  const line = (p.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
  if (!line) return console.error(`[backends] matmul rate: failed (exit ${p.status})\n${(p.stderr ?? '').slice(-800)}`);
  const row = { rep, ...JSON.parse(line), load: load() };
  matmulRuns.push(row);
  console.error(`[backends] matmul rate (rep ${rep + 1}/${reps}): ${JSON.stringify(row)}`);
}
const started = new Date();
const runs = [];
const inferRuns = [];
const inferPresets = [DEFAULT_PRESET, 'endgame-2016'];
const inferBackends = opt('infer-backends', 'tfjs-node').split(',');
// One inference case in a fresh process; its row is kept with the load around it.
function runInference(preset, backend, rep) {
  const loadBefore = load();
  const p = spawnSync(
    process.execPath,
    [
      path.join(here, 'inference.mjs'),
      '--preset',
      preset,
      '--backend',
      backend,
      '--train',
      String(N),
      ...(opt('infer') ? ['--infer', opt('infer')] : []),
      ...(opt('ml') ? ['--ml', opt('ml')] : []),
    ],
    { encoding: 'utf8', env, timeout: 900_000 },
  );
  const line = (p.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
  if (!line) {
    console.error(`[backends] inference ${preset} on ${backend}: failed (exit ${p.status})\n${(p.stderr ?? '').slice(-1500)}`);
    return;
  }
  const row = { rep, ...JSON.parse(line), loadBefore, loadAfter: load() };
  inferRuns.push(row);
  console.error(`[backends] inference ${preset} on ${backend} (rep ${rep + 1}/${reps}): ${JSON.stringify(row)}`);
}
console.error(`[backends] ${N} training samples × ${epochs} epochs, ${M} domains inferred; load average ${load()}`);
for (let rep = 0; rep < reps; rep++) {
  if (only !== 'training') for (const preset of inferPresets) for (const b of inferBackends) runInference(preset, b, rep);
  if (only !== 'inference') measureMatmul(rep);
  if (only !== 'inference')
    for (const c of cases) {
      const why = c.skip?.();
      if (why) {
        if (rep === 0) console.error(`[backends] ${c.preset} ${c.name}: skipped: ${why}`);
        continue;
      }
      const [cmd, args] = c.run();
      const loadBefore = load();
      const t0 = performance.now();
      const p = spawnSync(cmd, args, { encoding: 'utf8', env, timeout: 600_000 });
      const line = (p.stdout ?? '').split('\n').find((l) => l.startsWith('{'));
      if (!line) {
        console.error(`[backends] ${c.preset} ${c.name}: failed (exit ${p.status})\n${(p.stderr ?? '').slice(-1500)}`);
        continue;
      }
      const r = JSON.parse(line);
      const epochRates = r.epochSamplesPerSec ?? [];
      const row = {
        preset: c.preset,
        case: c.name,
        threads: typeof r.threads === 'number' ? r.threads : null,
        rep,
        trainSamplesPerSec: epochRates.at(-1) ?? null,
        epochSamplesPerSec: epochRates,
        inferDomainsPerSec: r.inferPerSec,
        accuracy: r.accuracy,
        trainCores: r.trainCores ?? null,
        epochValidationAccuracy: r.epochValidationAccuracy ?? [],
        epochLoss: r.epochLoss ?? [],
        peakRssMB: r.peakRssMB,
        version: r.tfVersion ? `TF ${r.tfVersion} / Keras ${r.kerasVersion}` : null,
        wallSeconds: Math.round((performance.now() - t0) / 1000),
        loadBefore,
        loadAfter: load(),
      };
      runs.push(row);
      console.error(`[backends] ${c.preset} ${c.name} (rep ${rep + 1}/${reps}): ${JSON.stringify(row)}`);
    }
}

const matmulGflops = median(matmulRuns.map((r) => r.gflopsPerSec));
// Ratios within each rep (the load changes between reps): to Keras' run of the same preset and
// rep, and to the limit from the matmul rate measured at the start of that rep; then their medians.
for (const r of runs) {
  const keras = runs.find((k) => k.preset === r.preset && k.rep === r.rep && k.case === 'keras reference');
  const gflops = matmulRuns.find((m) => m.rep === r.rep)?.gflopsPerSec;
  r.vsKeras = keras?.trainSamplesPerSec && r.trainSamplesPerSec ? +(r.trainSamplesPerSec / keras.trainSamplesPerSec).toFixed(3) : null;
  r.fractionOfLimit =
    gflops && r.trainSamplesPerSec ? +((r.trainSamplesPerSec * trainFlopsPerSample(r.preset)) / (gflops * 1e9)).toFixed(3) : null;
}
const table = cases
  .map((c) => {
    const rs = runs.filter((r) => r.case === c.name && r.preset === c.preset);
    if (!rs.length) return null;
    const flops = trainFlopsPerSample(c.preset);
    const trainSamplesPerSec = median(rs.map((r) => r.trainSamplesPerSec));
    return {
      preset: c.preset,
      case: c.name,
      threads: median(rs.map((r) => r.threads)),
      trainSamplesPerSec,
      trainCores: median(rs.map((r) => r.trainCores)),
      inferDomainsPerSec: median(rs.map((r) => r.inferDomainsPerSec)),
      accuracy: median(rs.map((r) => r.accuracy)),
      trainMflopPerSample: +(flops / 1e6).toFixed(2),
      physicalLimitSamplesPerSec: matmulGflops ? Math.round((matmulGflops * 1e9) / flops) : null,
      fractionOfLimit: median(rs.map((r) => r.fractionOfLimit)),
      vsKeras: median(rs.map((r) => r.vsKeras)),
      epochValidationAccuracy: Array.from({ length: epochs }, (_, e) => median(rs.map((r) => r.epochValidationAccuracy[e]))),
      epochLoss: Array.from({ length: epochs }, (_, e) => median(rs.map((r) => r.epochLoss[e]))),
    };
  })
  .filter(Boolean);
const lines = [
  `training, ${N} samples × ${epochs} epochs (median of ${reps} runs; rate of the last epoch; matmul ${matmulGflops ?? '?'} GFLOP/s, mean ${meanChars.toFixed(1)} characters a name;`,
  `"vs Keras" and "of the limit": medians of each rep's ratio to Keras and to that rep's matmul rate):`,
  `| preset | case | threads | train samples/s | cores used | vs Keras | MFLOP a sample | physical limit /s | of the limit | inference domains/s | test accuracy |`,
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...table.map(
    (t) =>
      `| ${t.preset} | ${t.case} | ${t.threads ?? '–'} | ${t.trainSamplesPerSec} | ${t.trainCores ?? '–'} | ${t.vsKeras ? `${t.vsKeras.toFixed(2)}x` : '–'} | ${t.trainMflopPerSample} | ${t.physicalLimitSamplesPerSec ?? '–'} | ${t.fractionOfLimit !== null ? `${(100 * t.fractionOfLimit).toFixed(0)} %` : '–'} | ${t.inferDomainsPerSec} | ${t.accuracy?.toFixed(3) ?? '–'} |`,
  ),
];
const inference = inferPresets
  .flatMap((preset) =>
    inferBackends.map((backend) => {
      const rs = inferRuns.filter((r) => r.preset === preset && r.backend === backend);
      const m = (k) => median(rs.map((r) => r[k]));
      const worst = (k) => (rs.some((r) => r.agreement) ? Math.max(...rs.map((r) => r.agreement?.[k] ?? 0)) : null);
      return {
        preset,
        backend,
        runs: rs.length,
        aloneDomainsPerSec: m('aloneDomainsPerSec'),
        aloneDomainsPerCpuSec: m('aloneDomainsPerCpuSec'),
        aloneCores: m('aloneCores'),
        probsOnlyDomainsPerSec: m('probsOnlyDomainsPerSec'),
        poolDomainsPerSec: m('poolDomainsPerSec'),
        poolDomainsPerCpuSec: m('poolDomainsPerCpuSec'),
        maxProbDiffVsReference: worst('probs'),
        maxNoveltyDiffVsReference: worst('novelty'),
        maxNoveltyRelativeDiffVsReference: worst('noveltyRelative'),
        verdictsDifferingVsReference: worst('verdictsDiffering'),
      };
    }),
  )
  .filter((r) => r.runs > 0);
if (inference.length) {
  console.log(`inference, ${inferRuns[0]?.names ?? '?'} test names (median of ${reps} runs; CPU-s = all threads of the process):`);
  console.log(
    '| preset | backend | model alone domains/s | per CPU-s | cores used | probabilities only /s | 2-thread pool /s | pool per CPU-s | vs reference: max Δp, max relative Δnovelty, verdicts differing |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of inference)
    console.log(
      `| ${r.preset} | ${r.backend} | ${r.aloneDomainsPerSec} | ${r.aloneDomainsPerCpuSec} | ${r.aloneCores} | ${r.probsOnlyDomainsPerSec} | ${r.poolDomainsPerSec} | ${r.poolDomainsPerCpuSec} | ${r.maxProbDiffVsReference?.toExponential(1) ?? '(reference written)'}, ${r.maxNoveltyRelativeDiffVsReference?.toExponential(1) ?? '–'}, ${r.verdictsDifferingVsReference ?? '–'} |`,
    );
  console.log('');
}
if (table.length) {
  console.log(lines.join('\n'));
  // The learning curves: validation accuracy (argmax, the same validation samples) after each epoch.
  console.log(`\nvalidation accuracy by epoch (median of ${reps} runs; training loss in brackets):`);
  console.log(`| epoch | ${table.map((t) => `${t.preset} ${t.case}`).join(' | ')} |`);
  console.log(`|---|${table.map(() => '---|').join('')}`);
  for (let e = 0; e < epochs; e++)
    console.log(
      `| ${e + 1} | ${table.map((t) => `${t.epochValidationAccuracy[e]?.toFixed(3) ?? '–'} (${t.epochLoss[e]?.toFixed(2) ?? '–'})`).join(' | ')} |`,
    );
}
console.log(
  `load average (1, 5, 15 min): before ${inferRuns[0]?.loadBefore ?? matmulRuns[0]?.load ?? runs[0]?.loadBefore ?? load()}, after ${load()}`,
);
writeHistory('backends', {
  startedAt: started,
  settings: {
    trainSamples: N,
    evalSamples: M,
    epochs,
    reps,
    only,
    trainPresets,
    baselineMl,
    inferPresets,
    inferBackends,
    ml: opt('ml') ?? '@dgascope/ml',
    meanTrainChars: +meanChars.toFixed(2),
  },
  medians: { training: table, inference, matmulGflopsPerSec: matmulGflops },
  runs: { training: runs, inference: inferRuns, matmul: matmulRuns },
  ...(opt('out') ? { out: opt('out') } : {}),
});
