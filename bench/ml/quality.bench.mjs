// npm run bench:quality -- [--preset=NAME] [--epochs=N] [--loss=..] [--classWeights=..] [--capEarly=2000]
//   [--saveModel=file.dgam] [--loadModel=file.dgam] [--dgaThresholdMethod=quantile|tail] [--dgaScorePrior=training|uniform-families] [--capLater=500] [--focalGamma=2] [--samplingPower=0.5] [--outliers=share[:weight]] [--benignShare=0.5] [--patience=2 (0: off)] [--lrSchedule=cosine] [--pooling=max|max-mean] [--kernelSize=3] [--blocks=2] [--filters=128] [--dropout=0.5] [--batchSize=128] [--lr=0.001] [--binary] [--padding=bucket|batch] [--benignCap=N host names] [--benignExtra=alexa-10k-100k] [--foldCapEarly=N] [--foldEpochs=N] [--folds=wordlist,short,random,mixed|none] [--seed=23] [--backend=..] [--tag=name]
//
// What users meet, measured on ../shared/data (scenarios in quality-data.mjs):
//   fresh      later domains of known families (not in the training feed): per-family P/R/F1 by verdict
//   real       real Bambenek 2018 Q4 / 360 Netlab rows: known families (F1) and families never trained on
//   benign     false alarms on top lists the model never trained on, at the model's own threshold
//   leave-out  folds of held-out families: flagged as DGA, answered "unknown family", given a wrong family;
//              every novelty detector compared on the same models
//   time       seconds per training epoch
// One table on stdout, the whole result in bench/results/quality-<tag>.json.
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import * as ml from '@dgascope/ml';
import { arg, writeResult, peakRssMB } from './common.mjs';
import {
  BENIGN,
  BENIGN_EXTRA,
  LEAVE_OUT_FOLDS,
  benignHeldOut,
  benignTraining,
  dgaScores,
  dgaScoresOf,
  encodeSamples,
  familyDomains,
  knownFamilyRows,
  loadFamilies,
  loadRealFeeds,
  trainingScenario,
  unseenFamilyRows,
} from './quality-data.mjs';

const UNKNOWN = 'unknownFamily';
const opt = {
  preset: arg('preset', ml.DEFAULT_PRESET),
  epochs: arg('epochs') === undefined ? undefined : Number(arg('epochs')),
  loss: arg('loss'),
  classWeights: arg('classWeights'),
  novelty: arg('novelty'),
  tau: arg('tau'),
  focalGamma: arg('focalGamma'),
  samplingPower: arg('samplingPower'),
  // outlier exposure: synthetic names of no family per real sample, and their loss weight (share[:weight])
  outliers: arg('outliers'),
  benignShare: arg('benignShare'),
  patience: arg('patience'),
  lrSchedule: arg('lrSchedule'),
  padding: arg('padding'),
  capEarly: Number(arg('capEarly', 2000)),
  capLater: Number(arg('capLater', 500)),
  folds: arg('folds', Object.keys(LEAVE_OUT_FOLDS).join(',')),
  foldCapEarly: arg('foldCapEarly') === undefined ? undefined : Number(arg('foldCapEarly')),
  foldEpochs: arg('foldEpochs') === undefined ? undefined : Number(arg('foldEpochs')),
  benignCap: arg('benignCap') === undefined ? Infinity : Number(arg('benignCap')),
  benignExtra: arg('benignExtra'),
  seed: Number(arg('seed', 23)),
  backend: arg('backend'),
  tag: arg('tag'),
  // every DGA family trained as one class 'dga' (the paper's separate binary detector): only the
  // DGA-score rows (flagged, operating points) mean anything then, every family's F1 is 0
  binary: process.argv.includes('--binary'),
  // CNN width, dropout, batch and learning-rate overrides
  filters: arg('filters'),
  dropout: arg('dropout'),
  batchSize: arg('batchSize'),
  lr: arg('lr'),
  saveModel: arg('saveModel'),
  // a main model saved by an earlier run with the same data options (its split and fresh domains
  // are recomputed from the seed), recalibrated with today's decision options: measures calibration
  // and scoring changes without training again
  loadModel: arg('loadModel'),
  dgaThresholdMethod: arg('dgaThresholdMethod'),
  dgaScorePrior: arg('dgaScorePrior'),
  pooling: arg('pooling'),
  // CNN shape overrides (the receptive field: 1 + (kernelSize − 1)·(1 + 2·blocks) characters)
  kernelSize: arg('kernelSize'),
  blocks: arg('blocks'),
};
const tag = opt.tag ?? `${opt.preset}-e${opt.epochs ?? 'preset'}-s${opt.seed}`;
const load0 = os.loadavg()[0];
const backend = await ml.initBackend(opt.backend ? { backend: opt.backend } : {});
const log = (...a) => console.error(`[quality ${tag}]`, ...a);
log(`backend ${backend.choice}, load average ${load0.toFixed(2)}`);

