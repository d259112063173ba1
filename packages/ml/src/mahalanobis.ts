/**
 * The 'mahalanobis' novelty score (decision.ts) in TensorFlow: per name, the smallest
 * (f − μ_k)ᵀ P (f − μ_k) over the DGA classes k.
 *
 * With P = R Rᵀ (Cholesky), c the mean of the class means, g = (f − c) R and m_k = (μ_k − c) R, that
 * is ‖g − m_k‖²: one [n, D] × [D, D] matmul whitens the names, and the nearest class is the largest
 * g·m_k − ‖m_k‖² / 2 (one [n, D] × [D, K] matmul; ‖g‖² is the same for every class). The score is
 * then the sum of squares ‖g − m_k‖² of that class, not its expansion ‖g‖² − 2 g·m_k + ‖m_k‖²,
 * which cancels in float32 for a name near a mean. Centring on c keeps g and m_k small.
 * Measured against the float64 form on the 20,480 names of the inference bench (docs/performance.md):
 * 1e-5 relative at most (the error of g), where the float32 expansion was 8e-3, centred 2e-3.
 * R and m_k are computed once per gaussian, in float64.
 */
import * as tf from '@tensorflow/tfjs';
import type { FeatureGaussian } from './decision';
import { cholesky } from './linalg';

/** The gaussian in whitened coordinates, float32 for TensorFlow. */
interface Whitened {
  dim: number;
  classes: number;
  /** c [D]. */
  centre: Float32Array;
  /** R [D, D], lower triangular, row-major. */
  whiten: Float32Array;
  /** m_k [K, D]. */
  means: Float32Array;
  /** m_k as columns [D, K]: WASM's fused matmul with transposeB adds the bias to the wrong rows (tfjs 4.22). */
  meansT: Float32Array;
  /** −‖m_k‖² / 2 [K]. */
  bias: Float32Array;
}

const whitenedOf = new WeakMap<FeatureGaussian, Whitened>();

function whiten(g: FeatureGaussian): Whitened {
  const D = g.dim,
    K = g.classes.length;
  if (g.means.length !== K * D) throw new RangeError(`feature gaussian: ${g.means.length} mean values for ${K} classes of dimension ${D}`);
  const R = cholesky(g.precision, D);
  const c = new Float64Array(D);
  for (let k = 0; k < K; k++) for (let a = 0; a < D; a++) c[a]! += (g.means[k * D + a] as number) / K;
  const m = new Float64Array(K * D);
  const mT = new Float32Array(D * K);
  const bias = new Float32Array(K);
  for (let k = 0; k < K; k++) {
    let norm = 0;
    for (let j = 0; j < D; j++) {
      let s = 0; // ((μ_k − c) R)_j; R is zero above the diagonal
      for (let a = j; a < D; a++) s += ((g.means[k * D + a] as number) - (c[a] as number)) * (R[a * D + j] as number);
      m[k * D + j] = s;
      mT[j * K + k] = s;
      norm += s * s;
    }
    bias[k] = -norm / 2;
  }
  return { dim: D, classes: K, centre: Float32Array.from(c), whiten: Float32Array.from(R), means: Float32Array.from(m), meansT: mT, bias };
}

/** Rows per TensorFlow pass: bounds the temporaries ([rows, D] twice, [rows, K]) of a large call. */
const CHUNK_ROWS = 8192;

/** Squared Mahalanobis distance of each row of `features` [n × dim] to the nearest class mean. */
export function mahalanobisMin(features: Float32Array, g: FeatureGaussian): Float32Array {
  let w = whitenedOf.get(g);
  if (!w) whitenedOf.set(g, (w = whiten(g)));
  const { dim: D, classes: K } = w;
  if (features.length % D !== 0) throw new RangeError(`mahalanobis: ${features.length} feature values are not rows of ${D}`);
  const n = features.length / D;
  const out = new Float32Array(n);
  if (n === 0) return out;
  tf.tidy(() => {
    const centre = tf.tensor1d(w.centre);
    const R = tf.tensor2d(w.whiten, [D, D]);
    const means = tf.tensor2d(w.means, [K, D]);
    const meansT = tf.tensor2d(w.meansT, [D, K]);
    const bias = tf.tensor1d(w.bias);
    for (let start = 0; start < n; start += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, n - start);
      tf.tidy(() => {
        const f = tf.tensor2d(features.slice(start * D, (start + rows) * D), [rows, D]);
        const gw = tf.matMul(tf.sub(f, centre), R);
        const nearest = tf.argMax(tf.fused.matMul({ a: gw, b: meansT, bias }), 1);
        out.set(tf.sum(tf.squaredDifference(gw, tf.gather(means, nearest)), 1).dataSync(), start);
      });
    }
  });
  return out;
}
