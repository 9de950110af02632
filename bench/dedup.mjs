#!/usr/bin/env node
// Benchmark of `neardup dedup` (never run by npm test):
//
//   npm run bench:dedup                       both parts below
//   npm run bench:dedup -- --quality          the labelled dev set only
//   npm run bench:dedup -- --memory [--sizes 25000,50000,100000]   record files only
//
// Peak RSS is the process's high-water mark: worker threads, buffers and garbage V8 has not yet
// collected included (V8 lets the heap grow before it collects, so RSS differences of a few
// percent are noise; the heap cap shows what each needs).
//
// Quality: `neardup dedup bench/quality-dev/docs --out DIR` with defaults; for each labelled
// cluster, how many of its documents are in DIR (exactly one is right), and whether every
// hard negative (template siblings, quote sharers: each its own cluster) is kept.
//
// Memory: JSONL files of N records (bench/dedup-corpus.mjs: random words, ~10% planted near-
// copies); `neardup scan` and `neardup dedup` on each, wall time and peak RSS from
// /usr/bin/time -f '%e %M'; both again under one heap cap; then records ten and fifty times
// longer at the same N (records held in memory would show there). Every output is checked byte
// for byte against the input lines kept.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeRecords } from './dedup-corpus.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const bin = path.join(root, 'bin', 'neardup.js');
const docs = process.env.NEARDUP_QUALITY_DOCS ?? path.join(here, 'quality-dev', 'docs');
const labelsFile = process.env.NEARDUP_QUALITY_LABELS ?? path.join(here, 'quality-dev', 'labels.jsonl');
const args = process.argv.slice(2);
const only = args.includes('--quality') ? 'quality' : args.includes('--memory') ? 'memory' : 'both';
const sizesArg = args.indexOf('--sizes');
const sizes = sizesArg >= 0 ? args[sizesArg + 1].split(',').map(Number) : [25_000, 50_000, 100_000];
const tmp = mkdtempSync(path.join(tmpdir(), 'neardup-bench-dedup-'));

console.log(`${new Date().toISOString().slice(0, 10)} · ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`);

/** Every file under `d`, relative. */
function files(d) {
  const out = [];
  const walk = (p) => {
    for (const e of readdirSync(p, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(p, e.name));
      else out.push(path.relative(d, path.join(p, e.name)));
    }
  };
  walk(d);
  return out;
}

function quality() {
  const out = path.join(tmp, 'dev-out');
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, 'dedup', docs, '--out', out, '--format', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`dedup failed (${r.status}): ${r.stderr}`);
  const report = JSON.parse(r.stdout);
  const labels = readFileSync(labelsFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const kept = new Set(files(out).map((f) => path.basename(f)));
  const byCluster = new Map();
  for (const l of labels) {
    const c = byCluster.get(l.cluster) ?? { size: 0, kept: 0 };
    c.size++;
    if (kept.has(path.basename(l.path))) c.kept++;
    byCluster.set(l.cluster, c);
  }
  const clusters = [...byCluster.values()];
  const exactlyOne = clusters.filter((c) => c.kept === 1).length;
  const none = clusters.filter((c) => c.kept === 0).length;
  const several = clusters.filter((c) => c.kept > 1).length;
  const negatives = labels.filter((l) => l.transforms.some((t) => t === 'template-sibling' || t === 'quote-sharer'));
  const negativesKept = negatives.filter((l) => kept.has(path.basename(l.path))).length;
  console.log(`\n## quality: neardup dedup ${path.relative(root, docs)} --out DIR (defaults)`);
  console.log(
    `${report.counts.documents} documents, ${labels.length} labelled, ${clusters.length} clusters · kept ${report.counts.kept}, removed ${report.counts.removed} in ${report.counts.groups} groups · ${seconds.toFixed(2)}s`,
  );
  console.log(
    `clusters with exactly one document kept: ${exactlyOne}/${clusters.length} (${((100 * exactlyOne) / clusters.length).toFixed(1)}%) · none kept: ${none} · more than one: ${several}`,
  );
  console.log(`hard negatives kept: ${negativesKept}/${negatives.length} (template siblings and quote sharers)`);
  const indirect = report.removed.filter((x) => !x.direct);
  console.log(
    `removals verified directly against the kept document: ${report.removed.length - indirect.length}/${report.removed.length}; through the group: ${indirect.length} (lowest containment against the kept one ${indirect.length ? Math.min(...indirect.map((x) => x.containment)) : '-'})`,
  );
}