function trainOptions(fold = false) {
  const o = ml.presetTrainOptions(opt.preset);
  if (opt.epochs !== undefined) o.epochs = opt.epochs;
  if (fold && opt.foldEpochs !== undefined) o.epochs = opt.foldEpochs;
  if (opt.loss) o.loss = opt.loss;
  if (opt.classWeights) o.classWeights = opt.classWeights;
  if (opt.tau !== undefined) o.logitAdjustmentTau = Number(opt.tau);
  if (opt.focalGamma !== undefined) o.focalGamma = Number(opt.focalGamma);
  if (opt.samplingPower !== undefined || opt.benignShare !== undefined)
    o.sampling = {
      ...(opt.samplingPower !== undefined ? { power: Number(opt.samplingPower) } : {}),
      ...(opt.benignShare !== undefined ? { benignShare: Number(opt.benignShare) } : {}),
    };
  if (opt.lrSchedule) o.learningRateSchedule = opt.lrSchedule;
  if (opt.pooling) o.architecture = { ...o.architecture, pooling: opt.pooling };
  if (opt.kernelSize !== undefined) o.architecture = { ...o.architecture, kernelSize: Number(opt.kernelSize) };
  if (opt.filters !== undefined) o.architecture = { ...o.architecture, filters: Number(opt.filters) };
  if (opt.dropout !== undefined) o.architecture = { ...o.architecture, dropout: Number(opt.dropout) };
  if (opt.batchSize !== undefined) o.batchSize = Number(opt.batchSize);
  if (opt.lr !== undefined) o.learningRate = Number(opt.lr);
  if (opt.blocks !== undefined) o.architecture = { ...o.architecture, blocks: Number(opt.blocks) };
  if (opt.outliers !== undefined) {
    const [share, weight] = opt.outliers.split(':').map(Number);
    o.outlierExposure = Number(share) > 0 ? { share, ...(weight !== undefined ? { weight } : {}) } : null;
  }
  // early stopping on validation loss (the product's default: patience 2); 0 = every epoch, last weights
  if (opt.patience !== undefined) o.earlyStopping = Number(opt.patience) > 0 ? { patience: Number(opt.patience) } : false;
  if (opt.padding) o.padding = opt.padding;
  if (opt.novelty) o.decision = { ...(o.decision || {}), novelty: opt.novelty === 'none' ? false : opt.novelty };
  if (opt.dgaThresholdMethod) o.decision = { ...(o.decision || {}), dgaThresholdMethod: opt.dgaThresholdMethod };
  if (opt.dgaScorePrior) o.decision = { ...(o.decision || {}), dgaScorePrior: opt.dgaScorePrior };
  return { ...o, seed: opt.seed };
}

const families = loadFamilies();
const benignRows = [
  ...benignTraining().slice(0, opt.benignCap),
  ...(opt.benignExtra
    ? (
        BENIGN_EXTRA[opt.benignExtra] ??
        (() => {
          throw new Error(`unknown --benignExtra ${opt.benignExtra}`);
        })
      )()
    : []),
].map((domain) => ({ domain, label: BENIGN }));
const realRows = loadRealFeeds();
const heldBenign = benignHeldOut();

const toBinary = (s) => (s.label === BENIGN ? s : { ...s, label: 'dga' });

