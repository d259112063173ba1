'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { gql } from '@/lib/client-graphql';
import { formatInt } from '@/lib/format';
import { graphql, type ResultOf, type VariablesOf } from '@/lib/graphql';
import type { AdminAction, ADMIN_SNAPSHOTS } from './admin-action';
import type { ModelRow } from './models-section';

const PRESETS = graphql(`
  query Presets {
    presets {
      name
      description
      isDefault
    }
  }
`);
const START_TRAINING = graphql(`
  mutation StartTraining($input: StartTrainingInput!) {
    startTraining(input: $input) {
      id
    }
  }
`);

type Snapshot = ResultOf<typeof ADMIN_SNAPSHOTS>['snapshots']['nodes'][number];

/** A training request prepared elsewhere (the unseen-family review's "train with these families"). */
export interface TrainingPrefill {
  snapshotIds: number[];
  warmStartModelId: number | null;
}
type Preset = ResultOf<typeof PRESETS>['presets'][number];

/** Retrain: snapshots, label policy, a preset and the options that override it. */
export function TrainingForm({
  snapshots,
  ready,
  admin,
  onError,
  prefill,
}: {
  snapshots: Snapshot[];
  /** Models that can be warm-started from. */
  ready: ModelRow[];
  admin: AdminAction;
  onError(err: unknown): void;
  prefill: TrainingPrefill | null;
}) {
  const [presets, setPresets] = useState<Preset[]>([]);
  const [preset, setPreset] = useState('');
  // Controlled: the models arrive after the form is drawn, and the prefilled one must stay selected.
  const [warmStart, setWarmStart] = useState(prefill?.warmStartModelId != null ? String(prefill.warmStartModelId) : '');
  const [checked, setChecked] = useState<Set<number>>(() => new Set(prefill?.snapshotIds ?? []));

  useEffect(() => {
    if (prefill) document.getElementById('train')?.scrollIntoView();
  }, [prefill]);

  useEffect(() => {
    gql(PRESETS, {})
      .then((data) => {
        setPresets(data.presets);
        setPreset((current) => current || (data.presets.find((p) => p.isDefault) ?? data.presets[0])?.name || '');
      })
      .catch(onError);
  }, [onError]);

  async function startTraining(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const num = (name: string) => (f.get(name) === '' || f.get(name) == null ? undefined : Number(f.get(name)));
    // Empty fields are left out: the preset decides them.
    const str = (name: string) => (f.get(name) ? String(f.get(name)) : undefined);
    const input: VariablesOf<typeof START_TRAINING>['input'] = {
      snapshotIds: f.getAll('snapshot').map(Number),
      preset: str('preset'),
      loss: str('loss'),
      targetBenignFpr: num('targetBenignFpr'),
      dgaThresholdMethod: str('dgaThresholdMethod'),
      dgaScorePrior: str('dgaScorePrior'),
      noveltyMethod: str('noveltyMethod'),
      targetRejectRate: num('targetRejectRate'),
      mergeBelow: num('mergeBelow'),
      maxClasses: num('maxClasses'),
      dropBelow: num('dropBelow'),
      epochs: num('epochs'),
      batchSize: num('batchSize'),
      learningRate: num('learningRate'),
      learningRateSchedule: str('learningRateSchedule'),
      embeddingDim: num('embeddingDim'),
      lstmUnits: num('lstmUnits'),
      filters: num('filters'),
      pooling: str('pooling'),
      classWeights: str('classWeights'),
      outlierShare: num('outlierShare'),
      benignShare: num('benignShare'),
      warmStartModelId: num('warmStart'),
    };
    await admin('Training job queued.', () => gql(START_TRAINING, { input }, true), ['jobs']);
  }

  return (
    <section aria-labelledby="train">
      <h2 id="train">Retrain</h2>
      {prefill ? (
        <p className="notice" data-testid="training-prefill">
          Prefilled from the unseen-family review: snapshots {prefill.snapshotIds.map((id) => `#${id}`).join(', ')}
          {prefill.warmStartModelId != null ? `, warm start from v${prefill.warmStartModelId}` : ''}. Check the options, then start.
        </p>
      ) : null}
      <form onSubmit={startTraining} className="grid-form">
        <fieldset>
          <legend>Snapshots</legend>
          {snapshots.map((s) => (
            <label key={s.id} className="inline">
              <input
                type="checkbox"
                name="snapshot"
                value={s.id}
                checked={checked.has(s.id)}
                onChange={(e) =>
                  setChecked((current) => {
                    const next = new Set(current);
                    if (e.target.checked) next.add(s.id);
                    else next.delete(s.id);
                    return next;
                  })
                }
              />{' '}
              #{s.id} {s.feed.name} ({s.feed.kind.toLowerCase()}, {formatInt(s.rowsAccepted)} domains)
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Label policy</legend>
          <label>
            Merge families below <input name="mergeBelow" type="number" min="0" defaultValue="50" />
          </label>
          <label>
            At most classes <input name="maxClasses" type="number" min="2" />
          </label>
          <label>
            Drop families below <input name="dropBelow" type="number" min="0" />
          </label>
        </fieldset>
        <fieldset>
          <legend>Recipe</legend>
          <label>
            Preset
            <select name="preset" value={preset} onChange={(e) => setPreset(e.target.value)} data-testid="preset-select">
              {presets.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                  {p.isDefault ? ' (default)' : ''}
                </option>
              ))}
            </select>
          </label>
          <p className="muted">{presets.find((p) => p.name === preset)?.description ?? ''}</p>
          <p className="muted">Fields left empty take the preset&rsquo;s value.</p>
        </fieldset>
        <fieldset>
          <legend>Hyper-parameters (override the preset)</legend>
          <label>
            Epochs <input name="epochs" type="number" min="1" placeholder="preset" />
          </label>
          <label>
            Batch size <input name="batchSize" type="number" min="1" placeholder="preset" />
          </label>
          <label>
            Learning rate <input name="learningRate" type="number" step="any" min="0" placeholder="preset" />
          </label>
          <label>
            Learning-rate schedule
            <select name="learningRateSchedule" defaultValue="">
              <option value="">preset&rsquo;s</option>
              <option value="constant">constant</option>
              <option value="cosine">cosine decay over the epochs</option>
            </select>
          </label>
          <label>
            Embedding size <input name="embeddingDim" type="number" min="2" placeholder="preset" />
          </label>
          <label>
            LSTM units (LSTM and CNN-LSTM presets) <input name="lstmUnits" type="number" min="2" placeholder="preset" />
          </label>
          <label>
            Convolution filters (CNN and CNN-LSTM presets) <input name="filters" type="number" min="2" placeholder="preset" />
          </label>
          <label>
            Pooling over characters (CNN presets)
            <select name="pooling" defaultValue="">
              <option value="">preset&rsquo;s</option>
              <option value="max-mean">max and mean</option>
              <option value="max">max</option>
            </select>
          </label>
          <label>
            Loss
            <select name="loss" defaultValue="">
              <option value="">preset&rsquo;s</option>
              <option value="cross-entropy">cross-entropy</option>
              <option value="logit-adjusted">logit-adjusted</option>
            </select>
          </label>
          <label>
            Class weights
            <select name="classWeights" defaultValue="">
              <option value="">preset&rsquo;s</option>
              <option value="none">none</option>
              <option value="inverse">inverse frequency</option>
              <option value="sqrt">square root</option>
              <option value="effective-number">effective number</option>
            </select>
          </label>
          <label>
            Synthetic names of no family, per training name (0 = none){' '}
            <input name="outlierShare" type="number" step="any" min="0" max="1" placeholder="preset" />
          </label>
          <label>
            Benign names&rsquo; share of each epoch (0 = natural){' '}
            <input name="benignShare" type="number" step="any" min="0" max="0.99" placeholder="preset" />
          </label>
        </fieldset>
        <fieldset>
          <legend>Verdict rule (chosen on validation data)</legend>
          <label>
            Target benign false-positive rate{' '}
            <input name="targetBenignFpr" type="number" step="any" min="0" max="0.5" placeholder="0.001" />
          </label>
          <label>
            Read from the benign scores by
            <select name="dgaThresholdMethod" defaultValue="">
              <option value="">preset&rsquo;s</option>
              <option value="tail">their tail, extrapolated (robust to DGA names in the benign list)</option>
              <option value="quantile">their quantile</option>
            </select>
          </label>
          <label>
            DGA score
            <select name="dgaScorePrior" defaultValue="">
              <option value="">preset&rsquo;s</option>
              <option value="uniform-families">every known family equally likely</option>
              <option value="training">1 − P(benign) (families as frequent as training showed them)</option>
            </select>
          </label>
          <label>
            Novelty detector
            <select name="noveltyMethod" defaultValue="">
              <option value="">preset&rsquo;s</option>
              <option value="mahalanobis">mahalanobis</option>
              <option value="max-softmax">max-softmax</option>
              <option value="max-logit">max-logit</option>
              <option value="energy">energy</option>
              <option value="none">none (never &ldquo;unknown family&rdquo;)</option>
            </select>
          </label>
          <label>
            Target reject rate <input name="targetRejectRate" type="number" step="any" min="0" max="0.5" placeholder="0.01" />
          </label>
        </fieldset>
        <fieldset>
          <legend>Start from</legend>
          <label>
            Warm start from
            <select name="warmStart" value={warmStart} onChange={(e) => setWarmStart(e.target.value)}>
              <option value="">nothing (train from scratch)</option>
              {ready.map((m) => (
                <option key={m.id} value={m.id}>
                  v{m.id}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
        <button type="submit">Start training</button>
      </form>
    </section>
  );
}
