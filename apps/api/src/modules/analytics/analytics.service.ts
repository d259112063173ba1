import { LabelPolicyError, planLabels, type LabelPolicy } from '@dgascope/core';
import { countLabels, prepareData, type LabeledDomain } from '@dgascope/ml';
import type { PrismaClient } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import type { SnapshotDomains } from '../snapshots/snapshot-domains';
import type { SnapshotsService } from '../snapshots/snapshots.service';
import type { InputForm } from '../training/label-policy.input';

const READ_PAGE = 50_000;
import type { ClassSkew, FamilyShare, LabelPolicyPreview, UnseenFamilies } from './analytics.types';

/** Family counts summed over snapshots, largest first (ties by name). */
export type FamilyCounts = Array<[family: string, count: number]>;

export class AnalyticsService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly snapshots: SnapshotsService,
    private readonly snapshotDomains: SnapshotDomains,
  ) {}

  async familyCounts(snapshotIds: readonly number[], signal?: AbortSignal): Promise<FamilyCounts> {
    stopIfAbandoned(signal);
    await this.snapshots.requireAll(snapshotIds);
    stopIfAbandoned(signal);
    const sums = await this.prisma.snapshotFamilyCount.groupBy({
      by: ['familyId'],
      where: { snapshotId: { in: [...new Set(snapshotIds)] } },
      _sum: { count: true },
    });
    stopIfAbandoned(signal);
    const families = await this.prisma.family.findMany({
      where: { id: { in: sums.map((s) => s.familyId) } },
      select: { id: true, name: true },
    });
    const names = new Map(families.map((f) => [f.id, f.name]));
    return sums
      .map((s): [string, number] => [names.get(s.familyId)!, s._sum.count ?? 0])
      .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  }

  async skew(snapshotIds: readonly number[], top: number, signal?: AbortSignal): Promise<ClassSkew> {
    if (top < 1) throw new AppError('BAD_USER_INPUT', 'INVALID_TOP', 'top must be at least 1');
    const counts = await this.familyCounts(snapshotIds, signal);
    const total = counts.reduce((sum, [, n]) => sum + n, 0);
    const families = shares(counts, total);
    const smallest = counts.at(-1)?.[1];
    return {
      snapshotIds: [...new Set(snapshotIds)],
      total,
      familyCount: counts.length,
      imbalanceRatio: smallest ? counts[0]![1] / smallest : null,
      families,
      head: families.slice(0, top),
      tail: families.slice(-top),
    };
  }

  async unseenFamilies(a: number, b: number, signal?: AbortSignal): Promise<UnseenFamilies> {
    const [countsA, countsB] = await Promise.all([this.familyCounts([a], signal), this.familyCounts([b], signal)]);
    const totalA = countsA.reduce((s, [, n]) => s + n, 0);
    const totalB = countsB.reduce((s, [, n]) => s + n, 0);
    const inA = new Set(countsA.map(([f]) => f));
    const inB = new Set(countsB.map(([f]) => f));
    const appeared = shares(
      countsB.filter(([f]) => !inA.has(f)),
      totalB,
    );
    const disappeared = shares(
      countsA.filter(([f]) => !inB.has(f)),
      totalA,
    );
    return {
      a,
      b,
      totalA,
      totalB,
      appeared,
      appearedFraction: appeared.reduce((s, x) => s + x.count, 0) / (totalB || 1),
      disappeared,
      disappearedFraction: disappeared.reduce((s, x) => s + x.count, 0) / (totalA || 1),
    };
  }

  /**
   * What a training job on these snapshots would make of its families: the domains are read and
   * prepared as training prepares them (reduced to the input form, de-duplicated after it), so
   * the counts, and the classes, are training's, not the raw rows'.
   */
  async labelPolicyPreview(
    snapshotIds: readonly number[],
    policy: LabelPolicy,
    inputForm: InputForm,
    signal?: AbortSignal,
  ): Promise<LabelPolicyPreview> {
    stopIfAbandoned(signal);
    await this.snapshots.requireAll(snapshotIds);
    const data: LabeledDomain[] = [];
    for await (const page of this.snapshotDomains.pages([...new Set(snapshotIds)], READ_PAGE)) {
      stopIfAbandoned(signal);
      for (const { domain, family } of page) data.push({ domain, label: family });
    }
    const counts = countLabels(prepareData(data, { inputForm: { reduction: inputForm }, labelPolicy: null }).samples);
    let plan;
    try {
      plan = planLabels(counts, policy);
    } catch (err) {
      if (err instanceof LabelPolicyError) throw new AppError('BAD_USER_INPUT', 'INVALID_LABEL_POLICY', err.message);
      throw err;
    }
    const of = (action: string) => plan.decisions.filter((d) => d.action === action).map((d) => d.family);
    return {
      labels: plan.labels,
      classCount: plan.labels.length,
      decisions: plan.decisions,
      kept: of('keep'),
      merged: of('merge'),
      dropped: of('drop'),
      remainingCount: plan.decisions.filter((d) => d.label !== null).reduce((s, d) => s + d.count, 0),
    };
  }
}

/** Work for a request that was already answered (timed out, or its client left) stops here. */
function stopIfAbandoned(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('BAD_USER_INPUT', 'REQUEST_ABANDONED', 'the request was abandoned before this work ran');
}

function shares(counts: FamilyCounts, total: number): FamilyShare[] {
  return counts.map(([family, count], i) => ({ family, count, fraction: total ? count / total : 0, rank: i + 1 }));
}
