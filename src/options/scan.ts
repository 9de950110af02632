/**
 * Every option neardup has: its type, its default and its validation live here, and nowhere
 * else. The CLI's help text reads DEFAULTS; the library and the CLI both call resolveOptions().
 */
import { NearDupError } from '../model/errors.js';
import { candidateProbability, chooseBands } from '../core/lsh.js';

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

/** What a caller may pass: everything optional, validated by resolveOptions(). */
export interface ScanOptionsInput {
  /** `char:9` / `word:5`, or an object. */
  shingle?: string | ShingleSpec;
  metric?: Metric | string;
  threshold?: number | string;
  numPerm?: number | string;
  seed?: number | string;
  bands?: number | string;
  rows?: number | string;
  /** Word transforms, through natural: Porter stemming and English stop-word removal. */
  stem?: boolean;
  stopwords?: boolean;
  /** Walk: include hidden files and folders. */
  hidden?: boolean;
  /** Walk: honour .gitignore, .ignore and .git/info/exclude. */
  respectIgnore?: boolean;
  /** Walk: gitignore-style globs; a leading `!` excludes. */
  globs?: string[];
  /** Files larger than this many bytes are skipped (a number, or `10M`, `512K`, `1G`). */
  maxFileSize?: number | string;
  /** Worker threads for reading and sketching; 0 or undefined: one per core. */
  threads?: number | string;
  /** Bytes of shingle sets kept in memory for verification; beyond it sets are spilled to a temporary file. */
  memoryBudget?: number | string;
  /** Record files: the field holding the text (dots reach into nested objects: `meta.body`). */
  textField?: string;
  /** Record files: the field holding the id; undefined: records are named `path:line`. */
  idField?: string;
  records?: RecordsMode | string;
  stdinFormat?: StdinFormat | string;
  /** A file listing the paths to scan (`-`: standard input). */
  filesFrom?: string;
  /** The --files-from list is NUL-separated (`find -print0`), not newline-separated. */
  nullSeparated?: boolean;
}

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

/**
 * The defaults. The similarity defaults come from measurements on the labelled dev set
 * (bench/quality.mjs; figures in README and bench/RESULTS.md).
 */
export const DEFAULTS = {
  shingle: { unit: 'char', size: 9 } as ShingleSpec,
  metric: 'containment' as Metric,
  threshold: 0.65,
  numPerm: 128,
  seed: 1,
  stem: false,
  stopwords: false,
  hidden: false,
  respectIgnore: true,
  globs: [] as string[],
  maxFileSize: 100 * 1024 * 1024,
  threads: 0,
  memoryBudget: 256 * 1024 * 1024,
  /**
   * Sets read back for verification come a chunk of pairs at a time, within half the memory
   * budget but never less than this: each chunk costs a round of messages to the threads, so a
   * budget of a few bytes (`--memory 0`) would otherwise mean one chunk per pair. Measured on
   * SpamAssassin: `--memory 1` took 57 s with chunks of a pair or two.
   */
  minSetChunk: 1024 * 1024,
  /**
   * LSH buckets larger than this are paired by a window of `bucketWindow` neighbours, not all
   * pairs (see candidates.ts), so boilerplate shared by thousands of documents costs linear
   * work. Measured on SpamAssassin (defaults): 45% fewer candidates; 99.6% of the documents in
   * groups and 83% of the pairs of the uncapped run (what is lost are extra pairs inside large,
   * dense groups); the dev set and the word:5 exact-pair recall are unchanged.
   */
  maxBucket: 64,
  bucketWindow: 32,
  textField: 'text',
  records: 'auto' as RecordsMode,
  stdinFormat: 'text' as StdinFormat,
  /**
   * For the containment metric, LSH is tuned so that a pair is a candidate with probability
   * >= LSH_RECALL when containment equals the threshold and the smaller document is at least
   * this fraction of the larger one's size. (A whole excerpt of half its source has Jaccard
   * 0.5 and is still a candidate with p > 0.99 at the default threshold.) Measured: 0.5
   * instead of 0.85 gives the same dev-set result but 8.5x more candidates on e-mail.
   */
  containmentSizeRatio: 0.85,
  /**
   * compare and --explain align texts on letters: a shared passage is at least the char shingle
   * size (9 letters in word mode), and a passage out of order (moved) at least this many letters,
   * so that short coincidences elsewhere in the text do not show as shared.
   */
  alignMovedLetters: 40,
} as const;

