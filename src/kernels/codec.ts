/**
 * Byte encodings of what an index stores, independent of the backend:
 * - a sorted set of distinct uint32 shingle hashes as the deltas between neighbours in LEB128
 *   varints (7 bits a byte): a document's n hashes spread over 2^32 have gaps near 2^32/n, so a
 *   document of a few thousand shingles takes about 3 bytes a shingle instead of 4;
 * - a signature (or any uint32 array) as little-endian 32-bit words, whatever the platform.
 */
import { LITTLE_ENDIAN } from './loader.js';

/** Encodes ascending, distinct uint32 values. Throws on unsorted input (it would not decode). */
export function encodeSortedU32(values: Uint32Array): Uint8Array {
  const out = new Uint8Array(values.length * 5);
  let w = 0;
  let prev = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0 && v <= prev) throw new RangeError(`values must be ascending and distinct (at ${i}: ${v} after ${prev})`);
    // the first value is stored as is (a delta from 0)
    let d = i === 0 ? v : v - prev;
    prev = v;
    while (d >= 0x80) {
      out[w++] = (d & 0x7f) | 0x80;
      d >>>= 7;
    }
    out[w++] = d;
  }
  return out.slice(0, w);
}

/** Decodes encodeSortedU32's bytes; throws on truncated, overlong or out-of-order input. */
export function decodeSortedU32(bytes: Uint8Array): Uint32Array {
  const len = bytes.length;
  // the last byte ends a varint, so no varint below runs past the end
  if (len > 0 && bytes[len - 1]! >= 0x80) throw new RangeError('truncated varint');
  // at most one value per byte: as many values as bytes that end a varint
  let count = 0;
  for (let i = 0; i < len; i++) count += (bytes[i]! >>> 7) ^ 1;
  const out = new Uint32Array(count);
  let r = 0;
  let prev = 0;
  for (let n = 0; n < count; n++) {
    // unrolled LEB128: up to five bytes, the fifth with at most 4 bits
    let b = bytes[r++]!;
    let d = b & 0x7f;
    if (b >= 0x80) {
      b = bytes[r++]!;
      d |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = bytes[r++]!;
        d |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = bytes[r++]!;
          d |= (b & 0x7f) << 21;
          if (b >= 0x80) {
            b = bytes[r++]!;
            if (b > 0x0f) throw new RangeError('varint over 32 bits');
            d = (d | (b << 28)) >>> 0;
          }
        }
      }
    }
    const v = n === 0 ? d : prev + d;
    if (v > 0xffffffff || (n > 0 && d === 0)) throw new RangeError('values out of order or over 32 bits');
    out[n] = v;
    prev = v;
  }
  return out;
}

/** uint32 values as little-endian bytes. */
export function encodeU32LE(values: Uint32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint32(i * 4, values[i]!, true);
  return out;
}

/** Whether this platform stores numbers little-endian (as the index's bytes are). */
export { LITTLE_ENDIAN };

export function decodeU32LE(bytes: Uint8Array): Uint32Array {
  if (bytes.length % 4 !== 0) throw new RangeError(`length ${bytes.length} is not a multiple of 4`);
  // the platform's own order is little-endian almost everywhere: one copy
  if (LITTLE_ENDIAN) return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}

/**
 * How many values the sorted set `a` shares with the encoded sorted set `encoded` (of `sizeB`
 * values), merged as the bytes decode: exact when it is at least `needed`; the count stops
 * early, under `needed`, once what is left of either set can no longer bring it up to
 * `needed` (most candidates of a query fail well before the end of their bytes), and at the
 * end of `a` (nothing after it can be shared). -1 when the bytes do not hold `sizeB` ascending
 * values. The query kernel (assembly/store.ts) answers to the same contract (its counts under
 * `needed` may stop elsewhere); this is its stand-in where WebAssembly is not available.
 */
export function sharedWithEncoded(a: Uint32Array, encoded: Uint8Array, sizeB: number, needed: number): number {
  const la = a.length;
  const end = encoded.length;
  let i = 0;
  let shared = 0;
  let r = 0;
  let v = 0;
  for (let j = 0; j < sizeB && i < la; j++) {
    let d = 0;
    for (let shift = 0; ; shift += 7) {
      if (r >= end || shift > 28) return -1;
      const b = encoded[r++]!;
      if (shift === 28 && b > 0x0f) return -1;
      d = (d | ((b & 0x7f) << shift)) >>> 0;
      if (b < 0x80) break;
    }
    if (j > 0 && d === 0) return -1;
    v += d;
    if (v > 0xffffffff) return -1;
    while (i < la && a[i]! < v) i++;
    if (i < la && a[i] === v) {
      shared++;
      i++;
    }
    // what is left of either set bounds what can still be shared
    if (shared + Math.min(la - i, sizeB - j - 1) < needed) return shared;
  }
  return shared;
}
