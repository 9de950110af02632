/**
 * What kind of input a path is: a document (text, Markdown, HTML) or a file of records (JSONL,
 * a JSON array, CSV), possibly gzip-compressed; and the lists of paths that --files-from reads.
 */
import { isUtf8 } from 'node:buffer';
import type { DocumentKind, FsPath } from '../model/types.js';
import { kindFromPath } from './extract.js';

export type RecordFormat = 'jsonl' | 'json' | 'csv';

export interface InputKind {
  /** A document of this kind, or... */
  document?: DocumentKind;
  /** ...a file of records in this format. */
  records?: RecordFormat;
  /** Compressed with gzip (the name ends in `.gz`). */
  gzip: boolean;
}

const RECORD_EXTENSIONS: ReadonlyMap<string, RecordFormat> = new Map<string, RecordFormat>([
  ['jsonl', 'jsonl'],
  ['ndjson', 'jsonl'],
  ['json', 'json'],
  ['csv', 'csv'],
]);

/** What follows a name's last dot, lower-cased (as /\.([^./\\]+)$/ finds it), or undefined. */
function extension(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  if (dot < 0 || dot === name.length - 1) return undefined;
  const ext = name.slice(dot + 1);
  return ext.includes('/') || ext.includes('\\') ? undefined : ext.toLowerCase();
}

/**
 * The kind of input at `path`, by its name: `.gz` is dropped first (and means gzip), then
 * `.jsonl`/`.ndjson`, `.json` and `.csv` are record files (with `records`; without, plain
 * text), and other names go by kindFromPath. Undefined: not a type read in a folder walk.
 */
export function inputKind(path: string, records: boolean): InputKind | undefined {
  const gzip = path.length >= 3 && path.slice(-3).toLowerCase() === '.gz';
  const name = gzip ? path.slice(0, -3) : path;
  const ext = extension(name);
  const format = ext === undefined ? undefined : RECORD_EXTENSIONS.get(ext);
  if (format) return records ? { records: format, gzip } : { document: 'text', gzip };
  const document = kindFromPath(name);
  return document ? { document, gzip } : undefined;
}

/** A path as the file system has it: a string, or its raw bytes when they are not UTF-8. */
export function fsPathOf(bytes: Buffer): FsPath {
  return isUtf8(bytes) ? bytes.toString('utf8') : Buffer.from(bytes);
}

/**
 * The paths in a --files-from list: separated by newlines (a CR before one is dropped) or, with
 * `nul`, by NUL bytes (`find -print0`, `git ls-files -z`); empty entries are ignored. A name
 * that is not valid UTF-8 is kept as its bytes, so the file can still be opened.
 */
export function parsePathList(data: Buffer, nul: boolean): FsPath[] {
  const sep = nul ? 0 : 10;
  const out: FsPath[] = [];
  let start = 0;
  while (start <= data.length) {
    let end = data.indexOf(sep, start);
    if (end < 0) end = data.length;
    let stop = end;
    if (!nul && stop > start && data[stop - 1] === 13) stop--;
    if (stop > start) out.push(fsPathOf(data.subarray(start, stop)));
    start = end + 1;
  }
  return out;
}
