/**
 * The inputs stage: the paths given (and the --files-from list) walked into the files to read,
 * in path order, with standard input (`-`) copied to a temporary file so that it can be read
 * again. Every file the walk meets is counted, and each one passed over is logged as a skip or
 * an error. Scan, dedup and the index all start here.
 */
import { readFileSync } from 'node:fs';
import { type InputKind, inputKind } from '../corpus/inputs.js';
import type { RecordPlace } from '../corpus/records.js';
import { inputRoots, STDIN_NAME, spoolStdin } from '../corpus/roots.js';
import { removeTempDir } from '../corpus/temp.js';
import { type WalkEntry, walk } from '../corpus/walk.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { FsPath, Place } from '../model/types.js';
import type { RunLog } from './log.js';

export { STDIN_NAME };

/** A file to read: a document, or a file of records. */
export interface InputFile {
  /** As shown in reports. */
  path: string;
  /** The name's bytes, when they are not valid UTF-8. */
  pathBytes?: Buffer;
  absPath: FsPath;
  size: number;
  kind: InputKind;
  /** Named on the command line (or in the list), not found in a folder. */
  explicit: boolean;
}

export type InputSettings = Pick<ResolvedOptions, 'hidden' | 'respectIgnore' | 'globs' | 'records' | 'stdinFormat' | 'filesFrom' | 'nullSeparated'>;

export interface InputOptions {
  /** Follow symbolic links to folders. */
  follow?: boolean;
  /** What `-` and `--files-from -` read (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /**
   * Documents only (the index): a record file (JSONL, JSON, CSV) is refused, for this reason
   * (an error when named, a skip when met in a folder), and so is `--stdin-format jsonl`.
   */
  documentsOnly?: string;
  /** Each file to read, as the walk finds it (before the files are sorted). */
  onFile?(file: InputFile): void;
  /** While it says so, the walk lets other work in (every 32 entries): documents loading as they are found. */
  sharing?(): boolean;
}

export interface Inputs {
  /** The files to read, in path order. */
  files: InputFile[];
  /** Files the walk found: read, skipped or failed. */
  found: number;
  /**
   * Standard input's bytes, when it was copied (what --explain aligns when it was read as one
   * document, `<stdin>`: its file is gone by then).
   */
  stdin(): Buffer | undefined;
  /** Removes the temporary copy of standard input. */
  close(): void;
}

/** Files in path order (names that are not UTF-8: by their bytes). */
export function byPath(a: InputFile, b: InputFile): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return Buffer.compare(a.pathBytes ?? Buffer.alloc(0), b.pathBytes ?? Buffer.alloc(0));
}

/** What names a file, or a place in it. */
export function placeOf(f: { path: string; pathBytes?: Buffer | undefined }, at?: Partial<RecordPlace>): Place {
  const p: Place = { path: f.path };
  if (at?.line !== undefined) {
    p.path = `${f.path}:${at.line}${at.column === undefined ? '' : `:${at.column}`}`;
    p.source = f.path;
    p.line = at.line;
    if (at.column !== undefined) p.column = at.column;
  }
  if (f.pathBytes) p.pathBytes = f.pathBytes.toString('base64');
  return p;
}

export async function collectInputs(paths: readonly FsPath[], settings: InputSettings, log: RunLog, options: InputOptions = {}): Promise<Inputs> {
  const stdin = () => options.stdin ?? process.stdin;
  const roots = await inputRoots(paths, settings, stdin);
  const files: InputFile[] = [];
  let found = 0;
  let spool: { dir: string; file: string } | undefined;
  const add = (file: InputFile) => {
    files.push(file);
    options.onFile?.(file);
  };
  const close = () => {
    if (spool) removeTempDir(spool.dir);
  };
  try {
    const dashes = roots.filter((r) => r === '-').length;
    if (dashes > 0) {
      found++;
      if (options.documentsOnly && settings.stdinFormat === 'jsonl') {
        log.error({
          path: STDIN_NAME,
          message: `--stdin-format jsonl: the index takes documents, not records; neardup scan (without --db) compares the records`,
        });
      } else {
        const { dir, file, size } = await spoolStdin(stdin());
        spool = { dir, file };
        const kind: InputKind = settings.stdinFormat === 'jsonl' ? { records: 'jsonl', gzip: false } : { document: 'text', gzip: false };
        add({ path: STDIN_NAME, absPath: file, size, kind, explicit: true });
      }
      // standard input is read once: a second `-` is a path given twice
      for (let extra = dashes - 1; extra > 0; extra--) {
        found++;
        log.skip({ path: STDIN_NAME, reason: 'duplicate-path', detail: "standard input ('-') given more than once: read once" });
      }
    }
    const onEntry = (entry: WalkEntry) => {
      const named = placeOf(entry);
      if (entry.kind === 'error') return log.error({ ...named, message: entry.message });
      found++;
      if (entry.kind === 'skip') return log.skip({ ...named, reason: entry.reason, detail: entry.detail });
      const kind = kindOf(entry, settings, options.documentsOnly, log, named);
      if (!kind) return;
      const file: InputFile = { path: entry.path, absPath: entry.absPath, size: entry.size, kind, explicit: entry.explicit };
      if (entry.pathBytes) file.pathBytes = entry.pathBytes;
      add(file);
    };
    const walkOptions = { hidden: settings.hidden, respectIgnore: settings.respectIgnore, globs: settings.globs, follow: options.follow ?? false };
    await walkEach(
      walk(
        roots.filter((r) => r !== '-'),
        walkOptions,
      ),
      onEntry,
      options.sharing ?? (() => false),
    );
  } catch (err) {
    close();
    throw err;
  }
  files.sort(byPath);
  const spooled = spool;
  return {
    files,
    found,
    stdin: () => (spooled ? readFileSync(spooled.file) : undefined),
    close,
  };
}

/** How a file the walk found is read; undefined (logged) when it is not. */
function kindOf(
  entry: Extract<WalkEntry, { kind: 'file' }>,
  settings: InputSettings,
  documentsOnly: string | undefined,
  log: RunLog,
  named: Place,
): InputKind | undefined {
  const kind = inputKind(entry.path, settings.records === 'auto');
  // The index holds documents: a record file would be one document made of all its records, a
  // silently different answer from scan's (which compares the records). Named, it is an error;
  // met in a folder, a skip that says why.
  if (documentsOnly !== undefined && kind?.records) {
    if (entry.explicit) log.error({ ...named, message: documentsOnly });
    else log.skip({ ...named, reason: 'unsupported-type', detail: documentsOnly });
    return undefined;
  }
  if (kind) return kind;
  if (entry.explicit) return { document: 'text', gzip: /\.gz$/i.test(entry.path) };
  const detail =
    documentsOnly !== undefined ? 'not a text, Markdown or HTML file (or one of them gzip-compressed)' : 'not a text, Markdown, HTML, JSONL, JSON or CSV file';
  log.skip({ ...named, reason: 'unsupported-type', detail });
  return undefined;
}

/**
 * Hands each entry of the walk to `onEntry`; while `sharing()`, it lets other work in (the
 * workers' results, and more work out) every 32 entries. (A function of its own: the walk's loop
 * is the one that gets optimised while it runs, and a small function is quick to optimise.)
 */
async function walkEach(entries: Iterable<WalkEntry>, onEntry: (entry: WalkEntry) => void, sharing: () => boolean): Promise<void> {
  let walked = 0;
  for (const entry of entries) {
    if (sharing() && ++walked % 32 === 0) await new Promise(setImmediate);
    onEntry(entry);
  }
}
