/**
 * The similarity report for two documents: their scores under the run's settings (exact
 * Jaccard, containment both ways, the MinHash estimate) and their texts aligned (align.ts).
 * Returns data; never prints.
 */
import { readFileSync, statSync } from 'node:fs';
import { extractText, kindFromPath, type DocumentKind } from '../corpus/extract.js';
import { decodeBuffer, foldLineEndings } from '../corpus/read.js';
import { NearDupError, describeError } from '../errors.js';
import { exactScores, meetsThreshold } from '../match/verify.js';
import { DEFAULTS, resolveOptions, type ResolvedOptions, type ScanOptionsInput } from '../options.js';
import { contentHash } from '../sketch/hash.js';
import { estimateJaccard } from '../sketch/minhash.js';
import { Sketcher } from '../sketch/sketch.js';
import { alignTexts, type Alignment } from './align.js';

/** A document to compare: a file, or a text in memory. */
export interface CompareSource {
  /** The name shown in reports (a path for files). */
  name: string;
  /** The text as read (for files: decoded, line endings untouched). */
  raw: string;
  kind: DocumentKind;
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

/** Reads a file the way a scan does (encodings, binary check, size limit), keeping offsets. */
export function readSource(file: string, maxFileSize: number = DEFAULTS.maxFileSize, name: string = file): CompareSource {
  let buf: Buffer;
  try {
    const size = statSync(file).size;
    if (size > maxFileSize) throw new NearDupError('EINPUT', `${name}: ${size} bytes is over --max-filesize ${maxFileSize}`);
    buf = readFileSync(file);
  } catch (err) {
    if (err instanceof NearDupError) throw err;
    throw new NearDupError('EINPUT', `${name}: cannot read: ${describeError(err)}`, { cause: err });
  }
  const decoded = decodeBuffer(buf, Infinity);
  if (!decoded.ok) {
    throw new NearDupError('EINPUT', `${name}: ${'error' in decoded ? decoded.error : decoded.detail}`);
  }
  return { name, raw: decoded.text, kind: kindFromPath(file) ?? 'text' };
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
    scores: {
      jaccard: s.jaccard,
      containment: s.containment,
      aInB: na === 0 ? 0 : s.shared / na,
      bInA: nb === 0 ? 0 : s.shared / nb,
      shared: s.shared,
      estimate: estimateJaccard(sa.signature, sb.signature),
    },
    nearDuplicates: na > 0 && nb > 0 && meetsThreshold(settings.metric, settings.threshold, s),
    alignment: alignTexts(ta.shown, tb.shown, alignOptions(settings)),
  };
}

/** The similarity report for two files. Bad options throw NearDupError (EOPTION), unreadable files EINPUT. */
export async function compare(fileA: string, fileB: string, options: ScanOptionsInput = {}): Promise<CompareResult> {
  const settings = resolveOptions(options);
  return compareSources(readSource(fileA, settings.maxFileSize), readSource(fileB, settings.maxFileSize), settings);
}

/** The similarity report for two texts in memory (plain text unless a kind is given). */
export function compareTexts(
  a: string | Partial<CompareSource> & { raw: string },
  b: string | Partial<CompareSource> & { raw: string },
  options: ScanOptionsInput = {},
): CompareResult {
  const src = (x: typeof a, name: string): CompareSource => (typeof x === 'string' ? { name, raw: x, kind: 'text' } : { name, kind: 'text', ...x });
  return compareSources(src(a, 'A'), src(b, 'B'), resolveOptions(options));
}
