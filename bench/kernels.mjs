#!/usr/bin/env node
// Each WebAssembly kernel built from its AssemblyScript source against the same kernel in
// hand-written WebAssembly text, through the same wrapper, on the SpamAssassin corpus (run by
// hand; not part of npm test; docs/kernels.md has the figures).
//
//   npm run bench:kernels -- [--rounds 21] [--only sketch,intersect,...] [--round-ms 300] [--wat-from REV]
//
// The text of a kernel is src/kernels/NAME.wat where there is one, else that file at git
// revision REV (default 88c20d5, the last with every kernel in text). Both builds carry their
// function names. One process: the two builds' rounds alternate, the order flipping each round
// (ABBA), after 2 rounds of warm-up; each round repeats its pass to take --round-ms at least.
// Outputs are compared first: a difference stops the run. Medians; AS/WAT below 1: AS faster.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compile, compileWat, KERNELS } from '../scripts/build-wasm.mjs';
import { ensureSpamAssassin, listFiles, ROOT, SPAM_DIR } from './corpus.mjs';

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const ROUNDS = Number(option('--rounds', 21));
const ONLY = option('--only', 'sketch,intersect,candidates,store,json').split(',');
const REV = option('--wat-from', '88c20d5');
/** A round repeats its pass to take at least this long (a short pass is mostly noise on a busy machine). */
const MIN_ROUND_MS = Number(option('--round-ms', 300));

const dist = (p) => import(path.join(ROOT, 'dist', p));
const { replaceKernel, tryLoadKernel } = await dist('kernels/loader.js');
const { SketchKernel } = await dist('kernels/sketch.js');
const { SharedSets } = await dist('kernels/intersect.js');
const { candidatePairsOfSignatures } = await dist('kernels/candidates.js');
const { QueryKernel } = await dist('kernels/store.js');
const { jsonReportBytes } = await dist('report/json.js');
const { findNearDuplicates } = await dist('engine/scan.js');
const { resolveOptions, DEFAULTS } = await dist('options/scan.js');
const { Sketcher } = await dist('engine/sketch.js');
const { MinHashAccumulator } = await dist('core/minhash.js');
const { sharedNeeded } = await dist('core/similarity.js');
const { bytesAsText, decodeBuffer, decodeBytesOneToOne } = await dist('corpus/read.js');
const { prepareText } = await dist('text/normalize.js');

/** Both builds of a kernel, compiled. */
async function builds(name) {
  const file = path.join(ROOT, 'src', 'kernels', `${name}.wat`);
  let text = existsSync(file) ? readFileSync(file, 'utf8') : execFileSync('git', ['show', `${REV}:src/kernels/${name}.wat`], { cwd: ROOT, encoding: 'utf8' });
  // the wrapper gives the shared memory under the name AssemblyScript imports it by
  text = text.replace('(import "neardup" "memory"', '(import "env" "memory"');
  const wat = await compileWat(text, `${name}.wat`);
  const kernel = KERNELS.find((k) => k.name === name);
  const as = kernel.source.endsWith('.wat') ? wat : await compile(kernel);
  return { wat: new WebAssembly.Module(wat), as: new WebAssembly.Module(as), bytes: { wat: wat.length, as: as.length } };
}

