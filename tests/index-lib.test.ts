/** The index through the library: incremental add, query, scan --db, remove, stats, verify. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addToIndex,
  buildIndexScanJson,
  findNearDuplicates,
  type IndexScanResult,
  indexStats,
  queryIndex,
  removeFromIndex,
  renderJson,
  type ScanEvent,
  scanWithIndex,
  verifyIndex,
} from '../src/api.js';
import { mayMatch, signaturesMayMatch } from '../src/core/similarity.js';
import { IndexPaths } from '../src/index/open.js';
import { ROOT } from './helpers.js';
import { MemoryStore } from './memory-store.js';

let dir: string;
let db: string;
const article = readFileSync(path.join(ROOT, 'fixtures', 'mixed', 'article.txt'), 'utf8');
const bread = readFileSync(path.join(ROOT, 'fixtures', 'clean', 'bread.txt'), 'utf8');
const river = readFileSync(path.join(ROOT, 'fixtures', 'clean', 'river.txt'), 'utf8');

/** Writes files under dir; returns their absolute paths. */
function put(files: Record<string, string>): string[] {
  return Object.entries(files).map(([name, text]) => {
    const p = path.join(dir, name);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, text);
    return p;
  });
}
const at = (...parts: string[]) => path.join(dir, ...parts);
/** Reported paths are relative to the working folder: back to names under dir. */
const names = (paths: string[]) => paths.map((p) => path.relative(dir, path.resolve(p)).split(path.sep).join('/'));
function pairsOf(r: IndexScanResult) {
  return r.pairs.map((p) => [...names([r.documents[p.a]!.path, r.documents[p.b]!.path]), p.verifiedWith ?? 'input']);
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-index-'));
  db = at('.neardup', 'index.db');
  put({ 'docs/article.txt': article, 'docs/article-copy.txt': `${article}\nA closing line.\n`, 'docs/bread.txt': bread });
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('index add', () => {
  it('adds, then skips unchanged files, replaces changed ones, drops emptied ones and prunes gone ones', async () => {
    const first = await addToIndex([at('docs')], { db });
    expect(first.counts).toMatchObject({ files: 3, added: 3, updated: 0, unchanged: 0, removed: 0, documents: 3 });
    expect(names(first.added)).toEqual(['docs/article-copy.txt', 'docs/article.txt', 'docs/bread.txt']);

    expect((await addToIndex([at('docs')], { db })).counts).toMatchObject({ added: 0, updated: 0, unchanged: 3, documents: 3 });

    put({ 'docs/bread.txt': river, 'docs/new.txt': bread });
    const second = await addToIndex([at('docs')], { db });
    expect(second.counts).toMatchObject({ added: 1, updated: 1, unchanged: 2, documents: 4 });
    expect(names(second.updated)).toEqual(['docs/bread.txt']);

    put({ 'docs/new.txt': '' });
    const third = await addToIndex([at('docs')], { db });
    expect(third.counts).toMatchObject({ removed: 1, skipped: 1, documents: 3 });
    expect(names(third.removed)).toEqual(['docs/new.txt']);

    put({ 'elsewhere/keep.txt': river });
    await addToIndex([at('elsewhere')], { db });
    unlinkSync(at('docs', 'article-copy.txt'));
    expect((await addToIndex([at('docs')], { db })).counts).toMatchObject({ removed: 0, documents: 4 });
    const pruned = await addToIndex([at('docs')], { db, prune: true });
    expect(names(pruned.removed)).toEqual(['docs/article-copy.txt']);
    expect(pruned.counts.documents).toBe(3); // elsewhere/keep.txt still exists: kept
  });

  it('writes one transaction per batch', async () => {
    const store = new MemoryStore();
    put(Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`many/${i}.txt`, `${bread} variant number ${i}`])));
    await addToIndex([at('many')], { db, batchSize: 3 }, { store });
    expect(store.writes).toBe(3);
    expect(await store.count()).toBe(7);
  });

  it('keeps the entry of a file it cannot read, and reports the error', async () => {
    await addToIndex([at('docs')], { db });
    const events: ScanEvent[] = [];
    const r = await addToIndex([at('docs'), at('nope.txt')], { db }, { onEvent: (e) => events.push(e) });
    expect(r.errors).toEqual([{ path: at('nope.txt'), message: 'no such file or directory' }]);
    expect(events.some((e) => e.type === 'error')).toBe(true);
    expect(r.counts.documents).toBe(3);
  });
});

