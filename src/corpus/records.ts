/**
 * Record files: each record is one document. Streams, so memory holds one record at a time
 * (at most --max-filesize bytes of it), whatever the size of the file.
 *
 * - JSONL (`.jsonl`, `.ndjson`): one JSON object per line; blank lines are passed over.
 * - JSON (`.json`): one array of objects, split into its elements as the bytes arrive (each
 *   element is parsed alone, so a broken element costs only itself).
 * - CSV (`.csv`, RFC 4180, read by corpus/csv.ts): a header row names the columns; quoted fields,
 *   doubled quotes, quoted line breaks, CRLF, LF or lone CR line ends.
 * - `.gz` files are decompressed as they are read; a UTF-8 BOM is dropped, UTF-16 with a BOM
 *   is converted; bytes that are not UTF-8 are read as windows-1252 (per record, with a warning).
 *
 * The text is the field named by --text-field (dots reach into nested objects, `meta.body`;
 * a key that contains the dots itself wins), the id the field named by --id-field. Every problem
 * is an item naming the line (and, in a JSON array, the column) where its record starts.
 *
 * Parsing is done on bytes: the bytes that structure JSON and CSV (quotes, commas, brackets,
 * line ends) are ASCII and never occur inside a multi-byte UTF-8 character.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { describeError } from '../model/errors.js';
import type { Encoding, FsPath } from '../model/types.js';
import { type CsvRow, csvParser } from './csv.js';
import type { RecordFormat } from './inputs.js';
import { gzipProblem, looksBinary, zlib } from './read.js';

export interface RecordOptions {
  textField: string;
  /** Undefined: records are named by their place (file:line). */
  idField: string | undefined;
  /** A record of more bytes than this is skipped (too-large). */
  maxRecordBytes: number;
  /** Named by the user (a problem with the whole file is then an error, not a skip). */
  explicit: boolean;
}

/** Where a record starts: line, and in a JSON array also the column (in characters), 1-based. */
export interface RecordPlace {
  line: number;
  column?: number;
}

export type RecordItem =
  | (RecordPlace & { kind: 'record'; ordinal: number; text: string; id?: string; bytes: number; encoding: Encoding; at?: ByteRange })
  | (Partial<RecordPlace> & { kind: 'error'; message: string })
  | (Partial<RecordPlace> & { kind: 'skip'; reason: 'too-large' | 'unsupported-type' | 'binary' | 'empty'; detail: string })
  | (RecordPlace & { kind: 'warning'; message: string });

type ParsedItem = RecordItem extends infer T ? (T extends { kind: 'record' } ? Omit<T, 'ordinal'> : T) : never;

/** A piece of a record file: the bytes of one record (null when over the size limit). */
interface RawRecord extends RecordPlace {
  bytes: Buffer | null;
  length: number;
  /** Where the bytes are in the file (JSONL lines only). */
  at?: ByteRange;
}

/** Where a record's bytes are in its file: it can be read again from there alone. */
export interface ByteRange {
  offset: number;
  length: number;
}

/** A problem with the file as a whole: not the format its name says. */
class WrongFormat extends Error {}
class BinaryData extends Error {}
/** A file with nothing in it where the format's first element was expected (a JSON array's `[`, a CSV header). */
class NoData extends Error {}

/** A record file that holds no record (and no problem): skipped as empty, never passed over silently. */
const NO_RECORDS = { kind: 'skip' as const, reason: 'empty' as const, detail: 'no records' };

/**
 * The records of a file, in file order, with every problem as an item. Never throws for bad
 * input: a file that cannot be read, or whose gzip data is truncated, ends with an error item
 * (after the records read before the problem).
 */
export async function* readRecords(file: FsPath, format: RecordFormat, gzip: boolean, opts: RecordOptions): AsyncGenerator<RecordItem> {
  let ordinal = 0;
  let problems = 0;
  try {
    const stream: StreamInfo = { skipped: 0, converted: false };
    const bytes = recordBytes(file, gzip, stream);
    const items = format === 'jsonl' ? jsonlRecords(bytes, opts) : format === 'json' ? jsonRecords(bytes, opts) : csvRecords(bytes, opts);
    for await (const item of items) {
      if (item.kind !== 'record') {
        problems++;
        yield item;
      } else if (!item.at) yield { ...item, ordinal: ordinal++ };
      else {
        // byte ranges in the file hold only when the bytes were read as they are
        const { at, ...rest } = item;
        yield gzip || stream.converted
          ? { ...rest, ordinal: ordinal++ }
          : { ...rest, ordinal: ordinal++, at: { offset: at.offset + stream.skipped, length: at.length } };
      }
    }
    if (ordinal === 0 && problems === 0) yield NO_RECORDS;
  } catch (err) {
    if (err instanceof NoData) yield NO_RECORDS;
    else if (err instanceof BinaryData) yield { kind: 'skip', reason: 'binary', detail: 'binary file (NUL byte in the first 8 KiB)' };
    else if (err instanceof WrongFormat) {
      yield opts.explicit
        ? { kind: 'error', message: `${err.message} (use --records off to read it as text)` }
        : { kind: 'skip', reason: 'unsupported-type', detail: err.message };
    } else yield { kind: 'error', message: gzipProblem(err) ?? `cannot read: ${describeError(err)}` };
  }
}

