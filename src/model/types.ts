/** The data a scan returns. The core builds it; reporters turn it into text. */
import type { ResolvedOptions } from './settings.js';

/** A file on disk: a string, or the raw bytes of a name that is not valid UTF-8. */
export type FsPath = string | Buffer;

/** How a document's text is extracted: as it is, from Markdown, or from HTML. */
export type DocumentKind = 'text' | 'markdown' | 'html';

/** The encoding a file was decoded from. */
export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export type SkipReason = 'binary' | 'too-large' | 'unsupported-type' | 'empty' | 'duplicate-path' | 'symlink-dir' | 'special-file';

/** What a document, skip, error or warning is about. */
export interface Place {
  /** The file; for a record `file:line` (`file:line:column` in a JSON array); `<stdin>` for `-`. */
  path: string;
  /** For a record (or a problem with one): the file it is in, and the line where it starts. */
  source?: string;
  line?: number;
  /** For a record in a JSON array (or a problem with one): the column where it starts, in characters, from 1. */
  column?: number;
  /** Base64 of the file path's exact bytes, when they are not valid UTF-8 (`path` shows U+FFFD). */
  pathBytes?: string;
}

export interface Skip extends Place {
  reason: SkipReason;
  detail: string;
}

export interface Failure extends Place {
  message: string;
}

export interface Warning extends Place {
  message: string;
}

export interface DocumentInfo extends Place {
  /** Position in `documents` (sorted by path, then by place in the file). */
  index: number;
  /** A record's id: its --id-field value, else its `path` (`file:line`). */
  id?: string;
  kind: DocumentKind;
  encoding: Encoding;
  bytes: number;
  /** Characters of extracted text. */
  chars: number;
  /** Letters (char mode) or words (word mode) after normalisation. */
  units: number;
  /** Distinct shingles. */
  shingles: number;
  /** 64-bit hash of the extracted text (16 hex digits): identifies content across runs. */
  contentHash: string;
  /** `index` for a document that comes from an index (index query, scan --db), not from the paths given. */
  origin?: 'index';
}

export interface ScoredPair {
  /** Document indices, a < b. */
  a: number;
  b: number;
  jaccard: number;
  containment: number;
}

export interface Group {
  /** 1-based, in report order (largest first). */
  id: number;
  /** Document indices, ascending (path order). */
  members: number[];
  /** The verified pairs between members (at or above the threshold). */
  pairs: ScoredPair[];
}

export interface ScanStats {
  /** Files found by the walk (read or skipped or failed). */
  files: number;
  /** Documents compared. */
  documents: number;
  skipped: number;
  failed: number;
  /** Documents with fewer units than the shingle size (compared as one shingle). */
  short: number;
  candidates: number;
  /** Candidate pairs scored exactly (the rest were ruled out by size or estimate). */
  verified: number;
  groups: number;
  duplicateDocuments: number;
  pairs: number;
}

export interface ScanResult {
  settings: ResolvedOptions;
  documents: DocumentInfo[];
  groups: Group[];
  /** Every verified pair, ordered by (a, b). */
  pairs: ScoredPair[];
  skipped: Skip[];
  errors: Failure[];
  warnings: Warning[];
  stats: ScanStats;
  /** Wall time of the scan; not part of machine output (which must be reproducible). */
  elapsedMs: number;
  /** Wall time per phase in ms (walk, load, candidates, verify, group); not in machine output. */
  timings?: Record<'walk' | 'load' | 'candidates' | 'verify' | 'group', number>;
  /**
   * The bytes standard input gave, when `-` was read as one document (named `<stdin>`): what
   * --explain aligns, since there is no file to read again. Not in machine output.
   */
  stdin?: Buffer;
}

export type ScanEvent =
  | { type: 'skip'; skip: Skip }
  | { type: 'error'; error: Failure }
  | { type: 'warning'; warning: Warning }
  | { type: 'progress'; done: number; total: number };
