import { mkdtempSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend, modelToBuffer, trainClassifier } from '@dgascope/ml';
import { decisionColumns } from '@dgascope/api/src/modules/models/decision-columns';
import { createDatabase } from '@dgascope/api/src/db/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli-process';
import { createTestDatabase, type TestDatabase } from './support/test-database';
import { tinyData } from './support/tiny-data';

// Two installations (two databases): a model trained and exported on one, imported on the other.
let source: TestDatabase;
let target: TestDatabase;
const work = mkdtempSync(path.join(tmpdir(), 'dgascope-transfer-'));
const files = { dga: path.join(work, 'dga.csv'), benign: path.join(work, 'top.csv') };
const exported = path.join(work, 'export');
const probe = ['google.com', 'wikipedia.org', 'qxzvkqxzvk7.com'];
let expected: string[];
let sourceModel: { id: number; snapshotIds: number[]; familyLabels: unknown; metrics: unknown };

const ingest = async (url: string, file: string, feed: string) =>
  JSON.parse((await runCli(url, ['ingest', file, '--feed', feed, '--json'])).stdout).snapshotId as number;

beforeAll(async () => {
  [source, target] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  const tiny = tinyData();
  writeFileSync(files.dga, tiny.dga);
  writeFileSync(files.benign, tiny.benign);
  const dgaId = await ingest(source.url, files.dga, 'dga');
  const benignId = await ingest(source.url, files.benign, 'top');
  // A real (tiny) model, stored as the training job stores one.
  await initBackend({ backend: 'wasm' });
  const data = [
    ...tiny.dga
      .split('\n')
      .slice(1)
      .map((r) => ({ domain: r.split(',')[1]!, label: r.split(',')[0]! })),
    ...tiny.benign.split('\n').map((r) => ({ domain: r.split(',')[1]!, label: 'benign' })),
  ];
  const { model, test } = await trainClassifier(data, {
    train: { architecture: { embeddingDim: 8, lstmUnits: 8 }, epochs: 1, batchSize: 32, preset: 'endgame-2016' },
  });
  const artifact = new Uint8Array(modelToBuffer(model));
  const familyLabels = { banjori: 'banjori', pykspa: 'pykspa', necurs: 'necurs', benign: 'benign' };
  const database = createDatabase(source.url, { max: 1 });
  try {
    const row = await database.prisma.mlModel.create({
      data: {
        trainingJobId: 'transfer-test',
        status: 'READY',
        architecture: JSON.parse(JSON.stringify(model.config)),
        config: { preset: 'endgame-2016', epochs: 1 },
        labels: [...model.labels],
        snapshotIds: [dgaId, benignId],
        trainingSamples: model.meta.trainingSamples,
        metrics: JSON.parse(JSON.stringify(test)),
        familyLabels,
        artifact,
        artifactBytes: artifact.length,
        ...decisionColumns(model),
      },
    });
    sourceModel = { id: row.id, snapshotIds: row.snapshotIds, familyLabels, metrics: row.metrics };
  } finally {
    await database.close();
  }
  expected = model.classify(probe).map((r) => (r.ok ? `${r.verdict} ${r.family} ${r.dgaScore.toFixed(4)}` : 'invalid'));
  model.dispose();
});
afterAll(async () => {
  await Promise.all([source?.drop(), target?.drop()]);
});

const answers = async (url: string, modelId: number) => {
  const out = await runCli(url, ['classify', ...probe, '--model', String(modelId), '--json']);
  expect(out.stderr).toBe('');
  return (JSON.parse(out.stdout) as Array<{ verdict: string; family: string; dgaScore: number }>).map(
    (a) => `${a.verdict.toLowerCase()} ${a.family} ${a.dgaScore.toFixed(4)}`,
  );
};

