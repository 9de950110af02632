/**
 * The verify stage's work, as the pool's threads do it: slices of candidate pairs, everything
 * they name in the shared set memory, screened, prescreened on sets' heads, and scored exactly
 * in the intersect kernel (src/kernels/intersect.ts).
 */
import type { SharedSets } from '../kernels/intersect.js';
import type { Metric } from '../model/settings.js';

/**
 * A slice of candidate pairs to score. Everything it names is in the shared set memory (element
 * offsets): the pairs, two document numbers each, and a table of where each document's sorted
 * shingle set is (document d's offset and length at 2d and 2d+1).
 */
export interface VerifyTask {
  metric: Metric;
  threshold: number;
  pairs: number;
  count: number;
  places: number;
  /**
   * Every document's signature, side by side (document d's at element offset at + d*k): a pair
   * whose estimate is hopeless (estimateKeeps) is not counted.
   */
  signatures?: { at: number; k: number };
}

export interface Verified {
  /**
   * The pairs that have the shingles the threshold needs, written over the task's pairs: the
   * first `kept` of them are (index in the slice, shared count). Scores: scoresOf, then
   * meetsThreshold.
   */
  kept: number;
  /** Pairs counted (the others ruled out by their signatures). */
  checked: number;
}

/**
 * A slice of candidate pairs to screen before verification (SharedSets.screen): everything it
 * names is in the shared set memory (element offsets; `kept` a byte offset).
 */
export interface ScreenTask {
  metric: Metric;
  threshold: number;
  pairs: number;
  count: number;
  sizes: number;
  kept: number;
  signatures: { at: number; k: number };
}

/**
 * A slice of pairs to prescreen (SharedSets.prescreen): as a VerifyTask, but the table at
 * `places` may give only a set's head, and `sizes` (element offset of a uint32 a document) the
 * whole sets' sizes.
 */
export interface PrescreenTask {
  metric: Metric;
  threshold: number;
  pairs: number;
  count: number;
  places: number;
  sizes: number;
}

/** Prescreens a slice: the indexes of its pairs let through are written over its first elements; returns how many. */
export function prescreenPairs(task: PrescreenTask, sets: SharedSets): number {
  return sets.prescreen(task.pairs, task.count, task.places, task.sizes, task.metric, task.threshold);
}

/** Screens a slice: its pairs worth verifying are written over its first ones; returns how many. */
export function screenPairs(task: ScreenTask, sets: SharedSets): number {
  return sets.screen(task.pairs, task.count, task.sizes, task.kept, task.metric, task.threshold, task.signatures);
}

/**
 * Scores every pair of the task whose signatures do not rule it out, in the WebAssembly kernel
 * (src/kernels/assembly/intersect.ts): a pair may be given up before it is fully counted when it cannot
 * reach the threshold (see intersect.ts); the counts of pairs kept are exact.
 */
export function verifyPairs(task: VerifyTask, sets: SharedSets): Verified {
  return sets.verify(task.pairs, task.count, task.places, task.metric, task.threshold, task.signatures);
}
