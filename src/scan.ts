/**
 * The scan pipeline: walk -> load (read, extract, sketch; in worker threads) -> LSH candidates
 * -> estimate filter -> exact verification -> groups. Returns data; never prints.
 *
 * Memory: signatures are kept for every document; shingle sets (needed only to verify
 * candidates) are kept up to `memoryBudget` bytes in the shared set memory; the others are
 * spilled to a temporary file as they are made, and read back in bounded batches for the
 * documents with candidates (or made again, when the file could not be written).
 */
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { inputKind, parsePathList, type InputKind } from './corpus/inputs.js';
import type { FsPath } from './corpus/read.js';
import { readRecordAt, readRecords, type ByteRange, type RecordItem, type RecordOptions, type RecordPlace } from './corpus/records.js';
import { walk, type WalkEntry } from './corpus/walk.js';
import { NearDupError, describeError } from './errors.js';
import { candidatePairsOfSignatures } from './match/candidates.js';
import { meetsThreshold, scoresOf, type PrescreenTask, type ScreenTask, type VerifyTask } from './match/verify.js';
import { DEFAULTS, resolveOptions, type ResolvedOptions, type ScanOptionsInput } from './options.js';
import type { FileLoadTask, LoadResult, LoadTask, TextLoadTask } from './sketch/load.js';
import { setBytes } from './match/intersect.js';
import { buildGroups } from './pipeline.js';
import { WorkPool, defaultThreads, smallScan } from './sketch/pool.js';
import type { SpillPlace } from './sketch/spill.js';
import type { DocumentInfo, ErrorRecord, Place, ScanEvent, ScanResult, ScoredPair, SkipRecord, WarningRecord } from './types.js';

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

/** How standard input is named in reports. */
export const STDIN_NAME = '<stdin>';

interface FileTask {
  path: string;
  pathBytes?: Buffer;
  absPath: FsPath;
  size: number;
  kind: InputKind;
  explicit: boolean;
}

function byPath(a: FileTask, b: FileTask): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return Buffer.compare(a.pathBytes ?? Buffer.alloc(0), b.pathBytes ?? Buffer.alloc(0));
}

/** Reads a whole stream (a --files-from list on standard input). */
async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(parts);
}

/** The paths to scan: those given, and those listed in --files-from. */
async function rootsOf(paths: readonly FsPath[], settings: ResolvedOptions, stdin: () => NodeJS.ReadableStream): Promise<FsPath[]> {
  const roots = [...paths];
  const list = settings.filesFrom;
  if (list !== undefined) {
    if (list === '-' && roots.includes('-')) {
      throw new NearDupError('EUSAGE', "standard input can be read only once: '-' is both a path and the --files-from list");
    }
    let data: Buffer;
    try {
      data = list === '-' ? await readStream(stdin()) : readFileSync(list);
    } catch (err) {
      throw new NearDupError('EINPUT', `${list === '-' ? STDIN_NAME : list}: cannot read the --files-from list: ${describeError(err)}`, { cause: err });
    }
    roots.push(...parsePathList(data, settings.nullSeparated));
    return roots;
  }
  return roots.length ? roots : ['.'];
}

/** Standard input, copied to a temporary file so that it can be read again (to verify). */
async function spoolStdin(stream: NodeJS.ReadableStream, settings: ResolvedOptions): Promise<{ dir: string; task: FileTask }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'neardup-stdin-'));
  const file = path.join(dir, 'stdin');
  await pipeline(stream, createWriteStream(file));
  const kind: InputKind = settings.stdinFormat === 'jsonl' ? { records: 'jsonl', gzip: false } : { document: 'text', gzip: false };
  return { dir, task: { path: STDIN_NAME, absPath: file, size: statSync(file).size, kind, explicit: true } };
}

