/**
 * Opening an index for a command: options are validated before any file is touched, then the
 * store is opened and the run's settings are resolved against the ones the index recorded.
 * Documents are keyed by their path relative to the index's folder (with `/`), so a project
 * and its index can move, or be checked out elsewhere in CI, together.
 */
import path from 'node:path';
import { INDEX_DEFAULTS, resolveIndexOptions, type IndexOptionsInput, type IndexSettings, type ResolvedIndexOptions } from '../options.js';
import { openIndexStore } from '../store/open.js';
import type { IndexStore, OpenMode } from '../store/store.js';
import type { ScanEvent } from '../types.js';

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
