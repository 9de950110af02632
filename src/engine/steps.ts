/**
 * The steps of the scan pipeline as separate, exported pieces, so the index commands run the
 * same walk, read, sketch, verification and grouping as `scan`:
 * walk -> files (collectFiles) -> read/extract (readDocument) -> sketch (sketchDocument)
 * -> verify a pair (mayMatch, scorePair) -> groups (buildGroups) -> a ScanResult (assembleResult).
 * Returns data; never prints.
 */

import { components } from '../core/cluster.js';
import { contentHash } from '../core/hash.js';
import { estimateCanMatch, estimateKeeps, exactScores, jaccardFloor, meetsThreshold, type Scores, sharedNeeded, sizesCanMatch } from '../core/similarity.js';
import { extractText } from '../corpus/extract.js';
import { inputKind } from '../corpus/inputs.js';
import { readTextFile } from '../corpus/read.js';
import { walk } from '../corpus/walk.js';
import type { RecordsMode, ResolvedOptions } from '../model/settings.js';
import type { DocumentInfo, DocumentKind, Encoding, Failure, FsPath, Group, ScanEvent, ScanResult, ScoredPair, Skip, Warning } from '../model/types.js';
import { type FileLoadTask, type LoadResult, loadDocument } from './load.js';
import type { Sketcher } from './sketch.js';

/** Skips, errors and warnings of one run, kept in order and passed on as events. */
export class RunRecords {
  readonly skipped: Skip[] = [];
  readonly errors: Failure[] = [];
  readonly warnings: Warning[] = [];
  constructor(readonly emit: (event: ScanEvent) => void = () => {}) {}
  skip(skip: Skip): void {
    this.skipped.push(skip);
    this.emit({ type: 'skip', skip });
  }
  error(error: Failure): void {
    this.errors.push(error);
    this.emit({ type: 'error', error });
  }
  warning(warning: Warning): void {
    this.warnings.push(warning);
    this.emit({ type: 'warning', warning });
  }
}

export interface FileToRead {
  /** As shown in reports. */
  path: string;
  absPath: FsPath;
  size: number;
  kind: DocumentKind;
  /** NAME.gz: decompressed, and read as NAME. */
  gzip: boolean;
}

export interface WalkSettings {
  hidden: boolean;
  respectIgnore: boolean;
  globs: readonly string[];
  follow: boolean;
  /** `off`: record files are read as plain documents (as scan --records off reads them). */
  records?: RecordsMode;
}

/**
 * Walks `paths` into the files to read, sorted by path. Skips and errors are
 * recorded; `found` counts every file the walk met (read, skipped or failed).
 */
/** Why the index (index add, index query, scan --db) passes over a JSONL, JSON or CSV file. */
export const RECORDS_NOT_INDEXED =
  'a record file (.jsonl, .json, .csv): the index takes documents, not records; neardup scan (without --db) compares its records';

export function collectFiles(paths: readonly FsPath[], settings: WalkSettings, records: RunRecords): { files: FileToRead[]; found: number } {
  const files: FileToRead[] = [];
  let found = 0;
  for (const entry of walk(paths, settings)) {
    if (entry.kind === 'error') {
      records.error({ path: entry.path, message: entry.message });
    } else if (entry.kind === 'skip') {
      found++;
      records.skip({ path: entry.path, reason: entry.reason, detail: entry.detail });
    } else {
      found++;
      // The index holds documents: a record file would be one document made of all its records,
      // a silently different answer from scan's (which compares the records). Named, it is an
      // error; met in a folder, a skip that says why.
      if (settings.records !== 'off' && inputKind(entry.path, true)?.records) {
        if (entry.explicit) records.error({ path: entry.path, message: RECORDS_NOT_INDEXED });
        else records.skip({ path: entry.path, reason: 'unsupported-type', detail: RECORDS_NOT_INDEXED });
        continue;
      }
      // a document, as scan takes one: .txt, .md, .html (a record file read as text), or NAME.gz of one
      const doc = inputKind(entry.path, false);
      const gzip = doc?.gzip ?? false;
      const kind = doc?.document ?? (entry.explicit ? 'text' : undefined);
      if (kind) files.push({ path: entry.path, absPath: entry.absPath, size: entry.size, kind, gzip });
      else records.skip({ path: entry.path, reason: 'unsupported-type', detail: 'not a text, Markdown or HTML file (or one of them gzip-compressed)' });
    }
  }
  files.sort(byPath);
  return { files, found };
}

