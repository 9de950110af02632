// Exact verification (AssemblyScript; built into src/kernels/intersect-wasm.ts by
// `npm run build:wasm`): |A ∩ B| of sorted, distinct uint32 runs in the shingle-set memory that
// every thread shares (src/kernels/intersect.ts makes it and imports it here as env.memory).
// The reference: SharedSets.shared in src/kernels/intersect.ts (its looks), verifyPairs and
// prescreenPairs in src/engine/verify.ts, src/core/similarity.ts (sharedNeeded, jaccardFloor,
// estimateKeeps, sizesCanMatch), src/core/sets.ts's intersectionSize; tests/intersect.test.ts
// compares them.
//
// verify(...): every candidate pair of a slice, scored.
// screen(...): the candidate pairs worth verifying, by size and signature.
// prescreen(...): shared()'s first two looks at pairs whose sets may be only partly at hand.
// count(...), agree(...): exported for SharedSets.shared and SharedSets.agreement.

/** How many pairs the last verify call counted (the others were ruled out by their signatures). */
export let checked: i32 = 0;

/** |A ∩ B| of the ascending runs of distinct uint32 values at byte offsets a..ea and b..eb. */
export function count(a: usize, ea: usize, b: usize, eb: usize): u32 {
  let n: u32 = 0;
  // blocks of 8 values of each side, compared all against all (4 rotations of two vectors)
  while (!(<i32>(a + 32 > ea) | <i32>(b + 32 > eb))) {
    const a0 = v128.load(a);
    const a1 = v128.load(a, 16);
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const b0r1 = v128.shuffle<i32>(b0, b0, 1, 2, 3, 0);
    const b0r2 = v128.shuffle<i32>(b0, b0, 2, 3, 0, 1);
    const b0r3 = v128.shuffle<i32>(b0, b0, 3, 0, 1, 2);
    const b1r1 = v128.shuffle<i32>(b1, b1, 1, 2, 3, 0);
    const b1r2 = v128.shuffle<i32>(b1, b1, 2, 3, 0, 1);
    const b1r3 = v128.shuffle<i32>(b1, b1, 3, 0, 1, 2);
    const m0 = v128.or(
      v128.or(v128.or(i32x4.eq(a0, b0), i32x4.eq(a0, b0r1)), v128.or(i32x4.eq(a0, b0r2), i32x4.eq(a0, b0r3))),
      v128.or(v128.or(i32x4.eq(a0, b1), i32x4.eq(a0, b1r1)), v128.or(i32x4.eq(a0, b1r2), i32x4.eq(a0, b1r3))),
    );
    const m1 = v128.or(
      v128.or(v128.or(i32x4.eq(a1, b0), i32x4.eq(a1, b0r1)), v128.or(i32x4.eq(a1, b0r2), i32x4.eq(a1, b0r3))),
      v128.or(v128.or(i32x4.eq(a1, b1), i32x4.eq(a1, b1r1)), v128.or(i32x4.eq(a1, b1r2), i32x4.eq(a1, b1r3))),
    );
    n += popcnt<u32>(i32x4.bitmask(m0)) + popcnt<u32>(i32x4.bitmask(m1));
    // the side whose block ends lower moves on (both when they end equal)
    const x = load<u32>(a, 28);
    const y = load<u32>(b, 28);
    a += (<usize>(x <= y)) << 5;
    b += (<usize>(y <= x)) << 5;
  }
  // the last few values one at a time
  while (!(<i32>(a >= ea) | <i32>(b >= eb))) {
    const x = load<u32>(a);
    const y = load<u32>(b);
    n += <u32>(x == y);
    a += (<usize>(x <= y)) << 2;
    b += (<usize>(y <= x)) << 2;
  }
  return n;
}

/** How many of the k uint32 values at byte offsets a and b are equal, position by position. */
export function agree(a: usize, b: usize, k: u32): u32 {
  let n: u32 = 0;
  const end = a + ((<usize>k) << 2);
  const end4 = a + ((<usize>(k & ~3)) << 2);
  for (; a < end4; a += 16, b += 16) n += popcnt<u32>(i32x4.bitmask(i32x4.eq(v128.load(a), v128.load(b))));
  for (; a < end; a += 4, b += 4) n += <u32>(load<u32>(a) == load<u32>(b));
  return n;
}

