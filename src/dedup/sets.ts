/**
 * Scores of a removed document against the one kept in its stead, when the scan did not verify
 * that pair itself (the two are in one group through other members): the shingle sets are made
 * again, exactly as the scan made them (sketch/load.ts), and scored exactly. A document whose
 * content changed since the scan is an error, never a score of other text.
 */
import { statSync } from 'node:fs';
import { exactScores } from '../core/similarity.js';
import type { ParsedRecord } from '../corpus/raw-records.js';
import { loadDocument } from '../engine/load.js';
import { Sketcher } from '../engine/sketch.js';
import { NearDupError } from '../model/errors.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { DocumentInfo } from '../model/types.js';
import { fileOf, fsPath } from './paths.js';

export interface PairScores {
  jaccard: number;
  containment: number;
}

export function changedSinceScan(d: DocumentInfo): NearDupError {
  return new NearDupError('EINPUT', `${d.path}: changed since it was scanned (run again)`);
}

export class SetMaker {
  private readonly sketcher: Sketcher;
  constructor(settings: ResolvedOptions) {
    this.sketcher = new Sketcher(settings);
  }

  /** The shingle set of a document file, read again. */
  ofFile(d: DocumentInfo): Uint32Array {
    return this.reread(d, fileOf(d), true)!;
  }

  /**
   * Throws changedSinceScan unless `file` (the copy of document file `d` just written, a byte
   * string) holds the text the scan read, read and extracted as the scan read it.
   */
  checkCopy(d: DocumentInfo, file: string): void {
    this.reread(d, file, false);
  }

  /**
   * Reads `file` (a byte string) as document `d`'s file, as the scan read it; throws
   * changedSinceScan unless its text is the one the scan read. Its set, when `wantSet`.
   */
  private reread(d: DocumentInfo, file: string, wantSet: boolean): Uint32Array | null {
    const absPath = fsPath(file);
    let size: number;
    try {
      size = statSync(absPath).size;
    } catch {
      throw changedSinceScan(d);
    }
    const gzip = /\.gz$/i.test(d.path);
    const r = loadDocument({ index: d.index, path: d.path, absPath, size, kind: d.kind, gzip, maxFileSize: Infinity, wantSet }, this.sketcher);
    if (r.status !== 'ok' || (wantSet && r.set === null) || r.meta.contentHash !== d.contentHash) throw changedSinceScan(d);
    return r.set;
  }

  /** The shingle set of a record, from the parser's reading of it. */
  ofRecord(d: DocumentInfo, item: ParsedRecord): Uint32Array {
    const r = loadDocument({ index: d.index, text: item.text, encoding: item.encoding, bytes: item.bytes, wantSet: true }, this.sketcher);
    if (r.status !== 'ok' || r.set === null || r.meta.contentHash !== d.contentHash) throw changedSinceScan(d);
    return r.set;
  }

  static score(a: Uint32Array, b: Uint32Array): PairScores {
    const s = exactScores(a, b);
    return { jaccard: s.jaccard, containment: s.containment };
  }
}
