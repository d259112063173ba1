/**
 * Kernel patches that make the tfjs WASM backend (4.22.0) train this model, and train it fast
 * (measured in shared/prototypes/tfjs-wasm):
 *  1. UnsortedSegmentSum: missing in wasm; needed by the gradient of gather (the embedding).
 *  2. BatchMatMul with transposeA/transposeB: 5–15× slower than transpose + plain matmul.
 *  3. Slice / Unpack / SplitV: wasm copies the whole input for every slice; zero-copy heap views.
 *  4. GatherV2: element-wise copy; row copies instead (batchDims 0).
 *  5. Tanh: the wasm kernel is scalar (~4 ms for 128k values, 14× its vectorised Sigmoid):
 *     tanh(x) = 2·sigmoid(2x) − 1 through the wasm Sigmoid kernel (measured here, not in the prototype).
 * They use wasm-backend internals (makeOutput, typedArrayFromHeap), so every @tensorflow/* package
 * is pinned to exactly 4.22.0 and a CPU-vs-WASM gradient test guards them.
 * The prototype's Conv2DBackprop* patches are not needed (no convolution in this package).
 */
import * as tf from '@tensorflow/tfjs';

type Backend = any;
let applied = false;

export function wasmPatchesApplied(): boolean {
  return applied;
}

function replaceKernel(kernelName: string, make: (orig: tf.KernelConfig | undefined) => tf.KernelConfig['kernelFunc']): void {
  const orig = tf.getKernel(kernelName, 'wasm');
  if (orig) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', setupFunc: orig?.setupFunc, kernelFunc: make(orig) });
}

