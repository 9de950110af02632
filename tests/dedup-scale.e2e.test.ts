/**
 * dedup of record files at scale, through the built binary: a 100,000-record JSONL file (about a
 * tenth of them planted near-copies) comes out as exactly the input lines of the records kept,
 * byte for byte and in input order; the same run whatever the threads; an interrupted run leaves
 * no output under the final name. (Peak memory against the number of records: bench/dedup.mjs.)
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PlantedCorpus, writeRecords } from '../bench/dedup-corpus.mjs';
import { run, start } from './helpers.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-dedup-scale-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }), 120_000);

/** The file's lines, each with its LF. */
function lines(file: string): Buffer[] {
  const b = readFileSync(file);
  const out: Buffer[] = [];
  for (let at = 0; at < b.length; ) {
    const nl = b.indexOf(10, at);
    const end = nl < 0 ? b.length : nl + 1;
    out.push(b.subarray(at, end));
    at = end;
  }
  return out;
}

const manifestOf = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { removed: string; kept: string; removedId: string; keptId: string; direct: boolean; containment: number });

const lineOf = (place: string) => Number(place.slice(place.lastIndexOf(':') + 1));

describe('dedup of a 100,000-record JSONL file', () => {
  it('writes exactly the input lines of the records kept, in input order, and a manifest line for each other', () => {
    const input = path.join(dir, 'in.jsonl');
    const planted: PlantedCorpus = writeRecords(input, 100_000);
    const r = run(['dedup', 'in.jsonl', '--out', 'out.jsonl', '--id-field', 'id', '--manifest', 'removed.jsonl'], { cwd: dir, timeout: 280_000 });
    expect(r.code).toBe(0);
    const inputLines = lines(input);
    const removed = manifestOf(path.join(dir, 'removed.jsonl'));
    const removedLines = new Set(removed.map((m) => lineOf(m.removed)));
    expect(removedLines.size).toBe(removed.length);
    // byte for byte: the output is the input without the removed lines
    const expected = Buffer.concat(inputLines.filter((_, i) => !removedLines.has(i + 1)));
    expect(readFileSync(path.join(dir, 'out.jsonl')).equals(expected)).toBe(true);
    // what was removed: planted copies only, nearly all of them, each for a record it copies or
    // a record in its group; ids as in the input
    for (const m of removed) {
      expect(planted.copyOf.has(lineOf(m.removed))).toBe(true);
      expect(m.removedId).toBe(`r${lineOf(m.removed) - 1}`);
      expect(lineOf(m.kept)).toBeLessThan(lineOf(m.removed));
    }
    expect(removed.length / planted.copyOf.size).toBeGreaterThanOrEqual(0.99);
    const direct = removed.filter((m) => m.direct);
    expect(direct.every((m) => m.containment >= 0.65)).toBe(true);
    expect(r.stderr).toMatch(/^kept [\d,]+ of 100,000 documents \(.+\) · removed [\d,]+ in [\d,]+ groups \(.+\) · 0 failed\nwrote out\.jsonl/);
  }, 300_000);
});

describe('a smaller record file', () => {
  let input: string;
  beforeAll(() => {
    input = path.join(dir, 'small.jsonl');
    writeRecords(input, 15_000, { seed: 11 });
  });

  it('gives the same report and manifest whatever the threads', () => {
    const args = (threads: string, n: string) => [
      'dedup',
      'small.jsonl',
      '--out',
      `o${n}.jsonl`,
      '--manifest',
      `m${n}.jsonl`,
      '--format',
      'json',
      '--threads',
      threads,
    ];
    const a = run(args('1', '1'), { cwd: dir });
    const b = run(args('2', '2'), { cwd: dir });
    expect(a.code).toBe(0);
    expect(b.stdout.replaceAll('o2.jsonl', 'o1.jsonl').replaceAll('m2.jsonl', 'm1.jsonl')).toBe(a.stdout);
    // (Buffer.equals: a deep toEqual of megabyte buffers takes seconds)
    expect(readFileSync(path.join(dir, 'm2.jsonl')).equals(readFileSync(path.join(dir, 'm1.jsonl')))).toBe(true);
    expect(readFileSync(path.join(dir, 'o2.jsonl')).equals(readFileSync(path.join(dir, 'o1.jsonl')))).toBe(true);
  }, 120_000);

  it('stopped while writing, leaves nothing under the final name (SIGKILL) and removes its temporary file (SIGINT)', async () => {
    for (const signal of ['SIGKILL', 'SIGINT'] as const) {
      const out = `stopped-${signal}.jsonl`;
      const running = start(['dedup', 'small.jsonl', '--out', out], { cwd: dir, timeout: 120_000 });
      // the sign: the output under its temporary name (for some 0.4 s of the run); the run is
      // stopped (SIGSTOP) the moment it is seen, so the signal finds it writing
      const prefix = `.${out}.neardup-${running.pid}-`;
      const temp = await running.waitFor('the output under its temporary name', () => readdirSync(dir).find((f) => f.startsWith(prefix)), {
        timeout: 110_000,
        freeze: true,
      });
      expect(temp).toMatch(/\.tmp$/);
      // still writing: the final name not there yet
      expect(existsSync(path.join(dir, out))).toBe(false);
      running.stop(signal);
      const { code, stderr } = await running.ended;
      expect(existsSync(path.join(dir, out))).toBe(false);
      const left = readdirSync(dir).filter((f) => f.includes('.neardup-'));
      if (signal === 'SIGINT') {
        expect(code).toBe(130);
        expect(stderr).toMatch(/neardup: interrupted \(SIGINT\): the output was not completed; temporary files removed\n/);
        expect(left).toEqual([]);
      } else {
        // killed outright: the temporary file stays (hidden, named for the run); the final name is free
        expect(left).toEqual([temp]);
        rmSync(path.join(dir, temp!), { force: true });
      }
    }
  }, 250_000);
});
