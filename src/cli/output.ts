/**
 * Where reports go. stdout, or a file written the safe way: into a temporary file in the same
 * folder, renamed over the final name only when the report is complete, so a reader never sees
 * a half-written report under the final name (and an interrupted run leaves the old one).
 */
import {
  closeSync,
  existsSync,
  fchmodSync,
  fchownSync,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { describeError, NearDupError } from '../model/errors.js';
import type { Writer } from '../report/context.js';
import { onInterrupt } from './signals.js';

export interface OutputSink extends Writer {
  /** The report is complete: make it visible. */
  commit(): void;
  /** Something failed: drop what was written. */
  abort(): void;
}

export function stdoutSink(): OutputSink {
  // a pipe takes what it can at once and keeps the rest (by reference) until the reader is ready
  let unwritten = 0;
  let waiting: (() => void)[] = [];
  const written = () => {
    if (--unwritten > 0) return;
    const resume = waiting;
    waiting = [];
    for (const r of resume) r();
  };
  const write = (chunk: string | Uint8Array) => {
    unwritten++;
    process.stdout.write(chunk, written);
  };
  return {
    write: (s) => (typeof s === 'string' ? inSlices(s, write) : write(s)),
    settled: () => (unwritten === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))),
    commit: () => {},
    abort: () => {},
  };
}

/** Text over this many characters is written a slice at a time. */
const SLICE = 1 << 20;

/**
 * Writes `s` in slices of about a megabyte, so that encoding it takes a buffer of that size at a
 * time rather than one as large as the report (18 MB for a scan of 6,000 e-mails); a slice never
 * ends between the two halves of a surrogate pair.
 */
export function inSlices(s: string, write: (part: string) => void): void {
  if (s.length <= SLICE) {
    write(s);
    return;
  }
  for (let start = 0; start < s.length; ) {
    let end = Math.min(s.length, start + SLICE);
    const last = s.charCodeAt(end - 1);
    if (end < s.length && last >= 0xd800 && last <= 0xdbff) end--;
    write(s.slice(start, end));
    start = end;
  }
}

function cannotWrite(file: string, err: unknown): NearDupError {
  return new NearDupError('EINPUT', `${file}: cannot write: ${describeError(err)}`, { cause: err });
}

/**
 * Writing to the open file `fd` (`file` names it in messages): each write whole before it
 * returns (a string a slice at a time), and a close that can be called more than once.
 */
