/**
 * The architectures behind one interface: what train, predict, calibrate and persistence need of a
 * network. `config.arch` tells them apart ('lstm' when absent: artifacts of before the CNN).
 */
import { CnnNet, DEFAULT_CNN, cnnWeightSpec, initCnnWeights, validateCnnConfig, type CnnConfig } from './cnn';
import { DEFAULT_ARCHITECTURE, LstmNet, initWeights, validateConfig, weightShapes, type ModelConfig, type NetWeights } from './model';

export type NetConfig = ModelConfig | CnnConfig;
export type Network = LstmNet | CnnNet;
export type Architecture = 'lstm' | 'cnn';
/** Architecture options as a caller gives them (the rest comes from the architecture's defaults). */
export type ArchitectureSpec =
  | ({ arch?: 'lstm' } & Partial<Omit<ModelConfig, 'vocabSize' | 'numClasses'>>)
  | ({ arch: 'cnn' } & Partial<Omit<CnnConfig, 'vocabSize' | 'numClasses'>>);

export const isCnn = (c: NetConfig): c is CnnConfig => c.arch === 'cnn';

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function resolveNetConfig(vocabSize: number, numClasses: number, spec: ArchitectureSpec = {}): NetConfig {
  if (spec.arch === 'cnn') {
    const c: CnnConfig = { ...DEFAULT_CNN, ...stripUndefined(spec), arch: 'cnn', vocabSize, numClasses };
    validateCnnConfig(c);
    return c;
  }
  const c: ModelConfig = { ...DEFAULT_ARCHITECTURE, ...stripUndefined(spec), arch: 'lstm', vocabSize, numClasses };
  validateConfig(c);
  return c;
}

export function validateNetConfig(c: NetConfig): void {
  if (isCnn(c)) validateCnnConfig(c);
  else if (c.arch !== undefined && c.arch !== 'lstm') throw new RangeError(`model config: unknown arch ${JSON.stringify(c.arch)}`);
  else validateConfig(c);
}

const LSTM_NAMES: Record<keyof NetWeights, string> = {
  embeddings: 'embedding/embeddings',
  kernel: 'lstm/kernel',
  recurrentKernel: 'lstm/recurrent_kernel',
  bias: 'lstm/bias',
  kernelBackward: 'lstm_backward/kernel',
  recurrentKernelBackward: 'lstm_backward/recurrent_kernel',
  biasBackward: 'lstm_backward/bias',
  denseKernel: 'dense/kernel',
  denseBias: 'dense/bias',
};

/** The weights in storage order: key (in getWeights()), stored name, shape. */
export function weightSpec(c: NetConfig): { key: string; name: string; shape: number[] }[] {
  if (isCnn(c)) return cnnWeightSpec(c);
  const shapes = weightShapes(c);
  return (Object.keys(shapes) as (keyof NetWeights)[]).map((key) => ({ key, name: LSTM_NAMES[key], shape: shapes[key] }));
}

export function initNetWeights(c: NetConfig, seed: number): Record<string, Float32Array> {
  return isCnn(c) ? initCnnWeights(c, seed) : initWeights(c, seed);
}

export function createNetwork(c: NetConfig, seed = 23): Network {
  return isCnn(c) ? CnnNet.create(c, seed) : LstmNet.create(c, seed);
}

export function networkFromWeights(c: NetConfig, w: Record<string, Float32Array>): Network {
  return isCnn(c) ? CnnNet.fromWeights(c, w) : LstmNet.fromWeights(c, w as NetWeights);
}

/** Feature (penultimate) dimension of a configuration. */
export function featureDim(c: NetConfig): number {
  return isCnn(c) ? c.filters : c.bidirectional ? 2 * c.lstmUnits : c.lstmUnits;
}