/** P(candidate | similarity = threshold) that the automatic band choice guarantees. */
export const LSH_RECALL = 0.95;

export const LIMITS = {
  shingleSize: { min: 1, max: 64 },
  numPerm: { min: 16, max: 1024 },
} as const;

export const METRICS: readonly Metric[] = ['jaccard', 'containment'];
export const RECORDS_MODES: readonly RecordsMode[] = ['auto', 'off'];
export const STDIN_FORMATS: readonly StdinFormat[] = ['text', 'jsonl'];

/**
 * A bad option value. `flag` names the option as on the command line (`--threshold`), `problem`
 * says what is wrong with it; a config file reports the same problem under its own key.
 */
export class OptionError extends NearDupError {
  constructor(
    readonly flag: string,
    readonly problem: string,
  ) {
    super('EOPTION', `${flag}: ${problem}`);
  }
}

/** Every message here reads `--flag: problem`. */
function fail(message: string): never {
  const m = /^(--[a-z-]+): ([^]*)$/.exec(message);
  throw m ? new OptionError(m[1]!, m[2]!) : new NearDupError('EOPTION', message);
}

export function parseShingle(value: string | ShingleSpec): ShingleSpec {
  if (typeof value === 'object') return validateShingle(value.unit, value.size, `${value.unit}:${value.size}`);
  const m = /^\s*(char|word)\s*:\s*(\d+)\s*$/i.exec(value);
  if (!m) fail(`--shingle: expected char:N or word:N (for example char:9 or word:5), got '${value}'`);
  return validateShingle(m[1]!.toLowerCase() as ShingleUnit, Number(m[2]), value);
}

function validateShingle(unit: string, size: number, shown: string): ShingleSpec {
  if (unit !== 'char' && unit !== 'word') fail(`--shingle: unit must be char or word, got '${shown}'`);
  const { min, max } = LIMITS.shingleSize;
  if (!Number.isInteger(size) || size < min || size > max) {
    fail(`--shingle: size must be a whole number from ${min} to ${max}, got '${shown}'`);
  }
  return { unit, size };
}

export function formatShingle(s: ShingleSpec): string {
  return `${s.unit}:${s.size}`;
}

function toNumber(name: string, value: number | string): number {
  const n = typeof value === 'number' ? value : value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n)) fail(`${name}: expected a number, got '${value}'`);
  return n;
}

function toInteger(name: string, value: number | string, min: number, max: number): number {
  const n = toNumber(name, value);
  if (!Number.isInteger(n) || n < min || n > max) {
    fail(`${name}: expected a whole number from ${min} to ${max}, got '${value}'`);
  }
  return n;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, m: 1024 ** 2, mb: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3 };

/** Parses `123`, `10K`, `512k`, `10M`, `1G` (binary multiples) into bytes. */
export function parseSize(value: number | string, name = '--max-filesize'): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) fail(`${name}: expected a size like 10M, got '${value}'`);
    return Math.floor(value);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const mult = m ? SIZE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || mult === undefined) fail(`${name}: expected a size like 500K, 10M or 1G, got '${value}'`);
  return Math.floor(Number(m[1]) * mult);
}

export function parseMetric(value: string): Metric {
  return oneOf('--metric', value, METRICS);
}

/**
 * The Jaccard similarity that LSH must catch for this metric and threshold: for containment,
 * the Jaccard of a pair whose containment equals the threshold when the smaller document is
 * DEFAULTS.containmentSizeRatio of the larger.
 */
export function lshTarget(metric: Metric, threshold: number): number {
  if (metric === 'jaccard') return threshold;
  const r = DEFAULTS.containmentSizeRatio;
  const shared = threshold * r;
  return shared / (1 + r - shared);
}