function openWriter(fd: number, file: string): Writer & { close(): void } {
  let open = true;
  return {
    write(s) {
      try {
        if (typeof s === 'string') inSlices(s, (part) => writeSync(fd, part));
        else for (let at = 0; at < s.length; ) at += writeSync(fd, s, at);
      } catch (err) {
        throw cannotWrite(file, err);
      }
    },
    settled: () => Promise.resolve(),
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

/** The file a name stands for: a symbolic link's target (dangling or not), else the name itself. */
function throughLinks(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    try {
      if (lstatSync(file).isSymbolicLink()) return path.resolve(path.dirname(path.resolve(file)), readlinkSync(file));
    } catch {
      // not there: the name itself
    }
    return file;
  }
}

/** Temporary files being written: removed if a signal stops the run (see signals.ts). */
const temps = new Map<string, () => void>();

function track(temp: string): void {
  temps.set(
    temp,
    onInterrupt(() => rmSync(temp, { force: true })),
  );
}

function untrack(temp: string): void {
  temps.get(temp)?.();
  temps.delete(temp);
}

/**
 * A report (or baseline) file. A regular file is written under a temporary name in its folder
 * and renamed over it when complete, keeping the old file's permissions; through a symbolic
 * link, the file it points to is the one replaced (the link stays); a FIFO or a device (a pipe
 * named on purpose, /dev/stdout) is written to directly, never replaced.
 */
export function fileSink(file: string): OutputSink {
  const target = throughLinks(file);
  let old: Stats | undefined;
  try {
    old = statSync(target);
  } catch {
    // a new file
  }
  if (old?.isDirectory()) throw new NearDupError('EINPUT', `${file}: cannot write: it is a folder`);
  if (old && !old.isFile()) return directSink(file, target);
  const temp = path.join(path.dirname(path.resolve(target)), `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'wx', old ? old.mode & 0o7777 : 0o666);
  } catch (err) {
    throw cannotWrite(file, err);
  }
  track(temp);
  if (old) {
    try {
      // as the old file was: its permissions (openSync's mode is filtered by the umask), its owner when we may
      fchmodSync(fd, old.mode & 0o7777);
      if (process.getuid?.() === 0) fchownSync(fd, old.uid, old.gid);
    } catch {
      // kept as made
    }
  }
  const { close, ...writer } = openWriter(fd, file);
  return {
    ...writer,
    commit() {
      try {
        close();
        renameSync(temp, target);
      } catch (err) {
        rmSync(temp, { force: true });
        throw cannotWrite(file, err);
      } finally {
        untrack(temp);
      }
    },
    abort() {
      try {
        close();
      } finally {
        if (existsSync(temp)) rmSync(temp, { force: true });
        untrack(temp);
      }
    },
  };
}

/** A FIFO or a device: written to as it is (nothing to rename; what was written stays written). */
function directSink(file: string, target: string): OutputSink {
  let fd: number;
  try {
    fd = openSync(target, 'w');
  } catch (err) {
    throw cannotWrite(file, err);
  }
  const { close, ...writer } = openWriter(fd, file);
  return {
    ...writer,
    commit() {
      try {
        close();
      } catch (err) {
        throw cannotWrite(file, err);
      }
    },
    abort: close,
  };
}

/** Whether two names are one file: the same path through links, or (both there) the same device and inode. */
export function sameFile(a: string, b: string): boolean {
  if (path.resolve(throughLinks(a)) === path.resolve(throughLinks(b))) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.ino === y.ino && x.dev === y.dev;
  } catch {
    return false;
  }
}

/** Writes a whole report to `file` (atomically), or to stdout without one. */
export function writeReport(file: string | undefined, content: string): void {
  if (file) writeFileAtomic(file, content);
  else process.stdout.write(content);
}

/** A file a run is about to write, and what it is (`report`, `baseline`). */
export interface WriteTarget {
  file: string;
  what: string;
}

/**
 * Refuses to write any of `targets` over a file that was read as an input: the same file
 * (device and inode) as one of `inputs`, whatever its name. Nothing a user gave is written
 * over; a target that does not exist yet cannot be one, and with none existing the inputs are
 * not looked at. (Inputs that cannot be stat()ed, such as `-` or a file gone since, are not it.)
 * The first target in `targets` that is an input is the one reported.
 */
export function refuseWritingOverInput(targets: readonly WriteTarget[], inputs: Iterable<string | Buffer>): void {
  const existing: { target: WriteTarget; stats: Stats; input?: string | Buffer }[] = [];
  for (const target of targets) {
    try {
      const stats = statSync(target.file);
      if (stats.isFile()) existing.push({ target, stats });
    } catch {
      // not there yet: nothing to replace
    }
  }
  if (existing.length === 0) return;
  for (const input of new Set(inputs)) {
    let s: Stats;
    try {
      s = statSync(input);
    } catch {
      continue;
    }
    for (const e of existing) if (e.input === undefined && s.ino === e.stats.ino && s.dev === e.stats.dev) e.input = input;
  }
  const hit = existing.find((e) => e.input !== undefined);
  if (!hit) return;
  const name = hit.input!.toString();
  const same = path.resolve(name) === path.resolve(hit.target.file) ? '' : ` (${name})`;
  throw new NearDupError('EOUTPUT', `${hit.target.file}: ${hit.target.what} not written: it would replace an input file${same}`);
}

/** Writes a whole file atomically. */
export function writeFileAtomic(file: string, content: string): void {
  const sink = fileSink(file);
  try {
    sink.write(content);
    sink.commit();
  } catch (err) {
    sink.abort();
    throw err;
  }
}

/** The top of the enclosing git work tree (a folder holding `.git`), or `cwd` outside one. */
export function repositoryRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; ) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(cwd);
    dir = parent;
  }
}

/** One line on stderr: `neardup: <problem>`. */
/** One line, whatever it quotes: control characters (a newline in a file name) shown escaped. */
function oneLine(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\n' ? '\\n' : c === '\t' ? '\\t' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

export function warn(line: string): void {
  process.stderr.write(`neardup: ${oneLine(line)}\n`);
}
