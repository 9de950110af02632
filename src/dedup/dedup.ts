/**
 * `deduplicate`: scan, choose the document kept in each group, and write the deduplicated
 * corpus — the kept files copied (or hard-linked) into a folder, or the kept records, bytes
 * unchanged, into one file — with a manifest of what was removed and what it matched.
 * Returns data; never prints. Inputs are only read.
 *
 * Record files are read twice, streamed: once by the scan (which keeps signatures, not records),
 * once here for the bytes of the records kept.
 */
import { type Stats, statSync } from 'node:fs';
import path from 'node:path';
import { contentHash } from '../core/hash.js';
import { inputKind, type RecordFormat } from '../corpus/inputs.js';
import { csvHeader, lineEndOf, ParsedRecords, rawRecords } from '../corpus/raw-records.js';
import { inputRoots } from '../corpus/roots.js';
import { letSignalsIn } from '../corpus/temp.js';
import { findNearDuplicates, type ScanHooks, type ScanInput } from '../engine/scan.js';
import { describeError, NearDupError } from '../model/errors.js';
import type { ResolvedDedupOptions } from '../model/settings.js';
import type { DocumentInfo, FsPath, ScanResult } from '../model/types.js';
import { type DedupOptionsInput, resolveDedupOptions } from '../options/dedup.js';
import { manifestLine } from './manifest.js';
import { baseOf, bytesOf, checkPlaces, checkReadApart, fileOf, fsPath, outputPathOf, type Root, rootsOf, shown } from './paths.js';
import { type Plan, planDedup } from './plan.js';
import { changedSinceScan, type PairScores, SetMaker } from './sets.js';
import { FileOutput, FolderOutput, type Pending } from './write.js';

export interface DedupInput extends DedupOptionsInput, Pick<ScanInput, 'stdin'> {
  /** Other files the run reads (the CLI's config file): never written over, like the inputs. */
  alsoRead?: readonly string[];
}

export type DedupHooks = ScanHooks;

export interface DedupCounts {
  /** Files the walk found (read, skipped or failed). */
  files: number;
  documents: number;
  kept: number;
  removed: number;
  /** Bytes of the documents kept and removed: file sizes, or records' bytes with their line ends. */
  keptBytes: number;
  removedBytes: number;
  groups: number;
  skipped: number;
  failed: number;
}

export interface DedupResult {
  settings: ResolvedDedupOptions;
  scan: ScanResult;
  plan: Plan;
  /** The scores of each removal (in plan.removals order) against the document kept in its stead. */
  scores: PairScores[];
  /** Each document's bytes (see DedupCounts). */
  bytes: number[];
  /** A folder output: where each kept document goes (the --out path joined with its path under the base). */
  outputPaths?: (string | undefined)[];
  /** The output (and manifest) were written. */
  written: boolean;
  /** Why not: a dry run, or inputs that could not be read (without skipErrors). */
  notWritten?: 'dry-run' | 'errors';
  counts: DedupCounts;
}

function refuse(message: string): never {
  throw new NearDupError('EOUTPUT', message);
}

/** The inputs: the paths given and those listed in --files-from (default `.`). Standard input is refused. */
async function inputPaths(paths: readonly FsPath[], settings: ResolvedDedupOptions, stdin: () => NodeJS.ReadableStream): Promise<FsPath[]> {
  if (paths.some((p) => p === '-')) {
    throw new NearDupError('EUSAGE', "dedup cannot read standard input ('-'): it copies files; save the input to a file and give its path");
  }
  return inputRoots(paths, settings, stdin);
}

/** Refusals known from the inputs named before the scan: a record file given for a folder output, and the other way round. */
function checkNamedKinds(roots: readonly Root[], settings: ResolvedDedupOptions): void {
  for (const r of roots) {
    if (r.folder) continue;
    const kind = inputKind(shown(r.given), settings.records === 'auto');
    if (kind?.records) checkRecordKind(shown(r.given), kind.records, settings);
    else if (kind?.document && settings.outputKind !== 'folder') documentsForRecordOutput(shown(r.given), settings);
  }
}

