'use client';

import { useEffect, useState } from 'react';
import { describeError, gql } from '@/lib/client-graphql';

interface AuditRow {
  id: string;
  at: string;
  actor: string;
  via: string;
  action: string;
  arguments: unknown;
  outcome: string;
}

const AUDIT = `{ auditLog(first: 25) { nodes { id at actor via action arguments outcome } } }`;

/** The latest admin actions; needs an admin key, so it follows the key saved in this tab. */
export function AuditLog({ keySaved, refreshEveryMs = 3000 }: { keySaved: boolean; refreshEveryMs?: number }) {
  const [rows, setRows] = useState<AuditRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!keySaved) {
      setRows(null);
      return;
    }
    const load = () =>
      gql<{ auditLog: { nodes: AuditRow[] } }>(AUDIT, {}, true).then(
        (data) => {
          setRows(data.auditLog.nodes);
          setError(null);
        },
        (err: unknown) => setError(describeError(err)),
      );
    void load();
    const timer = setInterval(() => void load(), refreshEveryMs);
    return () => clearInterval(timer);
  }, [keySaved, refreshEveryMs]);

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
