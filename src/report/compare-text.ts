/**
 * The compare report: scores, then the passages in reading order. As text (coloured on a
 * terminal: shared, only in A, only in B, moved) and as JSON (compare-json.ts, re-exported here).
 * The passage renderers also serve `scan --explain`.
 */
import type { Alignment, Passage } from '../compare/align.js';
import type { ComparedDocument, CompareResult } from '../compare/compare.js';
import { formatShingle } from '../options/scan.js';
import type { AlignedTexts } from './compare-json.js';
import { fmtScore, nf, percent, plural } from './format.js';
import { makeStyle, type Style } from './style.js';

export { type AlignedTexts, buildCompareJson, COMPARE_SCHEMA_VERSION, jsonAlignment, renderCompareJson } from './compare-json.js';

// ---------------------------------------------------------------------------------------------
// Text

export interface PassageTextOptions {
  /** Characters kept at each end of a long shared passage (Infinity: all). */
  context: number;
  /** Passages shown (Infinity: all). */
  limit: number;
  /** Line width to wrap at. */
  width: number;
  /** Spaces before each line. */
  indent: number;
}

const MARK: Record<Passage['kind'] | 'moved', string> = { shared: '=', moved: '~', 'only-a': '-', 'only-b': '+' };

/** White space runs become one space: passages are read for their words. */
function flatten(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

function shorten(s: string, context: number): string {
  const chars = Array.from(s);
  if (!Number.isFinite(context) || chars.length <= 2 * context + 24) return s;
  const cut = chars.length - 2 * context;
  const head = chars.slice(0, context).join('').trimEnd();
  // (chars.length - context, not -context: slice(-0) would be the whole passage)
  const tail = chars
    .slice(chars.length - context)
    .join('')
    .trimStart();
  return [head, `… [${nf.format(cut)} more characters] …`, tail].filter((x) => x !== '').join(' ');
}

/** Greedy word wrap; a word longer than the width stands alone on its line. */
function wrap(s: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line || lines.length === 0) lines.push(line);
  return lines;
}

/** One block of the text view. */
interface Shown {
  mark: string;
  text: string;
  paint: (s: string) => string;
}

const LETTER = /[\p{L}\p{M}]/u;

/** How many letters `s` ends (or starts) with, and where that run starts (ends). */
function letterRun(s: string, atEnd: boolean): { letters: number; cut: number } {
  const chars = Array.from(s);
  let letters = 0;
  let units = 0;
  for (let k = 0; k < chars.length; k++) {
    const ch = chars[atEnd ? chars.length - 1 - k : k]!;
    if (!LETTER.test(ch)) break;
    letters++;
    units += ch.length;
  }
  return { letters, cut: atEnd ? s.length - units : units };
}

/** The first `count` letters' worth of `s` from its end (or start), as a cut position. */
function cutLetters(s: string, count: number, atEnd: boolean): number {
  const chars = Array.from(s);
  let units = 0;
  for (let k = 0; k < count && k < chars.length; k++) units += chars[atEnd ? chars.length - 1 - k : k]!.length;
  return atEnd ? s.length - units : units;
}

const isLetterAt = (s: string, atEnd: boolean): boolean => {
  const ch = atEnd ? Array.from(s.slice(-2)).at(-1) : Array.from(s.slice(0, 2))[0];
  return ch !== undefined && LETTER.test(ch);
};

type Sides = { a: string; b: string };

/**
 * Moves into a change the part of a word that a shared passage next to it holds: the end of
 * `shared` when it comes `before` the change, its start otherwise. Only when the word runs on
 * into the change on both sides (mid-word), and by the same number of letters on both.
 */
function takeWordPart(change: Sides, shared: Sides, other: { kind: string; a: string; b: string } | undefined, before: boolean): void {
  const side = (x: 'a' | 'b') => {
    // the text on the other side of the boundary: the change, or past it the other shared passage
    const beyond = change[x] !== '' ? change[x] : other?.kind === 'shared' ? other[x] : '';
    return isLetterAt(beyond, !before) ? letterRun(shared[x], before).letters : 0;
  };
  const count = Math.min(side('a'), side('b'), Array.from(shared.a).length - 1);
  if (count <= 0) return;
  for (const x of ['a', 'b'] as const) {
    const cut = cutLetters(shared[x], count, before);
    if (before) {
      change[x] = shared[x].slice(cut) + change[x];
      shared[x] = shared[x].slice(0, cut);
    } else {
      change[x] += shared[x].slice(0, cut);
      shared[x] = shared[x].slice(cut);
    }
  }
}

/**
 * Passages as blocks to show. A change that starts or ends inside a word takes the rest of the
 * word along (from the shared passages around it, on both sides), so `epicent|re|er| of` reads
 * `- epicentre` `+ epicenter`: a display choice only, the data keeps exact letters.
 */
