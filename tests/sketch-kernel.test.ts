/**
 * The sketch kernel (src/kernels/assembly/sketch.ts) against the JavaScript reference: shingle
 * hashes, MinHash bins and sets must be exactly those of shingleStream + minhashSignature + a
 * sort, and a plain-ASCII file sketched from its bytes exactly what reading it as text gives.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../src/core/hash.js';
import { minhashSignature } from '../src/core/minhash.js';
import { bytesAsText, decodeBuffer, decodeBytesOneToOne } from '../src/corpus/read.js';
import { type FileLoadTask, loadDocument } from '../src/engine/load.js';
import { Sketcher } from '../src/engine/sketch.js';
import { sketchKernel } from '../src/kernels/sketch.js';
import { resolveOptions } from '../src/options/scan.js';
import { prepareText } from '../src/text/normalize.js';
import { shingleStream } from '../src/text/shingle.js';

/** fast-check's seed: every run tries the same cases (a failure names its own seed and path to replay). */
const SEED = 20_240_601;

/** The JavaScript reference: units, the sorted distinct hashes, and the signature. */
function reference(sk: Sketcher, text: string) {
  const units = sk.tokenizer.units(prepareText(text)).slice();
  const { size } = sk.settings.shingle;
  const hashes = shingleStream(units, size, sk.settings.seed).slice();
  const shingles = Uint32Array.from(new Set(hashes)).sort();
  return { units: units.length, shingles, signature: minhashSignature(hashes, sk.settings.numPerm, sk.settings.seed) };
}

/** The kernel's sketch of `text`'s bytes (each character one byte), or null. */
function fromBytes(sk: Sketcher, text: string) {
  const kernel = sketchKernel();
  const bytes = Buffer.from(text, 'latin1');
  const at = kernel.inputPlace(bytes.length, sk.settings.numPerm);
  kernel.view().set(bytes, at);
  return sk.sketchAscii(at, bytes.length);
}

// ASCII with runs of letters, and now and then a byte the ASCII path must refuse
const asciiText = (refuse: boolean) =>
  fc
    .array(
      fc.oneof(
        { weight: 12, arbitrary: fc.constantFrom('the', 'Quick', 'BROWN', 'fox', 'a', 'jumps', 'over', 'lazy', 'dog', 'q', 'zz') },
        { weight: 6, arbitrary: fc.constantFrom(' ', '\n', ', ', '. ', '\t', '-', '42', '_', '@', '[', '`', '{', '~', '\x7f', '\x01') },
        { weight: refuse ? 1 : 0, arbitrary: fc.constantFrom('\r', '\0', '\x80', 'é', '\xff') },
      ),
      { maxLength: 300 },
    )
    .map((parts) => parts.join(''));

