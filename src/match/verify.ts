/**
 * Verification: every candidate pair is scored exactly on the shingle sets, and only pairs at
 * or above the threshold survive, so no reported pair is below it. A size bound and a
 * conservative MinHash estimate first drop pairs that cannot reach the threshold.
 */
import type { Metric } from '../options.js';
import { estimateJaccard } from '../sketch/minhash.js';
import { intersectionSize } from '../text/shingle.js';
import { PAIR_BASE } from './candidates.js';

export interface Scores {
  jaccard: number;
  /** Shared shingles over the smaller document's shingles. */
  containment: number;
  shared: number;
}

/**
 * Exact scores. With `neededShared`, the count may stop early below it (the pair is then
 * known to be under the threshold and its scores are lower bounds).
 */
export function exactScores(a: Uint32Array, b: Uint32Array, neededShared = 0): Scores {
  const shared = intersectionSize(a, b, neededShared);
  const union = a.length + b.length - shared;
  const smaller = Math.min(a.length, b.length);
  return {
    shared,
    jaccard: union === 0 ? 1 : shared / union,
    containment: smaller === 0 ? (a.length === b.length ? 1 : 0) : shared / smaller,
  };
}

/**
 * The smallest Jaccard similarity two sets of these sizes can have and still meet `threshold`
 * under `metric` (containment c with sizes m <= n needs |A∩B| >= c·m, so J >= c·m/(m+n-c·m)).
 */
export function jaccardFloor(metric: Metric, threshold: number, sizeA: number, sizeB: number): number {
  if (metric === 'jaccard') return threshold;
  const m = Math.min(sizeA, sizeB);
  const n = Math.max(sizeA, sizeB);
  const shared = threshold * m;
  return n + m - shared <= 0 ? 0 : shared / (n + m - shared);
}

/** The fewest shared shingles a pair of these sizes needs to meet the threshold. */
export function sharedNeeded(metric: Metric, threshold: number, sizeA: number, sizeB: number): number {
  // containment: shared >= t * min;  jaccard: shared / (a + b - shared) >= t  <=>  shared >= t (a + b) / (1 + t)
  const need = metric === 'containment' ? threshold * Math.min(sizeA, sizeB) : (threshold * (sizeA + sizeB)) / (1 + threshold);
  // a hair under, so floating-point rounding never rejects a pair exactly at the threshold
  return Math.max(0, Math.ceil(need - 1e-9));
}

/** Could a pair of these sizes reach the threshold at all? */
export function sizesCanMatch(metric: Metric, threshold: number, sizeA: number, sizeB: number): boolean {
  if (metric === 'containment') return true;
  const m = Math.min(sizeA, sizeB);
  const n = Math.max(sizeA, sizeB);
  return n === 0 || m / n >= threshold;
}

/**
 * False when the signatures' estimate is so far below what the threshold needs that the pair
 * is, with overwhelming probability (more than 4 standard errors), not a match.
 */
export function estimateCanMatch(sigA: Uint32Array, sigB: Uint32Array, floor: number): boolean {
  const k = sigA.length;
  const est = estimateJaccard(sigA, sigB);
  const sd = Math.sqrt(Math.max(floor * (1 - floor), 1 / k) / k);
  return est + 4 * sd + 1 / k >= floor;
}

export function meetsThreshold(metric: Metric, threshold: number, s: Scores): boolean {
  return (metric === 'jaccard' ? s.jaccard : s.containment) >= threshold;
}

/** A slice of candidate pairs to score, with the shingle sets of the documents in it. */
export interface VerifyTask {
  metric: Metric;
  threshold: number;
  /** Packed pairs (see candidates.ts). */
  pairs: Float64Array;
  /** Document indices and, at the same positions, their sorted shingle sets. */
  docs: number[];
  sets: Uint32Array[];
}

/**
 * Scores every pair of the task exactly; returns [packed pair, jaccard, containment] triples
 * for the pairs at or above the threshold, in the task's order.
 */
export function verifyPairs(task: VerifyTask): Float64Array {
  const setOf = new Map<number, Uint32Array>();
  task.docs.forEach((d, k) => setOf.set(d, task.sets[k]!));
  const out: number[] = [];
  const { metric, threshold } = task;
  for (let p = 0; p < task.pairs.length; p++) {
    const code = task.pairs[p]!;
    const i = Math.floor(code / PAIR_BASE);
    const a = setOf.get(i)!;
    const b = setOf.get(code - i * PAIR_BASE)!;
    const s = exactScores(a, b, sharedNeeded(metric, threshold, a.length, b.length));
    if (meetsThreshold(metric, threshold, s)) out.push(code, s.jaccard, s.containment);
  }
  return Float64Array.from(out);
}
