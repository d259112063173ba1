// Shared by the probes of saved models (separation-probe, calibration-probe, novelty-probe): the
// data flags of the bench:quality run that saved them, its scenario rebuilt from them, and the
// models recalibrated as their presets' training would.
import { readFileSync } from 'node:fs';
import * as ml from '@dgascope/ml';
import { arg } from './common.mjs';
import {
  BENIGN,
  benignHeldOut,
  benignTraining,
  encodeSamples,
  loadFamilies,
  loadRealFeeds,
  trainingScenario,
  unseenFamilyRows,
} from './quality-data.mjs';

/** --models, and the data flags of the run that saved them (the split and fresh domains follow from them). */
export function probeFlags() {
  const files = (arg('models') ?? '').split(',').filter(Boolean);
  if (files.length === 0) throw new Error('give --models=file.dgam[,file.dgam]');
  return { files, capEarly: Number(arg('capEarly', 10000)), capLater: Number(arg('capLater', 500)), seed: Number(arg('seed', 23)) };
}

/**
 * bench:quality's scenario, plus the real names of families never trained on, the benign lists
 * never trained on (in the models' input form) and the benign validation names.
 */
export function probeScenario({ capEarly, capLater, seed }) {
  const benignRows = benignTraining().map((domain) => ({ domain, label: BENIGN }));
  const scenario = trainingScenario(loadFamilies(), benignRows, { capEarly, capLater, seed });
  const { prepared, split, trainInputs } = scenario;
  return {
    ...scenario,
    neverSeen: unseenFamilyRows(loadRealFeeds(), prepared, trainInputs),
    heldOut: Object.fromEntries(
      Object.entries(benignHeldOut()).map(([k, list]) => [
        k,
        list.map((d) => ml.toModelInput(d, prepared.inputForm)).flatMap((m) => (m.ok ? [m.input] : [])),
      ]),
    ),
    valBenign: split.validation.filter((s) => s.label === BENIGN).map((s) => s.input),
  };
}

/** A saved main model, its decision recalibrated as its preset's training would (so its DGA scores are the product's). */
export function loadRecalibrated(file, split) {
  const m = ml.modelFromBuffer(readFileSync(file));
  const o = ml.presetTrainOptions(m.meta.preset ?? ml.DEFAULT_PRESET);
  m.meta.decision = ml.calibrateDecision(
    m,
    encodeSamples(m, split.train),
    encodeSamples(m, split.validation),
    o.decision ?? {},
    1024,
    o.sampling?.power ?? 1,
  );
  return m;
}
