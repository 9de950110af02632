/** End-to-end: `neardup compare` and `scan --explain`, through the built binary. */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goldenCases, mkfifo, ROOT, run } from './helpers.js';

const STRIPPED = 'seeds/000_241594d10820ed7f.txt';
const FORMATTED = 'seeds/001_8ed3a1ba6430ba1a.txt';

const cases: [string, string[]][] = [
  ['compare-seeds', ['compare', STRIPPED, FORMATTED]],
  ['compare-seeds-json', ['compare', STRIPPED, FORMATTED, '--format', 'json', '--passages', '4']],
  ['compare-seeds-full', ['compare', FORMATTED, STRIPPED, '--context', 'all', '--passages', '6']],
  ['compare-html-markdown', ['compare', 'fixtures/mixed/article-copy.html', 'fixtures/mixed/notes/article-excerpt.md']],
  ['compare-different', ['compare', 'fixtures/clean/bread.txt', 'fixtures/clean/river.txt']],
  ['compare-missing', ['compare', STRIPPED, 'seeds/nope.txt']],
  ['compare-records', ['compare', 'fixtures/dedup/records/posts.csv:2', 'fixtures/dedup/records/posts.jsonl:1', '--passages', '3']],
  ['compare-record-no-such-line', ['compare', 'fixtures/dedup/records/posts.csv:3', 'fixtures/dedup/records/posts.jsonl:1']],
  ['compare-folder', ['compare', 'seeds', STRIPPED]],
  ['compare-bad-format', ['compare', STRIPPED, FORMATTED, '--format', 'sarif']],
  ['compare-help', ['compare', '--help']],
  ['explain-mixed-text', ['scan', 'fixtures/mixed', '--explain', '--passages', '3']],
  ['explain-seeds-jsonl', ['scan', 'seeds', '--explain', '--passages', '2', '--format', 'jsonl']],
  ['explain-csv', ['scan', 'seeds', '--explain', '--format', 'csv']],
  ['help', ['--help']],
  ['version', ['--version']],
];

describe('golden compare and --explain output', () => {
  goldenCases(cases, it, expect);
});

