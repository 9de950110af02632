/**
 * Loading one document: read -> extract -> sketch (or, for a record, sketch its text). The unit of work the worker pool runs; the
 * same function runs in-process with --threads 1, so both paths give the same result.
 */
import { createHash, type Hash } from 'node:crypto';
import { contentHash } from '../core/hash.js';
import { extractText } from '../corpus/extract.js';
import { bytesAsText, decodeBytesOneToOne, type ReadOutcome, readFileInto, readTextChunks, readTextFile } from '../corpus/read.js';
import { sketchKernel } from '../kernels/sketch.js';
import type { DocumentInfo, DocumentKind, Encoding, FsPath, SkipReason } from '../model/types.js';
import type { Sketch, SketchBuilder, Sketcher } from './sketch.js';
import type { SpillPlace, SpillWriter } from './spill.js';

/** A file to read, extract and sketch. */
export interface FileLoadTask {
  /** Echoed in the result. */
  index: number;
  path: string;
  absPath: FsPath;
  size: number;
  kind: DocumentKind;
  /** Decompress (a `.gz` file). */
  gzip: boolean;
  maxFileSize: number;
  /** Return the shingle set too (for verification), or only the signature. */
  wantSet: boolean;
  /** A set made outside the shared memory is returned as it is, not spilled (see WorkPool.loadAhead). */
  apart?: boolean;
  /**
   * The content hash the file had (the index's entry): when its extracted text still has it,
   * the result is `unchanged` and nothing is sketched.
   */
  unlessHash?: string;
}

/** Text already read (a record of a JSONL, JSON or CSV file) to sketch. */
export interface TextLoadTask {
  index: number;
  text: string;
  encoding: Encoding;
  bytes: number;
  wantSet: boolean;
}

export type LoadTask = FileLoadTask | TextLoadTask;

/** What loading learns of a document (its DocumentInfo's sizes and hash). */
export type LoadedMeta = Pick<DocumentInfo, 'encoding' | 'bytes' | 'chars' | 'units' | 'shingles' | 'contentHash'>;

export type LoadResult =
  | {
      index: number;
      status: 'ok';
      meta: LoadedMeta;
      signature: Uint32Array;
      set: Uint32Array | null;
      /** Where the set was written instead, when it did not fit the shared memory (see spill.ts). */
      spill?: SpillPlace;
      warning?: string;
    }
  | { index: number; status: 'skip'; reason: SkipReason; detail: string; warning?: string }
  | { index: number; status: 'error'; message: string }
  /** The file's text still has the task's `unlessHash`: not sketched. */
  | { index: number; status: 'unchanged'; warning?: string };

export function loadDocument(task: LoadTask, sketcher: Sketcher): LoadResult {
  if ('text' in task) {
    const r = { encoding: task.encoding, bytes: task.bytes };
    return loaded(task, r, sketcher.sketch(task.text), task.text.length, contentHash(task.text), 'empty text');
  }
  // a Buffer path arrives from another thread as a plain Uint8Array
  const file = typeof task.absPath === 'string' ? task.absPath : Buffer.from(task.absPath);
  // a file the index holds is read whole and hashed before it is sketched (below)
  const known = task.unlessHash;
  if (known === undefined && task.kind === 'text' && !task.gzip && task.size <= ASCII_FILE_BYTES && task.size <= task.maxFileSize && sketcher.readsAscii) {
    const fast = loadAscii(task, file, sketcher);
    if (fast) return fast;
  }
  if (known === undefined && task.kind === 'text') {
    // plain text streams through the sketch: a big file never sits whole in memory
    // made by begin(), once per decoding attempt
    let builder: SketchBuilder | undefined;
    let hash: Hash | undefined;
    let chars = 0;
    const r = readTextChunks(file, task.size, task.maxFileSize, task.gzip, () => {
      builder = sketcher.builder();
      hash = createHash('sha1');
      chars = 0;
      return {
        add(t) {
          builder!.add(t);
          hash!.update(t);
          chars += t.length;
        },
      };
    });
    if (!r.ok) return notLoaded(task.index, r);
    return loaded(task, r, builder!.finish(), chars, hash!.digest('hex').slice(0, 16), 'empty file');
  }
  const r = readTextFile(file, task.size, task.maxFileSize, task.gzip);
  if (!r.ok) return notLoaded(task.index, r);
  const text = extractText(r.text, task.kind);
  const hash = contentHash(text);
  if (hash === known) return r.warning ? { index: task.index, status: 'unchanged', warning: r.warning } : { index: task.index, status: 'unchanged' };
  return loaded(task, r, sketcher.sketch(text), text.length, hash, 'empty file');
}

