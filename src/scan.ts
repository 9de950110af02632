/**
 * The scan pipeline: walk -> load (read, extract, sketch; in worker threads) -> LSH candidates
 * -> estimate filter -> exact verification -> groups. Returns data; never prints.
 *
 * Memory: signatures are kept for every document; shingle sets (needed only to verify
 * candidates) are kept up to `memoryBudget` bytes, and recomputed in bounded batches for the
 * documents with candidates when they were not kept.
 */
import { kindFromPath, type DocumentKind } from './corpus/extract.js';
import { walk } from './corpus/walk.js';
import { candidatePairs, unpackPair } from './match/candidates.js';
import { components } from './match/cluster.js';
import { estimateCanMatch, jaccardFloor, sizesCanMatch, type VerifyTask } from './match/verify.js';
import { DEFAULTS, resolveOptions, type ResolvedOptions, type ScanOptionsInput } from './options.js';
import type { LoadResult, LoadTask } from './sketch/load.js';
import { bandKeys } from './sketch/lsh.js';
import { WorkPool, defaultThreads } from './sketch/pool.js';
import type { DocumentInfo, ErrorRecord, Group, ScanEvent, ScanResult, ScoredPair, SkipRecord, WarningRecord } from './types.js';

export interface ScanHooks {
  /** Called as skips, errors and warnings happen (in path order), and with progress. */
  onEvent?: (event: ScanEvent) => void;
}

export interface ScanInput extends ScanOptionsInput {
  /** Follow symbolic links to folders. */
  follow?: boolean;
}

