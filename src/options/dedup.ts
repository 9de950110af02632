/**
 * neardup dedup's options: write the deduplicated corpus (src/dedup).
 */
import type { DedupFormat, DedupOutputKind, KeepPolicy, ResolvedDedupOptions } from '../model/settings.js';
import { fail, nonEmptyPath, oneOf } from './parse.js';
import { resolveOptions, type ScanOptionsInput } from './scan.js';

export const KEEP_POLICIES = ['first', 'longest', 'shortest', 'newest', 'oldest'] as const satisfies readonly KeepPolicy[];
export const DEDUP_FORMATS = ['text', 'json'] as const satisfies readonly DedupFormat[];

export const DEDUP_DEFAULTS = {
  /** first: the first member in path order (records: in input order). */
  keep: 'first' as KeepPolicy,
  format: 'text' as DedupFormat,
  link: false,
  force: false,
  dryRun: false,
} as const;

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