describe('index query', () => {
  it('reports each given document with the indexed documents it near-duplicates, verified on stored shingles', async () => {
    await addToIndex([at('docs')], { db });
    const [incoming] = put({ 'incoming/again.txt': `Breaking: ${article}` });
    const r = await queryIndex([incoming!], { db });
    expect(pairsOf(r)).toEqual([
      ['docs/article-copy.txt', 'incoming/again.txt', 'index'],
      ['docs/article.txt', 'incoming/again.txt', 'index'],
    ]);
    expect(r.groups).toHaveLength(1);
    expect(r.documents.map((d) => d.origin ?? 'input')).toEqual(['index', 'index', 'input']);
    expect(r.index).toMatchObject({ documents: 3, matched: 2, verifiedWith: { index: 2, file: 0 } });
    expect(r.stats).toMatchObject({ documents: 1, files: 1 });
    for (const p of r.pairs) expect(p.containment).toBeGreaterThanOrEqual(0.65);
  });

  it('compares an indexed file in its current form, not with its own entry', async () => {
    await addToIndex([at('docs')], { db });
    const r = await queryIndex([at('docs', 'bread.txt')], { db });
    expect(r.pairs).toEqual([]);
    const q = await queryIndex([at('docs', 'article.txt')], { db });
    expect(pairsOf(q)).toEqual([['docs/article-copy.txt', 'docs/article.txt', 'index']]);
  });

  it('does not compare the given documents with each other; scan --db does', async () => {
    await addToIndex([at('docs', 'bread.txt')], { db });
    const given = put({ 'in/a.txt': river, 'in/b.txt': `${river} ` });
    expect((await queryIndex(given, { db })).pairs).toEqual([]);
    const s = await scanWithIndex([at('in'), at('docs', 'article.txt'), at('docs', 'article-copy.txt')], { db });
    expect(pairsOf(s)).toEqual([
      ['docs/article-copy.txt', 'docs/article.txt', 'input'],
      ['in/a.txt', 'in/b.txt', 'input'],
    ]);
    // the same as a scan of the same paths when the index holds nothing related
    const scan = await findNearDuplicates([at('in'), at('docs', 'article.txt'), at('docs', 'article-copy.txt')]);
    expect(s.pairs.map(({ a, b, jaccard, containment }) => ({ a, b, jaccard, containment }))).toEqual(scan.pairs);
  });

  it('uses the index settings, takes a per-query threshold and metric, and warns when its bands are too coarse for it', async () => {
    await addToIndex([at('docs')], { db, shingle: 'word:5', metric: 'jaccard', threshold: 0.8 });
    const [incoming] = put({ 'incoming/again.txt': `Breaking: ${article}` });
    const r = await queryIndex([incoming!], { db });
    expect(r.settings).toMatchObject({ shingle: { unit: 'word', size: 5 }, metric: 'jaccard', threshold: 0.8 });
    expect(r.warnings).toEqual([]);
    const low = await queryIndex([incoming!], { db, threshold: 0.1 });
    expect(low.settings.threshold).toBe(0.1);
    expect(low.warnings[0]!.message).toMatch(/bands make a pair at jaccard 0\.1 a candidate with probability 0\.\d\d \(under 0\.95\)/);
    await expect(queryIndex([incoming!], { db, shingle: 'char:9' })).rejects.toThrow(/built with --shingle word:5; this run uses --shingle char:9/);
  });

  it('an index without shingles verifies on the indexed files, and says so; a changed or gone file cannot be verified', async () => {
    await addToIndex([at('docs')], { db, storeShingles: false });
    const [incoming] = put({ 'incoming/again.txt': `Breaking: ${article}` });
    const r = await queryIndex([incoming!], { db });
    expect(pairsOf(r).map((p) => p[2])).toEqual(['file', 'file']);
    expect(r.index.verifiedWith).toEqual({ index: 0, file: 2 });
    expect(r.errors).toEqual([]);

    put({ 'docs/article-copy.txt': `${article}\nAn edit after indexing.\n` });
    unlinkSync(at('docs', 'article.txt'));
    const stale = await queryIndex([incoming!], { db });
    expect(stale.pairs).toEqual([]);
    expect(stale.errors.map((e) => [names([e.path])[0], e.message])).toEqual([
      ['docs/article-copy.txt', 'indexed document cannot be verified: the file changed since it was indexed (run neardup index add on it)'],
      ['docs/article.txt', 'indexed document cannot be verified: no such file or directory (neardup index add --prune removes entries whose files are gone)'],
    ]);
  });

  it('gives the same JSON whatever the order of the paths', async () => {
    await addToIndex([at('docs')], { db });
    const given = put({ 'q/1.txt': `Breaking: ${article}`, 'q/2.txt': bread, 'q/3.txt': river });
    const json = async (paths: string[]) => JSON.stringify(buildIndexScanJson(await queryIndex(paths, { db })));
    expect(await json([...given].reverse())).toBe(await json(given));
    expect(renderJson(await queryIndex(given, { db }))).toContain('"schema": "neardup/scan"');
  });

  it('runs the same on any IndexStore backend', async () => {
    const store = new MemoryStore();
    await addToIndex([at('docs')], { db }, { store });
    await addToIndex([at('docs')], { db });
    const [incoming] = put({ 'incoming/again.txt': `Breaking: ${article}` });
    const viaMemory = await queryIndex([incoming!], { db }, { store });
    const viaSqlite = await queryIndex([incoming!], { db });
    expect(buildIndexScanJson(viaMemory)).toEqual(buildIndexScanJson(viaSqlite));
    expect((await verifyIndex({ db }, { store })).ok).toBe(true);
  });

  it('says which indexed document cannot be verified when its stored shingles are missing or damaged', async () => {
    await addToIndex([at('docs')], { db });
    const [incoming] = put({ 'incoming/again.txt': `Breaking: ${article}` });
    const raw = new Database(db);
    const id = (key: string) => raw.prepare('SELECT id FROM docs WHERE path = ?').pluck().get(key) as number;
    raw.prepare('DELETE FROM shingles WHERE doc = ?').run(id('../docs/article-copy.txt'));
    const missing = await queryIndex([incoming!], { db });
    expect(pairsOf(missing)).toEqual([['docs/article.txt', 'incoming/again.txt', 'index']]);
    expect(missing.errors.map((e) => [names([e.path])[0], e.message])).toEqual([
      ['docs/article-copy.txt', 'indexed document cannot be verified: its shingles are missing (run neardup index verify)'],
    ]);
    // a zero gap: not a set the index wrote
    raw.prepare('UPDATE shingles SET data = ? WHERE doc = ?').run(Buffer.from([5, 0, 0, 0]), id('../docs/article.txt'));
    raw.close();
    await expect(queryIndex([incoming!], { db })).rejects.toThrow(
      /is damaged: the shingles of \S*docs\/article\.txt do not decode \(run neardup index verify\)/,
    );
  });

  it('refuses an index nothing was added to, and a missing one', async () => {
    await expect(queryIndex([at('docs')], { db })).rejects.toThrow(/does not exist/);
    const store = new MemoryStore();
    await expect(queryIndex([at('docs')], { db }, { store })).rejects.toThrow(/is empty: nothing has been added to it yet/);
  });
});

