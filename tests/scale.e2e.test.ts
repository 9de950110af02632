/**
 * End-to-end at scale, against the built binary, with peak memory measured by /usr/bin/time:
 * a folder of 100,000 tiny files, and a 200 MB file that is one line.
 */
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng, ROOT, run } from './helpers.js';

const TIME = '/usr/bin/time';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-scale-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }), 120_000);

/** Runs a JSON scan under /usr/bin/time (when there is one), killed after `timeout` ms: the report, exit code and peak RSS in MB. */
function measured(
  args: string[],
  timeout: number,
): {
  report: { counts: Record<string, number>; skipped: { reason: string }[] };
  code: number;
  stderr: string;
  peakMB: number | undefined;
  seconds: number;
} {
  const timed = existsSync(TIME);
  const started = performance.now();
  const r = run(['scan', '--format', 'json', ...args], { timeout, ...(timed ? { wrap: [TIME, '-f', 'peak-rss-kb %M'] } : {}) });
  const seconds = (performance.now() - started) / 1000;
  const m = /peak-rss-kb (\d+)\n$/.exec(r.stderr);
  // GNU time also says when the exit code is not 0
  const stderr = (m ? r.stderr.slice(0, m.index) : r.stderr).replace(/Command exited with non-zero status \d+\n$/, '');
  if (!r.stdout.startsWith('{')) throw new Error(`neardup scan ${args.join(' ')}: no report (exit ${r.code}); stderr:\n${r.stderr.slice(-2000)}`);
  return { report: JSON.parse(r.stdout), code: r.code, stderr, peakMB: m ? Number(m[1]) / 1024 : undefined, seconds };
}

describe('scale', () => {
  it('a folder of 100,000 tiny files: completes, bounded memory', () => {
    const root = path.join(dir, 'tiny');
    const r = prng(99);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    const vocabulary = Array.from({ length: 5000 }, () => Array.from({ length: 3 + Math.floor(r() * 7) }, () => letters[Math.floor(r() * 26)]).join(''));
    for (let d = 0; d < 100; d++) {
      mkdirSync(path.join(root, `d${d}`), { recursive: true });
      for (let f = 0; f < 1000; f++) {
        const words = Array.from({ length: 12 }, () => vocabulary[Math.floor(r() * vocabulary.length)]);
        writeFileSync(path.join(root, `d${d}`, `f${f}.txt`), `${words.join(' ')}\n`);
      }
    }
    // and one pair of copies among them
    writeFileSync(path.join(root, 'd7', 'copy.txt'), readFileSync(path.join(root, 'd3', 'f3.txt')));
    const m = measured([root], 100_000);
    expect(m.stderr).toBe('');
    expect(m.report.counts).toMatchObject({ files: 100_001, documents: 100_001, groups: 1, failed: 0 });
    expect(m.code).toBe(1);
    if (m.peakMB !== undefined) expect(m.peakMB).toBeLessThan(1024);
    console.log(`100,001 tiny files: ${m.seconds.toFixed(1)} s, peak RSS ${m.peakMB?.toFixed(0) ?? '?'} MB`);
  }, 120_000);

  it('a 200 MB file that is one line: processed (streamed through the sketch) in under 1 GB', () => {
    // sentences of the dev set in random order, joined with spaces: realistic text, one line
    const docs = path.join(ROOT, 'bench', 'quality-dev', 'docs');
    const sentences = readdirSync(docs)
      .filter((f) => f.endsWith('.txt'))
      .flatMap((f) =>
        readFileSync(path.join(docs, f), 'utf8')
          .replace(/\s+/g, ' ')
          .split(/(?<=[.!?]) /),
      );
    const file = path.join(dir, 'one-line.txt');
    const fd = openSync(file, 'w');
    const r = prng(5);
    for (let written = 0; written < 200 * 2 ** 20; ) {
      const b = Buffer.from(`${Array.from({ length: 2000 }, () => sentences[Math.floor(r() * sentences.length)]).join(' ')} `);
      writeSync(fd, b);
      written += b.length;
    }
    closeSync(fd);
    writeFileSync(path.join(dir, 'small.txt'), sentences.slice(0, 50).join(' '));

    const skipped = measured([file], 100_000);
    expect(skipped.report.skipped).toEqual([expect.objectContaining({ reason: 'too-large' })]);

    const m = measured([file, path.join(dir, 'small.txt'), '--max-filesize', '300M'], 180_000);
    expect(m.stderr).toBe('');
    expect(m.report.counts).toMatchObject({ documents: 2, failed: 0, skipped: 0 });
    if (m.peakMB !== undefined) expect(m.peakMB).toBeLessThan(1024);
    console.log(`200 MB one-line file: ${m.seconds.toFixed(1)} s, peak RSS ${m.peakMB?.toFixed(0) ?? '?'} MB`);
  }, 300_000);
});
