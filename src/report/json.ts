/**
 * The JSON report (schema "neardup/scan", version 1; documented in README). Deterministic:
 * nothing in it depends on timing, worker count or the order inputs were listed in.
 */
import { round4 } from '../core/similarity.js';
import { fitsColumn, type Op, ROWS_AT_ONCE, RowKernel } from '../kernels/json.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { DocumentInfo, Group, Place, ScanResult, ScanStats, ScoredPair } from '../model/types.js';
import { VERSION } from '../model/version.js';
import { RUN_DEFAULTS } from '../options/report.js';
import { recordedSettings } from '../options/scan.js';
import { jsonAlignment } from './compare-json.js';
import type { ReportContext, Writer } from './context.js';

export const JSON_SCHEMA_VERSION = 1;

/** A place's optional fields (records: source, line, and column in a JSON array; names that are not UTF-8: pathBytes). */
export function placeFields(p: Place): { source?: string; line?: number; column?: number; pathBytes?: string } {
  return {
    ...(p.source === undefined ? {} : p.column === undefined ? { source: p.source, line: p.line } : { source: p.source, line: p.line, column: p.column }),
    ...(p.pathBytes === undefined ? {} : { pathBytes: p.pathBytes }),
  };
}

/** The settings a scan report records: the similarity settings, and how records were read (JSON, JSONL). */
export function reportSettings(s: ResolvedOptions) {
  return { ...recordedSettings(s), records: s.records, textField: s.textField, idField: s.idField ?? null };
}

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

/** `useWasm: false` writes members and pairs in JavaScript (as where WebAssembly is not available; for tests). */
export interface RenderOptions {
  useWasm?: boolean;
}

