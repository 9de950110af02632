/**
 * Tokenization: turns normalised text into the units that shingles are made of.
 *   char mode: the letters of the text, in order (digits, punctuation, whitespace dropped),
 *   word mode: one hash per word (letters, marks, digits and `_`; each character of a script
 *              written without spaces is a word of its own).
 * This is the one module that imports `natural`, loaded only when its stemming or stop-word
 * options are asked for (it takes ~0.5 s to load in full).
 */
import { createRequire } from 'node:module';
import { hashString } from '../core/hash.js';
import type { ShingleUnit } from '../model/settings.js';
import { CharClass, charClass, foldCodePoint, normalizeText } from './normalize.js';

export interface TokenizerSettings {
  unit: ShingleUnit;
  seed: number;
  stem: boolean;
  stopwords: boolean;
}

export interface Tokenizer {
  readonly settings: TokenizerSettings;
  /**
   * Units of text prepared by prepareText() (or fully normalised): letter code points (char
   * mode) or word hashes (word mode). A-Z are folded here. The result is a view into a scratch
   * buffer that the next call overwrites: copy it to keep it.
   */
  units(prepared: string): Uint32Array;
}

interface NaturalParts {
  stem: (word: string) => string;
  stopwords: ReadonlySet<string>;
}

let naturalParts: NaturalParts | undefined;

function loadNatural(): NaturalParts {
  if (!naturalParts) {
    // Deep requires load the two parts used, not natural's whole index (~0.6 s).
    const require = createRequire(import.meta.url);
    const porter = require('natural/lib/natural/stemmers/porter_stemmer.js') as { stem(w: string): string };
    const stop = require('natural/lib/natural/util/stopwords.js') as { words: string[] };
    naturalParts = { stem: (w) => porter.stem(w), stopwords: new Set(stop.words) };
  }
  return naturalParts;
}

/** Growable Uint32Array scratch buffer, reused from one document to the next. */
class U32Builder {
  buf: Uint32Array;
  length = 0;
  constructor(capacity: number) {
    this.buf = new Uint32Array(Math.max(16, capacity));
  }
  reset(capacity: number): this {
    if (this.buf.length < capacity) this.buf = new Uint32Array(capacity);
    this.length = 0;
    return this;
  }
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Uint32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  finish(): Uint32Array {
    return this.buf.subarray(0, this.length);
  }
}

/** An ASCII code's letter, A-Z folded to a-z; 0 for any other code. */
const ASCII_LETTERS = Uint8Array.from({ length: 128 }, (_, c) => (c >= 97 && c <= 122 ? c : c >= 65 && c <= 90 ? c + 32 : 0));

/**
 * Letter code points of `s` (char mode without word transforms), A-Z folded. The loop has no
 * branch that only some texts take (each is written, then kept or not): V8 optimises it once,
 * rather than again for each document that first takes a new one.
 */
function letterUnits(s: string, out: U32Builder): Uint32Array {
  out.reset(s.length);
  const buf = out.buf;
  const n = s.length;
  let w = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      const l = ASCII_LETTERS[c]!;
      buf[w] = l;
      w += l === 0 ? 0 : 1;
    } else {
      const cp = s.codePointAt(i)!;
      i += cp > 0xffff ? 1 : 0;
      const l = foldedLetter(cp);
      buf[w] = l;
      w += l === 0 ? 0 : 1;
    }
  }
  out.length = w;
  return out.finish();
}

/** A code point's letter, folded (foldCodePoint), if it is one (of a spaced or spaceless script); 0 if not. */
function foldedLetter(cp: number): number {
  const cls = charClass(cp);
  return cls === CharClass.Letter || cls === CharClass.Spaceless ? foldCodePoint(cp) : 0;
}

/**
 * Calls onWord(start, end) for each word of `s`; a spaceless-script character is a word alone.
 * Words are runs of letters, marks, digits and `_`.
 */
function forEachWord(s: string, onWord: (start: number, end: number) => void): void {
  const n = s.length;
  let start = -1;
  for (let i = 0; i < n; i++) {
    let cp = s.charCodeAt(i);
    let width = 1;
    let cls: CharClass;
    if (cp < 128) {
      cls = (cp >= 97 && cp <= 122) || (cp >= 48 && cp <= 57) || cp === 95 || (cp >= 65 && cp <= 90) ? CharClass.Letter : CharClass.Other;
    } else {
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < n) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          width = 2;
        }
      }
      cls = charClass(cp);
    }
    if (cls === CharClass.Letter || cls === CharClass.Digit) {
      if (start < 0) start = i;
    } else {
      if (start >= 0) {
        onWord(start, i);
        start = -1;
      }
      if (cls === CharClass.Spaceless) onWord(i, i + width);
    }
    i += width - 1;
  }
  if (start >= 0) onWord(start, n);
}

/** Word hashes of `s` (word mode without word transforms), computed without building strings. */
function wordUnits(s: string, seed: number, out: U32Builder): Uint32Array {
  out.reset(s.length >>> 2);
  const base = (0x811c9dc5 ^ seed) >>> 0;
  forEachWord(s, (start, end) => {
    let h = base;
    for (let i = start; i < end; i++) {
      let c = s.charCodeAt(i);
      if (c >= 65 && c <= 90) c += 32;
      else if (c >= 0x370) c = foldCodePoint(c);
      h = Math.imul(h ^ c, 0x01000193);
    }
    out.push(h >>> 0);
  });
  return out.finish();
}

/** Words after natural's stop-word removal and/or Porter stemming. */
function transformedWords(prepared: string, settings: TokenizerSettings): string[] {
  const { stem, stopwords } = loadNatural();
  const s = normalizeText(prepared);
  const words: string[] = [];
  forEachWord(s, (start, end) => {
    const w = s.slice(start, end);
    if (settings.stopwords && stopwords.has(w)) return;
    words.push(settings.stem ? stem(w) : w);
  });
  return words;
}

export function createTokenizer(settings: TokenizerSettings): Tokenizer {
  const transforms = settings.stem || settings.stopwords;
  if (transforms) loadNatural();
  const scratch = new U32Builder(1024);
  const units = (prepared: string): Uint32Array => {
    if (!transforms) return settings.unit === 'char' ? letterUnits(prepared, scratch) : wordUnits(prepared, settings.seed, scratch);
    const words = transformedWords(prepared, settings);
    if (settings.unit === 'char') return letterUnits(words.join(' '), scratch);
    const out = new Uint32Array(words.length);
    for (let i = 0; i < words.length; i++) out[i] = hashString(words[i]!, settings.seed);
    return out;
  };
  return { settings, units };
}
