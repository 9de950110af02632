/**
 * CSV files as records: the rows the scan reads (fields, lines, problems), from the one CSV parser.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RecordItem, readRecords } from '../src/corpus/records.js';

const dir = mkdtempSync(path.join(tmpdir(), 'neardup-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const OPTS = { textField: 'text', idField: undefined, maxRecordBytes: Infinity, explicit: true };

let n = 0;
/** The items of a CSV file with these bytes: records as [line, text], problems as [line, kind, message]. */
async function items(content: string | Buffer, opts: Partial<typeof OPTS> = {}): Promise<unknown[]> {
  const file = path.join(dir, `f${n++}.csv`);
  writeFileSync(file, content);
  const out: unknown[] = [];
  for await (const item of readRecords(file, 'csv', false, { ...OPTS, ...opts }) as AsyncIterable<RecordItem>) {
    if (item.kind === 'record') out.push([item.line, item.text]);
    else if (item.kind === 'error' || item.kind === 'warning') out.push([item.line, item.kind, item.message]);
    else out.push([item.line, item.kind, item.reason]);
  }
  return out;
}

const AFTER_QUOTE = 'invalid CSV: a character after the closing quote of a field (a quote inside a field must be doubled)';

describe('CSV rows', () => {
  it('a row after a row with an error starts afresh (nothing of the bad row carried into it)', async () => {
    expect(await items('text,b\n"x"y,1\nok,2\n"ab"c\nnext,3\n')).toEqual([
      [2, 'error', AFTER_QUOTE],
      [3, 'ok'],
      [4, 'error', AFTER_QUOTE],
      [5, 'next'],
    ]);
  });
});