/**
 * Loads a batch of tasks as a worker does (a set over the shared memory's limit spilled; a
 * failure of neardup's own an error result, not a throw), in whichever thread runs it.
 */
export function loadBatch(tasks: readonly LoadTask[], sketcher: Sketcher, spill: SpillWriter): LoadResult[] {
  const results: LoadResult[] = [];
  for (const t of tasks) {
    let r: LoadResult;
    try {
      r = 'apart' in t && t.apart ? loadDocument(t, sketcher) : spillIfOutside(loadDocument(t, sketcher), spill);
    } catch (err) {
      r = { index: t.index, status: 'error', message: `internal error: ${(err as Error).message}` };
    }
    results.push(r);
  }
  // the batch's spilled sets are in the file before its results are (any thread may read them)
  spill.flush();
  return results;
}

/** Text files up to this size are first tried as plain ASCII, read whole into the sketch kernel. */
const ASCII_FILE_BYTES = 1 << 20;

/**
 * A text file read straight into the sketch kernel and sketched from its bytes: plain ASCII (no
 * byte over 127, NUL or CR) with nothing to decode, fold or normalise; else, when each byte is
 * one character (ASCII with CR or NUL bytes, or a file that is not UTF-8, read as windows-1252),
 * with the letters each byte stands for. The result is exactly what reading it as text gives
 * (tests compare them). null for any other file (or one that grew since the walk, or failed to
 * read): the caller reads it the general way.
 */
function loadAscii(task: FileLoadTask, file: FsPath, sketcher: Sketcher): LoadResult | null {
  const kernel = sketchKernel();
  const at = kernel.inputPlace(task.size + 1, sketcher.settings.numPerm, true);
  let n: number;
  try {
    n = readFileInto(file, kernel.view(), at, task.size + 1);
  } catch {
    return null;
  }
  if (n > task.size) return null;
  const s = sketcher.sketchAscii(at, n);
  if (s) return loaded(task, { encoding: 'utf-8', bytes: n }, s, n, contentHash(kernel.view().subarray(at, at + n)), 'empty file');
  const read = bytesAsText(kernel.view().subarray(at, at + n));
  if (!read) return null;
  const wide = sketcher.sketchWide(at, n, decodeBytesOneToOne);
  if (!wide) return null;
  const r = read.warning ? { encoding: read.encoding, bytes: n, warning: read.warning } : { encoding: read.encoding, bytes: n };
  return loaded(task, r, wide, read.text.length, contentHash(read.text), 'empty file');
}

function notLoaded(index: number, r: Exclude<ReadOutcome, { ok: true }>): LoadResult {
  if ('error' in r) return { index, status: 'error', message: r.error };
  const out: LoadResult = { index, status: 'skip', reason: r.skip, detail: r.detail };
  if (r.warning) out.warning = r.warning;
  return out;
}

function loaded(
  task: LoadTask,
  r: { encoding: Encoding; bytes: number; warning?: string },
  s: Sketch,
  chars: number,
  contentHash: string,
  emptyDetail: string,
): LoadResult {
  const { index } = task;
  const out: LoadResult =
    s.shingles.length === 0
      ? { index, status: 'skip', reason: 'empty', detail: chars ? 'no letters or words to compare' : emptyDetail }
      : {
          index,
          status: 'ok',
          meta: { encoding: r.encoding, bytes: r.bytes, chars, units: s.units, shingles: s.shingles.length, contentHash },
          signature: s.signature,
          set: task.wantSet ? s.shingles : null,
        };
  if (r.warning) out.warning = r.warning;
  return out;
}

/**
 * A loaded set that is not in the shared memory (over its limit) is spilled: the result then
 * carries its place in the file instead of the set.
 */
export function spillIfOutside(r: LoadResult, writer: SpillWriter): LoadResult {
  if (r.status !== 'ok' || !r.set || r.set.buffer instanceof SharedArrayBuffer) return r;
  const spill = writer.write(r.set);
  r.set = null;
  if (spill) r.spill = spill;
  return r;
}