/** Train on the early domains of all families but `exclude`; return model, data and timings. */
async function trainOn(exclude) {
  const fold = exclude.length > 0;
  const capEarly = fold ? (opt.foldCapEarly ?? opt.capEarly) : opt.capEarly;
  const scenario = trainingScenario(families, benignRows, {
    capEarly,
    capLater: opt.capLater,
    exclude,
    seed: opt.seed,
  });
  const { prepared, trainInputs, fresh } = scenario;
  // the split carries the labels the model trains on, so its later calibrations and the test row use them too
  const split = opt.binary ? Object.fromEntries(Object.entries(scenario.split).map(([k, v]) => [k, v.map(toBinary)])) : scenario.split;
  const t0 = performance.now();
  const result =
    opt.loadModel && !fold
      ? loadTrained(opt.loadModel, split)
      : await ml.train({ train: split.train, validation: split.validation }, { ...trainOptions(fold), inputForm: prepared.inputForm });
  const seconds = (performance.now() - t0) / 1000;
  log(`trained without [${exclude.join(', ')}]: ${split.train.length} samples, ${result.history.length} epochs, ${seconds.toFixed(0)} s`);
  return { model: result.model, result, prepared, split, fresh, trainInputs, seconds };
}

/** The run's decision options (with `change`), calibrated as training does: on the sampling it trained with. */
function calibrate(model, trainSet, validation, change = {}, fold = false) {
  const o = trainOptions(fold);
  return ml.calibrateDecision(model, trainSet, validation, { ...(o.decision || {}), ...change }, 1024, o.sampling?.power ?? 1);
}

/** A saved main model, recalibrated on this run's split with this run's decision options. */
function loadTrained(file, split) {
  const model = ml.modelFromBuffer(readFileSync(file));
  model.meta.decision = calibrate(model, encodeSamples(model, split.train), encodeSamples(model, split.validation));
  log(`loaded ${file} (trained ${model.meta.history.length} epochs), recalibrated`);
  return { model, history: model.meta.history };
}

const summary = (e) => ({
  n: e.n,
  microF1: e.micro.f1,
  macroF1: e.macro.f1,
  labels: e.perClass.filter((c) => c.support > 0).length,
  zeroF1: e.perClass.filter((c) => c.support > 0 && c.f1 === 0).map((c) => c.label),
  zeroF1Over50: e.perClass.filter((c) => c.support >= 50 && c.f1 === 0).map((c) => c.label),
  unknownFamilyRate: e.unknownFamilyRate,
  benignFlaggedRate: e.benignFlaggedRate,
  flaggedAsDga: dgaShare(e),
  familyAccuracyWhenFlagged: familyAccuracy(e),
  auc: e.binary?.auc ?? null,
  tprAt1e3: e.binary?.tprAtFpr['1e-3'] ?? null,
  perFamily: Object.fromEntries(
    e.perClass.filter((c) => c.support > 0).map((c) => [c.label, { p: c.precision, r: c.recall, f1: c.f1, n: c.support }]),
  ),
});

/** Of the DGA-labelled samples answered DGA with a known family, the share given their own family. */
function familyAccuracy(e) {
  const b = e.labels.indexOf(BENIGN);
  let n = 0,
    right = 0;
  e.labels.forEach((l, t) => {
    if (t === b) return;
    e.confusion[t].forEach((count, p) => {
      if (p === b) return;
      n += count;
      if (p === t) right += count;
    });
  });
  return n ? right / n : null;
}

/** Evaluation at a fixed DGA threshold instead of the model's own (the seed's argmax-like rule at 0.5). */
function evaluateAt(model, samples, dgaThreshold) {
  const saved = model.meta.decision;
  model.meta.decision = { ...ml.effectiveDecision(model.meta), dgaThreshold };
  try {
    return ml.evaluate(model, samples);
  } finally {
    model.meta.decision = saved;
  }
}

/** Share of the DGA-labelled samples not answered benign. */
function dgaShare(e) {
  const b = e.labels.indexOf(BENIGN);
  let n = 0,
    asBenign = 0;
  e.labels.forEach((l, t) => {
    if (t === b) return;
    const row = e.confusion[t];
    for (let p = 0; p < row.length; p++) n += row[p];
    if (b >= 0) asBenign += row[b];
  });
  n += e.unknownFamily; // unknown answers are DGA verdicts (benign rows never get one)
  return n ? 1 - asBenign / n : null;
}

