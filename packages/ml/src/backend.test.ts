import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { activeBackend, BackendUnavailableError, initBackend } from './backend';
import { wasmPatchesApplied } from './wasm-patches';

describe('initBackend', () => {
  it('falls through tfjs-node-gpu → tfjs-node → wasm when the native packages are absent, and reports why', async () => {
    let nativeAvailable = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      nativeAvailable = false;
    }
    const info = await initBackend();
    if (nativeAvailable) {
      expect(info.backend).toBe('tensorflow');
    } else {
      expect(info).toMatchObject({ choice: 'wasm', backend: 'wasm', gpu: false });
      expect(info.notes.join('\n')).toMatch(/tfjs-node-gpu/);
      expect(info.notes.join('\n')).toMatch(/tfjs-node:/);
      expect(wasmPatchesApplied()).toBe(true);
    }
    expect(tf.getBackend()).toBe(info.backend);
    expect(activeBackend()).toEqual(info);
  });

  it('honours a forced backend and fails clearly when it cannot load', async () => {
    expect(await initBackend({ backend: 'cpu' })).toMatchObject({ choice: 'cpu', backend: 'cpu' });
    expect(tf.getBackend()).toBe('cpu');
    let nativeAvailable = true;
    try {
      require.resolve('@tensorflow/tfjs-node-gpu');
    } catch {
      nativeAvailable = false;
    }
    if (!nativeAvailable) await expect(initBackend({ backend: 'tfjs-node-gpu' })).rejects.toThrow(BackendUnavailableError);
    await expect(initBackend({ backend: 'nope' as never })).rejects.toThrow(/unknown backend/);
    expect(await initBackend({ order: ['cpu'] })).toMatchObject({ choice: 'cpu' });
  });
});
