/**
 * How a run reports and gates: formats, output file, colour, baseline, exit policy, explanations.
 */
import type { ColorMode, Format, RunOptions } from '../model/settings.js';
import { fail, nonEmptyPath, oneOf, toInteger } from './parse.js';

export const FORMATS = ['text', 'json', 'jsonl', 'csv', 'sarif', 'github', 'markdown'] as const satisfies readonly Format[];
/** Formats of `compare`. */
export const COMPARE_FORMATS: readonly Format[] = ['text', 'json'];
/** Formats that may carry per-pair alignments (`--explain`). */
export const EXPLAIN_FORMATS: readonly Format[] = ['text', 'json', 'jsonl'];
export const COLOR_MODES = ['auto', 'always', 'never'] as const satisfies readonly ColorMode[];

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
        : input.context === 'all'
          ? Infinity
          : toInteger('--context', input.context, 0, Number.MAX_SAFE_INTEGER),
  };
}