function checkRecordKind(file: string, format: RecordFormat, settings: ResolvedDedupOptions): void {
  if (settings.outputKind === 'folder') {
    refuse(
      `${file} holds records: they are written to one file (--out FILE.jsonl or FILE.csv), not copied into a folder; --records off treats record files as documents`,
    );
  }
  if (format === 'json') {
    refuse(`${file}: the records of a JSON array cannot be written unchanged one a line; make it JSONL first (jq -c '.[]') or use --records off`);
  }
  if (format !== settings.outputKind) {
    refuse(
      `${file} holds ${format.toUpperCase()} records: they are written unchanged to a .${format === 'jsonl' ? 'jsonl' : 'csv'} --out, not ${shown(bytesOf(settings.out))}`,
    );
  }
}

function documentsForRecordOutput(file: string, settings: ResolvedDedupOptions): never {
  refuse(`${file} is a document, not records: documents are copied into a folder (--out DIR), not written into ${settings.out}`);
}

/** A record file with documents, in the order of the scan's documents. */
interface RecordSource {
  file: FsPath;
  shown: string;
  format: Exclude<RecordFormat, 'json'>;
  gzip: boolean;
  docs: number[];
}

function recordSources(documents: readonly DocumentInfo[], settings: ResolvedDedupOptions): RecordSource[] {
  const sources: RecordSource[] = [];
  for (const d of documents) {
    const last = sources.at(-1);
    if (last && last.shown === d.source) {
      last.docs.push(d.index);
      continue;
    }
    const kind = inputKind(d.source!, true)!;
    checkRecordKind(d.source!, kind.records!, settings);
    const file = fileOf(d);
    sources.push({ file: fsPath(file), shown: d.source!, format: kind.records as 'jsonl' | 'csv', gzip: kind.gzip, docs: [d.index] });
  }
  return sources;
}

