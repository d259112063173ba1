/**
 * Backend selection: native TensorFlow (tfjs-node-gpu, tfjs-node) when installed and loadable,
 * else WebAssembly with this package's kernel patches, else the pure-JS cpu backend.
 * The only file that loads tfjs-node / tfjs-backend-wasm. Reading env variables is the app's job:
 * the caller passes `backend` explicitly to force one.
 */
import * as tf from '@tensorflow/tfjs';
import { applyWasmPatches } from './wasm-patches';

export type BackendChoice = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
/** Throughput first (training, large batches): the default. */
export const BACKEND_ORDER: readonly BackendChoice[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];
/**
 * Latency first, for a few domains at a time: a small batch is a few hundred tiny ops, and
 * dispatching an op costs ~10 µs on WASM against ~35 µs through TensorFlow's eager C API (one
 * domain: 1.3 ms vs 4.8 ms here), while from about a hundred domains on native is faster.
 */
export const LATENCY_ORDER: readonly BackendChoice[] = ['wasm', 'tfjs-node', 'tfjs-node-gpu', 'cpu'];

export interface BackendInfo {
  choice: BackendChoice;
  /** tf.getBackend() name: 'tensorflow' | 'wasm' | 'cpu'. */
  backend: string;
  gpu: boolean;
  /** Why earlier candidates were skipped. */
  notes: string[];
}

export interface BackendOptions {
  /** Force one backend (no fallback: failing to load it throws). */
  backend?: BackendChoice;
  /** Candidates to try in order when not forced (default BACKEND_ORDER). */
  order?: readonly BackendChoice[];
}

export class BackendUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendUnavailableError';
  }
}

let active: BackendInfo | null = null;

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
}

function tryNative(pkg: '@tensorflow/tfjs-node-gpu' | '@tensorflow/tfjs-node', notes: string[]): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require(pkg); // registers backend 'tensorflow' on the shared tfjs-core engine
  } catch (e) {
    notes.push(`${pkg}: ${firstLine(e)}`);
    return false;
  }
  if (!tf.findBackend('tensorflow')) {
    notes.push(`${pkg}: loaded, but not registered in this copy of @tensorflow/tfjs (pin all @tensorflow/* to one version)`);
    return false;
  }
  return true;
}

async function tryChoice(choice: BackendChoice, notes: string[]): Promise<BackendInfo | null> {
  if (choice === 'tfjs-node-gpu' || choice === 'tfjs-node') {
    if (!tryNative(`@tensorflow/${choice}`, notes)) return null;
    if (!(await tf.setBackend('tensorflow'))) {
      notes.push(`${choice}: setBackend('tensorflow') failed`);
      return null;
    }
    await tf.ready();
    const b = tf.backend() as unknown as { isUsingGpuDevice?: boolean };
    return { choice, backend: 'tensorflow', gpu: !!b.isUsingGpuDevice, notes };
  }
  if (choice === 'wasm') {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('@tensorflow/tfjs-backend-wasm');
      if (await tf.setBackend('wasm')) {
        await tf.ready();
        applyWasmPatches();
        return { choice, backend: 'wasm', gpu: false, notes };
      }
      notes.push('wasm: setBackend failed');
    } catch (e) {
      notes.push(`wasm: ${firstLine(e)}`);
    }
    return null;
  }
  if (await tf.setBackend('cpu')) {
    await tf.ready();
    return { choice: 'cpu', backend: 'cpu', gpu: false, notes };
  }
  notes.push('cpu: setBackend failed');
  return null;
}

/** Select and initialise a backend. Forced → that one or BackendUnavailableError; else the first that loads. */
export async function initBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const notes: string[] = [];
  if (options.backend) {
    if (!BACKEND_ORDER.includes(options.backend))
      throw new BackendUnavailableError(`unknown backend "${options.backend}" (expected one of ${BACKEND_ORDER.join(', ')})`);
    const info = await tryChoice(options.backend, notes);
    if (!info) throw new BackendUnavailableError(`backend ${options.backend} was forced but cannot be used: ${notes.join('; ')}`);
    return (active = info);
  }
  for (const choice of options.order ?? BACKEND_ORDER) {
    const info = await tryChoice(choice, notes);
    if (info) return (active = info);
  }
  throw new BackendUnavailableError(`no usable TensorFlow.js backend (${notes.join('; ')})`);
}

/** The backend chosen by the last initBackend, or null. */
export function activeBackend(): BackendInfo | null {
  if (active && tf.getBackend() !== active.backend) return null; // someone switched behind our back
  return active;
}

/** initBackend() once, unless a backend is already active. */
export async function ensureBackend(options: BackendOptions = {}): Promise<BackendInfo> {
  const a = activeBackend();
  if (a && (!options.backend || options.backend === a.choice)) return a;
  return initBackend(options);
}