/** The first byte offset in [lo, hi) (4-byte steps, ascending values) whose value is at least x, or hi. */
function lowerBound(lo: usize, hi: usize, x: u32): usize {
  while (lo < hi) {
    const mid = lo + (((hi - lo) >>> 3) << 2);
    if (load<u32>(mid) < x) lo = mid + 4;
    else hi = mid;
  }
  return lo;
}

// looks()'s other results (a function returns one value)
let lookN: u32 = 0;
let lookI: usize = 0;
let lookJ: usize = 0;

/**
 * shared()'s looks at the values below 2^28 .. 2^last: whether the pair is given up; the count
 * so far and where the looks stopped in lookN, lookI, lookJ.
 */
function looks(a0: usize, a1: usize, la: u32, b0: usize, b1: usize, lb: u32, needed: u32, logStop: f64, last: u32): bool {
  let i = a0;
  let j = b0;
  let n: u32 = 0;
  const m = <f64>la;
  const p = <f64>needed / m;
  for (let c: u32 = 28; c <= last; c++) {
    const ie = lowerBound(i, a1, (<u32>1) << c);
    const je = lowerBound(j, b1, (<u32>1) << c);
    n += count(i, ie, j, je);
    i = ie;
    j = je;
    // (a) not enough left to share (of the whole sets)
    let left = la - <u32>((i - a0) >>> 2);
    const t = lb - <u32>((j - b0) >>> 2);
    if (t < left) left = t;
    if (n + left < needed) {
      lookN = n;
      lookI = i;
      lookJ = j;
      return true;
    }
    // (b) the sample shares too little
    const sampled = <u32>((i - a0) >>> 2);
    if (sampled > 0 && sampled < la) {
      const margin = sqrt<f64>((logStop * (1 - <f64>(sampled - 1) / m)) / (2 * <f64>sampled));
      if (<f64>n < <f64>sampled * (p - margin)) {
        lookN = n;
        lookI = i;
        lookJ = j;
        return true;
      }
    }
  }
  lookN = n;
  lookI = i;
  lookJ = j;
  return false;
}

/** |A ∩ B| of the sets at element offsets a and b when at least `needed`; else possibly less, still below it. */
function shared(a: usize, la: u32, b: usize, lb: u32, needed: u32, logStop: f64): u32 {
  // the smaller set is sampled (of two of one size, the one at the lower offset)
  if (lb < la || (lb == la && b < a)) {
    const t = a;
    a = b;
    b = t;
    const l = la;
    la = lb;
    lb = l;
  }
  if (needed > la) return 0;
  a <<= 2;
  b <<= 2;
  const a1 = a + ((<usize>la) << 2);
  const b1 = b + ((<usize>lb) << 2);
  let n: u32 = 0;
  let i = a;
  let j = b;
  if (needed > 0) {
    const givenUp = looks(a, a1, la, b, b1, lb, needed, logStop, 31);
    n = lookN;
    i = lookI;
    j = lookJ;
    if (givenUp) return n;
  }
  return n + count(i, a1, j, b1);
}

/** Whether shared() might keep the pair after its first two looks, with only the sets' heads at hand. */
function headKeeps(a: usize, ma: u32, la: u32, b: usize, mb: u32, lb: u32, needed: u32, logStop: f64, swap: bool): bool {
  if (lb < la || (lb == la && swap)) {
    const t = a;
    a = b;
    b = t;
    const tm = ma;
    ma = mb;
    mb = tm;
    const tl = la;
    la = lb;
    lb = tl;
  }
  if (needed > la) return false;
  if (needed == 0) return true;
  return !looks(a << 2, (a << 2) + ((<usize>ma) << 2), la, b << 2, (b << 2) + ((<usize>mb) << 2), lb, needed, logStop, 29);
}

/** The fewest shared shingles two sets of fa and fb values need to meet threshold t (sharedNeeded in src/core/similarity.ts). */
function sharedNeeded(fa: f64, fb: f64, jaccard: bool, t: f64): u32 {
  const need = jaccard ? (t * (fa + fb)) / (1 + t) : t * min<f64>(fa, fb);
  return <u32>max<f64>(0, ceil<f64>(need - 1e-9));
}

