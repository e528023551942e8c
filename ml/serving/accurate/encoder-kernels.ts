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
  if (D % 2 !== 0) throw new Error(`attention: head width ${D} is not even`);
  const stride = 3 * width;
  const scale = 1 / Math.sqrt(D);
  const out = new Float32Array((qkv.length / stride) * width);
  let maxLength = 0;
  for (let t = 0; t < lengths.length; t++) maxLength = Math.max(maxLength, lengths[t]);
  // One head of one text copied out: Q (scaled) and K as [L][D], V transposed as [D][L], the
  // probabilities as [L][L]. Both products are computed two rows by two columns at a time:
  // four independent accumulators, and each value loaded serves two multiplications.
  const q = new Float64Array(maxLength * D);
  const k = new Float64Array(maxLength * D);
  const vT = new Float64Array(D * maxLength);
  const p = new Float64Array(maxLength * maxLength);
  for (let t = 0; t < lengths.length; t++) {
    const first = starts[t];
    const L = lengths[t];
    for (let h = 0; h < heads; h++) {
      for (let j = 0; j < L; j++) {
        const base = (first + j) * stride + h * D;
        for (let d = 0; d < D; d++) {
          q[j * D + d] = qkv[base + d] * scale;
          k[j * D + d] = qkv[base + width + d];
          vT[d * L + j] = qkv[base + 2 * width + d];
        }
      }
      // scores (an odd last row or column is computed twice, harmlessly)
      for (let i = 0; i < L; i += 2) {
        const i1 = i + 1 < L ? i + 1 : i;
        const q0 = i * D;
        const q1 = i1 * D;
        for (let j = 0; j < L; j += 2) {
          const j1 = j + 1 < L ? j + 1 : j;
          const k0 = j * D;
          const k1 = j1 * D;
          let a00 = 0;
          let a01 = 0;
          let a10 = 0;
          let a11 = 0;
          for (let d = 0; d < D; d++) {
            const x0 = q[q0 + d];
            const x1 = q[q1 + d];
            const y0 = k[k0 + d];
            const y1 = k[k1 + d];
            a00 += x0 * y0;
            a01 += x0 * y1;
            a10 += x1 * y0;
            a11 += x1 * y1;
          }
          p[i * L + j] = a00;
          p[i * L + j1] = a01;
          p[i1 * L + j] = a10;
          p[i1 * L + j1] = a11;
        }
      }
      // softmax per query row
      for (let i = 0; i < L; i++) {
        const row = i * L;
        let max = -Infinity;
        for (let j = 0; j < L; j++) if (p[row + j] > max) max = p[row + j];
        let sum = 0;
        for (let j = 0; j < L; j++) sum += p[row + j] = Math.exp(p[row + j] - max);
        const inv = 1 / sum;
        for (let j = 0; j < L; j++) p[row + j] *= inv;
      }
      // context = P · V
      for (let i = 0; i < L; i += 2) {
        const i1 = i + 1 < L ? i + 1 : i;
        const r0 = i * L;
        const r1 = i1 * L;
        const o0 = (first + i) * width + h * D;
        const o1 = (first + i1) * width + h * D;
        for (let d = 0; d < D; d += 2) {
          const v0 = d * L;
          const v1 = (d + 1) * L;
          let a00 = 0;
          let a01 = 0;
          let a10 = 0;
          let a11 = 0;
          for (let j = 0; j < L; j++) {
            const p0 = p[r0 + j];
            const p1 = p[r1 + j];
            const y0 = vT[v0 + j];
            const y1 = vT[v1 + j];
            a00 += p0 * y0;
            a01 += p0 * y1;
            a10 += p1 * y0;
            a11 += p1 * y1;
          }
          out[o0 + d] = a00;
          out[o0 + d + 1] = a01;
          out[o1 + d] = a10;
          out[o1 + d + 1] = a11;
        }
      }
    }
  }
  return out;
}
