import { Arg, Mutation, Resolver } from 'type-graphql';
import { AppError } from '../../errors/app-error';
import { SnapshotsService } from '../snapshots/snapshots.service';
import { resolveAllowedPath } from './allowed-path';
import type { IngestSource } from './byte-source';
import { IngestionService } from './ingestion.service';
import { IngestResult, IngestSnapshotInput } from './ingestion.types';
import { uploadSource } from './upload-source';

export class IngestionResolverSettings {
  constructor(readonly allowedDirs: readonly string[]) {}
}

@Resolver()
export class IngestionResolver {
  constructor(
    private readonly ingestion: IngestionService,
    private readonly snapshots: SnapshotsService,
    private readonly settings: IngestionResolverSettings,
  ) {}

  @Mutation(() => IngestResult, { description: 'Ingest one feed file. Re-ingesting the same file for the same feed adds nothing.' })
  async ingestSnapshot(@Arg('input', () => IngestSnapshotInput) input: IngestSnapshotInput): Promise<IngestResult> {
    const given = [input.file, input.path, input.url].filter((s) => s != null).length;
    if (given !== 1) throw new AppError('BAD_USER_INPUT', 'SOURCE_REQUIRED', 'give exactly one of file, path or url');
    let source: IngestSource;
    if (input.file) {
      source = await uploadSource(input.file);
    } else if (input.path) {
      source = { kind: 'path', path: await resolveAllowedPath(input.path, this.settings.allowedDirs) };
    } else {
      source = { kind: 'url', url: input.url! };
    }
    const outcome = await this.ingestion.ingest({
      feed: input.feed,
      source,
      ...(input.format ? { format: input.format } : {}),
      ...(input.takenAt ? { takenAt: input.takenAt } : {}),
      ...(input.feedKind ? { feedKind: input.feedKind } : {}),
      ...(input.familySuffixes ? { familySuffixes: input.familySuffixes } : {}),
    });
    const snapshot = await this.snapshots.get(outcome.snapshotId);
    const message = outcome.created
      ? `snapshot ${snapshot.id}: ${outcome.rowsAccepted} rows accepted, ${outcome.rowsRejected} rejected, ${outcome.rowsDuplicate} duplicate`
      : `already ingested as snapshot ${snapshot.id}; nothing added`;
    return { snapshot, created: outcome.created, message, afterIngest: outcome.afterIngest };
  }
}
