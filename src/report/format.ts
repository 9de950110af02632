/** Number formatting shared by the human-readable formats (text, markdown, annotations, SARIF messages). */

import type { ScanStats } from '../model/types.js';
import type { BaselineInfo } from './context.js';

let numberFormat: Intl.NumberFormat | undefined;
/** Thousands separators (made on first use: building it costs ~20 ms of start-up). */
export const nf = { format: (n: number): string => (numberFormat ??= new Intl.NumberFormat('en-US')).format(n) };

/** A score to 3 decimals, rounded down, so 0.6499 never shows as 0.650 next to a 0.65 threshold. */
export function fmtScore(x: number): string {
  return (Math.floor(x * 1000) / 1000).toFixed(3);
}

/** `0.940` or `0.940–1.000`. */
export function scoreRange(scores: readonly number[]): string {
  // a loop, not Math.min(...scores): a group can have more pairs than a call has room for arguments
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of scores) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  return lo === hi ? fmtScore(lo) : `${fmtScore(lo)}–${fmtScore(hi)}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${nf.format(n)} ${n === 1 ? one : many}`;
}

/** A share as a percentage with one decimal, rounded down (`97.8%`). */
export function percent(x: number): string {
  return `${(Math.floor(x * 1000) / 10).toFixed(1)}%`;
}

/** One line on what the baseline did, for the human-readable formats. */
export function baselineNote(b: BaselineInfo): string {
  if (b.updated) return `baseline written to ${b.file}: ${plural(b.new + b.known, 'group')} recorded`;
  const parts = [`baseline ${b.file}: ${plural(b.known, 'known group')} not shown`];
  if (b.absent > 0) parts.push(`${plural(b.absent, 'recorded group')} no longer found (shrink it with --update-baseline)`);
  return parts.join('; ');
}

/** `2 groups, 5 duplicate documents`, `no near-duplicates`; against a baseline, the new ones. */
export function groupsPhrase(stats: Pick<ScanStats, 'groups' | 'duplicateDocuments'>, baseline: BaselineInfo | undefined): string {
  const gated = baseline !== undefined && !baseline.updated;
  if (stats.groups === 0) return gated ? 'no new near-duplicates' : 'no near-duplicates';
  return `${plural(stats.groups, gated ? 'new group' : 'group')}, ${plural(stats.duplicateDocuments, 'duplicate document')}`;
}

/** A path as it can be pasted into a POSIX shell. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
