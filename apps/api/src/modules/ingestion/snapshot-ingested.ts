import type { FeedKind } from '@prisma/client';

/** A snapshot that an ingestion has just created (never one that was already there). */
export interface IngestedSnapshot {
  snapshotId: number;
  feed: string;
  feedKind: FeedKind;
  takenAt: Date;
  /** Listings stored (the ingested-rows metric). */
  rowsAccepted: number;
}

/**
 * Automation that follows a new snapshot (evaluate the promoted model on it; alerts). `run` says
 * what it did in one line, or why it did nothing.
 */
export interface SnapshotIngestedHook {
  name: string;
  run(snapshot: IngestedSnapshot): Promise<string>;
}

export interface HookOutcome {
  hook: string;
  ok: boolean;
  message: string;
}

/**
 * The post-ingest hooks: run after every ingestion that created a snapshot, whichever way it came
 * (CLI, GraphQL, a worker). The snapshot is committed before they run, so a failing hook costs
 * only its own work: it is reported, never turned into a failed ingestion.
 */
export class SnapshotIngestedHooks {
  private readonly hooks: SnapshotIngestedHook[] = [];

  add(hook: SnapshotIngestedHook): void {
    this.hooks.push(hook);
  }

  async run(snapshot: IngestedSnapshot): Promise<HookOutcome[]> {
    return Promise.all(
      this.hooks.map((h) =>
        h.run(snapshot).then(
          (message) => ({ hook: h.name, ok: true, message }),
          (err: unknown) => ({ hook: h.name, ok: false, message: err instanceof Error ? err.message : String(err) }),
        ),
      ),
    );
  }
}
