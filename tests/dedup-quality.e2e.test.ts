/**
 * dedup on the labelled dev set (bench/quality-dev), defaults, through the built binary: the
 * output keeps exactly one document of at least 97% of the clusters, and every hard negative
 * (template siblings and quote sharers: different texts, each its own cluster).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, run } from './helpers.js';

const DEV = path.join(ROOT, 'bench', 'quality-dev');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-dedup-quality-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Label {
  path: string;
  cluster: string;
  transforms: string[];
}

describe('dedup of the labelled dev set', () => {
  it('keeps one document per cluster (>= 97% of them) and every hard negative', () => {
    const out = path.join(dir, 'out');
    const r = run(['dedup', path.join(DEV, 'docs'), '--out', out]);
    expect(r.code).toBe(0);
    const labels = readFileSync(path.join(DEV, 'labels.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Label);
    const kept = new Set(readdirSync(out));
    expect(kept.size).toBeGreaterThan(0);
    for (const k of kept) expect(labels.some((l) => path.basename(l.path) === k)).toBe(true);
    const perCluster = new Map<string, number>();
    for (const l of labels) perCluster.set(l.cluster, (perCluster.get(l.cluster) ?? 0) + (kept.has(path.basename(l.path)) ? 1 : 0));
    const exactlyOne = [...perCluster.values()].filter((n) => n === 1).length;
    expect(exactlyOne / perCluster.size).toBeGreaterThanOrEqual(0.97);
    const negatives = labels.filter((l) => l.transforms.includes('template-sibling') || l.transforms.includes('quote-sharer'));
    expect(negatives.length).toBe(40);
    for (const l of negatives) expect(kept.has(path.basename(l.path))).toBe(true);
  });
});
