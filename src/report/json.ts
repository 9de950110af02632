/**
 * The JSON report (schema "neardup/scan", version 1; documented in README). Deterministic:
 * nothing in it depends on timing, worker count or the order inputs were listed in.
 */
import { formatShingle } from '../options.js';
import type { Place, ScanResult, ScoredPair } from '../types.js';
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

export function buildJsonReport(result: ScanResult) {
  const { settings: s, documents, stats } = result;
  const path = (i: number) => documents[i]!.path;
  const groupOf = new Map<number, number>();
  for (const g of result.groups) for (const m of g.members) groupOf.set(m, g.id);
  const pair = (p: ScoredPair) => ({ a: path(p.a), b: path(p.b), jaccard: round4(p.jaccard), containment: round4(p.containment) });
  return {
    schema: 'neardup/scan',
    version: JSON_SCHEMA_VERSION,
    tool: { name: 'neardup', version: VERSION },
    settings: {
      shingle: formatShingle(s.shingle),
      metric: s.metric,
      threshold: s.threshold,
      numPerm: s.numPerm,
      seed: s.seed,
      bands: s.bands,
      rows: s.rows,
      stem: s.stem,
      stopwords: s.stopwords,
      records: s.records,
      textField: s.textField,
      idField: s.idField ?? null,
    },
    counts: {
      files: stats.files,
      documents: stats.documents,
      skipped: stats.skipped,
      failed: stats.failed,
      short: stats.short,
      candidates: stats.candidates,
      groups: stats.groups,
      duplicateDocuments: stats.duplicateDocuments,
      pairs: stats.pairs,
    },
    groups: result.groups.map((g) => ({
      id: g.id,
      size: g.members.length,
      members: g.members.map((m) => {
        const d = documents[m]!;
        return { path: d.path, ...(d.id === undefined ? {} : { id: d.id }), ...placeFields(d), bytes: d.bytes, chars: d.chars, shingles: d.shingles };
      }),
      pairs: g.pairs.map(pair),
    })),
    pairs: result.pairs.map((p) => ({ ...pair(p), group: groupOf.get(p.a)! })),
    skipped: result.skipped.map((x) => ({ path: x.path, ...placeFields(x), reason: x.reason, detail: x.detail })),
    errors: result.errors.map((x) => ({ path: x.path, ...placeFields(x), message: x.message })),
    warnings: result.warnings.map((x) => ({ path: x.path, ...placeFields(x), message: x.message })),
  };
}

export type JsonReport = ReturnType<typeof buildJsonReport>;

export function renderJson(result: ScanResult): string {
  return JSON.stringify(buildJsonReport(result), null, 2) + '\n';
}
