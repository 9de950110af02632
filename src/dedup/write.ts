/**
 * Writing the output the safe way: everything goes under a temporary name in the folder of the
 * final one (same file system), and is renamed into place only when complete, so an interrupted
 * run never leaves a half-written output (or manifest) under the final name. The inputs are only
 * ever read: copied, or hard-linked with --link.
 */
import { once } from 'node:events';
import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { copyFile, link, mkdir, realpath, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { createGzip, type Gzip } from 'node:zlib';
import { describeError, NearDupError } from '../model/errors.js';
import type { FsPath } from '../model/types.js';
import { fsPath, shown } from './paths.js';

/** `.NAME.neardup-PID-RANDOM.tmp` next to `final` (a byte string). */
function tempNameFor(final: string, suffix = 'tmp'): string {
  const random = Math.floor(Math.random() * 0x100000000).toString(36);
  return path.join(path.dirname(final), `.${path.basename(final)}.neardup-${process.pid}-${random}.${suffix}`);
}

/**
 * Removes what this process left under temporary names next to `final` (a byte string): for a
 * run stopped by a signal, before it exits. Synchronous, so it can run in a signal handler.
 */
export function removeTemps(final: string): void {
  const dir = path.dirname(final);
  const prefix = `.${path.basename(final)}.neardup-${process.pid}-`;
  let names: Buffer[];
  try {
    names = readdirSync(fsPath(dir), { encoding: 'buffer' });
  } catch {
    return;
  }
  for (const n of names) {
    const name = n.toString('latin1');
    if (name.startsWith(prefix) && name.endsWith('.tmp')) rmSync(fsPath(path.join(dir, name)), { recursive: true, force: true });
  }
}

function cannotWrite(target: string, err: unknown): NearDupError {
  return new NearDupError('EOUTPUT', `${shown(target)}: cannot write: ${describeError(err)}`, { cause: err });
}

/** Makes folder `dir` (a byte string) with its missing parents; returns the folders made, deepest first. */
function makeFolders(dir: string): string[] {
  const missing: string[] = [];
  for (let p = dir; !existsSync(fsPath(p)); p = path.dirname(p)) {
    missing.push(p);
    if (path.dirname(p) === p) break;
  }
  mkdirSync(fsPath(dir), { recursive: true });
  return missing;
}

/** Removes the folders makeFolders made, deepest first, as long as they are empty (a failed run leaves none behind). */
function removeFolders(made: readonly string[]): void {
  for (const dir of made) {
    try {
      rmdirSync(fsPath(dir));
    } catch {
      return;
    }
  }
}

/** Something written under a temporary name: made visible by commit, or dropped by abort. */
export interface Pending {
  commit(): Promise<void> | void;
  abort(): void;
}

/** Replaces `final` with `temp` (a file: one rename; a folder that exists: moved aside first). */
function moveIntoPlace(temp: string, final: string): void {
  const t = fsPath(temp);
  const f = fsPath(final);
  let exists = false;
  try {
    exists = lstatSync(f).isDirectory();
  } catch {
    exists = false;
  }
  if (!exists) {
    renameSync(t, f);
    return;
  }
  // an empty folder, or one replaced with --force: moved aside, the new one renamed in, the old removed
  const old = fsPath(tempNameFor(final, 'old'));
  renameSync(f, old);
  try {
    renameSync(t, f);
  } catch (err) {
    renameSync(old, f);
    throw err;
  }
  rmSync(old, { recursive: true, force: true });
}

/** The output folder, built under a temporary name. */
export class FolderOutput implements Pending {
  private readonly temp: string;
  private readonly made = new Set<string>();
  /** The folders above the output that this run made. */
  private parents: string[] = [];
  files = 0;
  /** `final`: where the folder goes (a byte string); `named`: that place as the user named it, for messages. */
  constructor(
    private readonly final: string,
    private readonly named: string = final,
  ) {
    this.temp = tempNameFor(final);
    try {
      this.parents = makeFolders(path.dirname(final));
      mkdirSync(fsPath(this.temp));
    } catch (err) {
      throw cannotWrite(named, err);
    }
    this.made.add('');
  }

  /** Where the output is being built (a byte string). */
  get building(): string {
    return this.temp;
  }

  /**
   * Copies (keeping its modification time) or hard-links the file `src` to `rel` under the
   * output. An existing name is never replaced.
   */
  async add(src: FsPath, shownSrc: string, rel: string, linkIt: boolean): Promise<void> {
    const dir = path.dirname(rel);
    if (!this.made.has(dir)) {
      await mkdir(fsPath(path.join(this.temp, dir)), { recursive: true });
      this.made.add(dir);
    }
    const dst = fsPath(path.join(this.temp, rel));
    try {
      if (linkIt) {
        // link(2) does not follow a symbolic link: link what it points to
        await link(await realpath(src), dst);
      } else {
        await copyFile(src, dst, constants.COPYFILE_EXCL);
        const st = await stat(src);
        await utimes(dst, st.atime, st.mtime);
      }
    } catch (err) {
      const code = (err as { code?: string }).code;
      const into = shown(path.join(this.named, rel));
      if (linkIt && code === 'EXDEV') {
        throw new NearDupError('EOUTPUT', `--link: cannot hard-link ${shownSrc} as ${into}: they are on different file systems (drop --link to copy)`, {
          cause: err,
        });
      }
      if (linkIt && (code === 'EPERM' || code === 'ENOTSUP' || code === 'EMLINK')) {
        throw new NearDupError('EOUTPUT', `--link: cannot hard-link ${shownSrc} as ${into}: ${describeError(err)} (drop --link to copy)`, { cause: err });
      }
      if (code === 'EEXIST') {
        throw new NearDupError('EOUTPUT', `${into}: two documents would be written here (a file system that ignores case?)`, { cause: err });
      }
      if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
        throw new NearDupError('EINPUT', `${shownSrc}: cannot read: ${describeError(err)}`, { cause: err });
      }
      throw cannotWrite(into, err);
    }
    this.files++;
  }

  commit(): void {
    try {
      moveIntoPlace(this.temp, this.final);
    } catch (err) {
      this.abort();
      throw cannotWrite(this.named, err);
    }
  }

  abort(): void {
    rmSync(fsPath(this.temp), { recursive: true, force: true });
    removeFolders(this.parents);
  }
}

