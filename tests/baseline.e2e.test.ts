/** End-to-end: baseline gating and --max-groups, through the built binary in a temporary folder. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { golden, ROOT, run } from './helpers.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-baseline-'));
  cpSync(path.join(ROOT, 'fixtures', 'mixed'), path.join(dir, 'corpus'), { recursive: true });
  cpSync(path.join(ROOT, 'seeds'), path.join(dir, 'corpus', 'seeds'), { recursive: true });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const scan = (...args: string[]) => run(['scan', ...args], { cwd: dir });

describe('--baseline / --update-baseline', () => {
  it('update then rescan exits 0; a new copy exits 1 and reports only the new group; another file order still exits 0', () => {
    const up = scan('corpus', '--update-baseline', '--color', 'never');
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('baseline written to .neardup-baseline.json: 3 groups recorded');
    const file = JSON.parse(readFileSync(path.join(dir, '.neardup-baseline.json'), 'utf8'));
    expect(file.schema).toBe('neardup/baseline');
    expect(file.groups).toHaveLength(3);

    const again = scan('corpus', '--baseline', '.neardup-baseline.json', '--format', 'json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).groups).toEqual([]);
    expect(JSON.parse(again.stdout).baseline).toEqual({ file: '.neardup-baseline.json', known: 3, new: 0, absent: 0, updated: false });

    // the same files listed in another order, and through other paths
    const order = scan('corpus/seeds', 'corpus/notes', 'corpus', '--baseline', '.neardup-baseline.json');
    expect(order.code).toBe(0);

    cpSync(path.join(dir, 'corpus', 'bread.txt'), path.join(dir, 'corpus', 'bread-copy.txt'));
    const added = scan('corpus', '--baseline', '.neardup-baseline.json', '--format', 'json');
    expect(added.code).toBe(1);
    const report = JSON.parse(added.stdout);
    expect(report.groups.map((g: { members: { path: string }[] }) => g.members.map((m) => m.path))).toEqual([['corpus/bread-copy.txt', 'corpus/bread.txt']]);
    expect(report.groups[0].id).toBe(1);
    expect(report.pairs).toHaveLength(1);
    expect(report.counts).toMatchObject({ groups: 1, duplicateDocuments: 2, pairs: 1 });
    expect(report.baseline).toEqual({ file: '.neardup-baseline.json', known: 3, new: 1, absent: 0, updated: false });
  });

  it('a copy joining a known group makes it a new group (the whole group is reported)', () => {
    expect(scan('corpus', '--update-baseline').code).toBe(0);
    cpSync(path.join(dir, 'corpus', 'seeds', '000_241594d10820ed7f.txt'), path.join(dir, 'corpus', 'third-copy.txt'));
    const r = scan('corpus', '--baseline', '.neardup-baseline.json', '--format', 'json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.groups).toHaveLength(1);
    expect(report.groups[0].size).toBe(3);
    expect(report.baseline).toMatchObject({ known: 2, new: 1, absent: 1 });
  });

  it('an edited member changes the group; so does a rename, until the path in the baseline is edited', () => {
    expect(scan('corpus', '--update-baseline').code).toBe(0);
    const article = path.join(dir, 'corpus', 'article.txt');
    const original = readFileSync(article, 'utf8');
    writeFileSync(article, `${original}\nOne more sentence, added later.\n`);
    expect(scan('corpus', '--baseline', '.neardup-baseline.json').code).toBe(1);
    writeFileSync(article, original);
    expect(scan('corpus', '--baseline', '.neardup-baseline.json').code).toBe(0);

    renameSync(path.join(dir, 'corpus', 'short-b.txt'), path.join(dir, 'corpus', 'short-c.txt'));
    expect(scan('corpus', '--baseline', '.neardup-baseline.json').code).toBe(1);
    const file = path.join(dir, '.neardup-baseline.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('corpus/short-b.txt', 'corpus/short-c.txt'));
    expect(scan('corpus', '--baseline', '.neardup-baseline.json').code).toBe(0);
  });

  it('paths are relative to the baseline file, so it works from another folder', () => {
    mkdirSync(path.join(dir, 'ci'));
    expect(scan('corpus', '--update-baseline', '--baseline', 'ci/baseline.json').code).toBe(0);
    const members = JSON.parse(readFileSync(path.join(dir, 'ci', 'baseline.json'), 'utf8')).groups.flatMap((g: { members: { path: string }[] }) =>
      g.members.map((m) => m.path),
    );
    expect(members).toContain('../corpus/short-a.txt');
    const r = run(['scan', '.', '--baseline', '../ci/baseline.json'], { cwd: path.join(dir, 'corpus') });
    expect(r.code).toBe(0);
  });

  it('refuses a baseline made with other settings, naming the setting (exit 2, nothing on stdout)', () => {
    expect(scan('corpus', '--update-baseline', '--threshold', '0.8').code).toBe(0);
    const r = scan('corpus', '--baseline', '.neardup-baseline.json', '--format', 'json');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'neardup: .neardup-baseline.json: the baseline was made with --threshold 0.8, this scan uses 0.65: ' +
        'scan with the same settings, or rewrite the baseline with --update-baseline\n',
    );
  });

  it('a missing or broken baseline is an error that names the file', () => {
    const missing = scan('corpus', '--baseline', 'nope.json');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('neardup: nope.json: cannot read the baseline: no such file or directory (write one with --update-baseline)\n');
    writeFileSync(path.join(dir, 'broken.json'), '{"schema": "something/else"}');
    const broken = scan('corpus', '--baseline', 'broken.json');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toBe('neardup: broken.json: not a neardup baseline (no "schema": "neardup/baseline")\n');
  });

  it('is not written when an input could not be read (exit 2)', () => {
    const r = scan('corpus', 'corpus/missing.txt', '--update-baseline');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('neardup: .neardup-baseline.json: baseline not written: 1 input could not be read\n');
    expect(existsSync(path.join(dir, '.neardup-baseline.json'))).toBe(false);
    // --skip-errors lets a report through, not a baseline with groups missing: still exit 2
    const skipping = scan('corpus', 'corpus/missing.txt', '--update-baseline', '--skip-errors');
    expect(skipping.code).toBe(2);
    expect(skipping.stderr).toContain('neardup: .neardup-baseline.json: baseline not written: 1 input could not be read\n');
    expect(existsSync(path.join(dir, '.neardup-baseline.json'))).toBe(false);
  });

  it('golden: the text report against a baseline', () => {
    expect(scan('corpus', '--update-baseline').code).toBe(0);
    cpSync(path.join(dir, 'corpus', 'bread.txt'), path.join(dir, 'corpus', 'bread-copy.txt'));
    rmSync(path.join(dir, 'corpus', 'short-b.txt'));
    for (const f of ['text', 'sarif', 'github', 'markdown']) {
      const args = ['scan', 'corpus', '--baseline', '.neardup-baseline.json', '--format', f];
      const { actual, expected } = golden(`baseline-${f}`, args, scan(...args.slice(1)));
      expect(actual).toBe(expected);
    }
  });
});

describe('--max-groups', () => {
  it('fails only when more than N groups are found; errors still win', () => {
    expect(scan('corpus', '--max-groups', '3').code).toBe(0);
    expect(scan('corpus', '--max-groups', '2').code).toBe(1);
    expect(scan('corpus', '--max-groups', '3', 'corpus/missing.txt').code).toBe(2);
    const bad = scan('corpus', '--max-groups', '-1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe("neardup: --max-groups: expected a whole number from 0 to 9007199254740991, got '-1'\n");
  });
  it('counts new groups when a baseline is used', () => {
    expect(scan('corpus', '--update-baseline').code).toBe(0);
    cpSync(path.join(dir, 'corpus', 'bread.txt'), path.join(dir, 'corpus', 'bread-copy.txt'));
    expect(scan('corpus', '--baseline', '.neardup-baseline.json', '--max-groups', '1').code).toBe(0);
    expect(scan('corpus', '--baseline', '.neardup-baseline.json', '--max-groups', '0').code).toBe(1);
  });
});
