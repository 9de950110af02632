import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exactScores } from '../src/core/similarity.js';
import { Sketcher } from '../src/engine/sketch.js';
import { CharClass, charClass, normalizeText } from '../src/text/normalize.js';
import { createTokenizer } from '../src/text/tokenize.js';

const chars = (s: string) => String.fromCodePoint(...createTokenizer({ unit: 'char', seed: 1, stem: false, stopwords: false }).units(normalizeText(s)));
const words = (s: string, opts: { stem?: boolean; stopwords?: boolean } = {}) =>
  createTokenizer({ unit: 'word', seed: 1, stem: opts.stem ?? false, stopwords: opts.stopwords ?? false }).units(normalizeText(s));

describe('normalize', () => {
  it('folds case and compatibility forms (NFKC)', () => {
    expect(normalizeText('ＡＢＣ ﬁne Ⅻ')).toBe('abc fine xii');
    expect(normalizeText('Straße ΟΔΟΣ')).toBe('straße οδος');
  });
  it('NFC and NFD forms normalise alike', () => {
    expect(normalizeText('Cafe\u0301')).toBe(normalizeText('Caf\u00e9'));
  });
  it('classifies letters, digits, spaceless scripts and the rest', () => {
    expect(charClass('a'.codePointAt(0)!)).toBe(CharClass.Letter);
    expect(charClass('é'.codePointAt(0)!)).toBe(CharClass.Letter);
    expect(charClass('Ж'.codePointAt(0)!)).toBe(CharClass.Letter);
    expect(charClass('7'.codePointAt(0)!)).toBe(CharClass.Digit);
    expect(charClass('٣'.codePointAt(0)!)).toBe(CharClass.Digit);
    expect(charClass('中'.codePointAt(0)!)).toBe(CharClass.Spaceless);
    expect(charClass('ก'.codePointAt(0)!)).toBe(CharClass.Spaceless);
    expect(charClass('’'.codePointAt(0)!)).toBe(CharClass.Other);
    expect(charClass('😀'.codePointAt(0)!)).toBe(CharClass.Other);
    expect(charClass('𠀀'.codePointAt(0)!)).toBe(CharClass.Spaceless); // astral Han
  });
});

describe('tokenize: char mode keeps letters only', () => {
  it('drops digits, punctuation and white space, folds case', () => {
    expect(chars('Hello, World! 123 it’s')).toBe('helloworldits');
  });
  it('a stripped copy and a formatted copy have the same letter stream', () => {
    expect(chars('over 65 per cent of miners. China has')).toBe(chars('over  per cent of minerschina has'));
  });
  it('folds Greek final sigma and keeps combining marks, Cyrillic, Arabic, CJK', () => {
    expect(chars('ΟΔΟΣ')).toBe(chars('οδοσ'));
    expect(chars('Привет, мир')).toBe('приветмир');
    expect(chars('مرحبا بالعالم')).toBe('مرحبابالعالم');
    expect(chars('中文，测试')).toBe('中文测试');
  });
  it('never throws on arbitrary strings, lone surrogates included (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        expect(() => chars(s)).not.toThrow();
        expect(() => words(s)).not.toThrow();
      }),
    );
  });
});

describe('tokenize: word mode', () => {
  it('splits on anything that is not a letter, digit or underscore', () => {
    expect(words('one two, three').length).toBe(3);
    expect(words('snake_case x2').length).toBe(2);
    const [a, b] = [words('Hello world'), words('hello  WORLD!')];
    expect([...a]).toEqual([...b]);
  });
  it('makes each character of a spaceless script a word of its own', () => {
    expect(words('我们是学生').length).toBe(5);
  });
  it('stems and drops stop words through natural when asked', () => {
    expect([...words('the connections')]).not.toEqual([...words('the connection')]);
    expect([...words('the connections', { stem: true })]).toEqual([...words('the connection', { stem: true })]);
    expect(words('the cat and the hat', { stopwords: true }).length).toBe(2);
  });
});

describe('sketch', () => {
  const sk = new Sketcher({ shingle: { unit: 'char', size: 9 }, numPerm: 128, seed: 1, stem: false, stopwords: false });
  it('a document and a copy with other line endings, BOM-free NFD and case score 1.0', () => {
    const a = 'Line one.\nLine two — café.\n';
    const b = 'LINE ONE.\r\nLINE TWO — CAFE\u0301.\r\n';
    const s = exactScores(sk.shingles(a).shingles, sk.shingles(b).shingles);
    expect(s.jaccard).toBe(1);
  });
  it('is deterministic and seed dependent', () => {
    const text = 'the quick brown fox jumps over the lazy dog';
    expect([...sk.sketch(text).signature]).toEqual([...sk.sketch(text).signature]);
    const other = new Sketcher({ ...sk.settings, seed: 2 });
    expect([...other.sketch(text).signature]).not.toEqual([...sk.sketch(text).signature]);
  });
});
