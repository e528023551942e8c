/**
 * Symmetric int8 quantisation in blocks of consecutive values, each block with its own
 * float32 scale (absmax / 127): how fine-tuned layer deltas are stored, at a quarter of their
 * float32 size. Deltas are small and smooth, so a value's error (at most half a step of its
 * block's scale) is far below the weights it is added to.
 */
export const INT8_BLOCK = 64;

export interface Int8Blocks {
  values: Int8Array;
  /** One per block of INT8_BLOCK values (the last block may be shorter). */
  scales: Float32Array;
}

export function quantiseInt8Blocks(values: Float32Array, block = INT8_BLOCK): Int8Blocks {
  const out = new Int8Array(values.length);
  const scales = new Float32Array(Math.ceil(values.length / block));
  for (let b = 0; b < scales.length; b++) {
    const start = b * block;
    const end = Math.min(values.length, start + block);
    let max = 0;
    for (let i = start; i < end; i++) max = Math.max(max, Math.abs(values[i]));
    const scale = max / 127;
    scales[b] = scale;
    if (scale === 0) continue;
    for (let i = start; i < end; i++) out[i] = Math.max(-127, Math.min(127, Math.round(values[i] / scale)));
  }
  return { values: out, scales };
}

export function dequantiseInt8Blocks(q: Int8Blocks, block = INT8_BLOCK): Float32Array {
  if (q.scales.length !== Math.ceil(q.values.length / block)) throw new Error(`int8 blocks: ${q.scales.length} scales for ${q.values.length} values in blocks of ${block}`);
  const out = new Float32Array(q.values.length);
  for (let i = 0; i < out.length; i++) out[i] = q.values[i] * q.scales[Math.floor(i / block)];
  return out;
}
