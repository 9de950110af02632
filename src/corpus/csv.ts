/**
 * CSV (RFC 4180): the one parser of CSV files. The scan reads the fields of its rows
 * (corpus/records.ts), dedup the bytes of the rows it keeps (corpus/raw-records.ts); both read
 * the same rows, starting at the same lines, because both read them here.
 *
 * - A row ends at a line end outside quotes: CR, LF or CRLF, mixed in one file too. The line end
 *   belongs to the row it ends (a CRLF whole), so the rows cover the file byte for byte.
 * - Fields are separated by commas. A quoted field may hold commas, line breaks and quotes, a
 *   quote doubled (`""` is one `"`); in an unquoted field a quote is a character like any other.
 * - After the closing quote of a field, a character other than a comma or a line end is an error:
 *   the row has it, the rest of its line is passed over, and the next row starts on the next line.
 * - A file that ends inside quotes: its last row has an error.
 * - An empty line (a line end alone) is a row of its own, marked empty.
 * - Lines are counted as editors count them: a CR, an LF or a CRLF ends one, inside quotes too.
 *
 * Works on bytes, chunk by chunk: the bytes that structure CSV (quotes, commas, line ends) are
 * ASCII and never occur inside a multi-byte UTF-8 character. Memory holds the row being read, and
 * only as much of it as was asked for (fields up to a size, bytes of the rows wanted).
 */

/** A row of a CSV file. */
export interface CsvRow {
  /** The line where the row starts (1-based). */
  line: number;
  /** The row's length in bytes, its line end counted as one byte (CR, LF or CRLF). */
  size: number;
  /** An empty line: a line end alone. */
  empty: boolean;
  /** What is wrong with the row (it then has no fields). */
  error?: string;
  /** The bytes of its fields (quotes taken off, doubled quotes made one), when asked for and within the size asked for. */
  fields?: Buffer[];
  /** The row's bytes exactly as they are in the file, its line end included, when asked for. */
  raw?: Buffer;
}

export interface CsvOptions {
  /** Read the fields of the rows whose size is at most this; undefined: no fields. */
  fieldsUpTo?: number;
  /** The rows whose bytes are wanted, by the line where they start. */
  raw?: (line: number) => boolean;
}

export const CSV_AFTER_QUOTE = 'invalid CSV: a character after the closing quote of a field (a quote inside a field must be doubled)';
export const CSV_NOT_CLOSED = 'invalid CSV: a quoted field is not closed before the end of the file';

export interface CsvParser {
  /** The rows that end in this chunk (a row that ends at a CR comes out when the next byte is known: it may be the LF of a CRLF). */
  feed(chunk: Buffer): CsvRow[];
  /** The rows left at the end of the file. */
  end(): CsvRow[];
}

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  /** A quote inside a quoted field: the end of the field, or the first of a doubled quote. */
  QuoteInQuoted,
  /** After an error: the rest of the line is passed over. */
  SkipLine,
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;
const NOTHING = Buffer.alloc(0);

