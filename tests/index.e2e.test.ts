/**
 * The index end to end, through the built binary: golden output of every subcommand, bad index
 * files, a process killed part-way through a large batch, two writers at once, and the dev set
 * added in two halves (a query of one half against the other reports what one scan reports).
 */
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentHash } from '../src/core/hash.js';
import { golden, ROOT, type RunResult, run, start, titled, unprivileged } from './helpers.js';

function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return dir;
}

/** Sizes on disk depend on SQLite's page use: masked in golden files. */
function maskSizes(r: RunResult): RunResult {
  return { ...r, stdout: r.stdout.replace(/^(on disk +).*$/m, '$1<bytes>') };
}

describe('index commands (golden output)', () => {
  let dir: string;
  const at = (...p: string[]) => path.join(dir, ...p);
  const step = (name: string, args: string[], mask = (r: RunResult) => r) => {
    it(name, () => {
      const { actual, expected } = golden(name, args, mask(run(args, { cwd: dir })));
      expect(actual).toBe(expected);
    });
  };
  beforeAll(() => {
    dir = tempDir('neardup-index-golden-');
    cpSync(path.join(ROOT, 'seeds'), at('seeds'), { recursive: true });
    cpSync(path.join(ROOT, 'fixtures', 'mixed'), at('mixed'), { recursive: true });
    mkdirSync(at('incoming'));
    writeFileSync(at('incoming', 'again.txt'), `Breaking: ${readFileSync(at('mixed', 'article.txt'), 'utf8')}`);
    mkdirSync(at('other'));
    copyFileSync(path.join(ROOT, 'fixtures', 'clean', 'river.txt'), at('other', 'river.txt'));
    writeFileSync(at('bad.db'), 'not a database\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  step('index-add-new', ['index', 'add', 'seeds', '--db', 'idx.db']);
  step('index-add-more', ['index', 'add', 'seeds', 'mixed', '--db', 'idx.db']);
  step('index-add-json', ['index', 'add', 'mixed', '--db', 'idx.db', '--format', 'json']);
  step('index-query-text', ['index', 'query', 'incoming', '--db', 'idx.db']);
  step('index-query-json', ['index', 'query', 'incoming', '--db', 'idx.db', '--format', 'json']);
  step('index-query-clean', ['index', 'query', 'other', '--db', 'idx.db']);
  step('index-query-exit-zero', ['index', 'query', 'incoming', '--db', 'idx.db', '--exit-zero']);
  step('index-scan-db', ['scan', 'incoming', 'other', 'seeds/000_241594d10820ed7f.txt', '--db', 'idx.db']);
  step('index-stats', ['index', 'stats', '--db', 'idx.db'], maskSizes);
  step('index-verify', ['index', 'verify', '--db', 'idx.db']);
  step('index-remove', ['index', 'remove', 'mixed/notes', '--db', 'idx.db']);
  step('index-remove-unknown', ['index', 'remove', 'nothing.txt', '--db', 'idx.db']);
  step('index-missing-db', ['index', 'query', 'incoming', '--db', 'missing.db']);
  step('index-not-sqlite', ['index', 'add', 'incoming', '--db', 'bad.db']);
  step('index-other-settings', ['index', 'add', 'incoming', '--db', 'idx.db', '--shingle', 'word:5']);
  step('index-bad-batch-size', ['index', 'add', 'incoming', '--db', 'new.db', '--batch-size', '0']);
  step('index-help', ['index', '--help']);
  step('index-add-help', ['index', 'add', '--help']);
  step('index-query-help', ['index', 'query', '--help']);

  it('left every refused file as it was, and created none', () => {
    expect(existsSync(at('missing.db'))).toBe(false);
    expect(existsSync(at('new.db'))).toBe(false);
    expect(readFileSync(at('bad.db'), 'utf8')).toBe('not a database\n');
    expect(
      readdirSync(dir)
        .filter((f) => f.includes('.db'))
        .sort(),
    ).toEqual(['bad.db', 'idx.db']);
  });
});

describe('bad index files: one-line error, exit 2, the file untouched', () => {
  let dir: string;
  const at = (...p: string[]) => path.join(dir, ...p);
  beforeAll(() => {
    dir = tempDir('neardup-index-bad-');
    cpSync(path.join(ROOT, 'seeds'), at('seeds'), { recursive: true });
    expect(run(['index', 'add', 'seeds/000_241594d10820ed7f.txt', '--db', 'idx.db'], { cwd: dir }).code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function refused(args: string[], file: string, message: RegExp, wrap?: string[]): void {
    const before = existsSync(at(file)) ? readFileSync(at(file)) : undefined;
    const r = run(args, { cwd: dir, wrap });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    if (before) expect(readFileSync(at(file)).equals(before)).toBe(true);
    else expect(existsSync(at(file))).toBe(false);
    expect(existsSync(at(`${file}-wal`))).toBe(false);
  }

  it('a missing file for query, scan --db, remove, stats and verify (not created)', () => {
    refused(['index', 'query', 'seeds', '--db', 'gone.db'], 'gone.db', /^neardup: index gone\.db does not exist/);
    refused(['scan', 'seeds', '--db', 'gone.db'], 'gone.db', /^neardup: index gone\.db does not exist/);
    refused(['index', 'remove', 'seeds', '--db', 'gone.db'], 'gone.db', /^neardup: index gone\.db does not exist/);
    for (const cmd of ['stats', 'verify']) refused(['index', cmd, '--db', 'gone.db'], 'gone.db', /^neardup: index gone\.db does not exist/);
  });
  it('a file that is not SQLite, for add and for query', () => {
    writeFileSync(at('text.db'), 'hello\n'.repeat(100));
    for (const cmd of ['add', 'query'])
      refused(['index', cmd, 'seeds', '--db', 'text.db'], 'text.db', /^neardup: text\.db is not a neardup index \(not an SQLite database\)/);
  });
  it('an SQLite file of another application', () => {
    const db = new Database(at('app.db'));
    db.exec('CREATE TABLE notes (body TEXT)');
    db.close();
    refused(['index', 'add', 'seeds', '--db', 'app.db'], 'app.db', /an SQLite database of another application/);
  });
  it('an index built with other settings, naming the setting', () => {
    refused(
      ['index', 'add', 'seeds', '--db', 'idx.db', '--num-perm', '64'],
      'idx.db',
      /^neardup: index idx\.db was built with --num-perm 128; this run uses --num-perm 64$/m,
    );
    refused(
      ['index', 'query', 'seeds', '--db', 'idx.db', '--shingle', 'word:5'],
      'idx.db',
      /^neardup: index idx\.db was built with --shingle char:9; this run uses --shingle word:5$/m,
    );
  });
  it('an index of another schema version', () => {
    copyFileSync(at('idx.db'), at('v9.db'));
    const db = new Database(at('v9.db'));
    db.pragma('user_version = 9');
    db.close();
    refused(['index', 'query', 'seeds', '--db', 'v9.db'], 'v9.db', /^neardup: index v9\.db has schema version 9; neardup \S+ reads version 1/);
  });
  it('a read-only file for add (no write permission bit: refused even as root); query still reads it', () => {
    copyFileSync(at('idx.db'), at('ro.db'));
    chmodSync(at('ro.db'), 0o444);
    refused(['index', 'add', 'seeds', '--db', 'ro.db'], 'ro.db', /^neardup: index ro\.db is read-only: cannot write to it/);
    refused(['index', 'remove', 'seeds', '--db', 'ro.db'], 'ro.db', /^neardup: index ro\.db is read-only/);
    const q = run(['index', 'query', 'seeds/001_8ed3a1ba6430ba1a.txt', '--db', 'ro.db'], { cwd: dir });
    expect(q.code).toBe(1);
  });
  // as root, the step runs as nobody; as another user the file would be ours, and the mode-bit
  // case above covers read-only files
  const other = unprivileged();
  const skip = other.skip ?? (other.wrap ? undefined : 'not run as root: every file here is our own');
  it.skipIf(skip !== undefined)(titled('a file another user owns, for add by an unprivileged user', skip), () => {
    copyFileSync(at('idx.db'), at('theirs.db'));
    chmodSync(at('theirs.db'), 0o644);
    refused(['index', 'add', 'seeds', '--db', 'theirs.db'], 'theirs.db', /^neardup: index theirs\.db is read-only: cannot write to it/, other.wrap);
  });
});

/** A few thousand small, distinct documents (and some near-copies), from a seeded generator. */
function generateCorpus(dir: string, count: number, words = 350): string[] {
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
  const vocab = Array.from({ length: 4000 }, () => Array.from({ length: 3 + (next() % 7) }, () => String.fromCharCode(97 + (next() % 26))).join(''));
  mkdirSync(dir, { recursive: true });
  const names: string[] = [];
  let previous = '';
  for (let i = 0; i < count; i++) {
    const text = i % 10 === 9 ? `${previous} and one more line` : Array.from({ length: words }, () => vocab[next() % vocab.length]).join(' ');
    const name = `${String(i).padStart(5, '0')}.txt`;
    writeFileSync(path.join(dir, name), text);
    names.push(name);
    previous = text;
  }
  return names;
}

/** Documents committed so far, read from a second connection (0 before the index exists). */
function committed(db: string): number {
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return conn.prepare('SELECT count(*) FROM docs').pluck().get() as number;
    } finally {
      conn.close();
    }
  } catch {
    return 0;
  }
}

/** Reads the index directly: every document complete (all band keys, its shingles, its file's hash). */
function checkDocumentsWhole(db: string): string[] {
  const conn = new Database(db, { readonly: true });
  const bands = (JSON.parse(conn.prepare("SELECT value FROM meta WHERE key = 'settings'").pluck().get() as string) as { bands: number }).bands;
  const perDoc = new Map(conn.prepare('SELECT doc, count(*) AS n FROM lsh GROUP BY doc').raw().all() as [number, number][]);
  const rows = conn
    .prepare('SELECT id, path, content_hash, shingle_count, (SELECT length(data) FROM shingles WHERE doc = docs.id) AS bytes FROM docs ORDER BY path')
    .all() as { id: number; path: string; content_hash: string; shingle_count: number; bytes: number | null }[];
  conn.close();
  for (const r of rows) {
    expect(perDoc.get(r.id), r.path).toBe(bands);
    expect(r.bytes, r.path).toBeGreaterThan(0);
    expect(r.content_hash, r.path).toBe(contentHash(readFileSync(path.join(path.dirname(db), r.path), 'utf8')));
  }
  expect([...perDoc.keys()].every((id) => rows.some((r) => r.id === id))).toBe(true);
  return rows.map((r) => r.path);
}

describe('crash safety and concurrent writers', () => {
  it('a process killed (SIGKILL) part-way through a large batch: verify passes, each document whole or absent, a rerun completes', async () => {
    const dir = tempDir('neardup-index-kill-');
    try {
      const files = generateCorpus(path.join(dir, 'docs'), 3000);
      const db = path.join(dir, 'idx.db');
      const running = start(['index', 'add', 'docs', '--db', 'idx.db', '--batch-size', '50'], { cwd: dir, timeout: 110_000 });
      // the sign: 300 documents committed, read from a second connection; the process is stopped
      // (SIGSTOP) the moment it is seen, with most of its batches still to come
      const seen = await running.waitFor(
        '300 documents committed',
        () => {
          const n = committed(db);
          return n >= 300 ? n : undefined;
        },
        { timeout: 100_000, freeze: true },
      );
      expect(seen).toBeGreaterThanOrEqual(300);
      expect(committed(db)).toBeLessThan(files.length);
      running.stop('SIGKILL');
      const { signal, code } = await running.ended;
      expect({ signal, code }).toEqual({ signal: 'SIGKILL', code: null });

      const verify = run(['index', 'verify', '--db', 'idx.db', '--format', 'json'], { cwd: dir });
      expect(verify.code).toBe(0);
      expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, problems: [] });
      const present = checkDocumentsWhole(db);
      // whole batches only: the first k*50 files, in path order
      expect(present.length % 50).toBe(0);
      expect(present.length).toBeGreaterThanOrEqual(300);
      expect(present.length).toBeLessThan(files.length);
      expect(present).toEqual(files.slice(0, present.length).map((f) => `docs/${f}`));

      const rerun = run(['index', 'add', 'docs', '--db', 'idx.db', '--batch-size', '50', '--format', 'json'], { cwd: dir });
      expect(rerun.code).toBe(0);
      expect(JSON.parse(rerun.stdout).counts).toMatchObject({ added: files.length - present.length, unchanged: present.length, documents: files.length });
      expect(run(['index', 'verify', '--db', 'idx.db'], { cwd: dir }).code).toBe(0);
      expect(checkDocumentsWhole(db)).toHaveLength(files.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('two index add processes on one (new) file at once both complete, without corruption or double entries', async () => {
    const dir = tempDir('neardup-index-two-');
    try {
      generateCorpus(path.join(dir, 'corpus'), 1200, 120);
      for (const [sub, from] of [
        ['a', 0],
        ['b', 400],
        ['shared', 800],
      ] as const) {
        mkdirSync(path.join(dir, sub));
        for (let i = from; i < from + 400; i++) copyFileSync(path.join(dir, 'corpus', `${String(i).padStart(5, '0')}.txt`), path.join(dir, sub, `${i}.txt`));
      }
      const args = (paths: string[]) => ['index', 'add', ...paths, '--db', 'idx.db', '--batch-size', '20', '--format', 'json'];
      const [one, two] = await Promise.all([start(args(['a', 'shared']), { cwd: dir }).ended, start(args(['b', 'shared']), { cwd: dir }).ended]);
      expect([one.code, two.code]).toEqual([0, 0]);
      const c1 = JSON.parse(one.stdout).counts;
      const c2 = JSON.parse(two.stdout).counts;
      expect(c1.added + c1.unchanged).toBe(800);
      expect(c2.added + c2.unchanged).toBe(800);
      expect(c1.added + c2.added).toBe(1200); // each shared file added once, by one of them
      expect(run(['index', 'verify', '--db', 'idx.db'], { cwd: dir }).code).toBe(0);
      expect(checkDocumentsWhole(path.join(dir, 'idx.db'))).toHaveLength(1200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('the dev set in two halves', () => {
  it('querying the second half against the first reports exactly the cross-half pairs of one scan of the whole set', () => {
    const dir = tempDir('neardup-index-halves-');
    try {
      const src = path.join(ROOT, 'bench', 'quality-dev', 'docs');
      const files = readdirSync(src).sort();
      const half = Math.ceil(files.length / 2);
      for (const [i, f] of files.entries()) {
        const sub = i < half ? 'a' : 'b';
        mkdirSync(path.join(dir, sub), { recursive: true });
        copyFileSync(path.join(src, f), path.join(dir, sub, f));
      }
      type Pair = { a: string; b: string; jaccard: number; containment: number };
      const pairs = (r: RunResult) => (JSON.parse(r.stdout).pairs as Pair[]).map(({ a, b, jaccard, containment }) => ({ a, b, jaccard, containment }));
      const scan = run(['scan', 'a', 'b', '--format', 'json'], { cwd: dir });
      expect(scan.code).toBe(1);
      const cross = pairs(scan).filter((p) => p.a.startsWith('a/') !== p.b.startsWith('a/'));
      expect(cross.length).toBeGreaterThan(100);

      expect(run(['index', 'add', 'a', '--db', 'idx.db'], { cwd: dir }).code).toBe(0);
      const query = run(['index', 'query', 'b', '--db', 'idx.db', '--format', 'json'], { cwd: dir });
      expect(query.code).toBe(1);
      expect(pairs(query)).toEqual(cross);
      expect(JSON.parse(query.stdout).pairs.every((p: { verifiedWith: string }) => p.verifiedWith === 'index')).toBe(true);

      // scan --db: the second half against itself and against the index = the scan's pairs that involve it
      const withDb = run(['scan', 'b', '--db', 'idx.db', '--format', 'json'], { cwd: dir });
      expect(pairs(withDb)).toEqual(pairs(scan).filter((p) => p.b.startsWith('b/')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('a project config file', () => {
  it("index add builds with its settings, so the same project's query and scan --db accept the index", () => {
    const dir = tempDir('neardup-index-config-');
    try {
      cpSync(path.join(ROOT, 'seeds'), path.join(dir, 'seeds'), { recursive: true });
      writeFileSync(path.join(dir, '.neardup.json'), JSON.stringify({ shingle: 'word:5', format: 'json' }));
      const add = run(['index', 'add', 'seeds', '--db', 'idx.db'], { cwd: dir });
      expect(add.code).toBe(0);
      expect(add.stdout).toMatch(/word:5/); // the config's `format` is scan's report format: not index add's
      const query = run(['index', 'query', 'seeds/000_241594d10820ed7f.txt', '--db', 'idx.db'], { cwd: dir });
      expect(query.stderr).toBe('');
      expect(JSON.parse(query.stdout).settings.shingle).toBe('word:5');
      expect(query.code).toBe(1);
      expect(run(['scan', 'seeds', '--db', 'idx.db'], { cwd: dir }).code).toBe(1);
      // a flag wins over the file; --no-config reads none (and then differs from the index)
      const flag = run(['index', 'add', 'seeds', '--db', 'char.db', '--shingle', 'char:9'], { cwd: dir });
      expect(flag.stdout).toMatch(/char:9/);
      const none = run(['index', 'add', 'seeds', '--db', 'idx.db', '--no-config'], { cwd: dir });
      expect(none.stdout).toMatch(/2 unchanged/);
      const fresh = run(['index', 'add', 'seeds', '--db', 'none.db', '--no-config'], { cwd: dir });
      expect(fresh.stdout).toMatch(/char:9/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('record files and the index', () => {
  it('are refused when named (exit 2) and skipped in a folder, never indexed as one document; --records off reads them as text', () => {
    const dir = tempDir('neardup-index-records-');
    try {
      cpSync(path.join(ROOT, 'fixtures', 'dedup', 'records'), path.join(dir, 'recs'), { recursive: true });
      cpSync(path.join(ROOT, 'seeds'), path.join(dir, 'seeds'), { recursive: true });
      const message = 'a record file (.jsonl, .json, .csv): the index takes documents, not records; neardup scan (without --db) compares its records';
      const named = run(['index', 'add', 'recs/posts.jsonl', 'seeds', '--db', 'idx.db', '--format', 'json'], { cwd: dir });
      expect(named.stderr).toBe(`neardup: recs/posts.jsonl: ${message}\n`);
      expect(named.code).toBe(2);
      const added = JSON.parse(named.stdout) as { counts: Record<string, number>; errors: { path: string }[] };
      expect(added.counts).toMatchObject({ added: 2, failed: 1 });
      const walked = run(['index', 'add', 'recs', '--db', 'idx.db', '--format', 'json'], { cwd: dir });
      expect(walked.code).toBe(0);
      const w = JSON.parse(walked.stdout) as { counts: Record<string, number>; skipped: { path: string; reason: string; detail: string }[] };
      expect(w.counts.added).toBe(0);
      expect(w.skipped.map((s) => [s.path, s.reason, s.detail])).toEqual([
        ['recs/posts.csv', 'unsupported-type', message],
        ['recs/posts.jsonl', 'unsupported-type', message],
      ]);
      // scan --db and index query give no answer for records rather than a wrong one
      for (const args of [
        ['scan', 'recs/posts.jsonl', '--db', 'idx.db'],
        ['index', 'query', 'recs/posts.jsonl', '--db', 'idx.db'],
      ]) {
        const r = run(args, { cwd: dir });
        expect(r.stderr).toBe(`neardup: recs/posts.jsonl: ${message}\n`);
        expect(r.code).toBe(2);
      }
      const off = run(['scan', 'recs/posts.jsonl', '--db', 'idx.db', '--records', 'off', '--format', 'json'], { cwd: dir });
      expect(off.code).toBe(0);
      expect(JSON.parse(off.stdout).counts.documents).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a file whose name is not valid UTF-8', () => {
  it('is refused by index add, by name (it was kept under a name with its bytes replaced, which --prune then removed as gone)', () => {
    const dir = tempDir('neardup-index-bytes-');
    try {
      const docs = Buffer.from(path.join(dir, 'd'));
      mkdirSync(docs);
      copyFileSync(path.join(ROOT, 'seeds', '000_241594d10820ed7f.txt'), Buffer.concat([docs, Buffer.from('/caf\xe9.txt', 'latin1')]));
      copyFileSync(path.join(ROOT, 'seeds', '001_8ed3a1ba6430ba1a.txt'), path.join(dir, 'd', 'ok.txt'));
      const message = 'its name is not valid UTF-8: the index keeps documents by their names as text (rename it to index it)';
      for (const args of [[], ['--prune']]) {
        const r = run(['index', 'add', 'd', '--db', 'idx.db', '--format', 'json', ...args], { cwd: dir });
        expect(r.stderr).toBe(`neardup: d/caf\ufffd.txt: ${message}\n`);
        expect(r.code).toBe(2);
        const added = JSON.parse(r.stdout) as { counts: Record<string, number>; errors: { path: string; pathBytes?: string }[] };
        expect(added.counts).toMatchObject({ failed: 1, removed: 0, documents: 1 });
        expect(Buffer.from(added.errors[0]!.pathBytes!, 'base64').toString('latin1')).toBe('d/caf\xe9.txt');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('what index query and scan --db read: --files-from, standard input, and the options they take', () => {
  let dir: string;
  const SEED_A = '000_241594d10820ed7f.txt';
  const SEED_B = '001_8ed3a1ba6430ba1a.txt';
  type Report = { counts: Record<string, number>; groups: { members: { path: string; indexed?: boolean }[] }[]; errors: { path: string; message: string }[] };
  const report = (r: RunResult) => JSON.parse(r.stdout) as Report;
  const members = (r: RunResult) => report(r).groups.map((g) => g.members.map((m) => m.path));
  beforeAll(() => {
    dir = tempDir('neardup-index-inputs-');
    cpSync(path.join(ROOT, 'seeds'), path.join(dir, 'seeds'), { recursive: true });
    mkdirSync(path.join(dir, 'new'));
    copyFileSync(path.join(dir, 'seeds', SEED_B), path.join(dir, 'new', 'copy.txt'));
    copyFileSync(path.join(ROOT, 'fixtures', 'clean', 'river.txt'), path.join(dir, 'new', 'river.txt'));
    writeFileSync(path.join(dir, 'list.txt'), 'new/copy.txt\n');
    const added = run(['index', 'add', 'seeds', '--db', 'idx.db'], { cwd: dir });
    expect(added.code).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--files-from: the listed paths only (scan --db walked the current folder instead), with no path given to index query', () => {
    for (const cmd of [['index', 'query'], ['scan']]) {
      const r = run([...cmd, '--files-from', 'list.txt', '--db', 'idx.db', '--format', 'json'], { cwd: dir });
      expect(r.code).toBe(1);
      expect(report(r).counts.files).toBe(1);
      expect(members(r)).toEqual([['new/copy.txt', `seeds/${SEED_A}`, `seeds/${SEED_B}`]]);
    }
  });
  it('standard input (-) is one document, <stdin>, that --explain can align', () => {
    const input = readFileSync(path.join(dir, 'seeds', SEED_A), 'utf8');
    for (const cmd of [['index', 'query'], ['scan']]) {
      const r = run([...cmd, '-', '--db', 'idx.db', '--format', 'json'], { cwd: dir, input });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      expect(members(r)).toEqual([['<stdin>', `seeds/${SEED_A}`, `seeds/${SEED_B}`]]);
    }
    const explained = run(['index', 'query', '-', '--db', 'idx.db', '--explain'], { cwd: dir, input });
    expect(explained.stderr).toBe('');
    expect(explained.stdout).toContain('shared: 100.0% of A');
    expect(explained.stdout).not.toContain('cannot read');
    // --stdin-format jsonl: records, which the index does not take
    const records = run(['index', 'query', '-', '--db', 'idx.db', '--stdin-format', 'jsonl'], { cwd: dir, input: '{"text":"a record"}\n' });
    expect(records.stderr).toBe(
      'neardup: <stdin>: --stdin-format jsonl: the index takes documents, not records; neardup scan (without --db) compares the records\n',
    );
    expect(records.code).toBe(2);
  });
  it('index query without a path or list is a usage error; index add refuses standard input and creates no index', () => {
    const none = run(['index', 'query', '--db', 'idx.db'], { cwd: dir });
    expect(none).toMatchObject({
      code: 2,
      stdout: '',
      stderr: "neardup: index query: name the documents to check (paths, '-' for standard input, or --files-from)\n",
    });
    const add = run(['index', 'add', '-', '--db', 'fresh.db'], { cwd: dir, input: 'some text\n' });
    expect(add.code).toBe(2);
    expect(add.stderr).toBe(
      "neardup: index add cannot read standard input ('-'): the index keeps files by their path; save the input to a file and add that\n",
    );
    expect(existsSync(path.join(dir, 'fresh.db'))).toBe(false);
  });
  it("index query's help lists only the options it takes; one it does not take is refused", () => {
    const help = run(['index', 'query', '--help']);
    expect(help.code).toBe(0);
    for (const taken of ['--files-from', '--stdin-format', '--explain', '--baseline', '--max-filesize', '--db']) expect(help.stdout).toContain(taken);
    for (const unused of ['--threads', '--memory', '--text-field', '--id-field']) expect(help.stdout).not.toContain(unused);
    const r = run(['index', 'query', 'new', '--db', 'idx.db', '--threads', '2'], { cwd: dir });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toContain("unknown option '--threads'");
  });
});

describe('.gz documents and the index', () => {
  it('are added, queried and verified (stored or read again) as scan reads them: NAME.gz as NAME', () => {
    const dir = tempDir('neardup-index-gz-');
    try {
      mkdirSync(path.join(dir, 'q'));
      copyFileSync(path.join(ROOT, 'seeds', '000_241594d10820ed7f.txt'), path.join(dir, 'q', 'a.txt'));
      writeFileSync(path.join(dir, 'q', 'b.txt.gz'), gzipSync(readFileSync(path.join(ROOT, 'seeds', '001_8ed3a1ba6430ba1a.txt'))));
      // scan --db compares the given documents with each other too: the .gz one was skipped
      expect(run(['index', 'add', 'q/a.txt', '--db', 'a.db'], { cwd: dir }).code).toBe(0);
      const scan = run(['scan', 'q', '--db', 'a.db', '--format', 'json'], { cwd: dir });
      expect(scan.code).toBe(1);
      expect(JSON.parse(scan.stdout).counts).toMatchObject({ documents: 2, skipped: 0 });
      for (const stored of [[], ['--no-store-shingles']]) {
        const db = `all${stored.length}.db`;
        const added = run(['index', 'add', 'q', '--db', db, '--format', 'json', ...stored], { cwd: dir });
        expect(JSON.parse(added.stdout).counts).toMatchObject({ added: 2, skipped: 0, failed: 0 });
        const query = run(['index', 'query', path.join(ROOT, 'seeds', '001_8ed3a1ba6430ba1a.txt'), '--db', db, '--format', 'json'], { cwd: dir });
        expect(query.stderr).toBe('');
        expect(query.code).toBe(1);
        expect(JSON.parse(query.stdout).groups[0].members.map((m: { path: string }) => path.basename(m.path))).toContain('b.txt.gz');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
