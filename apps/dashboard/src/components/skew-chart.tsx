'use client';

import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatInt, formatShare } from '@/lib/format';

export interface FamilyCount {
  family: string;
  count: number;
  fraction: number;
}

/** Class skew as bars, largest first; a log scale shows the tail that a linear one flattens. */
export function SkewChart({ families }: { families: FamilyCount[] }) {
  const [log, setLog] = useState(true);
  return (
    <div>
      <label className="inline">
        <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log scale
      </label>
      <div style={{ width: '100%', height: 320 }} data-testid="skew-chart">
        <ResponsiveContainer>
          <BarChart data={families} margin={{ top: 8, right: 16, bottom: 64, left: 16 }}>
            <CartesianGrid strokeDasharray="3 3" vertical={false} />
            <XAxis dataKey="family" angle={-45} textAnchor="end" interval={0} height={80} tick={{ fontSize: 11 }} />
            <YAxis
              scale={log ? 'log' : 'linear'}
              domain={log ? [0.5, 'auto'] : [0, 'auto']}
              allowDataOverflow
              tickFormatter={(v: number) => formatInt(v)}
            />
            <Tooltip
              formatter={(value, _name, item) => [
                `${formatInt(Number(value))} (${formatShare((item.payload as FamilyCount).fraction)})`,
                'domains',
              ]}
            />
            <Bar dataKey="count" fill="#3b6ea5" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
    </div>
  );
}
