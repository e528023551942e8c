/**
 * Reads a `.safetensors` file: an 8-byte little-endian header length, a JSON header naming
 * each tensor's dtype, shape and [begin, end) byte offsets, then the raw little-endian data.
 */
import fs from 'node:fs';

export interface SafeTensor {
  dtype: string;
  shape: number[];
  data: Float32Array;
}

function toFloat32(dtype: string, bytes: Buffer): Float32Array {
  const copy = new Uint8Array(bytes); // aligned copy
  if (dtype === 'F32') return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
  if (dtype === 'F16') {
    const halves = new Uint16Array(copy.buffer, 0, copy.byteLength / 2);
    const out = new Float32Array(halves.length);
    for (let i = 0; i < halves.length; i++) out[i] = halfToFloat(halves[i]);
    return out;
  }
  throw new Error(`safetensors: dtype ${dtype} is not supported (F32, F16)`);
}

export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Tensors by name; `wanted` limits which are decoded (others, e.g. int64 position ids, are skipped). */
export function readSafetensors(file: string, wanted?: (name: string) => boolean): Map<string, SafeTensor> {
  const buffer = fs.readFileSync(file);
  if (buffer.length < 8) throw new Error(`${file}: too short for a safetensors file`);
  const headerLength = Number(buffer.readBigUInt64LE(0));
  if (headerLength <= 0 || 8 + headerLength > buffer.length) throw new Error(`${file}: bad safetensors header length ${headerLength}`);
  const header = JSON.parse(buffer.subarray(8, 8 + headerLength).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + headerLength;
  const tensors = new Map<string, SafeTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (wanted && !wanted(name)) continue;
    const [begin, end] = entry.data_offsets;
    if (base + end > buffer.length) throw new Error(`${file}: tensor ${name} runs past the end of the file`);
    tensors.set(name, { dtype: entry.dtype, shape: entry.shape, data: toFloat32(entry.dtype, buffer.subarray(base + begin, base + end)) });
  }
  return tensors;
}
