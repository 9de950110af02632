/** A report or baseline is never written over a file the run read (README: nothing among the inputs is written to). */
import { chmodSync, cpSync, linkSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, mkfifo, ROOT, run, sh, start } from './helpers.js';

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
    [
      'scan --update-baseline',
      ['scan', '.', '--update-baseline', '--baseline', B, '--no-config'],
      `${B}: baseline not written: it would replace an input file`,
    ],
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

  it('index query and scan --db: the index itself is never replaced by the report or the baseline', () => {
    const db = path.join(mkdtempSync(path.join(tmpdir(), 'neardup-overwrite-db-')), 'index.db');
    try {
      expect(run(['index', 'add', '.', '--db', db], { cwd: dir }).code).toBe(0);
      const indexBytes = readFileSync(db);
      for (const args of [
        ['index', 'query', A, '--db', db, '-o', db],
        ['scan', '.', '--db', db, '--format', 'json', '-o', db],
        ['index', 'query', A, '--db', db, '--update-baseline', '--baseline', db],
      ]) {
        const r = run([...args, '--no-config'], { cwd: dir });
        expect(r.code, args.join(' ')).toBe(2);
        expect(r.stderr).toBe(`neardup: ${db}: ${args.includes('--update-baseline') ? 'baseline' : 'report'} not written: it would replace an input file\n`);
        expect(readFileSync(db).equals(indexBytes)).toBe(true);
      }
      expect(run(['index', 'stats', '--db', db], { cwd: dir }).code).toBe(0);
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

describe('--output through links, into FIFOs and devices, over a private file, against the baseline', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'neardup-output-'));
    cpSync(path.join(ROOT, 'seeds'), path.join(dir, 'seeds'), { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const at = (f: string) => path.join(dir, f);

  it('a symbolic link: the file it points to gets the report, the link stays a link', () => {
    writeFileSync(at('target.json'), 'old\n');
    symlinkSync('target.json', at('link.json'));
    const r = run(['scan', 'seeds', '-o', 'link.json', '--format', 'json', '--no-config'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(lstatSync(at('link.json')).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(at('target.json'), 'utf8')).counts.groups).toBe(1);
  });
  it('an existing file keeps its permissions (a private report stays private)', () => {
    writeFileSync(at('private.json'), 'old\n');
    chmodSync(at('private.json'), 0o600);
    expect(run(['scan', 'seeds', '-o', 'private.json', '--format', 'json', '--no-config'], { cwd: dir }).code).toBe(1);
    expect(statSync(at('private.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(at('private.json'), 'utf8')).counts.groups).toBe(1);
  });
  it('a FIFO is written to, not replaced by a file; /dev/null stays a device', () => {
    mkfifo(at('pipe'));
    // the reader: a shell that starts the scan writing into the FIFO and reads it at once
    const r = sh('bash', ['-c', `cat pipe > got.txt & "${process.execPath}" "${BIN}" scan seeds -o pipe --no-config; echo "status=$?"; wait`], { cwd: dir });
    expect(r.stdout).toBe('status=1\n');
    expect(statSync(at('pipe')).isFIFO()).toBe(true);
    expect(readFileSync(at('got.txt'), 'utf8')).toMatch(/^Group 1 · 2 documents/);
    expect(run(['scan', 'seeds', '-o', '/dev/null', '--no-config'], { cwd: dir }).code).toBe(1);
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
  it('the --baseline file is refused as the --output (the report would replace the baseline)', () => {
    expect(run(['scan', 'seeds', '--update-baseline', '--baseline', 'base.json', '--no-config'], { cwd: dir }).code).toBe(0);
    const baseline = readFileSync(at('base.json'), 'utf8');
    for (const extra of [[], ['--update-baseline']]) {
      const r = run(['scan', 'seeds', '--baseline', 'base.json', '--output', './base.json', '--format', 'json', '--no-config', ...extra], { cwd: dir });
      expect(r).toMatchObject({ code: 2, stdout: '', stderr: 'neardup: ./base.json: report not written: it is the --baseline file\n' });
      expect(readFileSync(at('base.json'), 'utf8')).toBe(baseline);
    }
  });
  it('a signal during the scan removes the temporary report; the old one stays', async () => {
    writeFileSync(at('report.json'), 'old\n');
    // standard input among the inputs, left open: the scan waits for it, so it is still
    // scanning when the signal comes, however slow the machine. The sign: its copy of standard
    // input in TMPDIR, made once the scan has begun, after the temporary report (the report
    // file is opened, and the signals taken, before anything is read)
    const tmp = mkdtempSync(path.join(dir, 'tmp-'));
    const running = start(['scan', 'seeds', '-', '-o', 'report.json', '--no-config'], { cwd: dir, env: { TMPDIR: tmp }, stdin: 'pipe' });
    await running.waitFor('the copy of standard input', () => readdirSync(tmp).some((e) => e.startsWith('neardup-stdin-')));
    const temp = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
    expect(temp).toEqual([expect.stringMatching(new RegExp(`^\\.report\\.json\\.${running.pid}\\.[0-9a-z]+\\.tmp$`))]);
    running.stop('SIGINT');
    const { code, stderr } = await running.ended;
    expect(code).toBe(130);
    expect(stderr).toContain('neardup: interrupted (SIGINT): the output was not completed; temporary files removed\n');
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readFileSync(at('report.json'), 'utf8')).toBe('old\n');
  });
});
