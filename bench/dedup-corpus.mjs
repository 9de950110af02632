// A JSONL corpus for the dedup tests (tests/dedup-scale.e2e.test.ts) and benchmark (bench/dedup.mjs):
// records of random words, some of them near-copies of an earlier record (upper case, commas,
// two words changed), so which records a dedup keeps is known in advance: every original, no copy.
// Plain JavaScript, so that the benchmark runs it under node as it is (types: dedup-corpus.d.mts).
import { closeSync, openSync, writeSync } from 'node:fs';

/** xorshift32, numbers in [0, 1) (as tests/helpers.ts prng). */
function prng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/**
 * Writes `n` JSONL records to `file` ({"id":"rI","text":...,"n":I}); about `copyRate` of them are
 * near-copies of an earlier original. Returns the copies: line (1-based) -> line of the original.
 */
export function writeRecords(file, n, { seed = 7, copyRate = 0.1, words = 40 } = {}) {
  const rand = prng(seed);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const vocabulary = [];
  for (let i = 0; i < 5000; i++) {
    let w = '';
    const len = 3 + Math.floor(rand() * 7);
    for (let j = 0; j < len; j++) w += String.fromCharCode(97 + Math.floor(rand() * 26));
    vocabulary.push(w);
  }
  const originals = new Map(); // line -> text
  const copyOf = new Map();
  const fd = openSync(file, 'w');
  let buffered = [];
  try {
    for (let i = 0; i < n; i++) {
      const line = i + 1;
      let text;
      if (originals.size > 10 && rand() < copyRate) {
        let from = 1 + Math.floor(rand() * i);
        while (!originals.has(from)) from = copyOf.get(from);
        const w = originals.get(from).split(' ');
        w[Math.floor(rand() * w.length)] = pick(vocabulary);
        w[Math.floor(rand() * w.length)] = pick(vocabulary);
        text = w.join(', ').toUpperCase();
        copyOf.set(line, from);
      } else {
        const w = [];
        for (let j = 0; j < words; j++) w.push(pick(vocabulary));
        text = w.join(' ');
        originals.set(line, text);
      }
      buffered.push(`${JSON.stringify({ id: `r${i}`, text, n: i })}\n`);
      if (buffered.length >= 1000) {
        writeSync(fd, buffered.join(''));
        buffered = [];
      }
    }
    writeSync(fd, buffered.join(''));
  } finally {
    closeSync(fd);
  }
  return { copyOf, lines: n };
}