/** Idempotent: registers the patched kernels for the 'wasm' backend. */
export function applyWasmPatches(): void {
  if (applied) return;
  replaceKernel(
    'UnsortedSegmentSum',
    () =>
      (({ inputs, backend, attrs }: any) => {
        const { x, segmentIds } = inputs;
        const numSegments = attrs.numSegments as number;
        const b = backend as Backend;
        const ids = b.readSync(segmentIds.dataId) as Int32Array;
        const innerShape = x.shape.slice(segmentIds.shape.length) as number[];
        const inner = innerShape.reduce((a, c) => a * c, 1);
        const outT = b.makeOutput([numSegments, ...innerShape], x.dtype);
        const xv = b.typedArrayFromHeap(x) as Float32Array,
          out = b.typedArrayFromHeap(outT) as Float32Array;
        out.fill(0);
        for (let i = 0; i < ids.length; i++) {
          const s = ids[i] as number;
          if (s < 0 || s >= numSegments) continue;
          const o = s * inner,
            xi = i * inner;
          for (let j = 0; j < inner; j++) out[o + j]! += xv[xi + j] as number;
        }
        return outT;
      }) as any,
  );

  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) throw new Error('wasm backend has no Transpose kernel: is @tensorflow/tfjs-backend-wasm 4.22.0 registered?');
  replaceKernel(
    'BatchMatMul',
    (orig) =>
      (({ inputs, backend, attrs }: any) => {
        let { a, b } = inputs;
        const tmp: any[] = [];
        const T = (t: any): any => {
          const r = t.shape.length;
          const perm = [...Array(r - 2).keys(), r - 1, r - 2];
          const o = (transpose.kernelFunc as any)({ inputs: { x: t }, backend, attrs: { perm } });
          tmp.push(o);
          return o;
        };
        if (attrs.transposeA) a = T(a);
        if (attrs.transposeB) b = T(b);
        const out = (orig!.kernelFunc as any)({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
        for (const t of tmp) backend.disposeData(t.dataId);
        return out;
      }) as any,
  );

  const sliceUtil = (tf as any).slice_util;
  const fastSlice = (x: any, begin: number[], size: number[], backend: Backend): any => {
    const [b, s] = sliceUtil.parseSliceParams(x, begin, size) as [number[], number[]];
    const out = backend.makeOutput(s, x.dtype); // may grow the heap: take the views afterwards
    const n = s.reduce((acc, c) => acc * c, 1);
    if (n === 0) return out;
    const xv = backend.typedArrayFromHeap(x),
      ov = backend.typedArrayFromHeap(out);
    const xs = tf.util.computeStrides(x.shape);
    if (sliceUtil.isSliceContinous(x.shape, b, s)) {
      const off = sliceUtil.computeFlatOffset(b, xs) as number;
      ov.set(xv.subarray(off, off + n));
      return out;
    }
    const r = s.length,
      inner = s[r - 1] as number,
      outer = n / inner;
    const idx = new Array<number>(r - 1).fill(0);
    for (let o = 0; o < outer; o++) {
      let off = b[r - 1] as number;
      for (let d = 0; d < r - 1; d++) off += ((b[d] as number) + (idx[d] as number)) * (xs[d] as number);
      ov.set(xv.subarray(off, off + inner), o * inner);
      for (let d = r - 2; d >= 0; d--) {
        if (++idx[d]! < (s[d] as number)) break;
        idx[d] = 0;
      }
    }
    return out;
  };
  const nonString = (orig: tf.KernelConfig | undefined, f: (args: any) => any) =>
    ((args: any) => {
      const first = args.inputs[Object.keys(args.inputs)[0] as string];
      return first.dtype === 'string' ? (orig!.kernelFunc as any)(args) : f(args);
    }) as any;
  replaceKernel('Slice', (orig) =>
    nonString(orig, ({ inputs: { x }, attrs: { begin, size }, backend }) => fastSlice(x, begin, size, backend)),
  );
  replaceKernel('Unpack', (orig) =>
    nonString(orig, ({ inputs: { value }, attrs, backend }) => {
      const axis = attrs.axis < 0 ? attrs.axis + value.shape.length : attrs.axis;
      const outShape = value.shape.filter((_: number, i: number) => i !== axis);
      const begin = new Array<number>(value.shape.length).fill(0),
        size = value.shape.slice();
      size[axis] = 1;
      const outs = [];
      for (let i = 0; i < value.shape[axis]; i++) {
        begin[axis] = i;
        const o = fastSlice(value, begin, size, backend);
        outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape });
      }
      return outs;
    }),
  );
  replaceKernel('SplitV', (orig) =>
    nonString(orig, ({ inputs: { x }, attrs: { numOrSizeSplits, axis }, backend }) => {
      const ax = tf.util.parseAxisParam(axis, x.shape)[0] as number;
      const sizes = (tf as any).backend_util.prepareSplitSize(x, numOrSizeSplits, ax) as number[];
      const begin = new Array<number>(x.shape.length).fill(0);
      return sizes.map((s) => {
        const sz = x.shape.slice();
        sz[ax] = s;
        const o = fastSlice(x, begin, sz, backend);
        begin[ax]! += s;
        return o;
      });
    }),
  );

  replaceKernel(
    'GatherV2',
    (orig) =>
      ((args: any) => {
        const {
          inputs: { x, indices },
          backend,
          attrs: { axis, batchDims = 0 },
        } = args;
        if (batchDims !== 0 || x.dtype === 'string') return (orig!.kernelFunc as any)(args);
        const ax = tf.util.parseAxisParam(axis, x.shape)[0] as number;
        const idx = backend.readSync(indices.dataId) as Int32Array;
        const dim = x.shape[ax] as number;
        const outer = x.shape.slice(0, ax).reduce((a: number, c: number) => a * c, 1);
        const inner = x.shape.slice(ax + 1).reduce((a: number, c: number) => a * c, 1);
        const outShape = [...x.shape.slice(0, ax), ...indices.shape, ...x.shape.slice(ax + 1)];
        const out = backend.makeOutput(outShape, x.dtype);
        const xv = backend.typedArrayFromHeap(x),
          ov = backend.typedArrayFromHeap(out);
        const n = idx.length;
        for (let o = 0; o < outer; o++)
          for (let i = 0; i < n; i++) {
            const k = idx[i] as number;
            if (k < 0 || k >= dim) throw new Error(`GatherV2: the index value ${k} is not in [0, ${dim - 1}]`);
            const src = (o * dim + k) * inner;
            ov.set(xv.subarray(src, src + inner), (o * n + i) * inner);
          }
        return out;
      }) as any,
  );
  const sigmoid = tf.getKernel('Sigmoid', 'wasm');
  if (!sigmoid) throw new Error('wasm backend has no Sigmoid kernel');
  replaceKernel(
    'Tanh',
    (orig) =>
      ((args: any) => {
        const {
          inputs: { x },
          backend,
        } = args;
        if (x.dtype !== 'float32') return (orig!.kernelFunc as any)(args);
        const tmp = backend.makeOutput(x.shape, 'float32');
        const xv = backend.typedArrayFromHeap(x) as Float32Array,
          tv = backend.typedArrayFromHeap(tmp) as Float32Array;
        for (let i = 0; i < tv.length; i++) tv[i] = 2 * (xv[i] as number);
        const out = (sigmoid.kernelFunc as any)({ inputs: { x: tmp }, backend, attrs: {} });
        backend.disposeData(tmp.dataId);
        const ov = backend.typedArrayFromHeap(out) as Float32Array;
        for (let i = 0; i < ov.length; i++) ov[i] = 2 * (ov[i] as number) - 1;
        return out;
      }) as any,
  );
  applied = true;
}
