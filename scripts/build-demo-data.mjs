#!/usr/bin/env node
// Builds data/demo/ from the public lists in ../shared/data (see data/demo/README.md).
// Deterministic: the same inputs give byte-identical outputs, so the committed files
// can be rebuilt and compared. Run: node scripts/build-demo-data.mjs [sharedDataDir]
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
const { ZipFile } = require('yazl');

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const shared = path.resolve(process.argv[2] ?? path.join(root, '..', 'shared', 'data'));
const out = path.join(root, 'data', 'demo');
mkdirSync(out, { recursive: true });

const text = (file) => {
  const bytes = readFileSync(path.join(shared, file));
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
};

// Seeded PRNG (mulberry32), so sampling is reproducible.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function sample(items, n, random) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

// Feed names as Bambenek spells them; requex cut some at the first space, baderj uses its own.
const BAMBENEK_NAME = {
  post: 'Post Tovar GOZ',
  volatile: 'Volatile Cedar / Explosive',
  p2p: 'P2P Gameover Zeus',
  cryptolocker: 'Cryptolocker - Flashback',
  shiotob: 'shiotob/urlzone/bebloh',
  newgoz: 'Post Tovar GOZ',
};
const bambenekName = (family) => BAMBENEK_NAME[family] ?? family;

// Real 2018 Q4 Bambenek rows (DGA only), with their dates.
const requex = text('dga/requex-bambenek-2018q4.csv')
  .split('\n')
  .filter(Boolean)
  .map((line) => line.split(','))
  .filter(([, label]) => label === '1')
  .map(([date, , domain, family]) => ({ domain, family: bambenekName(family), date }));

// More domains of the same families from DGA reimplementations (baderj), capped per family.
const baderj = text('dga/baderj-examples.csv.gz')
  .split('\n')
  .slice(1)
  .filter(Boolean)
  .map((line) => {
    const [family, , domain] = line.split(',');
    return { domain, family: bambenekName(family) };
  });
const byFamily = new Map();
for (const row of baderj) {
  if (!byFamily.has(row.family)) byFamily.set(row.family, []);
  byFamily.get(row.family).push(row.domain);
}

const random = rng(23);
const HC_FAMILIES = new Set(requex.map((r) => r.family));
// Families that appear only in the later, full feed: the seed's "unseen" report.
const UNSEEN = ['banjori', 'simda', 'suppobox', 'nymaim'];

function description(family, date) {
  const day = new Date(`${date}T00:00:00Z`).toUTCString().slice(5, 16); // "10 Nov 2018"
  if (family === 'banjori' || family === 'suppobox') return `Domain used by ${family} - not date seeded`;
  if (family === 'pykspa') return `Domain used by ${family} (varying date seeds)`;
  if (family === 'ranbyus') return `Domain used by ${family} (uses previous 31 days as seed)`;
  return `Domain used by ${family} DGA for ${day}`;
}
const manual = (family) => `http://osint.bambenekconsulting.com/manual/${family.toLowerCase().replace(/[^a-z0-9]+/g, '')}.txt`;

function bambenekFile(generatedAt, rows) {
  const header = [
    '#############################################################',
    '## Domain feed of known DGA domains from -2 to +3 days',
    '## ',
    `## Feed generated at: ${generatedAt} `,
    '##',
    '## Feed Provided By: John Bambenek of Bambenek Consulting',
    '## (dgascope demo data: rebuilt from public samples, see data/demo/README.md)',
    '##',
    '## Use of this feed is governed by the license here: ',
    '## http://osint.bambenekconsulting.com/license.txt ',
    '## For more information on this feed go to: ',
    '## http://osint.bambenekconsulting.com/manual/dga-feed.txt',
    '## ',
    '#############################################################',
  ];
  const body = rows.map((r) => `${r.domain},${description(r.family, r.date)},${r.date},${manual(r.family)}`);
  return `${[...header, ...body].join('\n')}\n`;
}

const dates = (from, days) =>
  Array.from({ length: days }, (_, i) => new Date(Date.parse(`${from}T00:00:00Z`) + i * 86400000).toISOString().slice(0, 10));

// Snapshot A, high confidence, 2018-10-14: October's real rows + up to 1,200 more per known family.
const october = dates('2018-10-10', 6);
const highRows = [
  ...requex.filter((r) => r.date < '2018-11-01'),
  ...[...HC_FAMILIES].flatMap((family) =>
    sample(byFamily.get(family) ?? [], 1200, random).map((domain) => ({
      domain,
      family,
      date: october[Math.floor(random() * october.length)],
    })),
  ),
];
// Snapshot B, full feed, 2018-12-31: every real row + up to 1,500 per family, and the unseen families.
const november = dates('2018-11-27', 6);
const fullRows = [
  ...requex,
  ...[...HC_FAMILIES].flatMap((family) =>
    sample(byFamily.get(family) ?? [], 1500, random).map((domain) => ({
      domain,
      family,
      date: november[Math.floor(random() * november.length)],
    })),
  ),
  ...UNSEEN.flatMap((family) =>
    (byFamily.get(family) ?? []).map((domain) => ({ domain, family, date: november[Math.floor(random() * november.length)] })),
  ),
];
const order = (rows) => sample(rows, rows.length, random);

writeFileSync(
  path.join(out, 'dga-feed-high-2018-10-14.csv.gz'),
  gzipSync(bambenekFile('Sun Oct 14 00:15:01 UTC 2018', order(highRows)), { level: 9 }),
);
writeFileSync(
  path.join(out, 'dga-feed-2018-12-31.csv.gz'),
  gzipSync(bambenekFile('Mon Dec 31 00:15:01 UTC 2018', order(fullRows)), { level: 9 }),
);

// The benign list in Umbrella's own packaging: top-1m.csv inside a zip, rank,domain lines.
const umbrella = text('benign/umbrella-top100k-2026-07-06.txt.gz').split('\n').filter(Boolean).slice(0, 30000);
const zip = new ZipFile();
// A fixed mtime keeps the archive byte-identical between builds.
zip.addBuffer(Buffer.from(umbrella.map((d, i) => `${i + 1},${d}`).join('\n') + '\n'), 'top-1m.csv', {
  mtime: new Date('2026-07-06T00:00:00Z'),
});
zip.end();
const parts = [];
zip.outputStream.on('data', (c) => parts.push(c));
zip.outputStream.on('end', () => {
  writeFileSync(path.join(out, 'umbrella-top30k-2026-07-06.csv.zip'), Buffer.concat(parts));
  console.log(`data/demo: high ${highRows.length} rows, full ${fullRows.length} rows, umbrella ${umbrella.length} rows`);
});
