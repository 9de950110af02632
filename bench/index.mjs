#!/usr/bin/env node
// The persistent index on real e-mail: index the 6,046-mail SpamAssassin corpus, then query one
// new document against it.
//
//   npm run bench:index            (writes its section of bench/RESULTS.md)
//   npm run bench:index -- --no-write
//
// Measures, in one process (process start excluded):
// - throughput of `index add` against `scan` over the same files and settings (best of 2 rounds,
//   alternating, after one read of every file so the page cache is warm for both);
// - a second `index add` of the unchanged corpus (the incremental path);
// - queries of one new document each (near-copies of 20 indexed mails, 4 unrelated texts): open
//   the index, sketch, find candidates, verify, close; and the first query of a fresh process
//   (node started and the library imported first, not timed), each near-copy in 3 processes;
// - the index's size on disk per document, with and without stored shingles.
// Under both the defaults (char:9, containment 0.65) and the usual settings of other tools
// (word:5, Jaccard 0.8).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import path from 'node:path';
import { ensureSpamAssassin, listFiles, ROOT } from './corpus.mjs';

const { addToIndex, findNearDuplicates, indexStats, queryIndex } = await import(path.join(ROOT, 'dist', 'api.js'));

const write = !process.argv.includes('--no-write');
// the machine may be shared: its load when the run starts and ends goes with the figures
const loadAtStart = loadavg()[0];
const dir = ensureSpamAssassin();
const files = listFiles(dir);
const corpusBytes = files.reduce((n, f) => n + statSync(f).size, 0);
const work = path.join(ROOT, '.cache', 'bench-index');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// The new documents: near-copies of 20 indexed mails spread over the corpus (a new header and
// an added line, as a forward would look), and unrelated texts.
const nearCopies = Array.from({ length: 20 }, (_, i) => {
  const source = files[Math.floor(((i + 0.5) * files.length) / 20)];
  const file = path.join(work, `near-copy-${String(i).padStart(2, '0')}.txt`);
  writeFileSync(file, `Subject: Fwd: please read\n\n${readFileSync(source, 'utf8')}\n-- \nforwarded by the benchmark\n`);
  return file;
});
const unrelated = ['seeds/000_241594d10820ed7f.txt', 'seeds/001_8ed3a1ba6430ba1a.txt', 'fixtures/clean/bread.txt', 'fixtures/clean/river.txt'].map((f) =>
  path.join(ROOT, f),
);

for (const f of files) readFileSync(f); // warm the page cache for both scan and add

const SETTINGS = [
  { name: 'defaults (char:9, containment 0.65)', options: {} },
  { name: 'word:5, jaccard 0.8', options: { shingle: 'word:5', metric: 'jaccard', threshold: 0.8 } },
];

const ms = (t) => performance.now() - t;
const fmt = (x, d = 0) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const results = [];

