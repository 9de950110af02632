/** End-to-end: spawn the built binary on fixtures; compare golden stdout, stderr and exit code. */
import { chmodSync, cpSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, golden, ROOT, run, sh, start, titled, unprivileged } from './helpers.js';

const cases: [string, string[]][] = [
  ['seeds-text', ['scan', 'seeds', '--color', 'never']],
  ['seeds-json', ['scan', 'seeds', '--format', 'json']],
  ['seeds-exit-zero', ['scan', 'seeds', '--exit-zero', '--color', 'never']],
  ['mixed-text', ['scan', 'fixtures/mixed']],
  ['mixed-json', ['scan', 'fixtures/mixed', '--format', 'json']],
  ['mixed-word5-jaccard', ['scan', 'fixtures/mixed', '--shingle', 'word:5', '--metric', 'jaccard', '--threshold', '0.8', '--format', 'json']],
  ['clean-text', ['scan', 'fixtures/clean']],
  ['missing-path', ['scan', 'fixtures/clean', 'fixtures/does-not-exist']],
  ['bad-threshold', ['scan', 'seeds', '--threshold', '2']],
  ['bad-bands', ['scan', 'seeds', '--bands', '100', '--rows', '2']],
  ['low-recall-bands', ['scan', 'seeds', '--rows', '50', '--format', 'json']],
  ['bad-shingle', ['scan', 'seeds', '--shingle', 'letters:9']],
  ['unknown-option', ['scan', 'seeds', '--frobnicate']],
  ['bad-format', ['scan', 'seeds', '--format', 'xml']],
  ['scan-help', ['scan', '--help']],
];

describe('golden CLI output', () => {
  for (const [name, args] of cases) {
    it(name, () => {
      const { actual, expected } = golden(name, args, run(args));
      expect(actual).toBe(expected);
    });
  }
});

