/**
 * End-to-end: `neardup dedup` through the built binary, in a temporary copy of fixtures/dedup
 * (with set modification times), for every --keep policy, --dry-run, the manifest, --link,
 * record outputs and every refusal; golden files record stdout, stderr and the exit code.
 */
import {
  cpSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { golden, ROOT, type RunResult, run, titled } from './helpers.js';

const FIXTURE = path.join(ROOT, 'fixtures', 'dedup');

/** Modification times (Unix seconds): in group 1 news/lighthouse.txt is newest, the start excerpt oldest; the two breads tie. */
const MTIMES: Record<string, number> = {
  'docs/mirror/lighthouse.html': 1704067200, // 2024-01-01
  'docs/news/lighthouse.txt': 1709251200, // 2024-03-01
  'docs/news/lighthouse-start.txt': 1685577600, // 2023-06-01
  'docs/news/lighthouse-end.txt': 1706745600, // 2024-02-01
  'docs/notes/bread.txt': 1704844800,
  'docs/notes/bread-stripped.txt': 1704844800,
  'docs/notes/archive/river.txt': 1700000000,
  'docs/notes/empty.txt': 1700000000,
};

let top: string;
let dir: string;
let n = 0;

beforeAll(() => {
  top = mkdtempSync(path.join(tmpdir(), 'neardup-dedup-'));
});
afterAll(() => rmSync(top, { recursive: true, force: true }));

/** A file system other than the temporary directory's, for --link across them. */
const SHM = '/dev/shm';

/** Why SHM cannot serve as the other file system here, if it cannot. */
function otherFileSystemMissing(): string | undefined {
  if (!existsSync(SHM)) return `no ${SHM}`;
  if (statSync(SHM).dev === statSync(tmpdir()).dev) return `${SHM} is on the file system of ${tmpdir()}`;
  try {
    rmSync(mkdtempSync(path.join(SHM, 'neardup-dedup-')), { recursive: true });
  } catch {
    return `${SHM} is not writable`;
  }
  return undefined;
}

/** A fresh copy of fixtures/dedup (docs/ and records/) with the modification times above. */
function setup(): string {
  const d = path.join(top, `case-${n++}`);
  cpSync(FIXTURE, d, { recursive: true });
  for (const [f, t] of Object.entries(MTIMES)) utimesSync(path.join(d, f), t, t);
  return d;
}

beforeEach(() => {
  dir = setup();
});

function dedup(args: string[], opts: { cwd?: string; input?: string } = {}): RunResult {
  return run(['dedup', ...args], { cwd: opts.cwd ?? dir, ...(opts.input === undefined ? {} : { input: opts.input }) });
}

/** Runs `neardup dedup ARGS` in the case folder and compares with fixtures/golden/NAME.txt. */
function goldenDedup(name: string, args: string[]): RunResult {
  const r = dedup(args);
  const { actual, expected } = golden(name, ['dedup', ...args], r);
  expect(actual).toBe(expected);
  return r;
}

/** Every file under `d`, relative, sorted. */
function files(d: string): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      const full = path.join(p, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(path.relative(d, full));
    }
  };
  walk(d);
  return out.sort();
}

/** The bytes and modification time of every input file. */
function snapshot(d: string): Map<string, { bytes: Buffer; mtimeMs: number }> {
  const m = new Map<string, { bytes: Buffer; mtimeMs: number }>();
  for (const sub of ['docs', 'records']) {
    for (const f of files(path.join(d, sub))) {
      const p = path.join(d, sub, f);
      m.set(path.join(sub, f), { bytes: readFileSync(p), mtimeMs: statSync(p).mtimeMs });
    }
  }
  return m;
}

