'use client';

import type { FormEvent } from 'react';
import { gql } from '@/lib/client-graphql';
import { graphql, type ResultOf } from '@/lib/graphql';
import type { AdminAction, ADMIN_SNAPSHOTS } from './admin-action';
import type { ModelRow } from './models-section';

const START_CLASSIFICATION = graphql(`
  mutation StartClassification($input: StartClassificationInput!) {
    startClassification(input: $input) {
      id
    }
  }
`);

type Snapshot = ResultOf<typeof ADMIN_SNAPSHOTS>['snapshots']['nodes'][number];

/** Bulk classification of a snapshot or a pasted list, by the promoted model or another. */
export function BulkClassificationForm({ snapshots, ready, admin }: { snapshots: Snapshot[]; ready: ModelRow[]; admin: AdminAction }) {
  async function startClassification(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    // Sent line by line, blank ones included: the API skips them but counts them, so an invalid
    // name is reported with its line in this text area.
    const lines = String(f.get('domains') ?? '').split(/\r?\n/);
    const input = {
      ...(lines.some((l) => l.trim()) ? { domains: lines } : { snapshotId: Number(f.get('snapshot')) }),
      ...(f.get('model') ? { modelId: Number(f.get('model')) } : {}),
    };
    await admin('Classification job queued.', () => gql(START_CLASSIFICATION, { input }, true), ['jobs']);
  }

  return (
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
  );
}
