/**
 * The settings types: what every layer receives once options are resolved (src/options resolves
 * and validates them; lower layers get these plain values, never the options modules).
 */

export type ShingleUnit = 'char' | 'word';
export interface ShingleSpec {
  unit: ShingleUnit;
  size: number;
}
export type Metric = 'jaccard' | 'containment';
/** `auto`: .jsonl/.ndjson/.json/.csv files are read as records; `off`: as plain text. */
export type RecordsMode = 'auto' | 'off';
/** What `-` (standard input) holds: one document, or JSONL records. */
export type StdinFormat = 'text' | 'jsonl';

/** The resolved, validated settings of one run. */
export interface ResolvedOptions {
  shingle: ShingleSpec;
  metric: Metric;
  threshold: number;
  numPerm: number;
  seed: number;
  bands: number;
  rows: number;
  stem: boolean;
  stopwords: boolean;
  hidden: boolean;
  respectIgnore: boolean;
  globs: string[];
  maxFileSize: number;
  /** 0 = one per core. Never changes the result. */
  threads: number;
  memoryBudget: number;
  textField: string;
  idField: string | undefined;
  records: RecordsMode;
  stdinFormat: StdinFormat;
  filesFrom: string | undefined;
  nullSeparated: boolean;
}

/** Report formats of `scan`. */
export type Format = 'text' | 'json' | 'jsonl' | 'csv' | 'sarif' | 'github' | 'markdown';
export type ColorMode = 'auto' | 'always' | 'never';

export interface RunOptions {
  format: Format;
  /** Write the report to this file (atomically) instead of stdout. */
  output: string | undefined;
  color: ColorMode;
  exitZero: boolean;
  baseline: string | undefined;
  updateBaseline: boolean;
  maxGroups: number;
  explain: boolean;
  /** Passages shown per pair (Infinity: all). */
  passages: number;
  context: number;
}

/**
 * What an index records about how it was built. The sketch settings and the bands decide the
 * stored signatures and band keys, so every later addition and query must use the same ones;
 * metric and threshold are only what the bands were chosen for (the default for queries).
 */
export interface IndexSettings {
  shingle: ShingleSpec;
  numPerm: number;
  seed: number;
  bands: number;
  rows: number;
  stem: boolean;
  stopwords: boolean;
  metric: Metric;
  threshold: number;
  storeShingles: boolean;
}

export interface ResolvedIndexOptions extends ResolvedOptions {
  db: string;
  batchSize: number;
  storeShingles: boolean;
  prune: boolean;
  follow: boolean;
}

/** Which document of a group is kept. */
export type KeepPolicy = 'first' | 'longest' | 'shortest' | 'newest' | 'oldest';
/** Report formats of `dedup` (stdout). */
export type DedupFormat = 'text' | 'json';

/**
 * What `--out` names, by its name: a `.jsonl`/`.ndjson` file (records, written one a line), a
 * `.csv` file (records, under their header), either optionally `.gz` (compressed); anything
 * else is a folder (documents, copied or linked).
 */
export type DedupOutputKind = 'folder' | 'jsonl' | 'csv';

export interface ResolvedDedupOptions extends ResolvedOptions {
  out: string;
  outputKind: DedupOutputKind;
  /** Compress the record output (its name ends in .gz). */
  gzip: boolean;
  keep: KeepPolicy;
  manifest: string | undefined;
  link: boolean;
  force: boolean;
  dryRun: boolean;
  follow: boolean;
  skipErrors: boolean;
}
