/** What the index commands return (src/index), as the reports read it. */
import type { IndexSettings, ResolvedIndexOptions } from './settings.js';
import type { Failure, Group, ScanResult, ScoredPair, Skip, Warning } from './types.js';

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

export interface IndexRemoveResult {
  db: string;
  /** Paths removed (relative to the working folder), sorted. */
  removed: string[];
  /** Documents in the index afterwards. */
  documents: number;
  /** Paths given that match no entry: then nothing is removed. */
  errors: Failure[];
  elapsedMs: number;
}

export interface IndexStatsResult {
  db: string;
  /** Undefined for an index nothing has been added to. */
  settings: IndexSettings | undefined;
  info: StoreInfo;
}

export interface IndexVerifyResult {
  db: string;
  ok: boolean;
  documents: number;
  schemaVersion: number;
  /** One line each: what is wrong, and where. */
  problems: string[];
  elapsedMs: number;
}

/** What a match with an indexed document was verified on. */
export type VerificationSource = 'index' | 'file';

export interface IndexPair extends ScoredPair {
  /** Set on pairs with an indexed document: `index` (stored shingles) or `file` (the file read again). */
  verifiedWith?: VerificationSource;
}

export interface IndexMatchInfo {
  /** The index, as named. */
  db: string;
  /** Documents in the index. */
  documents: number;
  /** Indexed documents in the report. */
  matched: number;
  /** Pairs verified on stored shingles, and on files read again. */
  verifiedWith: Record<VerificationSource, number>;
}

export interface IndexScanResult extends ScanResult {
  pairs: IndexPair[];
  groups: (Group & { pairs: IndexPair[] })[];
  index: IndexMatchInfo;
}

export function isIndexScanResult(r: ScanResult): r is IndexScanResult {
  return 'index' in r && (r as { index?: unknown }).index !== undefined;
}

export interface StoreInfo {
  /** `sqlite`, or the name of another backend. */
  backend: string;
  /** Where the index lives, as the user named it. */
  location: string;
  schemaVersion: number;
  documents: number;
  /** Band entries (documents × bands when the index is sound). */
  bandEntries: number;
  /** Total distinct shingles over the documents. */
  shingles: number;
  /** Bytes of stored shingle sets (delta + varint) and of signatures. */
  shingleBytes: number;
  signatureBytes: number;
  /** Bytes the index takes on disk, everything included (for SQLite: the file and its WAL). */
  bytesOnDisk: number;
  /** The neardup version that created the index. */
  createdBy: string;
}