/** What recordBytes did to the file's bytes: bytes dropped at the start (a BOM), conversion. */
export interface StreamInfo {
  skipped: number;
  converted: boolean;
}

/**
 * The file's bytes as UTF-8: decompressed, BOM dropped, UTF-16 converted (what the record parsers
 * read; dedup reads the kept records' bytes from it). Throws for a binary file.
 */
export async function* recordBytes(file: FsPath, gzip: boolean, info: StreamInfo): AsyncGenerator<Buffer> {
  const input = createReadStream(file);
  let stream: NodeJS.ReadableStream = input;
  if (gzip) {
    const gunzip = zlib().createGunzip();
    input.on('error', (err) => gunzip.destroy(err));
    stream = input.pipe(gunzip);
  }
  let utf16: InstanceType<typeof TextDecoder> | undefined;
  let first = true;
  try {
    for await (const data of stream) {
      let chunk = data as Buffer;
      if (first) {
        first = false;
        if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
          chunk = chunk.subarray(3);
          info.skipped = 3;
        } else if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
          utf16 = new TextDecoder(chunk[0] === 0xff ? 'utf-16le' : 'utf-16be');
          info.converted = true;
        }
        if (!utf16 && looksBinary(chunk)) throw new BinaryData();
      }
      yield utf16 ? Buffer.from(utf16.decode(chunk, { stream: true })) : chunk;
    }
    if (utf16) yield Buffer.from(utf16.decode());
  } finally {
    input.destroy();
  }
}

/** UTF-8, or windows-1252 (with a warning) for bytes that are not. */
function decode(bytes: Buffer): { text: string; encoding: Encoding } {
  return isUtf8(bytes)
    ? { text: bytes.toString('utf8'), encoding: 'utf-8' }
    : { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
}

const NOT_UTF8 = 'not valid UTF-8; read as windows-1252';

/** Accumulates the bytes of one record from chunks, up to a limit. */
class Collector {
  private parts: Buffer[] = [];
  length = 0;
  constructor(private readonly max: number) {}
  add(chunk: Buffer, start: number, end: number): void {
    if (end <= start) return;
    this.length += end - start;
    if (this.length <= this.max) this.parts.push(chunk.subarray(start, end));
    else this.parts = [];
  }
  take(place: RecordPlace): RawRecord {
    const bytes = this.length <= this.max ? (this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts)) : null;
    const r = { ...place, bytes, length: this.length };
    this.parts = [];
    this.length = 0;
    return r;
  }
}

// ---------------------------------------------------------------------------------------------
// Fields

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : t === 'number' ? 'a number' : t === 'boolean' ? 'a boolean' : `a ${t}`;
}

/** obj[name], or with dots the nested field (`meta.body`); a key with the dots itself wins. */
export function getField(obj: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(obj, name)) return obj[name];
  let v: unknown = obj;
  for (const part of name.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

function fieldList(names: readonly string[]): string {
  const shown = names.slice(0, 8).join(', ');
  return names.length === 0 ? 'it has none' : `it has ${shown}${names.length > 8 ? ', …' : ''}`;
}

/** The items for one parsed JSON value (a JSONL line or an array element). */
function* fromJson(value: unknown, raw: RawRecord & { bytes: Buffer }, encoding: Encoding, opts: RecordOptions): Generator<ParsedItem> {
  const place: RecordPlace = raw.column === undefined ? { line: raw.line } : { line: raw.line, column: raw.column };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    yield { kind: 'error', ...place, message: `not a JSON object (${describeValue(value)})` };
    return;
  }
  const obj = value as Record<string, unknown>;
  const text = getField(obj, opts.textField);
  if (text === undefined) {
    yield { kind: 'error', ...place, message: `no field '${opts.textField}' (${fieldList(Object.keys(obj))}; see --text-field)` };
    return;
  }
  if (typeof text !== 'string') {
    yield { kind: 'error', ...place, message: `field '${opts.textField}' is ${describeValue(text)}, not a string` };
    return;
  }
  let id: string | undefined;
  if (opts.idField !== undefined) {
    const v = getField(obj, opts.idField);
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) id = String(v);
    else {
      const what = v === undefined ? `no field '${opts.idField}'` : `field '${opts.idField}' is ${describeValue(v)}, not a string or number`;
      yield { kind: 'warning', ...place, message: `${what}: named by its place` };
    }
  }
  yield { kind: 'record', ...place, text, ...(id === undefined ? {} : { id }), bytes: raw.bytes.length, encoding, ...(raw.at ? { at: raw.at } : {}) };
}

