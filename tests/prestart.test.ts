/** The worker started ahead of a scan's pool: when the CLI starts one, and that none leaks. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanPathsAtAGlance } from '../src/cli/glance.js';
import { discardPrestarted, looksLarge, prestartWorker, SMALL_SCAN_BYTES, SMALL_SCAN_FILES, takePrestarted } from '../src/engine/prestart.js';
import { ROOT } from './helpers.js';

describe('looksLarge', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'neardup-prestart-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a few files, or a folder of a few, is not; a folder of folders, a folder of many files or a big file is', () => {
    expect(looksLarge([path.join(ROOT, 'seeds')])).toBe(false);
    expect(looksLarge([path.join(ROOT, 'seeds', '000_241594d10820ed7f.txt')])).toBe(false);
    expect(looksLarge([path.join(ROOT, 'fixtures')])).toBe(true);
    const many = path.join(dir, 'many');
    mkdirSync(many);
    for (let i = 0; i < SMALL_SCAN_FILES - 1; i++) writeFileSync(path.join(many, `${i}.txt`), 'x');
    expect(looksLarge([many])).toBe(false);
    writeFileSync(path.join(many, 'last.txt'), 'x');
    expect(looksLarge([many])).toBe(true);
    const big = path.join(dir, 'big.txt');
    writeFileSync(big, Buffer.alloc(SMALL_SCAN_BYTES, 'a'));
    expect(looksLarge([big])).toBe(true);
    expect(looksLarge([path.join(dir, 'no-such-folder')])).toBe(false);
  });

  it('counts the files given one by one', () => {
    const files = Array.from({ length: SMALL_SCAN_FILES }, (_, i) => path.join(dir, `f${i}.txt`));
    for (const f of files) writeFileSync(f, 'x');
    expect(looksLarge(files.slice(1))).toBe(false);
    expect(looksLarge(files)).toBe(true);
  });
});

describe('prestartWorker', () => {
  it('starts nothing without the built worker next to it (as under this test runner), and hands out nothing then', () => {
    prestartWorker();
    expect(takePrestarted()).toBeUndefined();
    discardPrestarted();
  });
});

describe('scanPathsAtAGlance (the CLI starts a worker before it has read its command line)', () => {
  it('takes the words of a scan that are not options for paths', () => {
    expect(scanPathsAtAGlance(['scan'])).toEqual([]);
    expect(scanPathsAtAGlance(['scan', 'docs', 'more', '--format', 'json'])).toEqual(['docs', 'more', 'json']);
    expect(scanPathsAtAGlance(['scan', '--threshold=0.7', 'docs', '--', '-odd name'])).toEqual(['docs', '-odd name']);
    expect(scanPathsAtAGlance(['scan', '-j', '2', 'docs'])).toEqual(['docs']);
  });

  it('is undefined for other commands, help, one thread, standard input, --files-from and --print-config', () => {
    for (const args of [
      ['compare', 'a', 'b'],
      ['index', 'add', 'docs'],
      ['scan', 'docs', '--help'],
      ['scan', '-h'],
      ['scan', 'docs', '--threads', '1'],
      ['scan', 'docs', '-j', '1'],
      ['scan', 'docs', '--threads=1'],
      ['scan', '-'],
      ['scan', '--files-from', 'list.txt'],
      ['scan', '--files-from=-'],
      ['scan', 'docs', '--print-config'],
    ]) {
      expect(scanPathsAtAGlance(args), args.join(' ')).toBeUndefined();
    }
  });
});
