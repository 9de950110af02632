/**
 * CSV files as records: the one CSV parser (corpus/csv.ts), the rows the scan reads from it
 * (fields, lines, problems) and the header dedup writes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CSV_AFTER_QUOTE, CSV_NOT_CLOSED, type CsvRow, csvParser } from '../src/corpus/csv.js';
import { csvHeader } from '../src/corpus/raw-records.js';
import { type RecordItem, readRecords } from '../src/corpus/records.js';

const dir = mkdtempSync(path.join(tmpdir(), 'neardup-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTS = { textField: 'text', idField: undefined as string | undefined, maxRecordBytes: Infinity, explicit: true };

let n = 0;
function put(content: string | Buffer, name = `f${n++}.csv`): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** The items of a CSV file: records as [line, text] (or [line, text, id]), the others as [line, kind, message or reason]. */
async function items(content: string | Buffer, opts: Partial<typeof OPTS> = {}, name?: string): Promise<unknown[]> {
  const file = put(content, name);
  const out: unknown[] = [];
  for await (const item of readRecords(file, 'csv', file.endsWith('.gz'), { ...OPTS, ...opts }) as AsyncIterable<RecordItem>) {
    if (item.kind === 'record') out.push(item.id === undefined ? [item.line, item.text] : [item.line, item.text, item.id]);
    else if (item.kind === 'error' || item.kind === 'warning') out.push([item.line, item.kind, item.message]);
    else out.push([item.line, item.kind, item.reason]);
  }
  return out;
}

/** The rows of these bytes, fed in pieces of these sizes (cycled; none: whole). */
function rows(bytes: Buffer, sizes: readonly number[] = [], fieldsUpTo = Infinity): CsvRow[] {
  const parser = csvParser({ fieldsUpTo, raw: () => true });
  const out: CsvRow[] = [];
  for (let at = 0, i = 0; at < bytes.length; i++) {
    const size = sizes.length ? sizes[i % sizes.length]! : bytes.length;
    out.push(...parser.feed(bytes.subarray(at, at + size)));
    at += size;
  }
  out.push(...parser.end());
  return out;
}

const shown = (r: CsvRow) => ({ ...r, fields: r.fields?.map((f) => f.toString()), raw: r.raw?.toString() });

