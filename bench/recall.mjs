#!/usr/bin/env node
// Exact-pair recall on real e-mail: neardup with `--shingle word:5 --metric jaccard --threshold 0.8`
// against exact all-pairs word 5-gram Jaccard >= 0.8 (lower-cased \w+ words, as the usual tools
// tokenise), on the 6,046-mail SpamAssassin corpus.
//
//   npm run bench:recall
//
// Prints exact pairs, reported pairs, recall, precision, and checks that every reported pair's
// exact Jaccard is >= 0.8.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureSpamAssassin, listFiles, ROOT } from './corpus.mjs';

const K = 5;
const T = 0.8;
const dir = ensureSpamAssassin();
const files = listFiles(dir);

// Exact truth, independent of neardup's code: distinct word 5-grams per file, 32-bit FNV-1a of the
// shingle text (sorted), brute force over every pair whose sizes allow J >= T.
function fnv(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
const t0 = performance.now();
const sets = files.map((f) => {
  const words =
    readFileSync(f, 'utf8')
      .toLowerCase()
      .match(/[\p{L}\p{M}\p{N}_]+/gu) ?? [];
  const out = new Set();
  for (let i = 0; i < Math.max(1, words.length - K + 1); i++) out.add(fnv(words.slice(i, i + K).join(' ')));
  return Uint32Array.from(out).sort();
});
const order = files.map((_, i) => i).sort((a, b) => sets[a].length - sets[b].length);
const key = (a, b) => (a < b ? `${a}\t${b}` : `${b}\t${a}`);
const rel = (f) => path.relative(dir, f);
const exact = new Map();
for (let x = 0; x < order.length; x++) {
  const A = sets[order[x]];
  for (let y = x + 1; y < order.length; y++) {
    const B = sets[order[y]];
    if (A.length < T * B.length) break;
    let i = 0,
      j = 0,
      n = 0;
    while (i < A.length && j < B.length) {
      if (A[i] === B[j]) {
        n++;
        i++;
        j++;
      } else if (A[i] < B[j]) i++;
      else j++;
    }
    const jac = n / (A.length + B.length - n);
    if (jac >= T) exact.set(key(rel(files[order[x]]), rel(files[order[y]])), jac);
  }
}
const tExact = (performance.now() - t0) / 1000;

const args = ['scan', dir, '--shingle', 'word:5', '--metric', 'jaccard', '--threshold', String(T), '--format', 'json'];
let stdout;
const t1 = performance.now();
try {
  stdout = execFileSync(process.execPath, [path.join(ROOT, 'bin', 'neardup.js'), ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
} catch (e) {
  if (e.status !== 1) throw e;
  stdout = e.stdout;
}
const tScan = (performance.now() - t1) / 1000;
const report = JSON.parse(stdout);
const got = new Map(report.pairs.map((p) => [key(path.relative(dir, p.a), path.relative(dir, p.b)), p.jaccard]));
let tp = 0;
for (const k of got.keys()) if (exact.has(k)) tp++;
const below = report.pairs.filter((p) => p.jaccard < T).length;
console.log(`command: neardup ${args.join(' ').replace(dir, path.relative(ROOT, dir))}`);
console.log(`exact pairs ${exact.size} (brute force, ${tExact.toFixed(1)}s)  reported ${got.size} (${tScan.toFixed(2)}s)`);
console.log(`recall ${(tp / Math.max(1, exact.size)).toFixed(4)}  precision ${(tp / Math.max(1, got.size)).toFixed(4)}  reported pairs below ${T}: ${below}`);
