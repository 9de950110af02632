/**
 * An IndexStore kept in memory: a second backend, to show that the index logic needs nothing
 * but the interface (a shared server backend would stand where this one does).
 */

import type { Batch, BatchOutcome, IndexStore, NewEntry, StoredEntry } from '../src/index/store/store.js';
import { SCHEMA_VERSION } from '../src/index/store/store.js';
import { encodeSortedU32 } from '../src/kernels/codec.js';
import type { StoreInfo } from '../src/model/index-results.js';
import type { IndexSettings } from '../src/model/settings.js';

export class MemoryStore implements IndexStore {
  readonly location = 'memory';
  readonly mode = 'write' as const;
  settings: IndexSettings | undefined;
  private nextId = 1;
  readonly docs = new Map<number, NewEntry & { id: number }>();
  private readonly byKey = new Map<string, number>();
  /** `${band}:${key}` -> ids */
  private readonly bands = new Map<string, Set<number>>();
  writes = 0;

  async readSettings() {
    return this.settings;
  }
  async initSettings(s: IndexSettings) {
    this.settings ??= s;
    return this.settings;
  }
  async lookup(keys: readonly string[]) {
    const out = new Map<string, string>();
    for (const k of keys) {
      const id = this.byKey.get(k);
      if (id !== undefined) out.set(k, this.docs.get(id)!.contentHash);
    }
    return out;
  }
  async keys() {
    return [...this.byKey.keys()].sort();
  }
  private drop(id: number): void {
    const d = this.docs.get(id)!;
    d.bandKeys.forEach((k, b) => this.bands.get(`${b}:${k}`)!.delete(id));
    this.docs.delete(id);
    this.byKey.delete(d.key);
  }
  async write(batch: Batch): Promise<BatchOutcome> {
    this.writes++;
    const out: BatchOutcome = { added: [], replaced: [], unchanged: [], removed: [] };
    for (const k of batch.remove) {
      const id = this.byKey.get(k);
      if (id === undefined) continue;
      this.drop(id);
      out.removed.push(k);
    }
    for (const e of batch.put) {
      const old = this.byKey.get(e.key);
      if (old !== undefined && this.docs.get(old)!.contentHash === e.contentHash) {
        out.unchanged.push(e.key);
        continue;
      }
      if (old !== undefined) this.drop(old);
      (old !== undefined ? out.replaced : out.added).push(e.key);
      const id = this.nextId++;
      this.docs.set(id, { ...e, id });
      this.byKey.set(e.key, id);
      e.bandKeys.forEach((k, b) => {
        const set = this.bands.get(`${b}:${k}`) ?? new Set<number>();
        set.add(id);
        this.bands.set(`${b}:${k}`, set);
      });
    }
    return out;
  }
  async candidates(keys: Uint32Array) {
    const ids = new Set<number>();
    keys.forEach((k, b) => this.bands.get(`${b}:${k}`)?.forEach((id) => ids.add(id)));
    return [...ids].sort((x, y) => x - y);
  }
  async candidateSketches(keys: Uint32Array) {
    const ids = await this.candidates(keys);
    const docs = ids.map((id) => this.docs.get(id)!);
    const k = docs[0]?.signature.length ?? 0;
    const signatures = new Uint32Array(ids.length * k);
    docs.forEach((d, c) => signatures.set(d.signature, c * k));
    return { ids, keys: docs.map((d) => d.key), shingleCounts: docs.map((d) => d.shingleCount), signatures };
  }
  private entry(id: number): StoredEntry {
    const { key, contentHash, kind, encoding, bytes, chars, units, shingleCount, signature, shingles } = this.docs.get(id)!;
    return { id, key, contentHash, kind, encoding, bytes, chars, units, shingleCount, signature, hasShingles: shingles !== undefined };
  }
  async entries(ids: readonly number[]) {
    return ids.map((id) => this.entry(id));
  }
  async shingles(ids: readonly number[]) {
    return ids.map((id) => {
      const s = this.docs.get(id)?.shingles;
      return s && encodeSortedU32(s);
    });
  }
  async *allEntries() {
    for (const id of [...this.docs.keys()].sort((x, y) => x - y)) {
      const shingles = this.docs.get(id)!.shingles;
      yield shingles ? { ...this.entry(id), shingles } : this.entry(id);
    }
  }
  async count() {
    return this.docs.size;
  }
  async countBandKeys(id: number, keys: Uint32Array) {
    let n = 0;
    keys.forEach((k, b) => {
      if (this.bands.get(`${b}:${k}`)?.has(id)) n++;
    });
    return n;
  }
  async checkStorage() {
    return [];
  }
  async info(): Promise<StoreInfo> {
    let bandEntries = 0;
    for (const s of this.bands.values()) bandEntries += s.size;
    const docs = [...this.docs.values()];
    return {
      backend: 'memory',
      location: this.location,
      schemaVersion: SCHEMA_VERSION,
      documents: docs.length,
      bandEntries,
      shingles: docs.reduce((n, d) => n + d.shingleCount, 0),
      shingleBytes: docs.reduce((n, d) => n + (d.shingles?.length ?? 0) * 4, 0),
      signatureBytes: docs.reduce((n, d) => n + d.signature.length * 4, 0),
      bytesOnDisk: 0,
      createdBy: 'test',
    };
  }
  async close() {}
}