export async function deduplicate(paths: readonly FsPath[], input: DedupInput = {}, hooks: DedupHooks = {}): Promise<DedupResult> {
  const settings = resolveDedupOptions(input);
  const cwd = process.cwd();
  const stdin = () => input.stdin ?? process.stdin;
  const list = await inputPaths(paths, settings, stdin);
  const roots = rootsOf(list, cwd);
  const places = {
    out: bytesOf(settings.out),
    kind: settings.outputKind,
    manifest: settings.manifest === undefined ? undefined : bytesOf(settings.manifest),
    force: settings.force,
  };
  checkPlaces(places, roots, cwd);
  checkNamedKinds(roots, settings);

  const {
    out: _out,
    keep: _keep,
    manifest: _manifest,
    link: _link,
    force: _force,
    dryRun: _dryRun,
    skipErrors: _skip,
    filesFrom: _list,
    nullSeparated: _nul,
    alsoRead,
    ...scanOptions
  } = input;
  const scan = await findNearDuplicates(list, { ...scanOptions, follow: settings.follow }, { onEvent: hooks.onEvent });
  const { documents } = scan;
  // where every file read really is, against the outputs (a link the walk followed, a list, the config)
  const read = documents.map((d) => ({ file: fileOf(d), shown: `the input ${d.source ?? d.path}` }));
  if (settings.filesFrom !== undefined && settings.filesFrom !== '-')
    read.push({ file: bytesOf(settings.filesFrom), shown: `the --files-from list ${settings.filesFrom}` });
  for (const f of alsoRead ?? []) read.push({ file: bytesOf(f), shown: `the config file ${f}` });
  checkReadApart(places, read, cwd);

  // documents go into a folder, records into a file: never both
  const records = settings.outputKind !== 'folder';
  for (const d of documents) {
    if (records && d.source === undefined) documentsForRecordOutput(d.path, settings);
    if (!records && d.source !== undefined) checkRecordKind(d.source, inputKind(d.source, true)!.records!, settings);
  }

  const bytes = new Array<number>(documents.length).fill(0);
  const maker = new SetMaker(scan.settings);
  let mtimeMs: Float64Array | undefined;
  if (!records) {
    mtimeMs = new Float64Array(documents.length);
    for (const d of documents) {
      let st: Stats;
      try {
        st = statSync(fsPath(fileOf(d)));
      } catch {
        throw changedSinceScan(d);
      }
      // the scan read this many bytes (a .gz file: decompressed)
      if (st.size !== d.bytes && !/\.gz$/i.test(d.path)) throw changedSinceScan(d);
      bytes[d.index] = st.size;
      mtimeMs[d.index] = st.mtimeMs;
    }
  }
  const plan = planDedup(scan, settings.keep, mtimeMs ? { mtimeMs } : {});
  const writing = !settings.dryRun && (scan.errors.length === 0 || settings.skipErrors);
  const notWritten = settings.dryRun ? 'dry-run' : writing ? undefined : 'errors';

  // the documents whose sets are needed: both ends of each removal the scan did not verify
  const needSet = new Set<number>();
  for (const r of plan.removals) {
    if (r.pair) continue;
    needSet.add(r.doc);
    needSet.add(r.kept);
  }

  const pending: Pending[] = [];
  try {
    let outputPaths: (string | undefined)[] | undefined;
    const sets = new Map<number, Uint32Array>();
    if (!records) {
      // sets for the scores the scan did not give, one group at a time
      for (const g of plan.groups) {
        if (!needSet.has(g.kept)) continue;
        const keptSet = maker.ofFile(documents[g.kept]!);
        for (const m of g.removed) if (needSet.has(m)) sets.set(m, maker.ofFile(documents[m]!));
        sets.set(g.kept, keptSet);
      }
      const base = baseOf(roots, cwd);
      outputPaths = [];
      const folder = writing ? new FolderOutput(path.resolve(bytesOf(cwd), bytesOf(settings.out)), bytesOf(settings.out)) : undefined;
      if (folder) pending.push(folder);
      for (const d of documents) {
        if (plan.kept[d.index] !== 1) continue;
        const rel = outputPathOf(d, base, cwd);
        outputPaths[d.index] = shown(path.join(bytesOf(settings.out), rel));
        if (folder) {
          await folder.add(fsPath(fileOf(d)), d.path, rel, settings.link);
          // what was copied is what the scan read (a file changed since is caught here, .gz too)
          maker.checkCopy(d, path.join(folder.building, rel));
        }
      }
    } else {
      const sources = recordSources(documents, settings);
      let header: { bytes: Buffer; from: string } | undefined;
      if (settings.outputKind === 'csv') {
        for (const s of sources) {
          const h = await readHeader(s, settings.maxFileSize);
          if (!header) header = { bytes: h, from: s.shown };
          else if (!withoutLineEnd(h).equals(withoutLineEnd(header.bytes))) {
            refuse(`${s.shown}: its CSV header differs from the header of ${header.from}: the records cannot go under one header`);
          }
        }
      }
      const file = writing ? new FileOutput(path.resolve(bytesOf(cwd), bytesOf(settings.out)), settings.gzip, bytesOf(settings.out)) : undefined;
      if (file) pending.push(file);
      let lineEnd = Buffer.from('\n');
      if (header) {
        const end = lineEndOf(header.bytes);
        if (end.length) lineEnd = Buffer.from(end);
        await file?.write(end.length ? header.bytes : Buffer.concat([header.bytes, lineEnd]));
      }
      for (const s of sources) await recordPass(s, scan, plan, { needSet, sets, maker, bytes, out: file, lineEnd });
    }

    const scores = plan.removals.map((r): PairScores => {
      if (r.pair) return { jaccard: r.pair.jaccard, containment: r.pair.containment };
      return SetMaker.score(sets.get(r.doc)!, sets.get(r.kept)!);
    });

    if (writing && settings.manifest !== undefined) {
      const manifest = new FileOutput(path.resolve(bytesOf(cwd), bytesOf(settings.manifest)), false, bytesOf(settings.manifest));
      pending.push(manifest);
      for (let i = 0; i < plan.removals.length; i++) {
        await manifest.write(manifestLine(documents, plan.removals[i]!, scores[i]!));
        if (i % 4096 === 4095) await letSignalsIn();
      }
    }
    // a signal that came while writing stops the run before its output appears
    await letSignalsIn();
    for (const p of pending) await p.commit();
    pending.length = 0;

    let keptBytes = 0;
    let removedBytes = 0;
    for (const d of documents) {
      if (plan.kept[d.index] === 1) keptBytes += bytes[d.index]!;
      else removedBytes += bytes[d.index]!;
    }
    const removed = plan.removals.length;
    return {
      settings,
      scan,
      plan,
      scores,
      bytes,
      ...(outputPaths ? { outputPaths } : {}),
      written: writing,
      ...(notWritten ? { notWritten } : {}),
      counts: {
        files: scan.stats.files,
        documents: documents.length,
        kept: documents.length - removed,
        removed,
        keptBytes,
        removedBytes,
        groups: plan.groups.length,
        skipped: scan.stats.skipped,
        failed: scan.stats.failed,
      },
    };
  } finally {
    // the last made first: folders an earlier output made above a later one are empty by their turn
    for (const p of [...pending].reverse()) p.abort();
  }
}

