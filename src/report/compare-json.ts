/**
 * The compare report as JSON (schema "neardup/compare", with code point offsets into each
 * document), and the passages of an alignment as data (also for `scan --explain` in the JSON
 * report). Apart from the text report so that a JSON run does not load the colour library.
 */
import type { Alignment, Span } from '../compare/align.js';
import type { ComparedDocument, CompareResult } from '../compare/compare.js';
import { round4 } from '../core/similarity.js';
import { VERSION } from '../model/version.js';
import { recordedSettings } from '../options/scan.js';
import { codePointOffsets } from '../text/positions.js';

export const COMPARE_SCHEMA_VERSION = 1;

/** The two texts an alignment's spans point into. */
export interface AlignedTexts {
  a: string;
  b: string;
}

function jsonSpan(text: string, toCp: (i: number) => number, s: Span) {
  return { start: toCp(s.start), end: toCp(s.end), text: text.slice(s.start, s.end) };
}

/** Passages as data: code point offsets and the text of each side, at most `limit` of them. */
export function jsonAlignment(al: Alignment, texts: AlignedTexts, limit = Infinity) {
  const ca = codePointOffsets(texts.a);
  const cb = codePointOffsets(texts.b);
  const shown = al.passages.slice(0, limit);
  return {
    coverage: {
      a: al.letters.a === 0 ? 0 : round4(al.shared / al.letters.a),
      b: al.letters.b === 0 ? 0 : round4(al.shared / al.letters.b),
    },
    passages: shown.map((p) => {
      if (p.kind === 'shared') {
        return { type: p.kind, moved: p.moved, letters: p.letters, a: jsonSpan(texts.a, ca, p.a), b: jsonSpan(texts.b, cb, p.b) };
      }
      if (p.kind === 'only-a') return { type: p.kind, letters: p.letters, a: jsonSpan(texts.a, ca, p.a) };
      return { type: p.kind, letters: p.letters, b: jsonSpan(texts.b, cb, p.b) };
    }),
    passagesNotShown: al.passages.length - shown.length,
  };
}

function jsonDocument(d: ComparedDocument, letters: number) {
  return { path: d.name, kind: d.kind, offsets: d.offsets, chars: d.chars, letters, units: d.units, shingles: d.shingles };
}

export function buildCompareJson(r: CompareResult, limit = Infinity) {
  const s = r.scores;
  return {
    schema: 'neardup/compare',
    version: COMPARE_SCHEMA_VERSION,
    tool: { name: 'neardup', version: VERSION },
    settings: recordedSettings(r.settings),
    a: jsonDocument(r.a, r.alignment.letters.a),
    b: jsonDocument(r.b, r.alignment.letters.b),
    scores: {
      jaccard: round4(s.jaccard),
      containment: round4(s.containment),
      aInB: round4(s.aInB),
      bInA: round4(s.bInA),
      shared: s.shared,
      estimate: round4(s.estimate),
    },
    nearDuplicates: r.nearDuplicates,
    ...jsonAlignment(r.alignment, { a: r.a.text, b: r.b.text }, limit),
  };
}

export function renderCompareJson(r: CompareResult, limit = Infinity): string {
  return `${JSON.stringify(buildCompareJson(r, limit), null, 2)}\n`;
}
