import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SHARED_DATA } from './test-env';

/** A small, separable training set from ../shared/data: three DGA families and benign names. */
export function tinyData(): { dga: string; benign: string } {
  const rows = gunzipSync(readFileSync(path.join(SHARED_DATA, 'dga/baderj-examples.csv.gz')))
    .toString('utf8')
    .split('\n')
    .slice(1);
  const take = (family: string, n: number) =>
    rows
      .filter((r) => r.startsWith(`${family},`))
      .slice(0, n)
      .map((r) => `${family},${r.split(',')[2]}`);
  const dga = ['family,domain', ...take('banjori', 150), ...take('pykspa', 150), ...take('necurs', 150)].join('\n');
  const benign = gunzipSync(readFileSync(path.join(SHARED_DATA, 'benign/alexa-top100k-2015.csv.gz')))
    .toString('utf8')
    .split('\n')
    .slice(0, 450)
    .join('\n');
  return { dga, benign };
}
