/**
 * The sketch stage: text -> prepared text -> units -> shingle hashes -> MinHash signature and
 * the sorted set of distinct shingles. A pure function of (text, settings), so it runs in
 * worker threads; scratch buffers are reused from one document to the next.
 *
 * Big documents go through in chunks of about a million characters (SketchBuilder), so memory
 * holds one chunk's units and hashes, not one Uint32 per letter of the whole text: the last
 * size-1 units of a chunk are carried into the next, so every shingle is made exactly once, and
 * the signature (a minimum per bin) and the set (a union) come out exactly as for the whole text.
 */

import { MinHashAccumulator } from '../core/minhash.js';
import { type ShingleSeeds, sketchKernel } from '../kernels/sketch.js';
import type { ResolvedOptions } from '../model/settings.js';
import { CharClass, charClass, prepareText } from '../text/normalize.js';
import { shingleSeeds } from '../text/shingle.js';
import { createTokenizer, type Tokenizer } from '../text/tokenize.js';

export interface Sketch {
  /** Number of units (letters or words) after normalisation. */
  units: number;
  /** Distinct shingle hashes, sorted ascending. */
  shingles: Uint32Array;
  signature: Uint32Array;
}

export type SketchSettings = Pick<ResolvedOptions, 'shingle' | 'numPerm' | 'seed' | 'stem' | 'stopwords'>;

/** Characters sketched at a time. */
export const CHUNK_CHARS = 1 << 20;

/**
 * Whether text may be cut just before the code unit `c` without changing what normalisation
 * and tokenization make of it: ASCII white space and punctuation (they end words, never
 * combine with what precedes them under NFKC, and are no letters), CJK spaces and full stops,
 * and unified Han ideographs (each one a word of its own; never the second half of a
 * composition).
 */
function cutsCleanly(c: number): boolean {
  if (c < 128) return !((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95);
  return (c >= 0x3000 && c <= 0x3002) || (c >= 0x4e00 && c <= 0x9fff);
}

/** The last clean place (see cutsCleanly) in `s` after `start`, at most at `end`; -1 if none. */
function lastCut(s: string, start: number, end: number): number {
  for (let i = end; i > start; i--) if (cutsCleanly(s.charCodeAt(i))) return i;
  return -1;
}

/** The first clean place in `s` after `start`; -1 if none. */
function firstCut(s: string, start: number): number {
  for (let i = start + 1; i < s.length; i++) if (cutsCleanly(s.charCodeAt(i))) return i;
  return -1;
}

/**
 * A cut for text without any clean place (megabytes of one "word"): before a character that is
 * no letter, mark or digit if there is one in the chunk (a word boundary in both modes), else
 * anywhere that splits neither a surrogate pair nor a combining sequence. Shingles across it are
 * still exact in char mode; in word mode a word longer than 16 chunks is cut in two.
 */
function forcedCut(s: string, start: number, at: number): number {
  for (let i = at; i > start; i--) {
    const c = s.codePointAt(i)!;
    if (c >= 0xdc00 && c <= 0xdfff) continue;
    if (charClass(c) === CharClass.Other && !/\p{M}/u.test(String.fromCodePoint(c))) return i;
  }
  for (let i = at; i > start; i--) {
    const c = s.charCodeAt(i);
    if (!(c >= 0xdc00 && c <= 0xdfff) && !(c >= 0x300 && /\p{M}/u.test(s[i]!))) return i;
  }
  return at;
}

/** |a ∪ b| of two sorted arrays of distinct values. */
function unionSize(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let shared = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) shared++;
    if (x <= y) i++;
    if (y <= x) j++;
  }
  return a.length + b.length - shared;
}

/**
 * Merges two sorted arrays of distinct values into a new sorted array of distinct values; with
 * `alloc`, into an array of exactly the right size that it allocates.
 */
