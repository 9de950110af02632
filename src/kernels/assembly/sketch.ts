// The sketch stage's inner loops (AssemblyScript; built into src/kernels/sketch-wasm.ts by
// `npm run build:wasm`). src/kernels/sketch.ts lays out the memory (the tables at TABLE and
// CLASS, everything else at addresses it passes in) and calls these in turn for each document.
// The reference: src/text/shingle.ts's shingleStream and sortUnique, src/core/minhash.ts's
// MinHashAccumulator, src/core/hash.ts's fmix32; tests/sketch-kernel.test.ts compares them.
//
// mixBytes / mixWide: the letters of a file's bytes as mixed units (fmix32(letter ^ unit seed),
//   from tables the wrapper makes): ASCII bytes, or bytes that each stand for 0, 1 or 2 letters.
// mixUnits: units (code points or word hashes) to mixed units, in place, as shingleStream does.
// shingle: the hash of each run of k mixed units (the polynomial hash sum of u[i+j] *
//   0x01000193^(k-1-j) mod 2^32, by Horner's rule, finalised with fmix32; all n of them when
//   n < k), in text order; eight runs at a time in SIMD lanes, the last few one at a time.
// sortUnique: a bucket sort on the top `bits` bits (about one value a bucket), duplicates dropped.
// bins: a sorted set into its one-permutation MinHash bins.

const TABLE: usize = 0;
const CLASS: usize = 1024;

const C1: u32 = 0x85ebca6b;
const C2: u32 = 0xc2b2ae35;
const BASE: u32 = 0x01000193;

function fmix32(h: u32): u32 {
  h ^= h >>> 16;
  h *= C1;
  h ^= h >>> 13;
  h *= C2;
  return h ^ (h >>> 16);
}

function fmix32x4(h: v128): v128 {
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(C1));
  h = v128.xor(h, i32x4.shr_u(h, 13));
  h = i32x4.mul(h, i32x4.splat(C2));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

/** Bytes -> mixed units of their letters; -1 at a byte that is not for this path. */
export function mixBytes(src: usize, n: u32, out: usize): i32 {
  const end = src + n;
  let w = out;
  for (; src < end; src++) {
    const b = <usize>load<u8>(src);
    const c = <usize>load<u8>(CLASS + b);
    if (c & 2) return -1;
    // written whatever the class; kept (w moves on) only for a letter
    store<u32>(w, load<u32>(TABLE + (b << 2)));
    w += c << 2;
  }
  return <i32>((w - out) >>> 2);
}

/** As mixBytes, each byte standing for 0, 1 or 2 letters (class 3: -1). */
export function mixWide(src: usize, n: u32, out: usize, tables: usize): i32 {
  const end = src + n;
  let w = out;
  for (; src < end; src++) {
    const b = <usize>load<u8>(src);
    const c = <usize>load<u8>(tables + b);
    if (c == 3) return -1;
    const units = tables + 256 + (b << 2);
    store<u32>(w, load<u32>(units));
    store<u32>(w, load<u32>(units, 1024), 4);
    w += c << 2;
  }
  return <i32>((w - out) >>> 2);
}

/** fmix32(unit ^ seed) for each of the n units at src, in place. */
export function mixUnits(src: usize, n: u32, seed: u32): void {
  const end = src + ((<usize>n) << 2);
  for (; src < end; src += 4) store<u32>(src, fmix32(load<u32>(src) ^ seed));
}

/** The hash of each run of k mixed units (all n when n < k), to out; returns their count. */
export function shingle(src: usize, n: u32, k: u32, out: usize, finalSeed: u32): u32 {
  if (n == 0) return 0;
  if (k > n) k = n;
  const count = n - k + 1;
  const base = i32x4.splat(BASE);
  const seed = i32x4.splat(finalSeed);
  let i: u32 = 0;
  // eight shingles at a time: each lane's polynomial hash by Horner's rule over its k units
  for (; i + 8 <= count; i += 8) {
    let p = src + ((<usize>i) << 2);
    const e = p + ((<usize>k) << 2);
    let h0 = v128.load(p);
    let h1 = v128.load(p, 16);
    for (p += 4; p < e; p += 4) {
      h0 = i32x4.add(i32x4.mul(h0, base), v128.load(p));
      h1 = i32x4.add(i32x4.mul(h1, base), v128.load(p, 16));
    }
    const o = out + ((<usize>i) << 2);
    v128.store(o, fmix32x4(v128.xor(h0, seed)));
    v128.store(o, fmix32x4(v128.xor(h1, seed)), 16);
  }
  // the last few one at a time
  for (; i < count; i++) {
    let p = src + ((<usize>i) << 2);
    const e = p + ((<usize>k) << 2);
    let h: u32 = 0;
    for (; p < e; p += 4) h = h * BASE + load<u32>(p);
    store<u32>(out + ((<usize>i) << 2), fmix32(h ^ finalSeed));
  }
  return count;
}

/** The n values at src, sorted and distinct, to dst (bucket sort on the top `bits` bits). */
export function sortUnique(src: usize, n: u32, dst: usize, counts: usize, bits: u32): u32 {
  if (n == 0) return 0;
  const shift = 32 - bits;
  const buckets: usize = 1 << bits;
  memory.fill(counts, 0, (buckets + 1) << 2);
  memory.fill(dst, 0, (<usize>n) << 2);
  // histogram
  const end = src + ((<usize>n) << 2);
  for (let i = src; i < end; i += 4) {
    const p = counts + ((<usize>(load<u32>(i) >>> shift)) << 2);
    store<u32>(p, load<u32>(p) + 1);
  }
  // exclusive prefix sums, as byte offsets into dst
  let sum = <u32>dst;
  const last = counts + (buckets << 2);
  for (let i = counts; i <= last; i += 4) {
    const c = load<u32>(i);
    store<u32>(i, sum);
    sum += c << 2;
  }
  // scatter, each value inserted in order among those of its bucket already there (the slots
  // not yet filled hold 0, and lower buckets lower values: the walk back stops at either)
  for (let i = src; i < end; i += 4) {
    const v = load<u32>(i);
    const p = counts + ((<usize>(v >>> shift)) << 2);
    let j = <usize>load<u32>(p);
    store<u32>(p, <u32>j + 4);
    while (j > dst) {
      const c = load<u32>(j - 4);
      if (c <= v) break;
      store<u32>(j, c);
      j -= 4;
    }
    store<u32>(j, v);
  }
  // keep the strictly ascending values (drops duplicates)
  let w = dst + 4;
  let prev = load<u32>(dst);
  const stop = dst + ((<usize>n) << 2);
  for (let i = dst + 4; i < stop; i += 4) {
    const v = load<u32>(i);
    store<u32>(w, v);
    w += (<usize>(v != prev)) << 2;
    prev = v;
  }
  return <u32>((w - dst) >>> 2);
}

/** The m distinct ascending values at set into their one-permutation MinHash bins. */
export function bins(set: usize, m: u32, sig: usize, filled: usize, numPerm: u32): void {
  const end = set + ((<usize>m) << 2);
  let last: u32 = -1;
  for (; set < end; set += 4) {
    const x = load<u32>(set);
    const bin = <u32>((<u64>x * <u64>numPerm) >>> 32);
    if (bin != last) {
      const p = sig + ((<usize>bin) << 2);
      store<u32>(p, min<u32>(x, load<u32>(p)));
      store<u8>(filled + bin, 1);
      last = bin;
    }
  }
}