describe('sketch kernel', () => {
  for (const [shingle, numPerm] of [
    ['char:9', 128],
    ['char:1', 17],
    ['char:3', 64],
    ['char:20', 200],
  ] as const) {
    it(`sketches plain ASCII bytes exactly as the reference sketches the text (${shingle}, ${numPerm} bins)`, () => {
      const sk = new Sketcher(resolveOptions({ shingle, numPerm, bands: 1, rows: numPerm }));
      fc.assert(
        fc.property(asciiText(false), (text) => {
          const got = fromBytes(sk, text)!;
          const want = reference(sk, text);
          expect(got.units).toBe(want.units);
          expect([...got.shingles]).toEqual([...want.shingles]);
          expect([...got.signature]).toEqual([...want.signature]);
          // and the general path, through the kernel's unit entry
          const general = sk.sketch(text);
          expect([...general.shingles]).toEqual([...want.shingles]);
          expect([...general.signature]).toEqual([...want.signature]);
        }),
        { numRuns: 150, seed: SEED },
      );
    });
  }

  it('refuses bytes over 127, NUL and CR (they need decoding), and takes every other ASCII byte', () => {
    const sk = new Sketcher(resolveOptions({}));
    fc.assert(
      fc.property(asciiText(true), (text) => {
        const refused = /[\r\0\x80-\xff]/.test(text);
        expect(fromBytes(sk, text) === null).toBe(refused);
      }),
      { numRuns: 300, seed: SEED },
    );
    for (let b = 1; b < 128; b++) if (b !== 13) expect(fromBytes(sk, `ab${String.fromCharCode(b)}cd`)).not.toBeNull();
  });

  it('is not used in word mode or with word transforms', () => {
    for (const o of [{ shingle: 'word:5' }, { stem: true }, { stopwords: true }]) {
      const sk = new Sketcher(resolveOptions(o));
      expect(sk.readsAscii).toBe(false);
      expect(fromBytes(sk, 'plain ascii text here')).toBeNull();
    }
  });

  it('short texts: one shingle of all their letters; none without letters', () => {
    const sk = new Sketcher(resolveOptions({ shingle: 'char:9' }));
    for (const text of ['', '  12 ', 'ab', 'Abc-Def', 'abcdefgh', 'abcdefghi']) {
      const got = fromBytes(sk, text)!;
      const want = reference(sk, text);
      expect(got.units).toBe(want.units);
      expect([...got.shingles]).toEqual([...want.shingles]);
      expect([...got.signature]).toEqual([...want.signature]);
    }
  });

  it('sortUnique grows its memory for big arrays and stays exact', () => {
    const a = new Uint32Array(300_000);
    for (let i = 0; i < a.length; i++) a[i] = Math.imul(i % 100_000, 2654435761) >>> 0;
    const got = sketchKernel().sortUnique(a);
    expect(got.length).toBe(100_000);
    let ascending = true;
    for (let i = 1; i < got.length; i++) ascending &&= got[i]! > got[i - 1]!;
    expect(ascending).toBe(true);
  });
});

