import Link from 'next/link';
import { formatInt, formatShare } from '@/lib/format';

export interface UnknownFamilyView {
  family: string;
  domains: number;
  flaggedRate: number;
  unknownFamilyRate: number;
  assignedTo: Array<{ family: string; share: number; examples: string[] }>;
}

/** What a model answers for the domains of families it does not know: flagged, "unknown family", and what it took them for. */
export function AssignedTo({ view }: { view: UnknownFamilyView }) {
  return (
    <ul className="assigned">
      {view.assignedTo.map((a) => (
        <li key={a.family} data-assigned={a.family}>
          {a.family} {formatShare(a.share)}
          {a.examples.length ? <span className="mono muted"> · {a.examples.slice(0, 3).join(', ')}</span> : null}
        </li>
      ))}
    </ul>
  );
}

export function UnknownFamiliesTable({ rows, snapshotId }: { rows: UnknownFamilyView[]; snapshotId: number }) {
  if (rows.length === 0) return <p className="muted">None: the model knows every family of this snapshot.</p>;
  return (
    <table data-testid="unknown-families">
      <thead>
        <tr>
          <th>Family</th>
          <th className="num">Domains</th>
          <th className="num">Flagged as DGA</th>
          <th className="num">Unknown family</th>
          <th>Answered as (share, sample domains)</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.family} data-family={r.family}>
            <td>
              <Link href={`/snapshots/${snapshotId}/domains?family=${encodeURIComponent(r.family)}`}>{r.family}</Link>
            </td>
            <td className="num">{formatInt(r.domains)}</td>
            <td className="num" data-flagged={r.flaggedRate}>
              {formatShare(r.flaggedRate)}
            </td>
            <td className="num" data-unknown={r.unknownFamilyRate}>
              {formatShare(r.unknownFamilyRate)}
            </td>
            <td>
              <AssignedTo view={r} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
