import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ensureBackend, LATENCY_ORDER, modelFromBuffer, type DgaModel } from '@dgascope/ml';
import { ModelStatus, Prisma, type PrismaClient } from '@prisma/client';
import { z } from 'zod';
import { AppError } from '../../errors/app-error';
import { toJson } from '../../jobs/json';
import { decisionColumns } from './decision-columns';

/**
 * A model moved between dgascope installations (`dgascope models export` / `models import`): a
 * directory holding the artifact exactly as the registry stores it and what the registry knows
 * about it besides the weights. Training snapshots travel as (feed, SHA-256 of the file), the
 * identity an ingestion already uses, so that an import finds them among the local snapshots:
 * evaluations tell the domains a model trained on from fresh ones by them, and a warm start from
 * the imported model proposes them again.
 */
export const ARTIFACT_FILE = 'model.dgam';
export const REGISTRY_FILE = 'registry.json';
const EXPORT_FORMAT = 'dgascope-model-export';
const EXPORT_FORMAT_VERSION = 1;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 in lower-case hex');
const jsonObject = z.record(z.string(), z.unknown());
const RegistryFile = z.object({
  format: z.literal(EXPORT_FORMAT),
  formatVersion: z.literal(EXPORT_FORMAT_VERSION),
  artifact: z.object({ file: z.literal(ARTIFACT_FILE), bytes: z.number().int().positive(), sha256: sha256Hex }),
  exportedAt: z.iso.datetime(),
  exportedModelId: z.number().int(),
  labels: z.array(z.string()).min(2),
  architecture: jsonObject,
  config: jsonObject,
  metrics: jsonObject.nullable(),
  familyLabels: z.record(z.string(), z.string().nullable()).nullable(),
  dataFingerprint: z.string().nullable(),
  trainingSamples: z.number().int().nonnegative().nullable(),
  backend: z.string().nullable(),
  trainingSnapshots: z.array(
    z.object({
      feed: z.string().min(1),
      fileName: z.string(),
      takenAt: z.iso.datetime(),
      sha256: sha256Hex,
      rowsAccepted: z.number().int().nonnegative(),
    }),
  ),
});
export type ModelExport = z.infer<typeof RegistryFile>;
type TrainingSnapshot = ModelExport['trainingSnapshots'][number];

export interface ImportOutcome {
  modelId: number;
  /** False when this very artifact was imported before: nothing added. */
  created: boolean;
  /** Local snapshots the model's training snapshots were found as. */
  snapshotIds: number[];
  /** Training snapshots not ingested here (only with allowMissingSnapshots). */
  missingSnapshots: TrainingSnapshot[];
}

const describeSnapshot = (s: TrainingSnapshot) => `${s.fileName} of feed "${s.feed}" (sha256 ${s.sha256.slice(0, 12)}…)`;

export class ModelTransfer {
  constructor(private readonly prisma: PrismaClient) {}