/** P(candidate) under these bands and rows for a pair at the metric's threshold (lshTarget). */
export function lshRecall(s: Pick<ResolvedOptions, 'metric' | 'threshold' | 'bands' | 'rows'>): number {
  return candidateProbability(lshTarget(s.metric, s.threshold), s.bands, s.rows);
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const v = value.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) {
    fail(`${name}: expected ${allowed.length === 2 ? allowed.join(' or ') : `one of ${allowed.join(', ')}`}, got '${value}'`);
  }
  return v as T;
}

function fieldName(name: string, value: string): string {
  if (value === '') fail(`${name}: expected a field name, got ''`);
  return value;
}

export function resolveOptions(input: ScanOptionsInput = {}): ResolvedOptions {
  const shingle = parseShingle(input.shingle ?? DEFAULTS.shingle);
  const metric = input.metric === undefined ? DEFAULTS.metric : parseMetric(String(input.metric));
  const threshold = input.threshold === undefined ? DEFAULTS.threshold : toNumber('--threshold', input.threshold);
  if (threshold <= 0 || threshold > 1) fail(`--threshold: expected a number greater than 0 and at most 1, got '${input.threshold}'`);
  const numPerm =
    input.numPerm === undefined ? DEFAULTS.numPerm : toInteger('--num-perm', input.numPerm, LIMITS.numPerm.min, LIMITS.numPerm.max);
  const seed = input.seed === undefined ? DEFAULTS.seed : toInteger('--seed', input.seed, 0, 0xffffffff);

  let bands: number;
  let rows: number;
  if (input.bands !== undefined || input.rows !== undefined) {
    if (input.bands !== undefined && input.rows !== undefined) {
      bands = toInteger('--bands', input.bands, 1, numPerm);
      rows = toInteger('--rows', input.rows, 1, numPerm);
    } else if (input.bands !== undefined) {
      bands = toInteger('--bands', input.bands, 1, numPerm);
      rows = Math.floor(numPerm / bands);
    } else {
      rows = toInteger('--rows', input.rows!, 1, numPerm);
      bands = Math.floor(numPerm / rows);
    }
    if (bands * rows > numPerm) {
      fail(
        `--bands ${bands} x --rows ${rows} = ${bands * rows} exceeds --num-perm ${numPerm}: ` +
          `lower --bands or --rows, or raise --num-perm to at least ${bands * rows}`,
      );
    }
  } else {
    ({ bands, rows } = chooseBands(lshTarget(metric, threshold), numPerm, LSH_RECALL));
  }

  const globs = input.globs ?? DEFAULTS.globs;
  for (const g of globs) if (g.trim() === '' || g.trim() === '!') fail(`--glob: empty pattern`);
  if (input.filesFrom === '') fail(`--files-from: expected a file, or - for standard input`);
  if (input.nullSeparated && input.filesFrom === undefined) fail(`-0: only applies to --files-from`);

  return {
    shingle,
    metric,
    threshold,
    numPerm,
    seed,
    bands,
    rows,
    stem: input.stem ?? DEFAULTS.stem,
    stopwords: input.stopwords ?? DEFAULTS.stopwords,
    hidden: input.hidden ?? DEFAULTS.hidden,
    respectIgnore: input.respectIgnore ?? DEFAULTS.respectIgnore,
    globs: [...globs],
    maxFileSize: input.maxFileSize === undefined ? DEFAULTS.maxFileSize : parseSize(input.maxFileSize, '--max-filesize'),
    threads: input.threads === undefined ? DEFAULTS.threads : toInteger('--threads', input.threads, 0, 256),
    memoryBudget: input.memoryBudget === undefined ? DEFAULTS.memoryBudget : parseSize(input.memoryBudget, '--memory'),
    textField: input.textField === undefined ? DEFAULTS.textField : fieldName('--text-field', input.textField),
    idField: input.idField === undefined ? undefined : fieldName('--id-field', input.idField),
    records: input.records === undefined ? DEFAULTS.records : oneOf('--records', input.records, RECORDS_MODES),
    stdinFormat: input.stdinFormat === undefined ? DEFAULTS.stdinFormat : oneOf('--stdin-format', input.stdinFormat, STDIN_FORMATS),
    filesFrom: input.filesFrom,
    nullSeparated: input.nullSeparated ?? false,
  };
}

