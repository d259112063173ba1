import type { SnapshotCreated } from '../ingestion/ingestion.service';

/**
 * One thing done by itself after a new snapshot is stored (alerts today; the evaluation of the
 * promoted model on a new DGA feed is to be another step).
 */
export interface AfterSnapshotStep {
  readonly name: string;
  run(event: SnapshotCreated): Promise<void>;
}

/**
 * What happens after a new snapshot: each step in order, in the process that stored it (the
 * API for ingestSnapshot, a worker for scheduled pulls), listening to IngestionService. A
 * step's failure is logged and does not stop the next one; the snapshot stays either way.
 * The CLI stores snapshots without it (it has no queue to send alerts through).
 */
export class AfterSnapshotPipeline {
  constructor(private readonly steps: readonly AfterSnapshotStep[]) {}

  async run(event: SnapshotCreated): Promise<void> {
    for (const step of this.steps) {
      try {
        await step.run(event);
      } catch (err) {
        console.error(`after snapshot ${event.snapshotId}: ${step.name} failed: ${(err as Error).message}`);
      }
    }
  }
}
