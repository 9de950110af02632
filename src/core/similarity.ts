/**
 * Verification: every candidate pair is scored exactly on the shingle sets, and only pairs at
 * or above the threshold survive, so no reported pair is below it. A size bound and a
 * conservative MinHash estimate first drop pairs that cannot reach the threshold.
 */
import type { Metric } from '../model/settings.js';
import { estimateJaccard } from './minhash.js';
import { intersectionSize } from './sets.js';

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
  return scoresOf(intersectionSize(a, b, neededShared), a.length, b.length);
}

/** The scores of two sets of these sizes sharing `shared` shingles. */
export function scoresOf(shared: number, sizeA: number, sizeB: number): Scores {
  const union = sizeA + sizeB - shared;
  const smaller = Math.min(sizeA, sizeB);
  return {
    shared,
    jaccard: union === 0 ? 1 : shared / union,
    containment: smaller === 0 ? (sizeA === sizeB ? 1 : 0) : shared / smaller,
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
  return estimateKeeps(estimateJaccard(sigA, sigB), k, floor);
}

/** estimateCanMatch's rule for an estimate `est` from signatures of length k. */
export function estimateKeeps(est: number, k: number, floor: number): boolean {
  const sd = Math.sqrt(Math.max(floor * (1 - floor), 1 / k) / k);
  return est + 4 * sd + 1 / k >= floor;
}

export function meetsThreshold(metric: Metric, threshold: number, s: Scores): boolean {
  return (metric === 'jaccard' ? s.jaccard : s.containment) >= threshold;
}

/** A score as reports show it: rounded to 4 decimal places. */
export function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

type MatchSettings = { metric: Metric; threshold: number };

/**
 * The cheap tests before exact verification: can documents of these sizes reach the threshold,
 * and is the signatures' estimate not far below what it needs?
 */
export function mayMatch(settings: MatchSettings, sizeA: number, sizeB: number, sigA: Uint32Array, sigB: Uint32Array): boolean {
  const { metric, threshold } = settings;
  if (!sizesCanMatch(metric, threshold, sizeA, sizeB)) return false;
  return estimateCanMatch(sigA, sigB, jaccardFloor(metric, threshold, sizeA, sizeB));
}

/**
 * mayMatch for signatures compared elsewhere (many at once): a pair of these sizes whose
 * signatures, of `k` values, agree in `agreeing` positions.
 */
export function signaturesMayMatch(settings: MatchSettings, sizeA: number, sizeB: number, agreeing: number, k: number): boolean {
  const { metric, threshold } = settings;
  if (!sizesCanMatch(metric, threshold, sizeA, sizeB)) return false;
  return estimateKeeps(agreeing / k, k, jaccardFloor(metric, threshold, sizeA, sizeB));
}

/** Exact scores of a pair, or undefined when it is below the threshold. */
export function scorePair(settings: MatchSettings, a: Uint32Array, b: Uint32Array): Scores | undefined {
  const { metric, threshold } = settings;
  const s = exactScores(a, b, sharedNeeded(metric, threshold, a.length, b.length));
  return meetsThreshold(metric, threshold, s) ? s : undefined;
}
