import type { Evaluation } from '@dgascope/ml';
import type { PrismaClient } from '@prisma/client';
import { ModelStatus } from '@prisma/client';
import type { ModelsService } from '../models/models.service';
import type { EvaluationsService } from './evaluations.service';
import type { PromotionMeasure, PromotionReview } from './promotion-review.type';

/**
 * The judgement before a promotion: the candidate against the promoted model on the test split
 * (macro-F1, benign false-positive rate, families lost at F1 = 0) and on the latest later feed both
 * were evaluated on. Worse on any of them: the dashboard asks for confirmation.
 */
export class PromotionReviewService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly models: ModelsService,
    private readonly evaluations: EvaluationsService,
  ) {}

  async review(candidateId: number): Promise<PromotionReview> {
    const candidate = await this.models.get(candidateId);
    const promotedId = await this.models.promotedId();
    const promoted = promotedId == null || promotedId === candidateId ? null : await this.models.get(promotedId);
    const isRollback = promoted != null && (await this.previouslyPromotedId(promoted.id)) === candidateId;
    if (!promoted)
      return { candidate, promoted: null, measures: [], familiesLost: [], laterFeedSnapshotId: null, worse: false, isRollback };

    const tc = candidate.metricsJson as Evaluation | null;
    const tp = promoted.metricsJson as Evaluation | null;
    const f1 = (e: Evaluation | null) => new Map(e?.perClass.map((c) => [c.label, c]) ?? []);
    const [fc, fp] = [f1(tc), f1(tp)];
    const familiesLost = [...fp.values()]
      .filter((c) => c.support > 0 && c.f1 > 0 && c.label !== 'benign' && (fc.get(c.label)?.f1 ?? 0) === 0)
      .map((c) => c.label)
      .sort();

    const [ec, ep] = await Promise.all([this.evaluations.list({ modelId: candidate.id }), this.evaluations.list({ modelId: promoted.id })]);
    const shared = ec.filter((c) => ep.some((p) => p.snapshotId === c.snapshotId));
    const later = shared.at(-1) ?? null; // oldest first: the last is the latest snapshot
    const laterP = later ? ep.find((p) => p.snapshotId === later.snapshotId)! : null;
    const laterNote = later
      ? `snapshot #${later.snapshotId}${later.trainedOnDomains > 0 ? ` (the candidate trained on ${share(later.trainedOnDomains, later.domains)} of its listings, the promoted model on ${share(laterP!.trainedOnDomains, laterP!.domains)})` : ''}`
      : 'no snapshot evaluated with both models';

    const measures: PromotionMeasure[] = [
      measure('macroF1', 'Macro-F1 (test split)', tc?.macro.f1 ?? null, tp?.macro.f1 ?? null, true, null),
      measure(
        'benignFalsePositiveRate',
        'Benign false-positive rate (test split)',
        tc?.benignFlaggedRate ?? null,
        tp?.benignFlaggedRate ?? null,
        false,
        null,
      ),
      {
        ...measure('familiesLost', 'Families lost at F1 = 0', familiesLost.length, 0, false, familiesLost.join(', ') || null),
        worse: familiesLost.length > 0,
      },
      measure('laterFeedMacroF1', 'Macro-F1 on the latest later feed', later?.macroF1 ?? null, laterP?.macroF1 ?? null, true, laterNote),
      measure(
        'laterFeedFlaggedRate',
        'DGA flagged on the latest later feed',
        later?.flaggedRate ?? null,
        laterP?.flaggedRate ?? null,
        true,
        laterNote,
      ),
    ];
    return {
      candidate,
      promoted,
      measures,
      familiesLost,
      laterFeedSnapshotId: later?.snapshotId ?? null,
      worse: measures.some((m) => m.worse),
      isRollback,
    };
  }

  /** The model promoted most recently before `current` (the one a rollback returns to). */
  async previouslyPromotedId(current: number): Promise<number | null> {
    const row = await this.prisma.mlModel.findFirst({
      where: { id: { not: current }, promotedAt: { not: null }, status: { in: [ModelStatus.READY, ModelStatus.RETIRED] } },
      orderBy: { promotedAt: 'desc' },
      select: { id: true },
    });
    return row?.id ?? null;
  }
}

const share = (n: number, of: number) => `${of ? Math.round((100 * n) / of) : 0}%`;

function measure(
  key: string,
  label: string,
  candidate: number | null,
  promoted: number | null,
  higherIsBetter: boolean,
  note: string | null,
): PromotionMeasure {
  // Differences within float noise are not "worse": a re-trained identical model must not warn.
  const worse = candidate != null && promoted != null && (higherIsBetter ? promoted - candidate : candidate - promoted) > 1e-9;
  return { key, label, candidate, promoted, higherIsBetter, worse, note };
}
