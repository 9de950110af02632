/** Exit codes, computed from the outcome of a run by one pure function. */

export const EXIT = {
  /** No near-duplicates (no new ones, with a baseline; no more than --max-groups), and no errors. */
  clean: 0,
  /** Near-duplicates found (new ones, with a baseline; more than --max-groups). */
  duplicates: 1,
  /** An error: bad options, or an input that could not be read. Wins over 1. */
  error: 2,
} as const;

export interface Outcome {
  /** Inputs that could not be read. */
  errors: number;
  /** Groups found (for `compare`: 1 when the pair meets the threshold, else 0). */
  groups: number;
  /** With a baseline: the groups it does not record. Gating counts these instead of `groups`. */
  newGroups?: number;
  /** An output the run was asked to write was not written (a baseline refused): 2, whatever the policy. */
  unwritten?: boolean;
}

export interface ExitPolicy {
  /** Report duplicates without failing. */
  exitZero: boolean;
  /** Fail only when more than this many groups (new groups, with a baseline) are found. */
  maxGroups: number;
  /** This run wrote the baseline: what it found is accepted. */
  updateBaseline: boolean;
  /** Inputs that could not be read are reported and counted, but do not make the exit code 2. */
  skipErrors?: boolean;
}

export const DEFAULT_POLICY: ExitPolicy = { exitZero: false, maxGroups: 0, updateBaseline: false };

export function exitCode(outcome: Outcome, policy: ExitPolicy = DEFAULT_POLICY): number {
  if (outcome.unwritten || (outcome.errors > 0 && !policy.skipErrors)) return EXIT.error;
  if (policy.exitZero || policy.updateBaseline) return EXIT.clean;
  const found = outcome.newGroups ?? outcome.groups;
  return found > policy.maxGroups ? EXIT.duplicates : EXIT.clean;
}