describe('the signature test in bulk', () => {
  it('signaturesMayMatch, given the agreeing positions, passes exactly the pairs mayMatch passes (property)', () => {
    const k = 32;
    fc.assert(
      fc.property(
        fc.constantFrom('jaccard' as const, 'containment' as const),
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 0, max: k }),
        (metric, threshold, sizeA, sizeB, same) => {
          const a = Uint32Array.from({ length: k }, (_, i) => i);
          const b = Uint32Array.from({ length: k }, (_, i) => (i < same ? i : i + 1000));
          const settings = { metric, threshold };
          expect(signaturesMayMatch(settings, sizeA, sizeB, same, k)).toBe(mayMatch(settings, sizeA, sizeB, a, b));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('IndexPaths', () => {
  it('shows a key as path.relative shows it, working each folder out once (property)', () => {
    const segment = fc.constantFrom('a', 'b', 'c', 'docs', '..', 'x.txt');
    const rel = fc.array(segment, { minLength: 1, maxLength: 5 }).map((xs) => xs.join('/'));
    fc.assert(
      fc.property(rel, rel, rel, fc.array(rel, { minLength: 1, maxLength: 6 }), (cwdRel, dbRel, nameTail, keys) => {
        const cwd = path.resolve('/r/s', cwdRel);
        const paths = new IndexPaths(path.join(dbRel, 'index.db'), cwd);
        for (const key of [...keys, `${keys[0]}/${nameTail}`, path.relative(paths.root, cwd).split(path.sep).join('/')]) {
          if (key === '') continue;
          expect([key, paths.displayOf(key)]).toEqual([key, path.relative(cwd, paths.absOf(key)) || '.']);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('index remove, stats, verify', () => {
  it('removes files and folders; a path that matches nothing removes nothing', async () => {
    put({ 'docs/sub/a.txt': river });
    await addToIndex([at('docs')], { db });
    const none = await removeFromIndex([at('docs', 'bread.txt'), at('docs', 'nothing.txt')], { db });
    expect(none.removed).toEqual([]);
    expect(none.errors.map((e) => e.message)).toEqual([`not in index ${db}`]);
    expect(none.documents).toBe(4);
    const r = await removeFromIndex([at('docs', 'sub'), at('docs', 'bread.txt')], { db });
    expect(names(r.removed)).toEqual(['docs/bread.txt', 'docs/sub/a.txt']);
    expect(r.documents).toBe(2);
    // the files need not exist
    unlinkSync(at('docs', 'article.txt'));
    expect(names((await removeFromIndex([at('docs', 'article.txt')], { db })).removed)).toEqual(['docs/article.txt']);
  });

  it('stats: documents, settings, sizes, schema version', async () => {
    await addToIndex([at('docs')], { db, seed: 3 });
    const s = await indexStats({ db });
    expect(s.settings).toMatchObject({ seed: 3, numPerm: 128, storeShingles: true });
    expect(s.info).toMatchObject({ backend: 'sqlite', schemaVersion: 1, documents: 3, bandEntries: 3 * s.settings!.bands });
    expect(s.info.bytesOnDisk).toBeGreaterThan(s.info.shingleBytes);
    expect(s.info.shingleBytes / s.info.shingles).toBeLessThan(4);
  });

  it('verify passes a sound index and finds each kind of damage', async () => {
    await addToIndex([at('docs')], { db });
    expect(await verifyIndex({ db })).toMatchObject({ ok: true, documents: 3, problems: [] });
    const raw = new Database(db);
    const id = (key: string) => raw.prepare('SELECT id FROM docs WHERE path = ?').pluck().get(key) as number;
    const bread = id('../docs/bread.txt');
    raw.prepare('DELETE FROM lsh WHERE doc = ? AND bk IN (SELECT bk FROM lsh WHERE doc = ? LIMIT 5)').run(bread, bread);
    const sig = raw.prepare('SELECT signature FROM docs WHERE id = ?').pluck().get(id('../docs/article.txt')) as Buffer;
    sig[0] = sig[0]! ^ 0xff;
    raw.prepare('UPDATE docs SET signature = ? WHERE id = ?').run(sig, id('../docs/article.txt'));
    raw.prepare('UPDATE docs SET shingle_count = shingle_count + 1 WHERE id = ?').run(id('../docs/article-copy.txt'));
    raw.close();
    const v = await verifyIndex({ db });
    expect(v.ok).toBe(false);
    const shown = v.problems.map((p) => p.replace(/^[^:]*docs\//, 'docs/'));
    expect(shown).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^docs\/bread\.txt: \d+ of \d+ band keys stored$/),
        expect.stringMatching(/^docs\/article\.txt: signature does not match its shingles$/),
        expect.stringMatching(/^docs\/article-copy\.txt: \d+ stored shingles, expected \d+$/),
        expect.stringMatching(/band entries, expected 3 documents x \d+ bands/),
      ]),
    );
  });
});