/** The held-out benign lists in the model's input form, scored once: verdicts and DGA scores. */
function scoreHeldBenign(model) {
  const out = {};
  for (const [name, domains] of Object.entries(heldBenign)) {
    const valid = [];
    for (const d of domains) {
      const m = ml.toModelInput(d, model.meta.inputForm);
      if (m.ok) valid.push({ domain: d, input: m.input });
    }
    const v = ml.verdicts(
      model,
      valid.map((x) => x.input),
    );
    out[name] = { valid, v, dgaScores: dgaScoresOf(model, v.scores.probs) };
  }
  return out;
}

function benignReport(model, scored) {
  const out = {};
  for (const [name, { valid, v, dgaScores }] of Object.entries(scored)) {
    const flagged = [];
    valid.forEach((x, i) => {
      if (v.dga[i]) flagged.push({ rank: i + 1, domain: x.domain, family: v.predicted[i] < 0 ? UNKNOWN : model.labels[v.predicted[i]] });
    });
    out[name] = {
      n: valid.length,
      flaggedRate: flagged.length / valid.length,
      flaggedRateAt05: dgaScores.filter((x) => x >= 0.5).length / valid.length,
      top100: flagged.filter((f) => f.rank <= 100),
      top1000: flagged.filter((f) => f.rank <= 1000).length,
      examples: flagged.slice(0, 12),
    };
  }
  return out;
}

function realReport(model, prepared, trainInputs, unseen) {
  const known = knownFamilyRows(realRows, prepared, trainInputs);
  return {
    known: summary(ml.evaluate(model, known)),
    unseen: unseen.length ? ml.heldOutReport(model, unseen) : null,
  };
}

/** The trade-off the DGA threshold makes: thresholds calibrated for several benign FPR targets. */
const FPR_TARGETS = [0.03, 0.01, 0.003, 0.001, 0.0005];
/** Shares of each held-out list flagged by the oracle thresholds set on that list. */
const HELD_OUT_FPRS = [0.001, 0.01];

function operatingPoints(run, scored, unseenReal) {
  const { model, split, fresh } = run;
  const val = dgaScores(
    model,
    split.validation.filter((s) => s.label === BENIGN).map((s) => s.input),
  );
  const sets = {
    fresh: dgaScores(
      model,
      fresh.map((s) => s.input),
    ),
    realUnseen: dgaScores(
      model,
      unseenReal.map((s) => s.input),
    ),
    ...Object.fromEntries(Object.entries(scored).map(([name, x]) => [name, x.dgaScores])),
  };
  const rate = (scores, th) => scores.filter((x) => x >= th).length / Math.max(1, scores.length);
  return [
    { target: null, threshold: 0.5 },
    // Thresholds set on a held-out list itself (an oracle no user has): detection at equal false
    // alarms, which compares how well models separate, whatever their own calibration does.
    // Every held-out list, not Alexa alone: a change can flatter one list (Alexa is rich in national
    // suffixes, OpenDNS holds junk names, the new Umbrella names are closest to the training list).
    ...Object.entries(scored).flatMap(([list, x]) =>
      HELD_OUT_FPRS.map((fpr) => ({ target: `${fpr} of ${list}`, threshold: ml.chooseDgaThreshold(x.dgaScores, fpr) })),
    ),
    ...FPR_TARGETS.map((target) => ({ target, threshold: ml.chooseDgaThreshold(val, target) })),
    ...FPR_TARGETS.filter((t) => t < 0.01).map((target) => ({
      target: `${target} tail`,
      threshold: ml.chooseDgaThresholdBy('tail', val, target).threshold,
    })),
  ].map((o) => ({ ...o, ...Object.fromEntries(Object.entries(sets).map(([k, v]) => [k, rate(v, o.threshold)])) }));
}

