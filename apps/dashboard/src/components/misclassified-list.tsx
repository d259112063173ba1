'use client';

import { useState } from 'react';
import { formatInt } from '@/lib/format';

export interface MisclassifiedRow {
  domain: string;
  trueFamily: string;
  predictedFamily: string;
  probability: number;
}

const PAGE = 50;

/**
 * The test split's misclassified samples, most confident first, a page at a time. Says how many
 * there are and how many the model kept (the evaluation stores the most confident ones only).
 */
export function MisclassifiedList({ rows, total }: { rows: MisclassifiedRow[]; total: number }) {
  const [page, setPage] = useState(0);
  const pages = Math.max(1, Math.ceil(rows.length / PAGE));
  const from = page * PAGE;
  const shown = rows.slice(from, from + PAGE);
  if (rows.length === 0) return <p className="muted">No misclassified sample in the test split.</p>;
  return (
    <div>
      <p className="muted" data-testid="misclassified-range">
        {formatInt(from + 1)}–{formatInt(from + shown.length)} of {formatInt(rows.length)}
        {rows.length < total ? ` stored (the ${formatInt(rows.length)} most confident of ${formatInt(total)} errors)` : ''}
      </p>
      <table data-testid="misclassified">
        <thead>
          <tr>
            <th>Domain</th>
            <th>True family</th>
            <th>Predicted</th>
            <th className="num">Probability</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((x) => (
            <tr key={`${x.domain}/${x.trueFamily}`}>
              <td className="mono">{x.domain}</td>
              <td>{x.trueFamily}</td>
              <td>{x.predictedFamily}</td>
              <td className="num">{x.probability.toFixed(3)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav className="pager" aria-label="pages of misclassified samples">
        <button type="button" onClick={() => setPage((p) => p - 1)} disabled={page === 0}>
          ← Previous
        </button>
        <span className="muted">
          page {page + 1} of {pages}
        </span>
        <button type="button" onClick={() => setPage((p) => p + 1)} disabled={page + 1 >= pages}>
          Next →
        </button>
      </nav>
    </div>
  );
}
