/**
 * Loading one document: read -> extract -> sketch. The unit of work the worker pool runs; the
 * same function runs in-process with --threads 1, so both paths give the same result.
 */
import { extractText, type DocumentKind } from '../corpus/extract.js';
import { readTextFile, type Encoding } from '../corpus/read.js';
import type { SkipReason } from '../types.js';
import { contentHash } from './hash.js';
import type { Sketcher } from './sketch.js';

export interface LoadTask {
  /** Position of the document in path order. */
  index: number;
  path: string;
  absPath: string;
  size: number;
  kind: DocumentKind;
  maxFileSize: number;
  /** Return the shingle set too (for verification), or only the signature. */
  wantSet: boolean;
  /**
   * Where a returned set lives: 'arena' (shared memory, kept for the whole scan) or 'own' (its
   * own buffer, transferred to the caller and freed by its garbage collector once dropped).
   */
  setMemory?: 'arena' | 'own';
}

export interface LoadedMeta {
  encoding: Encoding;
  bytes: number;
  chars: number;
  units: number;
  shingles: number;
  contentHash: string;
}

export type LoadResult =
  | { index: number; status: 'ok'; meta: LoadedMeta; signature: Uint32Array; set: Uint32Array | null; warning?: string }
  | { index: number; status: 'skip'; reason: SkipReason; detail: string; warning?: string }
  | { index: number; status: 'error'; message: string };

export function loadDocument(task: LoadTask, sketcher: Sketcher): LoadResult {
  const { index } = task;
  const r = readTextFile(task.absPath, task.size, task.maxFileSize);
  if (!r.ok) {
    return 'error' in r ? { index, status: 'error', message: r.error } : { index, status: 'skip', reason: r.skip, detail: r.detail };
  }
  const text = extractText(r.text, task.kind);
  const own = task.setMemory === 'own';
  const s = sketcher.sketch(text, task.wantSet && !own);
  const warning = r.warning;
  if (s.shingles.length === 0) {
    const out: LoadResult = { index, status: 'skip', reason: 'empty', detail: text.length ? 'no letters or words to compare' : 'empty file' };
    if (warning) out.warning = warning;
    return out;
  }
  const out: LoadResult = {
    index,
    status: 'ok',
    meta: {
      encoding: r.encoding,
      bytes: r.bytes,
      chars: text.length,
      units: s.units,
      shingles: s.shingles.length,
      contentHash: contentHash(text),
    },
    signature: s.signature,
    set: task.wantSet ? (own ? s.shingles.slice() : s.shingles) : null,
  };
  if (warning) out.warning = warning;
  return out;
}