describe('the CSV parser', () => {
  it('ends rows at CR, LF or CRLF, mixed; line breaks inside quotes belong to the field and count as lines', () => {
    const got = rows(Buffer.from('a,b\r\n"x\r\ny",2\r"p\rq",3\n\n"",4'));
    expect(got.map(shown)).toEqual([
      { line: 1, size: 4, empty: false, fields: ['a', 'b'], raw: 'a,b\r\n' },
      { line: 2, size: 9, empty: false, fields: ['x\r\ny', '2'], raw: '"x\r\ny",2\r' },
      { line: 4, size: 8, empty: false, fields: ['p\rq', '3'], raw: '"p\rq",3\n' },
      { line: 6, size: 1, empty: true, fields: [''], raw: '\n' },
      { line: 7, size: 4, empty: false, fields: ['', '4'], raw: '"",4' },
    ]);
  });

  it('reads doubled quotes as one, a quote inside an unquoted field as a character, empty fields as empty', () => {
    expect(rows(Buffer.from('"a ""b"", c",d"e,,"""",\n')).map((r) => r.fields?.map(String))).toEqual([['a "b", c', 'd"e', '', '"', '']]);
  });

  it('gives a row with a character after a closing quote an error and starts the next row on the next line', () => {
    const got = rows(Buffer.from('"x"y,"z\n1\n2,"q"\n'));
    expect(got.map((r) => [r.line, r.error, r.fields?.map(String), r.raw?.toString()])).toEqual([
      [1, CSV_AFTER_QUOTE, undefined, '"x"y,"z\n'],
      [2, undefined, ['1'], '1\n'],
      [3, undefined, ['2', 'q'], '2,"q"\n'],
    ]);
  });

  it('gives the last row an error when the file ends inside quotes', () => {
    const got = rows(Buffer.from('a\n"b\nc,d\n'));
    expect(got.map((r) => [r.line, r.error, r.raw?.toString()])).toEqual([
      [1, undefined, 'a\n'],
      [2, CSV_NOT_CLOSED, '"b\nc,d\n'],
    ]);
  });

  it('keeps no fields of a row over the size asked for, and tells its size', () => {
    const got = rows(Buffer.from('abc\r\nabcd\nab"\n'), [2], 4);
    expect(got.map((r) => [r.line, r.size, r.fields?.map(String)])).toEqual([
      [1, 4, ['abc']],
      [2, 5, undefined],
      [3, 4, ['ab"']],
    ]);
  });

  it('reads the same rows whatever the chunking; the rows cover the bytes', async () => {
    const field = fc.oneof(
      fc.stringMatching(/^[a-zé ]{0,5}$/),
      fc.array(fc.constantFrom('a', 'é', ',', '""', '\n', '\r\n', '\r'), { maxLength: 5 }).map((p) => `"${p.join('')}"`),
      fc.constantFrom('a"b', '"x"y', '"unclosed', ''),
    );
    const text = fc.array(fc.tuple(fc.array(field, { minLength: 1, maxLength: 3 }), fc.constantFrom('\n', '\r\n', '\r', '')), { maxLength: 8 });
    fc.assert(
      fc.property(text, fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }), (lines, sizes) => {
        const bytes = Buffer.from(lines.map(([f, e]) => f.join(',') + e).join(''));
        const whole = rows(bytes);
        expect(rows(bytes, sizes).map(shown)).toEqual(whole.map(shown));
        expect(Buffer.concat(whole.map((r) => r.raw!)).equals(bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

describe('CSV records', () => {
  it('a row after a row with an error starts afresh (nothing of the bad row carried into it)', async () => {
    expect(await items('text,b\n"x"y,1\nok,2\n"ab"c\nnext,3\n')).toEqual([
      [2, 'error', CSV_AFTER_QUOTE],
      [3, 'ok'],
      [4, 'error', CSV_AFTER_QUOTE],
      [5, 'next'],
    ]);
  });

  it('names records by the line where they start; empty lines passed over; ragged rows and an open quote are errors', async () => {
    const text = 'id,text\r\n1,"two\r\nlines"\r\n\r\n2,x,y\n\n3,plain\r"4",last';
    expect(await items(text, { idField: 'id' })).toEqual([
      [2, 'two\r\nlines', '1'],
      [5, 'error', 'invalid CSV: 3 fields, the header has 2'],
      [7, 'plain', '3'],
      [8, 'last', '4'],
    ]);
    expect(await items('text\na\n"b\nc\n')).toEqual([
      [2, 'a'],
      [3, 'error', CSV_NOT_CLOSED],
    ]);
  });

  it('reads past a UTF-8 byte-order mark and through gzip; reads bytes that are not UTF-8 as windows-1252', async () => {
    expect(await items(gzipSync(Buffer.from('\ufefftext\r\ncafé\r\n')), {}, 'bom.csv.gz')).toEqual([[2, 'café']]);
    expect(await items(Buffer.concat([Buffer.from('text\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])]))).toEqual([
      [2, 'warning', 'not valid UTF-8; read as windows-1252'],
      [2, 'café'],
    ]);
  });

  it('skips a row over the size limit, read to its end; the header is the first row without a problem', async () => {
    expect(await items('\n"te"xt\ntext\n"a\nlong one"\nb\n', { maxRecordBytes: 8 })).toEqual([
      [2, 'error', CSV_AFTER_QUOTE],
      [4, 'skip', 'too-large'],
      [6, 'b'],
    ]);
  });

  it("dedup's header is the row the scan takes for the header", async () => {
    const file = put('\r\n"id"x,text\r\nid,text\r\n1,a\r\n');
    expect((await csvHeader(file, false, Infinity))?.toString()).toBe('id,text\r\n');
    const big = put('id,text,a long column name\nid,text\n1,a\n');
    expect((await csvHeader(big, false, 10))?.toString()).toBe('id,text\n');
  });
});