function joined(parts: readonly Buffer[]): Buffer {
  return parts.length === 0 ? NOTHING : parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** A parser of one CSV file, fed its bytes in order. */
export function csvParser(opts: CsvOptions = {}): CsvParser {
  const fieldsUpTo = opts.fieldsUpTo;
  const wanted = opts.raw;
  let state = S.FieldStart;
  let line = 1;
  let afterCR = false;
  /** Bytes of the chunks before the current one. */
  let offset = 0;
  let out: CsvRow[] = [];
  // the row being read
  let inRow = false;
  let rowLine = 1;
  let rowStart = 0;
  let error: string | undefined;
  /** Its fields are being kept (asked for, within the size, no error so far). */
  let keep = false;
  let fields: Buffer[] = [];
  /** The pieces of the field being read, and where its open piece starts in the chunk (-1: none). */
  let field: Buffer[] = [];
  let piece = -1;
  /** Its bytes, when wanted, and where they start in the chunk (-1: not wanted). */
  let raw: Buffer[] = [];
  let rawStart = -1;
  /** A row that ended at a CR: an LF right after it is part of it. */
  let pending: CsvRow | undefined;

  const startRow = (i: number): void => {
    inRow = true;
    rowLine = line;
    rowStart = offset + i;
    error = undefined;
    keep = fieldsUpTo !== undefined;
    rawStart = wanted?.(line) ? i : -1;
  };
  const endField = (): void => {
    if (keep) fields.push(joined(field));
    field = [];
  };
  const fail = (message: string): void => {
    error = message;
    keep = false;
    [fields, field] = [[], []];
  };
  const row = (size: number, empty: boolean): CsvRow => {
    const r: CsvRow = { line: rowLine, size, empty };
    if (error !== undefined) r.error = error;
    else if (keep && size <= fieldsUpTo!) r.fields = fields;
    if (rawStart >= 0) r.raw = joined(raw);
    inRow = false;
    state = S.FieldStart;
    [fields, field, raw, rawStart, piece] = [[], [], [], -1, -1];
    return r;
  };
  /** The row ends at the line end at chunk[i]. */
  const endRow = (chunk: Buffer, i: number, c: number): void => {
    if (rawStart >= 0) raw.push(chunk.subarray(rawStart, i + 1));
    const size = offset + i + 1 - rowStart;
    const r = row(size, size === 1);
    if (c === CR) pending = r;
    else out.push(r);
  };

  return {
    feed(chunk: Buffer): CsvRow[] {
      out = [];
      const n = chunk.length;
      for (let i = 0; i < n; i++) {
        const c = chunk[i]!;
        const crlf = c === LF && afterCR;
        afterCR = c === CR;
        if (pending !== undefined) {
          // the LF of a CRLF that ended a row
          if (crlf && pending.raw) pending.raw = Buffer.concat([pending.raw, chunk.subarray(i, i + 1)]);
          out.push(pending);
          pending = undefined;
          if (crlf) continue;
        }
        if (!inRow) startRow(i);
        switch (state) {
          case S.FieldStart:
            if (c === QUOTE) {
              state = S.Quoted;
              piece = i + 1;
            } else if (c === COMMA) endField();
            else if (c === LF || c === CR) {
              endField();
              endRow(chunk, i, c);
            } else {
              state = S.Unquoted;
              piece = i;
            }
            break;
          case S.Unquoted:
            if (c === COMMA || c === LF || c === CR) {
              if (keep && i > piece) field.push(chunk.subarray(piece, i));
              piece = -1;
              endField();
              if (c === COMMA) state = S.FieldStart;
              else endRow(chunk, i, c);
            }
            break;
          case S.Quoted:
            if (c === QUOTE) {
              if (keep && i > piece) field.push(chunk.subarray(piece, i));
              piece = -1;
              state = S.QuoteInQuoted;
            }
            break;
          case S.QuoteInQuoted:
            if (c === QUOTE) {
              // a doubled quote: the second is the field's
              state = S.Quoted;
              piece = i;
            } else if (c === COMMA) {
              endField();
              state = S.FieldStart;
            } else if (c === LF || c === CR) {
              endField();
              endRow(chunk, i, c);
            } else {
              fail(CSV_AFTER_QUOTE);
              state = S.SkipLine;
            }
            break;
          case S.SkipLine:
            if (c === LF || c === CR) endRow(chunk, i, c);
            break;
        }
        if (c === CR || (c === LF && !crlf)) line++;
      }
      if (inRow) {
        if (piece >= 0) {
          if (keep && n > piece) field.push(chunk.subarray(piece, n));
          piece = 0;
        }
        if (rawStart >= 0) {
          raw.push(chunk.subarray(rawStart, n));
          rawStart = 0;
        }
        // a row over the size: its fields are not kept
        if (keep && offset + n - rowStart > fieldsUpTo!) [keep, fields, field] = [false, [], []];
      }
      offset += n;
      return out;
    },

    end(): CsvRow[] {
      out = [];
      if (pending !== undefined) out.push(pending);
      pending = undefined;
      if (inRow) {
        if (state === S.Quoted) fail(CSV_NOT_CLOSED);
        else if (state !== S.SkipLine) endField();
        out.push(row(offset - rowStart, false));
      }
      return out;
    },
  };
}