function tooLargeItem(raw: RawRecord, max: number): ParsedItem {
  const place = raw.column === undefined ? { line: raw.line } : { line: raw.line, column: raw.column };
  return { kind: 'skip', ...place, reason: 'too-large', detail: `record of ${raw.length} bytes is over --max-filesize ${max}` };
}

/** The message of a JSON.parse error, without V8's echo of the input. */
function jsonError(err: unknown): string {
  return `invalid JSON: ${(err as Error).message.replace(/, ".*" is not valid JSON$/s, '')}`;
}

function* parseJson(raw: RawRecord, opts: RecordOptions): Generator<ParsedItem> {
  if (raw.bytes === null) {
    yield tooLargeItem(raw, opts.maxRecordBytes);
    return;
  }
  const place = raw.column === undefined ? { line: raw.line } : { line: raw.line, column: raw.column };
  const { text, encoding } = decode(raw.bytes);
  if (encoding !== 'utf-8') yield { kind: 'warning', ...place, message: NOT_UTF8 };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    yield { kind: 'error', ...place, message: jsonError(err) };
    return;
  }
  yield* fromJson(value, raw as RawRecord & { bytes: Buffer }, encoding, opts);
}

// ---------------------------------------------------------------------------------------------
// JSONL

/** One JSONL line's items: CR dropped, blank lines passed over. */
function* jsonlLine(raw: RawRecord, opts: RecordOptions): Generator<ParsedItem> {
  if (raw.bytes !== null) {
    let end = raw.bytes.length;
    if (end > 0 && raw.bytes[end - 1] === 13) end--;
    raw.bytes = raw.bytes.subarray(0, end);
    if (isBlank(raw.bytes)) return;
  }
  yield* parseJson(raw, opts);
}

async function* jsonlRecords(chunks: AsyncIterable<Buffer>, opts: RecordOptions): AsyncGenerator<ParsedItem> {
  const line = new Collector(opts.maxRecordBytes);
  let lineNo = 1;
  let lineStart = 0;
  let consumed = 0;
  const finish = () => {
    const raw = line.take({ line: lineNo });
    raw.at = { offset: lineStart, length: raw.length };
    return jsonlLine(raw, opts);
  };
  for await (const chunk of chunks) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      line.add(chunk, start, nl);
      yield* finish();
      lineNo++;
      start = nl + 1;
      lineStart = consumed + start;
    }
    line.add(chunk, start, chunk.length);
    consumed += chunk.length;
  }
  if (line.length > 0) yield* finish();
}

/**
 * The record of a JSONL file at a byte range that readRecords gave (to read it again without
 * reading the file from its start); undefined if it is no longer a record there.
 */
export function readRecordAt(file: FsPath, at: ByteRange, line: number, opts: RecordOptions): (RecordItem & { kind: 'record' }) | undefined {
  const bytes = Buffer.alloc(at.length);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    if (readSync(fd, bytes, 0, at.length, at.offset) !== at.length) return undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
  for (const item of jsonlLine({ line, bytes, length: at.length }, opts)) if (item.kind === 'record') return { ...item, ordinal: -1 };
  return undefined;
}

function isBlank(b: Buffer): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// JSON array

const enum J {
  Start,
  Between,
  Element,
  End,
}

function isJsonSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

