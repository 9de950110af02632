/**
 * Read: bytes to text. Detects binary files (a NUL byte in the first 8 KiB, unless a UTF-16
 * byte-order mark says otherwise), decodes UTF-8 (BOM or not) and UTF-16 LE/BE with a BOM,
 * falls back to windows-1252 for invalid UTF-8 (with a warning), and folds CRLF and lone CR
 * line endings to LF. Never modifies the file.
 */
import { readFileSync } from 'node:fs';
import { describeError } from '../errors.js';

export type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export type ReadResult =
  | { ok: true; text: string; encoding: Encoding; bytes: number; warning?: string }
  | { ok: false; skip: 'binary' | 'too-large'; detail: string }
  | { ok: false; error: string };

const SNIFF = 8192;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function looksBinary(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, SNIFF);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

export function decodeBytes(buf: Uint8Array): { text: string; encoding: Encoding; warning?: string } | { binary: true } {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) {
    return { text: new TextDecoder('utf-16le').decode(buf.subarray(2)), encoding: 'utf-16le' };
  }
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    return { text: new TextDecoder('utf-16be').decode(buf.subarray(2)), encoding: 'utf-16be' };
  }
  let body = buf;
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) body = buf.subarray(3);
  if (looksBinary(body)) return { binary: true };
  try {
    return { text: utf8.decode(body), encoding: 'utf-8' };
  } catch {
    return {
      text: new TextDecoder('windows-1252').decode(body),
      encoding: 'windows-1252',
      warning: 'not valid UTF-8; read as windows-1252',
    };
  }
}

/** CRLF and lone CR to LF. */
export function foldLineEndings(s: string): string {
  return s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n');
}

export function readTextFile(absPath: string, size: number, maxFileSize: number): ReadResult {
  if (size > maxFileSize) {
    return { ok: false, skip: 'too-large', detail: `${size} bytes is over --max-filesize ${maxFileSize}` };
  }
  let buf: Buffer;
  try {
    buf = readFileSync(absPath);
  } catch (err) {
    return { ok: false, error: `cannot read: ${describeError(err)}` };
  }
  const decoded = decodeBytes(buf);
  if ('binary' in decoded) return { ok: false, skip: 'binary', detail: 'binary file (NUL byte in the first 8 KiB)' };
  const result: ReadResult = { ok: true, text: foldLineEndings(decoded.text), encoding: decoded.encoding, bytes: buf.length };
  if (decoded.warning) result.warning = decoded.warning;
  return result;
}