/** Bytes written at once (records are gathered up to this). */
const BUFFER_BYTES = 1 << 16;

/** A file (the record output, or the manifest), written under a temporary name; gzip-compressed on request. */
export class FileOutput implements Pending {
  private readonly temp: string;
  private fd: number | undefined;
  private parts: Buffer[] = [];
  private size = 0;
  private gzip: Gzip | undefined;
  private failure: unknown;
  /** The folders above the file that this run made. */
  private parents: string[] = [];
  bytes = 0;
  /** `final`: the file (a byte string); `named`: as the user named it, for messages. */
  constructor(
    private readonly final: string,
    compress = false,
    private readonly named: string = final,
  ) {
    this.temp = tempNameFor(final);
    try {
      this.parents = makeFolders(path.dirname(final));
      this.fd = openSync(fsPath(this.temp), 'wx');
    } catch (err) {
      throw cannotWrite(named, err);
    }
    if (compress) {
      this.gzip = createGzip();
      this.gzip.on('data', (chunk: Buffer) => this.writeOut(chunk));
      this.gzip.on('error', (err) => (this.failure = err));
    }
  }

  private writeOut(b: Buffer): void {
    if (this.failure !== undefined) return;
    try {
      writeSync(this.fd!, b);
    } catch (err) {
      this.failure = err;
    }
  }

  private check(): void {
    if (this.failure !== undefined) throw cannotWrite(this.named, this.failure);
  }

  private async flush(): Promise<void> {
    if (this.size === 0) return;
    const b = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    if (this.gzip) {
      if (!this.gzip.write(b)) await once(this.gzip, 'drain');
    } else this.writeOut(b);
    this.check();
  }

  async write(b: Buffer | string): Promise<void> {
    const buf = typeof b === 'string' ? Buffer.from(b) : b;
    this.parts.push(buf);
    this.size += buf.length;
    this.bytes += buf.length;
    if (this.size >= BUFFER_BYTES) await this.flush();
  }

  async commit(): Promise<void> {
    try {
      await this.flush();
      if (this.gzip) {
        const ended = once(this.gzip, 'end');
        this.gzip.end();
        await ended;
      }
      this.check();
      closeSync(this.fd!);
      this.fd = undefined;
      renameSync(fsPath(this.temp), fsPath(this.final));
    } catch (err) {
      this.abort();
      throw err instanceof NearDupError ? err : cannotWrite(this.named, err);
    }
  }

  abort(): void {
    try {
      if (this.fd !== undefined) closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
    this.gzip?.destroy();
    if (existsSync(fsPath(this.temp))) rmSync(fsPath(this.temp), { force: true });
    removeFolders(this.parents);
  }
}