async function* jsonRecords(chunks: AsyncIterable<Buffer>, opts: RecordOptions): AsyncGenerator<ParsedItem> {
  const el = new Collector(opts.maxRecordBytes);
  let state = J.Start;
  let line = 1;
  let column = 0;
  let expectElement = true;
  let place: RecordPlace = { line: 1, column: 1 };
  // inside an element
  let opener = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for await (const chunk of chunks) {
    let elStart = state === J.Element ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if ((c & 0xc0) !== 0x80) column++; // count characters, not continuation bytes
      if (state === J.Element) {
        let endsBefore = false;
        let endsAfter = false;
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) {
            inString = false;
            if (opener === 34) endsAfter = true;
          }
        } else if (c === 34) inString = true;
        else if (c === 123 || c === 91) depth++;
        else if (c === 125 || c === 93) {
          if (depth === 0) endsBefore = true;
          else if (--depth === 0) endsAfter = true;
        } else if (depth === 0 && (c === 44 || isJsonSpace(c))) endsBefore = true;
        if (endsBefore || endsAfter) {
          el.add(chunk, elStart, endsAfter ? i + 1 : i);
          elStart = -1;
          state = J.Between;
          expectElement = false;
          yield* parseJson(el.take(place), opts);
          if (endsAfter) {
            if (c === 10) [line, column] = [line + 1, 0];
            continue;
          }
          // the byte that ended a bare value is read again between elements
        } else {
          if (c === 10) [line, column] = [line + 1, 0];
          continue;
        }
      }
      if (c === 10) [line, column] = [line + 1, 0];
      if (isJsonSpace(c)) continue;
      if (state === J.Start) {
        if (c !== 91) throw new WrongFormat('not a JSON array of records');
        state = J.Between;
      } else if (state === J.Between) {
        if (c === 93) state = J.End;
        else if (c === 44) {
          if (expectElement) yield { kind: 'error', line, column, message: "invalid JSON: unexpected ','" };
          expectElement = true;
        } else {
          if (!expectElement) yield { kind: 'error', line, column, message: "invalid JSON: expected ',' or ']' before this value" };
          state = J.Element;
          place = { line, column };
          opener = c;
          depth = c === 123 || c === 91 ? 1 : 0;
          inString = c === 34;
          escaped = false;
          elStart = i;
        }
      } else if (state === J.End) {
        yield { kind: 'error', line, column, message: 'invalid JSON: unexpected data after the array' };
        return;
      }
    }
    if (elStart >= 0) el.add(chunk, elStart, chunk.length);
  }
  if (state === J.Start) throw new NoData();
  if (state === J.Element && (depth > 0 || inString)) {
    yield { kind: 'error', ...place, message: 'invalid JSON: the file ends inside this value (the array is not closed)' };
    return;
  }
  if (state === J.Element) yield* parseJson(el.take(place), opts);
  // the place after the last character (column 1 of a line the file ends on)
  if (state !== J.End) yield { kind: 'error', line, column: column + 1, message: "invalid JSON: the file ends before the array's ']'" };
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180, read by corpus/csv.ts)

async function* csvRecords(chunks: AsyncIterable<Buffer>, opts: RecordOptions): AsyncGenerator<ParsedItem> {
  const max = opts.maxRecordBytes;
  const parser = csvParser({ fieldsUpTo: max });
  let header: string[] | undefined;
  let textColumn = -1;
  let idColumn = -1;

  const fromRow = function* (row: CsvRow): Generator<ParsedItem> {
    const place = { line: row.line };
    if (row.error !== undefined) {
      yield { kind: 'error', ...place, message: row.error };
      return;
    }
    if (row.empty) return;
    if (row.size > max || row.fields === undefined) {
      yield { kind: 'skip', ...place, reason: 'too-large', detail: `record of ${row.size} bytes is over --max-filesize ${max}` };
      return;
    }
    const decoded = row.fields.map(decode);
    if (decoded.some((d) => d.encoding !== 'utf-8')) yield { kind: 'warning', ...place, message: NOT_UTF8 };
    const values = decoded.map((d) => d.text);
    if (!header) {
      header = values;
      textColumn = header.indexOf(opts.textField);
      if (textColumn < 0) throw new WrongFormat(`CSV without a column '${opts.textField}' (${fieldList(header)}; see --text-field)`);
      if (opts.idField !== undefined) {
        idColumn = header.indexOf(opts.idField);
        if (idColumn < 0) yield { kind: 'warning', ...place, message: `no column '${opts.idField}': records are named by their place` };
      }
      return;
    }
    if (values.length !== header.length) {
      yield { kind: 'error', ...place, message: `invalid CSV: ${plural(values.length, 'field')}, the header has ${header.length}` };
      return;
    }
    const id = idColumn >= 0 ? values[idColumn] : undefined;
    yield {
      kind: 'record',
      ...place,
      text: values[textColumn]!,
      ...(id === undefined ? {} : { id }),
      bytes: row.size,
      encoding: decoded[textColumn]!.encoding,
    };
  };

  for await (const chunk of chunks) for (const row of parser.feed(chunk)) yield* fromRow(row);
  for (const row of parser.end()) yield* fromRow(row);
  if (!header) throw new NoData();
}

function plural(n: number, one: string): string {
  return `${n} ${n === 1 ? one : `${one}s`}`;
}
