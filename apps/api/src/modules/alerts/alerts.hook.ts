import type { SnapshotIngestedHook, IngestedSnapshot } from '../ingestion/snapshot-ingested';
import type { AlertsService } from './alerts.service';

/** After a new DGA (or labelled) snapshot: the webhooks' alert rules, as a post-ingest hook. */
export function alertsHook(alerts: AlertsService): SnapshotIngestedHook {
  return {
    name: 'alerts',
    run: async (snapshot: IngestedSnapshot) => {
      if (snapshot.feedKind === 'BENIGN') return 'skipped: benign snapshot';
      const queued = await alerts.raiseFor(snapshot.snapshotId);
      return `${queued} alert(s) queued`;
    },
  };
}
