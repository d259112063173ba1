'use client';

import { useState } from 'react';
import { formatInt } from '@/lib/format';

/** Cell side in px for `classes` classes: as large as fits a ~960 px matrix, never too small to read a count. */
export function cellSize(classes: number): number {
  return Math.max(30, Math.min(56, Math.floor(960 / Math.max(classes, 1))));
}

/** "1.2k" for counts that would not fit a small cell. */
function compact(n: number, size: number): string {
  if (n < 1000 || size >= 48) return formatInt(n);
  return n < 10_000 ? `${(n / 1000).toFixed(1)}k` : `${Math.round(n / 1000)}k`;
}

/**
 * Confusion matrix as a heat map sized to its classes, with the count (or the row share) printed
 * in every cell. Colour is the row share either way (small families read as well as large ones):
 * green on the diagonal, red off it.
 */
export function ConfusionHeatmap({ labels, counts }: { labels: string[]; counts: number[][] }) {
  const [normalised, setNormalised] = useState(false);
  const totals = counts.map((row) => row.reduce((s, n) => s + n, 0));
  const size = cellSize(labels.length);
  return (
    <div>
      <fieldset className="inline-choice">
        <legend className="muted">Cells show</legend>
        <label>
          <input type="radio" name="confusion-view" checked={!normalised} onChange={() => setNormalised(false)} /> counts
        </label>
        <label>
          <input type="radio" name="confusion-view" checked={normalised} onChange={() => setNormalised(true)} /> share of the true family
          (row %)
        </label>
      </fieldset>
      <div className="heat-wrap">
        <table
          className="heat"
          data-testid="confusion"
          data-view={normalised ? 'row-normalised' : 'counts'}
          style={{ ['--cell' as string]: `${size}px`, fontSize: size < 40 ? '0.68rem' : '0.78rem' }}
        >
          <thead>
            <tr>
              <th scope="col">true ↓ / predicted →</th>
              {labels.map((l) => (
                <th key={l} scope="col" className="rot">
                  <span>{l}</span>
                </th>
              ))}
              <th scope="col" className="num">
                total
              </th>
            </tr>
          </thead>
          <tbody>
            {counts.map((row, i) => (
              <tr key={labels[i]}>
                <th scope="row">{labels[i]}</th>
                {row.map((n, j) => {
                  const share = totals[i] ? n / totals[i]! : 0;
                  const text = `${labels[i]} predicted as ${labels[j]}: ${formatInt(n)} of ${formatInt(totals[i] ?? 0)} (${(100 * share).toFixed(1)}%)`;
                  const strong = share > 0.5;
                  return (
                    <td
                      key={j}
                      title={text}
                      aria-label={text}
                      data-count={n}
                      style={{
                        color: strong ? '#fff' : '#14181f',
                        background:
                          n === 0
                            ? '#fff'
                            : i === j
                              ? `rgba(31, 110, 60, ${0.12 + 0.88 * share})`
                              : `rgba(192, 57, 43, ${0.12 + 0.88 * share})`,
                      }}
                    >
                      {n === 0 ? '' : normalised ? `${Math.round(100 * share)}%` : compact(n, size)}
                    </td>
                  );
                })}
                <td className="num total">{formatInt(totals[i] ?? 0)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
