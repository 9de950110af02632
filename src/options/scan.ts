/**
 * The scan's options: their types, defaults and validation live here, and nowhere else. The
 * CLI's help text reads DEFAULTS; the library and the CLI both call resolveOptions().
 */
import { chooseBands, LSH_RECALL, lshTarget } from '../core/lsh.js';
import type { Metric, RecordsMode, ResolvedOptions, ShingleSpec, ShingleUnit, StdinFormat } from '../model/settings.js';
import { fail, fieldName, oneOf, parseSize, toInteger, toNumber } from './parse.js';

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
   * compare and --explain align texts on letters: a shared passage is at least the char shingle
   * size (9 letters in word mode), and a passage out of order (moved) at least this many letters,
   * so that short coincidences elsewhere in the text do not show as shared.
   */
  alignMovedLetters: 40,
} as const;

export const LIMITS = {
  shingleSize: { min: 1, max: 64 },
  numPerm: { min: 16, max: 1024 },
} as const;

export const METRICS: readonly Metric[] = ['jaccard', 'containment'];
export const RECORDS_MODES: readonly RecordsMode[] = ['auto', 'off'];
export const STDIN_FORMATS: readonly StdinFormat[] = ['text', 'jsonl'];

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

export function parseMetric(value: string): Metric {
  return oneOf('--metric', value, METRICS);
}

export function resolveOptions(input: ScanOptionsInput = {}): ResolvedOptions {
  const shingle = parseShingle(input.shingle ?? DEFAULTS.shingle);
  const metric = input.metric === undefined ? DEFAULTS.metric : parseMetric(String(input.metric));
  const threshold = input.threshold === undefined ? DEFAULTS.threshold : toNumber('--threshold', input.threshold);
  if (threshold <= 0 || threshold > 1) fail(`--threshold: expected a number greater than 0 and at most 1, got '${input.threshold}'`);
  const numPerm = input.numPerm === undefined ? DEFAULTS.numPerm : toInteger('--num-perm', input.numPerm, LIMITS.numPerm.min, LIMITS.numPerm.max);
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

/** The similarity settings, as every machine format and the baseline file record them. */
export function recordedSettings(s: ResolvedOptions) {
  return {
    shingle: formatShingle(s.shingle),
    metric: s.metric,
    threshold: s.threshold,
    numPerm: s.numPerm,
    seed: s.seed,
    bands: s.bands,
    rows: s.rows,
    stem: s.stem,
    stopwords: s.stopwords,
  };
}

export type RecordedSettings = ReturnType<typeof recordedSettings>;
