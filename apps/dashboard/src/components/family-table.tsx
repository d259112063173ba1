'use client';

import Link from 'next/link';
import { useMemo, useState } from 'react';
import { formatInt, formatShare } from '@/lib/format';

export interface FamilyRow {
  family: string;
  count: number;
  fraction: number;
  rank: number;
}

type Key = 'rank' | 'family' | 'count';

/** Every family of a snapshot, sortable; the `highlight` largest and smallest are marked as head and tail. */
export function FamilyTable({ rows, snapshotId, highlight = 5 }: { rows: FamilyRow[]; snapshotId: number; highlight?: number }) {
  const [sort, setSort] = useState<{ key: Key; desc: boolean }>({ key: 'rank', desc: false });
  const sorted = useMemo(() => {
    const copy = [...rows];
    copy.sort((a, b) => {
      const order = sort.key === 'family' ? a.family.localeCompare(b.family) : a[sort.key] - b[sort.key];
      return sort.desc ? -order : order;
    });
    return copy;
  }, [rows, sort]);
  const header = (key: Key, label: string, numeric = false) => (
    <th className={numeric ? 'num' : undefined} aria-sort={sort.key === key ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort" onClick={() => setSort((s) => ({ key, desc: s.key === key ? !s.desc : key === 'count' }))}>
        {label}
        {sort.key === key ? (sort.desc ? ' ▼' : ' ▲') : ''}
      </button>
    </th>
  );
  return (
    <table data-testid="family-table">
      <thead>
        <tr>
          {header('rank', 'Rank', true)}
          {header('family', 'Family')}
          {header('count', 'Domains', true)}
          <th className="num">Share</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => {
          const part = r.rank <= highlight ? 'head' : r.rank > rows.length - highlight ? 'tail' : '';
          return (
            <tr key={r.family} className={part} data-family={r.family}>
              <td className="num">{r.rank}</td>
              <td>
                <Link href={`/snapshots/${snapshotId}/domains?family=${encodeURIComponent(r.family)}`}>{r.family}</Link>
              </td>
              <td className="num" data-count={r.count}>
                {formatInt(r.count)}
              </td>
              <td className="num">{formatShare(r.fraction)}</td>
              <td>{part ? <span className={`tag ${part}`}>{part}</span> : null}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
