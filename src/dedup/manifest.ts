/**
 * The manifest: one JSON line per removed document, in document order (path order; records in
 * input order): what was removed, the document kept in its stead, their group, their scores, and
 * whether the scan verified that pair itself (`direct`) or the removed document joined the group
 * through others (`via`: the documents in between, on a shortest chain of verified pairs).
 */
import { round4 } from '../core/similarity.js';
import type { DocumentInfo } from '../model/types.js';
import type { Removal } from './plan.js';
import type { PairScores } from './sets.js';

/** A removal as the manifest and the JSON report show it. */
export function removalObject(documents: readonly DocumentInfo[], r: Removal, s: PairScores) {
  const d = documents[r.doc]!;
  const k = documents[r.kept]!;
  return {
    removed: d.path,
    ...(d.id === undefined ? {} : { removedId: d.id }),
    ...(d.pathBytes === undefined ? {} : { removedPathBytes: d.pathBytes }),
    kept: k.path,
    ...(k.id === undefined ? {} : { keptId: k.id }),
    ...(k.pathBytes === undefined ? {} : { keptPathBytes: k.pathBytes }),
    group: r.group,
    containment: round4(s.containment),
    jaccard: round4(s.jaccard),
    direct: r.pair !== undefined,
    ...(r.pair === undefined ? { via: r.via.map((v) => documents[v]!.path) } : {}),
  };
}

export function manifestLine(documents: readonly DocumentInfo[], r: Removal, s: PairScores): string {
  return `${JSON.stringify(removalObject(documents, r, s))}\n`;
}