/** The benign validation names that set the DGA threshold: the highest DGA scores. */
function benignCalibrationTail(run, n = 10) {
  const names = run.split.validation.filter((s) => s.label === BENIGN).map((s) => s.input);
  const scores = dgaScores(run.model, names);
  return names
    .map((input, i) => ({ input, dgaScore: scores[i] }))
    .sort((a, b) => b.dgaScore - a.dgaScore)
    .slice(0, n);
}

/** Every novelty detector on one model: unknown-family answers on fresh known vs held-out domains. */
function compareDetectors(run, held) {
  const { model, split, fresh } = run;
  const tr = encodeSamples(model, split.train),
    va = encodeSamples(model, split.validation);
  const saved = model.meta.decision;
  const out = {};
  for (const method of ml.NOVELTY_METHODS) {
    model.meta.decision = calibrate(model, tr, va, { novelty: method });
    const freshV = ml.verdicts(
      model,
      fresh.map((s) => s.input),
    );
    const heldV = ml.verdicts(
      model,
      held.map((s) => s.input),
    );
    // ranking quality: novelty of held-out DGA answers vs fresh known-family DGA answers
    const scores = [],
      positive = [];
    freshV.dga.forEach((d, i) => d && (scores.push(freshV.scores.novelty[i]), positive.push(0)));
    heldV.dga.forEach((d, i) => d && (scores.push(heldV.scores.novelty[i]), positive.push(1)));
    const report = ml.heldOutReport(model, held);
    out[method] = {
      auroc: ml.binaryMetrics(scores, positive, 2).auc,
      freshUnknownRate: freshV.predicted.filter((p) => p === -1).length / Math.max(1, fresh.length),
      heldUnknownRate: report.micro.unknownFamilyRate,
      heldUnknownRateMacro: report.macro.unknownFamilyRate,
      heldWrongFamilyRate: report.micro.wrongFamilyRate,
    };
  }
  model.meta.decision = saved;
  return out;
}

/** Novelty reject targets compared on the leave-out folds (the default is the decision's 1 %). */
const REJECT_TARGETS = [0.01, 0.02, 0.05, 0.1];

/** The preset's detector at several reject targets: unknown-family answers on held-out vs fresh known. */
function rejectOperatingPoints(run, held) {
  const { model, split, fresh } = run;
  const tr = encodeSamples(model, split.train),
    va = encodeSamples(model, split.validation);
  const saved = model.meta.decision;
  const out = [];
  for (const target of REJECT_TARGETS) {
    model.meta.decision = calibrate(model, tr, va, { targetRejectRate: target }, true);
    const freshV = ml.verdicts(
      model,
      fresh.map((s) => s.input),
    );
    const report = ml.heldOutReport(model, held);
    out.push({
      target,
      threshold: model.meta.decision.novelty?.threshold ?? null,
      heldUnknownRate: report.micro.unknownFamilyRate,
      heldUnknownRateMacro: report.macro.unknownFamilyRate,
      heldWrongFamilyRate: report.micro.wrongFamilyRate,
      freshUnknownRate: freshV.predicted.filter((p) => p === -1).length / Math.max(1, fresh.length),
    });
  }
  model.meta.decision = saved;
  return out;
}

// ---- main model: all families -----------------------------------------------------------------
const main = await trainOn([]);
const unseenReal = unseenFamilyRows(realRows, main.prepared, main.trainInputs);
const heldBenignScores = scoreHeldBenign(main.model);
const report = {
  tag,
  date: new Date().toISOString(),
  options: { ...opt, train: trainOptions() },
  backend: backend.choice,
  loadAverage: { before: load0 },
  data: {
    trainSamples: main.split.train.length,
    validation: main.split.validation.length,
    test: main.split.test.length,
    classes: main.model.labels.length,
    fresh: main.fresh.length,
  },
  decision: {
    ...main.model.meta.decision,
    novelty: main.model.meta.decision?.novelty ? { ...main.model.meta.decision.novelty, gaussian: undefined } : null,
  },
  time: {
    secondsPerEpoch: main.result.history.map((h) => h.seconds),
    samplesPerSec: main.result.history.map((h) => h.samplesPerSec),
    epochs: main.result.history.length,
    totalSeconds: main.seconds,
  },
  test: summary(ml.evaluate(main.model, main.split.test)),
  fresh: summary(ml.evaluate(main.model, main.fresh)),
  freshAt05: summary(evaluateAt(main.model, main.fresh, 0.5)),
  real: realReport(main.model, main.prepared, main.trainInputs, unseenReal),
  benign: benignReport(main.model, heldBenignScores),
  leaveOut: {},
};
report.operatingPoints = operatingPoints(main, heldBenignScores, unseenReal);
report.calibrationTail = benignCalibrationTail(main);
if (opt.saveModel) writeFileSync(opt.saveModel, ml.modelToBuffer(main.model));
main.model.dispose();

