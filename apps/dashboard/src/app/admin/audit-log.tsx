'use client';

import { useEffect, useState } from 'react';
import { gql } from '@/lib/client-graphql';
import { describeError, graphql, type ResultOf } from '@/lib/graphql';

const AUDIT = graphql(`
  query AuditLog {
    auditLog(first: 25) {
      nodes {
        id
        at
        actor
        via
        action
        arguments
        outcome
      }
    }
  }
`);
type AuditRow = ResultOf<typeof AUDIT>['auditLog']['nodes'][number];

/** The latest admin actions; needs an admin key, so it follows the key saved in this tab, and reloads after each action. */
export function AuditLog({ keySaved, reloadAfter }: { keySaved: boolean; /** Changes after each admin action. */ reloadAfter: number }) {
  const [rows, setRows] = useState<AuditRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!keySaved) {
      setRows(null);
      return;
    }
    const load = () =>
      gql(AUDIT, {}, true).then(
        (data) => {
          setRows(data.auditLog.nodes);
          setError(null);
        },
        (err: unknown) => setError(describeError(err)),
      );
    void load();
  }, [keySaved, reloadAfter]);

  return (
    <section aria-labelledby="audit">
      <h2 id="audit">Audit log</h2>
      {!keySaved ? <p className="muted">Use an admin key to see who did what.</p> : null}
      {error ? <p className="error-text">{error}</p> : null}
      {rows && rows.length === 0 ? <p className="muted">No admin actions yet.</p> : null}
      {rows && rows.length > 0 ? (
        <table data-testid="audit-log">
          <thead>
            <tr>
              <th>when</th>
              <th>who</th>
              <th>action</th>
              <th>arguments</th>
              <th>outcome</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id} data-action={r.action} data-outcome={r.outcome}>
                <td>{new Date(r.at).toISOString().slice(0, 19).replace('T', ' ')}</td>
                <td>
                  {r.actor} <span className="muted">({r.via})</span>
                </td>
                <td className="mono">{r.action}</td>
                <td className="mono">{JSON.stringify(r.arguments).slice(0, 120)}</td>
                <td>{r.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
