/**
 * The embedded index store: one SQLite file through better-sqlite3 (the one module that imports
 * it). WAL journal, one transaction per batch (BEGIN IMMEDIATE, so two writers queue instead of
 * deadlocking), a busy timeout plus retries for the moments SQLite answers "busy" at once.
 *
 * Schema (version 1; PRAGMA application_id marks the file as neardup's, user_version holds the
 * schema version):
 *   meta(key, value)       settings (JSON) and the neardup version that created the index
 *   docs(id, path, ...)    one row a document: metadata and signature (LE uint32)
 *   shingles(doc, data)    its shingle set (delta + varint), apart so that docs stays small
 *   lsh(bk, doc)           WITHOUT ROWID, primary key (bk, doc): bk = band * 2^32 + band key,
 *                          so a query's band keys find candidates by primary-key search
 *
 * A file is checked before anything is written to it: a file that is not SQLite, an SQLite file
 * of another application, another schema version or a read-only file is refused untouched.
 */
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { bandKeys } from '../../core/lsh.js';
import { decodeSortedU32, decodeU32LE, encodeU32LE, LITTLE_ENDIAN } from '../../kernels/codec.js';
import { encodeSet } from '../../kernels/store.js';
import { describeError, NearDupError } from '../../model/errors.js';
import type { StoreInfo } from '../../model/index-results.js';
import type { IndexSettings } from '../../model/settings.js';
import { VERSION } from '../../model/version.js';
import {
  type Batch,
  type BatchOutcome,
  type CandidateSketches,
  type IndexStore,
  type NewEntry,
  type OpenMode,
  SCHEMA_VERSION,
  type StoredEntry,
} from './store.js';

/** Rows of the band table inserted by one statement. */
const BAND_ROWS_A_STATEMENT = 128;
/** A batch's documents are numbered below this when their band rows are sorted (see insertBands). */
const PLACES = 2 ** 21;

/** "NDUP": PRAGMA application_id of a neardup index. */
export const APPLICATION_ID = 0x4e445550;
const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const BAND_BASE = 2 ** 32;
const PAGE = 256;
/** Page cache: the band table of a large index stays in memory while a batch is written. */
const CACHE_KIB = 64 * 1024;
/**
 * A connection that only reads maps the file into memory (up to this much) instead of copying
 * each page it reads: a query reads hundreds of stored shingle sets, a page or two each.
 */
const READ_MMAP_BYTES = 256 * 2 ** 20;

let addonPath: string | undefined | null;
/**
 * better-sqlite3's compiled addon, named directly: without a name it searches a dozen places
 * for it (through the `bindings` package) the first time a database opens, which is a good part
 * of a query's opening. Undefined (the search) when it is not where an install puts it.
 */
function nativeBinding(): string | undefined {
  if (addonPath === undefined) {
    addonPath = null;
    try {
      // the package's main module is lib/index.js
      const main = fileURLToPath(import.meta.resolve('better-sqlite3'));
      const file = path.join(path.dirname(main), '..', 'build', 'Release', 'better_sqlite3.node');
      if (existsSync(file)) addonPath = file;
    } catch {
      // not resolvable here (a bundler, a test runner): let it find its addon
    }
  }
  return addonPath ?? undefined;
}

