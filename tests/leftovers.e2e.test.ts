/**
 * What a run leaves in the temporary directory: nothing. Each run here gets a TMPDIR of its own,
 * made by the test, so what is in it afterwards is exactly what neardup left: the folder of the
 * shingle sets spilled during a scan (neardup-sets-*), the copy of standard input
 * (neardup-stdin-*), anything else. Runs that end on their own, whatever their exit code, and
 * runs stopped by SIGINT or SIGTERM. (A process killed with SIGKILL runs no code at all: what
 * it leaves is not checked here.)
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRecords } from '../bench/dedup-corpus.mjs';
import { ROOT, removeTree, run, start } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-leftovers-'));
  cpSync(path.join(ROOT, 'seeds'), path.join(dir, 'seeds'), { recursive: true });
  cpSync(path.join(ROOT, 'fixtures', 'dedup'), path.join(dir, 'dedup'), { recursive: true });
});
afterAll(() => removeTree(dir));

/** A new, empty TMPDIR for one run. */
function privateTmp(): string {
  return mkdtempSync(path.join(dir, 'tmp-'));
}

/** What is in `tmp` (then removed with it). */
function leftIn(tmp: string): string[] {
  const left = readdirSync(tmp).sort();
  removeTree(tmp);
  return left;
}

describe('a run that ends on its own leaves nothing in TMPDIR', () => {
  const DEV = path.join(ROOT, 'bench', 'quality-dev', 'docs');
  const article = 'A lighthouse keeper kept the light burning on the island for forty years, and wrote books about the sea.\n';
  it.each([
    ['scan, one thread', ['scan', 'seeds', '--threads', '1']],
    ['scan, two threads, every set spilled (--memory 0)', ['scan', DEV, '--threads', '2', '--memory', '0', '--format', 'json']],
    ['scan of standard input and a folder', ['scan', '-', 'seeds']],
    ['scan --output', ['scan', 'seeds', '--output', 'report.json', '--format', 'json']],
    ['scan that fails (a path that does not exist)', ['scan', 'seeds', 'no-such-path']],
    ['scan with a bad option', ['scan', 'seeds', '--threshold', '7']],
    ['compare', ['compare', 'seeds/000_241594d10820ed7f.txt', 'seeds/001_8ed3a1ba6430ba1a.txt']],
    ['dedup of documents', ['dedup', 'dedup/docs', '--out', 'clean-docs', '--manifest', 'removed-docs.jsonl']],
    ['dedup of records', ['dedup', 'dedup/records/posts.jsonl', '--out', 'clean-posts.jsonl']],
    ['index add', ['index', 'add', 'seeds', '--db', 'idx.db']],
    ['index query', ['index', 'query', 'seeds', '--db', 'idx.db']],
    ['scan --db', ['scan', '-', '--db', 'idx.db']],
  ])('%s', (_name, args) => {
    const tmp = privateTmp();
    const r = run(args, { cwd: dir, env: { TMPDIR: tmp }, input: article });
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(leftIn(tmp)).toEqual([]);
  });
});

/**
 * Runs stopped by a signal at a known point: each records what it left; the checks come after.
 * The process removes its spill folder (neardup-sets-*) and its copy of standard input
 * (neardup-stdin-*) on SIGINT and SIGTERM, as on any other exit it can catch.
 */