describe('dgascope models export / import', () => {
  it('exports a model with what the registry knows of it and its training snapshots by content', async () => {
    const out = await runCli(source.url, ['models', 'export', String(sourceModel.id), exported]);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(
      new RegExp(
        `^model ${sourceModel.id} written to .*: model.dgam \\(\\d+ bytes\\) and registry.json \\(4 classes, trained on 2 snapshot\\(s\\)\\)`,
      ),
    );
    const registry = JSON.parse(readFileSync(path.join(exported, 'registry.json'), 'utf8'));
    expect(registry).toMatchObject({
      format: 'dgascope-model-export',
      formatVersion: 1,
      exportedModelId: sourceModel.id,
      familyLabels: sourceModel.familyLabels,
      metrics: sourceModel.metrics,
      trainingSnapshots: [
        { feed: 'dga', fileName: 'dga.csv' },
        { feed: 'top', fileName: 'top.csv' },
      ],
    });
    expect(registry.artifact.bytes).toBe(readFileSync(path.join(exported, 'model.dgam')).length);
  });

  it('refuses an export whose training snapshots are not ingested here, naming them, unless told to import anyway', async () => {
    const refused = await runCli(target.url, ['models', 'import', exported]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /trained on snapshots not ingested here: dga\.csv of feed "dga" \(sha256 [0-9a-f]{12}…\); top\.csv of feed "top"/,
    );
    expect(refused.stderr).toMatch(/--allow-missing-snapshots/);
    expect((await runCli(target.url, ['models'])).stdout).toMatch(/^no models yet/);
  });

  it('imports it on another installation as a ready model: same answers, its snapshots found by content', async () => {
    // Ingested in another order than on the source: the ids differ, the content does not.
    const benignId = await ingest(target.url, files.benign, 'top');
    const other = path.join(work, 'other.csv');
    writeFileSync(other, 'family,domain\nbanjori,zzqwvbnmkl.com\n');
    await ingest(target.url, other, 'dga-other');
    const dgaId = await ingest(target.url, files.dga, 'dga');
    const out = await runCli(target.url, ['models', 'import', exported, '--json']);
    expect(out.stderr).toBe('');
    const result = JSON.parse(out.stdout);
    expect(result).toEqual({ modelId: 1, created: true, snapshotIds: [benignId, dgaId], missingSnapshots: [] });
    const database = createDatabase(target.url, { max: 1 });
    try {
      const row = await database.prisma.mlModel.findUniqueOrThrow({ where: { id: result.modelId } });
      expect(row).toMatchObject({ status: 'READY', snapshotIds: [benignId, dgaId], familyLabels: sourceModel.familyLabels });
      expect(row.metrics).toEqual(sourceModel.metrics);
      expect(row.dgaThreshold).toEqual(expect.any(Number));
    } finally {
      await database.close();
    }
    expect(await answers(target.url, result.modelId)).toEqual(expected);
    expect(await answers(source.url, sourceModel.id)).toEqual(expected);
    // Once only: the same artifact again adds nothing.
    const again = await runCli(target.url, ['models', 'import', exported]);
    expect(again.stdout.trim()).toBe(`${exported}: already imported as model 1; nothing added`);
    expect((await runCli(target.url, ['models', '--json'])).stdout).toMatch(/^\[\{"id":1,/);
  });

  it('says which file and field are wrong in a damaged export, and stores nothing', async () => {
    const damaged = (name: string, change: (dir: string) => void) => {
      const dir = path.join(work, name);
      cpSync(exported, dir, { recursive: true });
      change(dir);
      return dir;
    };
    const flipped = damaged('flipped', (dir) => {
      const bytes = readFileSync(path.join(dir, 'model.dgam'));
      bytes.writeUInt8(bytes.readUInt8(bytes.length - 5) ^ 0xff, bytes.length - 5);
      writeFileSync(path.join(dir, 'model.dgam'), bytes);
    });
    const badField = damaged('bad-field', (dir) => {
      const registry = JSON.parse(readFileSync(path.join(dir, 'registry.json'), 'utf8'));
      registry.trainingSnapshots[1].sha256 = 'nope';
      writeFileSync(path.join(dir, 'registry.json'), JSON.stringify(registry));
    });
    const otherLabels = damaged('labels', (dir) => {
      const registry = JSON.parse(readFileSync(path.join(dir, 'registry.json'), 'utf8'));
      registry.labels = ['benign', 'a', 'b', 'c'];
      writeFileSync(path.join(dir, 'registry.json'), JSON.stringify(registry));
    });
    const notJson = damaged('not-json', (dir) => writeFileSync(path.join(dir, 'registry.json'), '{"format":'));
    const cases: Array<[string, RegExp]> = [
      [
        flipped,
        /model\.dgam does not match registry\.json \(artifact\.bytes \d+, artifact\.sha256 [0-9a-f]{12}…; the file has \d+ bytes, sha256 [0-9a-f]{12}…\): altered, or from another export/,
      ],
      [badField, /bad-field\/registry\.json: field "trainingSnapshots\[1\]\.sha256": a SHA-256 in lower-case hex/],
      [otherLabels, /labels\/registry\.json: field "labels" does not match the classes of .*model\.dgam \(4 classes\)/],
      [notJson, /not-json\/registry\.json: not valid JSON/],
      [path.join(work, 'nowhere'), /nowhere is not a model export \(no registry\.json\); write one with dgascope models export/],
    ];
    for (const [dir, message] of cases) {
      const out = await runCli(target.url, ['models', 'import', dir]);
      expect(out.code, dir).toBe(1);
      expect(out.stderr).toMatch(message);
    }
    expect(JSON.parse((await runCli(target.url, ['models', '--json'])).stdout)).toHaveLength(1);
  });

  it('imports without the training snapshots when told to, and says which are missing', async () => {
    const third = await createTestDatabase();
    try {
      const out = await runCli(third.url, ['models', 'import', exported, '--allow-missing-snapshots']);
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^imported .* as model 1 \(ready; training snapshots here: none\)/);
      expect(out.stdout).toMatch(/not ingested here: dga\.csv of feed "dga" \(450 domains, sha256 [0-9a-f]{64}\)/);
      expect(await answers(third.url, 1)).toEqual(expected);
    } finally {
      await third.drop();
    }
  });
});

describe("the demo's model (data/demo/model, built by npm run demo:model)", () => {
  it('imports onto the demo snapshots it was trained on and answers as the README says', async () => {
    const demo = await createTestDatabase();
    try {
      const dir = path.resolve(__dirname, '..', 'data', 'demo');
      const earlier = await ingest(demo.url, path.join(dir, 'dga-feed-high-2018-10-14.csv.gz'), 'bambenek');
      const top = JSON.parse(
        (
          await runCli(demo.url, [
            'ingest',
            path.join(dir, 'umbrella-top30k-2026-07-06.csv.zip'),
            '--feed',
            'umbrella',
            '--taken-at',
            '2026-07-06',
            '--json',
          ])
        ).stdout,
      ).snapshotId;
      const out = await runCli(demo.url, ['models', 'import', path.join(dir, 'model'), '--json']);
      expect(out.stderr).toBe('');
      expect(JSON.parse(out.stdout)).toMatchObject({ created: true, snapshotIds: [earlier, top], missingSnapshots: [] });
      const names = ['wikipedia.org', 'github.com', 'bit.ly', 'google.com', 'kqjzhwpe.biz'];
      const answers = JSON.parse((await runCli(demo.url, ['classify', ...names, '--model', '1', '--json'])).stdout);
      expect(answers.map((a: { verdict: string }) => a.verdict)).toEqual(['BENIGN', 'BENIGN', 'BENIGN', 'BENIGN', 'DGA']);
    } finally {
      await demo.drop();
    }
  });
});
