/** End-to-end: `neardup compare` and `scan --explain`, through the built binary. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, goldenCases, run } from './helpers.js';

const STRIPPED = 'seeds/000_241594d10820ed7f.txt';
const FORMATTED = 'seeds/001_8ed3a1ba6430ba1a.txt';

const cases: [string, string[]][] = [
  ['compare-seeds', ['compare', STRIPPED, FORMATTED]],
  ['compare-seeds-json', ['compare', STRIPPED, FORMATTED, '--format', 'json', '--passages', '4']],
  ['compare-seeds-full', ['compare', FORMATTED, STRIPPED, '--context', 'all', '--passages', '6']],
  ['compare-html-markdown', ['compare', 'fixtures/mixed/article-copy.html', 'fixtures/mixed/notes/article-excerpt.md']],
  ['compare-different', ['compare', 'fixtures/clean/bread.txt', 'fixtures/clean/river.txt']],
  ['compare-missing', ['compare', STRIPPED, 'seeds/nope.txt']],
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
      const r = run(['scan', 'seeds', '--format', f, '--color', 'always', ...(f === 'json' || f === 'jsonl' ? ['--explain'] : [])], { env: { FORCE_COLOR: '3' } });
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
