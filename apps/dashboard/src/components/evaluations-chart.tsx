'use client';

import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface EvaluationPoint {
  /** Snapshot date and id: the x axis, oldest first. */
  label: string;
  macroF1: number | null;
  flaggedRate: number | null;
}

/**
 * Drift made visible: a model's macro-F1 and the share of DGA domains it flags on each later feed it
 * was evaluated on, by snapshot date, beside its test-split macro-F1.
 */
export function EvaluationsChart({ points, testMacroF1 }: { points: EvaluationPoint[]; testMacroF1: number | null }) {
  return (
    <div style={{ width: '100%', height: 300 }} data-testid="evaluations-chart" data-points={points.length}>
      <ResponsiveContainer>
        <LineChart data={points} margin={{ top: 16, right: 24, bottom: 8, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" tick={{ fontSize: 11 }} />
          <YAxis domain={[0, 1]} ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]} tickFormatter={(v: number) => v.toFixed(1)} />
          <Tooltip formatter={(v) => (v == null ? 'n/a' : Number(v).toFixed(3))} />
          <Legend />
          {testMacroF1 != null ? (
            <ReferenceLine
              y={testMacroF1}
              stroke="#8a8f98"
              strokeDasharray="6 4"
              label={{ value: `test split macro-F1 ${testMacroF1.toFixed(3)}`, position: 'insideTopRight', fontSize: 11 }}
            />
          ) : null}
          <Line name="macro-F1 (known families)" dataKey="macroF1" stroke="#3b6ea5" isAnimationActive={false} connectNulls />
          <Line name="DGA flagged" dataKey="flaggedRate" stroke="#c0632b" isAnimationActive={false} connectNulls />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
