#!/usr/bin/env node
// Part of `npm run demo`: the analyst's loop on the demo data, through the running API and worker.
//   1. import the demo's model (data/demo/model, built by `npm run demo:model` from the earlier
//      feed, bambenek 2018-10-14, and the benign list) with the CLI, and promote it;
//   2. ingest the later feed (bambenek, 2018-12-31, with new families) with the CLI: its post-ingest
//      hook evaluates the promoted model on it (what the unseen-family review shows);
//   3. retrain with a warm start from the promoted model on the snapshots the review's "Train with
//      these families" proposes, and evaluate the new model on the later feed: the gain;
//   4. classify the later feed with the promoted model (the predictions page).
// The candidate is left unpromoted: promoting it from the dashboard shows the promotion review.
// Does nothing when a model is already promoted (the demo can be run again); prints the hints
// either way, into .dgascope/demo-hints.txt as well (scripts/demo.sh prints them last).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { apiClient, cli, DEMO_FILES, DEMO_MODEL, DEMO_MODEL_DIR, DEMO_RETRAIN, ROOT as root } from './demo-lib.mjs';

const host = process.env.HOST ?? '127.0.0.1';
const port = process.env.PORT ?? 4000;
const api = process.env.DGASCOPE_API_URL ?? `http://${host}:${port}/graphql`;
const dashboard = `http://${host}:${process.env.DASHBOARD_PORT ?? 3000}`;
const key = process.env.ADMIN_API_KEY;
if (!key) throw new Error('ADMIN_API_KEY is not set (see .env)');
const { gql, waitFor, train } = apiClient(api, key);

const EARLIER = DEMO_FILES.earlier;
const LATER = DEMO_FILES.later;
const pct = (x) => (x == null ? 'n/a' : `${(100 * x).toFixed(1)}%`);
const f3 = (x) => (x == null ? 'n/a' : x.toFixed(3));

const EVALUATION = `query($m: Int!, $s: Int!) { evaluations(modelId: $m, snapshotId: $s) {
  id macroF1 flaggedRate domains trainedOnDomains freshDomains unknownToModelDomains
  overall { perFamily { family f1 support } }
  unknownFamilies { family domains flaggedRate unknownFamilyRate assignedTo { family share } } } }`;
const evaluationOf = async (modelId, snapshotId) => (await gql(EVALUATION, { m: modelId, s: snapshotId })).evaluations[0];

/** The ingestion, as a user runs it: the CLI, whose post-ingest hook queues the promoted model's evaluation. */
const ingestLater = () => JSON.parse(cli(['ingest', LATER, '--feed', 'bambenek', '--json']).trim().split('\n').at(-1));

/**
 * Popular names and the README's examples (kqjzhwpe.biz: random letters; the
 * banjori name, a family only the later feed has), as `dgascope classify --model` answers them.
 */
const SHOWCASE = [
  'wikipedia.org',
  'github.com',
  'bit.ly',
  'google.com',
  'www.example.com',
  'kqjzhwpe.biz',
  'earnestnessbiophysicalohax.com',
];
function showcase(modelIds) {
  const answers = modelIds.map((id) => JSON.parse(cli(['classify', ...SHOWCASE, '--model', String(id), '--json'])));
  const cell = (a) => `${a.verdict.toLowerCase()} ${a.family} ${a.dgaScore.toFixed(3)}`.padEnd(34);
  console.log(`    ${''.padEnd(32)}${modelIds.map((id) => `model ${id}: verdict family dgaScore`.padEnd(34)).join('')}`);
  SHOWCASE.forEach((domain, i) => console.log(`    ${domain.padEnd(32)}${answers.map((a) => cell(a[i])).join('')}`));
}

function hints(ids) {
  const lines = [
    'Try:',
    `  npm run dgascope -- unseen ${ids.earlier} ${ids.later}        # families of the later feed the earlier one lacks, and the reverse`,
    '  npm run dgascope -- models                   # the registry: status, preset, thresholds',
    `  npm run dgascope -- classify ${SHOWCASE.slice(0, 4).join(' ')} ${SHOWCASE.at(-1)}   # the promoted model's verdicts${ids.candidate ? `; --model ${ids.candidate}: the retrained one's` : ''}`,
    `  npm run dgascope -- models import ${DEMO_MODEL_DIR}   # how the demo's model came in (already imported: nothing added); rebuild it: npm run demo:model`,
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
const day = (iso) => iso.slice(0, 10);
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

for (const snap of [...snapshots.nodes].sort((a, b) => a.id - b.id))
  console.log(`snapshot ${snap.id}: ${snap.feed.name} ${snap.fileName}, taken at ${day(snap.takenAt)}`);
console.log(
  `\n[1/4] the demo's model: ${DEMO_MODEL_DIR} (${DEMO_MODEL.preset} trained on the earlier feed and the benign list by npm run demo:model), imported with the CLI and promoted`,
);
const imported = JSON.parse(cli(['models', 'import', DEMO_MODEL_DIR, '--json']));
if (imported.missingSnapshots.length) throw new Error(`${DEMO_MODEL_DIR} was not trained on this demo's snapshots`);
const first = imported.modelId;
await gql(`mutation($id: Int!) { promoteModel(id: $id) { id } }`, { id: first });
const { model: firstModel } = await gql(
  `query($id: Int!) { model(id: $id) { trainingSamples metrics { accuracy macro { f1 } zeroF1Families binary { auc } } } }`,
  { id: first },
);
const m = firstModel.metrics;
console.log(
  `  model ${first} (trained on snapshots ${imported.snapshotIds.join(', ')}, ${firstModel.trainingSamples} samples) promoted: test split accuracy ${f3(m.accuracy)}, macro-F1 ${f3(m.macro.f1)}, ${m.zeroF1Families} families at F1 = 0, AUC ${m.binary?.auc?.toFixed(4)}`,
);

console.log(`\n[2/4] the later feed arrives (new families): ${LATER} ingested with the CLI`);
const ingested = ingestLater();
const later = ingested.snapshotId;
const { snapshot: laterSnapshot } = await gql(`query($id: Int!) { snapshot(id: $id) { takenAt } }`, { id: later });
console.log(
  `  snapshot ${later}: ${ingested.rowsAccepted} domains, taken at ${day(laterSnapshot.takenAt)} (the feed's "generated at" header)`,
);
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
console.log(
  `\n[3/4] retrain with a warm start from model ${first} on snapshots ${snapshotIds.join(', ')} (${DEMO_RETRAIN.epochs} epochs), evaluate on the later feed`,
);
const second = await train('training', snapshotIds, DEMO_RETRAIN, first);
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
console.log(`  what they answer (npm run dgascope -- classify <names> --model <id>):`);
showcase([first, second]);

console.log(`\n[4/4] classifying the later feed with the promoted model ${first} (the predictions page)`);
const { startClassification } = await gql(`mutation($s: Int!) { startClassification(input: { snapshotId: $s }) { id } }`, { s: later });
const r = (await waitFor(startClassification.id, 'classification')).result;
console.log(
  `  ${r.classified} domains: ${r.benign} benign, ${r.dga} DGA (${r.dgaKnownFamily} of a known family, ${r.unknownFamily} of an unknown one), ${r.seconds.toFixed(1)} s`,
);
console.log(`\nmodel ${second} is ready but not promoted: promoting it from the dashboard shows how it compares with model ${first}.`);
hints({ earlier, later, promoted: first, candidate: second });
