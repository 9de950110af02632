/**
 * Read: bytes to text. Detects binary files (a NUL byte in the first 8 KiB, unless a UTF-16
 * byte-order mark says otherwise), decodes UTF-8 (BOM or not) and UTF-16 LE/BE with a BOM,
 * falls back to windows-1252 for invalid UTF-8 (with a warning), and folds CRLF and lone CR
 * line endings to LF. Reads in chunks (a big file never sits whole in memory) and decompresses
 * `.gz` files. Never modifies the file.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describeError } from '../model/errors.js';
import type { Encoding, FsPath } from '../model/types.js';

/** node:zlib, loaded for the first .gz file (it takes a few milliseconds to load, in each thread). */
let zlibModule: typeof import('node:zlib') | undefined;
export const zlib = () => (zlibModule ??= createRequire(import.meta.url)('node:zlib') as typeof import('node:zlib'));

export type ReadResult =
  | { ok: true; text: string; encoding: Encoding; bytes: number; warning?: string }
  | { ok: false; skip: 'binary' | 'too-large'; detail: string }
  | { ok: false; error: string };

const SNIFF = 8192;

export function looksBinary(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, SNIFF);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

/** CRLF and lone CR to LF. */
export function foldLineEndings(s: string): string {
  return s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n');
}

/** Where decoded text goes, a piece at a time. */
export interface TextSink {
  add(text: string): void;
}

export type ReadOutcome =
  | { ok: true; encoding: Encoding; bytes: number; warning?: string }
  | { ok: false; skip: 'binary' | 'too-large'; detail: string; warning?: string }
  | { ok: false; error: string };

/** Bytes read and decoded at a time. */
const CHUNK_BYTES = 1 << 20;

/** An I/O failure (as opposed to a bug in a sink), reported as `cannot read: ...`. */
class IoError extends Error {
  constructor(readonly original: unknown) {
    super(describeError(original));
  }
}

function io<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw new IoError(err);
  }
}

/** The one-line problem with gzip data, from a zlib error; undefined for other errors. */
export function gzipProblem(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'Z_BUF_ERROR') return 'truncated gzip data';
  if (code === 'Z_DATA_ERROR') return `invalid gzip data (${(err as Error).message})`;
  return undefined;
}

function tooLarge(size: number, max: number, what = 'bytes'): ReadOutcome {
  return { ok: false, skip: 'too-large', detail: `${size} ${what} is over --max-filesize ${max}` };
}

/** A file's bytes (or a buffer's), CHUNK_BYTES at a time; the chunk is reused by the next one. */
function* chunksOf(src: { fd: number } | { buf: Uint8Array }, scratch: Buffer): Generator<Uint8Array> {
  if ('buf' in src) {
    for (let p = 0; p < src.buf.length; p += scratch.length) yield src.buf.subarray(p, p + scratch.length);
    return;
  }
  for (let pos = 0; ; ) {
    const n = io(() => readSync(src.fd, scratch, 0, scratch.length, pos));
    if (n === 0) return;
    pos += n;
    yield scratch.subarray(0, n);
    if (n < scratch.length) return; // a short read of a regular file: its end
  }
}

/**
 * Reads at most `max` bytes from the start of a file into `into` at `at` (no decoding); returns
 * how many it read. Throws on failure (the caller reads the file again the general way, which
 * reports it).
 */
export function readFileInto(file: FsPath, into: Uint8Array, at: number, max: number): number {
  const fd = openSync(file, 'r');
  try {
    let got = 0;
    while (got < max) {
      const want = max - got;
      const n = readSync(fd, into, at + got, want, got);
      got += n;
      if (n < want) break; // a short read of a regular file: its end (no second read to see 0)
    }
    return got;
  } finally {
    closeSync(fd);
  }
}

/**
 * `raw` decompressed, up to one byte past `maxFileSize` (more throws ERR_BUFFER_TOO_LARGE); no
 * limit of its own when it is infinite (zlib takes only finite numbers: its own, the largest buffer).
 */