/** Runs a command under /usr/bin/time: [seconds, peak RSS in MiB]. */
function timed(argv, node = []) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, ...node, bin, ...argv], { cwd: tmp, encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')}: exit ${r.status}: ${r.stderr}`);
  const last = r.stderr.trim().split('\n').at(-1).split(' ');
  return [Number(last[0]), Number(last[1]) / 1024];
}

function lines(file) {
  const b = readFileSync(file);
  const out = [];
  for (let at = 0; at < b.length; ) {
    const nl = b.indexOf(10, at);
    const end = nl < 0 ? b.length : nl + 1;
    out.push(b.subarray(at, end));
    at = end;
  }
  return out;
}

function memory() {
  if (!existsSync('/usr/bin/time')) throw new Error('needs /usr/bin/time (GNU time)');
  /** dedup of `input`, checked: the output is the input without the removed lines, byte for byte. */
  const dedup = (input, extra = [], node = []) => {
    const out = path.join(tmp, 'out.jsonl');
    const manifest = path.join(tmp, 'removed.jsonl');
    const [t, m] = timed(['dedup', input, '--out', out, '--manifest', manifest, '--format', 'json', ...extra], node);
    const removed = new Set(
      readFileSync(manifest, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => Number(JSON.parse(l).removed.split(':').at(-1))),
    );
    const expected = Buffer.concat(lines(input).filter((_, i) => !removed.has(i + 1)));
    if (!readFileSync(out).equals(expected)) throw new Error(`${input}: the output is not the input lines kept`);
    rmSync(out);
    rmSync(manifest);
    return [t, m];
  };
  const scan = (input, extra = [], node = []) => timed(['scan', input, '--format', 'json', '--output', path.join(tmp, 'scan.json'), ...extra], node);

  console.log('\n## memory: JSONL records (40 words each, ~10% planted near-copies): peak RSS in MiB · wall time');
  console.log('| records | file | scan | dedup | dedup − scan |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  let largest;
  for (const n of sizes) {
    const input = path.join(tmp, `in-${n}.jsonl`);
    writeRecords(input, n);
    const mb = statSync(input).size / 2 ** 20;
    const [st, sm] = scan(input);
    const [dt, dm] = dedup(input);
    console.log(
      `| ${n.toLocaleString('en-US')} | ${mb.toFixed(1)} MiB | ${sm.toFixed(0)} · ${st.toFixed(1)}s | ${dm.toFixed(0)} · ${dt.toFixed(1)}s | ${Math.round(dm - sm) || 0} |`,
    );
    if (largest) rmSync(largest.input, { force: true });
    largest = { input, n };
  }
  // the heap each needs: both under the same cap
  const cap = ['--max-old-space-size=300'];
  const [sct, scm] = scan(largest.input, [], cap);
  const [dct, dcm] = dedup(largest.input, [], cap);
  console.log(
    `\nwith node --max-old-space-size=300 (a 300 MiB heap), ${largest.n.toLocaleString('en-US')} records: scan ${scm.toFixed(0)} MiB · ${sct.toFixed(1)}s, dedup ${dcm.toFixed(0)} MiB · ${dct.toFixed(1)}s (both complete)`,
  );
  rmSync(largest.input, { force: true });

  // the same number of records, ten and fifty times longer: records held would grow with the file
  const n = 20_000;
  console.log(`\n## memory: ${n.toLocaleString('en-US')} records of growing length (--memory 16M: few shingle sets kept), peak RSS in MiB · wall time`);
  console.log('| words a record | file | scan | dedup | dedup − scan |');
  console.log('| ---: | ---: | ---: | ---: | ---: |');
  for (const words of [40, 400, 2000]) {
    const input = path.join(tmp, `long-${words}.jsonl`);
    writeRecords(input, n, { words });
    const mb = statSync(input).size / 2 ** 20;
    const [st, sm] = scan(input, ['--memory', '16M']);
    const [dt, dm] = dedup(input, ['--memory', '16M']);
    console.log(
      `| ${words} | ${mb.toFixed(0)} MiB | ${sm.toFixed(0)} · ${st.toFixed(1)}s | ${dm.toFixed(0)} · ${dt.toFixed(1)}s | ${Math.round(dm - sm) || 0} |`,
    );
    rmSync(input, { force: true });
  }
  console.log('(every dedup output checked: the input lines kept, byte for byte)');
}

try {
  if (only !== 'memory') quality();
  if (only !== 'quality') memory();
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