describe('neardup compare seeds/<stripped> seeds/<formatted>', () => {
  it('--context 0 keeps nothing of a long passage but its length (it printed the whole passage after the marker)', () => {
    const r = run(['compare', STRIPPED, FORMATTED, '--context', '0']);
    expect(r.code).toBe(1);
    const marked = r.stdout.split('\n').filter((l) => l.includes('more characters]'));
    expect(marked.length).toBeGreaterThan(0);
    for (const l of marked) expect(l).toMatch(/^\s*[=+-] … \[[\d,]+ more characters\] …$/);
  });
  it('shows the boilerplate line as only in the formatted copy, and >= 90% of its words as shared', () => {
    const r = run(['compare', STRIPPED, FORMATTED, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as {
      passages: { type: string; a?: { start: number; end: number; text: string }; b?: { start: number; end: number; text: string } }[];
    };
    const onlyB = report.passages.filter((p) => p.type === 'only-b').map((p) => p.b!.text.trim());
    expect(onlyB).toContain('WIRED UK This story originally appeared on WIRED UK.');
    const text = run(['compare', STRIPPED, FORMATTED]).stdout;
    expect(text).toContain('\n+ WIRED UK This story originally appeared on WIRED UK.\n');
    // the formatted copy's words, by code point offsets
    const formatted = Array.from(readFileSync(FORMATTED, 'utf8'));
    const words: [number, number][] = [];
    let start = -1;
    formatted.forEach((ch, i) => {
      const inWord = /[\p{L}\p{N}’'-]/u.test(ch);
      if (inWord && start < 0) start = i;
      if (!inWord && start >= 0) {
        words.push([start, i]);
        start = -1;
      }
    });
    if (start >= 0) words.push([start, formatted.length]);
    const shared = report.passages.filter((p) => p.type === 'shared').map((p) => p.b!);
    const sharedWords = words.filter(([s, e]) => shared.some((p) => p.start <= s && e <= p.end));
    expect(sharedWords.length / words.length).toBeGreaterThanOrEqual(0.9);
    // the shared passages' text is the file's own text at those offsets
    for (const p of shared) expect(formatted.slice(p.start, p.end).join('')).toBe(p.text);
  });
});

describe('colour', () => {
  it('compare colours a terminal (or --color always), never its JSON', () => {
    expect(run(['compare', STRIPPED, FORMATTED, '--color', 'always']).stdout).toMatch(/\u001b\[/);
    expect(run(['compare', STRIPPED, FORMATTED]).stdout).not.toMatch(/\u001b\[/);
    expect(run(['compare', STRIPPED, FORMATTED, '--format', 'json', '--color', 'always'], { env: { FORCE_COLOR: '3' } }).stdout).not.toMatch(/\u001b\[/);
  });
  it('no machine format is ever coloured', () => {
    for (const f of ['json', 'jsonl', 'csv', 'sarif', 'github', 'markdown']) {
      const r = run(['scan', 'seeds', '--format', f, '--color', 'always', ...(f === 'json' || f === 'jsonl' ? ['--explain'] : [])], {
        env: { FORCE_COLOR: '3' },
      });
      expect(r.stdout, f).not.toMatch(/\u001b\[/);
    }
  });
});

describe('scan --explain', () => {
  it('shows the first --passages passages of each pair, by default 10', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-explain-'));
    try {
      cpSync(path.join(ROOT, 'seeds'), path.join(dir, 'seeds'), { recursive: true });
      const r = run(['scan', 'seeds', '--explain', '--format', 'json'], { cwd: dir });
      expect(r.code).toBe(1);
      const pair = JSON.parse(r.stdout).groups[0].pairs[0];
      expect(pair.alignment.passages.length).toBe(10);
      expect(pair.alignment.passagesNotShown).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('scan --explain of records and .gz files (it said `cannot read` for every record, `binary` for .gz)', () => {
  it('records whose text holds a carriage return (JSONL \\r\\n, CRLF in a quoted CSV field) are aligned, not said to have changed', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-explain-cr-'));
    try {
      const text = 'one two three four five six\r\nseven eight nine ten eleven twelve';
      writeFileSync(path.join(dir, 'a.jsonl'), `${JSON.stringify({ text })}\n${JSON.stringify({ text })}\n`);
      writeFileSync(path.join(dir, 'b.csv'), `id,text\r\n1,"${text}"\r\n2,"${text}"\r\n`);
      for (const file of ['a.jsonl', 'b.csv']) {
        const r = run(['scan', file, '--explain', '--format', 'json'], { cwd: dir });
        expect(r.stderr, file).toBe('');
        expect(r.code).toBe(1);
        const pair = JSON.parse(r.stdout).groups[0].pairs[0];
        expect(pair.alignment.coverage, file).toEqual({ a: 1, b: 1 });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('JSONL, CSV and JSON-array records, and a .gz document, are aligned like files', () => {
    // every pair of the records fixture (JSONL and CSV), aligned, none with an error
    const recs = run(['scan', 'fixtures/dedup/records', '--explain', '--format', 'json']);
    expect(recs.stderr).toBe('');
    const pairs = JSON.parse(recs.stdout).groups.flatMap((g: { pairs: object[] }) => g.pairs) as {
      a: string;
      alignment: { error?: string; coverage?: object };
    }[];
    expect(pairs.length).toBeGreaterThan(3);
    for (const p of pairs) expect(p.alignment.coverage).toBeDefined();
    expect(pairs.map((p) => p.a)).toContainEqual(expect.stringMatching(/posts\.csv:\d+$/));
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-explain-rec-'));
    try {
      const [a, b] = ['000_241594d10820ed7f.txt', '001_8ed3a1ba6430ba1a.txt'].map((f) => readFileSync(path.join(ROOT, 'seeds', f), 'utf8'));
      writeFileSync(path.join(dir, 'arr.json'), JSON.stringify([{ text: a }, { text: b }]));
      writeFileSync(path.join(dir, 'b.txt.gz'), gzipSync(b!));
      writeFileSync(path.join(dir, 'a.txt'), a!);
      for (const args of [['arr.json'], ['a.txt', 'b.txt.gz']]) {
        const r = run(['scan', ...args, '--explain', '--format', 'json'], { cwd: dir });
        expect(r.stderr).toBe('');
        const pair = JSON.parse(r.stdout).groups[0].pairs[0];
        expect(pair.alignment.coverage).toEqual({ a: 0.9954, b: 0.9827 });
      }
      // compare reads NAME.gz as NAME too
      const c = run(['compare', 'a.txt', 'b.txt.gz', '--format', 'json'], { cwd: dir });
      expect(c.stderr).toBe('');
      expect(JSON.parse(c.stdout).scores.containment).toBe(0.965);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('neardup compare FILE:LINE: a record, named as scan reports name it', () => {
  it('gives exactly the scores a scan gives the pair, for every pair of a group', () => {
    const scan = JSON.parse(run(['scan', 'fixtures/dedup/records', '--format', 'json']).stdout) as {
      pairs: { a: string; b: string; jaccard: number; containment: number }[];
    };
    expect(scan.pairs.length).toBeGreaterThan(3);
    for (const p of scan.pairs) {
      const r = run(['compare', p.a, p.b, '--format', 'json', '--passages', '1']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(1);
      const c = JSON.parse(r.stdout) as { a: { path: string }; scores: { jaccard: number; containment: number } };
      expect(c.a.path).toBe(p.a);
      expect([c.scores.jaccard, c.scores.containment]).toEqual([p.jaccard, p.containment]);
    }
  });

  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'neardup-cmprec-'));
    const article = readFileSync(path.join(ROOT, 'fixtures', 'mixed', 'article.txt'), 'utf8');
    writeFileSync(path.join(dir, 'arr.json'), JSON.stringify([{ text: article }, { text: `${article} The end.` }]));
    writeFileSync(path.join(dir, 'b.jsonl'), `${JSON.stringify({ body: article })}\n${JSON.stringify({ body: `${article} The end.` })}\n`);
    writeFileSync(path.join(dir, 'digits-a.txt'), '123 456 !!!\n');
    writeFileSync(path.join(dir, 'digits-b.txt'), '789 ...\n');
    mkfifo(path.join(dir, 'fifo.txt'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('JSON array records: FILE:LINE:COLUMN; FILE:LINE alone is refused when several start on the line', () => {
    const scan = JSON.parse(run(['scan', 'arr.json', '--format', 'json'], { cwd: dir }).stdout) as { pairs: { a: string; b: string }[] };
    const [p] = scan.pairs;
    expect(p).toMatchObject({ a: 'arr.json:1:2', b: expect.stringMatching(/^arr\.json:1:\d+$/) });
    expect(run(['compare', p!.a, p!.b], { cwd: dir }).code).toBe(1);
    const r = run(['compare', 'arr.json:1', p!.b], { cwd: dir });
    expect(r.stderr).toMatch(/^neardup: arr\.json:1: 2 records start on line 1 \(columns 2, \d+\); name one as arr\.json:1:COLUMN\n$/);
    expect(r.code).toBe(2);
  });

  it('--text-field names the field, as the github hint says', () => {
    const hint = run(['scan', 'b.jsonl', '--text-field', 'body', '--format', 'github'], { cwd: dir }).stdout;
    expect(hint).toContain('neardup compare b.jsonl:1 b.jsonl:2 --text-field body');
    expect(run(['compare', 'b.jsonl:1', 'b.jsonl:2', '--text-field', 'body'], { cwd: dir }).code).toBe(1);
    const bad = run(['compare', 'b.jsonl:1', 'b.jsonl:2'], { cwd: dir });
    expect(bad.stderr).toBe("neardup: b.jsonl:1: no field 'text' (it has body; see --text-field)\n");
    expect(bad.code).toBe(2);
  });

  it('--output over the record file is refused, and the file is left as it was', () => {
    const before = readFileSync(path.join(dir, 'b.jsonl'));
    const r = run(['compare', 'b.jsonl:1', 'b.jsonl:2', '--text-field', 'body', '-o', 'b.jsonl'], { cwd: dir });
    expect(r.stderr).toMatch(/^neardup: b\.jsonl: report not written: it would replace an input file/);
    expect(r.code).toBe(2);
    expect(readFileSync(path.join(dir, 'b.jsonl'))).toEqual(before);
  });

  it('a FIFO is refused at once (not opened, so it cannot hang)', () => {
    // were it opened, it would wait for a writer: the time limit stops it, and the test fails
    const r = run(['compare', 'fifo.txt', 'digits-a.txt'], { cwd: dir, timeout: 20_000 });
    expect(r.stderr).toBe('neardup: fifo.txt: is a FIFO (named pipe), not a file\n');
    expect(r.code).toBe(2);
  });

  it('documents without letters have nothing to share: scores 0, not near-duplicates, as a scan skips them', () => {
    const r = run(['compare', 'digits-a.txt', 'digits-b.txt', '--format', 'json'], { cwd: dir });
    const c = JSON.parse(r.stdout) as { scores: Record<string, number>; nearDuplicates: boolean };
    expect(c.scores).toMatchObject({ jaccard: 0, containment: 0, estimate: 0 });
    expect(c.nearDuplicates).toBe(false);
    expect(r.code).toBe(0);
    const text = run(['compare', 'digits-a.txt', 'digits-b.txt'], { cwd: dir }).stdout;
    expect(text).toContain('not near-duplicates (A and B have no shingles: a scan skips them as empty)');
    expect(text).toContain('jaccard 0.000 · containment 0.000');
  });
});
