import type { AfterSnapshotStep } from '../automation/after-snapshot';
import type { SnapshotCreated } from '../ingestion/ingestion.service';
import type { AlertsService } from './alerts.service';

/** After a new DGA (or labelled) snapshot: the webhooks' alert rules. */
export class AlertsStep implements AfterSnapshotStep {
  readonly name = 'alerts';
  constructor(private readonly alerts: AlertsService) {}

  async run(event: SnapshotCreated): Promise<void> {
    if (event.feedKind === 'BENIGN') return;
    await this.alerts.raiseFor(event.snapshotId);
  }
}