/** Files in path order. */
export function byPath(a: FileToRead, b: FileToRead): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** A file read and extracted, not yet sketched. */
export interface ReadDocument {
  file: FileToRead;
  /** The extracted text. */
  text: string;
  encoding: Encoding;
  bytes: number;
  contentHash: string;
}

/** Reads and extracts one file; undefined when it is skipped or cannot be read (recorded). */
export function readDocument(file: FileToRead, maxFileSize: number, records: RunRecords): ReadDocument | undefined {
  const r = readTextFile(file.absPath, file.size, maxFileSize, file.gzip);
  if (!r.ok) {
    if ('error' in r) records.error({ path: file.path, message: r.error });
    else records.skip({ path: file.path, reason: r.skip, detail: r.detail });
    return undefined;
  }
  if (r.warning) records.warning({ path: file.path, message: r.warning });
  const text = extractText(r.text, file.kind);
  return { file, text, encoding: r.encoding, bytes: r.bytes, contentHash: contentHash(text) };
}

export interface LoadedDocument {
  info: DocumentInfo;
  /** Sorted, distinct shingle hashes. */
  shingles: Uint32Array;
  signature: Uint32Array;
}

/** Sketches a read document as document number `index`; undefined (and a skip) when it has nothing to compare. */
export function sketchDocument(doc: ReadDocument, sketcher: Sketcher, index: number, records: RunRecords): LoadedDocument | undefined {
  const s = sketcher.sketch(doc.text);
  if (s.shingles.length === 0) {
    records.skip({ path: doc.file.path, reason: 'empty', detail: doc.text.length ? 'no letters or words to compare' : 'empty file' });
    return undefined;
  }
  return {
    info: {
      index,
      path: doc.file.path,
      kind: doc.file.kind,
      encoding: doc.encoding,
      bytes: doc.bytes,
      chars: doc.text.length,
      units: s.units,
      shingles: s.shingles.length,
      contentHash: doc.contentHash,
    },
    shingles: s.shingles,
    signature: s.signature,
  };
}

/**
 * Reads, extracts and sketches one file as document number `index`, as scan's workers do (a
 * plain ASCII text file is sketched straight from its bytes): readDocument then sketchDocument
 * in one step, with the same records. undefined when it is skipped or cannot be read.
 */
export function loadFile(file: FileToRead, sketcher: Sketcher, maxFileSize: number, index: number, records: RunRecords): LoadedDocument | undefined {
  return loadedFile(loadDocument(fileLoadTask(file, maxFileSize, index), sketcher), file, records);
}

/** The load task of a file (for loadDocument, or a WorkPool). */
export function fileLoadTask(file: FileToRead, maxFileSize: number, index: number): FileLoadTask {
  return { index, path: file.path, absPath: file.absPath, size: file.size, kind: file.kind, gzip: file.gzip, maxFileSize, wantSet: true };
}

/** loadFile's result from a load task's result (made here or in a worker), with the same records. */
export function loadedFile(r: LoadResult, file: FileToRead, records: RunRecords): LoadedDocument | undefined {
  if (r.status !== 'error' && r.warning) records.warning({ path: file.path, message: r.warning });
  if (r.status === 'error') records.error({ path: file.path, message: r.message });
  else if (r.status === 'skip') records.skip({ path: file.path, reason: r.reason, detail: r.detail });
  else {
    const shingles = r.set;
    if (shingles) return { info: { index: r.index, path: file.path, kind: file.kind, ...r.meta }, shingles, signature: r.signature };
    records.error({ path: file.path, message: 'internal error: its shingle set was lost' });
  }
  return undefined;
}

