/**
 * The scan pipeline: walk -> load (read, extract, sketch; in worker threads) -> LSH candidates
 * -> estimate filter -> exact verification -> groups. Returns data; never prints. This module
 * walks and loads; matching (candidates to verified pairs) is src/scan-match.ts, and the files
 * and documents the two share are src/scan-docs.ts.
 *
 * Memory: signatures are kept for every document; shingle sets (needed only to verify
 * candidates) are kept up to `memoryBudget` bytes in the shared set memory; the others are
 * spilled to a temporary file as they are made, and read back in bounded batches for the
 * documents with candidates (or made again, when the file could not be written).
 */
import { readFileSync, rmSync } from 'node:fs';
import { type InputKind, inputKind } from '../corpus/inputs.js';
import type { RecordItem, RecordPlace } from '../corpus/records.js';
import { inputRoots, STDIN_NAME, spoolStdin } from '../corpus/roots.js';
import { type WalkEntry, walk } from '../corpus/walk.js';
import type { FsPath } from '../model/types.js';

export { STDIN_NAME };

import { LSH_RECALL, lshRecall } from '../core/lsh.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { DocumentInfo, ErrorRecord, Place, ScanEvent, ScanResult, SkipRecord, WarningRecord } from '../model/types.js';
import { resolveOptions, type ScanOptionsInput } from '../options/scan.js';
import { type Doc, type FileTask, fileTask, records, textTask } from './documents.js';
import type { LoadResult, TextLoadTask } from './load.js';
import { matchDocuments } from './match.js';
import { defaultThreads, smallScan, WorkPool } from './pool.js';
import { buildGroups } from './steps.js';

export interface ScanHooks {
  /** Called as skips, errors and warnings happen (in path order), and with progress. */
  onEvent?: (event: ScanEvent) => void;
}

