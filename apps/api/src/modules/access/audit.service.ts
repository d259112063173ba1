import { Prisma, type AuditEntry, type PrismaClient } from '@prisma/client';
import { decodeCursor, toConnection, type ConnectionValue } from '../../pagination/keyset-page';
import { summarizeArguments, withoutNul } from './audit-arguments';

export interface AuditStart {
  actor: string;
  apiKeyId: number | null;
  via: 'graphql' | 'cli';
  action: string;
  arguments: unknown;
}

export interface AuditFilter {
  action?: string | null;
  actor?: string | null;
}

/** The audit log, newest first. */
export class AuditService {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Runs an admin action between two audit writes. The first comes before the action: when it
   * cannot be written, the action does not run (no unaudited admin actions).
   */
  async around<T>(entry: AuditStart, action: () => Promise<T>, outcomeOf: (err: unknown) => string): Promise<T> {
    const started = performance.now();
    const { id } = await this.prisma.auditEntry.create({
      data: {
        ...entry,
        action: withoutNul(entry.action),
        actor: withoutNul(entry.actor),
        arguments: (summarizeArguments(entry.arguments) ?? {}) as Prisma.InputJsonValue,
        outcome: 'started',
      },
      select: { id: true },
    });
    const finish = (outcome: string, error: string | null) =>
      this.prisma.auditEntry
        .update({
          where: { id },
          data: { outcome, error: error ? withoutNul(error.slice(0, 1000)) : null, durationMs: Math.round(performance.now() - started) },
        })
        .catch((err: unknown) => console.error(`audit entry ${id} could not be completed:`, (err as Error).message));
    try {
      const result = await action();
      await finish('ok', null);
      return result;
    } catch (err) {
      await finish(outcomeOf(err), err instanceof Error ? err.message : String(err));
      throw err;
    }
  }

  async list(filter: AuditFilter, first: number, after?: string | null): Promise<ConnectionValue<AuditEntry>> {
    const cursor = decodeCursor<[string]>(after, ['string']);
    const rows = await this.prisma.auditEntry.findMany({
      where: {
        ...(filter.action ? { action: filter.action } : {}),
        ...(filter.actor ? { actor: filter.actor } : {}),
        ...(cursor ? { id: { lt: BigInt(cursor[0]) } } : {}),
      },
      orderBy: { id: 'desc' },
      take: first + 1,
    });
    return toConnection(rows, first, (e) => [e.id.toString()]);
  }
}
