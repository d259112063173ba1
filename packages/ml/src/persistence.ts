/**
 * Model artifacts, without tfjs-node:
 *  - a directory: `model.json` (format, version, config, tokenizer, labels, meta, weight manifest,
 *    sha256 of the weights) + `weights.bin` (float32 little-endian, Keras layout, manifest order);
 *  - a single Buffer: magic "DGASCML\0", uint32 LE format version, uint32 LE JSON byte length,
 *    the same JSON, then the weights.
 * Loading checks magic, version, JSON, manifest, sizes, checksum and shapes, and says what is wrong.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { networkFromWeights, validateNetConfig, weightSpec, type NetConfig } from './network';
import { DgaModel, type ModelMeta } from './predictor';
import { CharTokenizer, type TokenizerJSON } from './tokenizer';

export const MODEL_FORMAT = 'dgascope-lstm';
export const MODEL_FORMAT_VERSION = 1;
const MAGIC = Buffer.from('DGASCML\0', 'latin1');

export class ModelFormatError extends Error {
  constructor(message: string) {
    super(`cannot load model: ${message}`);
    this.name = 'ModelFormatError';
  }
}

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  offset: number;
  length: number;
}

export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  config: NetConfig;
  tokenizer: TokenizerJSON;
  labels: string[];
  meta: ModelMeta;
  weights: WeightEntry[];
  weightsBytes: number;
  weightsSha256: string;
}

function serialize(model: DgaModel): { manifest: ModelManifest; weights: Buffer } {
  const w: Record<string, Float32Array> = model.net.getWeights();
  const spec = weightSpec(model.config);
  let offset = 0;
  const entries: WeightEntry[] = spec.map((s) => {
    const length = (w[s.key] as Float32Array).length;
    const e: WeightEntry = { name: s.name, shape: s.shape, dtype: 'float32', offset, length };
    offset += length * 4;
    return e;
  });
  const weights = Buffer.alloc(offset);
  spec.forEach((s, i) => {
    const e = entries[i] as WeightEntry;
    const arr = w[s.key] as Float32Array;
    for (let j = 0; j < arr.length; j++) weights.writeFloatLE(arr[j] as number, e.offset + j * 4);
  });
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    config: model.config,
    tokenizer: model.tokenizer.toJSON(),
    labels: [...model.labels],
    meta: model.meta,
    weights: entries,
    weightsBytes: weights.length,
    weightsSha256: createHash('sha256').update(weights).digest('hex'),
  };
  return { manifest, weights };
}

function deserialize(manifest: unknown, weights: Buffer): DgaModel {
  if (!manifest || typeof manifest !== 'object') throw new ModelFormatError('model.json is not an object');
  const m = manifest as Partial<ModelManifest>;
  if (m.format !== MODEL_FORMAT)
    throw new ModelFormatError(`not a dgascope model (format ${JSON.stringify(m.format)}, expected "${MODEL_FORMAT}")`);
  if (m.formatVersion !== MODEL_FORMAT_VERSION)
    throw new ModelFormatError(
      `format version ${String(m.formatVersion)} is not supported by this build (it reads version ${MODEL_FORMAT_VERSION})`,
    );
  if (!m.config || !m.tokenizer || !Array.isArray(m.labels) || !m.meta || !Array.isArray(m.weights))
    throw new ModelFormatError('model.json lacks config, tokenizer, labels, meta or weights');
  try {
    validateNetConfig(m.config);
  } catch (e) {
    throw new ModelFormatError(`invalid config: ${(e as Error).message}`);
  }
  if (weights.length !== m.weightsBytes)
    throw new ModelFormatError(`weights are ${weights.length} bytes, the manifest says ${String(m.weightsBytes)} (truncated or corrupted)`);
  const sha = createHash('sha256').update(weights).digest('hex');
  if (sha !== m.weightsSha256) throw new ModelFormatError('weights checksum mismatch (corrupted artifact)');
  const w: Record<string, Float32Array> = {};
  for (const s of weightSpec(m.config)) {
    const e = m.weights?.find((x) => x.name === s.name);
    if (!e) throw new ModelFormatError(`weight ${s.name} missing`);
    if (e.dtype !== 'float32' || e.shape.join(',') !== s.shape.join(','))
      throw new ModelFormatError(
        `weight ${e.name} has shape [${e.shape.join(', ')}] ${e.dtype}, the config needs [${s.shape.join(', ')}] float32`,
      );
    if (e.offset < 0 || e.offset + e.length * 4 > weights.length)
      throw new ModelFormatError(`weight ${e.name} lies outside the weights data`);
    const arr = new Float32Array(e.length);
    for (let j = 0; j < e.length; j++) arr[j] = weights.readFloatLE(e.offset + j * 4);
    w[s.key] = arr;
  }
  let tokenizer: CharTokenizer;
  try {
    tokenizer = CharTokenizer.fromJSON(m.tokenizer);
  } catch (e) {
    throw new ModelFormatError((e as Error).message);
  }
  if (tokenizer.vocabSize !== m.config.vocabSize)
    throw new ModelFormatError(`tokenizer has ${tokenizer.vocabSize} entries, config.vocabSize is ${m.config.vocabSize}`);
  if (m.labels.length !== m.config.numClasses) throw new ModelFormatError(`${m.labels.length} labels for ${m.config.numClasses} outputs`);
  return new DgaModel(networkFromWeights(m.config, w), tokenizer, m.labels, m.meta);
}

/** Whole model as one Buffer (e.g. a bytea column). */
export function modelToBuffer(model: DgaModel): Buffer {
  const { manifest, weights } = serialize(model);
  const json = Buffer.from(JSON.stringify(manifest), 'utf8');
  const head = Buffer.alloc(16);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(MODEL_FORMAT_VERSION, 8);
  head.writeUInt32LE(json.length, 12);
  return Buffer.concat([head, json, weights]);
}

export function modelFromBuffer(buf: Uint8Array): DgaModel {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 16 || !b.subarray(0, 8).equals(MAGIC)) throw new ModelFormatError('not a dgascope model buffer (bad magic)');
  const version = b.readUInt32LE(8);
  if (version !== MODEL_FORMAT_VERSION)
    throw new ModelFormatError(`format version ${version} is not supported by this build (it reads version ${MODEL_FORMAT_VERSION})`);
  const jsonLen = b.readUInt32LE(12);
  if (16 + jsonLen > b.length) throw new ModelFormatError('buffer truncated inside the manifest');
  let manifest: unknown;
  try {
    manifest = JSON.parse(b.subarray(16, 16 + jsonLen).toString('utf8'));
  } catch {
    throw new ModelFormatError('manifest is not valid JSON');
  }
  return deserialize(manifest, b.subarray(16 + jsonLen));
}

/** Write `model.json` + `weights.bin` into `dir` (created if needed). */
export async function saveModel(model: DgaModel, dir: string): Promise<void> {
  const { manifest, weights } = serialize(model);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, 'weights.bin'), weights);
  await fs.writeFile(path.join(dir, 'model.json'), JSON.stringify(manifest, null, 1));
}

export async function loadModel(dir: string): Promise<DgaModel> {
  let text: string, weights: Buffer;
  try {
    text = await fs.readFile(path.join(dir, 'model.json'), 'utf8');
    weights = await fs.readFile(path.join(dir, 'weights.bin'));
  } catch (e) {
    throw new ModelFormatError(`${dir}: ${(e as Error).message}`);
  }
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new ModelFormatError(`${path.join(dir, 'model.json')} is not valid JSON`);
  }
  return deserialize(manifest, weights);
}
