/**
 * Byte encodings of what an index stores, independent of the backend:
 * - a sorted set of distinct uint32 shingle hashes as the deltas between neighbours in LEB128
 *   varints (7 bits a byte): a document's n hashes spread over 2^32 have gaps near 2^32/n, so a
 *   document of a few thousand shingles takes about 3 bytes a shingle instead of 4;
 * - a signature (or any uint32 array) as little-endian 32-bit words, whatever the platform.
 */

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

/** Decodes encodeSortedU32's bytes; throws on truncated or overlong input. */
export function decodeSortedU32(bytes: Uint8Array): Uint32Array {
  // at most one value per byte: count the bytes that end a varint
  let count = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! < 0x80) count++;
  const out = new Uint32Array(count);
  let r = 0;
  let prev = 0;
  for (let n = 0; n < count; n++) {
    let d = 0;
    let shift = 0;
    for (;;) {
      if (r >= bytes.length) throw new RangeError('truncated varint');
      const b = bytes[r++]!;
      if (shift === 28 && b > 0x0f) throw new RangeError('varint over 32 bits');
      // at shift 28 only 4 bits are left (checked above), so this stays within 32 bits
      d = (d | ((b & 0x7f) << shift)) >>> 0;
      if (b < 0x80) break;
      shift += 7;
    }
    const v = n === 0 ? d : prev + d;
    if (v > 0xffffffff || (n > 0 && d === 0)) throw new RangeError('values out of order or over 32 bits');
    out[n] = v;
    prev = v;
  }
  if (r !== bytes.length) throw new RangeError('trailing bytes after the last varint');
  return out;
}

/** uint32 values as little-endian bytes. */
export function encodeU32LE(values: Uint32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint32(i * 4, values[i]!, true);
  return out;
}

export function decodeU32LE(bytes: Uint8Array): Uint32Array {
  if (bytes.length % 4 !== 0) throw new RangeError(`length ${bytes.length} is not a multiple of 4`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getUint32(i * 4, true);
  return out;
}