describe('a run stopped by SIGINT or SIGTERM', () => {
  const left: Record<string, string[]> = {};

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`scan waiting for its standard input, ${signal}: exit ${signal === 'SIGINT' ? 130 : 143}`, async () => {
      const tmp = privateTmp();
      // standard input left open: the run waits for it, having made its copy in TMPDIR
      const running = start(['scan', 'seeds', '-', '--output', `stopped-${signal}.json`], { cwd: dir, env: { TMPDIR: tmp }, stdin: 'pipe' });
      running.child.stdin!.write('the first words of a document that never ends ');
      const copy = await running.waitFor('the copy of standard input', () => readdirSync(tmp).find((e) => e.startsWith('neardup-stdin-')));
      expect(copy).toBeDefined();
      running.stop(signal);
      const { code, stderr } = await running.ended;
      expect(code).toBe(signal === 'SIGINT' ? 130 : 143);
      expect(stderr).toContain(`neardup: interrupted (${signal})`);
      left[`scan waiting for standard input, ${signal}`] = leftIn(tmp);
    });
  }

  /** Starts `args` and stops it (SIGSTOP) the moment its spill folder appears in its TMPDIR. */
  async function stoppedScanning(args: string[], tmp: string) {
    const running = start(args, { cwd: dir, env: { TMPDIR: tmp }, timeout: 110_000 });
    const sets = await running.waitFor('the spill folder', () => readdirSync(tmp).find((e) => e.startsWith('neardup-sets-')), {
      timeout: 100_000,
      freeze: true,
    });
    expect(sets).toBeDefined();
    return running;
  }

  it('scan --output, stopped while it scans, SIGINT: exit 130', async () => {
    const tmp = privateTmp();
    const running = await stoppedScanning(['scan', path.join(ROOT, 'bench', 'quality-dev', 'docs'), '--output', 'report.json', '--threads', '2'], tmp);
    running.stop('SIGINT');
    const { code, stderr } = await running.ended;
    expect(code).toBe(130);
    expect(stderr).toContain('neardup: interrupted (SIGINT)');
    left['scan --output, SIGINT'] = leftIn(tmp);
  });

  it('dedup, stopped while it scans, SIGINT: exit 130', async () => {
    const tmp = privateTmp();
    const running = await stoppedScanning(['dedup', path.join(ROOT, 'bench', 'quality-dev', 'docs'), '--out', 'dedup-stopped', '--threads', '2'], tmp);
    running.stop('SIGINT');
    const { code } = await running.ended;
    expect(code).toBe(130);
    left['dedup scanning, SIGINT'] = leftIn(tmp);
  });

  it('dedup while writing its output, SIGINT: exit 130', async () => {
    const tmp = privateTmp();
    writeRecords(path.join(dir, 'records.jsonl'), 15_000, { seed: 11 });
    try {
      const running = start(['dedup', 'records.jsonl', '--out', 'out.jsonl'], { cwd: dir, env: { TMPDIR: tmp }, timeout: 110_000 });
      const prefix = `.out.jsonl.neardup-${running.pid}-`;
      // the sign: the output under its temporary name; stopped (SIGSTOP) the moment it is seen
      const temp = await running.waitFor('the output under its temporary name', () => readdirSync(dir).find((f) => f.startsWith(prefix)), {
        timeout: 100_000,
        freeze: true,
      });
      expect(temp).toBeDefined();
      running.stop('SIGINT');
      const { code } = await running.ended;
      expect(code).toBe(130);
      left['dedup writing, SIGINT'] = leftIn(tmp);
    } finally {
      rmSync(path.join(dir, 'records.jsonl'), { force: true });
    }
  }, 120_000);

  for (const stop of [
    'scan waiting for standard input, SIGINT',
    'scan waiting for standard input, SIGTERM',
    'scan --output, SIGINT',
    'dedup scanning, SIGINT',
    'dedup writing, SIGINT',
  ]) {
    it(`${stop}: leaves nothing in TMPDIR`, () => {
      expect(left[stop], `${stop}: the run above did not get that far`).toBeDefined();
      expect(left[stop]).toEqual([]);
    });
  }
});

describe('the copy of standard input', () => {
  it('is made in TMPDIR (so that the tests above look in the right place)', async () => {
    const tmp = privateTmp();
    const running = start(['scan', '-'], { cwd: dir, env: { TMPDIR: tmp }, stdin: 'pipe' });
    const copy = await running.waitFor('the copy of standard input', () => readdirSync(tmp).find((e) => e.startsWith('neardup-stdin-')));
    expect(copy).toMatch(/^neardup-stdin-/);
    running.child.stdin!.end('a short document with a few words in it\n');
    const { code } = await running.ended;
    expect(code).toBe(0);
    expect(leftIn(tmp)).toEqual([]);
  });
});
