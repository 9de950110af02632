/**
 * Opens an index store by location. Today every location is an SQLite file; a shared server
 * backend would be chosen here by its scheme (for example `postgres://...`), behind the same
 * IndexStore interface, and nothing else in neardup would change.
 */
import path from 'node:path';
import { SqliteStore } from './sqlite.js';
import type { IndexStore, OpenMode } from './store.js';

export interface OpenStoreOptions {
  busyTimeoutMs: number;
  /** For writing: create the index when it does not exist (index add); otherwise it must exist. */
  create?: boolean;
  /** Resolves a relative file location (default: the working folder). */
  cwd?: string;
}

export async function openIndexStore(location: string, mode: OpenMode, options: OpenStoreOptions): Promise<IndexStore> {
  return SqliteStore.open(path.resolve(options.cwd ?? process.cwd(), location), location, mode, options);
}
