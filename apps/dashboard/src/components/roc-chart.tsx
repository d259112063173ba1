'use client';

import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

/** ROC curve of the binary view (DGA score = 1 − P(benign)); FPR on a log axis to show the low-FPR end. */
export function RocChart({ points }: { points: Array<{ fpr: number; tpr: number }> }) {
  const data = points.filter((p) => p.fpr > 0).map((p) => ({ fpr: p.fpr, tpr: p.tpr }));
  if (data.length < 2) return <p className="muted">Not enough points for a ROC curve.</p>;
  return (
    <div style={{ width: '100%', height: 280 }} data-testid="roc-chart">
      <ResponsiveContainer>
        <LineChart data={data} margin={{ top: 8, right: 16, bottom: 24, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="fpr"
            type="number"
            scale="log"
            domain={['auto', 1]}
            allowDataOverflow
            tickFormatter={(v: number) => v.toExponential(0)}
            label={{ value: 'false-positive rate', position: 'insideBottom', offset: -12 }}
          />
          <YAxis domain={[0, 1]} tickFormatter={(v: number) => v.toFixed(1)} label={{ value: 'TPR', angle: -90, position: 'insideLeft' }} />
          <Tooltip formatter={(v) => Number(v).toFixed(4)} labelFormatter={(v) => `FPR ${Number(v).toExponential(2)}`} />
          <Line dataKey="tpr" dot={false} stroke="#3b6ea5" isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