function blocks(passages: readonly Passage[], texts: AlignedTexts, c: Style, context: number): Shown[] {
  const items: (({ kind: 'shared'; moved: boolean } & Sides) | ({ kind: 'change' } & Sides))[] = [];
  for (const p of passages) {
    if (p.kind === 'shared') items.push({ kind: 'shared', moved: p.moved, a: texts.a.slice(p.a.start, p.a.end), b: texts.b.slice(p.b.start, p.b.end) });
    else {
      const last = items.at(-1);
      const change = last?.kind === 'change' ? last : (items[items.push({ kind: 'change', a: '', b: '' }) - 1] as Sides);
      if (p.kind === 'only-a') change.a += texts.a.slice(p.a.start, p.a.end);
      else change.b += texts.b.slice(p.b.start, p.b.end);
    }
  }
  for (let k = 0; k < items.length; k++) {
    const ch = items[k]!;
    if (ch.kind !== 'change') continue;
    const prev = items[k - 1];
    const next = items[k + 1];
    if (prev?.kind === 'shared' && !prev.moved) takeWordPart(ch, prev, next, true);
    if (next?.kind === 'shared' && !next.moved) takeWordPart(ch, next, prev, false);
  }
  const out: Shown[] = [];
  for (const it of items) {
    if (it.kind === 'shared') {
      const text = shorten(flatten(it.a), context);
      if (text !== '') out.push({ mark: it.moved ? MARK.moved : MARK.shared, text, paint: it.moved ? c.cyan : (x) => x });
      continue;
    }
    const a = flatten(it.a);
    const b = flatten(it.b);
    if (a !== '') out.push({ mark: MARK['only-a'], text: a, paint: c.red });
    if (b !== '') out.push({ mark: MARK['only-b'], text: b, paint: c.green });
    if (a === '' && b === '') out.push({ mark: it.a !== '' ? MARK['only-a'] : MARK['only-b'], text: '(white space or punctuation only)', paint: c.dim });
  }
  return out;
}

/** The passages, one block each, marked `=` shared, `~` moved, `-` only in A, `+` only in B. */
export function renderPassages(al: Alignment, texts: AlignedTexts, c: Style, opts: PassageTextOptions): string[] {
  const out: string[] = [];
  const pad = ' '.repeat(opts.indent);
  const shown = al.passages.slice(0, opts.limit);
  for (const b of blocks(shown, texts, c, opts.context)) {
    const lines = wrap(b.text, Math.max(20, opts.width - opts.indent - 2));
    lines.forEach((l, i) => out.push(`${pad}${i === 0 ? b.paint(b.mark) : ' '} ${b.paint(l)}`));
  }
  const rest = al.passages.length - shown.length;
  if (rest > 0) out.push(c.dim(`${pad}… ${plural(rest, 'more passage')}`));
  return out;
}

/** One line on how much each side shares, and how the passages split. */
export function coverageLine(al: Alignment, labels: readonly [string, string] = ['A', 'B']): string {
  const [la, lb] = labels;
  const count = (k: Passage['kind']) => al.passages.filter((p) => p.kind === k).length;
  const moved = al.passages.filter((p) => p.kind === 'shared' && p.moved).length;
  const pa = al.letters.a === 0 ? 0 : al.shared / al.letters.a;
  const pb = al.letters.b === 0 ? 0 : al.shared / al.letters.b;
  return (
    `shared: ${percent(pa)} of ${la}'s letters, ${percent(pb)} of ${lb}'s · ` +
    `${plural(count('shared'), 'shared passage')}${moved ? ` (${nf.format(moved)} moved)` : ''} · ` +
    `${nf.format(count('only-a'))} only in ${la} · ${nf.format(count('only-b'))} only in ${lb}`
  );
}

export interface CompareTextOptions {
  colorLevel: 0 | 1 | 2 | 3;
  /** Passages shown (Infinity: all). */
  passages: number;
  /** Characters kept at each end of a long shared passage. */
  context: number;
  width: number;
}

export function renderCompareText(r: CompareResult, opts: CompareTextOptions): string {
  const c = makeStyle(opts.colorLevel);
  const s = r.scores;
  const st = r.settings;
  const width = Math.max(r.a.name.length, r.b.name.length);
  const doc = (label: string, d: ComparedDocument, letters: number) =>
    `${c.bold(label)}  ${d.name.padEnd(width)}  ` +
    c.dim(
      `${plural(d.chars, 'char')} · ${plural(letters, 'letter')} · ${plural(d.shingles, 'shingle')}${d.offsets === 'extracted' ? ` · text extracted from ${d.kind}` : ''}`,
    );
  const empty = [r.a.shingles === 0 ? 'A' : '', r.b.shingles === 0 ? 'B' : ''].filter(Boolean);
  const verdict =
    (r.nearDuplicates ? c.yellow('near-duplicates') : c.green('not near-duplicates')) +
    (empty.length
      ? ` (${empty.join(' and ')} ${empty.length === 1 ? 'has' : 'have'} no shingles: a scan skips ${empty.length === 1 ? 'it' : 'them'} as empty)`
      : '');
  const lines = [
    doc('A', r.a, r.alignment.letters.a),
    doc('B', r.b, r.alignment.letters.b),
    `jaccard ${c.cyan(fmtScore(s.jaccard))} · containment ${c.cyan(fmtScore(s.containment))} ` +
      `(A in B ${fmtScore(s.aInB)}, B in A ${fmtScore(s.bInA)}) · MinHash estimate ${fmtScore(s.estimate)}`,
    `${verdict} at ${st.metric} ≥ ${st.threshold} · ${c.dim(`settings: ${formatShingle(st.shingle)}, ${st.numPerm} permutations, seed ${st.seed}`)}`,
    coverageLine(r.alignment),
    c.dim('= shared (as A reads)   - only in A   + only in B   ~ shared, found elsewhere in B'),
    '',
    ...renderPassages(r.alignment, { a: r.a.text, b: r.b.text }, c, { context: opts.context, limit: opts.passages, width: opts.width, indent: 0 }),
  ];
  return `${lines.join('\n')}\n`;
}
