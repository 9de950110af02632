/**
 * The JSON report (schema "neardup/scan", version 1; documented in README). Deterministic:
 * nothing in it depends on timing, worker count or the order inputs were listed in.
 */
import { RUN_DEFAULTS, formatShingle, type ResolvedOptions } from '../options.js';
import { jsonAlignment } from './compare-json.js';
import type { DocumentInfo, Group, Place, ScanResult, ScanStats, ScoredPair } from '../types.js';
import type { ReportContext, Writer } from './index.js';
import { VERSION } from '../version.js';

export const JSON_SCHEMA_VERSION = 1;

/** Scores are rounded to 4 decimals (reported pairs are verified before rounding). */
export function round4(x: number): number {
  return Math.round(x * 10000) / 10000;
}

/** A place's optional fields (records: source, line; names that are not UTF-8: pathBytes). */
export function placeFields(p: Place): { source?: string; line?: number; pathBytes?: string } {
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

/**
 * The JSON report as text: exactly `JSON.stringify(buildJsonReport(result, ctx), null, 2)` and a
 * line end (a test holds them equal). See jsonReportBytes.
 */
export function renderJson(result: ScanResult, ctx: JsonContext = {}): string {
  return Buffer.concat(jsonReportBytes(result, ctx)).toString('utf8');
}

/**
 * The JSON report as UTF-8 bytes, in pieces of about a megabyte: the bytes of renderJson. See
 * writeJsonReport.
 */
export function jsonReportBytes(result: ScanResult, ctx: JsonContext = {}): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  const out = new ByteWriter({ write: (piece) => void pieces.push(piece as Uint8Array) });
  // a writer that keeps its pieces is never waited for: the parts run through at once
  for (const _ of reportParts(out, result, ctx));
  out.end();
  return pieces;
}

/**
 * Writes the JSON report (the bytes of renderJson) to `to` as it is made, in pieces of about a
 * megabyte, without building the report's objects or one string of it (18 MB for 6,000
 * e-mails). When `to` says when it has written what it was given (settled), the report waits
 * for it now and then and fills the same buffers again, rather than fresh memory for each piece.
 * Members and pairs, most of a large report, are written from byte templates, each path escaped
 * and encoded once and each rounded score once; everything else (and a member or pair of
 * another shape) goes through JSON.stringify.
 */
export async function writeJsonReport(result: ScanResult, ctx: JsonContext, to: Writer): Promise<void> {
  const out = new ByteWriter(to);
  for (const _ of reportParts(out, result, ctx)) await out.settle();
  out.end();
  await out.settle();
}

/**
 * Writes the report to `out`; yields where it may wait for the writer (when pieces it could
 * fill again are still being written).
 */
function* reportParts(out: ByteWriter, result: ScanResult, ctx: JsonContext): Generator<void, void, void> {
  const report = buildJsonReport({ ...result, groups: [], pairs: [] }, ctx);
  const { documents } = result;
  const quoted: (Buffer | undefined)[] = new Array(documents.length);
  const pathOf = (d: number) => (quoted[d] ??= Buffer.from(JSON.stringify(documents[d]!.path)));
  out.text('{\n');
  let first = true;
  for (const [key, value] of Object.entries(report)) {
    out.text(`${first ? '' : ',\n'}  ${JSON.stringify(key)}: `);
    first = false;
    if (key === 'groups') yield* writeGroups(out, result, ctx, pathOf);
    else if (key === 'pairs') yield* writePairs(out, result, pathOf);
    else out.text(nested(value, '  '));
  }
  out.text('\n}\n');
}

/** JSON.stringify(value, null, 2) of a value that sits at `indent` in the report. */
function nested(value: unknown, indent: string): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, `\n${indent}`);
}

const PIECE = 1 << 20;

/**
 * Bytes appended to pieces of about PIECE bytes, each handed to the writer when full. With a
 * writer that says when it is done with them (Writer.settled), pieces it is done with are filled
 * again (settle()); `waiting` says when the report should wait for it.
 */