/** The settings that determine signatures: two sketches are comparable only if these match. */
export function sketchSettings(o: ResolvedOptions): string {
  return `shingle=${formatShingle(o.shingle)};perm=${o.numPerm};seed=${o.seed};stem=${o.stem};stopwords=${o.stopwords}`;
}

// ---------------------------------------------------------------------------------------------
// How a run reports and gates: formats, output file, colour, baseline, exit policy, explanations.

export const FORMATS = ['text', 'json', 'jsonl', 'csv', 'sarif', 'github', 'markdown'] as const;
export type Format = (typeof FORMATS)[number];
/** Formats of `compare`. */
export const COMPARE_FORMATS: readonly Format[] = ['text', 'json'];
/** Formats that may carry per-pair alignments (`--explain`). */
export const EXPLAIN_FORMATS: readonly Format[] = ['text', 'json', 'jsonl'];
export const COLOR_MODES = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];

export const RUN_DEFAULTS = {
  format: 'text' as Format,
  color: 'auto' as ColorMode,
  exitZero: false,
  /** Exit 1 only when more than this many (new) groups are found. */
  maxGroups: 0,
  explain: false,
  /** Passages shown per pair by `scan --explain`. */
  explainPassages: 10,
  /** `compare` shows every passage unless --passages says otherwise. */
  comparePassages: Infinity,
  /** Characters of each long shared passage shown before and after the cut (text view). */
  context: 60,
  /** The same for `scan --explain`, where passages sit under each pair. */
  explainContext: 40,
  /** Line width of passages when stdout is not a terminal. */
  width: 100,
  /** Where `--update-baseline` writes when --baseline is not given. */
  baselineFile: '.neardup-baseline.json',
  /** Config files looked for in the current folder and its parents. */
  configFile: '.neardup.json',
  /** The text report lists at most this many pairs per group (the JSON lists all). */
  textPairs: 20,
  /** The markdown summary lists at most this many groups (GitHub caps a step summary at 1 MiB). */
  markdownGroups: 50,
} as const;

/** What a caller may pass about reporting and gating (the CLI's flags, a config file's keys). */
export interface RunOptionsInput {
  format?: string;
  output?: string;
  color?: string;
  exitZero?: boolean;
  baseline?: string;
  updateBaseline?: boolean;
  maxGroups?: number | string;
  explain?: boolean;
  passages?: number | string;
  context?: number | string;
}

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


function nonEmptyPath(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') fail(`${flag}: expected a file path, got '${value}'`);
  return value;
}

/** Which command the run options are for: scan and compare differ in formats and passages shown. */
export type RunCommand = 'scan' | 'compare';

/** Validates the reporting and gating options of a scan or a compare. */
export function resolveRunOptions(input: RunOptionsInput = {}, command: RunCommand = 'scan'): RunOptions {
  const scan = command === 'scan';
  const format = input.format === undefined ? RUN_DEFAULTS.format : oneOf('--format', input.format, scan ? FORMATS : COMPARE_FORMATS);
  const color = input.color === undefined ? RUN_DEFAULTS.color : oneOf('--color', input.color, COLOR_MODES);
  const explain = input.explain ?? RUN_DEFAULTS.explain;
  if (explain && !EXPLAIN_FORMATS.includes(format)) {
    fail(`--explain: not available with --format ${format} (use ${EXPLAIN_FORMATS.join(', ')})`);
  }
  const updateBaseline = input.updateBaseline ?? false;
  const baseline = nonEmptyPath('--baseline', input.baseline) ?? (updateBaseline ? RUN_DEFAULTS.baselineFile : undefined);
  return {
    format,
    output: nonEmptyPath('--output', input.output),
    color,
    exitZero: input.exitZero ?? RUN_DEFAULTS.exitZero,
    baseline,
    updateBaseline,
    maxGroups: input.maxGroups === undefined ? RUN_DEFAULTS.maxGroups : toInteger('--max-groups', input.maxGroups, 0, Number.MAX_SAFE_INTEGER),
    explain,
    passages:
      input.passages === undefined
        ? scan
          ? RUN_DEFAULTS.explainPassages
          : RUN_DEFAULTS.comparePassages
        : toInteger('--passages', input.passages, 1, Number.MAX_SAFE_INTEGER),
    context:
      input.context === undefined
        ? scan
          ? RUN_DEFAULTS.explainContext
          : RUN_DEFAULTS.context
        : input.context === 'all' ? Infinity : toInteger('--context', input.context, 0, Number.MAX_SAFE_INTEGER),
  };
}