function withoutLineEnd(b: Buffer): Buffer {
  return b.subarray(0, b.length - lineEndOf(b).length);
}

async function readHeader(s: RecordSource, maxRecordBytes: number): Promise<Buffer> {
  let h: Buffer | undefined;
  try {
    h = await csvHeader(s.file, s.gzip, maxRecordBytes);
  } catch (err) {
    throw new NearDupError('EINPUT', `${s.shown}: cannot read: ${describeError(err)}`, { cause: err });
  }
  if (!h) throw new NearDupError('EINPUT', `${s.shown}: changed since it was scanned (no header row now)`);
  return h;
}

interface PassContext {
  needSet: ReadonlySet<number>;
  sets: Map<number, Uint32Array>;
  maker: SetMaker;
  bytes: number[];
  out: FileOutput | undefined;
  lineEnd: Buffer;
}

/**
 * One record file, read again: each document's bytes counted, the kept ones checked against the
 * scan (same start line, same content hash) and written unchanged, the sets that scores need made.
 */
async function recordPass(s: RecordSource, scan: ScanResult, plan: Plan, ctx: PassContext): Promise<void> {
  const { documents, settings } = scan;
  const lines = new Map<number, number>();
  for (const d of s.docs) lines.set(documents[d]!.line!, d);
  const parsed = new ParsedRecords(s.file, s.format, s.gzip, {
    textField: settings.textField,
    idField: settings.idField,
    maxRecordBytes: settings.maxFileSize,
    explicit: true,
  });
  let seen = 0;
  try {
    for await (const raw of rawRecords(s.file, s.format, s.gzip, (line) => lines.has(line))) {
      const d = lines.get(raw.line)!;
      const doc = documents[d]!;
      seen++;
      ctx.bytes[d] = raw.bytes.length;
      const keep = plan.kept[d] === 1;
      if (keep || ctx.needSet.has(d)) {
        const item = await parsed.at(raw.line);
        if (!item || contentHash(item.text) !== doc.contentHash) throw changedSinceScan(doc);
        if (ctx.needSet.has(d)) ctx.sets.set(d, ctx.maker.ofRecord(doc, item));
      }
      if (keep && ctx.out) {
        await ctx.out.write(raw.bytes);
        if (lineEndOf(raw.bytes).length === 0) await ctx.out.write(ctx.lineEnd);
      }
      // what follows the last document is not read (a damaged end of a file the scan reported)
      if (seen === lines.size) break;
    }
  } catch (err) {
    if (err instanceof NearDupError) throw err;
    throw new NearDupError('EINPUT', `${s.shown}: cannot read: ${describeError(err)}`, { cause: err });
  } finally {
    await parsed.close();
  }
  if (seen !== lines.size) {
    const missing = s.docs.find((d) => !ctx.bytes[d]);
    throw changedSinceScan(documents[missing ?? s.docs[0]!]!);
  }
}
