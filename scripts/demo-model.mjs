#!/usr/bin/env node
// Part of `npm run demo`: the analyst's loop on the demo data, through the running API and worker.
//   1. train a model on the earlier feed (bambenek, 2018-10-14) and the benign list, promote it;
//   2. ingest the later feed (bambenek, 2018-12-31, with new families) with the CLI: its post-ingest
//      hook evaluates the promoted model on it (what the unseen-family review shows);
//   3. retrain with a warm start from the promoted model on the snapshots the review's "Train with
//      these families" proposes, and evaluate the new model on the later feed: the gain;
//   4. classify the later feed with the promoted model (the predictions page).
// The candidate is left unpromoted: promoting it from the dashboard shows the promotion review.
// Does nothing when a model is already promoted (the demo can be run again); prints the hints
// either way, into .dgascope/demo-hints.txt as well (scripts/demo.sh prints them last).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const host = process.env.HOST ?? '127.0.0.1';
const port = process.env.PORT ?? 4000;
const api = process.env.DGASCOPE_API_URL ?? `http://${host}:${port}/graphql`;
const dashboard = `http://${host}:${process.env.DASHBOARD_PORT ?? 3000}`;
const key = process.env.ADMIN_API_KEY;
if (!key) throw new Error('ADMIN_API_KEY is not set (see .env)');

/**
 * How the demo trains, in one place (both trainings use it). Square-root family sampling: at the
 * demo's 3 epochs it learns the families much better than the default preset (measured on this
 * demo: test macro-F1 0.232 vs 0.165, later feed flagged 25.3 % vs 17.7 %; bench:quality's 3-epoch
 * runs agree). The default preset stays resnet-cnn for full trainings: docs/quality.md.
 */
const DEMO_TRAINING = { preset: 'resnet-cnn-sqrt', epochs: Number(process.env.DEMO_EPOCHS ?? 3) };