describe('loading a text file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'neardup-kernel-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sk = new Sketcher(resolveOptions({}));
  const task = (name: string, content: string | Buffer): FileLoadTask => {
    const file = path.join(dir, name);
    writeFileSync(file, content);
    const size = Buffer.byteLength(content);
    return { index: 0, path: name, absPath: file, size, kind: 'text', gzip: false, maxFileSize: 1 << 30, wantSet: true };
  };
  const text = 'Subject: Re: the quick brown fox\n\nThe quick brown fox jumps over the lazy dog, again and again.\n';

  for (const [name, content, expected] of [
    ['plain ASCII (read as bytes)', text, text],
    ['CRLF line ends (read as text: folded)', text.replace(/\n/g, '\r\n'), text],
    ['UTF-8 with accents (read as text)', `${text}café naïve`, `${text}café naïve`],
    ['windows-1252 (read as text)', Buffer.concat([Buffer.from(text), Buffer.from([0xe9, 0x20, 0x61, 0x62])]), `${text}é ab`],
  ] as const) {
    it(`gives the sketch and content hash of its text: ${name}`, () => {
      const r = loadDocument(task(`${name.length}.txt`, content), sk);
      expect(r.status).toBe('ok');
      if (r.status !== 'ok') return;
      const want = sk.sketch(expected);
      expect(r.meta.contentHash).toBe(contentHash(expected));
      expect(r.meta.chars).toBe(expected.length);
      expect(r.meta.units).toBe(want.units);
      expect([...r.set!]).toEqual([...want.shingles]);
      expect([...r.signature]).toEqual([...want.signature]);
    });
  }

  // bytes of every kind the byte paths take or must leave to the reader: windows-1252 letters
  // and symbols (™ is two letters), CR, NUL, UTF-8 sequences, byte-order marks
  const someBytes = fc
    .array(
      fc.oneof(
        { weight: 10, arbitrary: fc.constantFrom('the ', 'Quick', 'fox\n', 'a', '42 ', '\r\n', '\r', 'zz').map((t) => [...Buffer.from(t)]) },
        { weight: 6, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((b) => [b]) },
        { weight: 1, arbitrary: fc.constantFrom([0], [0x99], [0x8a, 0x9a], [0xc3, 0xa9], [0xe2, 0x80, 0x99], [0xa8, 0x6e], [0x98, 0x61]) },
      ),
      { maxLength: 200 },
    )
    .chain((parts) => fc.constantFrom([], [0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff]).map((bom) => Buffer.from([...bom, ...parts.flat()])));

  it('sketches a file from its bytes (ASCII with CR or NUL, windows-1252) exactly as reading it as text does', () => {
    let n = 0;
    fc.assert(
      fc.property(someBytes, (bytes) => {
        const r = loadDocument(task(`bytes-${n++}.txt`, bytes), sk);
        const read = decodeBuffer(bytes, 1 << 30);
        if (!read.ok) {
          expect(r).toMatchObject('skip' in read ? { status: 'skip', reason: read.skip } : { status: 'error' });
          return;
        }
        const want = sk.sketch(read.text);
        if (want.shingles.length === 0) {
          expect(r).toMatchObject({ status: 'skip', reason: 'empty' });
          return;
        }
        expect(r).toMatchObject({
          status: 'ok',
          meta: {
            encoding: read.encoding,
            bytes: bytes.length,
            chars: read.text.length,
            units: want.units,
            shingles: want.shingles.length,
            contentHash: contentHash(read.text),
          },
        });
        expect(r.status === 'ok' ? r.warning : undefined).toBe(read.warning);
        if (r.status !== 'ok') return;
        expect([...r.set!]).toEqual([...want.shingles]);
        expect([...r.signature]).toEqual([...want.signature]);
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('the byte path takes windows-1252 and ASCII with CR or NUL, and leaves UTF-8, byte-order marks and binary files to the reader', () => {
    const wide = (bytes: Buffer) => {
      const kernel = sketchKernel();
      const at = kernel.inputPlace(bytes.length, sk.settings.numPerm, true);
      kernel.view().set(bytes, at);
      return sk.sketchWide(at, bytes.length, decodeBytesOneToOne);
    };
    const cp1252 = Buffer.from([...Buffer.from('the '), 0x99, 0x8a, ...Buffer.from(' caf'), 0xe9, 0x0d, 0x0a, ...Buffer.from('quick brown')]);
    expect(bytesAsText(cp1252)).toEqual({ encoding: 'windows-1252', text: 'the ™Š café\nquick brown', warning: 'not valid UTF-8; read as windows-1252' });
    const got = wide(cp1252)!;
    const want = sk.sketch('the ™Š café\nquick brown');
    expect(got.units).toBe(want.units);
    expect([...got.shingles]).toEqual([...want.shingles]);
    expect([...got.signature]).toEqual([...want.signature]);
    expect(bytesAsText(Buffer.from('a\r\nb\rc'))).toEqual({ encoding: 'utf-8', text: 'a\nb\nc' });
    expect(bytesAsText(Buffer.concat([Buffer.alloc(9000, 'a'), Buffer.from([0])]))).toMatchObject({ encoding: 'utf-8' });
    expect(bytesAsText(Buffer.from([0x61, 0, 0x62]))).toBeNull();
    expect(bytesAsText(Buffer.from('café'))).toBeNull();
    expect(bytesAsText(Buffer.from([0xef, 0xbb, 0xbf, 0xe9]))).toBeNull();
    expect(bytesAsText(Buffer.from([0xff, 0xfe, 0x61, 0]))).toBeNull();
  });

  it('an empty file, a file without letters, and a file that grew since the walk', () => {
    expect(loadDocument(task('empty.txt', ''), sk)).toMatchObject({ status: 'skip', reason: 'empty', detail: 'empty file' });
    expect(loadDocument(task('digits.txt', '123 456\n'), sk)).toMatchObject({ status: 'skip', reason: 'empty', detail: 'no letters or words to compare' });
    const grown = { ...task('grown.txt', text), size: 10 };
    const r = loadDocument(grown, sk);
    expect(r).toMatchObject({ status: 'ok', meta: { bytes: Buffer.byteLength(text), contentHash: contentHash(text) } });
  });
});
