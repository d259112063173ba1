import { createRng, shuffleInPlace } from './rng';

/**
 * Batches of sample indices for one epoch.
 * - 'bucket': shuffle, cut into chunks of `chunkBatches` batches, sort each chunk by (clipped)
 *   length, cut it into batches, shuffle the batch order ("sortish" sampling): every batch pads
 *   only to its own longest member, while each batch still mixes many lengths, hence families.
 *   chunkBatches = Infinity sorts the whole epoch (least padding, but batches of one length hold
 *   few families, and that measurably slows learning: see bench/ml/README.md).
 * - 'batch': plain shuffled batches, each padded to its own longest member.
 * - 'max': plain shuffled batches, each padded to maxLen (the seed notebook's way; for comparison).
 */
export function epochBatches(
  lengths: ArrayLike<number>,
  batchSize: number,
  maxLen: number,
  mode: 'bucket' | 'batch' | 'max',
  seed: number,
  chunkBatches = 8,
): number[][] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const rng = createRng(seed);
  const idx = shuffleInPlace(
    Array.from({ length: lengths.length }, (_, i) => i),
    rng,
  );
  const batches: number[][] = [];
  if (mode === 'bucket') {
    const len = (i: number): number => Math.min(lengths[i] as number, maxLen);
    const chunk = Number.isFinite(chunkBatches) ? Math.max(1, Math.floor(chunkBatches)) * batchSize : idx.length;
    for (let c = 0; c < idx.length; c += chunk) {
      const part = idx.slice(c, c + chunk).sort((a, b) => len(a) - len(b));
      for (let s = 0; s < part.length; s += batchSize) batches.push(part.slice(s, s + batchSize));
    }
    return shuffleInPlace(batches, rng);
  }
  for (let s = 0; s < idx.length; s += batchSize) batches.push(idx.slice(s, s + batchSize));
  return batches;
}
