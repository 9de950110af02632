/**
 * Text normalisation: Unicode NFKC, then case folding (lower case; Greek final sigma folded to
 * sigma and Greek accents dropped, see foldCodePoint), and a character classifier that the tokenizer uses to drop punctuation,
 * digits and whitespace as the shingle mode needs.
 */

/** NFKC + lower case. The same text in NFC or NFD, or with full-width forms, normalises alike. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * What the tokenizers read: normalizeText(text), except that pure-ASCII text (NFKC leaves it
 * unchanged) is returned as it is, and the tokenizers fold A-Z themselves. Saves two passes
 * over most text.
 */
export function prepareText(text: string): string {
  return NON_ASCII.test(text) ? normalizeText(text) : text;
}

export const enum CharClass {
  Other = 1,
  /** A letter or combining mark of a script that separates words with spaces. */
  Letter = 2,
  Digit = 3,
  /** A letter of a script written without spaces (Han, kana, Thai, ...): one token per character. */
  Spaceless = 4,
}

const LETTER = /^[\p{L}\p{M}]$/u;
const DIGIT = /^\p{N}$/u;
const SPACELESS = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]$/u;

function classifySlow(ch: string): CharClass {
  if (SPACELESS.test(ch)) return CharClass.Spaceless;
  if (LETTER.test(ch)) return CharClass.Letter;
  if (DIGIT.test(ch)) return CharClass.Digit;
  return CharClass.Other;
}

/** Per-code-unit cache for the Basic Multilingual Plane; 0 = not yet classified. */
const bmp = new Uint8Array(65536);
for (let c = 0; c < 128; c++) {
  bmp[c] = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) ? CharClass.Letter : c >= 48 && c <= 57 ? CharClass.Digit : CharClass.Other;
}
const astral = new Map<number, CharClass>();

/** The class of a code point (not a surrogate half). */
export function charClass(cp: number): CharClass {
  if (cp < 65536) {
    const k = bmp[cp]!;
    if (k !== 0) return k;
    const cls = cp >= 0xd800 && cp <= 0xdfff ? CharClass.Other : classifySlow(String.fromCharCode(cp));
    bmp[cp] = cls;
    return cls;
  }
  let cls = astral.get(cp);
  if (cls === undefined) {
    cls = classifySlow(String.fromCodePoint(cp));
    astral.set(cp, cls);
  }
  return cls;
}

/**
 * Greek letters with accents (tonos, dialytika, and the polytonic marks) to the bare letter:
 * Greek written in capitals drops its accents ("ΝΗΣΙ" for "νησί"), so a copy in capitals
 * compares equal only when they are dropped. Other scripts keep their accents.
 */
const GREEK_BARE = new Map<number, number>();
for (const [from, to] of [
  [0x370, 0x3ff],
  [0x1f00, 0x1fff],
]) {
  for (let cp = from!; cp <= to!; cp++) {
    const base = String.fromCodePoint(cp).normalize('NFD').toLowerCase().codePointAt(0)!;
    if (base !== cp && base >= 0x3b1 && base <= 0x3c9) GREEK_BARE.set(cp, base);
  }
}

/**
 * Folds code points that lower-casing leaves distinct but that mean the same letter: Greek final
 * sigma to sigma, accented Greek letters to bare ones.
 */
export function foldCodePoint(cp: number): number {
  if (cp < 0x370) return cp;
  if (cp === 0x3c2) return 0x3c3; // ς -> σ
  return GREEK_BARE.get(cp) ?? cp;
}
