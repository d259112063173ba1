'use client';

import { useState } from 'react';
import { formatInt } from '@/lib/format';

/**
 * Confusion matrix as a heat map: each cell's colour is its share of the true family's
 * samples (row-normalised, so small families are as readable as large ones); hovering or
 * focusing a cell shows its count.
 */
export function ConfusionHeatmap({ labels, counts }: { labels: string[]; counts: number[][] }) {
  const [hover, setHover] = useState<string>('Hover a cell for its count.');
  const totals = counts.map((row) => row.reduce((s, n) => s + n, 0));
  return (
    <div>
      <p className="muted" aria-live="polite" data-testid="confusion-hover">
        {hover}
      </p>
      <div className="heat-wrap">
        <table className="heat" data-testid="confusion">
          <thead>
            <tr>
              <th scope="col">true ↓ / predicted →</th>
              {labels.map((l) => (
                <th key={l} scope="col" className="rot">
                  <span>{l}</span>
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {counts.map((row, i) => (
              <tr key={labels[i]}>
                <th scope="row">{labels[i]}</th>
                {row.map((n, j) => {
                  const share = totals[i] ? n / totals[i]! : 0;
                  const text = `${labels[i]} predicted as ${labels[j]}: ${formatInt(n)} of ${formatInt(totals[i] ?? 0)}`;
                  return (
                    <td
                      key={j}
                      tabIndex={0}
                      title={text}
                      aria-label={text}
                      data-count={n}
                      onMouseEnter={() => setHover(text)}
                      onFocus={() => setHover(text)}
                      style={{
                        background:
                          n === 0
                            ? '#fff'
                            : i === j
                              ? `rgba(31, 110, 60, ${0.15 + 0.85 * share})`
                              : `rgba(192, 57, 43, ${0.15 + 0.85 * share})`,
                      }}
                    />
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
