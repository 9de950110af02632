/**
 * Letters with their positions: the letter stream that char shingles see (normalizeText, then
 * letters only, folded by foldCodePoint), each letter tied to the characters of the original
 * text it came from. Used to show passages of the original text (compare, --explain); never on
 * the scan's hot path.
 *
 * NFKC can change a string's length (`ﬁ` becomes `fi`, `e` + U+0301 becomes `é`), so each
 * cluster of the original (a character with the combining marks that follow it) is normalised
 * on its own, and every letter it yields points back to the whole cluster. Composition does not
 * cross such a boundary, so the letters are those of normalising the whole text at once.
 */
import { CharClass, charClass, foldCodePoint, normalizeText } from './normalize.js';

export interface LetterStream {
  /** The folded letter code points, in order. */
  letters: Uint32Array;
  /** UTF-16 offset in the original text where the character of letter i starts. */
  start: Uint32Array;
  /** UTF-16 offset where it ends. */
  end: Uint32Array;
}

const MARK = /^\p{M}$/u;
/** 1: the code point joins the cluster before it; 2: it does not; 0: not yet known (BMP cache). */
const joinsCache = new Uint8Array(65536);

/**
 * Whether a code point continues the cluster before it: combining marks (all at U+0300 or
 * above), the zero-width joiner, and Hangul vowel and final jamo (which compose under NFKC).
 */
function joins(cp: number): boolean {
  if (cp < 0x300) return false;
  if (cp < 65536) {
    let k = joinsCache[cp]!;
    if (k === 0) {
      const yes = cp === 0x200d || (cp >= 0x1160 && cp <= 0x11ff) || (cp >= 0xd7b0 && cp <= 0xd7ff) || MARK.test(String.fromCharCode(cp));
      k = joinsCache[cp] = yes ? 1 : 2;
    }
    return k === 1;
  }
  return MARK.test(String.fromCodePoint(cp));
}

class Builder {
  letters: Uint32Array;
  start: Uint32Array;
  end: Uint32Array;
  length = 0;
  constructor(capacity: number) {
    this.letters = new Uint32Array(Math.max(16, capacity));
    this.start = new Uint32Array(this.letters.length);
    this.end = new Uint32Array(this.letters.length);
  }
  push(letter: number, start: number, end: number): void {
    if (this.length === this.letters.length) {
      const grow = (a: Uint32Array) => {
        const b = new Uint32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.letters = grow(this.letters);
      this.start = grow(this.start);
      this.end = grow(this.end);
    }
    this.letters[this.length] = letter;
    this.start[this.length] = start;
    this.end[this.length++] = end;
  }
  finish(): LetterStream {
    const n = this.length;
    return { letters: this.letters.subarray(0, n), start: this.start.subarray(0, n), end: this.end.subarray(0, n) };
  }
}

function isLetter(cls: CharClass): boolean {
  return cls === CharClass.Letter || cls === CharClass.Spaceless;
}

export function letterStream(text: string): LetterStream {
  const out = new Builder(text.length);
  const n = text.length;
  let index = 0;
  while (index < n) {
    // a cluster: one code point and the code points that join it
    let end = index + (text.codePointAt(index)! > 0xffff ? 2 : 1);
    while (end < n) {
      const next = text.codePointAt(end)!;
      if (!joins(next)) break;
      end += next > 0xffff ? 2 : 1;
    }
    const c = text.charCodeAt(index);
    if (end === index + 1 && c < 128) {
      // ASCII on its own needs no normalisation beyond lower case
      if (c >= 65 && c <= 90) out.push(c + 32, index, end);
      else if (c >= 97 && c <= 122) out.push(c, index, end);
    } else {
      for (const ch of normalizeText(text.slice(index, end))) {
        const cp = ch.codePointAt(0)!;
        if (isLetter(charClass(cp))) out.push(foldCodePoint(cp), index, end);
      }
    }
    index = end;
  }
  return out.finish();
}

/** Maps UTF-16 offsets of `text` to code point offsets (what `characters` means in reports). */
export function codePointOffsets(text: string): (utf16: number) => number {
  let surrogates = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      surrogates = true;
      break;
    }
  }
  if (!surrogates) return (i) => i;
  const map = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; i++) {
    map[i] = cp;
    const c = text.charCodeAt(i);
    const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) map[++i] = cp;
    cp++;
  }
  map[text.length] = cp;
  return (i) => map[i]!;
}