/** The pairs (two uint32 document numbers each) that headKeeps lets through: their indexes, written over the pairs. */
export function prescreen(pairs: usize, n: u32, places: usize, sizes: usize, jaccard: bool, t: f64, logStop: f64): u32 {
  let w = pairs;
  const end = pairs + ((<usize>n) << 3);
  for (let q = pairs; q < end; q += 8) {
    const x = load<u32>(q);
    const y = load<u32>(q, 4);
    const la = load<u32>(sizes + ((<usize>x) << 2));
    const lb = load<u32>(sizes + ((<usize>y) << 2));
    const px = places + ((<usize>x) << 3);
    const py = places + ((<usize>y) << 3);
    const needed = sharedNeeded(<f64>la, <f64>lb, jaccard, t);
    if (headKeeps(load<u32>(px), load<u32>(px, 4), la, load<u32>(py), load<u32>(py, 4), lb, needed, logStop, y < x)) {
      store<u32>(w, <u32>((q - pairs) >>> 3));
      w += 4;
    }
  }
  return <u32>((w - pairs) >>> 2);
}

/** Whether documents x and y (mn <= mx shingles) may meet t as their signatures estimate (jaccardFloor + estimateKeeps). */
function estimateKeeps(x: u32, y: u32, mn: f64, mx: f64, sigs: usize, k: u32, jaccard: bool, t: f64): bool {
  const fk = <f64>k;
  let floor: f64;
  if (jaccard) {
    floor = t;
  } else {
    const s = t * mn;
    floor = mx + mn - s <= 0 ? 0 : s / (mx + mn - s);
  }
  const sd = sqrt<f64>(max<f64>(floor * (1 - floor), 1 / fk) / fk);
  const same = agree(sigs + ((<usize>(k * x)) << 2), sigs + ((<usize>(k * y)) << 2), k);
  return <f64>same / fk + 4 * sd + 1 / fk >= floor;
}

/** The pairs that sizes can let meet t and whose signatures' estimate does not rule out, written over the first ones. */
export function screen(pairs: usize, n: u32, sizes: usize, kept: usize, sigs: usize, k: u32, jaccard: bool, t: f64): u32 {
  let w = pairs;
  const end = pairs + ((<usize>n) << 3);
  for (let q = pairs; q < end; q += 8) {
    const x = load<u32>(q);
    const y = load<u32>(q, 4);
    const fa = <f64>load<u32>(sizes + ((<usize>x) << 2));
    const fb = <f64>load<u32>(sizes + ((<usize>y) << 2));
    const mn = min<f64>(fa, fb);
    const mx = max<f64>(fa, fb);
    // sizesCanMatch
    if (jaccard && mx != 0 && mn / mx < t) continue;
    if (<u32>load<u8>(kept + x) + <u32>load<u8>(kept + y) < 2 && !estimateKeeps(x, y, mn, mx, sigs, k, jaccard, t)) continue;
    store<u64>(w, load<u64>(q));
    w += 8;
  }
  return <u32>((w - pairs) >>> 3);
}

/** Scores the n pairs at `pairs`: those with the shingles they need written over them as (index, shared). */
export function verify(pairs: usize, n: u32, places: usize, sigs: usize, k: u32, jaccard: bool, t: f64, logStop: f64): u32 {
  let w = pairs;
  let counted = 0;
  const end = pairs + ((<usize>n) << 3);
  for (let q = pairs; q < end; q += 8) {
    const x = load<u32>(q);
    const y = load<u32>(q, 4);
    const px = places + ((<usize>x) << 3);
    const py = places + ((<usize>y) << 3);
    const ao = load<u32>(px);
    const la = load<u32>(px, 4);
    const bo = load<u32>(py);
    const lb = load<u32>(py, 4);
    const fa = <f64>la;
    const fb = <f64>lb;
    if (k > 0 && !estimateKeeps(x, y, min<f64>(fa, fb), max<f64>(fa, fb), sigs, k, jaccard, t)) continue;
    counted++;
    const needed = sharedNeeded(fa, fb, jaccard, t);
    const s = shared(ao, la, bo, lb, needed, logStop);
    if (s < needed) continue;
    store<u32>(w, <u32>((q - pairs) >>> 3));
    store<u32>(w, s, 4);
    w += 8;
  }
  checked = counted;
  return <u32>((w - pairs) >>> 3);
}