export function gunzipWithin(raw: Uint8Array, maxFileSize: number): Buffer {
  return zlib().gunzipSync(raw, Number.isFinite(maxFileSize) ? { maxOutputLength: Math.max(1, maxFileSize + 1) } : {});
}

let scratchBuffer: Buffer | undefined;

/**
 * Reads a text file in chunks and hands the decoded text, line endings folded, to a sink made
 * by `begin` (a second sink is begun if the file turns out not to be UTF-8 and is decoded again
 * as windows-1252: the first one must then be dropped). A `.gz` file is decompressed first, in
 * memory, up to --max-filesize. Memory holds one chunk, whatever the size of the file.
 */
export function readTextChunks(file: FsPath, size: number, maxFileSize: number, gzip: boolean, begin: () => TextSink): ReadOutcome {
  if (size > maxFileSize) return tooLarge(size, maxFileSize);
  let fd = -1;
  try {
    let src: { fd: number } | { buf: Uint8Array };
    if (gzip) {
      const raw = io(() => readFileSync(file));
      try {
        src = { buf: gunzipWithin(raw, maxFileSize) };
      } catch (err) {
        if ((err as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') return tooLarge(maxFileSize + 1, maxFileSize, 'or more bytes uncompressed');
        const problem = gzipProblem(err);
        if (problem) return { ok: false, error: problem };
        throw err;
      }
    } else {
      fd = io(() => openSync(file, 'r'));
      src = { fd };
    }
    scratchBuffer ??= Buffer.allocUnsafe(CHUNK_BYTES);
    return decodeSource(src, scratchBuffer, maxFileSize, begin);
  } catch (err) {
    if (err instanceof IoError) return { ok: false, error: `cannot read: ${err.message}` };
    throw err;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Decoders are reused (making one per file costs more than decoding a small file). */
const decoders = new Map<Encoding, InstanceType<typeof TextDecoder>>();

function decoderFor(encoding: Encoding): InstanceType<typeof TextDecoder> {
  let d = decoders.get(encoding);
  if (!d) decoders.set(encoding, (d = new TextDecoder(encoding, { fatal: encoding === 'utf-8', ignoreBOM: true })));
  return d;
}

function isDecodeError(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'ERR_ENCODING_INVALID_ENCODED_DATA';
}

/**
 * Decodes chunks into a new sink: BOM sniffing (a UTF-16 BOM wins over `guess`), the binary
 * check on the first 8 KiB, CRLF/CR folding across chunk ends. 'invalid' when `guess` is
 * UTF-8 and the bytes are not.
 */
function decodeChunks(chunks: Iterable<Uint8Array>, maxFileSize: number, guess: Encoding, begin: () => TextSink): ReadOutcome | 'invalid' {
  let decoder: InstanceType<typeof TextDecoder> | undefined;
  let encoding = guess;
  let bytes = 0;
  let held = '';
  let finished = false;
  const sink = begin();
  const push = (text: string, last: boolean) => {
    let s = held + text;
    held = '';
    if (!last && s.length) {
      // hold back a CR (its LF may start the next chunk) and a high surrogate (its pair may)
      const c = s.charCodeAt(s.length - 1);
      if (c === 13 || (c >= 0xd800 && c <= 0xdbff)) {
        held = s[s.length - 1]!;
        s = s.slice(0, -1);
      }
    }
    if (s.length) sink.add(foldLineEndings(s));
  };
  try {
    for (const chunk of chunks) {
      let body = chunk;
      if (!decoder) {
        if (chunk.length >= 2 && chunk[0] === 0xff && chunk[1] === 0xfe) encoding = 'utf-16le';
        else if (chunk.length >= 2 && chunk[0] === 0xfe && chunk[1] === 0xff) encoding = 'utf-16be';
        if (encoding.startsWith('utf-16')) body = chunk.subarray(2);
        else if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) body = chunk.subarray(3);
        decoder = decoderFor(encoding);
      }
      if (bytes < SNIFF && !encoding.startsWith('utf-16') && looksBinary(body.subarray(0, SNIFF - bytes))) {
        return { ok: false, skip: 'binary', detail: 'binary file (NUL byte in the first 8 KiB)' };
      }
      bytes += chunk.length;
      if (bytes > maxFileSize) return tooLarge(bytes, maxFileSize, 'or more bytes');
      push(decoder.decode(body, { stream: true }), false);
    }
    push(decoder ? decoder.decode() : '', true);
    finished = true;
  } catch (err) {
    if (isDecodeError(err)) return 'invalid';
    throw err;
  } finally {
    // a decoder left in the middle of a stream (an error, a skip) is not reused
    if (!finished && decoder) decoders.delete(encoding);
  }
  return { ok: true, encoding, bytes };
}

/** Decodes as UTF-8, or failing that again as windows-1252 (with a warning). */
function decodeSource(src: { fd: number } | { buf: Uint8Array }, scratch: Buffer, maxFileSize: number, begin: () => TextSink): ReadOutcome {
  const first = decodeChunks(chunksOf(src, scratch), maxFileSize, 'utf-8', begin);
  if (first !== 'invalid') return first;
  const fallback = decodeChunks(chunksOf(src, scratch), maxFileSize, 'windows-1252', begin) as Exclude<ReadOutcome, 'invalid'>;
  return fallback.ok ? { ...fallback, warning: NOT_UTF8 } : fallback;
}

/** The whole text that a reader hands over in pieces. */
function collected(read: (begin: () => TextSink) => ReadOutcome): ReadResult {
  let parts: string[] = [];
  const r = read(() => {
    parts = [];
    return { add: (t) => void parts.push(t) };
  });
  if (!r.ok) return r;
  const out: ReadResult = { ok: true, text: parts.join(''), encoding: r.encoding, bytes: r.bytes };
  if (r.warning) out.warning = r.warning;
  return out;
}

/** The warning of a file read as windows-1252. */
const NOT_UTF8 = 'not valid UTF-8; read as windows-1252';

const wholeWindows1252 = new TextDecoder('windows-1252', { ignoreBOM: true });

/**
 * How readTextChunks reads a whole file of these bytes, when each byte is one character of its
 * text: plain ASCII (with CR or NUL bytes, or it would not be asked), or bytes that are not
 * UTF-8, read as windows-1252 (decodeBytesOneToOne); `text` is the whole text, line endings
 * folded. Null for any other file (a byte-order mark, a NUL byte in the first 8 KiB, UTF-8 with
 * bytes over 127): readTextChunks must read it.
 */
export function bytesAsText(bytes: Uint8Array): { encoding: Encoding; text: string; warning?: string } | null {
  const n = bytes.length;
  if (n >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) return null;
  if (n >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return null;
  if (bytes.subarray(0, SNIFF).indexOf(0) >= 0) return null;
  const ascii = isAscii(bytes);
  if (!ascii && isUtf8(bytes)) return null;
  const text = foldLineEndings(decodeBytesOneToOne(bytes));
  return ascii ? { encoding: 'utf-8', text } : { encoding: 'windows-1252', text, warning: NOT_UTF8 };
}

/**
 * Bytes decoded as a file that is not UTF-8 is (windows-1252), which for ASCII is ASCII. As a
 * stream, as readTextChunks decodes: Node's decode() of a whole buffer in one call reads
 * windows-1252 as latin1 (0x92 as U+0092, not U+2019).
 */
export function decodeBytesOneToOne(bytes: Uint8Array): string {
  return wholeWindows1252.decode(bytes, { stream: true }) + wholeWindows1252.decode();
}

/** Decodes bytes already in memory as readTextChunks decodes a file, `chunk` bytes at a time. */
export function decodeBuffer(buf: Uint8Array, maxFileSize: number, chunk = CHUNK_BYTES): ReadResult {
  return collected((begin) => decodeSource({ buf }, Buffer.alloc(chunk), maxFileSize, begin));
}

/** Reads a whole text file (see readTextChunks). */
export function readTextFile(file: FsPath, size: number, maxFileSize: number, gzip = false): ReadResult {
  return collected((begin) => readTextChunks(file, size, maxFileSize, gzip, begin));
}
