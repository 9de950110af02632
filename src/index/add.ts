/**
 * `index add`: walks, reads and sketches files the way `scan` does, and stores them, one
 * transaction per batch. Incremental: a file whose extracted text has the stored content hash
 * is not sketched again; a changed file replaces its entry; a file that is now skipped (empty,
 * binary, too large) leaves the index; with `prune`, entries whose files are gone are removed.
 */
import { lstatSync } from 'node:fs';
import { bandKeys } from '../core/lsh.js';
import type { LoadResult } from '../engine/load.js';
import { defaultThreads, smallScan, WorkPool } from '../engine/pool.js';
import { Sketcher } from '../engine/sketch.js';
import { collectFiles, type FileToRead, fileLoadTask, type LoadedDocument, loadedFile, RunRecords, readDocument, sketchDocument } from '../engine/steps.js';
import { NearDupError } from '../model/errors.js';
import type { ResolvedIndexOptions } from '../model/settings.js';
import type { Failure, Skip, Warning } from '../model/types.js';
import { type IndexOptionsInput, indexSettingsOf, resolveIndexOptions } from '../options/index-db.js';
import { type IndexHooks, type IndexPaths, openIndex } from './open.js';
import type { BatchOutcome, NewEntry } from './store/store.js';

export interface IndexAddResult {
  /** The index, as named. */
  db: string;
  settings: ResolvedIndexOptions;
  counts: {
    /** Files found by the walk (read, skipped or failed). */
    files: number;
    added: number;
    updated: number;
    unchanged: number;
    /** Entries removed: files now skipped, and with prune, files gone. */
    removed: number;
    skipped: number;
    failed: number;
    /** Documents in the index afterwards. */
    documents: number;
  };
  /** Paths (relative to the working folder), sorted. */
  added: string[];
  updated: string[];
  removed: string[];
  skipped: Skip[];
  errors: Failure[];
  warnings: Warning[];
  elapsedMs: number;
}

function entryOf(key: string, d: LoadedDocument, o: ResolvedIndexOptions): NewEntry {
  const { contentHash, kind, encoding, bytes, chars, units } = d.info;
  const entry: NewEntry = {
    key,
    contentHash,
    kind,
    encoding,
    bytes,
    chars,
    units,
    shingleCount: d.shingles.length,
    signature: d.signature,
    bandKeys: bandKeys(d.signature, o.bands, o.rows),
  };
  if (o.storeShingles) entry.shingles = d.shingles;
  return entry;
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

export async function addToIndex(paths: readonly string[], input: IndexOptionsInput = {}, hooks: IndexHooks = {}): Promise<IndexAddResult> {
  const started = performance.now();
  if (paths.includes('-')) {
    throw new NearDupError('EUSAGE', "index add cannot read standard input ('-'): the index keeps files by their path; save the input to a file and add that");
  }
  const records = new RunRecords(hooks.onEvent);
  const index = await openIndex(input, 'create', hooks);
  let pool: WorkPool | undefined;
  try {
    const { store } = index;
    // A new index records this run's settings; if another writer created it first, its settings win.
    const recorded = await store.initSettings(indexSettingsOf(index.options));
    const options = resolveIndexOptions(input, recorded);
    const { files, found } = collectFiles(paths.length ? paths : ['.'], options, records);
    const sketcher = new Sketcher(options);
    // new files are read and sketched in worker threads, a batch ahead: the next batch loads
    // while this thread writes one (sets in memory of their own, let go once written)
    const bytes = files.reduce((n, f) => n + f.size, 0);
    const threads = options.threads || (smallScan(files.length, bytes) ? 1 : defaultThreads());
    pool = new WorkPool(options, threads, 0);
    const outcome: BatchOutcome = { added: [], replaced: [], unchanged: [], removed: [] };
    const merge = (o: BatchOutcome) => {
      for (const k of ['added', 'replaced', 'unchanged', 'removed'] as const) outcome[k].push(...o[k]);
    };
    const batches: { batch: FileToRead[]; keys: string[]; known: Map<string, string> }[] = [];
    for (let start = 0; start < files.length; start += options.batchSize) {
      const batch = files.slice(start, start + options.batchSize);
      batches.push({ batch, keys: batch.map((f) => index.paths.keyOf(String(f.absPath))), known: new Map() });
    }
    // looks the batch's files up and sends the new ones to the workers (they go on while this
    // thread writes the batch before)
    const startBatch = async (b: number): Promise<{ loads: Promise<LoadResult[]> }> => {
      const { batch, keys } = batches[b]!;
      const known = await store.lookup(keys);
      batches[b]!.known = known;
      const loads = pool!.loadAhead(batch.flatMap((f, i) => (known.has(keys[i]!) ? [] : [fileLoadTask(f, options.maxFileSize, i)])));
      // (a failure is seen when the results are awaited)
      loads.catch(() => {});
      return { loads };
    };
    let next = batches.length ? await startBatch(0) : undefined;
    for (let b = 0; b < batches.length; b++) {
      const loads = new Map<number, LoadResult>();
      for (const r of await next!.loads) loads.set(r.index, r);
      next = b + 1 < batches.length ? await startBatch(b + 1) : undefined;
      const { batch, keys, known } = batches[b]!;
      const start = b * options.batchSize;
      const put: NewEntry[] = [];
      const remove: string[] = [];
      for (let i = 0; i < batch.length; i++) {
        records.emit({ type: 'progress', done: start + i, total: files.length });
        const key = keys[i]!;
        if (!known.has(key)) {
          // new to the index: read and sketched in one step (plain ASCII from its bytes)
          const loaded = loadedFile(loads.get(i)!, batch[i]!, records);
          if (loaded) put.push(entryOf(key, loaded, options));
          continue;
        }
        const skippedBefore = records.skipped.length;
        const doc = readDocument(batch[i]!, options.maxFileSize, records);
        if (!doc) {
          // skipped now (binary, too large): its entry goes; unreadable: its entry stays
          if (records.skipped.length > skippedBefore && known.has(key)) remove.push(key);
          continue;
        }
        if (known.get(key) === doc.contentHash) {
          outcome.unchanged.push(key);
          continue;
        }
        const loaded = sketchDocument(doc, sketcher, 0, records);
        if (loaded) put.push(entryOf(key, loaded, options));
        else if (known.has(key)) remove.push(key); // now empty
      }
      merge(await store.write({ put, remove }));
    }
    records.emit({ type: 'progress', done: files.length, total: files.length });
    if (options.prune) {
      const gone = (await store.keys()).filter((k) => !exists(index.paths.absOf(k)));
      merge(await store.write({ put: [], remove: gone }));
    }
    return summarize(index.paths, options, outcome, found, records, await store.count(), started);
  } finally {
    await pool?.close();
    await index.close();
  }
}

function summarize(
  paths: IndexPaths,
  settings: ResolvedIndexOptions,
  outcome: BatchOutcome,
  files: number,
  records: RunRecords,
  documents: number,
  started: number,
): IndexAddResult {
  const shown = (keys: string[]) => keys.map((k) => paths.displayOf(k)).sort();
  return {
    db: settings.db,
    settings,
    counts: {
      files,
      added: outcome.added.length,
      updated: outcome.replaced.length,
      unchanged: outcome.unchanged.length,
      removed: outcome.removed.length,
      skipped: records.skipped.length,
      failed: records.errors.length,
      documents,
    },
    added: shown(outcome.added),
    updated: shown(outcome.replaced),
    removed: shown(outcome.removed),
    skipped: records.skipped,
    errors: records.errors,
    warnings: records.warnings,
    elapsedMs: performance.now() - started,
  };
}
