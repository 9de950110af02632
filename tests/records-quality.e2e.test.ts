/**
 * JSONL record mode at scale: a 100,000-record JSONL file built from the dev set's 551 documents
 * (their extracted text, one record each, scattered among 99,449 records of unrelated text) must
 * give the same duplicate pairs, and so the same quality, as the folder scan of the documents.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, kindFromPath } from '../src/corpus/extract.js';
import { readTextFile } from '../src/corpus/read.js';
import { prng, ROOT, run } from './helpers.js';

const DEV = path.join(ROOT, 'bench', 'quality-dev');
const RECORDS = 100_000;

interface Report {
  counts: Record<string, number>;
  groups: { members: { path: string; id?: string }[] }[];
  pairs: { a: string; b: string }[];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'neardup-records-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }), 120_000);

/** Pairs as `idA\tidB` (sorted), the ids being dev-set paths (docs/xxxx.txt). */
function pairSet(report: Report, idOf: (p: string) => string): Set<string> {
  return new Set(report.pairs.map((p) => [idOf(p.a), idOf(p.b)].sort().join('\t')));
}

/** Pair precision, recall and F1 against the labels (a pair is right when both are in one cluster). */
function quality(pairs: Set<string>, cluster: Map<string, string>): { precision: number; recall: number; f1: number } {
  let truePairs = 0;
  const byCluster = new Map<string, number>();
  for (const c of cluster.values()) byCluster.set(c, (byCluster.get(c) ?? 0) + 1);
  for (const n of byCluster.values()) truePairs += (n * (n - 1)) / 2;
  let right = 0;
  for (const p of pairs) {
    const [a, b] = p.split('\t');
    if (cluster.get(a!) === cluster.get(b!)) right++;
  }
  const precision = right / pairs.size;
  const recall = right / truePairs;
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall) };
}

describe('JSONL record mode at scale', () => {
  it('finds the duplicate records of a 100,000-record JSONL file as well as the folder scan finds the documents', () => {
    const labels = readFileSync(path.join(DEV, 'labels.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { path: string; cluster: string });
    const cluster = new Map(labels.map((l) => [l.path, l.cluster]));

    // the documents' text as the folder scan sees it (HTML extracted)
    const docs = labels.map((l) => {
      const file = path.join(DEV, l.path);
      const r = readTextFile(file, statSync(file).size, Infinity);
      if (!r.ok) throw new Error(`cannot read ${file}`);
      return { id: l.path, text: extractText(r.text, kindFromPath(file)!) };
    });
    // unrelated filler: random sequences of the dev set's words
    const vocabulary = [...new Set(docs.flatMap((d) => d.text.toLowerCase().match(/[a-z]+/g) ?? []))];
    const r = prng(2024);
    const lines: string[] = [];
    const at = new Set<number>();
    while (at.size < docs.length) at.add(Math.floor(r() * RECORDS));
    const slots = [...at].sort((a, b) => a - b);
    let next = 0;
    for (let i = 0; i < RECORDS; i++) {
      if (slots[next] === i) {
        const d = docs[next++]!;
        lines.push(JSON.stringify({ id: d.id, text: d.text }));
      } else {
        const n = 30 + Math.floor(r() * 60);
        const words = Array.from({ length: n }, () => vocabulary[Math.floor(r() * vocabulary.length)]!);
        lines.push(JSON.stringify({ id: `filler-${i}`, text: `${words.join(' ')}.` }));
      }
    }
    const file = path.join(dir, 'dev.jsonl');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const started = performance.now();
    const records = run(['scan', file, '--id-field', 'id', '--format', 'json']);
    const recordSeconds = (performance.now() - started) / 1000;
    const folder = run(['scan', path.join(DEV, 'docs'), '--format', 'json']);
    expect(records.stderr).toBe('');
    const recordReport = JSON.parse(records.stdout) as Report;
    const folderReport = JSON.parse(folder.stdout) as Report;
    expect(recordReport.counts.documents).toBe(RECORDS);

    const idOfRecord = new Map(recordReport.groups.flatMap((g) => g.members.map((m) => [m.path, m.id!] as const)));
    const recordPairs = pairSet(recordReport, (p) => idOfRecord.get(p)!);
    const folderPairs = pairSet(folderReport, (p) => path.relative(DEV, p));
    expect([...recordPairs].filter((p) => p.includes('filler-'))).toEqual([]);
    expect([...recordPairs].sort()).toEqual([...folderPairs].sort());

    const q = quality(recordPairs, cluster);
    const qf = quality(folderPairs, cluster);
    expect(q).toEqual(qf);
    expect(q.f1).toBeGreaterThan(0.99);
    console.log(
      `JSONL, ${RECORDS} records (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB) in ${recordSeconds.toFixed(1)} s: ` +
        `${recordPairs.size} pairs, precision ${q.precision.toFixed(4)}, recall ${q.recall.toFixed(4)}, F1 ${q.f1.toFixed(4)} ` +
        `(folder scan: ${folderPairs.size} pairs, F1 ${qf.f1.toFixed(4)})`,
    );
  }, 120_000);
});