interface FileTask {
  path: string;
  absPath: string;
  size: number;
  kind: DocumentKind;
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export async function findNearDuplicates(
  paths: readonly string[],
  input: ScanInput = {},
  hooks: ScanHooks = {},
): Promise<ScanResult> {
  const started = performance.now();
  const settings = resolveOptions(input);
  const emit = hooks.onEvent ?? (() => {});
  const skipped: SkipRecord[] = [];
  const errors: ErrorRecord[] = [];
  const warnings: WarningRecord[] = [];
  const skip = (s: SkipRecord) => {
    skipped.push(s);
    emit({ type: 'skip', skip: s });
  };
  const error = (e: ErrorRecord) => {
    errors.push(e);
    emit({ type: 'error', error: e });
  };
  const warn = (w: WarningRecord) => {
    warnings.push(w);
    emit({ type: 'warning', warning: w });
  };

  const roots = paths.length ? paths : ['.'];
  const files: FileTask[] = [];
  let fileCount = 0;
  const walkOptions = { hidden: settings.hidden, respectIgnore: settings.respectIgnore, globs: settings.globs, follow: input.follow ?? false };
  for (const entry of walk(roots, walkOptions)) {
    if (entry.kind === 'error') {
      error({ path: entry.path, message: entry.message });
      continue;
    }
    fileCount++;
    if (entry.kind === 'skip') {
      skip({ path: entry.path, reason: entry.reason, detail: entry.detail });
      continue;
    }
    const kind = kindFromPath(entry.path) ?? (entry.explicit ? 'text' : undefined);
    if (!kind) {
      skip({ path: entry.path, reason: 'unsupported-type', detail: 'not a .txt, .md or .html file' });
      continue;
    }
    files.push({ path: entry.path, absPath: entry.absPath, size: entry.size, kind });
  }
  files.sort(byPath);
  const timings = { walk: performance.now() - started, load: 0, candidates: 0, verify: 0, group: 0 };

  const pool = new WorkPool(settings, settings.threads || defaultThreads());
  try {
    let t = performance.now();
    const docs = await loadAll(files, settings, pool, { skip, error, warn, emit });
    timings.load = performance.now() - t;
    const pairs = await matchDocuments(docs, files, settings, pool, timings);
    t = performance.now();
    const groups = buildGroups(docs.length, pairs);
    timings.group = performance.now() - t;
    const documents = docs.map((d) => d.info);
    return {
      settings,
      documents,
      groups,
      pairs: pairs.scored,
      skipped,
      errors,
      warnings,
      stats: {
        files: fileCount,
        documents: documents.length,
        skipped: skipped.length,
        failed: errors.length,
        short: documents.filter((d) => d.units < settings.shingle.size).length,
        candidates: pairs.candidates,
        verified: pairs.checked,
        groups: groups.length,
        duplicateDocuments: groups.reduce((n, g) => n + g.members.length, 0),
        pairs: pairs.scored.length,
      },
      elapsedMs: performance.now() - started,
      timings,
    };
  } finally {
    await pool.close();
  }
}

interface Doc {
  info: DocumentInfo;
  /** Index of the file in `files` (to reload it). */
  file: number;
  signature: Uint32Array;
  /** Sorted distinct shingles, or null when not kept (over the memory budget). */
  set: Uint32Array | null;
}

interface Sinks {
  skip(s: SkipRecord): void;
  error(e: ErrorRecord): void;
  warn(w: WarningRecord): void;
  emit(e: ScanEvent): void;
}

function task(files: readonly FileTask[], i: number, settings: ResolvedOptions): LoadTask {
  const f = files[i]!;
  return { index: i, path: f.path, absPath: f.absPath, size: f.size, kind: f.kind, maxFileSize: settings.maxFileSize, wantSet: true };
}

async function loadAll(files: readonly FileTask[], settings: ResolvedOptions, pool: WorkPool, sinks: Sinks): Promise<Doc[]> {
  const docs: Doc[] = [];
  let kept = 0;
  let done = 0;
  sinks.emit({ type: 'progress', done: 0, total: files.length });
  await pool.load(
    files.map((_, i) => task(files, i, settings)),
    (r: LoadResult) => {
      const f = files[r.index]!;
      sinks.emit({ type: 'progress', done: ++done, total: files.length });
      if (r.status !== 'error' && r.warning) sinks.warn({ path: f.path, message: r.warning });
      if (r.status === 'error') return sinks.error({ path: f.path, message: r.message });
      if (r.status === 'skip') return sinks.skip({ path: f.path, reason: r.reason, detail: r.detail });
      const set = r.set;
      if (set) kept += set.byteLength;
      docs.push({
        info: { index: docs.length, path: f.path, kind: f.kind, ...r.meta },
        file: r.index,
        signature: r.signature,
        set,
      });
    },
    () => kept < settings.memoryBudget,
  );
  return docs;
}

interface Matched {
  scored: ScoredPair[];
  candidates: number;
  checked: number;
}

async function matchDocuments(
  docs: Doc[],
  files: readonly FileTask[],
  settings: ResolvedOptions,
  pool: WorkPool,
  timings: NonNullable<ScanResult['timings']>,
): Promise<Matched> {
  const { bands, rows, metric, threshold } = settings;
  let t = performance.now();
  const keys = new Uint32Array(docs.length * bands);
  const scratch = new Uint32Array(bands);
  for (let d = 0; d < docs.length; d++) keys.set(bandKeys(docs[d]!.signature, bands, rows, scratch), d * bands);
  const { pairs: packed } = candidatePairs(keys, docs.length, bands, () => true, {
    maxBucket: DEFAULTS.maxBucket,
    window: DEFAULTS.bucketWindow,
  });

  // Pairs worth an exact look: sizes that can match, and an estimate not hopelessly low
  // (filtered in place: `packed` is not needed afterwards).
  let kept = 0;
  for (let p = 0; p < packed.length; p++) {
    const [i, j] = unpackPair(packed[p]!);
    const a = docs[i]!;
    const b = docs[j]!;
    const na = a.info.shingles;
    const nb = b.info.shingles;
    if (!sizesCanMatch(metric, threshold, na, nb)) continue;
    if (!estimateCanMatch(a.signature, b.signature, jaccardFloor(metric, threshold, na, nb))) continue;
    packed[kept++] = packed[p]!;
  }
  const toVerify = packed.subarray(0, kept);
  const candidates = packed.length;

  timings.candidates = performance.now() - t;
  t = performance.now();
  const scored: ScoredPair[] = [];
  await inChunksWithSets(docs, files, toVerify, settings, pool, async (chunk) => {
    // slices small enough to spread over the workers, large enough to amortise a message
    const slice = Math.max(256, Math.ceil(chunk.length / (pool.threads * 8)));
    const tasks: VerifyTask[] = [];
    for (let s = 0; s < chunk.length; s += slice) {
      const pairs = Float64Array.from(chunk.slice(s, s + slice));
      const inSlice = new Set<number>();
      for (const code of pairs) {
        const [i, j] = unpackPair(code);
        inSlice.add(i);
        inSlice.add(j);
      }
      const ds = [...inSlice];
      tasks.push({ metric, threshold, pairs, docs: ds, sets: ds.map((d) => docs[d]!.set!) });
    }
    await pool.verify(tasks, (triples) => {
      for (let t = 0; t < triples.length; t += 3) {
        const [a, b] = unpackPair(triples[t]!);
        scored.push({ a, b, jaccard: triples[t + 1]!, containment: triples[t + 2]! });
      }
    });
  });
  timings.verify = performance.now() - t;
  // chunks come in pair order, so `scored` is ordered by (a, b)
  return { scored, candidates, checked: toVerify.length };
}

/**
 * Calls `verify` on consecutive chunks of `pairs` (kept in order) such that, during each call,
 * the shingle sets of every document in the chunk are in memory. Sets that were not kept at
 * load time are recomputed in the pool for one chunk at a time, within a quarter of the budget,
 * and dropped after it.
 */
async function inChunksWithSets(
  docs: Doc[],
  files: readonly FileTask[],
  pairs: Float64Array,
  settings: ResolvedOptions,
  pool: WorkPool,
  verify: (chunk: readonly number[]) => Promise<void>,
): Promise<void> {
  let chunk: number[] = [];
  let need: number[] = [];
  const needed = new Set<number>();
  let bytes = 0;
  const run = async () => {
    if (need.length) {
      const docOfFile = new Map(need.map((d) => [docs[d]!.file, d]));
      await pool.load(
        // own buffers, not the shared arena: they are dropped after this chunk
        need.map((d) => ({ ...task(files, docs[d]!.file, settings), setMemory: 'own' as const })),
        (r) => {
          if (r.status === 'ok') docs[docOfFile.get(r.index)!]!.set = r.set;
        },
      );
    }
    // a file that changed or vanished since it was loaded has no set now: its pairs are dropped
    await verify(chunk.filter((code) => {
      const [i, j] = unpackPair(code);
      return docs[i]!.set !== null && docs[j]!.set !== null;
    }));
    for (const d of need) docs[d]!.set = null;
    chunk = [];
    need = [];
    needed.clear();
    bytes = 0;
  };
  for (const code of pairs) {
    const [i, j] = unpackPair(code);
    for (const d of [i, j]) {
      if (docs[d]!.set === null && !needed.has(d)) {
        needed.add(d);
        need.push(d);
        bytes += docs[d]!.info.shingles * 4;
      }
    }
    chunk.push(code);
    if (bytes > settings.memoryBudget / 4) await run();
  }
  if (chunk.length) await run();
}

function buildGroups(count: number, matched: Matched): Group[] {
  const pairs = matched.scored;
  const comps = components(
    count,
    pairs.map((p) => [p.a, p.b] as const),
  );
  const groupOf = new Map<number, number>();
  comps.forEach((members, g) => members.forEach((m) => groupOf.set(m, g)));
  const pairsOf: ScoredPair[][] = comps.map(() => []);
  for (const p of pairs) pairsOf[groupOf.get(p.a)!]!.push(p);
  const groups = comps.map((members, g) => ({ members, pairs: pairsOf[g]! }));
  // Largest first; ties by the first member's path (members are in path order).
  groups.sort((x, y) => y.members.length - x.members.length || x.members[0]! - y.members[0]!);
  return groups.map((g, i) => ({ id: i + 1, ...g }));
}
