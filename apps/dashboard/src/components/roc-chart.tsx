'use client';

import { CartesianGrid, Line, LineChart, ReferenceDot, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export interface RocPoint {
  fpr: number;
  tpr: number;
  /** DGA-score threshold of the point; null for the first point (+∞). */
  threshold: number | null;
}

/** Decades from the one holding the smallest positive FPR up to 1: 1e-4, 1e-3, 1e-2, 1e-1, 1. */
export function decadeTicks(fprs: readonly number[]): number[] {
  const smallest = Math.min(...fprs.filter((f) => f > 0));
  const low = Number.isFinite(smallest) ? Math.min(-1, Math.floor(Math.log10(smallest) + 1e-9)) : -1;
  return Array.from({ length: -low + 1 }, (_, i) => 10 ** (low + i));
}

const decadeLabel = (v: number) => (v >= 1 ? '1' : `1e${Math.round(Math.log10(v))}`);

/**
 * Where the model works: the ROC point of its DGA threshold (the last point whose threshold is
 * at or above it: scores ≥ threshold are DGA). Null without a threshold.
 */
export function operatingPoint(points: readonly RocPoint[], threshold: number | null): RocPoint | null {
  if (threshold == null) return null;
  let at: RocPoint | null = null;
  for (const p of points) if (p.threshold == null || p.threshold >= threshold) at = p;
  return at;
}

/**
 * ROC curve of the binary view (the DGA score the verdict uses); FPR on a log axis with one tick per
 * decade, to show the low-FPR end where a detector is used, and the model's operating threshold
 * marked on it.
 */
export function RocChart({ points, threshold }: { points: RocPoint[]; threshold: number | null }) {
  const data = points.filter((p) => p.fpr > 0).map((p) => ({ fpr: p.fpr, tpr: p.tpr }));
  if (data.length < 2) return <p className="muted">Not enough points for a ROC curve.</p>;
  const ticks = decadeTicks(data.map((p) => p.fpr));
  const left = ticks[0]!;
  const op = operatingPoint(points, threshold);
  // A threshold with no false positive on the test split sits at FPR 0, left of a log axis: drawn at its edge, and said so.
  const opX = op ? Math.max(op.fpr, left) : null;
  return (
    <figure style={{ margin: 0 }}>
      <div style={{ width: '100%', height: 300 }} data-testid="roc-chart" data-ticks={ticks.map(decadeLabel).join(' ')}>
        <ResponsiveContainer>
          <LineChart data={data} margin={{ top: 8, right: 24, bottom: 24, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="fpr"
              type="number"
              scale="log"
              domain={[left, 1]}
              ticks={ticks}
              interval={0}
              allowDataOverflow
              tickFormatter={decadeLabel}
              label={{ value: 'false-positive rate (log scale)', position: 'insideBottom', offset: -12 }}
            />
            <YAxis
              domain={[0, 1]}
              ticks={[0, 0.2, 0.4, 0.6, 0.8, 1]}
              tickFormatter={(v: number) => v.toFixed(1)}
              label={{ value: 'TPR', angle: -90, position: 'insideLeft' }}
            />
            <Tooltip formatter={(v) => Number(v).toFixed(4)} labelFormatter={(v) => `FPR ${Number(v).toExponential(2)}`} />
            <Line dataKey="tpr" dot={false} stroke="#3b6ea5" isAnimationActive={false} />
            {op && opX != null ? <ReferenceLine x={opX} stroke="#c0392b" strokeDasharray="4 3" /> : null}
            {op && opX != null ? <ReferenceDot x={opX} y={op.tpr} r={5} fill="#c0392b" stroke="#fff" /> : null}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="muted" data-testid="roc-operating-point">
        {op && threshold != null
          ? `Red: the operating threshold, DGA score ≥ ${threshold.toFixed(4)}: FPR ${op.fpr.toExponential(2)}, TPR ${op.tpr.toFixed(3)} on the test split${
              op.fpr < left ? ' (no false positive: drawn at the left edge)' : ''
            }.`
          : 'No operating threshold recorded for this model.'}
      </figcaption>
    </figure>
  );
}