// ---------------------------------------------------------------------------------------------
// The persistent index (neardup index add/query/remove/stats/verify, scan --db).

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
    return recorded[key]
      ? `index ${db} was built with ${flag}; this run does not use ${flag}`
      : `index ${db} was built without ${flag}; this run uses ${flag}`;
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

// ---------------------------------------------------------------------------------------------
// neardup dedup: write the deduplicated corpus (src/dedup).

/** Which document of a group is kept. */
export const KEEP_POLICIES = ['first', 'longest', 'shortest', 'newest', 'oldest'] as const;
export type KeepPolicy = (typeof KEEP_POLICIES)[number];
/** Report formats of `dedup` (stdout). */
export const DEDUP_FORMATS = ['text', 'json'] as const;
export type DedupFormat = (typeof DEDUP_FORMATS)[number];

export const DEDUP_DEFAULTS = {
  /** first: the first member in path order (records: in input order). */
  keep: 'first' as KeepPolicy,
  format: 'text' as DedupFormat,
  link: false,
  force: false,
  dryRun: false,
} as const;

/**
 * What `--out` names, by its name: a `.jsonl`/`.ndjson` file (records, written one a line), a
 * `.csv` file (records, under their header), either optionally `.gz` (compressed); anything
 * else is a folder (documents, copied or linked).
 */
export type DedupOutputKind = 'folder' | 'jsonl' | 'csv';

export function dedupOutputKind(out: string): { kind: DedupOutputKind; gzip: boolean } {
  const gzip = /\.gz$/i.test(out);
  const name = gzip ? out.slice(0, -3) : out;
  if (/\.(jsonl|ndjson)$/i.test(name)) return { kind: 'jsonl', gzip };
  if (/\.csv$/i.test(name)) return { kind: 'csv', gzip };
  return { kind: 'folder', gzip: false };
}

/** What a caller may pass to `deduplicate` (and the CLI's dedup flags): scan's options and these. */
export interface DedupOptionsInput extends ScanOptionsInput {
  /** The folder (documents) or the .jsonl/.csv file (records) to write. */
  out?: string;
  keep?: KeepPolicy | string;
  /** A JSONL file with one line per removed document. */
  manifest?: string;
  /** Hard-link the kept files instead of copying them (folder output only). */
  link?: boolean;
  /** Replace a non-empty output (and manifest). */
  force?: boolean;
  /** Plan, report, write nothing. */
  dryRun?: boolean;
  /** Walk: follow symbolic links to folders. */
  follow?: boolean;
  /** Write the output even though some inputs could not be read (they are left out). */
  skipErrors?: boolean;
}

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

/** Validates the options of a dedup run: scan's, then the output's. */
export function resolveDedupOptions(input: DedupOptionsInput = {}): ResolvedDedupOptions {
  const settings = resolveOptions(input);
  if (input.out === undefined) fail(`--out: required: the folder (or .jsonl/.csv file, for records) to write`);
  const out = nonEmptyPath('--out', input.out)!;
  const { kind: outputKind, gzip } = dedupOutputKind(out);
  const keep = input.keep === undefined ? DEDUP_DEFAULTS.keep : oneOf('--keep', input.keep, KEEP_POLICIES);
  const link = input.link ?? DEDUP_DEFAULTS.link;
  if (link && outputKind !== 'folder') fail(`--link: only for a folder output; records are written into ${out}`);
  if ((keep === 'newest' || keep === 'oldest') && outputKind !== 'folder') {
    fail(`--keep: ${keep} compares file modification times, which records do not have (use first, longest or shortest)`);
  }
  return {
    ...settings,
    out,
    outputKind,
    gzip,
    keep,
    manifest: nonEmptyPath('--manifest', input.manifest),
    link,
    force: input.force ?? DEDUP_DEFAULTS.force,
    dryRun: input.dryRun ?? DEDUP_DEFAULTS.dryRun,
    follow: input.follow ?? false,
    skipErrors: input.skipErrors ?? false,
  };
}
