/**
 * Reports of the index commands. `index query` and `scan --db` results are scan results with an
 * `index` section: every scan format renders them; text adds a line about the index, and JSON
 * (schema neardup/scan, still version 1: only fields are added) marks indexed members with
 * `"origin": "index"`, says on each pair with an indexed document what it was verified on
 * (`"verifiedWith": "index"` for stored shingles, `"file"` for the indexed file read again),
 * and adds an `index` object. add, remove, stats and verify have their own small reports.
 */
import {
  type IndexAddResult,
  type IndexPair,
  type IndexRemoveResult,
  type IndexScanResult,
  type IndexStatsResult,
  type IndexVerifyResult,
  isIndexScanResult,
} from '../model/index-results.js';
import type { IndexSettings } from '../model/settings.js';
import type { Place, ScanResult } from '../model/types.js';
import { VERSION } from '../model/version.js';
import { indexSettingsOf } from '../options/index-db.js';
import { formatShingle } from '../options/scan.js';
import { nf } from './format.js';
import { buildJsonReport, type JsonContext } from './json.js';

/** Formats of add, remove, stats and verify. */
export type IndexFormat = 'text' | 'json';
export const INDEX_FORMATS: readonly IndexFormat[] = ['text', 'json'];
export const INDEX_REPORT_VERSION = 1;

const count = (n: number, one: string, many = `${one}s`) => `${nf.format(n)} ${n === 1 ? one : many}`;

function tool() {
  return { name: 'neardup', version: VERSION };
}

function settingsJson(s: IndexSettings) {
  return {
    shingle: formatShingle(s.shingle),
    numPerm: s.numPerm,
    seed: s.seed,
    bands: s.bands,
    rows: s.rows,
    stem: s.stem,
    stopwords: s.stopwords,
    storeShingles: s.storeShingles,
    builtFor: { metric: s.metric, threshold: s.threshold },
  };
}

function settingsText(s: IndexSettings): string {
  const words = [`${formatShingle(s.shingle)}`, `${s.numPerm} permutations`, `seed ${s.seed}`, `${s.bands}×${s.rows} bands`];
  if (s.stem) words.push('stemmed');
  if (s.stopwords) words.push('no stop words');
  return words.join(', ');
}

function time(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}

// ---- index query, scan --db

export function buildIndexScanJson(result: IndexScanResult, ctx: JsonContext = {}) {
  const base = buildJsonReport(result, ctx);
  const withSource = <T extends object>(p: T, src: IndexPair | undefined) => (src?.verifiedWith ? { ...p, verifiedWith: src.verifiedWith } : p);
  return {
    ...base,
    groups: base.groups.map((g, gi) => {
      const group = result.groups[gi]!;
      return {
        ...g,
        members: g.members.map((m, mi) => (result.documents[group.members[mi]!]!.origin ? { ...m, origin: 'index' } : m)),
        pairs: g.pairs.map((p, pi) => withSource(p, group.pairs[pi])),
      };
    }),
    pairs: base.pairs.map((p, i) => withSource(p, result.pairs[i])),
    index: result.index,
  };
}

function indexLine(result: IndexScanResult): string {
  const { db, documents, matched, verifiedWith } = result.index;
  const head = `index ${db}: ${count(documents, 'document')}, ${matched ? `${nf.format(matched)} matched` : 'none matched'}`;
  const how = [
    verifiedWith.index ? `${count(verifiedWith.index, 'pair')} verified on stored shingles` : '',
    verifiedWith.file ? `${count(verifiedWith.file, 'pair')} verified on indexed files read again` : '',
  ].filter(Boolean);
  return `${[head, ...how].join(' · ')}\n`;
}

/** The line the text report ends with for a scan that used an index (empty otherwise). */
export function indexTextLine(result: ScanResult): string {
  return isIndexScanResult(result) ? indexLine(result) : '';
}

/** The JSON report of a scan, with the index details when it used an index. */
export function renderScanJson(result: ScanResult, ctx: JsonContext = {}): string | undefined {
  return isIndexScanResult(result) ? `${JSON.stringify(buildIndexScanJson(result, ctx), null, 2)}\n` : undefined;
}

// ---- index add

/** A name's exact bytes (base64), when it is not valid UTF-8, as the scan reports give them. */
const bytesOf = (p: Place): { pathBytes?: string } => (p.pathBytes === undefined ? {} : { pathBytes: p.pathBytes });

export function buildAddJson(r: IndexAddResult) {
  return {
    schema: 'neardup/index-add',
    version: INDEX_REPORT_VERSION,
    tool: tool(),
    db: r.db,
    settings: settingsJson(indexSettingsOf(r.settings)),
    counts: r.counts,
    added: r.added,
    updated: r.updated,
    removed: r.removed,
    skipped: r.skipped.map((x) => ({ path: x.path, ...bytesOf(x), reason: x.reason, detail: x.detail })),
    errors: r.errors.map((x) => ({ path: x.path, ...bytesOf(x), message: x.message })),
    warnings: r.warnings.map((x) => ({ path: x.path, ...bytesOf(x), message: x.message })),
  };
}