const manifest = (file: string) =>
  readFileSync(path.join(dir, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('dedup of a folder: one document per group, and every document in no group', () => {
  const KEPT_ALWAYS = ['notes/archive/river.txt'];
  const cases = [
    ['first', ['mirror/lighthouse.html', 'notes/bread-stripped.txt']],
    ['longest', ['mirror/lighthouse.html', 'notes/bread.txt']],
    ['shortest', ['news/lighthouse-start.txt', 'notes/bread-stripped.txt']],
    ['newest', ['news/lighthouse.txt', 'notes/bread-stripped.txt']],
    ['oldest', ['news/lighthouse-start.txt', 'notes/bread-stripped.txt']],
  ] as const;
  for (const [keep, survivors] of cases) {
    it(`--keep ${keep}`, () => {
      const before = snapshot(dir);
      const r = goldenDedup(`dedup-keep-${keep}`, ['docs', '--out', 'clean', '--keep', keep, '--manifest', 'removed.jsonl', '--color', 'never']);
      expect(r.code).toBe(0);
      // the kept files, at their paths under the input folder, bytes and modification times kept
      expect(files(path.join(dir, 'clean'))).toEqual([...survivors, ...KEPT_ALWAYS].sort());
      for (const f of files(path.join(dir, 'clean'))) {
        const src = path.join(dir, 'docs', f);
        const dst = path.join(dir, 'clean', f);
        expect(readFileSync(dst).equals(readFileSync(src))).toBe(true);
        expect(statSync(dst).mtimeMs).toBe(statSync(src).mtimeMs);
      }
      // one manifest line per removed document, naming a kept one of its group
      const lines = manifest('removed.jsonl');
      expect(lines).toHaveLength(4);
      const keptPaths = survivors.map((s) => `docs/${s}`);
      for (const l of lines) expect(keptPaths).toContain(l.kept);
      expect(snapshot(dir)).toEqual(before);
      // nothing left under a temporary name
      expect(readdirSync(dir).filter((f) => f.includes('.neardup-'))).toEqual([]);
    });
  }

  it('--keep shortest: a member not verified against the kept one is scored against it and says through which it joined', () => {
    dedup(['docs', '--out', 'clean', '--keep', 'shortest', '--manifest', 'removed.jsonl']);
    const end = manifest('removed.jsonl').find((l) => l.removed === 'docs/news/lighthouse-end.txt')!;
    expect(end).toMatchObject({ kept: 'docs/news/lighthouse-start.txt', group: 1, direct: false, via: ['docs/mirror/lighthouse.html'] });
    // its exact scores against the kept excerpt: the two excerpts share (almost) nothing
    expect(end.containment as number).toBeLessThan(0.65);
    const html = manifest('removed.jsonl').find((l) => l.removed === 'docs/mirror/lighthouse.html')!;
    expect(html).toMatchObject({ direct: true, containment: 1 });
    expect(html).not.toHaveProperty('via');
  });

  it('--dry-run writes nothing (no output, no manifest) and reports the same as a real run', () => {
    const r = goldenDedup('dedup-dry-run', ['docs', '--out', 'clean', '--manifest', 'removed.jsonl', '--dry-run', '--color', 'never']);
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'clean'))).toBe(false);
    expect(existsSync(path.join(dir, 'removed.jsonl'))).toBe(false);
    const real = dedup(['docs', '--out', 'clean', '--manifest', 'removed.jsonl', '--color', 'never']);
    expect(real.stdout).toBe(r.stdout);
  });

  it('--format json: the report on stdout alone; its removals are the manifest lines', () => {
    const r = goldenDedup('dedup-json', ['docs', '--out', 'clean', '--manifest', 'removed.jsonl', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout);
    expect(report.removed).toEqual(manifest('removed.jsonl'));
    expect(report.counts).toMatchObject({ documents: 7, kept: 3, removed: 4, groups: 2, skipped: 1, failed: 0 });
    expect(report.counts.keptBytes + report.counts.removedBytes).toBe(1700 + 1166 + 347 + 534 + 694 + 670 + 293);
    expect(report.kept.map((k: { to: string }) => k.to)).toEqual([
      'clean/mirror/lighthouse.html',
      'clean/notes/archive/river.txt',
      'clean/notes/bread-stripped.txt',
    ]);
  });

  it('--link: the kept files are hard links to the inputs', () => {
    const r = goldenDedup('dedup-link', ['docs', '--out', 'clean', '--link']);
    expect(r.code).toBe(0);
    const a = statSync(path.join(dir, 'clean', 'notes', 'archive', 'river.txt'));
    const b = statSync(path.join(dir, 'docs', 'notes', 'archive', 'river.txt'));
    expect(a.ino).toBe(b.ino);
    expect(b.nlink).toBe(2);
  });

  const noOtherFs = otherFileSystemMissing();
  it.skipIf(noOtherFs !== undefined)(titled('--link across file systems is refused with a clear error, and nothing is written', noOtherFs), () => {
    const other = mkdtempSync(path.join(SHM, 'neardup-dedup-'));
    try {
      cpSync(path.join(dir, 'docs'), path.join(other, 'docs'), { recursive: true });
      const r = dedup([path.join(other, 'docs'), '--out', 'clean', '--link']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^neardup: --link: cannot hard-link .+ as clean\/.+: they are on different file systems \(drop --link to copy\)\n/m);
      expect(existsSync(path.join(dir, 'clean'))).toBe(false);
      expect(readdirSync(dir).filter((f) => f.includes('.neardup-'))).toEqual([]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('several inputs: paths are kept under their common folder, so no two documents land on one path', () => {
    mkdirSync(path.join(dir, 'more', 'news'), { recursive: true });
    writeFileSync(
      path.join(dir, 'more', 'news', 'lighthouse.txt'),
      'A different text about a lighthouse keeper who never left the island, and the books he wrote.\n',
    );
    const r = dedup(['docs/news', 'more', 'docs/notes/archive/river.txt', '--out', 'clean']);
    expect(r.code).toBe(0);
    expect(files(path.join(dir, 'clean'))).toEqual(['docs/news/lighthouse-end.txt', 'docs/notes/archive/river.txt', 'more/news/lighthouse.txt']);
  });

  it('a file given alone is written at the top of the output', () => {
    const r = dedup(['docs/notes/bread.txt', '--out', 'clean']);
    expect(r.code).toBe(0);
    expect(files(path.join(dir, 'clean'))).toEqual(['bread.txt']);
  });

  it('--force replaces a non-empty output; without it the output is refused and untouched', () => {
    mkdirSync(path.join(dir, 'clean'));
    writeFileSync(path.join(dir, 'clean', 'old.txt'), 'old');
    const refused = goldenDedup('dedup-refuse-not-empty', ['docs', '--out', 'clean']);
    expect(refused.code).toBe(2);
    expect(files(path.join(dir, 'clean'))).toEqual(['old.txt']);
    const r = dedup(['docs', '--out', 'clean', '--force']);
    expect(r.code).toBe(0);
    expect(files(path.join(dir, 'clean'))).not.toContain('old.txt');
    expect(files(path.join(dir, 'clean'))).toContain('notes/archive/river.txt');
    expect(readdirSync(dir).filter((f) => f.includes('.neardup-'))).toEqual([]);
  });

  it('an empty output folder is filled without --force', () => {
    mkdirSync(path.join(dir, 'clean'));
    expect(dedup(['docs', '--out', 'clean']).code).toBe(0);
    expect(files(path.join(dir, 'clean'))).toHaveLength(3);
  });

  it('is byte-identical (JSON report and manifest) whatever the threads or the order the inputs are listed in', () => {
    const [d2, d3] = [setup(), setup()];
    const args = ['--out', 'clean', '--manifest', 'removed.jsonl', '--format', 'json'];
    const a = dedup(['docs/news', 'docs/mirror', 'docs/notes', ...args, '--threads', '1']);
    const b = dedup(['docs/notes', 'docs/mirror', 'docs/news', ...args, '--threads', '2', '--dry-run'], { cwd: d2 });
    const c = dedup(['docs/mirror', 'docs/notes', 'docs/news', ...args, '--threads', '2'], { cwd: d3 });
    expect(a.code).toBe(0);
    expect(c.stdout).toBe(a.stdout);
    const strip = (s: string) => s.replace(/"dryRun": (true|false)/, '').replace(/"written": (true|false)/, '');
    expect(strip(b.stdout)).toBe(strip(a.stdout));
    expect(readFileSync(path.join(d3, 'removed.jsonl'))).toEqual(readFileSync(path.join(dir, 'removed.jsonl')));
  });
});

describe('dedup of records: kept records written unchanged, in input order', () => {
  /** The records (raw, line end included) of posts.jsonl by line. */
  const jsonlLines = () => {
    const text = readFileSync(path.join(dir, 'records', 'posts.jsonl'), 'latin1');
    return text.split(/(?<=\n)/).map((l) => Buffer.from(l, 'latin1'));
  };

  it('JSONL: the kept lines, byte for byte (a CRLF kept), the removed ones in the manifest with their ids', () => {
    const before = snapshot(dir);
    const r = goldenDedup('dedup-records-jsonl', [
      'records/posts.jsonl',
      '--out',
      'clean.jsonl',
      '--id-field',
      'id',
      '--manifest',
      'removed.jsonl',
      '--color',
      'never',
    ]);
    expect(r.code).toBe(0);
    const lines = jsonlLines();
    const expected = Buffer.concat([1, 2, 5, 6].map((l) => lines[l - 1]!));
    expect(readFileSync(path.join(dir, 'clean.jsonl')).equals(expected)).toBe(true);
    expect(manifest('removed.jsonl').map((l) => [l.removed, l.removedId, l.kept, l.keptId, l.direct])).toEqual([
      ['records/posts.jsonl:4', 'p3', 'records/posts.jsonl:1', 'p1', true],
      ['records/posts.jsonl:7', 'p6', 'records/posts.jsonl:5', 'p4', true],
      ['records/posts.jsonl:8', 'p7', 'records/posts.jsonl:1', 'p1', true],
    ]);
    expect(snapshot(dir)).toEqual(before);
  });

  it('JSONL --keep shortest: a kept last line without a line end gets one', () => {
    const r = dedup(['records/posts.jsonl', '--out', 'clean.jsonl', '--keep', 'shortest']);
    expect(r.code).toBe(0);
    const lines = jsonlLines();
    expect(lines[7]!.at(-1)).not.toBe(10);
    const expected = Buffer.concat([lines[1]!, lines[4]!, lines[5]!, lines[7]!, Buffer.from('\n')]);
    expect(readFileSync(path.join(dir, 'clean.jsonl')).equals(expected)).toBe(true);
  });

  it('several record files: written in path order whatever the order given; the same manifest', () => {
    writeFileSync(
      path.join(dir, 'records', 'more.jsonl'),
      '{"text":"Down to the river, the river runs brown after the spring rains"}\n{"text":"Something else entirely, about the tides and the moon over the bay"}\n',
    );
    const a = dedup(['records/posts.jsonl', 'records/more.jsonl', '--out', 'a.jsonl', '--manifest', 'ma.jsonl', '--threads', '1']);
    const b = dedup(['records/more.jsonl', 'records/posts.jsonl', '--out', 'b.jsonl', '--manifest', 'mb.jsonl', '--threads', '2']);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    expect(readFileSync(path.join(dir, 'b.jsonl'))).toEqual(readFileSync(path.join(dir, 'a.jsonl')));
    expect(readFileSync(path.join(dir, 'mb.jsonl'))).toEqual(readFileSync(path.join(dir, 'ma.jsonl')));
    // more.jsonl comes first (path order); its river record is kept, posts.jsonl's removed
    const out = readFileSync(path.join(dir, 'a.jsonl'), 'utf8');
    expect(out.startsWith('{"text":"Down to the river, the river runs')).toBe(true);
    expect(manifest('ma.jsonl').map((l) => [l.removed, l.kept])).toContainEqual(['records/posts.jsonl:2', 'records/more.jsonl:1']);
  });

  it('JSONL to .jsonl.gz: the same bytes, compressed', () => {
    expect(dedup(['records/posts.jsonl', '--out', 'plain.jsonl']).code).toBe(0);
    expect(dedup(['records/posts.jsonl', '--out', 'packed.jsonl.gz']).code).toBe(0);
    expect(gunzipSync(readFileSync(path.join(dir, 'packed.jsonl.gz')))).toEqual(readFileSync(path.join(dir, 'plain.jsonl')));
  });

  it('CSV: the header and the kept rows, bytes unchanged (quoted line breaks and CRLF included)', () => {
    const r = goldenDedup('dedup-records-csv', [
      'records/posts.csv',
      '--out',
      'clean.csv',
      '--id-field',
      'id',
      '--manifest',
      'removed.jsonl',
      '--color',
      'never',
    ]);
    expect(r.code).toBe(0);
    const input = readFileSync(path.join(dir, 'records', 'posts.csv'), 'utf8');
    const rows = input.split(/(?<=\r\n)/); // no CRLF inside the quoted fields of this file
    const byId = new Map(rows.map((row) => [row.slice(0, 2), row]));
    expect(readFileSync(path.join(dir, 'clean.csv'), 'utf8')).toBe([rows[0], byId.get('c1'), byId.get('c2'), byId.get('c4')].join(''));
    expect(manifest('removed.jsonl').map((l) => [l.removedId, l.keptId])).toEqual([
      ['c3', 'c1'],
      ['c5', 'c4'],
    ]);
  });
});

describe('refusals: one line on stderr, exit 2, nothing written', () => {
  const refusals: [string, string[], (d: string) => void][] = [
    ['dedup-refuse-out-in-input', ['docs', '--out', 'docs/clean'], () => {}],
    ['dedup-refuse-input-in-out', ['docs', '--out', '.', '--force'], () => {}],
    ['dedup-refuse-out-is-file', ['docs', '--out', 'notes.txt'], (d) => writeFileSync(path.join(d, 'notes.txt'), 'x')],
    ['dedup-refuse-records-out-is-folder', ['records/posts.jsonl', '--out', 'clean.jsonl'], (d) => mkdirSync(path.join(d, 'clean.jsonl'))],
    ['dedup-refuse-records-out-exists', ['records/posts.jsonl', '--out', 'clean.jsonl'], (d) => writeFileSync(path.join(d, 'clean.jsonl'), '{"text":"old"}\n')],
    ['dedup-refuse-out-parent-is-file', ['docs', '--out', 'notes.txt/clean'], (d) => writeFileSync(path.join(d, 'notes.txt'), 'x')],
    ['dedup-refuse-manifest-in-input', ['docs', '--out', 'clean', '--manifest', 'docs/removed.jsonl'], () => {}],
    ['dedup-refuse-manifest-in-out', ['docs', '--out', 'clean', '--manifest', 'clean/removed.jsonl'], () => {}],
    ['dedup-refuse-manifest-exists', ['docs', '--out', 'clean', '--manifest', 'removed.jsonl'], (d) => writeFileSync(path.join(d, 'removed.jsonl'), 'old\n')],
    ['dedup-refuse-manifest-is-out', ['records/posts.jsonl', '--out', 'clean.jsonl', '--manifest', 'clean.jsonl'], () => {}],
    ['dedup-refuse-records-to-folder', ['docs', 'records/posts.jsonl', '--out', 'clean'], () => {}],
    ['dedup-refuse-records-found-in-folder', ['docs', 'records', '--out', 'clean'], () => {}],
    ['dedup-refuse-documents-to-records', ['docs', '--out', 'clean.jsonl'], () => {}],
    ['dedup-refuse-csv-to-jsonl', ['records/posts.csv', '--out', 'clean.jsonl'], () => {}],
    ['dedup-refuse-json-array', ['array.json', '--out', 'clean.jsonl'], (d) => writeFileSync(path.join(d, 'array.json'), '[{"text":"a b c d e f g h i j"}]')],
    ['dedup-refuse-stdin', ['-', '--out', 'clean'], () => {}],
    ['dedup-refuse-no-out', ['docs'], () => {}],
    ['dedup-refuse-newest-records', ['records/posts.jsonl', '--out', 'clean.jsonl', '--keep', 'newest'], () => {}],
    ['dedup-refuse-link-records', ['records/posts.jsonl', '--out', 'clean.jsonl', '--link'], () => {}],
    ['dedup-refuse-bad-keep', ['docs', '--out', 'clean', '--keep', 'biggest'], () => {}],
    // what the scan read, wherever it really is: an input the walk reached through a link into
    // the output --force would replace; the --files-from list or the config file as the manifest
    [
      'dedup-refuse-linked-input-in-out',
      ['docs', '--out', 'clean', '--force'],
      (d) => {
        mkdirSync(path.join(d, 'clean'));
        writeFileSync(path.join(d, 'clean', 'precious.txt'), 'Only copy of a note about tides, kept in the old output folder.\n');
        symlinkSync('../../clean/precious.txt', path.join(d, 'docs', 'notes', 'precious.txt'));
      },
    ],
    [
      'dedup-refuse-manifest-is-list',
      ['--files-from', 'list.txt', '--out', 'clean', '--manifest', 'list.txt', '--force'],
      (d) => writeFileSync(path.join(d, 'list.txt'), 'docs/news/lighthouse.txt\ndocs/mirror/lighthouse.html\n'),
    ],
    [
      'dedup-refuse-manifest-is-config',
      ['docs', '--out', 'clean', '--manifest', '.neardup.json', '--force'],
      (d) => writeFileSync(path.join(d, '.neardup.json'), '{ "threshold": 0.65 }\n'),
    ],
    [
      'dedup-refuse-out-is-link',
      ['docs', '--out', 'outlink'],
      (d) => {
        mkdirSync(path.join(d, 'real'));
        symlinkSync('real', path.join(d, 'outlink'));
      },
    ],
  ];
  for (const [name, args, prepare] of refusals) {
    it(name.replace('dedup-refuse-', ''), () => {
      prepare(dir);
      const before = new Map(readdirSync(dir).map((f) => [f, statSync(path.join(dir, f)).mtimeMs]));
      const inputs = snapshot(dir);
      const r = goldenDedup(name, args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n').length).toBeLessThanOrEqual(2); // commander adds "(run with --help for usage)"
      // nothing new, nothing changed
      expect(new Map(readdirSync(dir).map((f) => [f, statSync(path.join(dir, f)).mtimeMs]))).toEqual(before);
      expect(snapshot(dir)).toEqual(inputs);
    });
  }
});

describe('inputs that cannot be read', () => {
  it('stop the output being written (exit 2); --skip-errors writes it without them (exit 0)', () => {
    const r = goldenDedup('dedup-missing-input', ['docs', 'missing', '--out', 'clean', '--color', 'never']);
    expect(r.code).toBe(2);
    expect(existsSync(path.join(dir, 'clean'))).toBe(false);
    const s = goldenDedup('dedup-missing-input-skip', ['docs', 'missing', '--out', 'clean', '--skip-errors', '--color', 'never']);
    expect(s.code).toBe(0);
    expect(files(path.join(dir, 'clean'))).toHaveLength(3);
  });

  it('a broken record is left out with --skip-errors; the others are written unchanged', () => {
    const file = path.join(dir, 'records', 'posts.jsonl');
    const lines = readFileSync(file, 'latin1').split(/(?<=\n)/);
    lines[2] = '{"id": broken\n';
    writeFileSync(file, lines.join(''), 'latin1');
    expect(dedup(['records/posts.jsonl', '--out', 'clean.jsonl']).code).toBe(2);
    expect(existsSync(path.join(dir, 'clean.jsonl'))).toBe(false);
    expect(dedup(['records/posts.jsonl', '--out', 'clean.jsonl', '--skip-errors']).code).toBe(0);
    expect(readFileSync(path.join(dir, 'clean.jsonl'), 'latin1')).toBe([lines[0], lines[1], lines[4], lines[5]].join(''));
  });

  it('a hard link in the input (one file under two names) is read and written once', () => {
    linkSync(path.join(dir, 'docs', 'notes', 'archive', 'river.txt'), path.join(dir, 'docs', 'notes', 'river-link.txt'));
    const r = dedup(['docs', '--out', 'clean', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).skipped.map((s: { reason: string }) => s.reason)).toEqual(['duplicate-path', 'empty']);
  });
});

describe('a file that changes between the scan and its copy', () => {
  const SEEDS = path.join(ROOT, 'seeds');
  const SHORT = readFileSync(path.join(SEEDS, '000_241594d10820ed7f.txt'));
  const LONG = readFileSync(path.join(SEEDS, '001_8ed3a1ba6430ba1a.txt'));
  /**
   * Another program at work: a preloaded module that, just before dedup copies the file
   * HOOK_FILE, rewrites it (HOOK_ACTION text or gzip), appends to it (append) or removes it (delete).
   */
  const HOOK = `
const fs = require('node:fs');
const path = require('node:path');
const target = path.resolve(process.env.HOOK_FILE);
const copy = fs.promises.copyFile;
fs.promises.copyFile = async (src, dst, mode) => {
  if (path.resolve(Buffer.isBuffer(src) ? src.toString() : String(src)) === target) {
    const other = 'Entirely different text, about mountains and the rivers that run down from them.';
    const action = process.env.HOOK_ACTION;
    if (action === 'delete') fs.rmSync(target);
    else if (action === 'append') fs.appendFileSync(target, other);
    else fs.writeFileSync(target, action === 'gzip' ? require('node:zlib').gzipSync(other) : other);
  }
  return copy(src, dst, mode);
};
require('node:module').syncBuiltinESMExports();
`;
  function withHook(args: string[], file: string, action: string): RunResult {
    const hook = path.join(dir, 'hook.cjs');
    writeFileSync(hook, HOOK);
    return run(['dedup', ...args], { cwd: dir, env: { NODE_OPTIONS: `--require ${hook}`, HOOK_FILE: path.join(dir, file), HOOK_ACTION: action } });
  }
  const leftovers = () => readdirSync(dir).filter((f) => f.includes('.tmp') || f.startsWith('.neardup'));
  /** plain/a.txt (the shorter seed) and plain/b.txt (the longer, kept by --keep longest). */
  function plainPair(): void {
    mkdirSync(path.join(dir, 'plain'));
    writeFileSync(path.join(dir, 'plain', 'a.txt'), SHORT);
    writeFileSync(path.join(dir, 'plain', 'b.txt'), LONG);
  }

  it('a .gz file rewritten: the run stops (exit 2), nothing written', () => {
    mkdirSync(path.join(dir, 'gz'));
    writeFileSync(path.join(dir, 'gz', 'a.txt'), SHORT);
    writeFileSync(path.join(dir, 'gz', 'b.txt.gz'), gzipSync(LONG));
    const r = withHook(['gz', '--out', 'clean', '--keep', 'longest'], 'gz/b.txt.gz', 'gzip');
    expect(r.stderr).toContain('neardup: gz/b.txt.gz: changed since it was scanned (run again)\n');
    expect(r.code).toBe(2);
    expect(existsSync(path.join(dir, 'clean'))).toBe(false);
    expect(leftovers()).toEqual([]);
  });
  it('a plain file appended to after its size was checked: the run stops, nothing written', () => {
    plainPair();
    const r = withHook(['plain', '--out', 'clean', '--keep', 'longest'], 'plain/b.txt', 'append');
    expect(r.stderr).toContain('neardup: plain/b.txt: changed since it was scanned (run again)\n');
    expect(r.code).toBe(2);
    expect(existsSync(path.join(dir, 'clean'))).toBe(false);
  });
  it('a file removed before its copy: exit 2, and the folders made for the output are removed too', () => {
    plainPair();
    const r = withHook(['plain', '--out', 'new/deep/clean', '--keep', 'longest'], 'plain/b.txt', 'delete');
    expect(r.stderr).toMatch(/^neardup: plain\/b\.txt: /m);
    expect(r.code).toBe(2);
    expect(existsSync(path.join(dir, 'new'))).toBe(false);
  });
  it('without a change the copy is checked and written as before (hook on, acting on another file)', () => {
    plainPair();
    const r = withHook(['plain', '--out', 'clean', '--keep', 'longest'], 'plain/none.txt', 'append');
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, 'clean', 'b.txt'))).toEqual(LONG);
  });
});

describe('names', () => {
  it("a file whose name starts with '..' is copied like any other", () => {
    mkdirSync(path.join(dir, 'dots'));
    writeFileSync(path.join(dir, 'dots', 'a.txt'), readFileSync(path.join(ROOT, 'seeds', '000_241594d10820ed7f.txt')));
    writeFileSync(path.join(dir, 'dots', '..b.txt'), readFileSync(path.join(ROOT, 'seeds', '001_8ed3a1ba6430ba1a.txt')));
    const r = dedup(['dots', '--hidden', '--out', 'clean', '--keep', 'longest']);
    expect(r.stderr).not.toContain('not under');
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(dir, 'clean'))).toEqual(['..b.txt']);
  });
});

describe('a config file', () => {
  it('gives dedup its similarity settings; scan report keys in it (format, maxGroups) do not apply', () => {
    writeFileSync(path.join(dir, '.neardup.json'), JSON.stringify({ metric: 'jaccard', threshold: 0.9, format: 'sarif', maxGroups: 3 }));
    const printed = goldenDedup('dedup-print-config', ['docs', '--out', 'clean', '--keep', 'longest', '--print-config']);
    expect(printed.code).toBe(0);
    expect(JSON.parse(printed.stdout).settings).toMatchObject({ metric: 'jaccard', threshold: 0.9 });
    const r = dedup(['docs', '--out', 'clean', '--format', 'json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.settings).toMatchObject({ metric: 'jaccard', threshold: 0.9 });
    // Jaccard >= 0.9: the HTML page and the article it carries, the two breads; not the excerpts
    expect(report.removed.map((x: { removed: string }) => x.removed)).toEqual(['docs/news/lighthouse.txt', 'docs/notes/bread.txt']);
  });
});

describe('dedup --help', () => {
  it('golden', () => {
    const r = run(['dedup', '--help']);
    const { actual, expected } = golden('dedup-help', ['dedup', '--help'], r);
    expect(actual).toBe(expected);
  });
});
