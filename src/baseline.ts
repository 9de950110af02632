/**
 * Baselines: the groups a project has accepted, recorded so that CI fails only on new ones.
 * A group is identified by its fingerprint, which depends only on its members' paths and
 * content, not on line numbers, scan order or group numbering.
 */
import { createHash } from 'node:crypto';

export interface MemberKey {
  /** The member's path, with `/` separators, relative to a fixed folder (the baseline's, the repository's). */
  path: string;
  /** DocumentInfo.contentHash: the hash of the member's extracted text. */
  contentHash: string;
}

/** 32 hex digits (SHA-256, truncated) of the sorted (path, content hash) pairs of a group. */
export function groupFingerprint(members: readonly MemberKey[]): string {
  const lines = members.map((m) => `${m.path}\u0000${m.contentHash}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 32);
}