export async function findNearDuplicates(
  paths: readonly FsPath[],
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

  const stdin = () => input.stdin ?? process.stdin;
  const roots = await rootsOf(paths, settings, stdin);
  const files: FileTask[] = [];
  let fileCount = 0;
  let spooled: string | undefined;
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
      const { dir, task } = await spoolStdin(stdin(), settings);
      spooled = dir;
      found(task);
      fileCount++;
    }
    const walkOptions = { hidden: settings.hidden, respectIgnore: settings.respectIgnore, globs: settings.globs, follow: input.follow ?? false };
    const onEntry = (entry: WalkEntry) => {
      const named: Place = entry.pathBytes ? { path: entry.path, pathBytes: entry.pathBytes.toString('base64') } : { path: entry.path };
      if (entry.kind === 'error') return error({ ...named, message: entry.message });
      fileCount++;
      if (entry.kind === 'skip') return skip({ ...named, reason: entry.reason, detail: entry.detail });
      const kind = inputKind(entry.path, settings.records === 'auto') ?? (entry.explicit ? { document: 'text' as const, gzip: /\.gz$/i.test(entry.path) } : undefined);
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
    return await scanFiles(files, fileCount, settings, pool, { skip, error, warn, emit }, { errors, skipped, warnings }, started, walkMs, loaded);
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

/** A document's signature once it is in the shared memory with the others (see matchDocuments). */
const MOVED = new Uint32Array(0);

interface Doc {
  info: DocumentInfo;
  /** Index of the file in `files` (to reload it). */
  file: number;
  /** For a record: how to read it again (its position among its file's records; its bytes' place). */
  record?: { ordinal: number; line: number; at?: ByteRange };
  signature: Uint32Array;
  /** Sorted distinct shingles, or null when not kept (over the memory budget). */
  set: Uint32Array | null;
  /** Where the set was written when it was not kept (read back to verify). */
  spill?: SpillPlace;
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

function fileTask(f: FileTask, index: number, settings: ResolvedOptions): FileLoadTask {
  const document = f.kind.document ?? 'text';
  return { index, path: f.path, absPath: f.absPath, size: f.size, kind: document, gzip: f.kind.gzip, maxFileSize: settings.maxFileSize, wantSet: true };
}

function textTask(item: Extract<RecordItem, { kind: 'record' }>, index: number): TextLoadTask {
  return { index, text: item.text, encoding: item.encoding, bytes: item.bytes, wantSet: true };
}

function recordOptions(settings: ResolvedOptions, f: FileTask): RecordOptions {
  return { textField: settings.textField, idField: settings.idField, maxRecordBytes: settings.maxFileSize, explicit: f.explicit };
}

function records(f: FileTask, settings: ResolvedOptions): AsyncGenerator<RecordItem> {
  return readRecords(f.absPath, f.kind.records!, f.kind.gzip, recordOptions(settings, f));
}

/** What names a file, or a place in it. */
function placeOf(f: FileTask, at?: Partial<RecordPlace>): Place {
  const p: Place = { path: f.path };
  if (at?.line !== undefined) {
    p.path = `${f.path}:${at.line}${at.column === undefined ? '' : `:${at.column}`}`;
    p.source = f.path;
    p.line = at.line;
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
      info = { index: docs.length, path: shown, kind, encoding: m.encoding, bytes: m.bytes, chars: m.chars, units: m.units, shingles: m.shingles, contentHash: m.contentHash };
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

/**
 * Makes the shingle sets of `need` again: a set spilled when it was first made is read back
 * from its file; otherwise documents are read again in the pool, JSONL records from their place
 * in the file, other records by reading their file again (once per file) for the records wanted.
 * A document whose content changed since it was first read gets no set (its pairs are dropped).
 */
async function reloadSets(need: readonly number[], docs: Doc[], files: readonly FileTask[], settings: ResolvedOptions, pool: WorkPool): Promise<void> {
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
    if (doc.record === undefined) tasks.push(fileTask(f, d, settings));
    else if (doc.record.at) {
      // a JSONL line: read from its place in the file
      const item = readRecordAt(f.absPath, doc.record.at, doc.record.line, recordOptions(settings, f));
      if (item) tasks.push(textTask(item, d));
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
      tasks.push(textTask(item, d));
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

async function matchDocuments(
  docs: Doc[],
  files: readonly FileTask[],
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
    const tasks: ScreenTask[] = [];
    for (let s = 0; s < candidates; s += slice) {
      tasks.push({ metric, threshold, pairs: pairsAt + 2 * s, count: Math.min(slice, candidates - s), sizes: sizesAt, kept: kept.byteOffset, signatures: { at: sigsAt, k } });
    }
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
  const { pairs: toVerify, givenUp } = allKept ? { pairs: ends.subarray(0, 2 * verifying), givenUp: 0 } : await prescreenSpilled(docs, ends.subarray(0, 2 * verifying), settings, pool);
  let checked = givenUp;
  await inChunksWithSets(docs, files, toVerify, settings, pool, async (chunk) => {
    // the chunk's pairs and the table of where each set is, in the shared memory (freed with
    // the chunk's sets); the kernel writes the pairs it keeps over the first ones of each slice
    const { sets } = pool;
    const count = chunk.length / 2;
    sets.limit = sets.used + setBytes(2 * docs.length) + setBytes(chunk.length);
    const places = sets.alloc(2 * docs.length)!;
    for (let d = 0; d < docs.length; d++) {
      const set = docs[d]!.set;
      if (set) places.set(sets.placeOf(set)!, 2 * d);
    }
    const pairs = sets.alloc(chunk.length)!;
    pairs.set(chunk);
    const pairsAt = sets.placeOf(pairs)![0];
    const placesAt = sets.placeOf(places)![0];
    // slices small enough to spread over the threads (the last ones end together), large
    // enough to amortise a message
    const slice = Math.max(256, Math.ceil(count / (pool.threads * 32)));
    const tasks: VerifyTask[] = [];
    for (let s = 0; s < count; s += slice) {
      tasks.push({ metric, threshold, pairs: pairsAt + 2 * s, count: Math.min(slice, count - s), places: placesAt, signatures: { at: sigsAt, k } });
    }
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
    const sa = state[pairs[2 * p]!]!;
    const sb = state[pairs[2 * p + 1]!]!;
    if ((sa | sb) === 1) picked[picks++] = p;
  }
  if (picks === 0) return { pairs, givenUp: 0 };
  const some = picked.subarray(0, picks);
  const drop = new Uint8Array(count);
  const { sets } = pool;
  const { metric, threshold } = settings;
  let from = 0;
  let need: number[] = [];
  // documents whose heads the chunk reads (a mark per chunk: its number)
  const inChunk = new Uint32Array(docs.length);
  let chunks = 1;
  let bytes = 0;
  const run = async (to: number) => {
    const mark = sets.used;
    const n = to - from;
    sets.limit = mark + bytes + setBytes(2 * docs.length) + setBytes(docs.length) + setBytes(2 * n);
    // in document order, which is about the order of the heads in their files (read in runs)
    need.sort((x, y) => x - y);
    const heads = await pool.readSpilled(
      need.map((d) => docs[d]!.spill!),
      true,
    );
    // where each set is, or the head read back (a document with neither is left out)
    const places = sets.alloc(2 * docs.length)!;
    const sizes = sets.alloc(docs.length)!;
    const missing = new Uint8Array(docs.length);
    for (let d = 0; d < docs.length; d++) {
      const doc = docs[d]!;
      sizes[d] = doc.info.shingles;
      if (doc.set) places.set(sets.placeOf(doc.set)!, 2 * d);
      else missing[d] = 1;
    }
    need.forEach((d, i) => {
      const head = heads[i];
      if (!head) return;
      places[2 * d] = head.byteOffset / 4;
      places[2 * d + 1] = head.length;
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
    const tasks: PrescreenTask[] = [];
    for (let s = 0; s < at.length; s += slice) {
      tasks.push({ metric, threshold, pairs: chunkAt + 2 * s, count: Math.min(slice, at.length - s), places: sets.placeOf(places)![0], sizes: sets.placeOf(sizes)![0] });
    }
    let first = 0;
    await pool.prescreen(tasks, (kept) => {
      // the slice's pairs let through: their indexes, written over its first elements
      const end = Math.min(first + slice, at.length);
      let next = 0;
      for (let x = first; x < end; x++) {
        if (next < kept && chunk[2 * first + next] === x - first) next++;
        else drop[at[x]!] = 1;
      }
      first = end;
    });
    sets.release(mark);
    from = to;
    need = [];
    chunks++;
    bytes = 0;
  };
  const want = (d: number) => {
    if (state[d] === 1 && inChunk[d] !== chunks) {
      inChunk[d] = chunks;
      need.push(d);
      bytes += setBytes(docs[d]!.spill!.head);
    }
  };
  for (let x = 0; x < some.length; x++) {
    const p = some[x]!;
    want(pairs[2 * p]!);
    want(pairs[2 * p + 1]!);
    if (bytes > settings.memoryBudget / 2) await run(x + 1);
  }
  if (from < some.length) await run(some.length);
  let givenUp = 0;
  for (let p = 0; p < count; p++) givenUp += drop[p]!;
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
 * Calls `verify` on consecutive chunks of `pairs` (each pair's two ends side by side, kept in
 * order) such that, during each call, the shingle sets of every document in the chunk are in
 * memory. Sets that were not kept at load time are read back (or made again) for one chunk at
 * a time, within half the memory budget, and freed after it.
 */
async function inChunksWithSets(
  docs: Doc[],
  files: readonly FileTask[],
  pairs: Uint32Array,
  settings: ResolvedOptions,
  pool: WorkPool,
  verify: (chunk: Uint32Array) => Promise<void>,
): Promise<void> {
  if (docs.every((d) => d.set !== null)) {
    // every set at hand: one chunk
    if (pairs.length) await verify(pairs);
    return;
  }
  let from = 0;
  let need: number[] = [];
  const needed = new Set<number>();
  let bytes = 0;
  // sets read again are made above what loading kept, and freed after their chunk
  const mark = pool.sets.used;
  const run = async (to: number) => {
    let chunk = pairs.subarray(2 * from, 2 * to);
    from = to;
    if (need.length) {
      pool.sets.limit = mark + bytes;
      await reloadSets(need, docs, files, settings, pool);
      // a file that changed or vanished since it was loaded has no set now: its pairs are dropped
      if (need.some((d) => docs[d]!.set === null)) {
        const kept: number[] = [];
        for (let p = 0; p < chunk.length; p += 2) {
          if (docs[chunk[p]!]!.set !== null && docs[chunk[p + 1]!]!.set !== null) kept.push(chunk[p]!, chunk[p + 1]!);
        }
        chunk = Uint32Array.from(kept);
      }
    }
    if (chunk.length) await verify(chunk);
    for (const d of need) docs[d]!.set = null;
    pool.sets.release(mark);
    need = [];
    needed.clear();
    bytes = 0;
  };
  const want = (d: number) => {
    if (docs[d]!.set === null && !needed.has(d)) {
      needed.add(d);
      need.push(d);
      bytes += setBytes(docs[d]!.info.shingles);
    }
  };
  const count = pairs.length / 2;
  for (let p = 0; p < count; p++) {
    want(pairs[2 * p]!);
    want(pairs[2 * p + 1]!);
    if (bytes > settings.memoryBudget / 2) await run(p + 1);
  }
  if (from < count) await run(count);
}
