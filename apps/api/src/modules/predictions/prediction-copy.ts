import type { ClassifyResult } from '@dgascope/ml';
import { copyField } from '../../db/copy-text';
import { toVerdict } from '../serving/classification.mapper';

/** The columns of predictions that a bulk job's COPY rows fill, in their order (the id and created_at are left to their defaults). */
export const PREDICTION_COPY_COLUMNS =
  'job_id, model_id, domain, verdict, family, probability, nearest_family, dga_score, novelty, unknown_family, top3';

/** Bytes of COPY text sent per chunk. */
const CHUNK_CHARS = 256 * 1024;

/**
 * A probability or score as COPY text and as JSON (null when not finite, as JSON.stringify
 * writes it): the float32 the model computed, to 9 significant digits, which is what a float32
 * needs to be read back exactly (the real columns are float32 too). The shortest form of a
 * float32 widened to a double has 17 digits: writing those was half of the COPY rows' time, and
 * PostgreSQL parsed and stored them in top3.
 */
function float32Text(n: number): string {
  return Number.isFinite(n) ? Math.fround(n).toPrecision(9) : 'null';
}

/** The same for a real column, where PostgreSQL reads NaN and ±Infinity as such. */
function realText(n: number): string {
  return Number.isFinite(n) ? Math.fround(n).toPrecision(9) : String(n);
}

/**
 * The rows of a job's `results` as COPY text (PREDICTION_COPY_COLUMNS), in chunks. Written straight from
 * the results: a batch's 16,384 rows used to become nine arrays of boxed values, each element
 * escaped again as an array literal by pg, plus a JSON.stringify of each top-3 (a fifth of a
 * bulk job's main thread). A model has a few labels: each is escaped once per batch.
 */
export function* predictionCopyRows(jobId: string, modelId: number, results: readonly ClassifyResult[]): Generator<string> {
  const job = `${copyField(jobId)}\t${modelId}\t`;
  const field = new Map<string, string>();
  const json = new Map<string, string>();
  const label = (s: string): string => {
    let f = field.get(s);
    if (f === undefined) field.set(s, (f = copyField(s)));
    return f;
  };
  const labelJson = (s: string): string => {
    let j = json.get(s);
    if (j === undefined) json.set(s, (j = copyField(JSON.stringify(s))));
    return j;
  };
  let chunk = '';
  for (const c of results) {
    if (!c.ok) continue;
    let top3 = '[';
    for (let k = 0; k < c.top3.length; k++) {
      const t = c.top3[k]!;
      top3 += `${k > 0 ? ',' : ''}{"family":${labelJson(t.family)},"probability":${float32Text(t.probability)}}`;
    }
    chunk +=
      `${job}${copyField(c.normalized)}\t${toVerdict(c.verdict)}\t${label(c.family)}\t${realText(c.probability)}\t` +
      `${c.nearestFamily === null ? '\\N' : label(c.nearestFamily)}\t${realText(c.dgaScore)}\t${c.novelty === null ? '\\N' : realText(c.novelty)}\t` +
      `${c.unknownFamily ? 't' : 'f'}\t${top3}]\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}
