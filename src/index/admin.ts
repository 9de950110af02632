/**
 * `index remove`, `index stats` and `index verify`.
 */
import path from 'node:path';
import { bandKeys } from '../core/lsh.js';
import { minhashSignature } from '../core/minhash.js';
import { RunLog } from '../engine/log.js';
import { describeError } from '../model/errors.js';
import type { IndexRemoveResult, IndexStatsResult, IndexVerifyResult } from '../model/index-results.js';
import type { IndexOptionsInput } from '../options/index-db.js';
import { type IndexHooks, openIndex } from './open.js';
import { SCHEMA_VERSION } from './store/store.js';

/**
 * Removes the entries of the given files, and of every file under the given folders (the files
 * need not exist). A path that matches no entry is an error, and then nothing is removed.
 */
export async function removeFromIndex(paths: readonly string[], input: IndexOptionsInput = {}, hooks: IndexHooks = {}): Promise<IndexRemoveResult> {
  const started = performance.now();
  const log = new RunLog(hooks.onEvent);
  const index = await openIndex(input, 'write', hooks);
  try {
    const keys = await index.store.keys();
    const remove = new Set<string>();
    for (const p of paths) {
      const prefix = index.paths.keyOf(path.resolve(p));
      const under = (k: string) => prefix === '' || k === prefix || k.startsWith(`${prefix}/`);
      const matched = keys.filter(under);
      if (matched.length === 0) log.error({ path: p, message: `not in index ${index.options.db}` });
      for (const k of matched) remove.add(k);
    }
    const removed = log.errors.length ? [] : (await index.store.write({ put: [], remove: [...remove] })).removed;
    return {
      db: index.options.db,
      removed: removed.map((k) => index.paths.displayOf(k)).sort(),
      documents: await index.store.count(),
      errors: log.errors,
      elapsedMs: performance.now() - started,
    };
  } finally {
    await index.close();
  }
}

export async function indexStats(input: IndexOptionsInput = {}, hooks: IndexHooks = {}): Promise<IndexStatsResult> {
  const index = await openIndex(input, 'read', hooks);
  try {
    return { db: index.options.db, settings: index.recorded, info: await index.store.info() };
  } finally {
    await index.close();
  }
}

/**
 * Checks an index: the backend's own integrity check, then every document: its signature has
 * the recorded length and (when shingles are stored) is the signature of its shingles, its
 * shingle count is right, and all its band keys are stored; and no band key belongs to no one.
 */
export async function verifyIndex(input: IndexOptionsInput = {}, hooks: IndexHooks = {}): Promise<IndexVerifyResult> {
  const started = performance.now();
  const index = await openIndex(input, 'read', hooks);
  try {
    const { store } = index;
    const problems = await store.checkStorage();
    const info = await store.info();
    const s = index.recorded;
    if (info.schemaVersion !== SCHEMA_VERSION) problems.push(`schema version ${info.schemaVersion}, expected ${SCHEMA_VERSION}`);
    if (s) {
      const where = (key: string) => index.paths.displayOf(key);
      try {
        for await (const e of store.allEntries()) {
          if (e.signature.length !== s.numPerm) {
            problems.push(`${where(e.key)}: signature has ${e.signature.length} values, expected ${s.numPerm}`);
            continue;
          }
          if (e.shingleCount < 1) problems.push(`${where(e.key)}: no shingles`);
          if (s.storeShingles && !e.shingles) problems.push(`${where(e.key)}: stored shingles missing`);
          if (e.shingles) {
            if (e.shingles.length !== e.shingleCount) problems.push(`${where(e.key)}: ${e.shingles.length} stored shingles, expected ${e.shingleCount}`);
            const expected = minhashSignature(e.shingles, s.numPerm, s.seed);
            if (!expected.every((v, i) => v === e.signature[i])) problems.push(`${where(e.key)}: signature does not match its shingles`);
          }
          const found = await store.countBandKeys(e.id, bandKeys(e.signature, s.bands, s.rows));
          if (found !== s.bands) problems.push(`${where(e.key)}: ${found} of ${s.bands} band keys stored`);
        }
      } catch (err) {
        problems.push(describeError(err));
      }
      if (info.bandEntries !== info.documents * s.bands) {
        problems.push(`${info.bandEntries} band entries, expected ${info.documents} documents x ${s.bands} bands = ${info.documents * s.bands}`);
      }
    } else if (info.documents > 0) {
      problems.push('documents but no settings record');
    }
    return {
      db: index.options.db,
      ok: problems.length === 0,
      documents: info.documents,
      schemaVersion: info.schemaVersion,
      problems,
      elapsedMs: performance.now() - started,
    };
  } finally {
    await index.close();
  }
}
