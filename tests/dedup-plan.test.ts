/** The dedup plan: which member of a group is kept under each --keep policy, and how each removed one is linked to it. */
import { describe, expect, it } from 'vitest';
import { planDedup, survivor } from '../src/dedup/plan.js';
import type { DocumentInfo, Group, ScoredPair } from '../src/model/types.js';
import { dedupOutputKind, resolveDedupOptions } from '../src/options/dedup.js';

function doc(index: number, chars: number): DocumentInfo {
  return { index, path: `d${index}.txt`, kind: 'text', encoding: 'utf-8', bytes: chars, chars, units: chars, shingles: chars, contentHash: String(index) };
}

const pair = (a: number, b: number, s = 0.9): ScoredPair => ({ a, b, jaccard: s, containment: s });

describe('survivor', () => {
  const docs = [doc(0, 500), doc(1, 900), doc(2, 300), doc(3, 900), doc(4, 300)];
  const mtimeMs = [5, 1, 9, 9, 1];
  const members = [0, 1, 2, 3, 4];
  it('first: the first in path order', () => expect(survivor(members, 'first', docs)).toBe(0));
  it('longest and shortest: by characters of text, ties to the first in path order', () => {
    expect(survivor(members, 'longest', docs)).toBe(1);
    expect(survivor(members, 'shortest', docs)).toBe(2);
    expect(survivor([3, 4], 'longest', docs)).toBe(3);
  });
  it('newest and oldest: by modification time, ties to the first in path order', () => {
    expect(survivor(members, 'newest', docs, { mtimeMs })).toBe(2);
    expect(survivor(members, 'oldest', docs, { mtimeMs })).toBe(1);
    expect(() => survivor(members, 'newest', docs)).toThrow(/modification times/);
  });
});

describe('planDedup', () => {
  // 0 - 1 - 2 - 3 (a chain), and 4 - 5
  const documents = [doc(0, 100), doc(1, 200), doc(2, 300), doc(3, 50), doc(4, 10), doc(5, 10), doc(6, 10)];
  const groups: Group[] = [
    { id: 1, members: [0, 1, 2, 3], pairs: [pair(0, 1, 0.8), pair(1, 2, 0.7), pair(2, 3, 0.95)] },
    { id: 2, members: [4, 5], pairs: [pair(4, 5)] },
  ];

  it('keeps one member per group and every document in no group', () => {
    const plan = planDedup({ documents, groups }, 'first');
    expect([...plan.kept]).toEqual([1, 0, 0, 0, 1, 0, 1]);
    expect(plan.groups).toEqual([
      { id: 1, kept: 0, removed: [1, 2, 3] },
      { id: 2, kept: 4, removed: [5] },
    ]);
    expect(plan.removals.map((r) => r.doc)).toEqual([1, 2, 3, 5]);
  });

  it('gives the verified pair of a removed document and the kept one, or the chain that links them', () => {
    const plan = planDedup({ documents, groups }, 'first');
    const [r1, r2, r3] = plan.removals;
    expect(r1).toMatchObject({ doc: 1, kept: 0, group: 1, pair: pair(0, 1, 0.8), via: [] });
    expect(r2!.pair).toBeUndefined();
    expect(r2!.via).toEqual([1]);
    expect(r3!.via).toEqual([2, 1]);
  });

  it('follows the policy: the longest member kept, the chain from each side', () => {
    const plan = planDedup({ documents, groups }, 'longest');
    expect(plan.groups[0]!.kept).toBe(2);
    expect(plan.removals.filter((r) => r.group === 1).map((r) => [r.doc, r.pair !== undefined, r.via])).toEqual([
      [0, false, [1]],
      [1, true, []],
      [3, true, []],
    ]);
  });

  it('does not depend on the order of the pairs', () => {
    const shuffled = groups.map((g) => ({ ...g, pairs: [...g.pairs].reverse() }));
    expect(planDedup({ documents, groups: shuffled }, 'shortest')).toEqual(planDedup({ documents, groups }, 'shortest'));
  });

  it('on the shortest of several chains, goes through the member first in path order', () => {
    // 0 - 1 - 3 and 0 - 2 - 3: both two steps
    const g: Group[] = [{ id: 1, members: [0, 1, 2, 3], pairs: [pair(0, 1), pair(0, 2), pair(1, 3), pair(2, 3)] }];
    const plan = planDedup({ documents, groups: g }, 'first');
    expect(plan.removals.find((r) => r.doc === 3)!.via).toEqual([1]);
  });
});

describe('dedup options', () => {
  it('--out names a folder, or a record file by its extension', () => {
    expect(dedupOutputKind('clean')).toEqual({ kind: 'folder', gzip: false });
    expect(dedupOutputKind('clean.JSONL')).toEqual({ kind: 'jsonl', gzip: false });
    expect(dedupOutputKind('a/clean.ndjson.gz')).toEqual({ kind: 'jsonl', gzip: true });
    expect(dedupOutputKind('clean.csv')).toEqual({ kind: 'csv', gzip: false });
    expect(dedupOutputKind('clean.txt.gz')).toEqual({ kind: 'folder', gzip: false });
  });
  it('are validated: --out required, --keep one of the policies, --link and newest/oldest for folders only', () => {
    expect(() => resolveDedupOptions({})).toThrow(/--out: required/);
    expect(() => resolveDedupOptions({ out: '' })).toThrow(/--out/);
    expect(() => resolveDedupOptions({ out: 'x', keep: 'biggest' })).toThrow(/--keep: expected one of first, longest, shortest, newest, oldest/);
    expect(() => resolveDedupOptions({ out: 'x.jsonl', link: true })).toThrow(/--link: only for a folder output/);
    expect(() => resolveDedupOptions({ out: 'x.csv', keep: 'oldest' })).toThrow(/records do not have/);
    expect(resolveDedupOptions({ out: 'x' })).toMatchObject({ keep: 'first', link: false, force: false, dryRun: false, outputKind: 'folder' });
  });
});