class ByteWriter {
  private buf: Buffer = Buffer.allocUnsafe(PIECE);
  private at = 0;
  /** Buffers handed to the writer (whole), not yet known to be written. */
  private readonly handed: Buffer[] = [];
  /** Buffers written, to fill again. */
  private readonly free: Buffer[] = [];

  constructor(private readonly to: Writer) {}

  /** Two pieces are with a writer that will say when it has written them: time to wait for it. */
  get waiting(): boolean {
    return this.handed.length >= 2;
  }

  /** Waits until the writer has written every piece handed to it; their buffers are filled again. */
  async settle(): Promise<void> {
    if (this.handed.length === 0) return;
    await this.to.settled?.();
    this.free.push(...this.handed.splice(0));
  }

  private flush(): void {
    if (this.at === 0) return;
    this.to.write(this.buf.subarray(0, this.at));
    if (this.to.settled) this.handed.push(this.buf);
    this.at = 0;
  }

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    this.flush();
    const reused = this.free.pop();
    this.buf = reused && reused.length >= n ? reused : Buffer.allocUnsafe(Math.max(PIECE, n));
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.at);
    this.at += b.length;
  }

  text(s: string): void {
    this.bytes(Buffer.from(s));
  }

  /** A non-negative integer's digits (anything else as JSON.stringify writes it). */
  int(x: number): void {
    if (!(Number.isInteger(x) && x >= 0 && x < 2 ** 31)) return this.text(num(x));
    this.room(10);
    let n = x;
    let len = 1;
    while (n >= 10 ** len) len++;
    const buf = this.buf;
    for (let i = this.at + len - 1; i >= this.at; i--) {
      buf[i] = 48 + (n % 10);
      n = Math.floor(n / 10);
    }
    this.at += len;
  }

  /** Hands the last piece to the writer. */
  end(): void {
    this.flush();
  }
}

/** A number as JSON.stringify writes it. */
function num(x: number): string {
  return Number.isFinite(x) ? String(x) : 'null';
}

/** Scores in [0, 1] rounded to 4 decimals, as bytes: 10,001 of them, each made once. */
const scoreBytes: (Buffer | undefined)[] = [];

/** The bytes of num(round4(x)), for a score. */
function score(x: number): Buffer {
  const k = Math.round(x * 10000);
  if (k >= 0 && k <= 10000) return (scoreBytes[k] ??= Buffer.from(num(k / 10000)));
  return Buffer.from(num(round4(x)));
}

const B = (s: string) => Buffer.from(s);
const T = {
  groupId: B('    {\n      "id": '),
  nextGroupId: B(',\n    {\n      "id": '),
  size: B(',\n      "size": '),
  members: B(',\n      "members": '),
  pairs: B(',\n      "pairs": '),
  open: B('[\n'),
  empty: B('[]'),
  closeInner: B('\n      ]'),
  closeGroup: B('\n    }'),
  closeOuter: B('\n  ]'),
  memberPath: B('        {\n          "path": '),
  nextMemberPath: B(',\n        {\n          "path": '),
  memberBytes: B(',\n          "bytes": '),
  memberChars: B(',\n          "chars": '),
  memberShingles: B(',\n          "shingles": '),
  closeItem: B('\n        }'),
  sep8: B(',\n        '),
  indent8: B('        '),
  pairA: B('        {\n          "a": '),
  nextPairA: B(',\n        {\n          "a": '),
  pairB: B(',\n          "b": '),
  pairJaccard: B(',\n          "jaccard": '),
  pairContainment: B(',\n          "containment": '),
  topA: B('    {\n      "a": '),
  nextTopA: B(',\n    {\n      "a": '),
  topB: B(',\n      "b": '),
  topJaccard: B(',\n      "jaccard": '),
  topContainment: B(',\n      "containment": '),
  topGroup: B(',\n      "group": '),
  closeTop: B('\n    }'),
};

