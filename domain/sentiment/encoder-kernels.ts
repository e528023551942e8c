/**
 * The encoder's per-token arithmetic outside its matrix products, on plain Float32Arrays of
 * packed token rows (all texts' tokens back to back, no padding).
 *
 * Why not tfjs ops: at headline lengths (15-40 tokens) the wasm backend spends about as long
 * on the small ops around the matrix products (layer norm as six kernels, erf, the Q/K/V
 * split, head transposes, batched attention products over padding) as on the products
 * themselves. These loops do the same arithmetic in one pass each, in double-precision
 * accumulators, and attention runs per text over its real tokens only.
 */

/** LayerNorm over each `width`-wide row of `x + residual` (residual optional), written into `out`. */
export function addLayerNorm(x: Float32Array, residual: Float32Array | null, gamma: Float32Array, beta: Float32Array, eps: number, out: Float32Array): Float32Array {
  const width = gamma.length;
  const rows = x.length / width;
  for (let r = 0; r < rows; r++) {
    const base = r * width;
    let sum = 0;
    if (residual) for (let h = 0; h < width; h++) sum += out[base + h] = x[base + h] + residual[base + h];
    else for (let h = 0; h < width; h++) sum += out[base + h] = x[base + h];
    const mean = sum / width;
    let sq = 0;
    for (let h = 0; h < width; h++) {
      const d = out[base + h] - mean;
      sq += d * d;
    }
    const inv = 1 / Math.sqrt(sq / width + eps);
    for (let h = 0; h < width; h++) out[base + h] = (out[base + h] - mean) * inv * gamma[h] + beta[h];
  }
  return out;
}

/**
 * erf as the rational approximation Eigen and XLA use for float32 (x·P(x²)/Q(x²) on [-4, 4],
 * ±1 beyond; error within a few float32 ulps), so no exp per element.
 */
export function erf(a: number): number {
  const x = a > 4 ? 4 : a < -4 ? -4 : a;
  const x2 = x * x;
  let p = -2.72614225801306e-10;
  p = p * x2 + 2.77068142495902e-8;
  p = p * x2 - 2.10102402082508e-6;
  p = p * x2 - 5.69250639462346e-5;
  p = p * x2 - 7.34990630326855e-4;
  p = p * x2 - 2.95459980854025e-3;
  p = p * x2 - 1.60960333262415e-2;
  let q = -1.45660718464996e-5;
  q = q * x2 - 2.13374055278905e-4;
  q = q * x2 - 1.68282697438203e-3;
  q = q * x2 - 7.37332916720468e-3;
  q = q * x2 - 1.42647390514189e-2;
  return (x * p) / q;
}

/** Exact (erf) GELU, as BERT's `gelu`, in place. */
export function geluInPlace(x: Float32Array): Float32Array {
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    x[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
  }
  return x;
}

/**
 * Multi-head self-attention of packed texts: `qkv` holds per token [q | k | v] (3 × width,
 * heads side by side within each), text t owns tokens [starts[t], starts[t] + lengths[t]).
 * Returns the per-token context [tokens × width], heads side by side (before the output
 * projection). Each token attends to the real tokens of its own text only, which is what
 * the padded forward's -1e9 mask computes.
 */
export function packedAttention(qkv: Float32Array, starts: ArrayLike<number>, lengths: ArrayLike<number>, width: number, heads: number): Float32Array {
  const D = width / heads;
  if (D % 4 !== 0) throw new Error(`attention: head width ${D} is not a multiple of 4`);
  const stride = 3 * width;
  const scale = 1 / Math.sqrt(D);
  const out = new Float32Array((qkv.length / stride) * width);
  let maxLength = 0;
  for (let t = 0; t < lengths.length; t++) maxLength = Math.max(maxLength, lengths[t]);
  const p = new Float64Array(maxLength);
  // One head of one text copied out: Q (scaled) and K as [L][D], V transposed as [D][L], so
  // both products are dot products over contiguous memory; four accumulators each, so the
  // adds do not wait on one another.
  const q = new Float64Array(maxLength * D);
  const k = new Float64Array(maxLength * D);
  const vT = new Float64Array(D * maxLength);
  for (let t = 0; t < lengths.length; t++) {
    const first = starts[t];
    const L = lengths[t];
    const tail = L - (L % 4);
    for (let h = 0; h < heads; h++) {
      for (let j = 0; j < L; j++) {
        const base = (first + j) * stride + h * D;
        for (let d = 0; d < D; d++) {
          q[j * D + d] = qkv[base + d] * scale;
          k[j * D + d] = qkv[base + width + d];
          vT[d * L + j] = qkv[base + 2 * width + d];
        }
      }
      for (let i = 0; i < L; i++) {
        const qi = i * D;
        let max = -Infinity;
        for (let j = 0; j < L; j++) {
          const kj = j * D;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          for (let d = 0; d < D; d += 4) {
            a0 += q[qi + d] * k[kj + d];
            a1 += q[qi + d + 1] * k[kj + d + 1];
            a2 += q[qi + d + 2] * k[kj + d + 2];
            a3 += q[qi + d + 3] * k[kj + d + 3];
          }
          const s = a0 + a1 + a2 + a3;
          p[j] = s;
          if (s > max) max = s;
        }
        let sum = 0;
        for (let j = 0; j < L; j++) sum += p[j] = Math.exp(p[j] - max);
        const inv = 1 / sum;
        const oBase = (first + i) * width + h * D;
        for (let d = 0; d < D; d++) {
          const row = d * L;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          let j = 0;
          for (; j < tail; j += 4) {
            a0 += p[j] * vT[row + j];
            a1 += p[j + 1] * vT[row + j + 1];
            a2 += p[j + 2] * vT[row + j + 2];
            a3 += p[j + 3] * vT[row + j + 3];
          }
          for (; j < L; j++) a0 += p[j] * vT[row + j];
          out[oBase + d] = (a0 + a1 + a2 + a3) * inv;
        }
      }
    }
  }
  return out;
}