export function renderAdd(r: IndexAddResult, format: IndexFormat): string {
  if (format === 'json') return `${JSON.stringify(buildAddJson(r), null, 2)}\n`;
  const c = r.counts;
  const line1 = [
    `${count(c.files, 'file')} found`,
    `${nf.format(c.added)} added`,
    `${nf.format(c.updated)} updated`,
    `${nf.format(c.unchanged)} unchanged`,
    `${nf.format(c.removed)} removed`,
    `${nf.format(c.skipped)} skipped`,
    `${nf.format(c.failed)} failed`,
    time(r.elapsedMs),
  ].join(' · ');
  const s = indexSettingsOf(r.settings);
  const line2 = `index ${r.db}: ${count(c.documents, 'document')} · ${settingsText(s)} · ${s.storeShingles ? 'shingles stored' : 'shingles not stored'}`;
  return `${line1}\n${line2}\n`;
}

// ---- index remove

export function renderRemove(r: IndexRemoveResult, format: IndexFormat): string {
  if (format === 'json') {
    const out = {
      schema: 'neardup/index-remove',
      version: INDEX_REPORT_VERSION,
      tool: tool(),
      db: r.db,
      counts: { removed: r.removed.length, documents: r.documents },
      removed: r.removed,
      errors: r.errors.map((x) => ({ path: x.path, message: x.message })),
    };
    return `${JSON.stringify(out, null, 2)}\n`;
  }
  const lines = r.removed.map((p) => `removed  ${p}`);
  const what = r.errors.length ? 'nothing removed' : `${nf.format(r.removed.length)} removed`;
  lines.push(`index ${r.db}: ${what} · ${count(r.documents, 'document')} · ${time(r.elapsedMs)}`);
  return `${lines.join('\n')}\n`;
}

// ---- index stats

export function buildStatsJson(r: IndexStatsResult) {
  const { info } = r;
  return {
    schema: 'neardup/index-stats',
    version: INDEX_REPORT_VERSION,
    tool: tool(),
    db: r.db,
    backend: info.backend,
    schemaVersion: info.schemaVersion,
    createdBy: info.createdBy,
    documents: info.documents,
    settings: r.settings ? settingsJson(r.settings) : null,
    storage: {
      bytesOnDisk: info.bytesOnDisk,
      bytesPerDocument: info.documents ? Math.round(info.bytesOnDisk / info.documents) : 0,
      shingles: info.shingles,
      shingleBytes: info.shingleBytes,
      signatureBytes: info.signatureBytes,
      bandEntries: info.bandEntries,
    },
  };
}

export function renderStats(r: IndexStatsResult, format: IndexFormat): string {
  if (format === 'json') return `${JSON.stringify(buildStatsJson(r), null, 2)}\n`;
  const { info, settings: s } = r;
  const perDoc = (n: number) => (info.documents ? ` (${nf.format(Math.round(n / info.documents))} a document)` : '');
  const rows: [string, string][] = [
    ['index', `${r.db} (${info.backend === 'sqlite' ? 'SQLite' : info.backend}, schema version ${info.schemaVersion}, created by ${info.createdBy})`],
    ['documents', nf.format(info.documents)],
    ['settings', s ? settingsText(s) : 'none yet (nothing added)'],
  ];
  if (s) rows.push(['bands for', `${s.metric} ≥ ${s.threshold}`]);
  const stored = info.shingleBytes
    ? `stored, ${nf.format(info.shingleBytes)} bytes (${(info.shingleBytes / Math.max(1, info.shingles)).toFixed(2)} bytes a shingle)`
    : 'not stored (matches are verified on the indexed files)';
  rows.push(['shingles', `${nf.format(info.shingles)}, ${stored}`]);
  rows.push(['on disk', `${nf.format(info.bytesOnDisk)} bytes${perDoc(info.bytesOnDisk)}`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

// ---- index verify

export function renderVerify(r: IndexVerifyResult, format: IndexFormat): string {
  if (format === 'json') {
    const out = {
      schema: 'neardup/index-verify',
      version: INDEX_REPORT_VERSION,
      tool: tool(),
      db: r.db,
      ok: r.ok,
      documents: r.documents,
      schemaVersion: r.schemaVersion,
      problems: r.problems,
    };
    return `${JSON.stringify(out, null, 2)}\n`;
  }
  const verdict = r.ok ? 'OK' : count(r.problems.length, 'problem');
  const lines = r.problems.map((p) => `problem: ${p}`);
  lines.push(`index ${r.db}: ${verdict} · ${count(r.documents, 'document')} · schema version ${r.schemaVersion} · ${time(r.elapsedMs)}`);
  return `${lines.join('\n')}\n`;
}
