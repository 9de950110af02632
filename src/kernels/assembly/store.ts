// The index's query kernel (AssemblyScript; built into src/kernels/store-wasm.ts by
// `npm run build:wasm`): a query's signature against many stored signatures, its shingle set
// against stored shingle sets as they decode (the delta + varint bytes of codec.ts), and a set
// encoded so for storage. src/kernels/store.ts lays out the memory and calls these; its
// JavaScript stand-in (and codec.ts's encodeSortedU32 and sharedWithEncoded) is the reference.
//
// The caller keeps at least 8 readable bytes after any encoded set (the decoder reads a word,
// and a fifth byte, at a time), and keeps bytes [0, 256) free for the decoder.

/** Where the decoder puts a chunk of decoded values: bytes [0, 256). */
const DECODED: usize = 0;
/** Values decoded a chunk. */
const CHUNK: u32 = 64;

/**
 * For each of the n signatures of k uint32 values side by side at sigs, how many positions
 * equal signature q's, as an int32 at out + 4c.
 */
export function agreements(q: usize, sigs: usize, n: u32, k: u32, out: usize): void {
  const end = out + ((<usize>n) << 2);
  for (; out < end; out += 4) {
    let same: u32 = 0;
    for (let i: u32 = 0; i < k; i++) same += <u32>(load<u32>(q + ((<usize>i) << 2)) == load<u32>(sigs + ((<usize>i) << 2)));
    store<u32>(out, same);
    sigs += (<usize>k) << 2;
  }
}

/**
 * How many values the ascending, distinct uint32 values at bytes [a, ea) share with the nb
 * values encoded at bytes [b, eb) (the first value as is, then the gaps between neighbours,
 * each an LEB128 varint). Exact when it is at least `needed`; the count stops early, under
 * `needed`, once what is left of either set cannot bring it up to `needed`. -1 when the bytes
 * do not hold nb ascending values.
 *
 * B is decoded 64 values at a time into [0, 256), and each chunk merged with A without a
 * branch on the values' order (a merge of two random sets mispredicts every other branch);
 * what is left is tested after each chunk.
 */
export function shared(a: usize, ea: usize, b: usize, eb: usize, nb: u32, needed: u32): i32 {
  let left = nb;
  let v: u32 = 0;
  let count: u32 = 0;
  // B decoded to its end, or A passed: the count is final
  while (left != 0 && a < ea) {
    // decode min(left, 64) values into [DECODED, ce)
    const ce = DECODED + ((<usize>(left < CHUNK ? left : CHUNK)) << 2);
    let p = DECODED;
    do {
      // one varint from the word at b: its last byte is the first without the high bit
      let w = load<u32>(b, 0, 1);
      let end = ~w & 0x80808080;
      let d: u32;
      if (end == 0) {
        // five bytes: the fifth holds the top 4 bits
        const x = <u32>load<u8>(b, 4);
        if (x > 0x0f) return -1;
        d = (w & 0x7f) | ((w >>> 1) & 0x3f80) | ((w >>> 2) & 0x1fc000) | ((w >>> 3) & 0xfe00000) | (x << 28);
        b += 5;
      } else {
        // 1 to 4 bytes: keep the bytes up to the end bit (bit 8n-1), then their 7-bit groups
        end = ctz(end);
        w &= ((<u32>2) << end) - 1;
        d = (w & 0x7f) | ((w >>> 1) & 0x3f80) | ((w >>> 2) & 0x1fc000) | ((w >>> 3) & 0xfe00000);
        b += (end + 1) >>> 3;
      }
      // a varint past the end, a zero gap after the first value, or a value past 2^32: not ours
      if (b > eb) return -1;
      if (<i32>(d == 0) & (<i32>(p != DECODED) | <i32>(left != nb))) return -1;
      v += d;
      if (v < d) return -1;
      store<u32>(p, v);
      p += 4;
    } while (p < ce);
    left -= <u32>((ce - DECODED) >>> 2);
    // merge: the lower side moves on (both when equal), an equal pair is counted
    let q = DECODED;
    while (!(<i32>(a >= ea) | <i32>(q >= ce))) {
      const x = load<u32>(a);
      const y = load<u32>(q);
      count += <u32>(x == y);
      a += (<usize>(x <= y)) << 2;
      q += (<usize>(y <= x)) << 2;
    }
    // what is left of either set bounds what can still be shared
    const restA = <u32>((ea - a) >>> 2);
    const restB = left + <u32>((ce - q) >>> 2);
    if (count + min(restA, restB) < needed) break;
  }
  return count;
}

/**
 * shared() for n encoded sets, one call: entry c of the table (at table + 16c) holds b, eb, nb
 * and needed as int32s; its count replaces `needed`.
 */
export function shared_many(a: usize, ea: usize, table: usize, n: u32): void {
  const end = table + ((<usize>n) << 4);
  for (; table < end; table += 16) {
    store<i32>(table, shared(a, ea, load<u32>(table), load<u32>(table, 4), load<u32>(table, 8), load<u32>(table, 12)), 12);
  }
}

/** Writes d as an LEB128 varint at w; returns the end. */
function varint(d: u32, w: usize): usize {
  while (d >= 0x80) {
    store<u8>(w, (d & 0x7f) | 0x80);
    w++;
    d >>>= 7;
  }
  store<u8>(w, d);
  return w + 1;
}

/**
 * The n uint32 values at src, which must be ascending and distinct, as codec.ts's
 * encodeSortedU32 writes them (the first value, then each one's gap from the one before, in
 * LEB128 varints) at out; returns the bytes written, or -1 when a value is not above the one
 * before it (the caller then reports it as encodeSortedU32 does).
 */
export function encode(src: usize, n: u32, out: usize): i32 {
  const end = src + ((<usize>n) << 2);
  let w = out;
  let prev: u32 = 0;
  if (n > 0) {
    prev = load<u32>(src);
    w = varint(prev, w);
    src += 4;
  }
  for (; src < end; src += 4) {
    const v = load<u32>(src);
    if (v <= prev) return -1;
    w = varint(v - prev, w);
    prev = v;
  }
  return <i32>(w - out);
}
