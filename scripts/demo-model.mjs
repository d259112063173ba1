#!/usr/bin/env node
// Part of `npm run demo`: through the running API and worker, train a model on the demo
// snapshots, promote it, and classify the later demo feed, so that every query answers with
// real numbers. Does nothing when a model is already promoted (the demo can be run again).
const api = process.env.DGASCOPE_API_URL ?? `http://${process.env.HOST ?? '127.0.0.1'}:${process.env.PORT ?? 4000}/graphql`;
const key = process.env.ADMIN_API_KEY;
const epochs = Number(process.env.DEMO_EPOCHS ?? 3);
if (!key) throw new Error('ADMIN_API_KEY is not set (see .env)');

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
      ? `${label}: ${job.state.toLowerCase()} ${p.fraction != null ? `${Math.round(100 * p.fraction)}%` : ''} ${p.epoch ? `epoch ${p.epoch}/${p.epochs} loss ${p.loss?.toFixed(3)} ${Math.round(p.samplesPerSec ?? 0)} samples/s` : ''}${p.processed != null ? `${p.processed}/${p.total} domains` : ''}${p.etaSeconds != null ? ` ETA ${Math.round(p.etaSeconds)} s` : ''}`
      : `${label}: ${job.state.toLowerCase()}`;
    if (line !== last) console.log(line.replace(/\s+/g, ' '));
    last = line;
    if (job.state === 'COMPLETED') return job;
    if (job.state === 'FAILED' || job.state === 'CANCELLED') throw new Error(`${label} ${job.state.toLowerCase()}: ${job.error ?? ''}`);
    await new Promise((r) => setTimeout(r, 2000));
  }
}

const { models } = await gql(`{ models(first: 1, status: PROMOTED) { nodes { id } } }`);
if (models.nodes.length > 0) {
  console.log(`model ${models.nodes[0].id} is already promoted; not training again`);
  process.exit(0);
}
const { snapshots } = await gql(`{ snapshots(first: 100) { nodes { id fileName feed { name } } } }`);
const byFeed = (name) => snapshots.nodes.find((s) => s.feed.name === name)?.id;
const [high, full, umbrella] = [byFeed('bambenek-high'), byFeed('bambenek'), byFeed('umbrella')];
if (!high || !full || !umbrella) throw new Error('the demo snapshots are missing: run npm run demo');

console.log(`training on snapshots ${high} (DGA, high confidence) and ${umbrella} (benign), ${epochs} epochs`);
const { startTraining } = await gql(`mutation($input: StartTrainingInput!) { startTraining(input: $input) { id } }`, {
  input: { snapshotIds: [high, umbrella], epochs },
});
const trained = await waitFor(startTraining.id, 'training');
const modelId = trained.result.modelId;
console.log(
  `model ${modelId}: accuracy ${trained.result.accuracy?.toFixed(3)}, macro-F1 ${trained.result.macroF1?.toFixed(3)}, AUC ${trained.result.auc?.toFixed(4)}`,
);
await gql(`mutation($id: Int!) { promoteModel(id: $id) { id } }`, { id: modelId });
console.log(`model ${modelId} promoted; classifying snapshot ${full} (the later feed)`);
const { startClassification } = await gql(`mutation($s: Int!) { startClassification(input: { snapshotId: $s }) { id } }`, { s: full });
const classified = await waitFor(startClassification.id, 'classification');
const r = classified.result;
console.log(
  `classified ${r.classified} domains: ${r.benign} benign, ${r.dga} DGA (${r.dgaKnownFamily} of a known family, ${r.unknownFamily} of an unknown one), ${r.seconds.toFixed(1)} s`,
);