const SELECT_DOC = 'SELECT * FROM docs';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS docs (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  content_hash TEXT NOT NULL,
  kind TEXT NOT NULL,
  encoding TEXT NOT NULL,
  bytes INTEGER NOT NULL,
  chars INTEGER NOT NULL,
  units INTEGER NOT NULL,
  shingle_count INTEGER NOT NULL,
  signature BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS shingles (doc INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS lsh (bk INTEGER NOT NULL, doc INTEGER NOT NULL, PRIMARY KEY (bk, doc)) WITHOUT ROWID;
`;

interface DocRow {
  id: number;
  path: string;
  content_hash: string;
  kind: string;
  encoding: string;
  bytes: number;
  chars: number;
  units: number;
  shingle_count: number;
  signature: Buffer;
}

export interface SqliteStoreOptions {
  /** How long to wait for another writer before giving up. */
  busyTimeoutMs: number;
  /** For writing: create the file when it does not exist (index add); otherwise it must exist. */
  create?: boolean;
}

function indexError(message: string, cause?: unknown): NearDupError {
  return new NearDupError('EINDEX', message, { cause });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function sqliteCode(err: unknown): string {
  return err instanceof Database.SqliteError ? err.code : '';
}

function canWrite(file: string, fileMode?: number): boolean {
  // root may write anything: a file without any write permission bit is read-only all the same
  if (fileMode !== undefined && (fileMode & 0o222) === 0) return false;
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * What the 100-byte SQLite header says, when the file holds all of the database (no WAL next to
 * it): another application's database, or another schema version, is refused before SQLite
 * opens it at all. (Offsets from the SQLite file format: 40 schema cookie, 60 user version,
 * 68 application id; big-endian.)
 */
function checkHeader(head: Buffer, shown: string): void {
  const schemaCookie = head.readUInt32BE(40);
  const userVersion = head.readUInt32BE(60);
  const applicationId = head.readUInt32BE(68);
  if (applicationId !== APPLICATION_ID) {
    if (schemaCookie !== 0) throw notOurs(shown);
    return;
  }
  if (userVersion !== SCHEMA_VERSION) throw otherSchema(shown, userVersion);
}

function notOurs(shown: string): NearDupError {
  return indexError(`${shown} is not a neardup index (an SQLite database of another application); it was left as it is`);
}

function otherSchema(shown: string, version: unknown): NearDupError {
  return indexError(
    `index ${shown} has schema version ${String(version)}; neardup ${VERSION} reads version ${SCHEMA_VERSION} ` +
      `(rebuild it with neardup index add into a new file, or use the neardup that wrote it)`,
  );
}

/**
 * Checks the file before SQLite opens it: returns whether it exists (with content) and whether
 * it may be written. Refuses a missing file for reading, a non-SQLite file, another
 * application's or schema's file, and (for writing) a file or folder that cannot be written.
 */
function checkFile(file: string, shown: string, mode: OpenMode, create: boolean): { exists: boolean; writable: boolean } {
  let size: number;
  let fileMode: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw indexError(`index ${shown} is not a file`);
    size = st.size;
    fileMode = st.mode;
  } catch (err) {
    if (err instanceof NearDupError) throw err;
    if ((err as { code?: string }).code !== 'ENOENT') throw indexError(`index ${shown}: ${describeError(err)}`, err);
    if (mode === 'read' || !create) throw indexError(`index ${shown} does not exist (create it with: neardup index add PATHS --db ${shown})`);
    return { exists: false, writable: true };
  }
  if (size > 0) {
    const head = Buffer.alloc(100);
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
      readSync(fd, head, 0, head.length, 0);
    } catch (err) {
      throw indexError(`index ${shown}: cannot read: ${describeError(err)}`, err);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    if (!head.subarray(0, MAGIC.length).equals(MAGIC)) throw indexError(`${shown} is not a neardup index (not an SQLite database); it was left as it is`);
    if (size >= 100 && !exists(`${file}-wal`)) checkHeader(head, shown);
  } else if (mode === 'read') {
    throw indexError(`${shown} is not a neardup index (an empty file)`);
  }
  const writable = canWrite(file, fileMode) && canWrite(path.dirname(file));
  if (mode === 'write') {
    if (!canWrite(file, fileMode)) throw indexError(`index ${shown} is read-only: cannot write to it (it was left as it is)`);
    if (!writable) throw indexError(`index ${shown}: its folder is read-only (SQLite needs to write its journal next to it)`);
  }
  return { exists: size > 0, writable };
}

/** An object whose properties are made by these functions on first use, once each. */
function lazily<T extends object>(make: { [K in keyof T]: () => T[K] }): T {
  const out = {} as T;
  for (const key of Object.keys(make) as (keyof T & string)[]) {
    Object.defineProperty(out, key, {
      configurable: true,
      enumerable: true,
      get: () => {
        const value = make[key]();
        Object.defineProperty(out, key, { value, enumerable: true });
        return value;
      },
    });
  }
  return out;
}

export class SqliteStore implements IndexStore {
  readonly backend = 'sqlite';
  private settings: IndexSettings | undefined;
  private readonly stmt;
  private readonly sketchStmts = new Map<number, Database.Statement<number[], [number, string, number, Buffer]>>();
  /** One deferred transaction around a function (made once: better-sqlite3 prepares its BEGIN and COMMIT). */
  private readonly inTransaction: (fn: () => unknown) => unknown;

  private constructor(
    private readonly db: Database.Database,
    private readonly file: string,
    readonly location: string,
    readonly mode: OpenMode,
    private readonly options: SqliteStoreOptions,
  ) {
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
    // prepared on first use: a query prepares the few it runs, not the writer's
    this.stmt = lazily({
      meta: () => db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck(),
      byKey: () => db.prepare<[string], DocRow>(`${SELECT_DOC} WHERE path = ?`),
      byId: () => db.prepare<[number], DocRow>(`${SELECT_DOC} WHERE id = ?`),
      byIds: () => db.prepare<[string], DocRow>(`${SELECT_DOC} WHERE id IN (SELECT value FROM json_each(?))`),
      page: () => db.prepare<[number, number], DocRow>(`${SELECT_DOC} WHERE id > ? ORDER BY id LIMIT ?`),
      shingles: () => db.prepare<[number], Buffer>('SELECT data FROM shingles WHERE doc = ?').pluck(),
      shinglesOfIds: () =>
        db.prepare<[string], [number, Buffer]>('SELECT doc, data FROM shingles WHERE doc IN (SELECT value FROM json_each(?)) ORDER BY doc').raw(),
      count: () => db.prepare<[], number>('SELECT count(*) FROM docs').pluck(),
      hash: () => db.prepare<[string], string>('SELECT content_hash FROM docs WHERE path = ?').pluck(),
      keys: () => db.prepare<[], string>('SELECT path FROM docs ORDER BY path').pluck(),
      band: () => db.prepare<[number], number>('SELECT doc FROM lsh WHERE bk = ?').pluck(),
      hasBand: () => db.prepare<[number, number], number>('SELECT 1 FROM lsh WHERE bk = ? AND doc = ?').pluck(),
      insertDoc: () =>
        db.prepare(
          `INSERT INTO docs (path, content_hash, kind, encoding, bytes, chars, units, shingle_count, signature)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ),
      insertShingles: () => db.prepare('INSERT INTO shingles (doc, data) VALUES (?, ?)'),
      deleteShingles: () => db.prepare('DELETE FROM shingles WHERE doc = ?'),
      insertBand: () => db.prepare('INSERT INTO lsh (bk, doc) VALUES (?, ?)'),
      insertBands: () => db.prepare(`INSERT INTO lsh (bk, doc) VALUES ${Array.from({ length: BAND_ROWS_A_STATEMENT }, () => '(?, ?)').join(', ')}`),
      deleteBand: () => db.prepare('DELETE FROM lsh WHERE bk = ? AND doc = ?'),
      deleteDoc: () => db.prepare('DELETE FROM docs WHERE id = ?'),
    });
  }

  /**
   * The candidates of a query with `bands` band keys, with what the signature test needs, in
   * id order: one statement (the band table's primary key finds the ids, the documents are
   * then read in rowid order), prepared once per number of bands.
   */
  private sketchesOf(bands: number): Database.Statement<number[], [number, string, number, Buffer]> {
    let stmt = this.sketchStmts.get(bands);
    if (!stmt) {
      stmt = this.db
        .prepare<number[], [number, string, number, Buffer]>(
          `SELECT id, path, shingle_count, signature FROM docs
           WHERE id IN (SELECT doc FROM lsh WHERE bk IN (${Array.from({ length: bands }, () => '?').join(', ')}))
           ORDER BY id`,
        )
        .raw();
      this.sketchStmts.set(bands, stmt);
    }
    return stmt;
  }

  /** Opens (for writing: creates when missing) the index file `file`, shown as `shown` in messages. */
  static open(file: string, shown: string, mode: OpenMode, options: SqliteStoreOptions): SqliteStore {
    const { exists, writable } = checkFile(file, shown, mode, options.create === true);
    if (mode === 'write' && !exists) {
      try {
        mkdirSync(path.dirname(file), { recursive: true });
      } catch (err) {
        throw indexError(`index ${shown}: cannot create its folder: ${describeError(err)}`, err);
      }
    }
    let db: Database.Database;
    try {
      // Reading a file we may write goes through a read-write connection all the same (it only
      // reads): the last connection to close then removes the WAL and shared-memory files, where
      // a read-only one would leave them behind.
      db = new Database(file, { readonly: !writable, fileMustExist: exists, timeout: options.busyTimeoutMs, nativeBinding: nativeBinding() });
    } catch (err) {
      throw indexError(`index ${shown}: cannot open: ${describeError(err)}`, err);
    }
    try {
      db.pragma(`cache_size = -${CACHE_KIB}`);
      if (mode === 'read') db.pragma(`mmap_size = ${READ_MMAP_BYTES}`);
      const isNew = SqliteStore.checkContent(db, shown, mode);
      if (mode === 'write') SqliteStore.prepareForWriting(db, isNew, options);
      return new SqliteStore(db, file, shown, mode, options);
    } catch (err) {
      db.close();
      throw SqliteStore.mapError(err, shown);
    }
  }

  /** Reads only: is this an index of ours, of this schema? Returns true for an empty database. */
  private static checkContent(db: Database.Database, shown: string, mode: OpenMode): boolean {
    const tables = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    if (tables.length === 0) {
      if (mode === 'read') throw indexError(`${shown} is not a neardup index (an empty SQLite database)`);
      return true;
    }
    if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID) throw notOurs(shown);
    const version = db.pragma('user_version', { simple: true });
    if (version !== SCHEMA_VERSION) throw otherSchema(shown, version);
    return false;
  }

  private static prepareForWriting(db: Database.Database, isNew: boolean, options: SqliteStoreOptions): void {
    retryBusy(() => db.pragma('journal_mode = WAL'), options.busyTimeoutMs);
    // WAL + NORMAL: a killed process never corrupts the file or loses a committed batch
    db.pragma('synchronous = NORMAL');
    if (!isNew) return;
    const create = db.transaction(() => {
      // another process may have created it since we looked: the schema is idempotent
      if (db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get() !== 0) return;
      db.exec(SCHEMA);
      db.pragma(`application_id = ${APPLICATION_ID}`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('created_by', `neardup ${VERSION}`);
    });
    retryBusy(() => create.immediate(), options.busyTimeoutMs);
  }

  private static mapError(err: unknown, shown: string): unknown {
    if (err instanceof NearDupError) return err;
    const code = sqliteCode(err);
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      return indexError(`index ${shown} is locked by another process (gave up waiting)`, err);
    }
    if (code === 'SQLITE_NOTADB') return indexError(`${shown} is not a neardup index (not an SQLite database)`, err);
    if (code.startsWith('SQLITE_CORRUPT')) return indexError(`index ${shown} is damaged: ${describeError(err)} (run neardup index verify)`, err);
    if (code.startsWith('SQLITE_READONLY')) return indexError(`index ${shown} is read-only: cannot write to it`, err);
    if (code === 'SQLITE_FULL') return indexError(`index ${shown}: the disk is full`, err);
    if (code) return indexError(`index ${shown}: ${describeError(err)}`, err);
    return err;
  }

  /**
   * Runs one store operation in one transaction (a read one unless `fn` writes; many small reads
   * in one transaction are 5x faster than as many autocommits): retried while SQLite is busy,
   * errors mapped to NearDupError.
   */
  private run<T>(fn: () => T): T {
    try {
      return retryBusy(() => this.inTransaction(fn) as T, this.options.busyTimeoutMs);
    } catch (err) {
      throw SqliteStore.mapError(err, this.location);
    }
  }

  /** Runs one statement that only reads (atomic by itself: no transaction around it): retried while busy, errors mapped. */
  private read1<T>(fn: () => T): T {
    try {
      return retryBusy(fn, this.options.busyTimeoutMs);
    } catch (err) {
      throw SqliteStore.mapError(err, this.location);
    }
  }

  /** Runs a write transaction `fn` opens itself (BEGIN IMMEDIATE): retried while busy, errors mapped. */
  private runWrite<T>(fn: () => T): T {
    try {
      return retryBusy(fn, this.options.busyTimeoutMs);
    } catch (err) {
      throw SqliteStore.mapError(err, this.location);
    }
  }

  private readSettingsSync(): IndexSettings | undefined {
    const raw = this.stmt.meta.get('settings');
    if (raw === undefined) return undefined;
    try {
      this.settings = JSON.parse(raw) as IndexSettings;
    } catch (err) {
      throw indexError(`index ${this.location} is damaged: its settings record is not JSON`, err);
    }
    return this.settings;
  }

  async readSettings(): Promise<IndexSettings | undefined> {
    return this.read1(() => this.readSettingsSync());
  }

  async initSettings(settings: IndexSettings): Promise<IndexSettings> {
    const init = this.db.transaction(() => {
      const recorded = this.readSettingsSync();
      if (recorded) return recorded;
      this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('settings', JSON.stringify(settings));
      this.settings = settings;
      return settings;
    });
    return this.runWrite(() => init.immediate());
  }

  async lookup(keys: readonly string[]): Promise<Map<string, string>> {
    return this.run(() => {
      const out = new Map<string, string>();
      for (const key of keys) {
        const hash = this.stmt.hash.get(key);
        if (hash !== undefined) out.set(key, hash);
      }
      return out;
    });
  }

  async keys(): Promise<string[]> {
    return this.read1(() => this.stmt.keys.all());
  }

  private bandKeysOf(signature: Uint32Array): Uint32Array {
    const s = this.settings ?? this.readSettingsSync();
    if (!s) throw new NearDupError('EINTERNAL', `index ${this.location} has documents but no settings`);
    return bandKeys(signature, s.bands, s.rows);
  }

  private deleteRow(row: DocRow): void {
    const keys = this.bandKeysOf(decodeU32LE(row.signature));
    for (let b = 0; b < keys.length; b++) this.stmt.deleteBand.run(b * BAND_BASE + keys[b]!, row.id);
    this.stmt.deleteShingles.run(row.id);
    this.stmt.deleteDoc.run(row.id);
  }

  /** Inserts a document; returns its id (its band keys are inserted by the caller, sorted). */
  private insert(e: NewEntry): number {
    const { lastInsertRowid } = this.stmt.insertDoc.run(
      e.key,
      e.contentHash,
      e.kind,
      e.encoding,
      e.bytes,
      e.chars,
      e.units,
      e.shingleCount,
      encodeU32LE(e.signature),
    );
    const id = Number(lastInsertRowid);
    if (e.shingles) this.stmt.insertShingles.run(id, encodeSet(e.shingles));
    return id;
  }

  /**
   * The band rows of documents `ids` (ascending) with band keys `keysOf`, in (bk, doc) order:
   * the band table is a B-tree, and ordered inserts touch each page once. Each band's rows are
   * sorted as numbers (key * 2^21 + the document's place, so equal keys stay in id order), and
   * go in BAND_ROWS_A_STATEMENT at a time (a call into SQLite per row was most of a batch's time).
   */
  private insertBands(ids: readonly number[], keysOf: readonly Uint32Array[]): void {
    if (ids.length > PLACES) throw new RangeError(`too many documents in one batch (${ids.length}; at most ${PLACES})`);
    const n = BAND_ROWS_A_STATEMENT;
    const params: number[] = new Array(2 * n);
    let filled = 0;
    const bands = keysOf.reduce((m, k) => Math.max(m, k.length), 0);
    const packed = new Float64Array(ids.length);
    for (let band = 0; band < bands; band++) {
      let count = 0;
      for (let d = 0; d < ids.length; d++) {
        const keys = keysOf[d]!;
        if (band < keys.length) packed[count++] = keys[band]! * PLACES + d;
      }
      const sorted = packed.subarray(0, count).sort();
      for (let i = 0; i < count; i++) {
        const key = Math.floor(sorted[i]! / PLACES);
        params[2 * filled] = band * BAND_BASE + key;
        params[2 * filled + 1] = ids[sorted[i]! - key * PLACES]!;
        if (++filled === n) {
          this.stmt.insertBands.run(...params);
          filled = 0;
        }
      }
    }
    for (let r = 0; r < filled; r++) this.stmt.insertBand.run(params[2 * r]!, params[2 * r + 1]!);
  }

  async write(batch: Batch): Promise<BatchOutcome> {
    const apply = this.db.transaction((b: Batch) => {
      const out: BatchOutcome = { added: [], replaced: [], unchanged: [], removed: [] };
      // the documents inserted (ids ascending) and their band keys
      const ids: number[] = [];
      const keysOf: Uint32Array[] = [];
      for (const key of b.remove) {
        const row = this.stmt.byKey.get(key);
        if (!row) continue;
        this.deleteRow(row);
        out.removed.push(key);
      }
      for (const e of b.put) {
        // looked up inside the transaction: another writer may have added it since the caller looked
        const row = this.stmt.byKey.get(e.key);
        if (row && row.content_hash === e.contentHash) {
          out.unchanged.push(e.key);
          continue;
        }
        if (row) {
          this.deleteRow(row);
          out.replaced.push(e.key);
        } else {
          out.added.push(e.key);
        }
        ids.push(this.insert(e));
        keysOf.push(e.bandKeys);
      }
      this.insertBands(ids, keysOf);
      return out;
    });
    return this.runWrite(() => apply.immediate(batch));
  }

  async candidates(keys: Uint32Array): Promise<number[]> {
    return this.run(() => {
      const ids = new Set<number>();
      for (let b = 0; b < keys.length; b++) for (const id of this.stmt.band.all(b * BAND_BASE + keys[b]!)) ids.add(id);
      return [...ids].sort((x, y) => x - y);
    });
  }

  private toEntry(row: DocRow): StoredEntry {
    return {
      id: row.id,
      key: row.path,
      contentHash: row.content_hash,
      kind: row.kind as StoredEntry['kind'],
      encoding: row.encoding as StoredEntry['encoding'],
      bytes: row.bytes,
      chars: row.chars,
      units: row.units,
      shingleCount: row.shingle_count,
      signature: decodeU32LE(row.signature),
      hasShingles: (this.settings ?? this.readSettingsSync())?.storeShingles ?? false,
    };
  }

  private shinglesOf(id: number): Uint32Array | undefined {
    const data = this.stmt.shingles.get(id);
    if (data === undefined) return undefined;
    try {
      return decodeSortedU32(data);
    } catch (err) {
      const key = this.stmt.byId.get(id)?.path ?? `document ${id}`;
      throw indexError(`index ${this.location} is damaged: the shingles of ${key} do not decode (${describeError(err)})`, err);
    }
  }

  async shingles(ids: readonly number[]): Promise<(Uint8Array | undefined)[]> {
    if (ids.length === 0) return [];
    const rows = this.read1(() => this.stmt.shinglesOfIds.all(JSON.stringify(ids)));
    const byId = new Map<number, Uint8Array>();
    for (const [id, data] of rows) byId.set(id, data);
    return ids.map((id) => byId.get(id));
  }

  async count(): Promise<number> {
    return this.read1(() => this.stmt.count.get()!);
  }

  async entries(ids: readonly number[]): Promise<StoredEntry[]> {
    if (ids.length === 0) return [];
    const rows = this.read1(() => this.stmt.byIds.all(JSON.stringify(ids)));
    const byId = new Map<number, DocRow>();
    for (const row of rows) byId.set(row.id, row);
    return ids.map((id) => {
      const row = byId.get(id);
      if (!row) throw new NearDupError('EINTERNAL', `index ${this.location} has no document ${id}`);
      return this.toEntry(row);
    });
  }

  async candidateSketches(keys: Uint32Array): Promise<CandidateSketches> {
    const bks = Array.from(keys, (key, band) => band * BAND_BASE + key);
    const rows = this.read1(() => this.sketchesOf(bks.length).all(...bks));
    const n = rows.length;
    const ids: number[] = new Array<number>(n);
    const paths: string[] = new Array<string>(n);
    const shingleCounts: number[] = new Array<number>(n);
    const width = n > 0 ? rows[0]![3].length : 0;
    const signatures = new Uint32Array((n * width) / 4);
    const bytes = new Uint8Array(signatures.buffer);
    for (let c = 0; c < n; c++) {
      const [id, key, count, signature] = rows[c]!;
      if (signature.length !== width)
        throw indexError(`index ${this.location} is damaged: the signatures of its documents differ in length (run neardup index verify)`);
      ids[c] = id;
      paths[c] = key;
      shingleCounts[c] = count;
      if (LITTLE_ENDIAN) bytes.set(signature, c * width);
      else signatures.set(decodeU32LE(signature), (c * width) / 4);
    }
    return { ids, keys: paths, shingleCounts, signatures };
  }

  async *allEntries(): AsyncIterable<StoredEntry & { shingles?: Uint32Array }> {
    let after = -Infinity;
    for (;;) {
      const rows = this.run(() => this.stmt.page.all(after, PAGE));
      for (const row of rows) {
        const entry: StoredEntry & { shingles?: Uint32Array } = this.toEntry(row);
        const shingles = this.run(() => this.shinglesOf(row.id));
        if (shingles) entry.shingles = shingles;
        yield entry;
      }
      if (rows.length < PAGE) return;
      after = rows[rows.length - 1]!.id;
    }
  }

  async countBandKeys(id: number, keys: Uint32Array): Promise<number> {
    return this.run(() => {
      let n = 0;
      for (let b = 0; b < keys.length; b++) if (this.stmt.hasBand.get(b * BAND_BASE + keys[b]!, id) !== undefined) n++;
      return n;
    });
  }

  async checkStorage(): Promise<string[]> {
    return this.run(() => {
      const problems: string[] = [];
      const integrity = this.db.prepare<[], string>('PRAGMA integrity_check').pluck().all();
      if (!(integrity.length === 1 && integrity[0] === 'ok')) problems.push(...integrity.map((m) => `SQLite integrity check: ${m}`));
      const orphans = this.db.prepare('SELECT count(*) FROM lsh WHERE doc NOT IN (SELECT id FROM docs)').pluck().get() as number;
      if (orphans > 0) problems.push(`${orphans} band entries belong to no document`);
      const loose = this.db.prepare('SELECT count(*) FROM shingles WHERE doc NOT IN (SELECT id FROM docs)').pluck().get() as number;
      if (loose > 0) problems.push(`${loose} shingle sets belong to no document`);
      if (this.stmt.meta.get('settings') === undefined) {
        const docs = this.db.prepare('SELECT count(*) FROM docs').pluck().get() as number;
        if (docs > 0) problems.push('the index has documents but no settings record');
      }
      return problems;
    });
  }

  async info(): Promise<StoreInfo> {
    return this.run(() => {
      const row = this.db
        .prepare(
          `SELECT count(*) AS documents, coalesce(sum(shingle_count), 0) AS shingles,
                  (SELECT coalesce(sum(length(data)), 0) FROM shingles) AS shingleBytes,
                  coalesce(sum(length(signature)), 0) AS signatureBytes
           FROM docs`,
        )
        .get() as { documents: number; shingles: number; shingleBytes: number; signatureBytes: number };
      const fileSize = (f: string) => {
        try {
          return statSync(f).size;
        } catch {
          return 0;
        }
      };
      return {
        backend: this.backend,
        location: this.location,
        schemaVersion: this.db.pragma('user_version', { simple: true }) as number,
        ...row,
        bandEntries: this.db.prepare('SELECT count(*) FROM lsh').pluck().get() as number,
        bytesOnDisk: fileSize(this.file) + fileSize(`${this.file}-wal`),
        createdBy: this.stmt.meta.get('created_by') ?? 'unknown',
      };
    });
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

/**
 * Runs `fn`, again while SQLite reports busy or locked (with a growing pause) until `timeoutMs`
 * has passed. SQLite's own busy timeout covers most waits; this covers the cases where it
 * answers busy at once (a WAL recovery in progress, a journal mode change, a snapshot gone stale).
 */
export function retryBusy<T>(fn: () => T, timeoutMs: number): T {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      return fn();
    } catch (err) {
      const code = sqliteCode(err);
      const busy = code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
      if (!busy || Date.now() >= deadline) throw err;
      sleepSync(Math.min(250, 5 * 2 ** Math.min(attempt, 6)) + Math.random() * 10);
    }
  }
}
