/**
 * A GitHub-flavoured markdown summary, fit for $GITHUB_STEP_SUMMARY: a heading with the verdict,
 * a table with one row per group (members, score ranges), the inputs that could not be read,
 * and the counts and settings. At most RUN_DEFAULTS.markdownGroups rows (a step summary is
 * capped at 1 MiB); the rest are counted.
 */

import type { ScanResult } from '../model/types.js';
import { RUN_DEFAULTS } from '../options/report.js';
import { formatShingle } from '../options/scan.js';
import type { ReportContext } from './context.js';
import { baselineNote, groupsPhrase, nf, plural, scoreRange } from './format.js';

/** A code span that survives any content inside a GFM table cell. */
export function mdCode(s: string): string {
  const text = s.replace(/\r?\n|\r/g, '\\n').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Plain text with markdown's punctuation escaped. */
export function mdText(s: string): string {
  return s.replace(/\r?\n|\r/g, ' ').replace(/[\\`*_[\]<>|~#]/g, (c) => `\\${c}`);
}

export function renderMarkdown(result: ScanResult, ctx: Pick<ReportContext, 'baseline'>): string {
  const { documents, settings, stats } = result;
  const out: string[] = [`### neardup: ${groupsPhrase(stats, ctx.baseline)}`, ''];
  if (result.groups.length > 0) {
    out.push('| Group | Documents | Containment | Jaccard |', '| ---: | --- | ---: | ---: |');
    const shown = result.groups.slice(0, RUN_DEFAULTS.markdownGroups);
    for (const g of shown) {
      const members = g.members.map((m) => mdCode(documents[m]!.path)).join('<br>');
      const c = scoreRange(g.pairs.map((p) => p.containment));
      const j = scoreRange(g.pairs.map((p) => p.jaccard));
      out.push(`| ${g.id} | ${members} | ${c} | ${j} |`);
    }
    out.push('');
    if (result.groups.length > shown.length) {
      out.push(`… and ${plural(result.groups.length - shown.length, 'more group')} (the json or sarif format lists them all).`, '');
    }
  }
  if (result.errors.length > 0) {
    out.push(`**${plural(result.errors.length, 'input')} could not be read:**`, '');
    for (const e of result.errors) out.push(`- ${mdCode(e.path)}: ${mdText(e.message)}`);
    out.push('');
  }
  out.push(
    `${plural(stats.files, 'file')} found · ${plural(stats.documents, 'document')} compared · ` +
      `${nf.format(stats.skipped)} skipped · ${nf.format(stats.failed)} failed  `,
  );
  if (ctx.baseline) out.push(`${mdText(baselineNote(ctx.baseline))}  `);
  out.push(`Settings: ${mdCode(formatShingle(settings.shingle))}, ${settings.metric} ≥ ${settings.threshold}`, '');
  return out.join('\n');
}
