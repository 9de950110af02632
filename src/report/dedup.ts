/**
 * What dedup reports: the text report (each group: the member kept and those removed, with their
 * scores against it), the summary lines (counts and bytes kept and removed, what was written),
 * and the JSON report (schema "neardup/dedup", version 1; documented in README). Deterministic:
 * nothing depends on timing, threads or the order the inputs were listed in.
 */

import type { DedupResult } from '../dedup/dedup.js';
import { removalObject } from '../dedup/manifest.js';
import type { DocumentInfo } from '../model/types.js';
import { VERSION } from '../model/version.js';
import { formatShingle, recordedSettings } from '../options/scan.js';
import { fmtScore, nf, plural } from './format.js';
import { placeFields } from './json.js';
import { label, makeStyle } from './style.js';

export const DEDUP_SCHEMA_VERSION = 1;

/** `512 B`, `4.4 KiB`, `1.2 MiB`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${nf.format(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(1)} ${units[u]}`;
}

function nameOf(d: DocumentInfo): string {
  return d.id !== undefined && d.id !== d.path ? `${d.path} (id ${d.id})` : d.path;
}

/** The groups: for each, its members in path order, which is kept, and each other's scores against it. */
export function renderDedupText(r: DedupResult, colorLevel: 0 | 1 | 2 | 3): string {
  const c = makeStyle(colorLevel);
  const { documents } = r.scan;
  const removalOf = new Map(r.plan.removals.map((x, i) => [x.doc, i]));
  const lines: string[] = [];
  const scanGroups = new Map(r.scan.groups.map((g) => [g.id, g]));
  for (const g of r.plan.groups) {
    const members = scanGroups.get(g.id)!.members;
    const labels = new Map(members.map((m, i) => [m, label(i)]));
    lines.push(c.bold(`Group ${g.id}`) + c.dim(` · ${plural(members.length, 'document')} · keep ${labels.get(g.kept)} (${r.settings.keep})`));
    const names = members.map((m) => nameOf(documents[m]!));
    const width = names.reduce((w, n) => Math.max(w, n.length), 0);
    members.forEach((m, i) => {
      const d = documents[m]!;
      const head = `  ${c.dim(label(i).padStart(2))}  ${m === g.kept ? c.green('keep  ') : c.red('remove')}  ${names[i]!.padEnd(width)}  ${c.dim(`${nf.format(d.chars)} chars`)}`;
      const at = removalOf.get(m);
      if (at === undefined) {
        lines.push(head);
        return;
      }
      const x = r.plan.removals[at]!;
      const s = r.scores[at]!;
      const via = x.pair ? '' : c.dim(`  via ${x.via.map((v) => labels.get(v)).join(', ')}`);
      lines.push(`${head}  containment ${c.cyan(fmtScore(s.containment))}  jaccard ${c.cyan(fmtScore(s.jaccard))}${via}`);
    });
    lines.push('');
  }
  return lines.join('\n');
}

/** The summary, for stderr: counts and bytes kept and removed, inputs not compared, what was written. */
export function renderDedupSummary(r: DedupResult): string[] {
  const n = r.counts;
  const s = r.settings;
  const out: string[] = [];
  const skipped = n.skipped ? ` · ${plural(n.skipped, 'input')} skipped, not written` : '';
  out.push(
    `kept ${nf.format(n.kept)} of ${plural(n.documents, 'document')} (${formatBytes(n.keptBytes)}) · ` +
      `removed ${nf.format(n.removed)} in ${plural(n.groups, 'group')} (${formatBytes(n.removedBytes)})${skipped} · ${nf.format(n.failed)} failed`,
  );
  const target =
    s.outputKind === 'folder' ? `${s.out} (${plural(n.kept, 'file')} ${s.link ? 'hard-linked' : 'copied'})` : `${s.out} (${plural(n.kept, 'record')})`;
  const manifest = s.manifest === undefined ? '' : ` · manifest ${s.manifest} (${plural(n.removed, 'line')})`;
  if (r.written) out.push(`wrote ${target}${manifest}`);
  else if (r.notWritten === 'dry-run') out.push(`dry run: nothing written (would write ${target}${manifest})`);
  out.push(`settings: ${formatShingle(s.shingle)}, ${s.metric} ≥ ${s.threshold}, ${s.bands}×${s.rows} bands · keep ${s.keep}`);
  return out;
}

export function buildDedupJson(r: DedupResult) {
  const { documents } = r.scan;
  const s = r.settings;
  const named = (d: DocumentInfo) => ({
    path: d.path,
    ...(d.id === undefined ? {} : { id: d.id }),
    ...(d.pathBytes === undefined ? {} : { pathBytes: d.pathBytes }),
  });
  return {
    schema: 'neardup/dedup',
    version: DEDUP_SCHEMA_VERSION,
    tool: { name: 'neardup', version: VERSION },
    settings: { ...recordedSettings(s), records: s.records, textField: s.textField, idField: s.idField ?? null, keep: s.keep },
    output: {
      out: s.out,
      kind: s.outputKind,
      gzip: s.gzip,
      link: s.link,
      manifest: s.manifest ?? null,
      dryRun: s.dryRun,
      written: r.written,
    },
    counts: r.counts,
    groups: r.plan.groups.map((g) => ({
      id: g.id,
      size: g.removed.length + 1,
      kept: named(documents[g.kept]!),
      removed: g.removed.map((m) => named(documents[m]!)),
    })),
    removed: r.plan.removals.map((x, i) => removalObject(documents, x, r.scores[i]!)),
    kept: documents
      .filter((d) => r.plan.kept[d.index] === 1)
      .map((d) => ({ ...named(d), bytes: r.bytes[d.index]!, ...(r.outputPaths?.[d.index] === undefined ? {} : { to: r.outputPaths[d.index] }) })),
    skipped: r.scan.skipped.map((x) => ({ path: x.path, ...placeFields(x), reason: x.reason, detail: x.detail })),
    errors: r.scan.errors.map((x) => ({ path: x.path, ...placeFields(x), message: x.message })),
    warnings: r.scan.warnings.map((x) => ({ path: x.path, ...placeFields(x), message: x.message })),
  };
}

export function renderDedupJson(r: DedupResult): string {
  return `${JSON.stringify(buildDedupJson(r), null, 2)}\n`;
}
