'use client';

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { apiKey, describeError, gql } from '@/lib/client-graphql';
import { formatInt } from '@/lib/format';
import { AuditLog } from './audit-log';

interface Snapshot {
  id: number;
  fileName: string;
  takenAt: string;
  rowsAccepted: number;
  feed: { name: string; kind: string };
}
interface Preset {
  name: string;
  description: string;
  isDefault: boolean;
}
interface ModelRow {
  id: number;
  status: string;
  labels: string[];
  metrics: { macro: { f1: number } } | null;
}
interface JobRow {
  id: string;
  kind: string;
  state: string;
  error: string | null;
  backend: string | null;
  createdAt: string;
  modelId: number | null;
  progress: {
    stage: string | null;
    fraction: number | null;
    epoch: number | null;
    epochs: number | null;
    loss: number | null;
    samplesPerSec: number | null;
    etaSeconds: number | null;
    processed: number | null;
    total: number | null;
    domainsPerSec: number | null;
  } | null;
}

const DATA = `{ snapshots(first: 200) { nodes { id fileName takenAt rowsAccepted feed { name kind } } }
  models(first: 50) { nodes { id status labels metrics { macro { f1 } } } }
  jobs(first: 20) { nodes { id kind state error backend createdAt modelId progress { stage fraction epoch epochs loss samplesPerSec etaSeconds processed total domainsPerSec } } } }`;

function ProgressLine({ job }: { job: JobRow }) {
  const p = job.progress;
  const done = job.state === 'COMPLETED';
  const fraction = done ? 1 : (p?.fraction ?? 0);
  const parts: string[] = [];
  if (p?.epoch != null) parts.push(`epoch ${p.epoch}/${p.epochs}`);
  if (p?.loss != null) parts.push(`loss ${p.loss.toFixed(3)}`);
  if (p?.samplesPerSec != null) parts.push(`${formatInt(Math.round(p.samplesPerSec))} samples/s`);
  if (p?.processed != null) parts.push(`${formatInt(p.processed)}/${formatInt(p.total ?? 0)} domains`);
  if (p?.domainsPerSec != null) parts.push(`${formatInt(p.domainsPerSec)} domains/s`);
  if (p?.etaSeconds != null && !done) parts.push(`ETA ${Math.round(p.etaSeconds)} s`);
  return (
    <div className="progress-line">
      <progress
        max={1}
        value={fraction}
        aria-label={`job ${job.id} progress`}
        data-testid={`progress-${job.id}`}
        data-fraction={fraction}
      />
      <span className="muted">
        {Math.round(100 * fraction)}% {parts.join(' · ')}
      </span>
    </div>
  );
}