type MatchSettings = Pick<ResolvedOptions, 'metric' | 'threshold'>;

/**
 * The cheap tests before exact verification: can documents of these sizes reach the threshold,
 * and is the signatures' estimate not far below what it needs?
 */
export function mayMatch(settings: MatchSettings, sizeA: number, sizeB: number, sigA: Uint32Array, sigB: Uint32Array): boolean {
  const { metric, threshold } = settings;
  if (!sizesCanMatch(metric, threshold, sizeA, sizeB)) return false;
  return estimateCanMatch(sigA, sigB, jaccardFloor(metric, threshold, sizeA, sizeB));
}

/**
 * mayMatch for signatures compared elsewhere (many at once): a pair of these sizes whose
 * signatures, of `k` values, agree in `agreeing` positions.
 */
export function signaturesMayMatch(settings: MatchSettings, sizeA: number, sizeB: number, agreeing: number, k: number): boolean {
  const { metric, threshold } = settings;
  if (!sizesCanMatch(metric, threshold, sizeA, sizeB)) return false;
  return estimateKeeps(agreeing / k, k, jaccardFloor(metric, threshold, sizeA, sizeB));
}

/** Exact scores of a pair, or undefined when it is below the threshold. */
export function scorePair(settings: MatchSettings, a: Uint32Array, b: Uint32Array): Scores | undefined {
  const { metric, threshold } = settings;
  const s = exactScores(a, b, sharedNeeded(metric, threshold, a.length, b.length));
  return meetsThreshold(metric, threshold, s) ? s : undefined;
}

/**
 * Groups: connected components of the verified pairs over `count` documents (in path order),
 * each with its pairs; largest first, ties by the first member's path; ids from 1.
 */
export function buildGroups<P extends ScoredPair>(count: number, pairs: readonly P[]): (Group & { pairs: P[] })[] {
  const comps = components(count, pairs);
  const groupOf = new Int32Array(count);
  comps.forEach((members, g) => {
    for (const m of members) groupOf[m] = g;
  });
  const pairsOf: P[][] = comps.map(() => []);
  for (const p of pairs) pairsOf[groupOf[p.a]!]!.push(p);
  return comps
    .map((members, g) => ({ members, pairs: pairsOf[g]! }))
    .sort((x, y) => y.members.length - x.members.length || x.members[0]! - y.members[0]!)
    .map((g, i) => ({ id: i + 1, members: g.members, pairs: g.pairs }));
}

/**
 * A ScanResult from its parts. `documents` are in path order and indexed by position; `pairs`
 * are ordered by (a, b); `compared` counts the documents compared (for an index query: the
 * query's own, not the indexed ones it reports).
 */
export function assembleResult<D extends DocumentInfo, P extends ScoredPair>(parts: {
  settings: ResolvedOptions;
  documents: D[];
  pairs: P[];
  compared: readonly DocumentInfo[];
  found: number;
  candidates: number;
  records: RunRecords;
  started: number;
}): Omit<ScanResult, 'documents' | 'pairs' | 'groups'> & { documents: D[]; pairs: P[]; groups: (Group & { pairs: P[] })[] } {
  const { settings, documents, pairs, compared, records } = parts;
  const groups = buildGroups(documents.length, pairs);
  const duplicateDocuments = groups.reduce((n, g) => n + g.members.length, 0);
  return {
    settings,
    documents,
    groups,
    pairs,
    skipped: records.skipped,
    errors: records.errors,
    warnings: records.warnings,
    stats: {
      files: parts.found,
      documents: compared.length,
      skipped: records.skipped.length,
      failed: records.errors.length,
      short: compared.filter((d) => d.units < settings.shingle.size).length,
      candidates: parts.candidates,
      verified: pairs.length,
      groups: groups.length,
      duplicateDocuments,
      pairs: pairs.length,
    },
    elapsedMs: performance.now() - parts.started,
  };
}
