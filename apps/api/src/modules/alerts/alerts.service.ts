import type { PrismaClient } from '@prisma/client';
import { ALERT_RULE_KINDS, type SnapshotFacts } from './alert-rule-kinds';
import { alertPayload, formatBody } from './webhook-payload';
import type { WebhooksService } from './webhooks.service';

/**
 * Evaluates every enabled webhook's rules on a new DGA snapshot and queues a delivery per
 * alert. Idempotent: each (rule, snapshot) is delivered at most once.
 */
export class AlertsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly webhooks: WebhooksService,
  ) {}

  /** The snapshot, the previous one of its feed, and both family counts; null for a snapshot of benign names. */
  async facts(snapshotId: number): Promise<SnapshotFacts | null> {
    const snapshot = await this.prisma.snapshot.findUnique({ where: { id: snapshotId }, include: { feed: true } });
    if (!snapshot || snapshot.feed.kind === 'BENIGN') return null;
    const previous = await this.prisma.snapshot.findFirst({
      where: {
        feedId: snapshot.feedId,
        id: { not: snapshot.id },
        OR: [{ takenAt: { lt: snapshot.takenAt } }, { takenAt: snapshot.takenAt, id: { lt: snapshot.id } }],
      },
      orderBy: [{ takenAt: 'desc' }, { id: 'desc' }],
    });
    const counts = async (id: number) => {
      const rows = await this.prisma.snapshotFamilyCount.findMany({ where: { snapshotId: id }, include: { family: true } });
      return new Map(rows.filter((r) => r.family.name !== 'benign').map((r) => [r.family.name, r.count]));
    };
    const now = await counts(snapshot.id);
    const before = previous ? await counts(previous.id) : new Map<string, number>();
    const total = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);
    return {
      snapshot: { id: snapshot.id, takenAt: snapshot.takenAt, feedId: snapshot.feedId, feedName: snapshot.feed.name, total: total(now) },
      previous: previous ? { id: previous.id, takenAt: previous.takenAt, total: total(before) } : null,
      counts: now,
      previousCounts: before,
    };
  }

  /**
   * Returns how many deliveries were queued. `more`: facts known only later (e.g. the evaluation
   * of the promoted model on this snapshot, when its job completes); rules that fired already for
   * this snapshot are not sent again.
   */
  async raiseFor(snapshotId: number, more: Partial<SnapshotFacts> = {}): Promise<number> {
    const found = await this.facts(snapshotId);
    if (!found) return 0;
    const facts: SnapshotFacts = { ...found, ...more };
    const rules = await this.prisma.alertRule.findMany({
      where: { webhook: { enabled: true }, OR: [{ feedId: null }, { feedId: facts.snapshot.feedId }] },
      include: { webhook: true },
      orderBy: { id: 'asc' },
    });
    let queued = 0;
    for (const rule of rules) {
      const kind = ALERT_RULE_KINDS[rule.kind];
      const alert = kind?.evaluate(rule.threshold, facts);
      if (!alert) continue;
      const payload = alertPayload(alert, { id: rule.id, kind: rule.kind, threshold: rule.threshold }, facts);
      if (
        await this.webhooks.enqueue(
          rule.webhook,
          `${rule.id}:${snapshotId}`,
          alert.event,
          snapshotId,
          formatBody(rule.webhook.format, payload),
        )
      )
        queued += 1;
    }
    return queued;
  }
}
