/**
 * Every option neardup has: its type, its default and its validation live here, and nowhere
 * else. The CLI's help text reads DEFAULTS; the library and the CLI both call resolveOptions().
 */
import { NearDupError } from './errors.js';
import { chooseBands } from './sketch/lsh.js';

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
  /** Bytes of shingle sets kept in memory for verification; beyond it sets are recomputed. */
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
  memoryBudget: 512 * 1024 * 1024,
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

function fail(message: string): never {
  throw new NearDupError('EOPTION', message);
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

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const v = value.trim().toLowerCase();
  if (!(allowed as readonly string[]).includes(v)) fail(`${name}: expected ${allowed.join(' or ')}, got '${value}'`);
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
