'use client';

import { SortableTable } from './sortable-table';
import { formatInt } from '@/lib/format';

export interface FamilyMetric {
  family: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

const f3 = (x: number) => x.toFixed(3);

/** Per-family precision / recall / F1 / support; families the model never gets right (F1 = 0) are flagged. */
export function FamilyMetricsTable({ rows }: { rows: FamilyMetric[] }) {
  return (
    <SortableTable
      testId="family-metrics"
      rows={rows}
      rowKey={(r) => r.family}
      rowClass={(r) => (r.support > 0 && r.f1 === 0 ? 'tail' : '')}
      initial={{ key: 'f1', desc: false }}
      columns={[
        { key: 'family', label: 'Family', value: (r) => r.family, render: (r) => <span data-family={r.family}>{r.family}</span> },
        { key: 'precision', label: 'Precision', numeric: true, value: (r) => r.precision, render: (r) => f3(r.precision) },
        { key: 'recall', label: 'Recall', numeric: true, value: (r) => r.recall, render: (r) => f3(r.recall) },
        {
          key: 'f1',
          label: 'F1',
          numeric: true,
          value: (r) => r.f1,
          render: (r) => (
            <>
              {f3(r.f1)} {r.support > 0 && r.f1 === 0 ? <span className="tag tail">F1 = 0</span> : null}
            </>
          ),
        },
        { key: 'support', label: 'Support', numeric: true, value: (r) => r.support, render: (r) => formatInt(r.support) },
      ]}
    />
  );
}