describe('the seeds', () => {
  it('come out as one group, every pair >= 0.9 under the default metric, exit 1', () => {
    const r = run(['scan', 'seeds', '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0].members.map((m: { path: string }) => m.path)).toEqual(['seeds/000_241594d10820ed7f.txt', 'seeds/001_8ed3a1ba6430ba1a.txt']);
    for (const p of report.groups[0].pairs) expect(p[report.settings.metric]).toBeGreaterThanOrEqual(0.9);
  });
});

describe('machine output', () => {
  it('is byte-identical whatever the order the inputs are listed in', () => {
    const a = run(['scan', 'fixtures/mixed/article.txt', 'fixtures/mixed/bread.txt', 'fixtures/mixed/notes', 'seeds', '--format', 'json']);
    const b = run(['scan', 'seeds', 'fixtures/mixed/notes', 'fixtures/mixed/bread.txt', 'fixtures/mixed/article.txt', '--format', 'json']);
    expect(a.code).toBe(1);
    expect(a.stdout).toBe(b.stdout);
  });
  it('is byte-identical whatever the order of the inputs when a file has two names (a hard link in each input)', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-links-'));
    try {
      mkdirSync(path.join(dir, 'old'));
      mkdirSync(path.join(dir, 'new'));
      cpSync(path.join(ROOT, 'seeds', '000_241594d10820ed7f.txt'), path.join(dir, 'old', 'article.txt'));
      cpSync(path.join(ROOT, 'seeds', '001_8ed3a1ba6430ba1a.txt'), path.join(dir, 'old', 'formatted.txt'));
      linkSync(path.join(dir, 'old', 'article.txt'), path.join(dir, 'new', 'a-copy.txt'));
      const a = run(['scan', 'old', 'new', '--format', 'json'], { cwd: dir });
      const b = run(['scan', 'new', 'old', '--format', 'json'], { cwd: dir });
      expect(a.code).toBe(1);
      expect(b.stdout).toBe(a.stdout);
      const report = JSON.parse(a.stdout);
      // read once, under the name first in byte order ('new/' before 'old/'); the other skipped
      expect(report.counts.documents).toBe(2);
      expect(report.groups[0].members.map((m: { path: string }) => m.path)).toEqual(['new/a-copy.txt', 'old/formatted.txt']);
      expect(report.skipped).toEqual([expect.objectContaining({ path: 'old/article.txt', reason: 'duplicate-path' })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('never has colour, even when forced', () => {
    const r = run(['scan', 'seeds', '--format', 'json', '--color', 'always'], { env: { FORCE_COLOR: '3' } });
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });
  it('a closed pipe ends quietly with exit 0', () => {
    // 150 copies of one text: the JSON (11,175 pairs) is far larger than a pipe's buffer, so
    // neardup is still writing when `head` exits.
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-pipe-'));
    try {
      const text = readFileSync(path.join(ROOT, 'fixtures', 'mixed', 'article.txt'), 'utf8');
      for (let i = 0; i < 150; i++) writeFileSync(path.join(dir, `copy-${String(i).padStart(3, '0')}.txt`), text);
      const script = `"${process.execPath}" "${BIN}" scan "${dir}" --format json | head -c 10; echo "status=\${PIPESTATUS[0]}"`;
      const r = sh('bash', ['-c', script]);
      expect(r.stdout).toBe('{\n  "schemstatus=0\n');
      expect(r.stderr).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('colour in the text report', () => {
  it('is on with --color always, off with --color never and with NO_COLOR', () => {
    expect(run(['scan', 'seeds', '--color', 'always']).stdout).toMatch(/\u001b\[/);
    expect(run(['scan', 'seeds', '--color', 'never'], { env: { FORCE_COLOR: '1' } }).stdout).not.toMatch(/\u001b\[/);
    expect(run(['scan', 'seeds'], { env: { NO_COLOR: '1', FORCE_COLOR: undefined } }).stdout).not.toMatch(/\u001b\[/);
    // not a TTY: off by default
    expect(run(['scan', 'seeds']).stdout).not.toMatch(/\u001b\[/);
  });
});

describe('bad input', () => {
  // root reads anything: run as an unprivileged user when we are root
  const other = unprivileged();
  it.skipIf(other.skip !== undefined)(titled('an unreadable file: one-line error naming it, the rest scanned, counted, exit 2', other.skip), () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-e2e-'));
    try {
      chmodSync(dir, 0o755);
      cpSync(path.join(ROOT, 'seeds'), path.join(dir, 'seeds'), { recursive: true });
      writeFileSync(path.join(dir, 'seeds', 'locked.txt'), 'secret text that nobody may read');
      chmodSync(path.join(dir, 'seeds', 'locked.txt'), 0o000);
      const r = run(['scan', path.join(dir, 'seeds'), '--format', 'json'], { wrap: other.wrap, cwd: dir });
      expect(r.code).toBe(2);
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toEqual([`neardup: ${path.join(dir, 'seeds', 'locked.txt')}: cannot read: permission denied`]);
      const report = JSON.parse(r.stdout);
      expect(report.counts.failed).toBe(1);
      expect(report.groups).toHaveLength(1);
      expect(readFileSync(path.join(dir, 'seeds', '000_241594d10820ed7f.txt')).length).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the end of a run', () => {
  it('a reader that takes its time still gets the whole report, then the exit code (the process ends once its output is out)', async () => {
    const args = ['scan', 'seeds', 'fixtures/mixed', 'bench/quality-dev/docs', '--format', 'json'];
    const whole = run(args);
    // more than a pipe holds (64 KiB on Linux), so that the writes wait for the reader
    expect(whole.stdout.length).toBeGreaterThan(1 << 18);
    const running = start(args);
    const stdout = running.child.stdout!;
    stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 700));
    stdout.resume();
    const { code, stdout: got } = await running.ended;
    expect(code).toBe(whole.code);
    expect(got).toBe(whole.stdout);
  });
});

describe('threads', () => {
  it('--threads 1 and --threads 2 give identical JSON', () => {
    const args = ['scan', 'seeds', 'fixtures/mixed', 'fixtures/clean', 'bench/quality-dev/docs', '--format', 'json'];
    const one = run([...args, '--threads', '1']);
    const two = run([...args, '--threads', '2']);
    expect(one.code).toBe(1);
    expect(JSON.parse(one.stdout).counts.documents).toBeGreaterThan(500);
    expect(two.stdout).toBe(one.stdout);
  });
  it('documents loaded while the walk goes on are reported in path order: same stdout and stderr for 1 and 2 threads', () => {
    // over 64 files, so that workers start during the walk; skips, warnings and a record file
    // among them; names whose walk order is not their path order (a/ before a-b.txt)
    const dir = mkdtempSync(path.join(tmpdir(), 'neardup-early-'));
    try {
      const text = (n: number) => `Message ${n}: the quarterly report shows steady growth in every region we serve, said the ${n % 7} office.\n`;
      for (let n = 0; n < 90; n++) writeFileSync(path.join(dir, `m${String(n).padStart(3, '0')}.txt`), text(n % 30).repeat(3));
      writeFileSync(path.join(dir, 'a-b.txt'), text(1).repeat(3));
      cpSync(path.join(dir, 'm001.txt'), path.join(dir, 'a', 'x.txt'), { recursive: true });
      writeFileSync(path.join(dir, 'empty.txt'), '');
      writeFileSync(path.join(dir, 'm050-binary.txt'), Buffer.from([1, 2, 0, 3]));
      writeFileSync(path.join(dir, 'm020-latin1.txt'), Buffer.concat([Buffer.from(text(3)), Buffer.from([0xe9, 0x0a])]));
      writeFileSync(path.join(dir, 'm030-crlf.txt'), text(4).replace(/\n/g, '\r\n').repeat(3));
      writeFileSync(path.join(dir, 'm040-records.jsonl'), `${JSON.stringify({ text: text(5).repeat(3) })}\n{not json\n`);
      const args = ['scan', dir, '--format', 'json'];
      const one = run([...args, '--threads', '1']);
      const two = run([...args, '--threads', '2']);
      const auto = run(args);
      const report = JSON.parse(one.stdout);
      expect(report.counts.documents).toBe(95);
      expect(report.skipped.map((x: { reason: string }) => x.reason)).toEqual(['empty', 'binary']);
      expect(report.warnings).toHaveLength(1);
      expect(report.errors).toHaveLength(1);
      for (const r of [two, auto]) {
        expect(r.stdout).toBe(one.stdout);
        expect(r.stderr).toBe(one.stderr);
        expect(r.code).toBe(one.code);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it('the same JSON when sets must be recomputed (a tiny --memory budget, or none)', () => {
    const args = ['scan', 'bench/quality-dev/docs', '--format', 'json'];
    const roomy = run(args);
    const tight = run([...args, '--memory', '64K']);
    expect(tight.stdout).toBe(roomy.stdout);
    // every set spilled, read back in chunks of at least the floor (~6 MB of sets: several chunks)
    const none = run([...args, '--memory', '0', '--threads', '2']);
    expect(none.stdout).toBe(roomy.stdout);
    expect(none.code).toBe(roomy.code);
  });
});
