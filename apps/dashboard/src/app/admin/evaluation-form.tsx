'use client';

import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { gql } from '@/lib/client-graphql';
import { formatDate } from '@/lib/format';
import { graphql, type ResultOf } from '@/lib/graphql';
import type { AdminAction, ADMIN_SNAPSHOTS } from './admin-action';
import type { ModelRow } from './models-section';

const START_EVALUATION = graphql(`
  mutation StartEvaluation($snapshotId: Int!, $modelId: Int) {
    startEvaluation(snapshotId: $snapshotId, modelId: $modelId) {
      id
    }
  }
`);

type Snapshot = ResultOf<typeof ADMIN_SNAPSHOTS>['snapshots']['nodes'][number];

/** Evaluate any model on any labelled snapshot (the promoted model is evaluated on new DGA snapshots by itself). */
export function EvaluationForm({ snapshots, ready, admin }: { snapshots: Snapshot[]; ready: ModelRow[]; admin: AdminAction }) {
  const labelled = snapshots.filter((s) => s.feed.kind !== 'BENIGN');
  const [queued, setQueued] = useState<number | null>(null);
  async function startEvaluation(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const modelId = f.get('model') ? Number(f.get('model')) : null;
    await admin(
      'Evaluation job queued; its result appears on the model’s page.',
      async () => {
        await gql(START_EVALUATION, { snapshotId: Number(f.get('snapshot')), modelId }, true);
        setQueued(modelId ?? ready.find((m) => m.status === 'PROMOTED')?.id ?? null);
      },
      ['jobs'],
    );
  }
  return (
    <section aria-labelledby="evaluate">
      <h2 id="evaluate">Evaluate a model on a snapshot</h2>
      <p className="muted">
        Per-family metrics on the snapshot&rsquo;s domains (split into those the model trained on and fresh ones), the share of DGA domains
        flagged, and what the model makes of the families it does not know.
      </p>
      <form onSubmit={startEvaluation} className="grid-form">
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
        <label>
          Labelled snapshot
          <select name="snapshot">
            {labelled.map((s) => (
              <option key={s.id} value={s.id}>
                #{s.id} {s.feed.name} · {formatDate(s.takenAt)} · {s.fileName}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={labelled.length === 0}>
          Start evaluation
        </button>
      </form>
      {queued != null ? (
        <p>
          See <Link href={`/models/${queued}`}>model v{queued}</Link> when the job has finished.
        </p>
      ) : null}
    </section>
  );
}
