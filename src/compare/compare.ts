/**
 * The similarity report for two documents: their scores under the run's settings (exact
 * Jaccard, containment both ways, the MinHash estimate) and their texts aligned (align.ts).
 * Returns data; never prints.
 */
import { readFileSync, type Stats, statSync } from 'node:fs';
import { contentHash } from '../core/hash.js';
import { estimateJaccard } from '../core/minhash.js';
import { exactScores, meetsThreshold } from '../core/similarity.js';
import { extractText, kindFromPath } from '../corpus/extract.js';
import { inputKind } from '../corpus/inputs.js';
import { decodeBuffer, foldLineEndings, gunzipWithin } from '../corpus/read.js';
import { readRecords } from '../corpus/records.js';
import { Sketcher } from '../engine/sketch.js';
import { describeError, NearDupError } from '../model/errors.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { DocumentKind } from '../model/types.js';
import { DEFAULTS, resolveOptions, type ScanOptionsInput } from '../options/scan.js';
import { type Alignment, alignTexts } from './align.js';

/** A document to compare: a file, or a text in memory. */
export interface CompareSource {
  /** The name shown in reports (a path for files). */
  name: string;
  /** The text as read (for files: decoded, line endings untouched). */
  raw: string;
  kind: DocumentKind;
  /** The file it was read from (for a record, the record file). */
  file?: string;
}

export interface ComparedDocument {
  name: string;
  kind: DocumentKind;
  /**
   * The text the passages' offsets point into: the file itself for plain text, the extracted
   * text for HTML and Markdown (whose markup does not count).
   */
  text: string;
  offsets: 'file' | 'extracted';
  /** Characters of extracted text (as in a scan report). */
  chars: number;
  /** Letters or words after normalisation. */
  units: number;
  shingles: number;
  contentHash: string;
}

export interface CompareScores {
  jaccard: number;
  /** Shared shingles over the smaller document's: the containment metric. */
  containment: number;
  /** Shared shingles over A's: how much of A is in B. */
  aInB: number;
  /** Shared shingles over B's. */
  bInA: number;
  /** Shingles in both. */
  shared: number;
  /** The MinHash estimate of Jaccard from the two signatures (what LSH sees). */
  estimate: number;
}

export interface CompareResult {
  settings: ResolvedOptions;
  a: ComparedDocument;
  b: ComparedDocument;
  scores: CompareScores;
  /** Whether the pair meets the threshold under the metric (a scan would report it). */
  nearDuplicates: boolean;
  alignment: Alignment;
}

/** Alignment lengths, in letters: a shared run must be at least the char shingle size. */
export function alignOptions(settings: ResolvedOptions): { minMatch: number; minMoved: number } {
  const minMatch = settings.shingle.unit === 'char' ? settings.shingle.size : DEFAULTS.shingle.size;
  return { minMatch, minMoved: Math.max(minMatch, DEFAULTS.alignMovedLetters) };
}

/** The text a document's passages point into, and the text that is shingled. */
export function documentTexts(src: Pick<CompareSource, 'raw' | 'kind'>): { shown: string; extracted: string } {
  const extracted = extractText(foldLineEndings(src.raw), src.kind);
  // Plain text is shown as it is in the file (line endings included); its letters are the same.
  return { shown: src.kind === 'text' ? src.raw : extracted, extracted };
}

/** What is at a path, or undefined when nothing is. */
function statOf(file: string, name: string): Stats | undefined {
  try {
    return statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw new NearDupError('EINPUT', `${name}: cannot read: ${describeError(err)}`, { cause: err });
  }
}

/** A path that is not a regular file (a folder, a FIFO, a device) is refused before it is opened. */
function refuseSpecial(st: Stats, name: string): void {
  if (st.isFile()) return;
  const what = st.isDirectory() ? 'a folder' : st.isFIFO() ? 'a FIFO (named pipe)' : st.isSocket() ? 'a socket' : 'a special file';
  throw new NearDupError('EINPUT', `${name}: is ${what}, not a file`);
}

/** Reads a file the way a scan does (encodings, binary check, size limit), keeping offsets. */
export function readSource(file: string, maxFileSize: number = DEFAULTS.maxFileSize, name: string = file): CompareSource {
  return readStatted(file, statOf(file, name), maxFileSize, name);
}