for (const { name, options } of SETTINGS) {
  let scanMs = Infinity;
  let addMs = Infinity;
  let db;
  for (let round = 0; round < 2; round++) {
    let t = performance.now();
    const scan = await findNearDuplicates([dir], options);
    scanMs = Math.min(scanMs, ms(t));
    db = path.join(work, `index-${results.length}-${round}.db`);
    t = performance.now();
    const added = await addToIndex([dir], { ...options, db });
    addMs = Math.min(addMs, ms(t));
    if (added.counts.documents !== scan.stats.documents)
      throw new Error(`index holds ${added.counts.documents} documents, scan compared ${scan.stats.documents}`);
  }
  let t = performance.now();
  const again = await addToIndex([dir], { ...options, db });
  const readdMs = ms(t);
  if (again.counts.unchanged !== again.counts.documents) throw new Error('second add did not find every file unchanged');

  // One query a document, in a process that has run one query before (the first one is shown apart).
  const query = async (file) => {
    const times = [];
    let result;
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      result = await queryIndex([file], { db });
      times.push(ms(t));
    }
    times.sort((a, b) => a - b);
    return { ms: times[1], pairs: result.pairs.length, candidates: result.stats.candidates };
  };
  await queryIndex([unrelated[0]], { db });
  const near = [];
  for (const f of nearCopies) near.push(await query(f));
  const other = [];
  for (const f of unrelated) other.push(await query(f));
  const byTime = (xs) => [...xs].sort((a, b) => a.ms - b.ms);
  const queries = { near: byTime(near), other: byTime(other) };
  // The first query of a fresh process: a process that imports the library (not timed), then
  // runs one query (timed: open, sketch, candidates, verification, close). Each near-copy in 3
  // such processes: the machine is shared, so a single process's figure is partly the scheduler's.
  const firstCall = (file) => {
    const script = `const m = await import(${JSON.stringify(path.join(ROOT, 'dist', 'api.js'))});
const t = performance.now(); await m.queryIndex([${JSON.stringify(file)}], { db: ${JSON.stringify(db)} });
console.log(performance.now() - t);`;
    return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }));
  };
  const cold = nearCopies.map((file, i) => {
    const runs = [firstCall(file), firstCall(file), firstCall(file)].sort((a, b) => a - b);
    return { ms: runs[1], worst: runs[2], candidates: near[i].candidates, pairs: near[i].pairs };
  });
  queries.cold = byTime(cold);
  // the heaviest: the 3 near-copies with the most candidates; the CLI's wall time (process start
  // included) for the one with the most
  const heaviest = [...cold.keys()].sort((a, b) => cold[b].candidates - cold[a].candidates || a - b).slice(0, 3);
  queries.coldHeaviest = heaviest.map((i) => cold[i]);
  t = performance.now();
  try {
    execFileSync(process.execPath, [path.join(ROOT, 'bin', 'neardup.js'), 'index', 'query', nearCopies[heaviest[0]], '--db', db], { stdio: 'ignore' });
  } catch (e) {
    if (e.status !== 1) throw e;
  }
  queries.cliMs = ms(t);
  const stats = await indexStats({ db });
  const slim = path.join(work, `index-${results.length}-slim.db`);
  await addToIndex([dir], { ...options, db: slim, storeShingles: false });
  const slimStats = await indexStats({ db: slim });
  results.push({ name, options, scanMs, addMs, readdMs, queries, stats, slimStats, documents: stats.info.documents });
}

