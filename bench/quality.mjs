#!/usr/bin/env node
// Quality benchmark on the labelled dev set (bench/quality-dev: 551 documents, 240 clusters,
// 588 duplicate pairs, made from the Brown corpus; see bench/README.md).
//
//   npm run bench:quality                 neardup scan with defaults, scored
//   npm run bench:quality -- ARGS...      the same with extra scan options
//   npm run bench:quality -- --sweep      exact (brute-force) similarity for a grid of shingle
//                                         modes, metrics and thresholds: how the defaults were chosen
//
// Scoring is bench/score.mjs (pair precision / recall / F1, adjusted Rand index of the groups).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const docs = process.env.NEARDUP_QUALITY_DOCS ?? path.join(here, 'quality-dev', 'docs');
const labels = process.env.NEARDUP_QUALITY_LABELS ?? path.join(here, 'quality-dev', 'labels.jsonl');
const bin = path.join(root, 'bin', 'neardup.js');
const tmp = mkdtempSync(path.join(tmpdir(), 'neardup-quality-'));
// removed however the benchmark ends
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

function score(reportPath) {
  return JSON.parse(execFileSync(process.execPath, [path.join(here, 'score.mjs'), labels, reportPath, '--json'], { encoding: 'utf8' }));
}

const args = process.argv.slice(2);
if (!args.includes('--sweep')) {
  const out = path.join(tmp, 'report.json');
  const t0 = performance.now();
  let stdout;
  try {
    stdout = execFileSync(process.execPath, [bin, 'scan', docs, '--format', 'json', ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  } catch (e) {
    if (e.status !== 1) throw e; // 1 = duplicates found
    stdout = e.stdout;
  }
  const seconds = (performance.now() - t0) / 1000;
  writeFileSync(out, stdout);
  const report = JSON.parse(stdout);
  const s = score(out);
  console.log(`command: neardup scan ${path.relative(root, docs)} --format json ${args.join(' ')}`.trim());
  console.log(`settings: ${JSON.stringify(report.settings)}`);
  console.log(
    `precision ${s.precision}  recall ${s.recall}  F1 ${s.f1}  ARI ${s.ari}  (${s.predicted_pairs} pairs predicted, ${s.true_pairs} true)  ${seconds.toFixed(2)}s`,
  );
  console.log(`recall by transform: ${JSON.stringify(s.recall_by_transform)}`);
  process.exit(0);
}

// --sweep: exact similarities for every pair of documents, for several shingle modes.
const { Sketcher } = await import(path.join(root, 'dist', 'engine', 'sketch.js'));
const { exactScores } = await import(path.join(root, 'dist', 'core', 'similarity.js'));
const { extractText, kindFromPath } = await import(path.join(root, 'dist', 'corpus', 'extract.js'));
const { readTextFile } = await import(path.join(root, 'dist', 'corpus', 'read.js'));

const names = readdirSync(docs).sort();
const texts = names.map((n) => {
  const p = path.join(docs, n);
  const r = readTextFile(p, 0, Infinity);
  return extractText(r.text, kindFromPath(p) ?? 'text');
});
const modes = (process.env.SWEEP_MODES ?? 'char:5,char:7,char:9,char:11,char:13,word:3,word:5').split(',');
const thresholds = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
const rows = [];
for (const mode of modes) {
  const [unit, size] = mode.split(':');
  const sk = new Sketcher({ shingle: { unit, size: Number(size) }, numPerm: 16, seed: 1, stem: false, stopwords: false });
  const sets = texts.map((t) => sk.shingles(t).shingles);
  const scores = [];
  for (let i = 0; i < sets.length; i++)
    for (let j = i + 1; j < sets.length; j++) {
      const s = exactScores(sets[i], sets[j]);
      if (s.containment >= 0.2) scores.push([i, j, s.jaccard, s.containment]);
    }
  for (const metric of ['jaccard', 'containment']) {
    for (const t of thresholds) {
      const pairs = scores.filter((x) => (metric === 'jaccard' ? x[2] : x[3]) >= t).map(([i, j]) => ({ a: `docs/${names[i]}`, b: `docs/${names[j]}` }));
      const f = path.join(tmp, `${mode}-${metric}-${t}.json`);
      writeFileSync(f, JSON.stringify({ pairs }));
      const s = score(f);
      rows.push({ mode, metric, t, ...s });
      console.log(
        `${mode.padEnd(8)} ${metric.padEnd(11)} >= ${t.toFixed(2)}  P ${s.precision.toFixed(4)}  R ${s.recall.toFixed(4)}  F1 ${s.f1.toFixed(4)}  ARI ${s.ari.toFixed(4)}`,
      );
    }
  }
}
const best = [...rows].sort((a, b) => b.f1 - a.f1).slice(0, 8);
console.log('\nbest by F1:');
for (const r of best) console.log(`  ${r.mode} ${r.metric} >= ${r.t}: F1 ${r.f1}, ARI ${r.ari}, by transform ${JSON.stringify(r.recall_by_transform)}`);
void readFileSync;
