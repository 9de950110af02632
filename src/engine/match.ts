/**
 * The scan's matching stage: LSH candidates from the signatures, the screen, and exact
 * verification of what is left, over the pool's threads, with the shingle sets of documents
 * over the memory budget read back (their heads first, then whole sets) a bounded batch at a
 * time.
 */

import { meetsThreshold, scoresOf } from '../core/similarity.js';
import { readRecordAt } from '../corpus/records.js';
import { candidatePairsOfSignatures } from '../kernels/candidates.js';
import { type SharedSets, setBytes } from '../kernels/intersect.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { ScanResult, ScoredPair } from '../model/types.js';
import { DEFAULTS } from '../options/scan.js';
import { type Doc, fileLoadTask, MOVED, recordOptions, records, textLoadTask } from './documents.js';
import type { InputFile } from './inputs.js';
import type { LoadTask } from './load.js';
import type { WorkPool } from './pool.js';
import type { PrescreenTask, ScreenTask, VerifyTask } from './verify.js';

/**
 * Makes the shingle sets of `need` again: a set spilled when it was first made is read back
 * from its file; otherwise documents are read again in the pool, JSONL records from their place
 * in the file, other records by reading their file again (once per file) for the records wanted.
 * A document whose content changed since it was first read gets no set (its pairs are dropped).
 */
async function reloadSets(need: readonly number[], docs: Doc[], files: readonly InputFile[], settings: ResolvedOptions, pool: WorkPool): Promise<void> {
  const tasks: LoadTask[] = [];
  const wanted = new Map<number, Map<number, number>>();
  // sets written when they were first made: one read each, in all the threads
  const spilled = need.filter((d) => docs[d]!.spill !== undefined);
  const back = await pool.readSpilled(spilled.map((d) => docs[d]!.spill!));
  spilled.forEach((d, i) => (docs[d]!.set = back[i]!));
  for (const d of need) {
    const doc = docs[d]!;
    const f = files[doc.file]!;
    if (doc.set) continue;
    if (doc.record === undefined) tasks.push(fileLoadTask(f, d, settings));
    else if (doc.record.at) {
      // a JSONL line: read from its place in the file
      const item = readRecordAt(f.absPath, doc.record.at, doc.record.line, recordOptions(settings, f));
      if (item) tasks.push(textLoadTask(item, d));
    } else {
      let ofFile = wanted.get(doc.file);
      if (!ofFile) wanted.set(doc.file, (ofFile = new Map()));
      ofFile.set(doc.record.ordinal, d);
    }
  }
  for (const [file, ofFile] of wanted) {
    let left = ofFile.size;
    for await (const item of records(files[file]!, settings)) {
      if (item.kind !== 'record') continue;
      const d = ofFile.get(item.ordinal);
      if (d === undefined) continue;
      tasks.push(textLoadTask(item, d));
      if (--left === 0) break;
    }
  }
  await pool.load(tasks, (r) => {
    const doc = docs[r.index]!;
    if (r.status === 'ok' && r.meta.contentHash === doc.info.contentHash) doc.set = r.set;
  });
}

interface Matched {
  scored: ScoredPair[];
  candidates: number;
  /** Candidate pairs scored exactly (the rest ruled out by size or estimate). */
  checked: number;
}

