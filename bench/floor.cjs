#!/usr/bin/env node
// The floor for a one-process scan: read every file, lower-case it, and compute one 32-bit hash
// per word 5-shingle, nothing else (no signature, no index). neardup's wall time over this is its
// distance from the limit of a single-threaded pass over the text.
//   node bench/floor.cjs DIR [k=5]
const fs = require('node:fs');
const path = require('node:path');
const dir = process.argv[2];
const k = Number(process.argv[3] || 5);
const walk = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
let acc = 0;
let shingles = 0;
let chars = 0;
const ring = new Int32Array(k);
for (const p of walk(dir)) {
  const s = fs.readFileSync(p, 'utf8').toLowerCase();
  chars += s.length;
  let h = 0;
  let inWord = false;
  let n = 0;
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 32;
    const w = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c > 127;
    if (w) {
      h = Math.imul(h ^ c, 0x01000193);
      inWord = true;
    } else if (inWord) {
      ring[n % k] = h;
      n++;
      h = 0;
      inWord = false;
      if (n >= k) {
        let x = 0x811c9dc5;
        for (let j = 0; j < k; j++) x = Math.imul(x ^ ring[(n + j) % k], 0x01000193);
        acc ^= x;
        shingles++;
      }
    }
  }
}
console.error(`chars=${chars} shingles=${shingles} acc=${acc}`);