export interface ScanInput extends ScanOptionsInput {
  /** Follow symbolic links to folders. */
  follow?: boolean;
  /** What the path `-` and `filesFrom: '-'` read (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

function byPath(a: FileTask, b: FileTask): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return Buffer.compare(a.pathBytes ?? Buffer.alloc(0), b.pathBytes ?? Buffer.alloc(0));
}

/** Standard input, copied to a temporary file so that it can be read again (to verify). */
async function spoolStdinTask(stream: NodeJS.ReadableStream, settings: ResolvedOptions): Promise<{ dir: string; task: FileTask }> {
  const { dir, file, size } = await spoolStdin(stream);
  const kind: InputKind = settings.stdinFormat === 'jsonl' ? { records: 'jsonl', gzip: false } : { document: 'text', gzip: false };
  return { dir, task: { path: STDIN_NAME, absPath: file, size, kind, explicit: true } };
}

export async function findNearDuplicates(paths: readonly FsPath[], input: ScanInput = {}, hooks: ScanHooks = {}): Promise<ScanResult> {
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

  const recall = lshRecall(settings);
  if (recall < LSH_RECALL) {
    const given = input.bands !== undefined || input.rows !== undefined;
    // bands and rows given, or a threshold too low for the permutations: pairs at the threshold will be missed
    warn({
      path: given ? `--bands ${settings.bands} --rows ${settings.rows}` : `--threshold ${settings.threshold}`,
      message:
        `a pair at ${settings.metric} ${settings.threshold} is a candidate with probability ${recall.toFixed(2)} (under ${LSH_RECALL}): ` +
        (given
          ? 'near-duplicates will be missed; leave --bands and --rows out to have them chosen for the threshold'
          : `near-duplicates will be missed; ${settings.numPerm} permutations (${settings.bands} bands of ${settings.rows}) cannot reach so low a threshold: raise it, or --num-perm`),
    });
  }

  const stdin = () => input.stdin ?? process.stdin;
  const roots = await inputRoots(paths, settings, stdin);
  const files: FileTask[] = [];
  let fileCount = 0;
  let spooled: string | undefined;
  let stdinDocument: string | undefined;
  // Worker threads start while the walk goes on, once the scan is big enough to be worth them,
  // and load documents as they are found.
  let pool: WorkPool | undefined;
  let early: EarlyLoads | undefined;
  let bytes = 0;
  const found = (task: FileTask) => {
    files.push(task);
    bytes += task.size;
    if (early) early.add(task);
    else if (settings.threads !== 1 && !smallScan(files.length, bytes)) {
      pool = new WorkPool(settings, settings.threads || defaultThreads(), settings.memoryBudget);
      early = new EarlyLoads(pool, settings, () => files.length, emit);
      for (const f of files) early.add(f);
    }
  };
  try {
    if (roots.includes('-')) {
      const { dir, task } = await spoolStdinTask(stdin(), settings);
      spooled = dir;
      if (task.kind.document) stdinDocument = task.absPath as string;
      found(task);
      fileCount++;
      // standard input is read once: a second `-` is a path given twice
      for (let extra = roots.filter((r) => r === '-').length - 1; extra > 0; extra--) {
        fileCount++;
        skip({ path: STDIN_NAME, reason: 'duplicate-path', detail: "standard input ('-') given more than once: read once" });
      }
    }
    const walkOptions = { hidden: settings.hidden, respectIgnore: settings.respectIgnore, globs: settings.globs, follow: input.follow ?? false };
    const onEntry = (entry: WalkEntry) => {
      const named: Place = entry.pathBytes ? { path: entry.path, pathBytes: entry.pathBytes.toString('base64') } : { path: entry.path };
      if (entry.kind === 'error') return error({ ...named, message: entry.message });
      fileCount++;
      if (entry.kind === 'skip') return skip({ ...named, reason: entry.reason, detail: entry.detail });
      const kind =
        inputKind(entry.path, settings.records === 'auto') ?? (entry.explicit ? { document: 'text' as const, gzip: /\.gz$/i.test(entry.path) } : undefined);
      if (!kind) return skip({ ...named, reason: 'unsupported-type', detail: 'not a text, Markdown, HTML, JSONL, JSON or CSV file' });
      const task: FileTask = { path: entry.path, absPath: entry.absPath, size: entry.size, kind, explicit: entry.explicit };
      if (entry.pathBytes) task.pathBytes = entry.pathBytes;
      found(task);
    };
    await walkEach(
      walk(
        roots.filter((r) => r !== '-'),
        walkOptions,
      ),
      onEntry,
      () => early !== undefined,
    );
    const walkMs = performance.now() - started;
    const loaded = await early?.end();
    files.sort(byPath);
    // a small scan runs in this thread unless threads were asked for: starting them costs more
    pool ??= new WorkPool(settings, settings.threads || 1, settings.memoryBudget);
    const result = await scanFiles(files, fileCount, settings, pool, { skip, error, warn, emit }, { errors, skipped, warnings }, started, walkMs, loaded);
    // what standard input gave, for --explain (its file is removed below)
    if (stdinDocument && result.documents.some((d) => d.path === STDIN_NAME)) result.stdin = readFileSync(stdinDocument);
    return result;
  } finally {
    await pool?.close();
    if (spooled) rmSync(spooled, { recursive: true, force: true });
  }
}

/**
 * Hands each entry of the walk to `onEntry`; while `loading()`, it lets the workers' results in
 * (and more work out) every 32 entries. (A function of its own: the walk's loop is the one that
 * gets optimised while it runs, and a small function is quick to optimise.)
 */
async function walkEach(entries: Iterable<WalkEntry>, onEntry: (entry: WalkEntry) => void, loading: () => boolean): Promise<void> {
  let walked = 0;
  for (const entry of entries) {
    if (loading() && ++walked % 32 === 0) await new Promise(setImmediate);
    onEntry(entry);
  }
}

async function scanFiles(
  files: FileTask[],
  fileCount: number,
  settings: ResolvedOptions,
  pool: WorkPool,
  sinks: Sinks,
  found: Pick<ScanResult, 'errors' | 'skipped' | 'warnings'>,
  started: number,
  walkMs: number,
  loaded: Loaded | undefined,
): Promise<ScanResult> {
  // walk: until the last file was found (documents load meanwhile); load: from then on
  const timings = { walk: walkMs, load: 0, candidates: 0, verify: 0, group: 0 };
  {
    let t = started + walkMs;
    const docs = await loadAll(files, settings, pool, sinks, loaded);
    timings.load = performance.now() - t;
    const pairs = await matchDocuments(docs, files, settings, pool, timings);
    t = performance.now();
    const groups = buildGroups(docs.length, pairs.scored);
    timings.group = performance.now() - t;
    const documents = docs.map((d) => d.info);
    return {
      settings,
      documents,
      groups,
      pairs: pairs.scored,
      ...found,
      stats: {
        files: fileCount,
        documents: documents.length,
        skipped: found.skipped.length,
        failed: found.errors.length,
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
  }
}

interface Sinks {
  skip(s: SkipRecord): void;
  error(e: ErrorRecord): void;
  warn(w: WarningRecord): void;
  emit(e: ScanEvent): void;
}

/** The documents (not record files) loaded while the walk went on, by file. */
interface Loaded {
  results: Map<FileTask, LoadResult>;
}

/**
 * Loads documents (not record files: they are read in path order, after the walk) as the walk
 * finds them, with progress as they come in; their results wait for their turn in path order
 * (see loadAll), so that everything reported is in path order as before.
 */
class EarlyLoads {
  private readonly results = new Map<FileTask, LoadResult>();
  private readonly order: FileTask[] = [];
  private readonly loader: ReturnType<WorkPool['loader']>;

  constructor(
    pool: WorkPool,
    private readonly settings: ResolvedOptions,
    total: () => number,
    emit: (e: ScanEvent) => void,
  ) {
    this.loader = pool.loader((r) => {
      this.results.set(this.order[r.index]!, r);
      emit({ type: 'progress', done: this.results.size, total: total() });
    });
  }

  add(f: FileTask): void {
    if (f.kind.records) return;
    this.order.push(f);
    this.loader.push(fileTask(f, this.order.length - 1, this.settings));
  }

  async end(): Promise<Loaded> {
    await this.loader.end();
    return { results: this.results };
  }
}

/** Records are sketched this many at a time (or fewer, when they hold this much text). */
const RECORD_BATCH = 4096;
const RECORD_BATCH_CHARS = 8 << 20;

/** What names a file, or a place in it. */
function placeOf(f: FileTask, at?: Partial<RecordPlace>): Place {
  const p: Place = { path: f.path };
  if (at?.line !== undefined) {
    p.path = `${f.path}:${at.line}${at.column === undefined ? '' : `:${at.column}`}`;
    p.source = f.path;
    p.line = at.line;
    if (at.column !== undefined) p.column = at.column;
  }
  if (f.pathBytes) p.pathBytes = f.pathBytes.toString('base64');
  return p;
}

/**
 * Reads and sketches every file, in path order: documents in batches through the pool, and
 * record files record by record, streamed, a batch of records at a time. Skips, errors and
 * warnings are reported in path order, and a record's in line order.
 */
async function loadAll(files: readonly FileTask[], settings: ResolvedOptions, pool: WorkPool, sinks: Sinks, loaded?: Loaded): Promise<Doc[]> {
  const docs: Doc[] = [];
  const ids = new Map<string, string>();
  let kept = 0;
  // documents loaded during the walk were counted as they came in
  let done = loaded?.results.size ?? 0;
  const progress = () => sinks.emit({ type: 'progress', done: ++done, total: files.length });
  sinks.emit({ type: 'progress', done, total: files.length });

  const accept = (r: LoadResult, file: number, place: Place, record?: { item: Extract<RecordItem, { kind: 'record' }> }) => {
    if (r.status !== 'error' && r.warning) sinks.warn({ ...place, message: r.warning });
    if (r.status === 'error') return sinks.error({ ...place, message: r.message });
    if (r.status === 'skip') return sinks.skip({ ...place, reason: r.reason, detail: r.detail });
    let set = r.set;
    if (set && kept + set.byteLength > settings.memoryBudget) set = null;
    if (set) kept += set.byteLength;
    const { path: shown } = place;
    const kind = files[file]!.kind.document ?? 'text';
    const m = r.meta;
    let info: DocumentInfo;
    if (place.source === undefined && place.pathBytes === undefined) {
      // one object literal for a plain file (spreads cost on 100,000 documents)
      info = {
        index: docs.length,
        path: shown,
        kind,
        encoding: m.encoding,
        bytes: m.bytes,
        chars: m.chars,
        units: m.units,
        shingles: m.shingles,
        contentHash: m.contentHash,
      };
    } else {
      const { path: _, ...where } = place;
      info = { index: docs.length, path: shown, kind, ...m, ...where };
    }
    const doc: Doc = { info, file, signature: r.signature, set };
    if (r.spill) doc.spill = r.spill;
    if (record) {
      const { item } = record;
      info.id = item.id ?? shown;
      doc.record = item.at ? { ordinal: item.ordinal, line: item.line, at: item.at } : { ordinal: item.ordinal, line: item.line };
      const first = ids.get(info.id);
      if (first === undefined) ids.set(info.id, shown);
      else sinks.warn({ ...place, message: `duplicate id '${info.id}' (first at ${first}); both are compared` });
    }
    docs.push(doc);
  };

  const report = (f: FileTask, item: Exclude<RecordItem, { kind: 'record' }>) => {
    const place = placeOf(f, item);
    if (item.kind === 'error') sinks.error({ ...place, message: item.message });
    else if (item.kind === 'skip') sinks.skip({ ...place, reason: item.reason, detail: item.detail });
    else sinks.warn({ ...place, message: item.message });
  };

  const loadRecords = async (file: number) => {
    const f = files[file]!;
    let items: RecordItem[] = [];
    let tasks: TextLoadTask[] = [];
    let chars = 0;
    const flush = async () => {
      const batch = items;
      let next = 0;
      const reportUpToRecord = () => {
        while (next < batch.length && batch[next]!.kind !== 'record') report(f, batch[next++] as Exclude<RecordItem, { kind: 'record' }>);
      };
      await pool.load(tasks, (r) => {
        reportUpToRecord();
        const item = batch[next++] as Extract<RecordItem, { kind: 'record' }>;
        accept(r, file, placeOf(f, item), { item });
      });
      reportUpToRecord();
      items = [];
      tasks = [];
      chars = 0;
    };
    for await (const item of records(f, settings)) {
      items.push(item);
      if (item.kind === 'record') {
        tasks.push(textTask(item, tasks.length));
        chars += item.text.length;
      }
      if (tasks.length >= RECORD_BATCH || chars >= RECORD_BATCH_CHARS || items.length >= 4 * RECORD_BATCH) await flush();
    }
    await flush();
  };

  let plain: number[] = [];
  const loadPlain = async () => {
    const batch = plain;
    plain = [];
    if (loaded) {
      for (const i of batch) accept(loaded.results.get(files[i]!)!, i, placeOf(files[i]!));
      return;
    }
    await pool.load(
      batch.map((i) => fileTask(files[i]!, i, settings)),
      (r) => {
        progress();
        accept(r, r.index, placeOf(files[r.index]!));
      },
    );
  };
  for (let i = 0; i < files.length; i++) {
    if (!files[i]!.kind.records) {
      plain.push(i);
      continue;
    }
    await loadPlain();
    await loadRecords(i);
    progress();
  }
  await loadPlain();
  return docs;
}