export async function matchDocuments(
  docs: Doc[],
  files: readonly InputFile[],
  settings: ResolvedOptions,
  pool: WorkPool,
  timings: NonNullable<ScanResult['timings']>,
): Promise<Matched> {
  const { bands, rows, metric, threshold } = settings;
  let t = performance.now();
  const k = settings.numPerm;
  // the signatures side by side, in the shared set memory after the sets loading kept (each
  // document's own copy let go: 100 MB at 200,000 documents)
  pool.sets.limit = pool.sets.used + setBytes(docs.length * k);
  const sigs = pool.sets.alloc(docs.length * k)!;
  const sigsAt = pool.sets.placeOf(sigs)![0];
  for (let d = 0; d < docs.length; d++) {
    const doc = docs[d]!;
    sigs.set(doc.signature, d * k);
    doc.signature = MOVED;
  }
  // each pair's two ends side by side, in document order
  const { ends } = candidatePairsOfSignatures(sigs, docs.length, k, bands, rows, {
    maxBucket: DEFAULTS.maxBucket,
    window: DEFAULTS.bucketWindow,
  });
  const candidates = ends.length / 2;

  // Pairs worth an exact look: sizes that can match, and an estimate not hopelessly low. The
  // estimate is tested by the workers (verifyPairs), and here too for a pair whose sets would
  // have to be read again, so that hopeless pairs are not the reason to read a file twice.
  // (filtered in place: the pairs stay in order)
  let verifying = 0;
  let allKept = true;
  for (let d = 0; d < docs.length && allKept; d++) if (docs[d]!.set === null) allKept = false;
  if (metric === 'containment' && allKept) {
    // any sizes can match, and with every set at hand the workers test the estimates
    verifying = candidates;
  } else if (candidates > 0) {
    // in the kernel, in the shared memory: each document's size and whether its set is at hand, then the pairs
    const { sets } = pool;
    const mark = sets.used;
    sets.limit = mark + setBytes(docs.length) + setBytes(Math.ceil(docs.length / 4)) + setBytes(ends.length);
    const sizes = sets.alloc(docs.length)!;
    const kept = sets.alloc(Math.ceil(docs.length / 4))!;
    const keptBytes = new Uint8Array(kept.buffer, kept.byteOffset, docs.length);
    for (let d = 0; d < docs.length; d++) {
      sizes[d] = docs[d]!.info.shingles;
      keptBytes[d] = docs[d]!.set === null ? 0 : 1;
    }
    const pairs = sets.alloc(ends.length)!;
    pairs.set(ends);
    // in slices over the threads; each slice's kept pairs are written over its first ones
    const pairsAt = sets.placeOf(pairs)![0];
    const sizesAt = sets.placeOf(sizes)![0];
    const slice = Math.max(4096, Math.ceil(candidates / (pool.threads * 16)));
    const tasks: ScreenTask[] = sliceTasks(pairsAt, candidates, slice, {
      metric,
      threshold,
      sizes: sizesAt,
      kept: kept.byteOffset,
      signatures: { at: sigsAt, k },
    });
    let first = 0;
    await pool.screen(tasks, (n) => {
      ends.set(pairs.subarray(2 * first, 2 * (first + n)), 2 * verifying);
      verifying += n;
      first += slice;
    });
    sets.release(mark);
  }

  timings.candidates = performance.now() - t;
  t = performance.now();
  const scored: ScoredPair[] = [];
  // pairs given up on their sets' heads count as checked (verification would have counted them)
  const { pairs: toVerify, givenUp } = allKept
    ? { pairs: ends.subarray(0, 2 * verifying), givenUp: 0 }
    : await prescreenSpilled(docs, ends.subarray(0, 2 * verifying), settings, pool);
  let checked = givenUp;
  await inChunksWithSets(docs, files, toVerify, settings, pool, async (chunk, placesAt) => {
    // the chunk's pairs, in the shared memory (freed with the chunk's sets); the kernel writes
    // the pairs it keeps over the first ones of each slice
    const { sets } = pool;
    const count = chunk.length / 2;
    sets.limit = sets.used + setBytes(chunk.length);
    const pairs = sets.alloc(chunk.length)!;
    pairs.set(chunk);
    const pairsAt = sets.placeOf(pairs)![0];
    // slices small enough to spread over the threads (the last ones end together), large
    // enough to amortise a message
    const slice = Math.max(256, Math.ceil(count / (pool.threads * 32)));
    const tasks: VerifyTask[] = sliceTasks(pairsAt, count, slice, { metric, threshold, places: placesAt, signatures: { at: sigsAt, k } });
    let first = 0;
    await pool.verify(tasks, ({ kept, checked: n }) => {
      checked += n;
      // the kept pairs of this slice, written over its first pairs: (index in the slice, shared)
      for (let x = 0; x < kept; x++) {
        const p = first + pairs[2 * (first + x)]!;
        const shared = pairs[2 * (first + x) + 1]!;
        const a = chunk[2 * p]!;
        const b = chunk[2 * p + 1]!;
        const s = scoresOf(shared, docs[a]!.info.shingles, docs[b]!.info.shingles);
        if (meetsThreshold(metric, threshold, s)) scored.push({ a, b, jaccard: s.jaccard, containment: s.containment });
      }
      first += slice;
    });
  });
  timings.verify = performance.now() - t;
  // chunks come in pair order, so `scored` is ordered by (a, b)
  return { scored, candidates, checked };
}

/**
 * Before whole spilled sets are read back (inChunksWithSets), the pairs that need one are put to
 * shared()'s first two looks (SharedSets.prescreen) with only the heads of the spilled sets
 * read back (an eighth of each set): most candidates far from the threshold are given up
 * there, so their sets are not read whole (nor, when the memory holds only part of them, again
 * for chunk after chunk). Heads are read for consecutive chunks of these pairs, within half the
 * memory budget. Returns the pairs left, in order, and how many were given up.
 */
