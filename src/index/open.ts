/**
 * Opening an index for a command: options are validated before any file is touched, then the
 * store is opened and the run's settings are resolved against the ones the index recorded.
 * Documents are keyed by their path relative to the index's folder (with `/`), so a project
 * and its index can move, or be checked out elsewhere in CI, together.
 */
import path from 'node:path';
import type { IndexSettings, ResolvedIndexOptions } from '../model/settings.js';
import type { ScanEvent } from '../model/types.js';
import { INDEX_DEFAULTS, type IndexOptionsInput, resolveIndexOptions } from '../options/index-db.js';
import { openIndexStore } from './store/open.js';
import type { IndexStore, OpenMode } from './store/store.js';

/** Why the index (index add, index query, scan --db) passes over a JSONL, JSON or CSV file. */
export const RECORDS_NOT_INDEXED =
  'a record file (.jsonl, .json, .csv): the index takes documents, not records; neardup scan (without --db) compares its records';

export interface IndexHooks {
  /** Skips, errors, warnings and progress, as they happen. */
  onEvent?: (event: ScanEvent) => void;
  /**
   * A store to use instead of opening the `db` file (another backend, or a test double). The
   * caller owns it: it is not closed. `db` still names the index in messages and decides the
   * folder paths are relative to.
   */
  store?: IndexStore;
}

export interface OpenedIndex {
  store: IndexStore;
  options: ResolvedIndexOptions;
  /** Undefined for an index nothing has been added to yet. */
  recorded: IndexSettings | undefined;
  /** Paths: the index's keys from and to files. */
  paths: IndexPaths;
  /** Closes the store if this module opened it. */
  close(): Promise<void>;
}

export class IndexPaths {
  /** The folder the keys are relative to: the index file's folder. */
  readonly root: string;
  private readonly folders = new Map<string, { abs: string; shown: string }>();
  constructor(
    db: string,
    readonly cwd: string,
  ) {
    this.root = path.dirname(path.resolve(cwd, db));
  }
  keyOf(absPath: string): string {
    return path.relative(this.root, absPath).split(path.sep).join('/');
  }
  absOf(key: string): string {
    return path.resolve(this.root, key);
  }
  /** As shown in reports: relative to the working folder. */
  displayOf(key: string): string {
    // a file's folder is worked out once: a report lists many files of few folders
    const slash = key.lastIndexOf('/');
    const name = key.slice(slash + 1);
    if (name === '' || name === '.' || name === '..') return this.displayUncached(key);
    const folderKey = slash < 0 ? '' : key.slice(0, slash);
    let folder = this.folders.get(folderKey);
    if (folder === undefined) {
      const abs = this.absOf(folderKey);
      folder = { abs, shown: path.relative(this.cwd, abs) };
      this.folders.set(folderKey, folder);
    }
    const file = folder.abs.endsWith(path.sep) ? folder.abs + name : folder.abs + path.sep + name;
    // the working folder inside the "file" (not a file, then): path.relative's own answer
    if (`${this.cwd}${path.sep}`.toLowerCase().startsWith(`${file}${path.sep}`.toLowerCase())) return this.displayUncached(key);
    return folder.shown ? folder.shown + path.sep + name : name;
  }

  private displayUncached(key: string): string {
    return path.relative(this.cwd, this.absOf(key)) || '.';
  }
}

/** Opens the index for reading, for writing (it must exist), or for adding (`create`: it may not exist yet). */
export async function openIndex(input: IndexOptionsInput, mode: OpenMode | 'create', hooks: IndexHooks): Promise<OpenedIndex> {
  const checked = resolveIndexOptions(input);
  const cwd = process.cwd();
  const store =
    hooks.store ??
    (await openIndexStore(checked.db, mode === 'create' ? 'write' : mode, { busyTimeoutMs: INDEX_DEFAULTS.busyTimeoutMs, cwd, create: mode === 'create' }));
  const close = async () => {
    if (!hooks.store) await store.close();
  };
  try {
    const recorded = await store.readSettings();
    return {
      store,
      options: recorded ? resolveIndexOptions(input, recorded) : checked,
      recorded,
      paths: new IndexPaths(checked.db, cwd),
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
