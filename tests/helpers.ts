import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(ROOT, 'bin', 'neardup.js');

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs the built binary (as a user would, through bin/neardup.js). */
export function run(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; wrap?: string[] } = {}): RunResult {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: undefined, FORCE_COLOR: undefined, CI: 'true', ...opts.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const [cmd, ...pre] = opts.wrap ?? [process.execPath];
  const r = spawnSync(cmd!, [...pre, ...(opts.wrap ? [process.execPath] : []), BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    env,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1 };
}

/** Masks what legitimately changes between runs (the elapsed time in the text summary). */
export function stable(s: string): string {
  return s.replace(/ · \d+\.\d\ds\n/g, ' · <time>\n');
}

export const GOLDEN_DIR = path.join(ROOT, 'fixtures', 'golden');

/**
 * Compares a run with its golden file (stdout, stderr and exit code, as a reader sees them).
 * UPDATE_GOLDEN=1 writes the file instead; without it, a missing golden file is a failure.
 */
export function golden(name: string, args: string[], r: RunResult, dir = GOLDEN_DIR): { actual: string; expected: string } {
  const file = path.join(dir, `${name}.txt`);
  const actual = `$ neardup ${args.join(' ')}\n--- stdout\n${stable(r.stdout)}--- stderr\n${r.stderr}--- exit code: ${r.code}\n`;
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
  } else if (!existsSync(file)) {
    throw new Error(
      `golden file missing: ${path.relative(ROOT, file)}; record it with UPDATE_GOLDEN=1 npm test, read it, and commit it\n--- this run gave:\n${actual}`,
    );
  }
  return { actual, expected: readFileSync(file, 'utf8') };
}

/** One test per case: run the binary with the case's arguments and compare with its golden file. */
export function goldenCases(
  cases: readonly (readonly [string, string[]])[],
  it: (name: string, fn: () => void) => void,
  expect: (actual: string) => { toBe(expected: string): void },
  opts: { cwd?: string } = {},
): void {
  for (const [name, args] of cases) {
    it(name, () => {
      const { actual, expected } = golden(name, args, run(args, opts));
      expect(actual).toBe(expected);
    });
  }
}

/** A seeded pseudo-random number generator (xorshift32) giving numbers in [0, 1). */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}
