/**
 * The architectures behind one interface: what train, predict, calibrate and persistence need of a
 * network. `config.arch` tells them apart ('lstm' when absent: artifacts of before the CNN).
 */
import { CnnNet, DEFAULT_CNN, cnnWeightSpec, initCnnWeights, validateCnnConfig, type CnnConfig } from './cnn';
import { CnnLstmNet, DEFAULT_CNN_LSTM, cnnLstmWeightSpec, initCnnLstmWeights, validateCnnLstmConfig, type CnnLstmConfig } from './cnn-lstm';
import { DEFAULT_ARCHITECTURE, LstmNet, initWeights, validateConfig, weightShapes, type ModelConfig, type NetWeights } from './model';

export type NetConfig = ModelConfig | CnnConfig | CnnLstmConfig;
export type Network = LstmNet | CnnNet | CnnLstmNet;
export type Architecture = 'lstm' | 'cnn' | 'cnn-lstm';
/** Architecture options as a caller gives them (the rest comes from the architecture's defaults). */
export type ArchitectureSpec =
  | ({ arch?: 'lstm' } & Partial<Omit<ModelConfig, 'vocabSize' | 'numClasses'>>)
  | ({ arch: 'cnn' } & Partial<Omit<CnnConfig, 'vocabSize' | 'numClasses'>>)
  | ({ arch: 'cnn-lstm' } & Partial<Omit<CnnLstmConfig, 'vocabSize' | 'numClasses'>>);

export const isCnn = (c: NetConfig): c is CnnConfig => c.arch === 'cnn';
export const isCnnLstm = (c: NetConfig): c is CnnLstmConfig => c.arch === 'cnn-lstm';

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function resolveNetConfig(vocabSize: number, numClasses: number, spec: ArchitectureSpec = {}): NetConfig {
  if (spec.arch === 'cnn') {
    const c: CnnConfig = { ...DEFAULT_CNN, ...stripUndefined(spec), arch: 'cnn', vocabSize, numClasses };
    validateCnnConfig(c);
    return c;
  }
  if (spec.arch === 'cnn-lstm') {
    const c: CnnLstmConfig = { ...DEFAULT_CNN_LSTM, ...stripUndefined(spec), arch: 'cnn-lstm', vocabSize, numClasses };
    validateCnnLstmConfig(c);
    return c;
  }
  const c: ModelConfig = { ...DEFAULT_ARCHITECTURE, ...stripUndefined(spec), arch: 'lstm', vocabSize, numClasses };
  validateConfig(c);
  return c;
}

export function validateNetConfig(c: NetConfig): void {
  if (isCnn(c)) validateCnnConfig(c);
  else if (isCnnLstm(c)) validateCnnLstmConfig(c);
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
  if (isCnnLstm(c)) return cnnLstmWeightSpec(c);
  const shapes = weightShapes(c);
  return (Object.keys(shapes) as (keyof NetWeights)[]).map((key) => ({ key, name: LSTM_NAMES[key], shape: shapes[key] }));
}

export function initNetWeights(c: NetConfig, seed: number): Record<string, Float32Array> {
  if (isCnnLstm(c)) return initCnnLstmWeights(c, seed);
  return isCnn(c) ? initCnnWeights(c, seed) : initWeights(c, seed);
}

export function createNetwork(c: NetConfig, seed = 23): Network {
  if (isCnnLstm(c)) return CnnLstmNet.create(c, seed);
  return isCnn(c) ? CnnNet.create(c, seed) : LstmNet.create(c, seed);
}

export function networkFromWeights(c: NetConfig, w: Record<string, Float32Array>): Network {
  if (isCnnLstm(c)) return CnnLstmNet.fromWeights(c, w);
  return isCnn(c) ? CnnNet.fromWeights(c, w) : LstmNet.fromWeights(c, w as NetWeights);
}

/** Feature (penultimate) dimension of a configuration. */
export function featureDim(c: NetConfig): number {
  if (isCnnLstm(c)) return c.lstmUnits;
  return isCnn(c) ? c.filters : c.bidirectional ? 2 * c.lstmUnits : c.lstmUnits;
}
