/** End-to-end: every report format, spawned through the built binary, against golden files. */
import { chmodSync, copyFileSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, golden, goldenCases, ROOT, run, sh, titled, unprivileged } from './helpers.js';

const FORMATS = ['jsonl', 'csv', 'sarif', 'github', 'markdown'];

const cases: [string, string[]][] = [
  ...FORMATS.map((f): [string, string[]] => [`mixed-${f}`, ['scan', 'fixtures/mixed', '--format', f]]),
  ...FORMATS.map((f): [string, string[]] => [`clean-${f}`, ['scan', 'fixtures/clean', '--format', f]]),
  ['missing-jsonl', ['scan', 'fixtures/clean', 'fixtures/does-not-exist', 'seeds', '--format', 'jsonl']],
  ['missing-sarif', ['scan', 'fixtures/does-not-exist', 'seeds', '--format', 'sarif']],
  ['missing-github', ['scan', 'fixtures/does-not-exist', 'seeds', '--format', 'github']],
  // records are located at their file and line (not at a file named `posts.csv:2`, line 1)
  ['records-github', ['scan', 'fixtures/dedup/records', '--format', 'github']],
  ['records-sarif', ['scan', 'fixtures/dedup/records', '--format', 'sarif']],
];

describe('golden output of every format', () => {
  goldenCases(cases, it, expect);
});

describe('awkward file names', () => {
  // Names with the characters each format must escape: CSV (comma, quote), annotations
  // (`%`, `:`, `,`), markdown (`|`, backtick), URIs (space, `#`, non-ASCII).
  let dir = '';
  const names = ['report, "final".txt', '100%: notes|`draft`.txt', 'café #2.txt'];
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'neardup-names-'));
    const text = readFileSync(path.join(ROOT, 'fixtures', 'mixed', 'article.txt'), 'utf8');
    for (const n of names) writeFileSync(path.join(dir, n), text);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ['csv', 'github', 'markdown', 'sarif']) {
    it(`are escaped in ${f}`, () => {
      const args = ['scan', '.', '--format', f];
      const { actual, expected } = golden(`awkward-${f}`, args, run(args, { cwd: dir }));
      expect(actual).toBe(expected);
    });
  }
  it('survive a CSV round trip', () => {
    const r = run(['scan', '.', '--format', 'csv'], { cwd: dir });
    const rows = parseCsv(r.stdout);
    expect(rows[0]).toEqual(['a', 'b', 'jaccard', 'containment', 'group']);
    const paths = new Set(rows.slice(1).flatMap((row) => [row[0], row[1]]));
    expect([...paths].sort()).toEqual(names.map((n) => n).sort());
  });
});