async function prescreenSpilled(docs: Doc[], pairs: Uint32Array, settings: ResolvedOptions, pool: WorkPool): Promise<{ pairs: Uint32Array; givenUp: number }> {
  const count = pairs.length / 2;
  // the pairs that need a spilled set, all of whose sets are at hand or spilled (a byte a
  // document: 0 its set at hand, 1 spilled, 2 neither)
  const state = new Uint8Array(docs.length);
  for (let d = 0; d < docs.length; d++) state[d] = docs[d]!.set ? 0 : docs[d]!.spill ? 1 : 2;
  const picked = new Uint32Array(count);
  let picks = 0;
  for (let p = 0; p < count; p++) {
    if ((state[pairs[2 * p]!]! | state[pairs[2 * p + 1]!]!) === 1) picked[picks++] = p;
  }
  if (picks === 0) return { pairs, givenUp: 0 };
  const some = picked.subarray(0, picks);
  const drop = new Uint8Array(count);
  let givenUp = 0;
  const { sets } = pool;
  const { metric, threshold } = settings;
  const placesMark = sets.used;
  // made once for all the chunks (a chunk's own work is in proportion to the chunk): each
  // document's size, and where each set is, or the head a chunk read back; `missing`: whether a
  // document has neither (the entries a chunk fills in are put back after it)
  sets.limit = sets.used + setBytes(2 * docs.length) + setBytes(docs.length);
  const places = setPlaces(docs, sets);
  const placesAt = sets.placeOf(places)![0];
  const sizes = sets.alloc(docs.length)!;
  for (let d = 0; d < docs.length; d++) sizes[d] = docs[d]!.info.shingles;
  const sizesAt = sets.placeOf(sizes)![0];
  const missing = state.map((st) => (st === 0 ? 0 : 1));
  const mark = sets.used;
  await inBudgetedChunks(
    docs.length,
    picks,
    (x) => pairs[2 * some[x]!]!,
    (x) => pairs[2 * some[x]! + 1]!,
    (d) => (state[d] === 1 ? setBytes(docs[d]!.spill!.head) : 0),
    chunkBudget(settings),
    async (from, to, need, bytes) => {
      const n = to - from;
      sets.limit = mark + bytes + setBytes(2 * n);
      // in document order, which is about the order of the heads in their files (read in runs)
      need.sort((x, y) => x - y);
      const heads = await pool.readSpilled(
        need.map((d) => docs[d]!.spill!),
        true,
      );
      need.forEach((d, i) => {
        if (!heads[i]) return;
        places.set(sets.placeOf(heads[i]!)!, 2 * d);
        missing[d] = 0;
      });
      // the chunk's pairs whose sets (or heads) are all at hand; the others go on as they are
      const chunk = sets.alloc(2 * n)!;
      const at: number[] = [];
      for (let x = from; x < to; x++) {
        const p = some[x]!;
        const a = pairs[2 * p]!;
        const b = pairs[2 * p + 1]!;
        if (missing[a] || missing[b]) continue;
        chunk[2 * at.length] = a;
        chunk[2 * at.length + 1] = b;
        at.push(p);
      }
      const chunkAt = sets.placeOf(chunk)![0];
      const slice = Math.max(256, Math.ceil(at.length / (pool.threads * 32)));
      const tasks: PrescreenTask[] = sliceTasks(chunkAt, at.length, slice, { metric, threshold, places: placesAt, sizes: sizesAt });
      let first = 0;
      await pool.prescreen(tasks, (kept) => {
        // the slice's pairs let through: their indexes, written over its first elements
        const end = Math.min(first + slice, at.length);
        givenUp += end - first - kept;
        let next = 0;
        for (let x = first; x < end; x++) {
          if (next < kept && chunk[2 * first + next] === x - first) next++;
          else drop[at[x]!] = 1;
        }
        first = end;
      });
      for (const d of need) missing[d] = 1;
      sets.release(mark);
    },
  );
  sets.release(placesMark);
  if (givenUp === 0) return { pairs, givenUp };
  const left = new Uint32Array(2 * (count - givenUp));
  let w = 0;
  for (let p = 0; p < count; p++) {
    if (drop[p]) continue;
    left[w++] = pairs[2 * p]!;
    left[w++] = pairs[2 * p + 1]!;
  }
  return { pairs: left, givenUp };
}

/**
 * Tasks over the `count` pairs at element offset `pairsAt` of the shared memory, `slice` pairs
 * each (the last one the rest): `common`'s fields, and each slice's pairs and count.
 */
function sliceTasks<C>(pairsAt: number, count: number, slice: number, common: C): (C & { pairs: number; count: number })[] {
  const tasks: (C & { pairs: number; count: number })[] = [];
  for (let s = 0; s < count; s += slice) tasks.push({ ...common, pairs: pairsAt + 2 * s, count: Math.min(slice, count - s) });
  return tasks;
}

