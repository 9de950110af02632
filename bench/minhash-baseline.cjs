#!/usr/bin/env node
// What a user of the npm package `minhash` (a devDependency) writes to find near-duplicate files,
// following its README: word k-shingles, Minhash.update per shingle, LshIndex, query each, keep
// pairs whose estimated Jaccard >= t.
//   node bench/minhash-baseline.cjs DIR [k=5] [t=0.8]
const fs = require('node:fs');
const path = require('node:path');
const { Minhash, LshIndex } = require('minhash');
const dir = process.argv[2];
const k = Number(process.argv[3] || 5);
const t = Number(process.argv[4] || 0.8);
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
const paths = walk(dir).sort();
const index = new LshIndex({ bandSize: 4 });
const sigs = new Map();
for (const p of paths) {
  const words = fs.readFileSync(p, 'utf8').toLowerCase().match(/\w+/g) || [];
  const m = new Minhash();
  const seen = new Set();
  for (let i = 0; i < Math.max(1, words.length - k + 1); i++) seen.add(words.slice(i, i + k).join(' '));
  for (const s of seen) m.update(s);
  index.insert(p, m);
  sigs.set(p, m);
}
const pairs = [];
for (const [p, m] of sigs) {
  for (const q of index.query(m)) {
    if (q > p) {
      const s = m.jaccard(sigs.get(q));
      if (s >= t) pairs.push({ a: p, b: q, similarity: s });
    }
  }
}
process.stdout.write(JSON.stringify({ pairs }));
console.error(`docs=${paths.length} pairs=${pairs.length}`);
