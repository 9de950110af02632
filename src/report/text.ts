/**
 * The terminal report: each group with its members, sizes and pairwise scores, largest group
 * first, then a summary line. The one module that imports chalk; colour comes from an explicit
 * level, never from global state.
 */
import { Chalk, supportsColor, type ChalkInstance } from 'chalk';
import { formatShingle } from '../options.js';
import type { ScanResult, SkipReason } from '../types.js';

export type ColorMode = 'auto' | 'always' | 'never';

/**
 * The colour level for a stream: `never` and NO_COLOR (non-empty) turn colour off, `always`
 * and FORCE_COLOR turn it on, `auto` colours only a TTY.
 */
export function colorLevel(mode: ColorMode, isTTY: boolean, env: NodeJS.ProcessEnv = process.env): 0 | 1 | 2 | 3 {
  if (mode === 'never') return 0;
  const detected = supportsColor ? supportsColor.level : 0;
  if (mode === 'always') return (Math.max(1, detected) as 1 | 2 | 3);
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return (n >= 1 && n <= 3 ? n : Math.max(1, detected)) as 1 | 2 | 3;
  }
  return isTTY ? detected : 0;
}

export interface TextReportOptions {
  colorLevel: 0 | 1 | 2 | 3;
  /** At most this many pairs are listed per group. */
  maxPairs?: number;
}

const nf = new Intl.NumberFormat('en-US');

function label(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

function fmtScore(x: number): string {
  return (Math.floor(x * 1000) / 1000).toFixed(3);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${nf.format(n)} ${n === 1 ? one : many}`;
}

const REASON_TEXT: Record<SkipReason, string> = {
  binary: 'binary',
  'too-large': 'over --max-filesize',
  'unsupported-type': 'not a text type',
  empty: 'empty',
  'duplicate-path': 'listed twice',
  'symlink-dir': 'folder links',
  'special-file': 'special files',
};

export function renderText(result: ScanResult, opts: TextReportOptions): string {
  const c: ChalkInstance = new Chalk({ level: opts.colorLevel });
  const maxPairs = opts.maxPairs ?? 20;
  const { documents, settings } = result;
  const metricName = settings.metric;
  const lines: string[] = [];

  for (const g of result.groups) {
    const scores = g.pairs.map((p) => (metricName === 'jaccard' ? p.jaccard : p.containment));
    const lo = Math.min(...scores);
    const hi = Math.max(...scores);
    const range = lo === hi ? fmtScore(lo) : `${fmtScore(lo)}–${fmtScore(hi)}`;
    lines.push(c.bold(`Group ${g.id}`) + c.dim(` · ${plural(g.members.length, 'document')} · ${metricName} ${range}`));
    const width = Math.max(...g.members.map((m) => documents[m]!.path.length));
    const labels = new Map<number, string>();
    g.members.forEach((m, i) => {
      labels.set(m, label(i));
      const d = documents[m]!;
      lines.push(`  ${c.dim(label(i).padStart(2))}  ${d.path.padEnd(width)}  ${c.dim(`${nf.format(d.chars)} chars${d.origin === 'index' ? ' · indexed' : ''}`)}`);
    });
    const shown = g.pairs.slice(0, maxPairs);
    for (const p of shown) {
      const pairLabel = `${labels.get(p.a)} ↔ ${labels.get(p.b)}`;
      lines.push(
        `      ${pairLabel.padEnd(9)} containment ${c.cyan(fmtScore(p.containment))}  jaccard ${c.cyan(fmtScore(p.jaccard))}`,
      );
    }
    if (g.pairs.length > shown.length) {
      lines.push(c.dim(`      … ${plural(g.pairs.length - shown.length, 'more pair')} (see --format json)`));
    }
    lines.push('');
  }

  const s = result.stats;
  const reasons = new Map<string, number>();
  for (const k of result.skipped) reasons.set(REASON_TEXT[k.reason], (reasons.get(REASON_TEXT[k.reason]) ?? 0) + 1);
  const skippedText =
    s.skipped === 0
      ? '0 skipped'
      : `${nf.format(s.skipped)} skipped (${[...reasons].map(([r, n]) => `${nf.format(n)} ${r}`).join(', ')})`;
  const failedText = `${nf.format(s.failed)} failed`;
  const groupsText = s.groups === 0 ? c.green('no near-duplicates') : c.yellow(`${plural(s.groups, 'group')}, ${plural(s.duplicateDocuments, 'duplicate document')}`);
  lines.push(
    [
      `${plural(s.files, 'file')} found`,
      `${plural(s.documents, 'document')} compared`,
      s.skipped ? c.yellow(skippedText) : skippedText,
      s.failed ? c.red(failedText) : failedText,
      groupsText,
      `${(result.elapsedMs / 1000).toFixed(2)}s`,
    ].join(' · '),
  );
  lines.push(c.dim(`settings: ${formatShingle(settings.shingle)}, ${metricName} ≥ ${settings.threshold}, ${settings.bands}×${settings.rows} bands`));
  return lines.join('\n') + '\n';
}
