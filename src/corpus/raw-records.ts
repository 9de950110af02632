/**
 * The second pass over a record file: the bytes of the records kept, exactly as they are in the
 * file, found by the line where each starts (how the scan names records). Streams: memory holds
 * one kept record at a time, never the file.
 *
 * The bytes are those the record parsers read (corpus/records.ts recordBytes: decompressed, a
 * UTF-8 byte-order mark dropped, UTF-16 converted to UTF-8); a record's bytes run from its first
 * byte to its line end included. JSONL: one line. CSV: a record may span lines (line breaks
 * inside quotes); its rows are read by the one CSV parser (corpus/csv.ts), the scan's.
 *
 * Each kept record is checked against the parser's own reading of the file (readRecords, run
 * alongside): a record must start at that line and its text must have the content hash the scan
 * saw, so a file changed between the two passes is an error, never a wrong record written.
 */

import type { FsPath } from '../model/types.js';
import { type CsvRow, csvParser } from './csv.js';
import type { RecordFormat } from './inputs.js';
import { type RecordItem, type RecordOptions, readRecords, recordBytes } from './records.js';

/** A record's raw bytes and the line where it starts. */
export interface RawRecord {
  line: number;
  bytes: Buffer;
}

/** Joins the pieces of one record. */
class Pieces {
  private parts: Buffer[] = [];
  add(chunk: Buffer, start: number, end: number): void {
    if (end > start) this.parts.push(chunk.subarray(start, end));
  }
  take(): Buffer {
    const b = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    return b;
  }
  get empty(): boolean {
    return this.parts.length === 0;
  }
}

/** JSONL: the lines `wanted` says yes to, each with its LF (the last line may have none). */
export async function* jsonlLines(chunks: AsyncIterable<Buffer>, wanted: (line: number) => boolean): AsyncGenerator<RawRecord> {
  const pieces = new Pieces();
  let line = 1;
  let want = wanted(line);
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      if (want) {
        pieces.add(chunk, start, nl + 1);
        yield { line, bytes: pieces.take() };
      }
      start = nl + 1;
      want = wanted(++line);
    }
    if (want) pieces.add(chunk, start, chunk.length);
  }
  if (want && !pieces.empty) yield { line, bytes: pieces.take() };
}

/**
 * CSV: every row, or only those `wanted` says yes to (by their first line), each with its line
 * end (CR, LF or CRLF), as the one CSV parser (corpus/csv.ts) reads them for the scan. Empty
 * lines come out as records of a line end alone.
 */
export async function* csvRecords(chunks: AsyncIterable<Buffer>, wanted: (line: number) => boolean = () => true): AsyncGenerator<RawRecord> {
  const parser = csvParser({ raw: wanted });
  for await (const chunk of chunks) {
    for (const row of parser.feed(chunk)) if (row.raw) yield { line: row.line, bytes: row.raw };
  }
  for (const row of parser.end()) if (row.raw) yield { line: row.line, bytes: row.raw };
}

/** The raw records of a file (JSONL lines, CSV records) that `wanted` says yes to. */
export function rawRecords(file: FsPath, format: Exclude<RecordFormat, 'json'>, gzip: boolean, wanted: (line: number) => boolean): AsyncGenerator<RawRecord> {
  const bytes = recordBytes(file, gzip, { skipped: 0, converted: false });
  return format === 'jsonl' ? jsonlLines(bytes, wanted) : csvRecords(bytes, wanted);
}

/**
 * A CSV file's header row, line end included: the row the scan takes for the header (corpus/records.ts),
 * the first that has no error, is not an empty line and is within the size limit.
 */
export async function csvHeader(file: FsPath, gzip: boolean, maxRecordBytes: number): Promise<Buffer | undefined> {
  const parser = csvParser({ raw: () => true });
  const header = (rows: CsvRow[]) => rows.find((r) => r.error === undefined && !r.empty && r.size <= maxRecordBytes)?.raw;
  for await (const chunk of recordBytes(file, gzip, { skipped: 0, converted: false })) {
    const h = header(parser.feed(chunk));
    if (h) return h;
  }
  return header(parser.end());
}

/** The line end a record has (empty when it has none: the last line of a file). */
export function lineEndOf(b: Buffer): Buffer {
  if (b.length >= 2 && b[b.length - 2] === 13 && b[b.length - 1] === 10) return b.subarray(b.length - 2);
  if (b.length >= 1 && (b[b.length - 1] === 10 || b[b.length - 1] === 13)) return b.subarray(b.length - 1);
  return b.subarray(b.length);
}

/** A record the parser read. */
export type ParsedRecord = Extract<RecordItem, { kind: 'record' }>;

/**
 * The parser's records of the file, asked for one line at a time in increasing order: `at(line)`
 * is the record that starts at that line, or undefined if none does.
 */
export class ParsedRecords {
  private readonly items: AsyncGenerator<RecordItem>;
  private current: ParsedRecord | undefined;
  private done = false;
  constructor(file: FsPath, format: RecordFormat, gzip: boolean, opts: RecordOptions) {
    this.items = readRecords(file, format, gzip, opts);
  }
  async at(line: number): Promise<ParsedRecord | undefined> {
    while (!this.done && (this.current === undefined || this.current.line < line)) {
      const next = await this.items.next();
      if (next.done) this.done = true;
      else if (next.value.kind === 'record') this.current = next.value;
    }
    return this.current?.line === line ? this.current : undefined;
  }
  async close(): Promise<void> {
    await this.items.return(undefined);
  }
}
