/**
 * `index add`: walks, reads and sketches files the way `scan` does, and stores them, one
 * transaction per batch. Incremental: a file whose extracted text has the stored content hash
 * is not sketched again; a changed file replaces its entry; a file that is now skipped (empty,
 * binary, too large) leaves the index; with `prune`, entries whose files are gone are removed.
 */
import { lstatSync } from 'node:fs';
import { bandKeys } from '../core/lsh.js';
import { fileLoadTask } from '../engine/documents.js';
import { collectInputs, type InputFile, type Inputs, placeOf } from '../engine/inputs.js';
import type { LoadResult } from '../engine/load.js';
import { RunLog } from '../engine/log.js';
import { threadsFor, WorkPool } from '../engine/pool.js';
import { NearDupError } from '../model/errors.js';
import type { IndexAddResult } from '../model/index-results.js';
import type { ResolvedIndexOptions } from '../model/settings.js';
import { type IndexOptionsInput, indexSettingsOf, resolveIndexOptions } from '../options/index-db.js';
import { type IndexHooks, type IndexPaths, openIndex, RECORDS_NOT_INDEXED } from './open.js';
import type { BatchOutcome, NewEntry } from './store/store.js';

/** The entry of a file loaded (read and sketched) under `key`. */
function entryOf(key: string, file: InputFile, r: Extract<LoadResult, { status: 'ok' }>, o: ResolvedIndexOptions): NewEntry {
  const { contentHash, encoding, bytes, chars, units, shingles } = r.meta;
  const entry: NewEntry = {
    key,
    contentHash,
    kind: file.kind.document ?? 'text',
    encoding,
    bytes,
    chars,
    units,
    shingleCount: shingles,
    signature: r.signature,
    bandKeys: bandKeys(r.signature, o.bands, o.rows),
  };
  if (o.storeShingles && r.set) entry.shingles = r.set;
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
  const log = new RunLog(hooks.onEvent);
  const index = await openIndex(input, 'create', hooks);
  let pool: WorkPool | undefined;
  let inputs: Inputs | undefined;
  try {
    const { store } = index;
    // A new index records this run's settings; if another writer created it first, its settings win.
    const recorded = await store.initSettings(indexSettingsOf(index.options));
    const options = resolveIndexOptions(input, recorded);
    inputs = await collectInputs(paths, options, log, { follow: options.follow, documentsOnly: RECORDS_NOT_INDEXED, stdin: input.stdin });
    // The index keeps documents by their names as text: a name that is not valid UTF-8 would be
    // kept under another name (its bytes replaced), which two such files could share and which
    // --prune would find gone. It is refused, by name.
    const files: InputFile[] = [];
    for (const file of inputs.files) {
      if (file.pathBytes)
        log.error({ ...placeOf(file), message: 'its name is not valid UTF-8: the index keeps documents by their names as text (rename it to index it)' });
      else files.push(file);
    }
    // files are read and sketched in worker threads, a batch ahead: the next batch loads while
    // this thread writes one (sets in memory of their own, let go once written); a file the
    // index holds is sketched only if its text changed
    pool = new WorkPool(options, threadsFor(options.threads, files), 0);
    const outcome: BatchOutcome = { added: [], replaced: [], unchanged: [], removed: [] };
    const merge = (o: BatchOutcome) => {
      for (const k of ['added', 'replaced', 'unchanged', 'removed'] as const) outcome[k].push(...o[k]);
    };
    const batches: { batch: InputFile[]; keys: string[]; known: Map<string, string> }[] = [];
    for (let start = 0; start < files.length; start += options.batchSize) {
      const batch = files.slice(start, start + options.batchSize);
      batches.push({ batch, keys: batch.map((f) => index.paths.keyOf(String(f.absPath))), known: new Map() });
    }
    // looks the batch's files up and sends them to the workers (they go on while this thread
    // writes the batch before)
    const startBatch = async (b: number): Promise<{ loads: Promise<LoadResult[]> }> => {
      const { batch, keys } = batches[b]!;
      const known = await store.lookup(keys);
      batches[b]!.known = known;
      const tasks = batch.map((f, i) => {
        const task = fileLoadTask(f, i, options);
        const hash = known.get(keys[i]!);
        if (hash !== undefined) task.unlessHash = hash;
        return task;
      });
      const loads = pool!.loadAhead(tasks);
      // (a failure is seen when the results are awaited)
      loads.catch(() => {});
      return { loads };
    };
    let next = batches.length ? await startBatch(0) : undefined;
    for (let b = 0; b < batches.length; b++) {
      const loads = await next!.loads;
      next = b + 1 < batches.length ? await startBatch(b + 1) : undefined;
      const { batch, keys, known } = batches[b]!;
      const start = b * options.batchSize;
      const put: NewEntry[] = [];
      const remove: string[] = [];
      for (let i = 0; i < batch.length; i++) {
        log.emit({ type: 'progress', done: start + i, total: files.length });
        const key = keys[i]!;
        const file = batch[i]!;
        const r = loads[i]!;
        const place = placeOf(file);
        if (r.status !== 'error' && r.warning) log.warning({ ...place, message: r.warning });
        if (r.status === 'unchanged') outcome.unchanged.push(key);
        else if (r.status === 'ok') put.push(entryOf(key, file, r, options));
        else if (r.status === 'error')
          log.error({ ...place, message: r.message }); // unreadable: its entry stays
        else {
          log.skip({ ...place, reason: r.reason, detail: r.detail });
          // skipped now (binary, too large, empty): its entry goes
          if (known.has(key)) remove.push(key);
        }
      }
      merge(await store.write({ put, remove }));
    }
    log.emit({ type: 'progress', done: files.length, total: files.length });
    if (options.prune) {
      const gone = (await store.keys()).filter((k) => !exists(index.paths.absOf(k)));
      merge(await store.write({ put: [], remove: gone }));
    }
    return summarize(index.paths, options, outcome, inputs.found, log, await store.count(), started);
  } finally {
    await pool?.close();
    inputs?.close();
    await index.close();
  }
}

function summarize(
  paths: IndexPaths,
  settings: ResolvedIndexOptions,
  outcome: BatchOutcome,
  files: number,
  log: RunLog,
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
      skipped: log.skipped.length,
      failed: log.errors.length,
      documents,
    },
    added: shown(outcome.added),
    updated: shown(outcome.replaced),
    removed: shown(outcome.removed),
    skipped: log.skipped,
    errors: log.errors,
    warnings: log.warnings,
    elapsedMs: performance.now() - started,
  };
}
