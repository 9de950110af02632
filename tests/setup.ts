/**
 * Run before each test file (vitest setupFiles), in both projects:
 *
 * - property tests start from a fixed seed (FC_SEED=N picks another); fast-check prints the
 *   seed and the path of a failure, which replay it;
 * - after each test, a run it started and did not wait for is killed, and fails the test;
 * - the file gets a temporary directory of its own: TMPDIR of the tests (what they make with
 *   tmpdir()) and, apart, TMPDIR of the neardup processes they start. After each test, what
 *   those runs left there is a failure naming the run (unless the test itself stopped the run
 *   with a signal: tests/leftovers.e2e.test.ts checks those); after the file, anything left at
 *   all is, and the folder is removed, so a test run leaves nothing in the temporary directory.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { removeTree, setRunsTmpdir, stopStrays, takeLeftovers } from './helpers.js';

export const FC_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_240_611;
fc.configureGlobal({ seed: FC_SEED });

const savedTmpdir = process.env.TMPDIR;
let top: string;
let own: string;
let runs: string;

// in a hook, not at load: `vitest list` loads this file and runs no hook
beforeAll(() => {
  top = mkdtempSync(path.join(tmpdir(), 'neardup-test-'));
  own = path.join(top, 'tests');
  runs = path.join(top, 'runs');
  mkdirSync(own);
  mkdirSync(runs);
  // others may enter (a step run as an unprivileged user reads the tests' folders) and, as in
  // /tmp, write to the runs' folder
  chmodSync(top, 0o755);
  chmodSync(own, 0o755);
  chmodSync(runs, 0o1777);
  process.env.TMPDIR = own;
  setRunsTmpdir(runs);
});

afterEach(async () => {
  const strays = await stopStrays();
  const left = takeLeftovers();
  const problems: string[] = strays.map((c) => `still running at the end of the test (killed): ${c}`);
  // what a run stopped by the test's own signal leaves is what tests/leftovers.e2e.test.ts checks
  for (const l of left) if (!l.signalled) problems.push(`${l.command} (${l.ended}) left in its TMPDIR: ${l.entries.join(', ')}`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
});

afterAll(() => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  setRunsTmpdir(undefined);
  const left = [...readdirSync(own).map((e) => `tests/${e}`), ...readdirSync(runs).map((e) => `runs/${e}`)];
  removeTree(top);
  if (left.length > 0) throw new Error(`left in the temporary directory by this file's tests: ${left.join(', ')}`);
});
