/**
 * GitHub Actions workflow commands: one `::warning file=...,line=1,title=...::message` annotation
 * per group (at its first member; the message names the others), one `::error` per input that
 * could not be read, each kind capped at GitHub's 10 per step with a `::notice` for the rest; then
 * a plain summary line for the log. Values are escaped as GitHub's runner unescapes them.
 */

import type { Place, ScanResult } from '../model/types.js';
import { DEFAULTS } from '../options/scan.js';
import type { ReportContext } from './context.js';
import { baselineNote, groupsPhrase, plural, scoreRange, shellQuote } from './format.js';
import { repoRelative } from './sarif.js';

/** GitHub shows at most 10 warning and 10 error annotations of a step. */
export const GITHUB_ANNOTATION_CAP = 10;

/** Escapes a command's message: `%`, CR and LF. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value: as data, and `:` and `,`. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

function command(kind: 'warning' | 'error' | 'notice', props: Record<string, string | number>, message: string): string {
  const p = Object.entries(props)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${kind}${p ? ` ${p}` : ''}::${escapeData(message)}\n`;
}

function capped(lines: readonly string[], what: string): string {
  if (lines.length <= GITHUB_ANNOTATION_CAP) return lines.join('');
  const rest = lines.length - GITHUB_ANNOTATION_CAP;
  return (
    lines.slice(0, GITHUB_ANNOTATION_CAP).join('') +
    command(
      'notice',
      {},
      `${plural(rest, `more ${what}`)} not annotated (GitHub shows ${GITHUB_ANNOTATION_CAP} per step); the json or sarif format lists them all`,
    )
  );
}

export function renderGithub(result: ScanResult, ctx: ReportContext): string {
  const { documents, settings, stats } = result;
  const file = (p: Place) => repoRelative(p.source ?? p.path, ctx) ?? p.source ?? p.path;
  const at = (p: Place): Record<string, string | number> =>
    p.line === undefined ? { file: file(p) } : p.column === undefined ? { file: file(p), line: p.line } : { file: file(p), line: p.line, col: p.column };
  // records are compared by their place (FILE:LINE); a text field of its own must be named again
  const textField = settings.textField !== DEFAULTS.textField && documents.some((d) => d.line !== undefined) ? settings.textField : undefined;
  const warnings = result.groups.map((g) => {
    const [head, ...rest] = g.members.map((m) => documents[m]!);
    const first = head!.path;
    const others = rest.map((d) => d.path);
    const range = scoreRange(g.pairs.map((p) => p[settings.metric]));
    // a verified pair of the first member (pairs come by (a, b), and it has the lowest index):
    // a group joins documents through chains of pairs, so not every two of them are alike
    const partner = documents[g.pairs.find((p) => p.a === head!.index)?.b ?? g.members[1]!]!.path;
    const names = [first, partner];
    const message =
      (others.length === 1
        ? `${first} and ${others[0]} are near-duplicates (${settings.metric} ${range}). `
        : `${first} is in a group of ${g.members.length} near-duplicate documents (${settings.metric} ${range}): ${others.join(', ')}. `) +
      'See the passages it shares with a document it was verified against: neardup compare ' +
      // options first, then `--`, when a name starts with '-' (it would be read as an option)
      (names.some((n) => n.startsWith('-'))
        ? `${textField ? `--text-field ${shellQuote(textField)} ` : ''}-- ${names.map(shellQuote).join(' ')}`
        : `${names.map(shellQuote).join(' ')}${textField ? ` --text-field ${shellQuote(textField)}` : ''}`);
    return command('warning', { ...at(head!), line: head!.line ?? 1, title: `Near-duplicate documents (group ${g.id} of ${result.groups.length})` }, message);
  });
  const errors = result.errors.map((e) =>
    command('error', { ...at(e), title: `neardup could not read this ${e.line === undefined ? 'file' : 'record'}` }, e.message),
  );
  const summary = [
    `neardup: ${groupsPhrase(stats, ctx.baseline)}`,
    `${plural(stats.files, 'file')} found`,
    `${plural(stats.documents, 'document')} compared`,
    `${plural(stats.skipped, 'skipped', 'skipped')}`,
    `${plural(stats.failed, 'failed', 'failed')}`,
  ].join(' · ');
  return (
    capped(warnings, 'near-duplicate group') +
    capped(errors, 'unreadable input') +
    summary +
    '\n' +
    (ctx.baseline ? `neardup: ${baselineNote(ctx.baseline)}\n` : '')
  );
}