/** The templates of a pair's fields, at one depth of the report. */
interface PairTemplates {
  first: Buffer;
  next: Buffer;
  b: Buffer;
  jaccard: Buffer;
  containment: Buffer;
}

const IN_GROUP: PairTemplates = { first: T.pairA, next: T.nextPairA, b: T.pairB, jaccard: T.pairJaccard, containment: T.pairContainment };
const TOP: PairTemplates = { first: T.topA, next: T.nextTopA, b: T.topB, jaccard: T.topJaccard, containment: T.topContainment };

/** A pair's opening and fields a, b, jaccard and containment (its caller closes it). */
function writePair(out: ByteWriter, p: ScoredPair, pathOf: (d: number) => Buffer, first: boolean, t: PairTemplates): void {
  out.bytes(first ? t.first : t.next);
  out.bytes(pathOf(p.a));
  out.bytes(t.b);
  out.bytes(pathOf(p.b));
  out.bytes(t.jaccard);
  out.bytes(score(p.jaccard));
  out.bytes(t.containment);
  out.bytes(score(p.containment));
}

function* writeGroups(out: ByteWriter, result: ScanResult, ctx: JsonContext, pathOf: (d: number) => Buffer): Generator<void, void, void> {
  const { groups, documents } = result;
  if (groups.length === 0) return out.bytes(T.empty);
  out.bytes(T.open);
  for (let gi = 0; gi < groups.length; gi++) {
    if (out.waiting) yield;
    const g = groups[gi]!;
    out.bytes(gi ? T.nextGroupId : T.groupId);
    out.int(g.id);
    out.bytes(T.size);
    out.int(g.members.length);
    out.bytes(T.members);
    if (g.members.length === 0) out.bytes(T.empty);
    else {
      out.bytes(T.open);
      for (let i = 0; i < g.members.length; i++) {
        const m = g.members[i]!;
        const d = documents[m]!;
        if (d.id === undefined && d.source === undefined && d.pathBytes === undefined) {
          out.bytes(i ? T.nextMemberPath : T.memberPath);
          out.bytes(pathOf(m));
          out.bytes(T.memberBytes);
          out.int(d.bytes);
          out.bytes(T.memberChars);
          out.int(d.chars);
          out.bytes(T.memberShingles);
          out.int(d.shingles);
          out.bytes(T.closeItem);
        } else {
          out.bytes(i ? T.sep8 : T.indent8);
          out.text(nested(jsonMember(d), '        '));
        }
      }
      out.bytes(T.closeInner);
    }
    out.bytes(T.pairs);
    if (g.pairs.length === 0) out.bytes(T.empty);
    else {
      out.bytes(T.open);
      for (let i = 0; i < g.pairs.length; i++) {
        const p = g.pairs[i]!;
        if (ctx.explain) {
          out.bytes(i ? T.sep8 : T.indent8);
          out.text(nested({ ...jsonPair(documents, p), ...jsonExplained(p, ctx) }, '        '));
          continue;
        }
        writePair(out, p, pathOf, i === 0, IN_GROUP);
        out.bytes(T.closeItem);
      }
      out.bytes(T.closeInner);
    }
    out.bytes(T.closeGroup);
  }
  out.bytes(T.closeOuter);
}

function* writePairs(out: ByteWriter, result: ScanResult, pathOf: (d: number) => Buffer): Generator<void, void, void> {
  const { pairs, groups, documents } = result;
  if (pairs.length === 0) return out.bytes(T.empty);
  const groupOf = new Int32Array(documents.length);
  for (const g of groups) for (const m of g.members) groupOf[m] = g.id;
  out.bytes(T.open);
  for (let i = 0; i < pairs.length; i++) {
    if ((i & 255) === 0 && out.waiting) yield;
    const p = pairs[i]!;
    writePair(out, p, pathOf, i === 0, TOP);
    out.bytes(T.topGroup);
    out.int(groupOf[p.a]!);
    out.bytes(T.closeTop);
  }
  out.bytes(T.closeOuter);
}
