/**
 * The persistent index's options (neardup index add/query/remove/stats/verify, scan --db).
 */
import { NearDupError } from '../model/errors.js';
import type { IndexSettings, ResolvedIndexOptions } from '../model/settings.js';
import { fail, toInteger } from './parse.js';
import { formatShingle, resolveOptions, type ScanOptionsInput } from './scan.js';

/** Index defaults: the file, and how writes are batched and retried. */
export const INDEX_DEFAULTS = {
  /** The index file, relative to the working folder. */
  db: '.neardup/index.db',
  /** Documents written per transaction: a crash loses at most one batch, never half a document. */
  batchSize: 500,
  /** Keep each document's shingle set in the index, so matches are verified without re-reading files. */
  storeShingles: true,
  /** How long a writer waits for another writer's transaction before giving up. */
  busyTimeoutMs: 30_000,
} as const;

export const INDEX_LIMITS = {
  batchSize: { min: 1, max: 100_000 },
} as const;

/** What a caller may pass to the index commands: the scan options plus the index's own. */
export interface IndexOptionsInput extends ScanOptionsInput {
  /** The index file (default INDEX_DEFAULTS.db). */
  db?: string;
  /** Documents per write transaction. */
  batchSize?: number | string;
  /** Store shingle sets (only when the index is created; recorded in it). */
  storeShingles?: boolean;
  /** index add: also remove entries whose files no longer exist. */
  prune?: boolean;
  /** Walk: follow symbolic links to folders. */
  follow?: boolean;
  /** index query, scan --db: what the path `-` and `filesFrom: '-'` read (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

/** The settings an index built with these options records. */
export function indexSettingsOf(o: ResolvedIndexOptions): IndexSettings {
  const { shingle, numPerm, seed, bands, rows, stem, stopwords, metric, threshold, storeShingles } = o;
  return { shingle: { ...shingle }, numPerm, seed, bands, rows, stem, stopwords, metric, threshold, storeShingles };
}

/** The settings that must agree between an index and a run, in the order they are checked. */
const FIXED_SETTINGS = ['shingle', 'numPerm', 'seed', 'stem', 'stopwords', 'bands', 'rows', 'storeShingles'] as const;

function describeSetting(key: (typeof FIXED_SETTINGS)[number], s: IndexSettings): string {
  switch (key) {
    case 'shingle':
      return `--shingle ${formatShingle(s.shingle)}`;
    case 'numPerm':
      return `--num-perm ${s.numPerm}`;
    case 'seed':
      return `--seed ${s.seed}`;
    case 'bands':
      return `--bands ${s.bands}`;
    case 'rows':
      return `--rows ${s.rows}`;
    case 'stem':
    case 'stopwords':
      return `--${key}`;
    case 'storeShingles':
      return `--${s.storeShingles ? '' : 'no-'}store-shingles`;
  }
}

function sameSetting(key: (typeof FIXED_SETTINGS)[number], a: IndexSettings, b: IndexSettings): boolean {
  return key === 'shingle' ? formatShingle(a.shingle) === formatShingle(b.shingle) : a[key] === b[key];
}

/** `built with --stem` / `built without --stem`: a flag that is on in one and off in the other. */
function mismatchMessage(db: string, key: (typeof FIXED_SETTINGS)[number], recorded: IndexSettings, run: IndexSettings): string {
  if (key === 'storeShingles') {
    return recorded.storeShingles
      ? `index ${db} stores shingles; this run uses --no-store-shingles (that choice is made when an index is created)`
      : `index ${db} was built with --no-store-shingles; this run stores shingles (that choice is made when an index is created)`;
  }
  if (typeof recorded[key] === 'boolean') {
    const flag = describeSetting(key, recorded);
    return recorded[key] ? `index ${db} was built with ${flag}; this run does not use ${flag}` : `index ${db} was built without ${flag}; this run uses ${flag}`;
  }
  return `index ${db} was built with ${describeSetting(key, recorded)}; this run uses ${describeSetting(key, run)}`;
}

/**
 * Resolves the options of an index command. Without `recorded` (a new index) this is
 * resolveOptions plus the index's own options. With the settings an existing index recorded,
 * whatever the caller did not give comes from the index (bands and rows included, whatever the
 * threshold), and whatever the caller gave must agree with it on every setting that decides the
 * stored sketches: a mismatch is refused with a message that names the setting.
 */
export function resolveIndexOptions(input: IndexOptionsInput = {}, recorded?: IndexSettings): ResolvedIndexOptions {
  const db = input.db ?? INDEX_DEFAULTS.db;
  if (typeof db !== 'string' || db.trim() === '') fail('--db: expected a file name');
  const { min, max } = INDEX_LIMITS.batchSize;
  const batchSize = input.batchSize === undefined ? INDEX_DEFAULTS.batchSize : toInteger('--batch-size', input.batchSize, min, max);
  const merged: IndexOptionsInput = { ...input };
  if (recorded) {
    for (const key of ['shingle', 'numPerm', 'seed', 'stem', 'stopwords', 'metric', 'threshold', 'storeShingles'] as const) {
      if (merged[key] === undefined) (merged as Record<string, unknown>)[key] = recorded[key];
    }
    // (with another --num-perm the recorded bands may not fit: the mismatch is then reported as such)
    if (input.bands === undefined && input.rows === undefined && Number(merged.numPerm) === recorded.numPerm) {
      merged.bands = recorded.bands;
      merged.rows = recorded.rows;
    }
  }
  const resolved: ResolvedIndexOptions = {
    ...resolveOptions(merged),
    db,
    batchSize,
    storeShingles: merged.storeShingles ?? INDEX_DEFAULTS.storeShingles,
    prune: input.prune ?? false,
    follow: input.follow ?? false,
  };
  if (recorded) {
    const run = indexSettingsOf(resolved);
    for (const key of FIXED_SETTINGS) {
      if (!sameSetting(key, recorded, run)) throw new NearDupError('EINDEX', mismatchMessage(db, key, recorded, run));
    }
  }
  return resolved;
}