/** readSource, given what stat() said of the file (undefined: nothing is there). */
function readStatted(file: string, st: Stats | undefined, maxFileSize: number, name: string): CompareSource {
  let buf: Buffer;
  if (st === undefined) throw new NearDupError('EINPUT', `${name}: cannot read: no such file or directory`);
  refuseSpecial(st, name);
  if (st.size > maxFileSize) throw new NearDupError('EINPUT', `${name}: ${st.size} bytes is over --max-filesize ${maxFileSize}`);
  const gzip = /\.gz$/i.test(file);
  try {
    buf = readFileSync(file);
    // NAME.gz is read as NAME, as a scan reads it (within the same size limit, decompressed)
    if (gzip) buf = gunzipWithin(buf, maxFileSize);
  } catch (err) {
    const why =
      gzip && (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? `decompressed, over --max-filesize ${maxFileSize}` : describeError(err);
    throw new NearDupError('EINPUT', `${name}: cannot read: ${why}`, { cause: err });
  }
  const decoded = decodeBuffer(buf, Infinity);
  if (!decoded.ok) {
    throw new NearDupError('EINPUT', `${name}: ${'error' in decoded ? decoded.error : decoded.detail}`);
  }
  const shownAs = gzip ? file.slice(0, -3) : file;
  return { name, raw: decoded.text, kind: kindFromPath(shownAs) ?? 'text', file };
}

/** A record's place as reports name it, split: `FILE:LINE`, or `FILE:LINE:COLUMN` in a JSON array. */
export function recordPlaces(name: string): { file: string; line: number; column?: number }[] {
  const out: { file: string; line: number; column?: number }[] = [];
  const withColumn = /^(.+):([1-9]\d*):([1-9]\d*)$/.exec(name);
  if (withColumn) out.push({ file: withColumn[1]!, line: Number(withColumn[2]), column: Number(withColumn[3]) });
  const withLine = /^(.+):([1-9]\d*)$/.exec(name);
  if (withLine) out.push({ file: withLine[1]!, line: Number(withLine[2]) });
  return out;
}

/**
 * A document to compare, named as a scan report names it: a file, or a record of a JSONL, JSON
 * or CSV file as `FILE:LINE` (`FILE:LINE:COLUMN` when several records of a JSON array start on
 * one line). A file of that very name wins over a record place.
 */
export async function readInput(name: string, settings: ResolvedOptions): Promise<CompareSource> {
  const st = statOf(name, name);
  if (st !== undefined) return readStatted(name, st, settings.maxFileSize, name);
  for (const place of recordPlaces(name)) {
    const format = inputKind(place.file, true);
    if (!format?.records) continue;
    const st = statOf(place.file, name);
    if (st === undefined) continue;
    refuseSpecial(st, place.file);
    return readRecordSource(name, place, format.records, format.gzip, settings);
  }
  return readStatted(name, undefined, settings.maxFileSize, name);
}

async function readRecordSource(
  name: string,
  place: { file: string; line: number; column?: number },
  format: 'jsonl' | 'json' | 'csv',
  gzip: boolean,
  settings: ResolvedOptions,
): Promise<CompareSource> {
  const opts = { textField: settings.textField, idField: undefined, maxRecordBytes: settings.maxFileSize, explicit: true };
  const found: { text: string; column?: number }[] = [];
  for await (const item of readRecords(place.file, format, gzip, opts)) {
    const at = item.line === place.line && (place.column === undefined || item.column === place.column);
    if (item.kind === 'error' && item.line === undefined) throw new NearDupError('EINPUT', `${place.file}: ${item.message}`);
    if (!at) {
      if (item.line !== undefined && item.line > place.line) break;
      continue;
    }
    if (item.kind === 'record') found.push({ text: item.text, column: item.column });
    else if (item.kind === 'error') throw new NearDupError('EINPUT', `${name}: ${item.message}`);
    else if (item.kind === 'skip') throw new NearDupError('EINPUT', `${name}: ${item.detail}`);
  }
  if (found.length === 0)
    throw new NearDupError(
      'EINPUT',
      `${name}: no record starts at line ${place.line}${place.column === undefined ? '' : `, column ${place.column}`} of ${place.file}`,
    );
  if (found.length > 1) {
    const columns = found.map((f) => f.column).join(', ');
    throw new NearDupError(
      'EINPUT',
      `${name}: ${found.length} records start on line ${place.line} (columns ${columns}); name one as ${place.file}:${place.line}:COLUMN`,
    );
  }
  return { name, raw: found[0]!.text, kind: 'text', file: place.file };
}

/** Compares two sources under resolved settings. */
export function compareSources(a: CompareSource, b: CompareSource, settings: ResolvedOptions, sketcher = new Sketcher(settings)): CompareResult {
  const ta = documentTexts(a);
  const tb = documentTexts(b);
  const sa = sketcher.sketch(ta.extracted);
  const sb = sketcher.sketch(tb.extracted);
  const s = exactScores(sa.shingles, sb.shingles);
  const doc = (src: CompareSource, t: { shown: string; extracted: string }, sk: typeof sa): ComparedDocument => ({
    name: src.name,
    kind: src.kind,
    text: t.shown,
    offsets: src.kind === 'text' ? 'file' : 'extracted',
    chars: t.extracted.length,
    units: sk.units,
    shingles: sk.shingles.length,
    contentHash: contentHash(t.extracted),
  });
  const na = sa.shingles.length;
  const nb = sb.shingles.length;
  return {
    settings,
    a: doc(a, ta, sa),
    b: doc(b, tb, sb),
    // a document without shingles has nothing to share: a scan skips it as empty, and its
    // scores here are 0 (not the 1 that two empty sets would give)
    scores:
      na === 0 || nb === 0
        ? { jaccard: 0, containment: 0, aInB: 0, bInA: 0, shared: 0, estimate: 0 }
        : {
            jaccard: s.jaccard,
            containment: s.containment,
            aInB: s.shared / na,
            bInA: s.shared / nb,
            shared: s.shared,
            estimate: estimateJaccard(sa.signature, sb.signature),
          },
    nearDuplicates: na > 0 && nb > 0 && meetsThreshold(settings.metric, settings.threshold, s),
    alignment: alignTexts(ta.shown, tb.shown, alignOptions(settings)),
  };
}

/**
 * The similarity report for two files (or records, as `FILE:LINE`). Bad options throw
 * NearDupError (EOPTION), unreadable files EINPUT.
 */
export async function compare(fileA: string, fileB: string, options: ScanOptionsInput = {}): Promise<CompareResult> {
  const settings = resolveOptions(options);
  return compareSources(await readInput(fileA, settings), await readInput(fileB, settings), settings);
}

/** The similarity report for two texts in memory (plain text unless a kind is given). */
export function compareTexts(
  a: string | (Partial<CompareSource> & { raw: string }),
  b: string | (Partial<CompareSource> & { raw: string }),
  options: ScanOptionsInput = {},
): CompareResult {
  const src = (x: typeof a, name: string): CompareSource => (typeof x === 'string' ? { name, raw: x, kind: 'text' } : { name, kind: 'text', ...x });
  return compareSources(src(a, 'A'), src(b, 'B'), resolveOptions(options));
}
