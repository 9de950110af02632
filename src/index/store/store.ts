/**
 * The index store: what neardup's index needs from a storage backend, and nothing else. The
 * embedded backend is SQLite (store/sqlite.ts, one file); a shared server backend (for a team
 * whose index outgrows one machine) implements this same interface. Every method is
 * asynchronous so that such a backend fits; the SQLite one answers at once.
 *
 * A backend stores documents keyed by `key` (the path relative to the index's folder), finds
 * candidates by band keys, applies each batch atomically, and records the settings the index
 * was built with. It never sketches, verifies or reports: that is src/index/.
 */

import type { StoreInfo } from '../../model/index-results.js';
import type { IndexSettings } from '../../model/settings.js';
import type { DocumentKind, Encoding } from '../../model/types.js';

/** The index format this neardup reads and writes. Bumped on any incompatible change. */
export const SCHEMA_VERSION = 1;

/** A document as it is stored (what verification and reports need, without the text). */
export interface EntryMeta {
  /** Path relative to the index's folder, with `/` separators: the entry's identity. */
  key: string;
  /** contentHash() of the extracted text: an unchanged file is not sketched again. */
  contentHash: string;
  kind: DocumentKind;
  encoding: Encoding;
  bytes: number;
  chars: number;
  units: number;
  /** Number of distinct shingles. */
  shingleCount: number;
}

/** A document to add (or to replace the entry with the same key). */
export interface NewEntry extends EntryMeta {
  signature: Uint32Array;
  /** One key per band, from the signature. */
  bandKeys: Uint32Array;
  /** Sorted, distinct shingle hashes; left out when the index does not store shingles. */
  shingles?: Uint32Array;
}

/** A stored document (its shingle set is loaded on demand: see IndexStore.shingles). */
export interface StoredEntry extends EntryMeta {
  /** The backend's id: what candidates() returns. */
  id: number;
  signature: Uint32Array;
  /** Whether its shingle set is stored (the index's storeShingles setting). */
  hasShingles: boolean;
}

/**
 * The candidates of one query, with what the tests before exact verification need and nothing
 * more: in one call, since a query's cost is its number of round trips once the index is
 * large or remote. Index c of each array is the same document.
 */
export interface CandidateSketches {
  /** Ids of the documents that share at least one band key (same band) with the query, ascending. */
  ids: number[];
  keys: string[];
  shingleCounts: number[];
  /** Their signatures side by side: document c's at c * numPerm. */
  signatures: Uint32Array;
}

/** One atomic write: the removals, then the additions (a key already present is replaced). */
export interface Batch {
  put: readonly NewEntry[];
  remove: readonly string[];
}

/** What a batch did, by key. An entry put with its stored content hash is left as it is. */
export interface BatchOutcome {
  added: string[];
  replaced: string[];
  unchanged: string[];
  removed: string[];
}

export type OpenMode = 'read' | 'write';

export interface IndexStore {
  readonly location: string;
  readonly mode: OpenMode;
  /** The settings the index records; undefined for a new, empty index. */
  readSettings(): Promise<IndexSettings | undefined>;
  /**
   * Records `settings` if the index has none yet, atomically (two writers creating one index
   * agree on whose settings win). Returns the settings now recorded.
   */
  initSettings(settings: IndexSettings): Promise<IndexSettings>;
  /** The stored content hash of each of `keys` that is in the index. */
  lookup(keys: readonly string[]): Promise<Map<string, string>>;
  /** Every key, sorted. */
  keys(): Promise<string[]>;
  /** Applies one batch in one transaction: all of it or nothing. */
  write(batch: Batch): Promise<BatchOutcome>;
  /** Ids of the documents that share at least one band key (same band) with `bandKeys`, ascending. */
  candidates(bandKeys: Uint32Array): Promise<number[]>;
  /** candidates(), with each candidate's key, shingle count and signature, in one call. */
  candidateSketches(bandKeys: Uint32Array): Promise<CandidateSketches>;
  /** The documents with these ids, in the order asked. */
  entries(ids: readonly number[]): Promise<StoredEntry[]>;
  /**
   * The stored shingle sets of these documents, as stored: encodeSortedU32's bytes (the format
   * is the index's, not the backend's), in the order asked; undefined where none is stored.
   */
  shingles(ids: readonly number[]): Promise<(Uint8Array | undefined)[]>;
  /** Every document with its shingle set (when stored), by id, in pages. */
  allEntries(): AsyncIterable<StoredEntry & { shingles?: Uint32Array }>;
  /** Number of documents. */
  count(): Promise<number>;
  /** How many of `bandKeys` are stored for document `id` (bands when sound). */
  countBandKeys(id: number, bandKeys: Uint32Array): Promise<number>;
  /** The backend's own consistency check (page structure, orphan rows, ...): problems found. */
  checkStorage(): Promise<string[]>;
  info(): Promise<StoreInfo>;
  close(): Promise<void>;
}
