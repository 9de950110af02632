/**
 * The read and sketch stage: every file read (a document, or a file of records, streamed a batch
 * of records at a time), extracted and sketched in the pool's threads, into the documents the
 * later stages compare (Doc), in path order. Also the load tasks that read a file or a record
 * again (when verification needs a set that was not kept).
 */
import { type ByteRange, type RecordItem, type RecordOptions, readRecords } from '../corpus/records.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { DocumentInfo, Place, ScanEvent } from '../model/types.js';
import { type InputFile, placeOf } from './inputs.js';
import type { FileLoadTask, LoadResult, TextLoadTask } from './load.js';
import type { RunLog } from './log.js';
import type { WorkPool } from './pool.js';
import type { SpillPlace } from './spill.js';

/** A document's signature once it is in the shared memory with the others (see matchDocuments). */
export const MOVED = new Uint32Array(0);

export interface Doc {
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

export function fileLoadTask(f: InputFile, index: number, settings: Pick<ResolvedOptions, 'maxFileSize'>): FileLoadTask {
  const document = f.kind.document ?? 'text';
  return { index, path: f.path, absPath: f.absPath, size: f.size, kind: document, gzip: f.kind.gzip, maxFileSize: settings.maxFileSize, wantSet: true };
}

export function textLoadTask(item: Extract<RecordItem, { kind: 'record' }>, index: number): TextLoadTask {
  return { index, text: item.text, encoding: item.encoding, bytes: item.bytes, wantSet: true };
}

export function recordOptions(settings: ResolvedOptions, f: InputFile): RecordOptions {
  return { textField: settings.textField, idField: settings.idField, maxRecordBytes: settings.maxFileSize, explicit: f.explicit };
}

export function records(f: InputFile, settings: ResolvedOptions): AsyncGenerator<RecordItem> {
  return readRecords(f.absPath, f.kind.records!, f.kind.gzip, recordOptions(settings, f));
}

/** The documents (not record files) loaded while the walk went on, by file. */
export interface Loaded {
  results: Map<InputFile, LoadResult>;
}

/**
 * Loads documents (not record files: they are read in path order, after the walk) as the walk
 * finds them, with progress as they come in; their results wait for their turn in path order
 * (see loadDocuments), so that everything reported is in path order as before.
 */
export class EarlyLoads {
  private readonly results = new Map<InputFile, LoadResult>();
  private readonly order: InputFile[] = [];
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

  add(f: InputFile): void {
    if (f.kind.records) return;
    this.order.push(f);
    this.loader.push(fileLoadTask(f, this.order.length - 1, this.settings));
  }

  async end(): Promise<Loaded> {
    await this.loader.end();
    return { results: this.results };
  }
}

/** Records are sketched this many at a time (or fewer, when they hold this much text). */
const RECORD_BATCH = 4096;
const RECORD_BATCH_CHARS = 8 << 20;

/**
 * Reads and sketches every file, in path order: documents in batches through the pool, and
 * record files record by record, streamed, a batch of records at a time. Skips, errors and
 * warnings are reported in path order, and a record's in line order.
 */
export async function loadDocuments(files: readonly InputFile[], settings: ResolvedOptions, pool: WorkPool, log: RunLog, loaded?: Loaded): Promise<Doc[]> {
  const docs: Doc[] = [];
  const ids = new Map<string, string>();
  let kept = 0;
  // documents loaded during the walk were counted as they came in
  let done = loaded?.results.size ?? 0;
  const progress = () => log.emit({ type: 'progress', done: ++done, total: files.length });
  log.emit({ type: 'progress', done, total: files.length });

  const accept = (r: LoadResult, file: number, place: Place, record?: { item: Extract<RecordItem, { kind: 'record' }> }) => {
    if (r.status !== 'error' && r.warning) log.warning({ ...place, message: r.warning });
    if (r.status === 'error') return log.error({ ...place, message: r.message });
    if (r.status === 'skip') return log.skip({ ...place, reason: r.reason, detail: r.detail });
    if (r.status === 'unchanged') throw new Error('a scan loads every file: none is unchanged');
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
      else log.warning({ ...place, message: `duplicate id '${info.id}' (first at ${first}); both are compared` });
    }
    docs.push(doc);
  };

  const report = (f: InputFile, item: Exclude<RecordItem, { kind: 'record' }>) => {
    const place = placeOf(f, item);
    if (item.kind === 'error') log.error({ ...place, message: item.message });
    else if (item.kind === 'skip') log.skip({ ...place, reason: item.reason, detail: item.detail });
    else log.warning({ ...place, message: item.message });
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
        tasks.push(textLoadTask(item, tasks.length));
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
      batch.map((i) => fileLoadTask(files[i]!, i, settings)),
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
