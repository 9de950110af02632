/**
 * The plan: which document of each group is kept (--keep), and for each other member, what it
 * duplicates and how that is known. Pure: a function of the scan result and the policy.
 */
import type { KeepPolicy } from '../model/settings.js';
import type { DocumentInfo, ScanResult, ScoredPair } from '../model/types.js';

export interface Removal {
  /** The removed document (an index into the scan's documents). */
  doc: number;
  /** The document kept in its stead: its group's survivor. */
  kept: number;
  /** The group (its id in the scan report). */
  group: number;
  /** The verified pair of the two, when the scan verified them against each other. */
  pair?: ScoredPair;
  /**
   * Without such a pair: the documents in between on the shortest chain of verified pairs from
   * the removed document to the kept one (empty when `pair` is set).
   */
  via: number[];
}

export interface GroupPlan {
  id: number;
  kept: number;
  /** The other members, in path order. */
  removed: number[];
}

export interface Plan {
  /** In the scan's group order (largest first). */
  groups: GroupPlan[];
  /** Every removed document, in document order (path order; records: input order). */
  removals: Removal[];
  /** 1 for each document that is kept (in no group, or its group's survivor). */
  kept: Uint8Array;
}

/** What --keep newest/oldest compare: each document's file modification time. */
export interface Facts {
  mtimeMs?: ArrayLike<number>;
}

/**
 * The member kept: the best under the policy; ties go to the first in path order (members are
 * ascending document indices, and documents are in path order, records in input order).
 */
export function survivor(members: readonly number[], keep: KeepPolicy, documents: readonly DocumentInfo[], facts: Facts = {}): number {
  const value = (d: number): number => {
    switch (keep) {
      case 'first':
        return -d;
      case 'longest':
        return documents[d]!.chars;
      case 'shortest':
        return -documents[d]!.chars;
      case 'newest':
      case 'oldest': {
        const t = facts.mtimeMs?.[d];
        if (t === undefined) throw new Error(`--keep ${keep} needs modification times`);
        return keep === 'newest' ? t : -t;
      }
    }
  };
  let best = members[0]!;
  let bestValue = value(best);
  for (const m of members.slice(1)) {
    const v = value(m);
    if (v > bestValue) [best, bestValue] = [m, v];
  }
  return best;
}

/**
 * Breadth-first from the survivor over the group's verified pairs (neighbours in path order):
 * for each member, the next document on a shortest chain towards the survivor.
 */
function towardsSurvivor(kept: number, pairs: readonly ScoredPair[]): Map<number, number> {
  const adjacent = new Map<number, number[]>();
  const link = (a: number, b: number) => {
    let list = adjacent.get(a);
    if (!list) adjacent.set(a, (list = []));
    list.push(b);
  };
  for (const p of pairs) {
    link(p.a, p.b);
    link(p.b, p.a);
  }
  for (const list of adjacent.values()) list.sort((x, y) => x - y);
  const next = new Map<number, number>([[kept, kept]]);
  const queue = [kept];
  for (let q = 0; q < queue.length; q++) {
    const d = queue[q]!;
    for (const n of adjacent.get(d) ?? []) {
      if (next.has(n)) continue;
      next.set(n, d);
      queue.push(n);
    }
  }
  return next;
}

export function planDedup(result: Pick<ScanResult, 'documents' | 'groups'>, keep: KeepPolicy, facts: Facts = {}): Plan {
  const kept = new Uint8Array(result.documents.length).fill(1);
  const groups: GroupPlan[] = [];
  const removals: Removal[] = [];
  for (const g of result.groups) {
    const k = survivor(g.members, keep, result.documents, facts);
    const next = towardsSurvivor(k, g.pairs);
    const direct = new Map<number, ScoredPair>();
    for (const p of g.pairs) {
      if (p.a === k) direct.set(p.b, p);
      else if (p.b === k) direct.set(p.a, p);
    }
    const removed = g.members.filter((m) => m !== k);
    for (const m of removed) {
      kept[m] = 0;
      const pair = direct.get(m);
      const via: number[] = [];
      if (!pair) for (let d = next.get(m)!; d !== k; d = next.get(d)!) via.push(d);
      removals.push({ doc: m, kept: k, group: g.id, ...(pair ? { pair } : {}), via });
    }
    groups.push({ id: g.id, kept: k, removed });
  }
  removals.sort((x, y) => x.doc - y.doc);
  return { groups, removals, kept };
}
