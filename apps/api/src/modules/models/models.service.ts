import { modelFromBuffer, modelToBuffer, type DgaModel, type Evaluation } from '@dgascope/ml';
import { ModelStatus, Prisma, type PrismaClient } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import { decodeCursor, toConnection, type ConnectionValue } from '../../pagination/keyset-page';
import { toJson } from '../../jobs/json';
import { decisionColumns } from './decision-columns';
import { toMetrics, toModel } from './model.mapper';
import type { FamilyDelta, Model, ModelComparison } from './model.type';

// Serialises promotions, so that exactly one model is promoted at any time.
const PROMOTION_LOCK = 0x64676173; // "dgas"

/** What a training job records about the model it starts. */
export interface ModelPlan {
  config: unknown;
  snapshotIds: number[];
  parentId: number | null;
}

export class ModelsService {
  private readonly promotionListeners: Array<(id: number) => void> = [];

  constructor(private readonly prisma: PrismaClient) {}

  /** Called after every promotion this process makes (e.g. to swap the served model at once). */
  onPromoted(listener: (id: number) => void): void {
    this.promotionListeners.push(listener);
  }

  async list(status: ModelStatus | null | undefined, first: number, after?: string | null): Promise<ConnectionValue<Model>> {
    const cursor = decodeCursor<[number]>(after, ['number']);
    const where: Prisma.MlModelWhereInput = status ? { status } : {};
    const rows = await this.prisma.mlModel.findMany({
      where: { ...where, ...(cursor ? { id: { lt: cursor[0] } } : {}) },
      orderBy: { id: 'desc' },
      take: first + 1,
      omit: { artifact: true },
    });
    return toConnection(rows.map(toModel), first, (m) => [m.id], await this.prisma.mlModel.count({ where }));
  }

  async get(id: number): Promise<Model> {
    const row = await this.prisma.mlModel.findUnique({ where: { id }, omit: { artifact: true } });
    if (!row) throw new AppError('NOT_FOUND', 'MODEL_NOT_FOUND', `model ${id} not found`);
    return toModel(row);
  }

  async promotedId(): Promise<number | null> {
    const row = await this.prisma.mlModel.findFirst({ where: { status: ModelStatus.PROMOTED }, select: { id: true } });
    return row?.id ?? null;
  }

  /** Makes `id` the promoted model; the previous one goes back to READY. Also the rollback. */
  async promote(id: number): Promise<Model> {
    const model = await this.promoteInTransaction(id);
    for (const listener of this.promotionListeners) listener(id);
    return model;
  }