// ---- leave families out -------------------------------------------------------------------------
const folds = opt.folds === 'none' ? [] : opt.folds.split(',');
for (const fold of folds) {
  const names = LEAVE_OUT_FOLDS[fold];
  if (!names) throw new Error(`unknown fold ${fold} (known: ${Object.keys(LEAVE_OUT_FOLDS).join(', ')})`);
  const run = await trainOn(names);
  const held = [];
  for (const r of familyDomains(families, names)) {
    const m = ml.toModelInput(r.domain, run.prepared.inputForm);
    if (m.ok) held.push({ domain: r.domain, input: m.input, label: r.label });
  }
  const freshEval = ml.evaluate(run.model, run.fresh);
  report.leaveOut[fold] = {
    ...ml.heldOutReport(run.model, held),
    heldOut: names,
    freshKnownUnknownRate: freshEval.unknownFamilyRate,
    detectors: compareDetectors(run, held),
    rejectTargets: rejectOperatingPoints(run, held),
  };
  run.model.dispose();
}
report.loadAverage.after = os.loadavg()[0];
report.peakRssMB = peakRssMB();
const file = writeResult(`quality-${tag}`, report);

// ---- the table ----------------------------------------------------------------------------------
const pct = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : `${(100 * x).toFixed(1)} %`);
const f3 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '–' : x.toFixed(3));
const rows = [
  ['training', `${report.data.trainSamples} samples, ${report.data.classes} classes, ${report.time.epochs} epochs, ${backend.choice}`],
  [
    'time per epoch',
    `${(report.time.secondsPerEpoch.reduce((a, b) => a + b, 0) / report.time.epochs).toFixed(1)} s (${Math.round(report.time.samplesPerSec.reduce((a, b) => a + b, 0) / report.time.epochs)} samples/s)`,
  ],
  [
    'thresholds',
    `DGA ≥ ${f3(report.decision.dgaThreshold)} (benign FPR target ${report.decision.targetBenignFpr}, ${report.decision.dgaThresholdMethod ?? 'quantile'}, on ${report.decision.calibrationBenign} names, DGA score prior ${report.decision.dgaScorePrior ?? 'training'}); novelty ${report.decision.novelty?.method ?? 'none'} > ${f3(report.decision.novelty?.threshold)}`,
  ],
  [
    'test split macro / micro F1',
    `${f3(report.test.macroF1)} / ${f3(report.test.microF1)}; F1 = 0: ${report.test.zeroF1.length}; AUC ${f3(report.test.auc)}, TPR@1e-3 ${f3(report.test.tprAt1e3)}; benign flagged ${pct(report.test.benignFlaggedRate)}`,
  ],
  [
    'fresh macro / micro F1',
    `${f3(report.fresh.macroF1)} / ${f3(report.fresh.microF1)} over ${report.fresh.labels} labels (${report.fresh.n} domains); flagged ${pct(report.fresh.flaggedAsDga)}; unknown family ${pct(report.fresh.unknownFamilyRate)}`,
  ],
  ['fresh F1 = 0', `${report.fresh.zeroF1.length} (≥ 50 domains: ${report.fresh.zeroF1Over50.join(', ') || 'none'})`],
  ['fresh, family right when answered DGA + family', pct(report.fresh.familyAccuracyWhenFlagged)],
  [
    'fresh at DGA threshold 0.5',
    `macro / micro F1 ${f3(report.freshAt05.macroF1)} / ${f3(report.freshAt05.microF1)}; flagged ${pct(report.freshAt05.flaggedAsDga)}; F1 = 0 (≥ 50): ${report.freshAt05.zeroF1Over50.length}`,
  ],
  [
    'real feeds, known families',
    `macro / micro F1 ${f3(report.real.known.macroF1)} / ${f3(report.real.known.microF1)} (${report.real.known.n} domains, ${report.real.known.labels} labels); flagged ${pct(report.real.known.flaggedAsDga)}`,
  ],
  [
    'real feeds, families never trained on',
    report.real.unseen
      ? `flagged ${pct(report.real.unseen.micro.dgaRecall)} micro / ${pct(report.real.unseen.macro.dgaRecall)} macro; unknown family ${pct(report.real.unseen.micro.unknownFamilyRate)}; wrong family ${pct(report.real.unseen.micro.wrongFamilyRate)}`
      : '–',
  ],
  ...Object.entries(report.benign).map(([name, b]) => [
    `benign ${name}`,
    `flagged ${pct(b.flaggedRate)} (at 0.5: ${pct(b.flaggedRateAt05)}); top 100: ${b.top100.length} (${b.top100.map((f) => f.domain).join(', ') || '–'}); top 1000: ${b.top1000}`,
  ]),
  ...Object.entries(report.leaveOut).map(([fold, r]) => [
    `leave out ${fold} (${r.heldOut.join(', ')})`,
    `flagged ${pct(r.micro.dgaRecall)} / ${pct(r.macro.dgaRecall)} macro; unknown family ${pct(r.micro.unknownFamilyRate)}; wrong family ${pct(r.micro.wrongFamilyRate)}; fresh known answered unknown ${pct(r.freshKnownUnknownRate)}`,
  ]),
];
console.log(`\n## bench:quality ${tag} (${report.date.slice(0, 10)}, load ${load0.toFixed(1)} → ${report.loadAverage.after.toFixed(1)})\n`);
console.log('| measure | value |\n|---|---|');
for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
console.log(
  '\n| DGA threshold (benign FPR target) | fresh DGA flagged | real never-seen flagged | ' +
    Object.keys(heldBenign).join(' flagged | ') +
    ' flagged |',
);
console.log(
  '|---|---|---|' +
    Object.keys(heldBenign)
      .map(() => '---')
      .join('|') +
    '|',
);
for (const o of report.operatingPoints)
  console.log(
    `| ${f3(o.threshold)} (${o.target === null ? 'fixed' : o.target}) | ${pct(o.fresh)} | ${pct(o.realUnseen)} | ${Object.keys(heldBenign)
      .map((k) => pct(o[k]))
      .join(' | ')} |`,
  );
