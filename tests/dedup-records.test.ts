/**
 * dedup's second pass over record files: the raw records it finds (JSONL lines, CSV records) must
 * be exactly the records the parser reads, at the same lines, whatever the chunking; together
 * they are the file's bytes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvHeader, csvRecords, jsonlLines, lineEndOf, type RawRecord, rawRecords } from '../src/corpus/raw-records.js';
import { type RecordItem, readRecords } from '../src/corpus/records.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-dedup-records-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTS = { textField: 'text', idField: undefined, maxRecordBytes: Infinity, explicit: true };

async function* chunked(b: Buffer, sizes: readonly number[]): AsyncGenerator<Buffer> {
  let at = 0;
  let i = 0;
  while (at < b.length) {
    const n = Math.max(1, sizes.length ? sizes[i++ % sizes.length]! : b.length);
    yield b.subarray(at, at + n);
    at += n;
  }
}

async function all(g: AsyncIterable<RawRecord>): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const r of g) out.push({ line: r.line, bytes: Buffer.from(r.bytes) });
  return out;
}

async function parsed(file: string, format: 'jsonl' | 'csv'): Promise<Extract<RecordItem, { kind: 'record' }>[]> {
  const out = [];
  for await (const item of readRecords(file, format, false, OPTS)) if (item.kind === 'record') out.push(item);
  return out;
}

/** A CSV field: plain, quoted (with commas, quotes, line ends inside), or broken. */
const csvField = fc.oneof(
  fc.stringMatching(/^[a-z ]{0,6}$/),
  fc.array(fc.constantFrom('a', 'b', ',', '""', '\n', '\r\n', '\r', ' '), { maxLength: 6 }).map((p) => `"${p.join('')}"`),
  fc.constantFrom('a"b', '"x"y', '"unclosed', ''),
);
const csvLine = fc.array(csvField, { minLength: 1, maxLength: 3 }).map((f) => f.join(','));
const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
const csvFile = fc
  .tuple(fc.array(fc.tuple(csvLine, lineEnd), { minLength: 1, maxLength: 8 }), fc.boolean())
  .map(([rows, lastEnd]) => `text,b\n${rows.map(([l, e], i) => l + (i < rows.length - 1 || lastEnd ? e : '')).join('')}`);

describe('raw CSV records', () => {
  it('cover the file byte for byte, and start at the lines where the parser starts its records', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(csvFile, fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 4 }), async (text, sizes) => {
        const bytes = Buffer.from(text);
        const file = path.join(dir, `p${n++}.csv`);
        writeFileSync(file, bytes);
        const raw = await all(csvRecords(chunked(bytes, sizes)));
        expect(Buffer.concat(raw.map((r) => r.bytes)).equals(bytes)).toBe(true);
        const starts = new Set(raw.map((r) => r.line));
        for (const rec of await parsed(file, 'csv')) {
          expect(starts.has(rec.line)).toBe(true);
          // the raw record alone, under the header, parses to the same text
          const r = raw.find((x) => x.line === rec.line)!;
          const alone = path.join(dir, `alone${n}.csv`);
          writeFileSync(alone, Buffer.concat([Buffer.from('text,b\n'), r.bytes]));
          const again = await parsed(alone, 'csv');
          expect(again.map((x) => x.text)).toEqual([rec.text]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('ends a record at CR, LF or CRLF (the LF of a CRLF belongs to the record it ends)', async () => {
    const text = 'text\r\na\r\n"b\r\nc"\rd\n\ne';
    const raw = await all(csvRecords(chunked(Buffer.from(text), [1])));
    expect(raw.map((r) => [r.line, r.bytes.toString()])).toEqual([
      [1, 'text\r\n'],
      [2, 'a\r\n'],
      [3, '"b\r\nc"\r'],
      [5, 'd\n'],
      [6, '\n'],
      [7, 'e'],
    ]);
    expect(lineEndOf(Buffer.from('a\r\n')).toString()).toBe('\r\n');
    expect(lineEndOf(Buffer.from('e')).length).toBe(0);
  });

  it('finds the header: the first record that is not an empty line', async () => {
    const file = path.join(dir, 'header.csv');
    writeFileSync(file, '\n\r\nid,text\r\n1,a\r\n');
    expect((await csvHeader(file, false, Infinity))?.toString()).toBe('id,text\r\n');
  });
});

describe('raw JSONL lines', () => {
  it('are the lines, each with its LF, at the parser lines, whatever the chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('{"text":"a"}', '{"text":"b\\n"}', '', '  ', 'not json', '{"text":"é"}'), fc.constantFrom('\n', '\r\n')), {
          maxLength: 8,
        }),
        fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 }),
        async (lines, sizes) => {
          const bytes = Buffer.from(lines.map(([l, e]) => l + e).join(''));
          const raw = await all(jsonlLines(chunked(bytes, sizes), () => true));
          expect(Buffer.concat(raw.map((r) => r.bytes)).equals(bytes)).toBe(true);
          expect(raw.map((r) => r.line)).toEqual(raw.map((_, i) => i + 1));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('read only the lines wanted; a last line without LF comes out without one', async () => {
    const bytes = Buffer.from('{"text":"a"}\n\n{"text":"b"}\r\n{"text":"c"}');
    const raw = await all(jsonlLines(chunked(bytes, [3]), (l) => l !== 1));
    expect(raw.map((r) => [r.line, r.bytes.toString()])).toEqual([
      [2, '\n'],
      [3, '{"text":"b"}\r\n'],
      [4, '{"text":"c"}'],
    ]);
  });

  it('read through gzip and past a UTF-8 byte-order mark, as the parser does', async () => {
    const file = path.join(dir, 'bom.jsonl.gz');
    writeFileSync(file, gzipSync(Buffer.from('\ufeff{"text":"a"}\n{"text":"b"}\n')));
    const raw = await all(rawRecords(file, 'jsonl', true, () => true));
    expect(raw.map((r) => r.bytes.toString())).toEqual(['{"text":"a"}\n', '{"text":"b"}\n']);
  });
});