const EARLIER = 'data/demo/dga-feed-high-2018-10-14.csv.gz';
const LATER = 'data/demo/dga-feed-2018-12-31.csv.gz';
const pct = (x) => (x == null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
const f3 = (x) => (x == null ? 'n/a' : x.toFixed(3));

async function gql(query, variables = {}) {
  const res = await fetch(api, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors?.length) throw new Error(`${body.errors[0].message} (${body.errors[0].extensions?.code})`);
  return body.data;
}

async function waitFor(id, label) {
  let last = '';
  for (;;) {
    const { job } = await gql(
      `query($id: String!) { job(id: $id) { state error result progress { stage fraction epoch epochs loss samplesPerSec etaSeconds processed total } } }`,
      { id },
    );
    const p = job.progress;
    const line = p
      ? `${label}: ${job.state.toLowerCase()} ${p.fraction != null ? `${Math.round(100 * p.fraction)}%` : ''} ${p.epoch ? `epoch ${p.epoch}/${p.epochs} loss ${p.loss?.toFixed(3)} ${Math.round(p.samplesPerSec ?? 0)} samples/s` : ''}${p.processed != null ? `${p.stage} ${p.processed}/${p.total} domains` : ''}${p.etaSeconds != null ? ` ETA ${Math.round(p.etaSeconds)} s` : ''}`
      : `${label}: ${job.state.toLowerCase()}`;
    if (line !== last) console.log(`  ${line.replace(/\s+/g, ' ')}`);
    last = line;
    if (job.state === 'COMPLETED') return job;
    if (job.state === 'FAILED' || job.state === 'CANCELLED') throw new Error(`${label} ${job.state.toLowerCase()}: ${job.error ?? ''}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

async function train(label, snapshotIds, warmStartModelId = null) {
  const { startTraining } = await gql(`mutation($input: StartTrainingInput!) { startTraining(input: $input) { id } }`, {
    input: { snapshotIds, ...DEMO_TRAINING, ...(warmStartModelId ? { warmStartModelId } : {}) },
  });
  const job = await waitFor(startTraining.id, label);
  const r = job.result;
  console.log(`  model ${r.modelId}: test split accuracy ${f3(r.accuracy)}, macro-F1 ${f3(r.macroF1)}, AUC ${r.auc?.toFixed(4)}`);
  return r.modelId;
}

const EVALUATION = `query($m: Int!, $s: Int!) { evaluations(modelId: $m, snapshotId: $s) {
  id macroF1 flaggedRate domains trainedOnDomains freshDomains unknownToModelDomains
  overall { perFamily { family f1 support } }
  unknownFamilies { family domains flaggedRate unknownFamilyRate assignedTo { family share } } } }`;
const evaluationOf = async (modelId, snapshotId) => (await gql(EVALUATION, { m: modelId, s: snapshotId })).evaluations[0];

/** The ingestion, as a user runs it: the CLI, whose post-ingest hook queues the promoted model's evaluation. */
function ingestLater() {
  const out = execFileSync(process.execPath, ['apps/api/dist/cli/main.js', 'ingest', LATER, '--feed', 'bambenek', '--json'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').at(-1));
}

function hints(ids) {
  const lines = [
    'Try:',
    `  npm run dgascope -- unseen ${ids.earlier} ${ids.later}        # families of the later feed the earlier one lacks, and the reverse`,
    '  npm run dgascope -- models                   # the registry: status, preset, thresholds',
    `  curl -s ${api} -H 'content-type: application/json' \\`,
    `    -d '{"query":"{ classify(domains: [\\"google.com\\", \\"earnestnessbiophysicalohax.com\\"]) { domain verdict family probability dgaScore nearestFamily unknownFamily } }"}'`,
    `  curl -s ${api} -H 'content-type: application/json' \\`,
    `    -d '{"query":"{ evaluations(snapshotId: ${ids.later}) { modelId macroF1 flaggedRate unknownFamilies { family flaggedRate } } }"}'`,
    'In the dashboard:',
    `  ${dashboard}/unseen                 the later feed's new families, and what the promoted model v${ids.promoted} makes of them`,
    ...(ids.candidate
      ? [
          `  ${dashboard}/models/${ids.candidate}               the retrained v${ids.candidate} and its evaluation on the later feed`,
          `  ${dashboard}/admin                  promote v${ids.candidate}: the promotion review compares it with v${ids.promoted} first`,
        ]
      : []),
  ];
  mkdirSync(path.join(root, '.dgascope'), { recursive: true });
  writeFileSync(path.join(root, '.dgascope', 'demo-hints.txt'), `${lines.join('\n')}\n`);
}

const { snapshots } = await gql(`{ snapshots(first: 100) { nodes { id takenAt fileName feed { name } } } }`);
const find = (feed, file) => snapshots.nodes.find((s) => s.feed.name === feed && file.endsWith(s.fileName))?.id;
const earlier = find('bambenek', EARLIER);
const umbrella = snapshots.nodes.find((s) => s.feed.name === 'umbrella')?.id;
if (!earlier || !umbrella) throw new Error('the demo snapshots are missing: run npm run demo');

const { models } = await gql(`{ models(first: 50) { nodes { id status parentId } } }`);
const promoted = models.nodes.find((m) => m.status === 'PROMOTED');
if (promoted) {
  const later = find('bambenek', LATER);
  const candidate = models.nodes.find((m) => m.parentId === promoted.id && m.status === 'READY')?.id ?? null;
  console.log(`model ${promoted.id} is already promoted: the demo loop ran before; not training again`);
  hints({ earlier, later: later ?? earlier, promoted: promoted.id, candidate });
  process.exit(0);
}

console.log(`\n[1/4] a model on the earlier feed (snapshot ${earlier}, 2018-10-14) and the benign list (snapshot ${umbrella})`);
const first = await train('training', [earlier, umbrella]);
await gql(`mutation($id: Int!) { promoteModel(id: $id) { id } }`, { id: first });
console.log(`  model ${first} promoted`);

console.log(`\n[2/4] the later feed arrives (2018-12-31, new families): ingested with the CLI`);
const ingested = ingestLater();
const later = ingested.snapshotId;
console.log(`  snapshot ${later}: ${ingested.rowsAccepted} domains`);
for (const h of ingested.afterIngest) console.log(`  after ingest, ${h.hook}: ${h.message}`);
const hook = ingested.afterIngest.find((h) => h.hook === 'evaluate-promoted-model' && h.ok && /\(job (.+)\)$/.test(h.message));
if (hook) await waitFor(/\(job (.+)\)$/.exec(hook.message)[1], 'evaluation');
else
  await waitFor(
    (await gql(`mutation($s: Int!) { startEvaluation(snapshotId: $s) { id } }`, { s: later })).startEvaluation.id,
    'evaluation',
  );
const before = await evaluationOf(first, later);
const unseenDomains = before.unknownFamilies.reduce((s, f) => s + f.domains, 0);
const unseenFlagged = before.unknownFamilies.reduce((s, f) => s + f.flaggedRate * f.domains, 0);
console.log(
  `  model ${first} on the later feed: macro-F1 ${f3(before.macroF1)} on the families it knows, ${pct(before.flaggedRate)} of all DGA domains flagged;`,
);
console.log(
  `  ${before.unknownFamilies.length} families it does not know (${unseenDomains} domains), ${pct(unseenDomains ? unseenFlagged / unseenDomains : null)} of them flagged. The largest:`,
);
for (const f of before.unknownFamilies.slice(0, 5))
  console.log(
    `    ${f.family.padEnd(24)} ${String(f.domains).padStart(5)} domains, ${pct(f.flaggedRate).padStart(6)} flagged, taken for ${f.assignedTo.map((a) => `${a.family} ${pct(a.share)}`).join(', ')}`,
  );

// What the review's "Train with these families" proposes: the promoted model's snapshots and the new one, warm start.
const snapshotIds = [...new Set([earlier, umbrella, later])].sort((a, b) => a - b);
console.log(`\n[3/4] retrain with a warm start from model ${first} on snapshots ${snapshotIds.join(', ')}, evaluate on the later feed`);
const second = await train('training', snapshotIds, first);
const { startEvaluation } = await gql(`mutation($s: Int!, $m: Int) { startEvaluation(snapshotId: $s, modelId: $m) { id } }`, {
  s: later,
  m: second,
});
await waitFor(startEvaluation.id, 'evaluation');
const after = await evaluationOf(second, later);
const f1Of = (e, family) => e.overall?.perFamily.find((f) => f.family === family && f.support > 0)?.f1 ?? null;
console.log(
  `  on the later feed, model ${first} → model ${second}: families the model does not know ${before.unknownFamilies.length} → ${after.unknownFamilies.length}; macro-F1 ${f3(before.macroF1)} → ${f3(after.macroF1)} (over the families each knows); DGA flagged ${pct(before.flaggedRate)} → ${pct(after.flaggedRate)}`,
);
console.log(
  `  (model ${second} trained on ${pct(after.trainedOnDomains / after.domains)} of these listings: this is the gain on what it was taught, not on fresh domains)`,
);
for (const f of before.unknownFamilies.slice(0, 5))
  console.log(`    ${f.family.padEnd(26)} flagged ${pct(f.flaggedRate).padStart(6)} → F1 ${f3(f1Of(after, f.family))}`);

console.log(`\n[4/4] classifying the later feed with the promoted model ${first} (the predictions page)`);
const { startClassification } = await gql(`mutation($s: Int!) { startClassification(input: { snapshotId: $s }) { id } }`, { s: later });
const r = (await waitFor(startClassification.id, 'classification')).result;
console.log(
  `  ${r.classified} domains: ${r.benign} benign, ${r.dga} DGA (${r.dgaKnownFamily} of a known family, ${r.unknownFamily} of an unknown one), ${r.seconds.toFixed(1)} s`,
);
console.log(`\nmodel ${second} is ready but not promoted: promoting it from the dashboard shows how it compares with model ${first}.`);
hints({ earlier, later, promoted: first, candidate: second });