  /** Writes model `id` into `dir` (created if needed): model.dgam and registry.json. */
  async exportTo(id: number, dir: string): Promise<ModelExport> {
    const row = await this.prisma.mlModel.findUnique({ where: { id } });
    if (!row) throw new AppError('NOT_FOUND', 'MODEL_NOT_FOUND', `model ${id} not found`);
    if (!row.artifact)
      throw new AppError('CONFLICT', 'MODEL_NOT_READY', `model ${id} has no trained weights (${row.status.toLowerCase()})`);
    const snapshots = await this.prisma.snapshot.findMany({
      where: { id: { in: row.snapshotIds } },
      include: { feed: { select: { name: true } } },
      orderBy: { id: 'asc' },
    });
    const artifact = Buffer.from(row.artifact);
    const registry: ModelExport = {
      format: EXPORT_FORMAT,
      formatVersion: EXPORT_FORMAT_VERSION,
      artifact: { file: ARTIFACT_FILE, bytes: artifact.length, sha256: sha256(artifact) },
      exportedAt: new Date().toISOString(),
      exportedModelId: row.id,
      labels: row.labels,
      architecture: row.architecture as Record<string, unknown>,
      config: row.config as Record<string, unknown>,
      metrics: (row.metrics as Record<string, unknown> | null) ?? null,
      familyLabels: (row.familyLabels as Record<string, string | null> | null) ?? null,
      dataFingerprint: row.dataFingerprint,
      trainingSamples: row.trainingSamples,
      backend: row.backend,
      trainingSnapshots: snapshots.map((s) => ({
        feed: s.feed.name,
        fileName: s.fileName,
        takenAt: s.takenAt.toISOString(),
        sha256: s.sha256,
        rowsAccepted: s.rowsAccepted,
      })),
    };
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, ARTIFACT_FILE), artifact);
    await writeFile(path.join(dir, REGISTRY_FILE), `${JSON.stringify(registry, null, 1)}\n`);
    return registry;
  }

  /**
   * Validates an export and stores it as a READY model, as a training job would have. Importing
   * the same artifact again adds nothing. Refuses when a training snapshot is not ingested here
   * (evaluations would count the domains it trained on as fresh) unless allowMissingSnapshots.
   */
  async importFrom(dir: string, options: { allowMissingSnapshots?: boolean } = {}): Promise<ImportOutcome> {
    const { registry, artifact } = await readExport(dir);
    const artifactFile = path.join(dir, ARTIFACT_FILE);
    await ensureBackend({ order: LATENCY_ORDER });
    let model: DgaModel;
    try {
      model = modelFromBuffer(artifact);
    } catch (err) {
      throw invalid(`${artifactFile}: ${(err as Error).message}`);
    }
    let decision: ReturnType<typeof decisionColumns>;
    try {
      if (JSON.stringify(model.labels) !== JSON.stringify(registry.labels))
        throw invalid(
          `${path.join(dir, REGISTRY_FILE)}: field "labels" does not match the classes of ${artifactFile} (${model.labels.length} classes)`,
        );
      decision = decisionColumns(model);
    } finally {
      model.dispose();
    }

    const trainingJobId = `import:${registry.artifact.sha256}`;
    const snapshotIds: number[] = [];
    const missingSnapshots: TrainingSnapshot[] = [];
    for (const s of registry.trainingSnapshots) {
      const local = await this.prisma.snapshot.findFirst({
        where: { sha256: s.sha256, feed: { name: s.feed } },
        select: { id: true },
      });
      if (local) snapshotIds.push(local.id);
      else missingSnapshots.push(s);
    }
    const before = await this.prisma.mlModel.findUnique({ where: { trainingJobId }, select: { id: true } });
    if (before) return { modelId: before.id, created: false, snapshotIds, missingSnapshots };
    if (missingSnapshots.length > 0 && !options.allowMissingSnapshots)
      throw new AppError(
        'BAD_USER_INPUT',
        'TRAINING_SNAPSHOTS_MISSING',
        `the model was trained on snapshots not ingested here: ${missingSnapshots.map(describeSnapshot).join('; ')}. ` +
          'Ingest them first (evaluations tell the domains a model trained on from fresh ones by them), or import with --allow-missing-snapshots',
      );

    const row = await this.prisma.mlModel.create({
      data: {
        trainingJobId,
        status: ModelStatus.READY,
        architecture: toJson(registry.architecture),
        config: toJson({ ...registry.config, importedFrom: { modelId: registry.exportedModelId, exportedAt: registry.exportedAt } }),
        labels: registry.labels,
        snapshotIds: snapshotIds.sort((a, b) => a - b),
        dataFingerprint: registry.dataFingerprint,
        trainingSamples: registry.trainingSamples,
        backend: registry.backend,
        metrics: registry.metrics ? toJson(registry.metrics) : Prisma.DbNull,
        familyLabels: registry.familyLabels ? toJson(registry.familyLabels) : Prisma.DbNull,
        // The verdict rule comes from the artifact itself, as for a trained model.
        ...decision,
        artifact: new Uint8Array(artifact),
        artifactBytes: artifact.length,
        readyAt: new Date(),
      },
      select: { id: true },
    });
    return { modelId: row.id, created: true, snapshotIds, missingSnapshots };
  }
}

/** Reads and checks registry.json and model.dgam; every error names the file and the field. */
export async function readExport(dir: string): Promise<{ registry: ModelExport; artifact: Buffer }> {
  const registryFile = path.join(dir, REGISTRY_FILE);
  const artifactFile = path.join(dir, ARTIFACT_FILE);
  let text: string;
  let artifact: Buffer;
  try {
    text = await readFile(registryFile, 'utf8');
    artifact = await readFile(artifactFile);
  } catch (err) {
    throw invalid(
      `${dir} is not a model export (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? `no ${path.basename((err as NodeJS.ErrnoException).path ?? '')}` : (err as Error).message}); write one with dgascope models export`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw invalid(`${registryFile}: not valid JSON (${(err as Error).message})`);
  }
  const parsed = RegistryFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('')
      .replace(/^\./, '');
    throw invalid(`${registryFile}: field "${field || '(root)'}": ${issue.message}`);
  }
  const registry = parsed.data;
  if (artifact.length !== registry.artifact.bytes || sha256(artifact) !== registry.artifact.sha256)
    throw invalid(
      `${artifactFile} does not match ${REGISTRY_FILE} (artifact.bytes ${registry.artifact.bytes}, artifact.sha256 ${registry.artifact.sha256.slice(0, 12)}…; the file has ${artifact.length} bytes, sha256 ${sha256(artifact).slice(0, 12)}…): altered, or from another export`,
    );
  return { registry, artifact };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const invalid = (message: string) => new AppError('BAD_USER_INPUT', 'INVALID_MODEL_EXPORT', message);
