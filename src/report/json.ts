/**
 * The JSON report (schema "neardup/scan", version 1; documented in README). Deterministic:
 * nothing in it depends on timing, worker count or the order inputs were listed in.
 */
import { RUN_DEFAULTS, formatShingle, type ResolvedOptions } from '../options.js';
import { jsonAlignment } from './compare.js';
import type { DocumentInfo, Group, Place, ScanResult, ScanStats, ScoredPair } from '../types.js';
import type { ReportContext } from './index.js';
import { VERSION } from '../version.js';

export const JSON_SCHEMA_VERSION = 1;

/** Scores are rounded to 4 decimals (reported pairs are verified before rounding). */
export function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/** A place's optional fields (records: source, line; names that are not UTF-8: pathBytes). */
function placeFields(p: Place): { source?: string; line?: number; pathBytes?: string } {
  return {
    ...(p.source === undefined ? {} : { source: p.source, line: p.line }),
    ...(p.pathBytes === undefined ? {} : { pathBytes: p.pathBytes }),
  };
}

/** The similarity settings, as every machine format and the baseline file record them. */
export function jsonSettings(s: ResolvedOptions) {
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

export type JsonSettings = ReturnType<typeof jsonSettings>;

export function jsonCounts(stats: ScanStats) {
  return {
    files: stats.files,
    documents: stats.documents,
    skipped: stats.skipped,
    failed: stats.failed,
    short: stats.short,
    candidates: stats.candidates,
    groups: stats.groups,
    duplicateDocuments: stats.duplicateDocuments,
    pairs: stats.pairs,
  };
}

export function jsonPair(documents: readonly DocumentInfo[], p: ScoredPair) {
  return { a: documents[p.a]!.path, b: documents[p.b]!.path, jaccard: round4(p.jaccard), containment: round4(p.containment) };
}

/** A pair's alignment, when --explain asked for it. */
function jsonExplained(p: ScoredPair, ctx: Pick<ReportContext, 'explain' | 'passages'>) {
  if (!ctx.explain) return {};
  const e = ctx.explain(p);
  return { alignment: 'error' in e ? { error: e.error } : jsonAlignment(e.alignment, e.texts, ctx.passages ?? RUN_DEFAULTS.explainPassages) };
}

/** One group as the JSON report and the JSONL `group` event show it. */
export function jsonGroup(documents: readonly DocumentInfo[], g: Group, ctx: Pick<ReportContext, 'explain' | 'passages'> = {}) {
  return {
    id: g.id,
    size: g.members.length,
    members: g.members.map((m) => jsonMember(documents[m]!)),
    pairs: g.pairs.map((p) => (ctx.explain ? { ...jsonPair(documents, p), ...jsonExplained(p, ctx) } : jsonPair(documents, p))),
  };
}

/** A group member: its place, then its sizes (one object literal per shape: spreads cost on large reports). */
function jsonMember(d: DocumentInfo) {
  if (d.id === undefined && d.source === undefined && d.pathBytes === undefined) {
    return { path: d.path, bytes: d.bytes, chars: d.chars, shingles: d.shingles };
  }
  return { path: d.path, ...(d.id === undefined ? {} : { id: d.id }), ...placeFields(d), bytes: d.bytes, chars: d.chars, shingles: d.shingles };
}

export type JsonContext = Pick<ReportContext, 'baseline' | 'explain' | 'passages'>;

export function buildJsonReport(result: ScanResult, ctx: JsonContext = {}) {
  const { documents } = result;
  const groupOf = new Int32Array(documents.length);
  for (const g of result.groups) for (const m of g.members) groupOf[m] = g.id;
  return {
    schema: 'neardup/scan',
    version: JSON_SCHEMA_VERSION,
    tool: { name: 'neardup', version: VERSION },
    settings: { ...jsonSettings(result.settings), records: result.settings.records, textField: result.settings.textField, idField: result.settings.idField ?? null },
    counts: jsonCounts(result.stats),
    ...(ctx.baseline ? { baseline: ctx.baseline } : {}),
    groups: result.groups.map((g) => jsonGroup(documents, g, ctx)),
    pairs: result.pairs.map((p) => ({
      a: documents[p.a]!.path,
      b: documents[p.b]!.path,
      jaccard: round4(p.jaccard),
      containment: round4(p.containment),
      group: groupOf[p.a]!,
    })),
    skipped: result.skipped.map((x) => ({ path: x.path, ...placeFields(x), reason: x.reason, detail: x.detail })),
    errors: result.errors.map((x) => ({ path: x.path, ...placeFields(x), message: x.message })),
    warnings: result.warnings.map((x) => ({ path: x.path, ...placeFields(x), message: x.message })),
  };
}

export type JsonReport = ReturnType<typeof buildJsonReport>;

export function renderJson(result: ScanResult, ctx: JsonContext = {}): string {
  return JSON.stringify(buildJsonReport(result, ctx), null, 2) + '\n';
}
