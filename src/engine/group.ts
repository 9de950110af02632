/**
 * The group stage, and the run's result: verified pairs -> groups (connected components), and
 * the ScanResult every report reads.
 */
import { components } from '../core/cluster.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { DocumentInfo, Group, ScanResult, ScoredPair } from '../model/types.js';
import type { RunLog } from './log.js';

/**
 * Groups: connected components of the verified pairs over `count` documents (in path order),
 * each with its pairs; largest first, ties by the first member's path; ids from 1.
 */
export function buildGroups<P extends ScoredPair>(count: number, pairs: readonly P[]): (Group & { pairs: P[] })[] {
  const comps = components(count, pairs);
  const groupOf = new Int32Array(count);
  comps.forEach((members, g) => {
    for (const m of members) groupOf[m] = g;
  });
  const pairsOf: P[][] = comps.map(() => []);
  for (const p of pairs) pairsOf[groupOf[p.a]!]!.push(p);
  return comps
    .map((members, g) => ({ members, pairs: pairsOf[g]! }))
    .sort((x, y) => y.members.length - x.members.length || x.members[0]! - y.members[0]!)
    .map((g, i) => ({ id: i + 1, members: g.members, pairs: g.pairs }));
}

/** A run's result without its documents, pairs and groups' own types (an index query's carry more). */
export type ResultOf<D extends DocumentInfo, P extends ScoredPair> = Omit<ScanResult, 'documents' | 'pairs' | 'groups'> & {
  documents: D[];
  pairs: P[];
  groups: (Group & { pairs: P[] })[];
};

/**
 * A ScanResult from its parts. `documents` are in path order and indexed by position; `pairs`
 * are ordered by (a, b); `compared` counts the documents compared (for an index query: the
 * query's own, not the indexed ones it reports); `verified`: the candidate pairs scored exactly.
 */
export function assembleResult<D extends DocumentInfo, P extends ScoredPair>(parts: {
  settings: ResolvedOptions;
  documents: D[];
  pairs: P[];
  compared: readonly DocumentInfo[];
  found: number;
  candidates: number;
  verified: number;
  log: RunLog;
  started: number;
}): ResultOf<D, P> {
  const { settings, documents, pairs, compared, log } = parts;
  const groups = buildGroups(documents.length, pairs);
  let short = 0;
  for (const d of compared) if (d.units < settings.shingle.size) short++;
  let duplicateDocuments = 0;
  for (const g of groups) duplicateDocuments += g.members.length;
  return {
    settings,
    documents,
    groups,
    pairs,
    skipped: log.skipped,
    errors: log.errors,
    warnings: log.warnings,
    stats: {
      files: parts.found,
      documents: compared.length,
      skipped: log.skipped.length,
      failed: log.errors.length,
      short,
      candidates: parts.candidates,
      verified: parts.verified,
      groups: groups.length,
      duplicateDocuments,
      pairs: pairs.length,
    },
    elapsedMs: performance.now() - parts.started,
  };
}