export function AdminPanel() {
  const [key, setKey] = useState('');
  const [saved, setSaved] = useState(false);
  const [snapshots, setSnapshots] = useState<Snapshot[]>([]);
  const [models, setModels] = useState<ModelRow[]>([]);
  const [jobs, setJobs] = useState<JobRow[]>([]);
  const [presets, setPresets] = useState<Preset[]>([]);
  const [preset, setPreset] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    setKey(apiKey.get());
    setSaved(apiKey.get() !== '');
  }, []);

  const refresh = useCallback(async () => {
    try {
      const data = await gql<{ snapshots: { nodes: Snapshot[] }; models: { nodes: ModelRow[] }; jobs: { nodes: JobRow[] } }>(DATA);
      setSnapshots(data.snapshots.nodes);
      setModels(data.models.nodes);
      setJobs(data.jobs.nodes);
    } catch (err) {
      setError(describeError(err));
    }
  }, []);

  useEffect(() => {
    gql<{ presets: Preset[] }>(`{ presets { name description isDefault } }`)
      .then((data) => {
        setPresets(data.presets);
        setPreset((current) => current || (data.presets.find((p) => p.isDefault) ?? data.presets[0])?.name || '');
      })
      .catch((err: unknown) => setError(describeError(err)));
  }, []);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), 1000);
    return () => clearInterval(timer);
  }, [refresh]);

  async function admin(label: string, query: string, variables: Record<string, unknown>) {
    setError(null);
    setNotice(null);
    try {
      await gql(query, variables, true);
      setNotice(label);
      await refresh();
    } catch (err) {
      setError(describeError(err));
    }
  }

  async function saveKey(e: FormEvent) {
    e.preventDefault();
    apiKey.set(key.trim());
    setSaved(true);
    setError(null);
    try {
      // A wrong key is refused on any request, so a query is enough to check it.
      await gql(`{ health { database } }`, {}, true);
      setNotice('API key accepted.');
    } catch (err) {
      setError(describeError(err));
    }
  }

  async function startTraining(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const num = (name: string) => (f.get(name) === '' || f.get(name) == null ? undefined : Number(f.get(name)));
    // Empty fields are left out: the preset decides them.
    const str = (name: string) => (f.get(name) ? String(f.get(name)) : undefined);
    const input = {
      snapshotIds: f.getAll('snapshot').map(Number),
      preset: str('preset'),
      loss: str('loss'),
      targetBenignFpr: num('targetBenignFpr'),
      noveltyMethod: str('noveltyMethod'),
      targetRejectRate: num('targetRejectRate'),
      mergeBelow: num('mergeBelow'),
      maxClasses: num('maxClasses'),
      dropBelow: num('dropBelow'),
      epochs: num('epochs'),
      batchSize: num('batchSize'),
      learningRate: num('learningRate'),
      embeddingDim: num('embeddingDim'),
      lstmUnits: num('lstmUnits'),
      filters: num('filters'),
      classWeights: str('classWeights'),
      warmStartModelId: num('warmStart'),
    };
    await admin('Training job queued.', `mutation($input: StartTrainingInput!) { startTraining(input: $input) { id } }`, { input });
  }

  async function startClassification(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const domains = String(f.get('domains') ?? '')
      .split('\n')
      .map((d) => d.trim())
      .filter(Boolean);
    const input = {
      ...(domains.length ? { domains } : { snapshotId: Number(f.get('snapshot')) }),
      ...(f.get('model') ? { modelId: Number(f.get('model')) } : {}),
    };
    await admin('Classification job queued.', `mutation($input: StartClassificationInput!) { startClassification(input: $input) { id } }`, {
      input,
    });
  }

  const ready = models.filter((m) => m.status === 'READY' || m.status === 'PROMOTED' || m.status === 'RETIRED');
  return (
    <>
      <section aria-labelledby="key">
        <h2 id="key">API key</h2>
        <form className="pick" onSubmit={saveKey}>
          <label>
            Admin API key (kept in this browser tab only)
            <input type="password" value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" />
          </label>
          <button type="submit">Use this key</button>
          {saved ? (
            <button
              type="button"
              onClick={() => {
                apiKey.clear();
                setKey('');
                setSaved(false);
              }}
            >
              Forget it
            </button>
          ) : null}
        </form>
      </section>
      {error ? (
        <section className="error" role="alert" data-testid="admin-error">
          {error}
        </section>
      ) : null}
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}

      <section aria-labelledby="jobs">
        <h2 id="jobs">Jobs</h2>
        {jobs.length === 0 ? <p className="muted">No jobs yet.</p> : null}
        <ul className="jobs" data-testid="jobs">
          {jobs.map((j) => (
            <li key={j.id} data-job={j.id} data-state={j.state}>
              <div>
                <strong>{j.kind.toLowerCase()}</strong> <span className="mono">{j.id.slice(0, 8)}</span> ·{' '}
                <span data-testid={`state-${j.id}`}>{j.state.toLowerCase()}</span>
                {j.backend ? ` · ${j.backend}` : ''}
                {j.modelId ? ` · model v${j.modelId}` : ''}
                {j.state === 'QUEUED' || j.state === 'ACTIVE' ? (
                  <button
                    type="button"
                    onClick={() => admin('Cancellation requested.', `mutation($id: String!) { cancelJob(id: $id) { id } }`, { id: j.id })}
                  >
                    Cancel
                  </button>
                ) : null}
              </div>
              <ProgressLine job={j} />
              {j.error ? <p className="error-text">{j.error}</p> : null}
            </li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="models">
        <h2 id="models">Models</h2>
        {models.length === 0 ? <p className="muted">No models yet.</p> : null}
        <table data-testid="admin-models">
          <tbody>
            {models.map((m) => (
              <tr key={m.id} data-model={m.id}>
                <td>v{m.id}</td>
                <td data-testid={`model-status-${m.id}`}>{m.status.toLowerCase()}</td>
                <td>{m.labels.length} classes</td>
                <td>{m.metrics ? `macro-F1 ${m.metrics.macro.f1.toFixed(3)}` : ''}</td>
                <td>
                  {m.status === 'READY' || m.status === 'RETIRED' ? (
                    <button
                      type="button"
                      onClick={() =>
                        admin(`Model v${m.id} promoted.`, `mutation($id: Int!) { promoteModel(id: $id) { id } }`, { id: m.id })
                      }
                    >
                      Promote v{m.id}
                    </button>
                  ) : null}
                  {m.status === 'READY' || m.status === 'FAILED' ? (
                    <button
                      type="button"
                      onClick={() => admin(`Model v${m.id} retired.`, `mutation($id: Int!) { retireModel(id: $id) { id } }`, { id: m.id })}
                    >
                      Retire v{m.id}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="train">
        <h2 id="train">Retrain</h2>
        <form onSubmit={startTraining} className="grid-form">
          <fieldset>
            <legend>Snapshots</legend>
            {snapshots.map((s) => (
              <label key={s.id} className="inline">
                <input type="checkbox" name="snapshot" value={s.id} /> #{s.id} {s.feed.name} ({s.feed.kind.toLowerCase()},{' '}
                {formatInt(s.rowsAccepted)} domains)
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
              Embedding size <input name="embeddingDim" type="number" min="2" placeholder="preset" />
            </label>
            <label>
              LSTM units (LSTM presets) <input name="lstmUnits" type="number" min="2" placeholder="preset" />
            </label>
            <label>
              CNN filters (CNN presets) <input name="filters" type="number" min="2" placeholder="preset" />
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
          </fieldset>
          <fieldset>
            <legend>Verdict rule (chosen on validation data)</legend>
            <label>
              Target benign false-positive rate{' '}
              <input name="targetBenignFpr" type="number" step="any" min="0" max="0.5" placeholder="0.001" />
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
              <select name="warmStart" defaultValue="">
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

      <section aria-labelledby="bulk">
        <h2 id="bulk">Bulk classification</h2>
        <form onSubmit={startClassification} className="grid-form">
          <label>
            Snapshot
            <select name="snapshot">
              {snapshots.map((s) => (
                <option key={s.id} value={s.id}>
                  #{s.id} {s.feed.name} · {s.fileName}
                </option>
              ))}
            </select>
          </label>
          <label className="stack">
            …or domains, one a line (used instead of the snapshot when given)
            <textarea name="domains" rows={3} />
          </label>
          <label>
            Model
            <select name="model" defaultValue="">
              <option value="">the promoted model</option>
              {ready.map((m) => (
                <option key={m.id} value={m.id}>
                  v{m.id} ({m.status.toLowerCase()})
                </option>
              ))}
            </select>
          </label>
          <button type="submit">Start classification</button>
        </form>
      </section>
      <AuditLog keySaved={saved} />
    </>
  );
}
