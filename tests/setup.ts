/**
 * Run before each test file (vitest setupFiles), in both projects:
 *
 * - property tests start from a fixed seed (FC_SEED=N picks another); fast-check prints the
 *   seed and the path of a failure, which replay it;
 * - after each test, a run it started and did not wait for is killed, and fails the test.
 */
import fc from 'fast-check';
import { afterEach } from 'vitest';
import { stopStrays } from './helpers.js';

export const FC_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_240_611;
fc.configureGlobal({ seed: FC_SEED });

afterEach(async () => {
  const strays = await stopStrays();
  if (strays.length > 0) throw new Error(strays.map((c) => `still running at the end of the test (killed): ${c}`).join('\n'));
});