export function mergeUnique(a: Uint32Array, b: Uint32Array, alloc?: (n: number) => Uint32Array): Uint32Array {
  const out = alloc ? alloc(unionSize(a, b)) : new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let w = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x < y) {
      out[w++] = x;
      i++;
    } else if (y < x) {
      out[w++] = y;
      j++;
    } else {
      out[w++] = x;
      i++;
      j++;
    }
  }
  while (i < a.length) out[w++] = a[i++]!;
  while (j < b.length) out[w++] = b[j++]!;
  return w === out.length ? out : out.slice(0, w);
}

function copyInto(alloc: (n: number) => Uint32Array, a: Uint32Array): Uint32Array {
  const out = alloc(a.length);
  out.set(a);
  return out;
}

export class Sketcher {
  readonly tokenizer: Tokenizer;
  readonly seeds: ShingleSeeds;
  /** Whether sketchAscii applies: letters are the units, with no word transforms. */
  readonly readsAscii: boolean;
  private scratch = new Uint32Array(4096);

  /**
   * `alloc` allocates each document's final shingle set (a worker thread puts them in shared
   * memory, so a big set is not copied once more to be shared).
   */
  constructor(
    readonly settings: SketchSettings,
    readonly alloc: (n: number) => Uint32Array = (n) => new Uint32Array(n),
  ) {
    this.tokenizer = createTokenizer({
      unit: settings.shingle.unit,
      seed: settings.seed,
      stem: settings.stem,
      stopwords: settings.stopwords,
    });
    this.seeds = shingleSeeds(settings.shingle.size, settings.seed);
    this.readsAscii = settings.shingle.unit === 'char' && !settings.stem && !settings.stopwords;
  }

  /**
   * The sketch of `n` bytes that the sketch kernel holds at `at` (see SketchKernel.inputPlace),
   * read as text, when they are all plain ASCII (no byte over 127, NUL or CR); null otherwise.
   * Exactly sketch(text) of the same text, in one pass of the kernel over the bytes.
   */
  sketchAscii(at: number, n: number): Sketch | null {
    if (!this.readsAscii) return null;
    const acc = new MinHashAccumulator(this.settings.numPerm);
    const r = sketchKernel().shingleAscii(at, n, this.settings.shingle.size, this.seeds, acc);
    if (!r) return null;
    return { units: r.units, shingles: copyInto(this.alloc, r.set), signature: acc.signature(this.settings.seed) };
  }

  /** Units of a piece of text after `carry`, in a scratch buffer that the next call reuses. */
  /**
   * sketchAscii for bytes read as windows-1252 (`decode` decodes them as the reader does), or
   * plain ASCII with CR or NUL bytes: each byte stands for the letters its character makes
   * alone (the 256 of them worked out once, with this tokenizer), which are those of the whole
   * text (none of these characters combines with a neighbour under NFKC; a test checks every
   * byte pair and random texts). Null when the path does not apply.
   */
  sketchWide(at: number, n: number, decode: (bytes: Uint8Array) => string): Sketch | null {
    if (!this.readsAscii) return null;
    if (!this.byteLetters) {
      const letters: number[][] = [];
      for (let b = 0; b < 256; b++) letters.push(Array.from(this.tokenizer.units(prepareText(decode(Uint8Array.of(b))))));
      this.byteLetters = letters;
    }
    const acc = new MinHashAccumulator(this.settings.numPerm);
    const r = sketchKernel().shingleWide(at, n, this.settings.shingle.size, this.seeds, acc, this.byteLetters);
    if (!r) return null;
    return { units: r.units, shingles: copyInto(this.alloc, r.set), signature: acc.signature(this.settings.seed) };
  }

  /** The letters each byte makes in sketchWide (made on first use). */
  private byteLetters: number[][] | undefined;

  unitsAfter(carry: Uint32Array, text: string): Uint32Array {
    const units = this.tokenizer.units(prepareText(text));
    if (carry.length === 0) return units;
    const n = carry.length + units.length;
    if (this.scratch.length < n) this.scratch = new Uint32Array(n + (n >>> 1));
    this.scratch.set(carry);
    this.scratch.set(units, carry.length);
    return this.scratch.subarray(0, n);
  }