if (folds.length) {
  console.log('\n| novelty detector | ' + folds.map((f) => `${f}: AUROC / held unknown / fresh unknown`).join(' | ') + ' |');
  console.log('|---|' + folds.map(() => '---').join('|') + '|');
  for (const m of ml.NOVELTY_METHODS)
    console.log(
      `| ${m} | ` +
        folds
          .map((f) => {
            const d = report.leaveOut[f].detectors[m];
            return `${f3(d.auroc)} / ${pct(d.heldUnknownRate)} / ${pct(d.freshUnknownRate)}`;
          })
          .join(' | ') +
        ' |',
    );
}
if (folds.length) {
  console.log(
    `\n| novelty reject target (${report.decision.novelty?.method ?? 'none'}) | ` +
      folds.map((f) => `${f}: held unknown / wrong family / fresh known unknown`).join(' | ') +
      ' |',
  );
  console.log('|---|' + folds.map(() => '---').join('|') + '|');
  REJECT_TARGETS.forEach((target, i) =>
    console.log(
      `| ${target} | ` +
        folds
          .map((f) => {
            const o = report.leaveOut[f].rejectTargets[i];
            return `${pct(o.heldUnknownRate)} / ${pct(o.heldWrongFamilyRate)} / ${pct(o.freshUnknownRate)}`;
          })
          .join(' | ') +
        ' |',
    ),
  );
}
console.log(
  `\nfresh per family (F1): ${Object.entries(report.fresh.perFamily)
    .map(([l, m]) => `${l} ${m.f1.toFixed(2)}`)
    .join(', ')}`,
);
console.log(`\n${file}`);