const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function same(a, b) {
  if (a === b) return true;
  if (ArrayBuffer.isView(a) || Array.isArray(a)) {
    if (!(ArrayBuffer.isView(b) || Array.isArray(b)) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  if (a && b && typeof a === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

const table = [];

/**
 * Times `run(build, null)` for the WAT and AS builds (`prepare(build)` first, untimed, each
 * time), after checking that `run(build, out)` puts the same outputs in `out` for both; then
 * alternating rounds.
 */
function alternate(kernel, workload, run, prepare = () => {}) {
  const out = {};
  for (const w of ['wat', 'as']) {
    prepare(w);
    out[w] = [];
    run(w, out[w]);
  }
  if (!same(out.wat, out.as)) throw new Error(`${kernel}, ${workload}: the two builds' outputs differ`);
  prepare('wat');
  const t0 = performance.now();
  run('wat', null);
  const reps = Math.max(1, Math.ceil(MIN_ROUND_MS / Math.max(performance.now() - t0, 0.01)));
  const times = { wat: [], as: [] };
  for (let r = -2; r < ROUNDS; r++) {
    for (const w of r % 2 === 0 ? ['wat', 'as'] : ['as', 'wat']) {
      prepare(w);
      const t = performance.now();
      for (let i = 0; i < reps; i++) run(w, null);
      if (r >= 0) times[w].push((performance.now() - t) / reps);
    }
  }
  const mw = median(times.wat);
  const ma = median(times.as);
  const ratios = times.wat.map((x, i) => times.as[i] / x);
  const row = { kernel, workload, wat: mw, as: ma, ratio: ma / mw, perRound: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
  table.push(row);
  console.log(
    `${kernel}, ${workload}: identical; ${reps} pass(es) a round; median WAT ${mw.toFixed(2)} ms, AS ${ma.toFixed(2)} ms, AS/WAT ${row.ratio.toFixed(3)}` +
      ` (per-round ratio median ${row.perRound.toFixed(3)}, min ${row.min.toFixed(3)}, max ${row.max.toFixed(3)})`,
  );
}

// ---- the corpus, sketched as the scan's loading stage does (ASCII bytes, windows-1252 bytes, or decoded text)
ensureSpamAssassin();
const opts = resolveOptions({});
const sk = new Sketcher(opts);
const { numPerm: K, seed, bands, rows } = opts;
const size = opts.shingle.size;
const letters = [];
for (let b = 0; b < 256; b++) letters.push(Array.from(sk.tokenizer.units(prepareText(decodeBytesOneToOne(Uint8Array.of(b))))));
const files = listFiles(SPAM_DIR).map((f) => ({ bytes: readFileSync(f) }));

/** One file through a sketch kernel by its path (f.path): its result (a view) and its bins. */
function sketchFile(k, f) {
  const acc = new MinHashAccumulator(K);
  if (f.path === 'units') return { r: { units: f.units.length, set: k.shingleUnits(f.units, size, sk.seeds, acc) }, acc };
  const at = k.inputPlace(f.bytes.length + 1, K, true);
  k.view().set(f.bytes, at);
  const r = f.path === 'ascii' ? k.shingleAscii(at, f.bytes.length, size, sk.seeds, acc) : k.shingleWide(at, f.bytes.length, size, sk.seeds, acc, letters);
  return { r, acc };
}
const sketcher = new SketchKernel();
const docs = [];
const paths = { ascii: 0, wide: 0, units: 0 };
for (const f of files) {
  f.path = 'ascii';
  let { r, acc } = sketchFile(sketcher, f);
  if (!r && bytesAsText(f.bytes)) {
    f.path = 'wide';
    ({ r, acc } = sketchFile(sketcher, f));
  }
  if (!r) {
    f.path = 'units';
    const t = decodeBuffer(f.bytes, Number.POSITIVE_INFINITY);
    f.units = sk.tokenizer.units(prepareText(t.ok ? t.text : '')).slice();
    ({ r, acc } = sketchFile(sketcher, f));
  }
  paths[f.path]++;
  if (r.set.length > 0) docs.push({ set: r.set.slice(), signature: acc.signature(seed).slice() });
}
const n = docs.length;
const total = docs.reduce((s, d) => s + d.set.length, 0);
const sigs = new Uint32Array(n * K);
docs.forEach((d, i) => sigs.set(d.signature, i * K));
const cap = { maxBucket: DEFAULTS.maxBucket, window: DEFAULTS.bucketWindow };
const { ends } = candidatePairsOfSignatures(sigs, n, K, bands, rows, cap);
console.log(
  `${files.length} files, ${n} documents with shingles (${total} in all), ${ends.length / 2} LSH candidate pairs (bands ${bands}, rows ${rows}, ${K} bins); ` +
    `Node ${process.versions.node}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; ${new Date().toISOString().slice(0, 10)}`,
);

if (ONLY.includes('sketch')) {
  const m = await builds('sketch');
  const k = {};
  for (const w of ['wat', 'as']) {
    replaceKernel('sketch', m[w]);
    k[w] = new SketchKernel();
  }
  alternate('sketch', `every file (from ASCII bytes ${paths.ascii}, windows-1252 bytes ${paths.wide}, decoded text ${paths.units})`, (w, out) => {
    for (const f of files) {
      const { r, acc } = sketchFile(k[w], f);
      out?.push(r.units, r.set.slice(), acc.bins.slice(), acc.filled.slice());
    }
  });
  console.log(`  wasm bytes: WAT ${m.bytes.wat}, AS ${m.bytes.as}`);
}

if (ONLY.includes('intersect')) {
  const m = await builds('intersect');
  // one shared memory, as the scan lays it out: sets, places, signatures, sizes, kept, pairs
  replaceKernel('intersect', m.wat);
  const wat = SharedSets.create(64 * 2 ** 20 + 8 * total + 8 * n * (K + 8));
  replaceKernel('intersect', m.as);
  const sets = { wat, as: SharedSets.attach(wat.memory) };
  const places = wat.alloc(2 * n);
  docs.forEach((d, i) => {
    const s = wat.alloc(d.set.length);
    s.set(d.set);
    places.set(wat.placeOf(s), 2 * i);
  });
  const placesAt = wat.placeOf(places)[0];
  const shared = wat.alloc(n * K);
  shared.set(sigs);
  const sigsAt = wat.placeOf(shared)[0];
  const sizes = wat.alloc(n);
  docs.forEach((d, i) => {
    sizes[i] = d.set.length;
  });
  const sizesAt = wat.placeOf(sizes)[0];
  const keptArr = wat.alloc(Math.ceil(n / 4));
  const keptBytes = new Uint8Array(keptArr.buffer, keptArr.byteOffset, n);
  const pairs = wat.alloc(ends.length);
  const pairsAt = wat.placeOf(pairs)[0];
  // slices as the scan's verify stage cuts them for 2 threads
  const verifyAll = (out, s, metric, threshold, signatures) => {
    const count = ends.length / 2;
    pairs.set(ends);
    const slice = Math.max(256, Math.ceil(count / 64));
    for (let first = 0; first < count; first += slice) {
      const r = s.verify(pairsAt + 2 * first, Math.min(slice, count - first), placesAt, metric, threshold, signatures);
      out?.push(r.kept, r.checked, pairs.slice(2 * first, 2 * (first + r.kept)));
    }
  };
  const screenAll = (out, s, metric, threshold) => {
    const count = ends.length / 2;
    keptBytes.fill(0);
    pairs.set(ends);
    const slice = Math.max(4096, Math.ceil(count / 32));
    for (let first = 0; first < count; first += slice) {
      const kept = s.screen(pairsAt + 2 * first, Math.min(slice, count - first), sizesAt, keptArr.byteOffset, metric, threshold, { at: sigsAt, k: K });
      out?.push(kept, pairs.slice(2 * first, 2 * (first + kept)));
    }
  };
  const prescreenAll = (out, s, metric, threshold) => {
    pairs.set(ends);
    const kept = s.prescreen(pairsAt, ends.length / 2, placesAt, sizesAt, metric, threshold);
    out?.push(kept, pairs.slice(0, kept));
  };
  alternate('intersect', 'verify, containment 0.65 (the default)', (w, out) => verifyAll(out, sets[w], 'containment', 0.65, { at: sigsAt, k: K }));
  alternate('intersect', 'verify, containment 0.3', (w, out) => verifyAll(out, sets[w], 'containment', 0.3, { at: sigsAt, k: K }));
  alternate('intersect', 'verify, every pair counted to the end', (w, out) => verifyAll(out, sets[w], 'containment', 1e-12));
  alternate('intersect', 'screen, Jaccard 0.5', (w, out) => screenAll(out, sets[w], 'jaccard', 0.5));
  alternate('intersect', 'prescreen, containment 0.65', (w, out) => prescreenAll(out, sets[w], 'containment', 0.65));
  console.log(`  wasm bytes: WAT ${m.bytes.wat}, AS ${m.bytes.as}`);
}

if (ONLY.includes('candidates')) {
  const m = await builds('candidates');
  const t03 = resolveOptions({ threshold: 0.3 });
  // ×10: each copy with every value changed with probability 0.3 (near, not exact, duplicates)
  let rng = 7;
  const rand = () => {
    rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
    return rng;
  };
  const big = new Uint32Array(10 * n * K);
  for (let c = 0; c < 10; c++) for (let i = 0; i < n * K; i++) big[c * n * K + i] = c && rand() % 10 < 3 ? rand() : sigs[i];
  const prepare = (w) => replaceKernel('candidates', m[w]);
  const keep = (out, r) => out?.push(r.ends.slice(), r.stats);
  alternate(
    'candidates',
    `bands ${bands}, rows ${rows} (the default)`,
    (_, out) => keep(out, candidatePairsOfSignatures(sigs, n, K, bands, rows, cap)),
    prepare,
  );
  alternate(
    'candidates',
    `bands ${t03.bands}, rows ${t03.rows} (threshold 0.3)`,
    (_, out) => keep(out, candidatePairsOfSignatures(sigs, n, K, t03.bands, t03.rows, cap)),
    prepare,
  );
  alternate('candidates', 'the corpus ×10 with noise', (_, out) => keep(out, candidatePairsOfSignatures(big, 10 * n, K, bands, rows, cap)), prepare);
  console.log(`  wasm bytes: WAT ${m.bytes.wat}, AS ${m.bytes.as}`);
}

if (ONLY.includes('store')) {
  const m = await builds('store');
  // each document a query against its LSH candidates, as an index query meets them
  const partners = Array.from({ length: n }, () => []);
  for (let p = 0; p < ends.length; p += 2) {
    partners[ends[p]].push(ends[p + 1]);
    partners[ends[p + 1]].push(ends[p]);
  }
  const q = {};
  const raw = {};
  for (const w of ['wat', 'as']) {
    replaceKernel('store', m[w]);
    q[w] = new QueryKernel();
    raw[w] = tryLoadKernel('store');
  }
  /** encodeSet's steps, on a kernel instance's exports. */
  const encode = (ex, values) => {
    const out = values.length * 4;
    const need = out + values.length * 5;
    if (need > ex.memory.buffer.byteLength) ex.memory.grow(Math.ceil((need - ex.memory.buffer.byteLength) / 65536));
    new Uint32Array(ex.memory.buffer, 0, values.length).set(values);
    const len = ex.encode(0, values.length, out);
    return new Uint8Array(ex.memory.buffer, out, len).slice();
  };
  const encoded = docs.map((d) => encode(raw.wat, d.set));
  alternate('store', 'encode every set', (w, out) => {
    for (const d of docs) {
      const bytes = encode(raw[w], d.set);
      out?.push(bytes);
    }
  });
  // every fourth document that has candidates
  const queries = [];
  for (let d = 0; d < n; d += 4) if (partners[d].length > 0) queries.push(d);
  // each query's candidates' signatures, encoded sets, sizes and needed counts, made once
  const inputs = queries.map((d) => {
    const cs = partners[d];
    const candSigs = new Uint32Array(cs.length * K);
    cs.forEach((c, i) => candSigs.set(docs[c].signature, i * K));
    const own = docs[d].set;
    return {
      d,
      candSigs,
      sets: cs.map((c) => encoded[c]),
      sizes: cs.map((c) => docs[c].set.length),
      needed: cs.map((c) => sharedNeeded('containment', 0.65, own.length, docs[c].set.length)),
    };
  });
  alternate('store', `${queries.length} queries: agreements, then shared counts (containment 0.65)`, (w, out) => {
    const k = q[w];
    for (const x of inputs) {
      k.load(docs[x.d].set, docs[x.d].signature);
      const agree = k.agreements(x.candSigs, x.sizes.length);
      const shared = k.sharedMany(x.sets, x.sizes, x.needed);
      out?.push(agree, shared);
    }
  });
  console.log(`  wasm bytes: WAT ${m.bytes.wat}, AS ${m.bytes.as}`);
}

if (ONLY.includes('json')) {
  const m = await builds('json');
  const result = await findNearDuplicates([SPAM_DIR], {});
  const prepare = (w) => replaceKernel('json', m[w]);
  alternate(
    'json',
    `the report of a default scan (${result.groups.length} groups, ${result.pairs.length} pairs)`,
    (_, out) => {
      const pieces = jsonReportBytes(result, {});
      out?.push(Buffer.concat(pieces));
    },
    prepare,
  );
  console.log(`  wasm bytes: WAT ${m.bytes.wat}, AS ${m.bytes.as}`);
}

console.log('\n| kernel | workload | WAT ms | AS ms | AS/WAT | per-round AS/WAT: median (min–max) |');
console.log('| --- | --- | ---: | ---: | ---: | --- |');
for (const r of table) {
  console.log(
    `| ${r.kernel} | ${r.workload} | ${r.wat.toFixed(2)} | ${r.as.toFixed(2)} | ${r.ratio.toFixed(3)} | ${r.perRound.toFixed(3)} (${r.min.toFixed(2)}–${r.max.toFixed(2)}) |`,
  );
}
process.exit(0);