export function buildJsonReport(result: ScanResult, ctx: JsonContext = {}) {
  const { documents } = result;
  const groupOf = new Int32Array(documents.length);
  for (const g of result.groups) for (const m of g.members) groupOf[m] = g.id;
  return {
    schema: 'neardup/scan',
    version: JSON_SCHEMA_VERSION,
    tool: { name: 'neardup', version: VERSION },
    settings: reportSettings(result.settings),
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
export function jsonReportBytes(result: ScanResult, ctx: JsonContext = {}, options: RenderOptions = {}): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  const out = new ByteWriter({ write: (piece) => void pieces.push(piece as Uint8Array) });
  // a writer that keeps its pieces is never waited for: the parts run through at once
  for (const _ of reportParts(out, result, ctx, options));
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
export async function writeJsonReport(result: ScanResult, ctx: JsonContext, to: Writer, options: RenderOptions = {}): Promise<void> {
  const out = new ByteWriter(to);
  for (const _ of reportParts(out, result, ctx, options)) await out.settle();
  out.end();
  await out.settle();
}

/**
 * Writes the report to `out`; yields where it may wait for the writer (when pieces it could
 * fill again are still being written).
 */
function* reportParts(out: ByteWriter, result: ScanResult, ctx: JsonContext, options: RenderOptions): Generator<void, void, void> {
  const report = buildJsonReport({ ...result, groups: [], pairs: [] }, ctx);
  const { documents } = result;
  const quoted: (string | undefined)[] = new Array(documents.length);
  const pathOf = (d: number) => (quoted[d] ??= JSON.stringify(documents[d]!.path));
  // the kernel has the paths of the group members (the documents pairs name: see pairsFit)
  let kernel: RowKernel | null = null;
  if (options.useWasm !== false && result.groups.length > 0) {
    for (const g of result.groups) for (const m of g.members) pathOf(m);
    kernel = RowKernel.open(quoted, PROGRAMS);
  }
  const rows: Rows = { out, pathOf, kernel };
  out.text('{\n');
  let first = true;
  for (const [key, value] of Object.entries(report)) {
    out.text(`${first ? '' : ',\n'}  ${JSON.stringify(key)}: `);
    first = false;
    if (key === 'groups') yield* writeGroups(rows, result, ctx);
    else if (key === 'pairs') yield* writePairs(rows, result);
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

  /** A string's UTF-8 bytes (written in place: no Buffer of its own). */
  text(s: string): void {
    this.room(3 * s.length);
    this.at += this.buf.write(s, this.at);
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

/** Scores in [0, 1] rounded to 4 decimals, as JSON text: 10,001 of them, each made once. */
const scoreTexts: (string | undefined)[] = [];

/** num(round4(x)), for a score. */
function score(x: number): string {
  const k = Math.round(x * 10000);
  if (k >= 0 && k <= 10000) return (scoreTexts[k] ??= num(k / 10000));
  return num(round4(x));
}

const T = {
  groupId: '    {\n      "id": ',
  nextGroupId: ',\n    {\n      "id": ',
  size: ',\n      "size": ',
  members: ',\n      "members": ',
  pairs: ',\n      "pairs": ',
  open: '[\n',
  empty: '[]',
  closeInner: '\n      ]',
  closeGroup: '\n    }',
  closeOuter: '\n  ]',
  memberPath: '        {\n          "path": ',
  nextMemberPath: ',\n        {\n          "path": ',
  memberBytes: ',\n          "bytes": ',
  memberChars: ',\n          "chars": ',
  memberShingles: ',\n          "shingles": ',
  closeItem: '\n        }',
  sep8: ',\n        ',
  indent8: '        ',
  pairA: '        {\n          "a": ',
  nextPairA: ',\n        {\n          "a": ',
  pairB: ',\n          "b": ',
  pairJaccard: ',\n          "jaccard": ',
  pairContainment: ',\n          "containment": ',
  topA: '    {\n      "a": ',
  nextTopA: ',\n    {\n      "a": ',
  topB: ',\n      "b": ',
  topJaccard: ',\n      "jaccard": ',
  topContainment: ',\n      "containment": ',
  topGroup: ',\n      "group": ',
  closeTop: '\n    }',
};

/** The templates of a pair's fields, at one depth of the report. */
interface PairTemplates {
  first: string;
  next: string;
  b: string;
  jaccard: string;
  containment: string;
}

const IN_GROUP: PairTemplates = { first: T.pairA, next: T.nextPairA, b: T.pairB, jaccard: T.pairJaccard, containment: T.pairContainment };
const TOP: PairTemplates = { first: T.topA, next: T.nextTopA, b: T.topB, jaccard: T.topJaccard, containment: T.topContainment };

/** A pair's opening and fields a, b, jaccard and containment (its caller closes it). */
function pairText(p: ScoredPair, pathOf: (d: number) => string, first: boolean, t: PairTemplates): string {
  return (first ? t.first : t.next) + pathOf(p.a) + t.b + pathOf(p.b) + t.jaccard + score(p.jaccard) + t.containment + score(p.containment);
}

/** Where a report's rows go, and how: the kernel when there is one (src/kernels/json.ts), else strings. */
interface Rows {
  out: ByteWriter;
  pathOf: (d: number) => string;
  kernel: RowKernel | null;
}

const MEMBERS = 0;
const GROUP_PAIRS = 1;
const TOP_PAIRS = 2;
/** The kernel's programs: a member, a pair in its group, a pair in the report's pairs. */
const PROGRAMS: Op[][] = [
  [
    { separator: [T.memberPath, T.nextMemberPath] },
    { path: 0 },
    { text: T.memberBytes },
    { int: 1 },
    { text: T.memberChars },
    { int: 2 },
    { text: T.memberShingles },
    { int: 3 },
    { text: T.closeItem },
  ],
  [...pairOps(IN_GROUP), { text: T.closeItem }],
  [...pairOps(TOP), { text: T.topGroup }, { int: 4 }, { text: T.closeTop }],
];

/** pairText as a program's ops. */
function pairOps(t: PairTemplates): Op[] {
  return [{ separator: [t.first, t.next] }, { path: 0 }, { text: t.b }, { path: 1 }, { text: t.jaccard }, { score: 2 }, { text: t.containment }, { score: 3 }];
}

/** Whether a member is written from the template (and so may be by the kernel). */
function plainMember(d: DocumentInfo): boolean {
  return d.id === undefined && d.source === undefined && d.pathBytes === undefined;
}

function membersFit(documents: readonly DocumentInfo[], members: readonly number[]): boolean {
  for (const m of members) {
    const d = documents[m]!;
    if (!plainMember(d) || !fitsColumn(d.bytes) || !fitsColumn(d.chars) || !fitsColumn(d.shingles)) return false;
  }
  return true;
}

/**
 * Whether the kernel can write these pairs: every score in [0, 1] (as verification makes them)
 * and both ends among the paths it has (group members: the ends of every pair are).
 */
function pairsFit(pairs: readonly ScoredPair[], kernel: RowKernel): boolean {
  for (let i = 0; i < pairs.length; i++) {
    const { a, b, jaccard, containment } = pairs[i]!;
    if (!(jaccard >= 0 && jaccard <= 1 && containment >= 0 && containment <= 1) || !kernel.hasPath(a) || !kernel.hasPath(b)) return false;
  }
  return true;
}

/**
 * Writes `n` rows by the kernel's program `which`, ROWS_AT_ONCE at a time (`fill(rows, from,
 * count)` puts rows from..from+count-1 in `rows`); yields where the report may wait for the
 * writer.
 */
function* kernelRows(
  out: ByteWriter,
  kernel: RowKernel,
  which: number,
  n: number,
  fill: (rows: Uint32Array, from: number, count: number) => void,
): Generator<void, void, void> {
  for (let from = 0; from < n; from += ROWS_AT_ONCE) {
    if (out.waiting) yield;
    const count = Math.min(ROWS_AT_ONCE, n - from);
    kernel.write(
      which,
      count,
      from === 0,
      (rows) => fill(rows, from, count),
      (b) => out.bytes(b),
    );
  }
}

/** Pairs as the kernel's rows: a, b, the two scores, and (with `groupOf`) the group. */
function pairRows(pairs: readonly ScoredPair[], groupOf?: Int32Array): (rows: Uint32Array, from: number, count: number) => void {
  const cols = groupOf ? 5 : 4;
  return (rows, from, count) => {
    for (let i = 0, r = 0; i < count; i++, r += cols) {
      const p = pairs[from + i]!;
      rows[r] = p.a;
      rows[r + 1] = p.b;
      rows[r + 2] = Math.round(p.jaccard * 10000);
      rows[r + 3] = Math.round(p.containment * 10000);
      if (groupOf) rows[r + 4] = groupOf[p.a]!;
    }
  };
}

/** Group members as the kernel's rows: the document, its bytes, characters and shingles. */
function memberRows(members: readonly number[], documents: readonly DocumentInfo[]): (rows: Uint32Array, from: number, count: number) => void {
  return (rows, from, count) => {
    for (let i = 0, r = 0; i < count; i++, r += 4) {
      const m = members[from + i]!;
      const d = documents[m]!;
      rows[r] = m;
      rows[r + 1] = d.bytes;
      rows[r + 2] = d.chars;
      rows[r + 3] = d.shingles;
    }
  };
}

function* writeGroups({ out, pathOf, kernel }: Rows, result: ScanResult, ctx: JsonContext): Generator<void, void, void> {
  const { groups, documents } = result;
  if (groups.length === 0) return out.text(T.empty);
  out.text(T.open);
  for (let gi = 0; gi < groups.length; gi++) {
    if (out.waiting) yield;
    const g = groups[gi]!;
    out.text((gi ? T.nextGroupId : T.groupId) + num(g.id) + T.size + num(g.members.length) + T.members);
    if (g.members.length === 0) out.text(T.empty);
    else {
      out.text(T.open);
      if (kernel && membersFit(documents, g.members)) yield* kernelRows(out, kernel, MEMBERS, g.members.length, memberRows(g.members, documents));
      else {
        for (let i = 0; i < g.members.length; i++) {
          const m = g.members[i]!;
          const d = documents[m]!;
          if (plainMember(d)) {
            out.text(
              (i ? T.nextMemberPath : T.memberPath) +
                pathOf(m) +
                T.memberBytes +
                num(d.bytes) +
                T.memberChars +
                num(d.chars) +
                T.memberShingles +
                num(d.shingles) +
                T.closeItem,
            );
          } else out.text((i ? T.sep8 : T.indent8) + nested(jsonMember(d), '        '));
        }
      }
      out.text(T.closeInner);
    }
    out.text(T.pairs);
    if (g.pairs.length === 0) out.text(T.empty);
    else {
      out.text(T.open);
      if (kernel && !ctx.explain && pairsFit(g.pairs, kernel)) yield* kernelRows(out, kernel, GROUP_PAIRS, g.pairs.length, pairRows(g.pairs));
      else {
        for (let i = 0; i < g.pairs.length; i++) {
          const p = g.pairs[i]!;
          if (ctx.explain) out.text((i ? T.sep8 : T.indent8) + nested({ ...jsonPair(documents, p), ...jsonExplained(p, ctx) }, '        '));
          else out.text(pairText(p, pathOf, i === 0, IN_GROUP) + T.closeItem);
        }
      }
      out.text(T.closeInner);
    }
    out.text(T.closeGroup);
  }
  out.text(T.closeOuter);
}

function* writePairs({ out, pathOf, kernel }: Rows, result: ScanResult): Generator<void, void, void> {
  const { pairs, groups, documents } = result;
  if (pairs.length === 0) return out.text(T.empty);
  const groupOf = new Int32Array(documents.length);
  for (const g of groups) for (const m of g.members) groupOf[m] = g.id;
  out.text(T.open);
  if (kernel && pairsFit(pairs, kernel)) yield* kernelRows(out, kernel, TOP_PAIRS, pairs.length, pairRows(pairs, groupOf));
  else {
    for (let i = 0; i < pairs.length; i++) {
      if ((i & 255) === 0 && out.waiting) yield;
      const p = pairs[i]!;
      out.text(pairText(p, pathOf, i === 0, TOP) + T.topGroup + num(groupOf[p.a]!) + T.closeTop);
    }
  }
  out.text(T.closeOuter);
}