const date = new Date().toISOString().slice(0, 10);
const machine = `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
const lines = [];
lines.push(`${date} · ${machine} · load average ${fmt(loadAtStart, 1)} at the start, ${fmt(loadavg()[0], 1)} at the end`);
lines.push('');
lines.push('    npm run bench:index');
lines.push('');
lines.push(`SpamAssassin: ${fmt(files.length)} files, ${fmt(corpusBytes / 2 ** 20, 1)} MiB. Library calls in one process (process start excluded).`);
lines.push('');
lines.push('| settings | scan | index add | add / scan throughput | add again (unchanged) |');
lines.push('| --- | --- | --- | --- | --- |');
for (const r of results) {
  const docsPerSec = (t) => `${fmt(r.documents / (t / 1000))} docs/s`;
  lines.push(
    `| ${r.name} | ${fmt(r.scanMs / 1000, 2)} s (${docsPerSec(r.scanMs)}) | ${fmt(r.addMs / 1000, 2)} s (${docsPerSec(r.addMs)}) | ` +
      `${fmt(r.scanMs / r.addMs, 2)} | ${fmt(r.readdMs / 1000, 2)} s |`,
  );
}
lines.push('');
lines.push('Query of one new document (open the index, sketch, candidates, exact verification, close), each the median of 3:');
lines.push('');
lines.push(
  '| settings | 20 near-copies of indexed mails: median / 90th pct / slowest | candidates, matches of the slowest | 4 unrelated texts: median / slowest | ' +
    'first call in a fresh process, median of 3 processes each: the 3 near-copies with the most candidates (candidates, matches) / all 20: median, slowest | ' +
    'CLI wall time, most candidates |',
);
lines.push('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const { near, other, cold, cliMs } = r.queries;
  const slowest = near.at(-1);
  const coldest = cold.at(-1);
  lines.push(
    `| ${r.name} | ${fmt(near[9].ms, 1)} / ${fmt(near[17].ms, 1)} / ${fmt(slowest.ms, 1)} ms | ${fmt(slowest.candidates)}, ${slowest.pairs} | ` +
      `${fmt(other[1].ms, 1)} / ${fmt(other.at(-1).ms, 1)} ms | ` +
      `${r.queries.coldHeaviest.map((c) => `${fmt(c.ms, 1)} (${fmt(c.candidates)}, ${c.pairs})`).join(', ')} ms / ` +
      `${fmt(cold[9].ms, 1)}, ${fmt(coldest.ms, 1)} ms (${fmt(coldest.candidates)}, ${coldest.pairs}) | ${fmt(cliMs)} ms |`,
  );
}
lines.push('');
lines.push('| settings | index on disk | per document | shingles stored | bytes a shingle | without stored shingles (`--no-store-shingles`) |');
lines.push('| --- | --- | --- | --- | --- | --- |');
for (const r of results) {
  const i = r.stats.info;
  const s = r.slimStats.info;
  lines.push(
    `| ${r.name} | ${fmt(i.bytesOnDisk / 2 ** 20, 1)} MiB | ${fmt(i.bytesOnDisk / i.documents)} B | ${fmt(i.shingles)} (${fmt(i.shingleBytes / 2 ** 20, 1)} MiB) | ` +
      `${fmt(i.shingleBytes / i.shingles, 2)} | ${fmt(s.bytesOnDisk / 2 ** 20, 1)} MiB, ${fmt(s.bytesOnDisk / s.documents)} B a document |`,
  );
}
const worstQuery = Math.max(...results.map((r) => Math.max(r.queries.near.at(-1).ms, r.queries.other.at(-1).ms)));
const worstRatio = Math.min(...results.map((r) => r.scanMs / r.addMs));
lines.push('');
const worstCold = Math.max(...results.map((r) => r.queries.cold.at(-1).ms));
const worstColdRun = Math.max(...results.flatMap((r) => r.queries.cold.map((c) => c.worst)));
lines.push(
  `Targets: query under 100 ms: ${worstQuery < 100 ? 'met' : 'NOT met'} in a running process (slowest of all ${fmt(worstQuery, 1)} ms), ` +
    `and ${worstCold < 100 ? 'met' : 'NOT met'} by the first call in a fresh process (JIT not warm; process start and module import excluded) ` +
    `for every near-copy (slowest ${fmt(worstCold, 1)} ms, median of 3 processes; the worst single process ${fmt(worstColdRun, 1)} ms). ` +
    `Add throughput at least half of scan's: ${worstRatio >= 0.5 ? 'met' : 'NOT met'} (lowest ratio ${fmt(worstRatio, 2)}).`,
);
lines.push('');
lines.push(
  'Why some queries take longer: under the defaults (tuned for containment 0.65) a near-copy of a mail from a large ' +
    'cluster (mailing-list mail shares its headers) has hundreds of LSH candidates, and every candidate the signature test keeps is ' +
    "verified exactly, as scan verifies it (which is why a default scan of this corpus takes seconds). A query reads its candidates' " +
    'signatures in one statement and compares them at once, then reads the stored shingle sets of those left in one statement and counts ' +
    'what each shares with the query as its bytes decode (in WebAssembly, compiled before its first call), dropping a set once the ' +
    'threshold is out of reach. An unrelated text has a handful of candidates. A first call in a fresh process also pays for ' +
    'compiling the code it runs; for the larger near-copies much of it is sketching (the 16 KB one: 10 to 25 ms of sketching in a fresh process).',
);

const section = lines.join('\n');
console.log(section);
if (write) {
  const file = path.join(ROOT, 'bench', 'RESULTS.md');
  const text = readFileSync(file, 'utf8');
  const begin = '<!-- bench:index -->';
  const end = '<!-- /bench:index -->';
  const block = `${begin}\n## Index — SpamAssassin: add, query, size\n\n${section}\n${end}`;
  const next = text.includes(begin) ? text.replace(new RegExp(`${begin}[\\s\\S]*?${end}`), block) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, next);
  console.error(`\nwritten to ${path.relative(ROOT, file)}`);
}
rmSync(work, { recursive: true, force: true });
