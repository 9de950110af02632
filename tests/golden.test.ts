/** Golden files: a missing one is a failure that says how to record it, and nothing is written. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { golden } from './helpers.js';

describe('golden()', () => {
  let dir: string;
  let update: string | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'neardup-golden-'));
    update = process.env.UPDATE_GOLDEN;
    delete process.env.UPDATE_GOLDEN;
  });
  afterEach(() => {
    if (update !== undefined) process.env.UPDATE_GOLDEN = update;
    rmSync(dir, { recursive: true, force: true });
  });

  const result = { stdout: 'out\n', stderr: '', code: 0 };

  it('fails when the golden file is missing, naming it and UPDATE_GOLDEN=1, and writes nothing', () => {
    expect(() => golden('missing-case', ['scan', 'x'], result, dir)).toThrow(
      /golden file missing: .*missing-case\.txt; record it with UPDATE_GOLDEN=1 npm test/,
    );
    expect(existsSync(path.join(dir, 'missing-case.txt'))).toBe(false);
  });

  it('with UPDATE_GOLDEN=1 writes it, and then compares with it', () => {
    process.env.UPDATE_GOLDEN = '1';
    const written = golden('new-case', ['scan', 'x'], result, dir);
    expect(written.expected).toBe(written.actual);
    delete process.env.UPDATE_GOLDEN;
    const again = golden('new-case', ['scan', 'x'], { ...result, code: 1 }, dir);
    expect(again.actual).not.toBe(again.expected);
    expect(again.expected).toBe('$ neardup scan x\n--- stdout\nout\n--- stderr\n--- exit code: 0\n');
  });
});