  /** A builder for one document given in pieces; `chunk`: characters sketched at a time. */
  builder(chunk = CHUNK_CHARS): SketchBuilder {
    return new SketchBuilder(this, chunk);
  }

  /** The shingle set alone (what exact verification needs). */
  shingles(text: string): { units: number; shingles: Uint32Array } {
    const s = this.sketch(text);
    return { units: s.units, shingles: s.shingles };
  }

  sketch(text: string): Sketch {
    const b = this.builder();
    b.add(text);
    return b.finish();
  }
}

/**
 * Sketches one document given in pieces of any size, in bounded memory: the text is buffered
 * until two chunks' worth is there, then cut at a clean place and sketched a chunk at a time.
 * Memory holds one chunk's units and hashes, the signature, and the distinct shingles so far
 * (sorted runs, each at least twice as long as the next, merged as they come).
 */
export class SketchBuilder {
  private pending = '';
  private carry = new Uint32Array(0);
  private emitted = false;
  private units = 0;
  private readonly minhash: MinHashAccumulator;
  private readonly runs: Uint32Array[] = [];
  /** The finished set, when the document's one run was made where sets are kept. */
  private done: Uint32Array | undefined;

  constructor(
    private readonly sketcher: Sketcher,
    private readonly chunk: number,
  ) {
    this.minhash = new MinHashAccumulator(sketcher.settings.numPerm);
  }

  add(text: string): void {
    this.pending = this.pending.length ? this.pending + text : text;
    const { chunk } = this;
    if (this.pending.length < 2 * chunk) return;
    const s = this.pending;
    let start = 0;
    while (s.length - start >= 2 * chunk) {
      let cut = lastCut(s, start, start + chunk);
      if (cut < 0) cut = s.length - start >= 16 * chunk ? forcedCut(s, start, start + chunk) : firstCut(s, start + chunk);
      if (cut < 0) break;
      this.process(s.slice(start, cut));
      start = cut;
    }
    this.pending = start ? s.slice(start) : s;
  }

  private process(text: string, last = false): void {
    const { shingle } = this.sketcher.settings;
    const units = this.sketcher.unitsAfter(this.carry, text);
    this.units += units.length - this.carry.length;
    if (units.length >= shingle.size) {
      this.emit(units, last);
      this.carry = units.slice(units.length - (shingle.size - 1));
    } else {
      this.carry = units.slice();
    }
  }

  /** Shingles `units` into a new run of the set; the last piece of a document of one piece goes straight to `alloc`. */
  private emit(units: Uint32Array, last: boolean): void {
    this.emitted = true;
    const { sketcher } = this;
    const hashes = sketchKernel().shingleUnits(units, sketcher.settings.shingle.size, sketcher.seeds, this.minhash);
    let run = last && !this.runs.length ? copyInto(sketcher.alloc, hashes) : hashes.slice();
    while (this.runs.length && this.runs[this.runs.length - 1]!.length <= 2 * run.length) run = mergeUnique(this.runs.pop()!, run);
    this.runs.push(run);
    if (last && this.runs.length === 1) this.done = run;
  }

  finish(): Sketch {
    if (this.pending.length) this.process(this.pending, true);
    this.pending = '';
    const { seed } = this.sketcher.settings;
    // fewer units than the shingle size (but some): one shingle of all of them
    if (!this.emitted && this.carry.length > 0) this.emit(this.carry, true);
    const { alloc } = this.sketcher;
    if (this.done) return { units: this.units, shingles: this.done, signature: this.minhash.signature(seed) };
    let set: Uint32Array = this.runs.pop() ?? new Uint32Array(0);
    if (!this.runs.length) set = copyInto(alloc, set);
    while (this.runs.length) set = mergeUnique(this.runs.pop()!, set, this.runs.length ? undefined : alloc);
    return { units: this.units, shingles: set, signature: this.minhash.signature(seed) };
  }
}
