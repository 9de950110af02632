/**
 * The dependency rules (.dependency-cruiser.cjs, run by `npm run lint:deps`) can fail: on small
 * trees written here, a cycle (type imports included), a lower layer importing a higher one and
 * a third-party library imported outside its one module are each refused, and a tree that keeps
 * the rules passes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const CRUISE = path.join(ROOT, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const CONFIG = path.join(ROOT, '.dependency-cruiser.cjs');
const made: string[] = [];

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** Writes `files` (path under the tree -> text) into a new tree and runs the rules on its src/. */
function cruise(files: Record<string, string>): { code: number | null; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'neardup-deps-test-'));
  made.push(dir);
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', strict: true }, include: ['src'] }),
  );
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const r = spawnSync(process.execPath, [CRUISE, '--config', CONFIG, 'src'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('dependency rules', () => {
  it('pass a tree whose imports point down the layers', () => {
    const r = cruise({
      'src/model/types.ts': 'export interface Doc { path: string }\n',
      'src/core/hash.ts': "import type { Doc } from '../model/types.js';\nexport const name = (d: Doc): string => d.path;\n",
      'src/engine/run.ts': "import { name } from '../core/hash.js';\nexport const run = name;\n",
    });
    expect(r.out).toContain('no dependency violations');
    expect(r.code).toBe(0);
  });

  it('fail on an import cycle made of type imports only', () => {
    const r = cruise({
      'src/core/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n",
      'src/core/b.ts': "import type { A } from './a.js';\nexport interface B { a?: A }\n",
    });
    expect(r.out).toContain('no-circular');
    expect(r.code).not.toBe(0);
  });

  it('fail when a lower layer imports a higher one', () => {
    const r = cruise({
      'src/core/low.ts': "import { high } from '../engine/high.js';\nexport const low = high;\n",
      'src/engine/high.ts': 'export const high = 1;\n',
    });
    expect(r.out).toContain('layer-core');
    expect(r.code).not.toBe(0);
  });

  it('fail when a third-party library is imported outside its one module', () => {
    const r = cruise({
      'src/engine/paint.ts': "import chalk from 'chalk';\nexport const paint = chalk.red;\n",
    });
    expect(r.out).toContain('only-report-style-imports-chalk');
    expect(r.code).not.toBe(0);
  });
});
