/**
 * The terminal report: each group with its members, sizes and pairwise scores, largest group
 * first, then a summary line. Colour comes from an explicit level (report/style.ts), never from
 * global state.
 */

import type { Explanation } from '../compare/explain.js';
import type { ScanResult, SkipReason } from '../model/types.js';
import { RUN_DEFAULTS } from '../options/report.js';
import { formatShingle } from '../options/scan.js';
import { coverageLine, renderPassages } from './compare-text.js';
import type { ReportContext } from './context.js';
import { baselineNote, fmtScore, groupsPhrase, nf, plural, scoreRange } from './format.js';
import { label, makeStyle, type Style } from './style.js';

export interface TextReportOptions extends Partial<Pick<ReportContext, 'baseline' | 'explain' | 'passages' | 'context'>> {
  colorLevel: 0 | 1 | 2 | 3;
  /** At most this many pairs are listed per group. */
  maxPairs?: number;
}

/** How the summary names each reason for a skip: the same for one and many, or [one, many]. */
const REASON_TEXT: Record<SkipReason, string | readonly [string, string]> = {
  binary: 'binary',
  'too-large': 'over --max-filesize',
  'unsupported-type': 'not a text type',
  empty: 'empty',
  'duplicate-path': 'listed twice',
  'symlink-dir': ['folder link', 'folder links'],
  'special-file': ['special file', 'special files'],
};

function reasonCount(reason: SkipReason, n: number): string {
  const t = REASON_TEXT[reason];
  return typeof t === 'string' ? `${nf.format(n)} ${t}` : plural(n, t[0], t[1]);
}

/** The alignment of a pair under its score line (scan --explain). */
function explainLines(e: Explanation, labels: readonly [string, string], c: Style, opts: TextReportOptions): string[] {
  if ('error' in e) return [c.dim(`${' '.repeat(16)}(${e.error})`)];
  return [
    c.dim(`${' '.repeat(16)}${coverageLine(e.alignment, labels)}`),
    ...renderPassages(e.alignment, e.texts, c, {
      context: opts.context ?? RUN_DEFAULTS.explainContext,
      limit: opts.passages ?? RUN_DEFAULTS.explainPassages,
      width: RUN_DEFAULTS.width,
      indent: 16,
    }),
  ];
}

export function renderText(result: ScanResult, opts: TextReportOptions): string {
  const c = makeStyle(opts.colorLevel);
  const maxPairs = opts.maxPairs ?? RUN_DEFAULTS.textPairs;
  const { documents, settings } = result;
  const metricName = settings.metric;
  const lines: string[] = [];

  for (const g of result.groups) {
    const range = scoreRange(g.pairs.map((p) => p[metricName]));
    lines.push(c.bold(`Group ${g.id}`) + c.dim(` · ${plural(g.members.length, 'document')} · ${metricName} ${range}`));
    const width = g.members.reduce((w, m) => Math.max(w, documents[m]!.path.length), 0);
    const labels = new Map<number, string>();
    g.members.forEach((m, i) => {
      labels.set(m, label(i));
      const d = documents[m]!;
      lines.push(
        `  ${c.dim(label(i).padStart(2))}  ${d.path.padEnd(width)}  ${c.dim(`${nf.format(d.chars)} chars${d.origin === 'index' ? ' · indexed' : ''}`)}`,
      );
    });
    const shown = g.pairs.slice(0, maxPairs);
    for (const p of shown) {
      const pairLabel = `${labels.get(p.a)} ↔ ${labels.get(p.b)}`;
      lines.push(`      ${pairLabel.padEnd(9)} containment ${c.cyan(fmtScore(p.containment))}  jaccard ${c.cyan(fmtScore(p.jaccard))}`);
      if (opts.explain) lines.push(...explainLines(opts.explain(p), [labels.get(p.a)!, labels.get(p.b)!], c, opts));
    }
    if (g.pairs.length > shown.length) {
      lines.push(c.dim(`      … ${plural(g.pairs.length - shown.length, 'more pair')} (see --format json)`));
    }
    lines.push('');
  }

  const s = result.stats;
  const reasons = new Map<SkipReason, number>();
  for (const k of result.skipped) reasons.set(k.reason, (reasons.get(k.reason) ?? 0) + 1);
  const skippedText = s.skipped === 0 ? '0 skipped' : `${nf.format(s.skipped)} skipped (${[...reasons].map(([r, n]) => reasonCount(r, n)).join(', ')})`;
  const failedText = `${nf.format(s.failed)} failed`;
  const groupsText = (s.groups === 0 ? c.green : c.yellow)(groupsPhrase(s, opts.baseline));
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
  if (opts.baseline) lines.push(c.dim(baselineNote(opts.baseline)));
  lines.push(c.dim(`settings: ${formatShingle(settings.shingle)}, ${metricName} ≥ ${settings.threshold}, ${settings.bands}×${settings.rows} bands`));
  return `${lines.join('\n')}\n`;
}
