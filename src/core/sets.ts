/** Operations on shingle sets: sorted, distinct uint32 arrays. */

/**
 * |A ∩ B| of two sorted, distinct uint32 arrays. With `needed`, stops early (returning a count
 * below `needed`) as soon as the rest of the arrays can no longer bring the count up to it.
 */
export function intersectionSize(a: Uint32Array, b: Uint32Array, needed = 0): number {
  let i = 0;
  let j = 0;
  let n = 0;
  const la = a.length;
  const lb = b.length;
  if (needed > Math.min(la, lb)) return 0;
  while (i < la && j < lb) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      n++;
      i++;
      j++;
    } else {
      if (x < y) i++;
      else j++;
      // every step without a match lowers the most that can still be shared
      if ((i & 63) === 0 && n + Math.min(la - i, lb - j) < needed) return n;
    }
  }
  return n;
}
