import { BENIGN_LABEL, UNKNOWN_FAMILY_LABEL } from '@dgascope/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { initBackend } from './backend';
import {
  concatVerdicts,
  evaluate,
  evaluateVerdicts,
  heldOutFromVerdicts,
  heldOutReport,
  leaveFamiliesOut,
  pickVerdicts,
  verdicts,
} from './evaluate';
import type { DgaModel } from './predictor';
import { stratifiedSplit } from './split';
import { describeOnBackend, TEST_BACKEND, TINY, toySamples } from './test-utils';
import { growWeights, train } from './train';

describeOnBackend('classify / warm start / leave-out', () => {
  let model: DgaModel;
  const base = toySamples(150, 3, [BENIGN_LABEL, 'alpha', 'beta']);
  const split = stratifiedSplit(base, { seed: 9 });
  const opts = { architecture: TINY, epochs: 5, batchSize: 32, learningRate: 0.02, earlyStopping: false as const };

  beforeAll(async () => {
    await initBackend({ backend: TEST_BACKEND });
    model = (await train({ train: split.train, validation: split.validation }, opts)).model;
  });
  afterAll(() => model.dispose());

  it('classifies a batch: normalised, reduced, top-3, DGA score, per-item errors', () => {
    const r = model.classify(['WWW.AeIoUa.COM.', 'qwxzzq.net', 'not a domain', '']);
    expect(r[0]).toMatchObject({ ok: true, domain: 'WWW.AeIoUa.COM.', normalized: 'www.aeioua.com', input: 'aeioua.com' });
    const ok0 = r[0] as Extract<(typeof r)[number], { ok: true }>;
    expect(ok0.top3).toHaveLength(3);
    expect(ok0.top3[0]!.probability).toBeGreaterThanOrEqual(ok0.top3[1]!.probability);
    expect(ok0.dgaScore).toBeCloseTo(1 - (ok0.top3.find((t) => t.family === BENIGN_LABEL)?.probability ?? 0), 5);
    expect(ok0).toMatchObject({ verdict: 'benign', family: BENIGN_LABEL, unknownFamily: false });
    expect(ok0.probability).toBeCloseTo(1 - ok0.dgaScore, 5);
    expect(r[1]).toMatchObject({ ok: true, verdict: 'dga', family: 'alpha', nearestFamily: 'alpha', unknownFamily: false });
    expect((r[1] as { dgaScore: number }).dgaScore).toBeGreaterThan(0.5);
    expect(r[2]).toMatchObject({ ok: false, domain: 'not a domain' });
    expect(r[3]).toMatchObject({ ok: false });
    // the thresholds are the model's (calibrated at training time) unless the call overrides them
    const d = model.meta.decision!;
    expect(d.dgaThreshold).toBeGreaterThanOrEqual(0.5);
    expect(d.novelty).toMatchObject({ method: 'max-softmax', targetRejectRate: 0.01 });
    const novel = model.classify(['qwxzzq.net'], { noveltyThreshold: -1 });
    expect(novel[0]).toMatchObject({ verdict: 'dga', family: UNKNOWN_FAMILY_LABEL, nearestFamily: 'alpha', unknownFamily: true });
    expect(model.classify(['qwxzzq.net'], { noveltyThreshold: null })[0]).toMatchObject({ unknownFamily: false, family: 'alpha' });
    expect(model.classify(['qwxzzq.net'], { dgaThreshold: 1.01 })[0]).toMatchObject({ verdict: 'benign', family: BENIGN_LABEL });
    // same answers whatever the batch composition (length-grouped batches are masked)
    const alone = model.classify(['aeioua.com'])[0] as { probability: number };
    expect(alone.probability).toBeCloseTo(ok0.probability, 5);
  });

  it('never shows a benign family beside a DGA verdict, nor a DGA family beside a benign one', () => {
    const names = toySamples(40, 77).map((s) => s.domain);
    for (const dgaThreshold of [0.3, 0.5, 0.9]) {
      for (const r of model.classify(names, { dgaThreshold })) {
        if (!r.ok) continue;
        expect(r.verdict).toBe(r.dgaScore >= dgaThreshold ? 'dga' : 'benign');
        if (r.verdict === 'benign') expect(r.family).toBe(BENIGN_LABEL);
        else expect(r.family).not.toBe(BENIGN_LABEL);
      }
    }
  });

  it('warm start adds a family: grows the output layer, keeps known rows, extends the tokenizer', async () => {
    const more = toySamples(150, 4, [BENIGN_LABEL, 'alpha', 'beta', 'gamma']);
    const s2 = stratifiedSplit(more, { seed: 10 });
    const labels = [...model.labels, 'gamma'].sort();
    const tok = model.tokenizer.extend(s2.train.map((s) => s.input));
    expect(tok.vocabSize).toBeGreaterThan(model.tokenizer.vocabSize); // gamma's consonants are new characters
    const grown = growWeights(model, tok, labels, 1);
    const old = model.net.getWeights();
    const C0 = model.labels.length,
      C1 = labels.length,
      H = model.net.featureDim;
    model.labels.forEach((l, o) => {
      const j = labels.indexOf(l);
      for (let r = 0; r < H; r++) expect(grown.denseKernel![r * C1 + j]).toBe(old.denseKernel[r * C0 + o]);
      expect(grown.denseBias![j]).toBe(old.denseBias[o]);
    });
    expect(Array.from(grown.embeddings!.subarray(0, old.embeddings.length))).toEqual(Array.from(old.embeddings));
    expect(grown.recurrentKernel).toEqual(old.recurrentKernel);

    const before = Array.from(model.predictProba(['aeiou.com']));
    const r = await train({ train: s2.train, validation: s2.validation }, { ...opts, warmStart: model });
    expect(r.model.labels).toEqual(labels);
    expect(r.model.meta.trainingRuns).toHaveLength(2);
    expect(r.model.meta.trainingRuns[1]).toMatchObject({ warmStart: true });
    const m = evaluate(r.model, s2.test);
    expect(m.perClass.find((c) => c.label === 'gamma')!.recall).toBeGreaterThan(0.9);
    expect(m.accuracy).toBeGreaterThan(0.9);
    expect(Array.from(model.predictProba(['aeiou.com']))).toEqual(before); // the old model is untouched
    r.model.dispose();
  });

  it('leave-families-out reports how held-out families come out', async () => {
    const all = toySamples(120, 5);
    const r = await leaveFamiliesOut(all, ['gamma'], { train: { ...opts, epochs: 3 }, split: { seed: 3 } });
    expect(r.families).toHaveLength(1);
    expect(r.families[0]).toMatchObject({ family: 'gamma', n: 120 });
    const g = r.families[0]!;
    expect(g.dgaRecall).toBeGreaterThanOrEqual(0);
    expect(g.unknownFamilyRate + g.wrongFamilyRate).toBeCloseTo(g.dgaRecall);
    expect(r.micro.dgaRecall).toBeCloseTo(g.dgaRecall);
    expect(r.knownTest.labels).not.toContain('gamma');
    expect(r.knownTest.accuracy).toBeGreaterThan(0.8);
  });

  it('evaluates from verdicts computed in chunks, or of a subset, exactly as in one pass', () => {
    const samples = split.test;
    const C = model.labels.length;
    const inputs = samples.map((x) => x.input);
    const whole = verdicts(model, inputs);
    expect(evaluateVerdicts(model, samples, whole)).toEqual(evaluate(model, samples));
    // chunks joined back are the whole (cut from the one pass: native kernels round differently per batch size)
    const range = (a: number, b: number) => Array.from({ length: b - a }, (_, k) => a + k);
    const chunks = [range(0, 7), range(7, 40), range(40, inputs.length)].map((r) => pickVerdicts(whole, r, C));
    const joined = concatVerdicts(chunks, C);
    expect(joined).toEqual(whole);
    expect(evaluateVerdicts(model, samples, joined)).toEqual(evaluate(model, samples));
    const some = [5, 1, 30, 2];
    const picked = pickVerdicts(joined, some, C);
    expect(Array.from(picked.predicted)).toEqual(some.map((k) => whole.predicted[k]));
    expect(Array.from(picked.dga)).toEqual(some.map((k) => whole.dga[k]));
    some.forEach((k, row) =>
      expect(Array.from(picked.scores.probs.subarray(row * C, (row + 1) * C))).toEqual(
        Array.from(whole.scores.probs.subarray(k * C, (k + 1) * C)),
      ),
    );
    expect(
      evaluateVerdicts(
        model,
        some.map((k) => samples[k]!),
        picked,
      ).n,
    ).toBe(4);
    expect(() => evaluateVerdicts(model, [{ domain: 'x.com', input: 'x.com', label: 'gamma' }], pickVerdicts(joined, [0], C))).toThrow(
      /not one of the model's/,
    );
    // held-out report: the same from verdicts, with sample domains of each answer when asked
    const held = toySamples(20, 11, ['gamma']);
    const hv = verdicts(
      model,
      held.map((x) => x.input),
    );
    const report = heldOutFromVerdicts(model, held, hv, { top: 5, examples: 2 });
    expect(report.families.map((f) => ({ ...f, assignedTo: f.assignedTo.map(({ family, share }) => ({ family, share })) }))).toEqual(
      heldOutReport(model, held, { top: 5 }).families,
    );
    for (const a of report.families[0]!.assignedTo) {
      expect(a.examples!.length).toBe(Math.min(2, Math.round(a.share * 20)));
      for (const d of a.examples!) expect(held.some((x) => x.domain === d)).toBe(true);
    }
  });
});
