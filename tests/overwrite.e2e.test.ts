/** A report or baseline is never written over a file the run read (README: nothing among the inputs is written to). */
import { cpSync, linkSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, run } from './helpers.js';

const A = '000_241594d10820ed7f.txt';
const B = '001_8ed3a1ba6430ba1a.txt';

describe('outputs that would replace an input', () => {
  let dir: string;
  let before: Map<string, string>;
  const contents = () => new Map(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'neardup-overwrite-'));
    cpSync(path.join(ROOT, 'seeds'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'rec.jsonl'), '{"text":"a record of its own, long enough to have shingles"}\n');
    before = contents();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['scan --output', ['scan', '.', '--output', A, '--format', 'json', '--no-config'], `${A}: report not written: it would replace an input file`],
    ['scan --output, a record file', ['scan', '.', '-o', 'rec.jsonl', '--no-config'], 'rec.jsonl: report not written: it would replace an input file'],
    ['scan --update-baseline', ['scan', '.', '--update-baseline', '--baseline', B, '--no-config'], `${B}: baseline not written: it would replace an input file`],
    ['compare --output', ['compare', A, B, '--output', B, '--no-config'], `${B}: report not written: it would replace an input file`],
  ])('%s: exit 2, one line, every input as it was', (_name, args, message) => {
    const r = run(args, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`neardup: ${message}\n`);
    expect(contents()).toEqual(before);
  });

  it('index query --output: neither the query nor an indexed file is replaced', () => {
    const db = path.join(mkdtempSync(path.join(tmpdir(), 'neardup-overwrite-db-')), 'index.db');
    try {
      expect(run(['index', 'add', '.', '--db', db], { cwd: dir }).code).toBe(0);
      for (const target of [A, B]) {
        const r = run(['index', 'query', A, '--db', db, '-o', target, '--no-config'], { cwd: dir });
        expect(r.code).toBe(2);
        expect(r.stderr).toBe(`neardup: ${target}: report not written: it would replace an input file\n`);
      }
      expect(contents()).toEqual(before);
    } finally {
      rmSync(path.dirname(db), { recursive: true, force: true });
    }
  });

  it('a hard link to an input, under another name, is the input', () => {
    const other = mkdtempSync(path.join(tmpdir(), 'neardup-overwrite-link-'));
    try {
      const link = path.join(other, 'report.json');
      linkSync(path.join(dir, A), link);
      const r = run(['scan', '.', '-o', link, '--format', 'json', '--no-config'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`neardup: ${link}: report not written: it would replace an input file (${A})\n`);
      expect(contents()).toEqual(before);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('a new file among the inputs is written; on the next run it is an input (skipped) and is kept', () => {
    const first = run(['scan', '.', '-o', 'report.json', '--format', 'json', '--no-config'], { cwd: dir });
    expect(first.code).toBe(1);
    const report = readFileSync(path.join(dir, 'report.json'), 'utf8');
    expect(JSON.parse(report).counts.groups).toBe(1);
    const again = run(['scan', '.', '-o', 'report.json', '--format', 'json', '--no-config'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toBe('neardup: report.json: report not written: it would replace an input file\n');
    expect(readFileSync(path.join(dir, 'report.json'), 'utf8')).toBe(report);
    expect(readdirSync(dir).sort()).toEqual([A, B, 'rec.jsonl', 'report.json']);
  });
});