  private async promoteInTransaction(id: number): Promise<Model> {
    return this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${PROMOTION_LOCK})`;
      const model = await tx.mlModel.findUnique({ where: { id }, select: { status: true } });
      if (!model) throw new AppError('NOT_FOUND', 'MODEL_NOT_FOUND', `model ${id} not found`);
      if (model.status === ModelStatus.PROMOTED) return this.get(id);
      if (model.status !== ModelStatus.READY && model.status !== ModelStatus.RETIRED) {
        throw new AppError(
          'CONFLICT',
          'MODEL_NOT_READY',
          `model ${id} is ${model.status.toLowerCase()}; only a ready or retired model can be promoted`,
        );
      }
      await tx.mlModel.updateMany({ where: { status: ModelStatus.PROMOTED }, data: { status: ModelStatus.READY } });
      const row = await tx.mlModel.update({
        where: { id },
        data: { status: ModelStatus.PROMOTED, promotedAt: new Date(), retiredAt: null },
        omit: { artifact: true },
      });
      return toModel(row);
    });
  }

  async retire(id: number): Promise<Model> {
    const model = await this.get(id);
    if (model.status === ModelStatus.PROMOTED) {
      throw new AppError('CONFLICT', 'MODEL_PROMOTED', `model ${id} is the promoted model; promote another one first`);
    }
    if (model.status === ModelStatus.TRAINING)
      throw new AppError('CONFLICT', 'MODEL_TRAINING', `model ${id} is still training; cancel its job instead`);
    const row = await this.prisma.mlModel.update({
      where: { id },
      data: { status: ModelStatus.RETIRED, retiredAt: new Date() },
      omit: { artifact: true },
    });
    return toModel(row);
  }

  // --- the model a training job produces (one row per job: a retry reuses it) ---------

  /** The model a training job stored, if it got that far. */
  async ofTrainingJob(jobId: string): Promise<{ id: number; status: ModelStatus } | null> {
    return this.prisma.mlModel.findUnique({ where: { trainingJobId: jobId }, select: { id: true, status: true } });
  }

  /** Creates (or, on a retry, reuses) the TRAINING row of a training job's model. */
  async beginTraining(jobId: string, plan: ModelPlan): Promise<number> {
    const row = await this.prisma.mlModel.upsert({
      where: { trainingJobId: jobId },
      create: {
        trainingJobId: jobId,
        status: ModelStatus.TRAINING,
        architecture: {},
        config: toJson(plan.config),
        labels: [],
        snapshotIds: plan.snapshotIds,
        parentId: plan.parentId,
      },
      update: { status: ModelStatus.TRAINING },
      select: { id: true },
    });
    return row.id;
  }

  /**
   * Stores the trained weights and their evaluation: the model is READY. `familyLabels`: the class
   * the label policy gave each family of the training data (null: dropped).
   */
  async markReady(
    id: number,
    model: DgaModel,
    metrics: Evaluation | null,
    familyLabels: Record<string, string | null> | null,
  ): Promise<void> {
    const artifact = new Uint8Array(modelToBuffer(model));
    await this.prisma.mlModel.update({
      where: { id },
      data: {
        status: ModelStatus.READY,
        architecture: toJson(model.config),
        labels: [...model.labels],
        dataFingerprint: model.meta.trainingFingerprint,
        trainingSamples: model.meta.trainingSamples,
        backend: model.meta.trainedWith,
        metrics: metrics ? toJson(metrics) : Prisma.DbNull,
        familyLabels: familyLabels ? toJson(familyLabels) : Prisma.DbNull,
        ...decisionColumns(model),
        artifact,
        artifactBytes: artifact.length,
        readyAt: new Date(),
      },
    });
  }

  /** The training job of this model was cancelled or failed for good. */
  async markTrainingFailed(jobId: string): Promise<void> {
    await this.prisma.mlModel.updateMany({ where: { trainingJobId: jobId }, data: { status: ModelStatus.FAILED } });
  }

  /** What a model was trained on: its snapshots, their families, and the class each family became. */
  async trainingBasis(
    id: number,
  ): Promise<{ snapshotIds: number[]; familyLabels: Record<string, string | null> | null; trainingFamilies: string[] }> {
    const row = await this.prisma.mlModel.findUnique({ where: { id }, select: { snapshotIds: true, familyLabels: true } });
    if (!row) throw new AppError('NOT_FOUND', 'MODEL_NOT_FOUND', `model ${id} not found`);
    const counts = await this.prisma.snapshotFamilyCount.findMany({
      where: { snapshotId: { in: row.snapshotIds } },
      select: { family: { select: { name: true } } },
      distinct: ['familyId'],
    });
    return {
      snapshotIds: row.snapshotIds,
      familyLabels: (row.familyLabels as Record<string, string | null> | null) ?? null,
      trainingFamilies: counts.map((c) => c.family.name),
    };
  }

  /** Loads a model's artifact into memory (the caller owns it: dispose() when done). */
  async load(id: number): Promise<DgaModel> {
    const row = await this.prisma.mlModel.findUnique({ where: { id }, select: { artifact: true, status: true } });
    if (!row) throw new AppError('NOT_FOUND', 'MODEL_NOT_FOUND', `model ${id} not found`);
    if (!row.artifact)
      throw new AppError('CONFLICT', 'MODEL_NOT_READY', `model ${id} has no trained weights (${row.status.toLowerCase()})`);
    return modelFromBuffer(row.artifact);
  }

  async compare(a: number, b: number): Promise<ModelComparison> {
    const [ma, mb] = await Promise.all([this.get(a), this.get(b)]);
    const ea = toMetrics(ma.metricsJson as Evaluation | null);
    const eb = toMetrics(mb.metricsJson as Evaluation | null);
    const byA = new Map(ea?.perFamily.map((f) => [f.family, f]) ?? []);
    const byB = new Map(eb?.perFamily.map((f) => [f.family, f]) ?? []);
    const delta = (x: number | undefined, y: number | undefined) => (x === undefined || y === undefined ? null : y - x);
    const families: FamilyDelta[] = [...new Set([...byA.keys(), ...byB.keys()])].sort().map((family) => {
      const fa = byA.get(family);
      const fb = byB.get(family);
      return {
        family,
        f1A: fa?.f1 ?? null,
        f1B: fb?.f1 ?? null,
        f1Delta: delta(fa?.f1, fb?.f1),
        precisionDelta: delta(fa?.precision, fb?.precision),
        recallDelta: delta(fa?.recall, fb?.recall),
        supportA: fa?.support ?? null,
        supportB: fb?.support ?? null,
      };
    });
    return {
      a: ma,
      b: mb,
      macroF1Delta: delta(ea?.macro.f1, eb?.macro.f1),
      microF1Delta: delta(ea?.micro.f1, eb?.micro.f1),
      accuracyDelta: delta(ea?.accuracy, eb?.accuracy),
      aucDelta: delta(ea?.binary?.auc, eb?.binary?.auc),
      families,
    };
  }
}
