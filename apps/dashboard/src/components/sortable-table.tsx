'use client';

import { useMemo, useState, type ReactNode } from 'react';

export interface Column<T> {
  key: string;
  label: string;
  numeric?: boolean;
  value: (row: T) => number | string;
  render?: (row: T) => ReactNode;
}

/** A table whose column headers sort it (keyboard reachable: they are buttons). */
export function SortableTable<T>({
  rows,
  columns,
  rowKey,
  rowClass,
  testId,
  initial,
}: {
  rows: T[];
  columns: Column<T>[];
  rowKey: (r: T) => string;
  rowClass?: (r: T) => string;
  testId?: string;
  initial?: { key: string; desc: boolean };
}) {
  const [sort, setSort] = useState(initial ?? { key: columns[0]!.key, desc: false });
  const sorted = useMemo(() => {
    const col = columns.find((c) => c.key === sort.key) ?? columns[0]!;
    const copy = [...rows];
    copy.sort((a, b) => {
      const x = col.value(a);
      const y = col.value(b);
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return sort.desc ? -order : order;
    });
    return copy;
  }, [rows, columns, sort]);
  return (
    <table data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c) => (
            <th
              key={c.key}
              className={c.numeric ? 'num' : undefined}
              aria-sort={sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
            >
              <button
                type="button"
                className="sort"
                onClick={() => setSort((s) => ({ key: c.key, desc: s.key === c.key ? !s.desc : !!c.numeric }))}
              >
                {c.label}
                {sort.key === c.key ? (sort.desc ? ' ▼' : ' ▲') : ''}
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {sorted.map((r) => (
          <tr key={rowKey(r)} className={rowClass?.(r)}>
            {columns.map((c) => (
              <td key={c.key} className={c.numeric ? 'num' : undefined}>
                {c.render ? c.render(r) : c.value(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