/**
 * A table, allocated in the shared memory, of where each document's set is there (its offset
 * and length at 2d and 2d + 1); the entries of documents without a set are left unset.
 */
function setPlaces(docs: readonly Doc[], sets: SharedSets): Uint32Array {
  const places = sets.alloc(2 * docs.length)!;
  for (let d = 0; d < docs.length; d++) {
    const set = docs[d]!.set;
    if (set) places.set(sets.placeOf(set)!, 2 * d);
  }
  return places;
}

/** The bytes of sets that one chunk of verification may read back (half the memory budget, or the floor). */
export function chunkBudget(settings: ResolvedOptions): number {
  return Math.max(settings.memoryBudget / 2, DEFAULTS.minSetChunk);
}

/**
 * Cuts `count` pairs (ends a(x) and b(x), documents < `documents`) into consecutive chunks such
 * that the documents a chunk needs (bytesOf(d) > 0: the bytes it needs in memory) take at most
 * about `budget` bytes (a chunk ends with the pair that passes it), and runs each chunk in turn
 * with the documents it needs (each once) and their bytes.
 */
export async function inBudgetedChunks(
  documents: number,
  count: number,
  a: (x: number) => number,
  b: (x: number) => number,
  bytesOf: (d: number) => number,
  budget: number,
  run: (from: number, to: number, need: number[], bytes: number) => Promise<void>,
): Promise<void> {
  // the chunk that last took each document (chunks are numbered from 1)
  const takenBy = new Uint32Array(documents);
  let chunk = 1;
  let from = 0;
  let need: number[] = [];
  let bytes = 0;
  const want = (d: number) => {
    const n = bytesOf(d);
    if (n > 0 && takenBy[d] !== chunk) {
      takenBy[d] = chunk;
      need.push(d);
      bytes += n;
    }
  };
  for (let x = 0; x < count; x++) {
    want(a(x));
    want(b(x));
    if (bytes > budget || x === count - 1) {
      await run(from, x + 1, need, bytes);
      from = x + 1;
      need = [];
      bytes = 0;
      chunk++;
    }
  }
}

/**
 * Calls `verify` on consecutive chunks of `pairs` (each pair's two ends side by side, kept in
 * order) such that, during each call, the shingle sets of every document in the chunk are in
 * memory. Sets that were not kept at load time are read back (or made again) for one chunk at
 * a time, within half the memory budget, and freed after it.
 */
async function inChunksWithSets(
  docs: Doc[],
  files: readonly InputFile[],
  pairs: Uint32Array,
  settings: ResolvedOptions,
  pool: WorkPool,
  verify: (chunk: Uint32Array, placesAt: number) => Promise<void>,
): Promise<void> {
  // the table of where each set is, made once: a chunk fills in the entries of the sets it reads
  // again (work in proportion to the chunk, not to the corpus, however small the chunks)
  const { sets } = pool;
  sets.limit = sets.used + setBytes(2 * docs.length);
  const places = setPlaces(docs, sets);
  const placesAt = sets.placeOf(places)![0];
  if (docs.every((d) => d.set !== null)) {
    // every set at hand: one chunk
    if (pairs.length) await verify(pairs, placesAt);
    return;
  }
  // sets read again are made above what loading kept, and freed after their chunk
  const mark = sets.used;
  await inBudgetedChunks(
    docs.length,
    pairs.length / 2,
    (x) => pairs[2 * x]!,
    (x) => pairs[2 * x + 1]!,
    (d) => (docs[d]!.set === null ? setBytes(docs[d]!.info.shingles) : 0),
    chunkBudget(settings),
    async (from, to, need, bytes) => {
      let chunk = pairs.subarray(2 * from, 2 * to);
      if (need.length) {
        sets.limit = mark + bytes;
        await reloadSets(need, docs, files, settings, pool);
        for (const d of need) {
          const set = docs[d]!.set;
          if (set) places.set(sets.placeOf(set)!, 2 * d);
        }
        // a file that changed or vanished since it was loaded has no set now: its pairs are dropped
        if (need.some((d) => docs[d]!.set === null)) {
          const kept: number[] = [];
          for (let p = 0; p < chunk.length; p += 2) {
            if (docs[chunk[p]!]!.set !== null && docs[chunk[p + 1]!]!.set !== null) kept.push(chunk[p]!, chunk[p + 1]!);
          }
          chunk = Uint32Array.from(kept);
        }
      }
      if (chunk.length) await verify(chunk, placesAt);
      for (const d of need) docs[d]!.set = null;
      sets.release(mark);
    },
  );
}
