/**
 * Run before each test file (vitest setupFiles), in both projects: property tests start from a
 * fixed seed (FC_SEED=N picks another); fast-check prints the seed and the path of a failure,
 * which replay it.
 */
import fc from 'fast-check';

export const FC_SEED = process.env.FC_SEED ? Number(process.env.FC_SEED) : 20_240_611;
fc.configureGlobal({ seed: FC_SEED });
