/** Exit codes, computed from the result by one pure function. */
import type { ScanResult } from '../types.js';

export const EXIT = {
  /** No near-duplicates (and no errors). */
  clean: 0,
  /** Near-duplicates found. */
  duplicates: 1,
  /** An error: bad options, or an input that could not be read. Wins over 1. */
  error: 2,
} as const;

export interface ExitPolicy {
  /** Report duplicates without failing. */
  exitZero: boolean;
  /** Inputs that could not be read are reported and counted, but do not make the exit code 2. */
  skipErrors?: boolean;
}

export function exitCode(result: Pick<ScanResult, 'errors' | 'groups'>, policy: ExitPolicy): number {
  if (result.errors.length > 0 && !policy.skipErrors) return EXIT.error;
  if (result.groups.length > 0 && !policy.exitZero) return EXIT.duplicates;
  return EXIT.clean;
}