/** A strict RFC 4180 parser (CRLF records, quoted fields), to check what the writer produces. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else {
          field += text[i++];
        }
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') field += text[i++];
    }
    row.push(field);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) throw new Error(`bad CSV at ${i}`);
  }
  return rows;
}

describe('JSONL', () => {
  // a file that cannot be read: root reads anything, so as root the scan runs as an unprivileged user
  const other = unprivileged();
  it.skipIf(other.skip !== undefined)(
    titled('has begin first, skips and errors as they happen, summary last — even when a file fails to read', other.skip),
    () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'neardup-jsonl-'));
      try {
        chmodSync(dir, 0o755);
        cpSync(path.join(ROOT, 'fixtures', 'mixed'), path.join(dir, 'corpus'), { recursive: true });
        writeFileSync(path.join(dir, 'corpus', 'locked.txt'), 'secret text that nobody may read');
        chmodSync(path.join(dir, 'corpus', 'locked.txt'), 0o000);
        const r = run(['scan', 'corpus', '--format', 'jsonl'], { wrap: other.wrap, cwd: dir });
        expect(r.code).toBe(2);
        expect(r.stderr).toBe('neardup: corpus/locked.txt: cannot read: permission denied\n');
        const events = r.stdout
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as { type: string; data: Record<string, unknown> });
        for (const e of events) expect(Object.keys(e)).toEqual(['type', 'data']);
        const types = events.map((e) => e.type);
        expect(types[0]).toBe('begin');
        expect(types.at(-1)).toBe('summary');
        expect(types.filter((t) => t === 'summary')).toHaveLength(1);
        // skips and errors come before the groups: they were written while the scan ran
        const firstGroup = types.indexOf('group');
        expect(types.lastIndexOf('error')).toBeLessThan(firstGroup);
        expect(types.lastIndexOf('skip')).toBeLessThan(firstGroup);
        expect(events.find((e) => e.type === 'error')!.data).toEqual({ path: 'corpus/locked.txt', message: 'cannot read: permission denied' });
        expect(types.filter((t) => t === 'group')).toHaveLength(2);
        expect((events.at(-1)!.data.counts as { failed: number }).failed).toBe(1);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

describe('--output FILE', () => {
  it('writes the report to the file, nothing to stdout, and leaves no temporary file', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-out-'));
    try {
      const file = path.join(dir, 'report.sarif');
      const r = run(['scan', 'seeds', '--format', 'sarif', '--output', file]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe('2.1.0');
      expect(readdirSync(dir)).toEqual(['report.sarif']);
      expect(readFileSync(file, 'utf8')).toBe(run(['scan', 'seeds', '--format', 'sarif']).stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('replaces an old report only when the new one is complete', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-out-'));
    try {
      const file = path.join(dir, 'report.json');
      writeFileSync(file, 'old report');
      // a bad option fails before anything is written: the old report stays
      expect(run(['scan', 'seeds', '--format', 'json', '--output', file, '--threshold', '7']).code).toBe(2);
      expect(readFileSync(file, 'utf8')).toBe('old report');
      expect(run(['scan', 'seeds', '--format', 'json', '--output', file]).code).toBe(1);
      expect(JSON.parse(readFileSync(file, 'utf8')).schema).toBe('neardup/scan');
      expect(readdirSync(dir)).toEqual(['report.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('names the file when it cannot be written, exit 2', () => {
    const r = run(['scan', 'seeds', '--output', 'no/such/folder/report.txt']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('neardup: no/such/folder/report.txt: cannot write: no such file or directory\n');
    expect(existsSync(path.join(ROOT, 'no'))).toBe(false);
  });
});

describe('neardup scan fixtures/copies --format F | head -c 10', () => {
  // 40 copies of one notice: 780 pairs, reports far larger than a pipe's buffer, so neardup is
  // still writing when head exits
  for (const [format, start] of [
    ['json', '{\n  "schem'],
    ['jsonl', '{"type":"b'],
    ['csv', 'a,b,jaccar'],
  ]) {
    it(`exits 0 with no stack trace (${format})`, () => {
      const script = `"${process.execPath}" "${BIN}" scan fixtures/copies --format ${format} | head -c 10; echo; echo "status=\${PIPESTATUS[0]}"`;
      const r = sh('bash', ['-c', script]);
      expect(r.stdout).toBe(`${start}\nstatus=0\n`);
      expect(r.stderr).toBe('');
    });
  }
});

describe('a bad record in the CI formats', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'neardup-badrec-'));
    writeFileSync(path.join(dir, 'r.jsonl'), '{"text":"hello there, friend of mine"}\n{"text": broken\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('github: an error annotation at its file and line', () => {
    const r = run(['scan', 'r.jsonl', '--format', 'github'], { cwd: dir });
    expect(r.stdout.split('\n')[0]).toMatch(/^::error file=r\.jsonl,line=2,title=neardup could not read this record::invalid JSON/);
    expect(r.code).toBe(2);
  });
  it('jsonl: the error line has the source and line the JSON report gives', () => {
    const lines = run(['scan', 'r.jsonl', '--format', 'jsonl'], { cwd: dir })
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const json = JSON.parse(run(['scan', 'r.jsonl', '--format', 'json'], { cwd: dir }).stdout);
    const errors = lines.filter((l) => l.type === 'error').map((l) => l.data);
    expect(errors).toEqual(json.errors);
    expect(errors[0]).toMatchObject({ path: 'r.jsonl:2', source: 'r.jsonl', line: 2 });
  });
  it('sarif: a notification whose location is the file, with the line as its region', () => {
    const r = run(['scan', 'r.jsonl', '--format', 'sarif'], { cwd: dir });
    const n = JSON.parse(r.stdout).runs[0].invocations[0].toolExecutionNotifications[0];
    expect(n.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'r.jsonl', uriBaseId: '%SRCROOT%' }, region: { startLine: 2 } });
    expect(n.message.text).toMatch(/^r\.jsonl:2: invalid JSON/);
  });
});

describe('records of a minified JSON array: located by line and column in every format', () => {
  let dir = '';
  const TEXT = 'the quick brown fox jumps over the lazy dog while the farmer sleeps in the warm afternoon sun';
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'neardup-jsonarr-'));
    // three records on line 1 (the second a copy of the first), then one that is not an object
    writeFileSync(path.join(dir, 'arr.json'), `[{"text":"${TEXT}"},{"text":"${TEXT}!"},{"text":"something else entirely, about boats"},\n 7]`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it('json: members carry source, line and column (in characters); the bad record too', () => {
    const r = run(['scan', 'arr.json', '--format', 'json'], { cwd: dir });
    const report = JSON.parse(r.stdout);
    expect(report.groups[0].members.map((m: object) => ({ ...m, bytes: 0, chars: 0, shingles: 0 }))).toEqual([
      { path: 'arr.json:1:2', id: 'arr.json:1:2', source: 'arr.json', line: 1, column: 2, bytes: 0, chars: 0, shingles: 0 },
      {
        path: `arr.json:1:${2 + TEXT.length + 12}`,
        id: `arr.json:1:${2 + TEXT.length + 12}`,
        source: 'arr.json',
        line: 1,
        column: 2 + TEXT.length + 12,
        bytes: 0,
        chars: 0,
        shingles: 0,
      },
    ]);
    const problems = [...report.errors, ...report.skipped, ...report.warnings];
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ path: 'arr.json:2:2', source: 'arr.json', line: 2, column: 2 });
  });
  it('an array cut short is located just past its last character (column 1 of a last empty line, not 0)', () => {
    writeFileSync(path.join(dir, 'cut.json'), `[{"text":"${TEXT}"},\n`);
    const r = run(['scan', 'cut.json', '--format', 'json'], { cwd: dir });
    expect(r.stderr).toBe("neardup: cut.json:2:1: invalid JSON: the file ends before the array's ']'\n");
    expect(JSON.parse(r.stdout).errors[0]).toMatchObject({ source: 'cut.json', line: 2, column: 1 });
  });
  it('sarif: region.startLine and startColumn; github: line= and col=', () => {
    const sarif = JSON.parse(run(['scan', 'arr.json', '--format', 'sarif'], { cwd: dir }).stdout).runs[0];
    expect(sarif.columnKind).toBe('unicodeCodePoints');
    const regions = sarif.results[0].locations
      .concat(sarif.results[0].relatedLocations ?? [])
      .map((l: { physicalLocation: { region: object } }) => l.physicalLocation.region);
    expect(regions).toContainEqual({ startLine: 1, startColumn: 2 });
    expect(regions).toContainEqual({ startLine: 1, startColumn: 2 + TEXT.length + 12 });
    const github = run(['scan', 'arr.json', '--format', 'github'], { cwd: dir }).stdout;
    expect(github).toMatch(/^::warning file=arr\.json,line=1,col=2,title=Near-duplicate documents/m);
  });
});

describe('github: the suggested compare names a verified pair', () => {
  it('a group joined through a chain: the first member and one it was verified against, not any other member', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-chain-'));
    try {
      const news = path.join(ROOT, 'fixtures', 'dedup', 'docs');
      // the end and the start of one article share almost nothing; each is inside the page
      copyFileSync(path.join(news, 'news', 'lighthouse-end.txt'), path.join(dir, 'a-end.txt'));
      copyFileSync(path.join(news, 'news', 'lighthouse-start.txt'), path.join(dir, 'b-start.txt'));
      copyFileSync(path.join(news, 'mirror', 'lighthouse.html'), path.join(dir, 'c.html'));
      const r = run(['scan', '.', '--format', 'github', '--no-config'], { cwd: dir });
      const warning = r.stdout.split('\n')[0]!;
      expect(warning).toContain('a-end.txt is in a group of 3 near-duplicate documents');
      expect(warning).toMatch(/neardup compare a-end\.txt c\.html$/);
      const json = JSON.parse(run(['scan', '.', '--format', 'json', '--no-config'], { cwd: dir }).stdout);
      expect(json.groups[0].pairs.map((p: { a: string; b: string }) => [p.a, p.b])).toContainEqual(['a-end.txt', 'c.html']);
      expect(json.groups[0].pairs.map((p: { a: string; b: string }) => [p.a, p.b])).not.toContainEqual(['a-end.txt', 'b-start.txt']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
