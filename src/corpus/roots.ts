/**
 * The paths a command starts from: those given, and those listed by --files-from (a file, or
 * standard input); and standard input as a document (`-`), copied to a temporary file so that
 * it can be read again (to verify). Shared by scan, scan --db, index query and dedup.
 */
import { createWriteStream, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describeError, NearDupError } from '../model/errors.js';
import type { FsPath } from '../model/types.js';
import { parsePathList } from './inputs.js';
import { makeTempDir } from './temp.js';

/** How standard input is named in reports. */
export const STDIN_NAME = '<stdin>';

/** Reads a whole stream (a --files-from list on standard input). */
export async function readStream(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(parts);
}

export interface PathListSettings {
  /** --files-from: a file of paths, or `-` for standard input. */
  filesFrom: string | undefined;
  /** -0: the list's entries end with NUL bytes, not newlines. */
  nullSeparated: boolean;
}

/**
 * The paths given and those listed in --files-from; `.` when neither gives any (a list that
 * names nothing gives nothing). `-` (standard input as a document) stays in the result.
 */
export async function inputRoots(paths: readonly FsPath[], settings: PathListSettings, stdin: () => NodeJS.ReadableStream): Promise<FsPath[]> {
  const roots = [...paths];
  const list = settings.filesFrom;
  if (list === undefined) return roots.length ? roots : ['.'];
  if (list === '-' && roots.includes('-')) {
    throw new NearDupError('EUSAGE', "standard input can be read only once: '-' is both a path and the --files-from list");
  }
  let data: Buffer;
  try {
    data = list === '-' ? await readStream(stdin()) : readFileSync(list);
  } catch (err) {
    throw new NearDupError('EINPUT', `${list === '-' ? STDIN_NAME : list}: cannot read the --files-from list: ${describeError(err)}`, { cause: err });
  }
  // one at a time: a list can hold more paths than a call takes arguments
  for (const p of parsePathList(data, settings.nullSeparated)) roots.push(p);
  return roots;
}

/** Standard input copied to a file in a new temporary folder (the caller removes `dir` with removeTempDir). */
export async function spoolStdin(stream: NodeJS.ReadableStream): Promise<{ dir: string; file: string; size: number }> {
  const dir = makeTempDir('stdin');
  const file = path.join(dir, 'stdin');
  // node:stream/promises is loaded only to read standard input
  const { pipeline } = await import('node:stream/promises');
  await pipeline(stream, createWriteStream(file));
  return { dir, file, size: statSync(file).size };
}
