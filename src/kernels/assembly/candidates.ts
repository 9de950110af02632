// LSH candidate pairs (AssemblyScript; built into src/kernels/candidates-wasm.ts by
// `npm run build:wasm`). src/kernels/candidates.ts lays out the memory and calls, for each band
// in turn, band() then emit(), and dedupe() now and then and at the end. The reference:
// src/core/lsh.ts's bandKeys (keys()), and all pairs of documents that share a band key, each
// once, sorted (band, emit, dedupe); tests/kernels.test.ts compares them.

export let buckets: u32 = 0;
export let largest: u32 = 0;
export let capped: u32 = 0;

/** One stable counting pass over n int64 from src to dst, on (value >> shift) & mask. */
function pass(src: usize, dst: usize, n: u32, counts: usize, shift: u64, mask: u64): void {
  memory.fill(counts, 0, 8192);
  const end = src + ((<usize>n) << 3);
  // histogram
  for (let i = src; i < end; i += 8) {
    const p = counts + ((<usize>((load<u64>(i) >>> shift) & mask)) << 2);
    store<u32>(p, load<u32>(p) + 1);
  }
  // exclusive prefix sums
  let sum: u32 = 0;
  for (let i: usize = 0; i < 2048; i++) {
    const p = counts + (i << 2);
    const c = load<u32>(p);
    store<u32>(p, sum);
    sum += c;
  }
  // scatter
  for (let i = src; i < end; i += 8) {
    const v = load<u64>(i);
    const p = counts + ((<usize>((v >>> shift) & mask)) << 2);
    const c = load<u32>(p);
    store<u32>(p, c + 1);
    store<u64>(dst + ((<usize>c) << 3), v);
  }
}

/** The pairs a bucket of s members gives (f64: s^2 can pass 2^32). */
function pairsOf(s: u32, maxBucket: u32, window: u32): f64 {
  const fs = <f64>s;
  const fw = <f64>window;
  // a capped bucket: each member with the next `window`: w (s - w) + w (w - 1) / 2
  if (<i32>(s > maxBucket) & <i32>(window < s - 1)) return fw * (fs - fw) + fw * (fw - 1) * 0.5;
  return fs * (fs - 1) * 0.5;
}

/** Band b's (key << 32 | document) of the m documents at ids, radix-sorted into t; returns the pairs emit() will write. */
export function band(keys: usize, bands: u32, b: u32, ids: usize, m: u32, a: usize, t: usize, counts: usize, maxBucket: u32, window: u32): f64 {
  for (let x: u32 = 0; x < m; x++) {
    const d = load<u32>(ids + ((<usize>x) << 2));
    const key = load<u32>(keys + ((<usize>(d * bands + b)) << 2));
    store<u64>(a + ((<usize>x) << 3), ((<u64>key) << 32) | <u64>d);
  }
  // a -> t -> a -> t
  pass(a, t, m, counts, 32, 2047);
  pass(t, a, m, counts, 43, 2047);
  pass(a, t, m, counts, 54, 1023);
  // buckets, and the pairs they will give
  let need: f64 = 0;
  const end = t + ((<usize>m) << 3);
  for (let p = t; p < end; ) {
    const key = load<u64>(p) >>> 32;
    let s: u32 = 1;
    while (p + ((<usize>s) << 3) < end && load<u64>(p + ((<usize>s) << 3)) >>> 32 == key) s++;
    if (s > 1) {
      buckets++;
      if (s > largest) largest = s;
      if (s > maxBucket) capped++;
      need += pairsOf(s, maxBucket, window);
    }
    p += (<usize>s) << 3;
  }
  return need;
}

/** Every pair of each bucket of t (the next `window` only in a bucket over maxBucket), to out; returns how many. */
export function emit(t: usize, m: u32, maxBucket: u32, window: u32, out: usize): u32 {
  let w = out;
  const end = t + ((<usize>m) << 3);
  for (let p = t; p < end; ) {
    // the bucket [p, e)
    const key = load<u64>(p) >>> 32;
    let e = p + 8;
    while (e < end && load<u64>(e) >>> 32 == key) e += 8;
    const size = <u32>((e - p) >>> 3);
    if (size > 1) {
      for (let x = p; x < e; x += 8) {
        const i = load<u32>(x);
        // the members paired with x: all after it, or the next `window` in a capped bucket
        let last = e;
        if (size > maxBucket && window < <u32>((e - x) >>> 3)) last = x + ((<usize>window + 1) << 3);
        for (let y = x + 8; y < last; y += 8) {
          store<u32>(w, i);
          store<u32>(w, load<u32>(y), 4);
          w += 8;
        }
      }
    }
    p = e;
  }
  return <u32>((w - out) >>> 3);
}

/** One stable counting pass over len pairs from src to dst, on the uint32 at byte `field` (0: i, 4: j). */
function byDoc(src: usize, dst: usize, len: u32, n: u32, starts: usize, field: usize): void {
  memory.fill(starts, 0, (<usize>n + 1) << 2);
  const end = src + ((<usize>len) << 3);
  for (let p = src; p < end; p += 8) {
    const q = starts + ((<usize>load<u32>(p + field)) << 2);
    store<u32>(q, load<u32>(q) + 1);
  }
  let sum: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const q = starts + ((<usize>i) << 2);
    const c = load<u32>(q);
    store<u32>(q, sum);
    sum += c;
  }
  for (let p = src; p < end; p += 8) {
    const q = starts + ((<usize>load<u32>(p + field)) << 2);
    const c = load<u32>(q);
    store<u32>(q, c + 1);
    store<u64>(dst + ((<usize>c) << 3), load<u64>(p));
  }
}

/** The len pairs sorted by (i, j) and repeats dropped, in place; returns the distinct count. */
export function dedupe(pairs: usize, len: u32, n: u32, starts: usize, tmp: usize): u32 {
  if (len == 0) return 0;
  byDoc(pairs, tmp, len, n, starts, 4);
  byDoc(tmp, pairs, len, n, starts, 0);
  // repeats are now side by side (a pair is one int64)
  const end = pairs + ((<usize>len) << 3);
  let last = load<u64>(pairs);
  let w = pairs + 8;
  for (let p = pairs + 8; p < end; p += 8) {
    const v = load<u64>(p);
    store<u64>(w, v);
    w += (<usize>(v != last)) << 3;
    last = v;
  }
  return <u32>((w - pairs) >>> 3);
}

/** Each document's band keys (n signatures of k uint32 at sigs) into out, as src/core/lsh.ts's bandKeys. */
export function keys(sigs: usize, n: u32, k: u32, bands: u32, rows: u32, out: usize): void {
  for (let d: u32 = 0; d < n; d++) {
    for (let b: u32 = 0; b < bands; b++) {
      // combine() over the band's rows, from 0x9747b28c ^ band
      let h: u32 = 0x9747b28c ^ b;
      let row = sigs + ((<usize>(d * k + b * rows)) << 2);
      for (let r: u32 = 0; r < rows; r++, row += 4) {
        h = (h ^ load<u32>(row)) * 0x01000193;
        h ^= h >>> 15;
      }
      // fmix32
      h ^= h >>> 16;
      h *= 0x85ebca6b;
      h ^= h >>> 13;
      h *= 0xc2b2ae35;
      h ^= h >>> 16;
      store<u32>(out, h);
      out += 4;
    }
  }
}
