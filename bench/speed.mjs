#!/usr/bin/env node
// Speed and scale benchmark (run by hand; not part of npm test).
//
//   npm run bench:speed                     SpamAssassin: neardup vs the floor and the minhash package
//   npm run bench:speed -- --runs 5         more alternating rounds (default 3)
//   npm run bench:speed -- --skip-minhash   leave out the minhash package (about a minute a run)
//   npm run bench:speed -- --scale          also the scale corpus: 25k, 50k, 100k, 200k documents
//   npm run bench:speed -- --scale-only
//   npm run bench:speed -- --against ../other   also another checkout's build (its bin/neardup.js),
//                                              alternating with this one: a change against its base
//
// Every command runs as its own process, timed with /usr/bin/time (wall time and peak RSS), in
// alternating rounds so that load on this shared machine hits all of them alike; medians and
// ratios to the floor measured in the same run are printed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureSpamAssassin, listFiles, ROOT } from './corpus.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const runs = Number(argv[argv.indexOf('--runs') + 1]) || 3;
const BIN = path.join(ROOT, 'bin', 'neardup.js');
const node = process.execPath;

if (!existsSync('/usr/bin/time')) {
  console.error('bench:speed needs /usr/bin/time (Debian package "time") to measure peak memory');
  process.exit(2);
}

/**
 * Runs a command; returns wall seconds, peak RSS in MB and minor page faults (memory touched
 * for the first time: about 10 µs each on some virtual machines here, see bench/RESULTS.md).
 */
function measure(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %R', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const last = r.stderr.trim().split('\n').at(-1).split(' ');
  return { seconds: Number(last[0]), rssMB: Number(last[1]) / 1024, faults: Number(last[2]), stdout: r.stdout };
}

const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
const date = new Date().toISOString().slice(0, 10);
console.log(`# ${date} · ${os.cpus().length} cores · ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB · Node ${process.version}`);

if (!flag('--scale-only')) {
  const dir = ensureSpamAssassin();
  const rel = path.relative(process.cwd(), dir) || dir;
  const commands = [
    ['floor (bench/floor.cjs: read + hash word 5-grams, 1 thread)', node, [path.join(ROOT, 'bench', 'floor.cjs'), dir]],
    ['neardup scan, defaults', node, [BIN, 'scan', dir, '--format', 'json', '--no-progress']],
    [
      'neardup scan --shingle word:5 --threshold 0.8',
      node,
      [BIN, 'scan', dir, '--shingle', 'word:5', '--threshold', '0.8', '--format', 'json', '--no-progress'],
    ],
    [
      'neardup scan --shingle word:5 --metric jaccard --threshold 0.8',
      node,
      [BIN, 'scan', dir, '--shingle', 'word:5', '--metric', 'jaccard', '--threshold', '0.8', '--format', 'json', '--no-progress'],
    ],
  ];
  // another build of neardup (a checkout whose dist/ is built), in the same alternating rounds
  const against = argv.includes('--against') ? path.resolve(argv[argv.indexOf('--against') + 1]) : undefined;
  if (against) {
    const other = path.join(against, 'bin', 'neardup.js');
    for (const [name, , args] of commands.slice(1)) commands.push([`${name} [${path.basename(against)}]`, node, [other, ...args.slice(1)]]);
  }
  if (!flag('--skip-minhash'))
    commands.push(['minhash npm package (bench/minhash-baseline.cjs)', node, [path.join(ROOT, 'bench', 'minhash-baseline.cjs'), dir]]);
  const times = commands.map(() => []);
  const rss = commands.map(() => 0);
  const faults = commands.map(() => []);
  for (let r = 0; r < runs; r++) {
    commands.forEach(([, cmd, args], i) => {
      const m = measure(cmd, args);
      times[i].push(m.seconds);
      rss[i] = Math.max(rss[i], m.rssMB);
      faults[i].push(m.faults);
    });
  }
  const floor = median(times[0]);
  console.log(`\nSpamAssassin (${listFiles(dir).length} files in ${rel}), ${runs} alternating rounds, medians:\n`);
  console.log('| command | wall s | × floor | peak RSS MB | minor page faults |');
  console.log('| --- | --- | --- | --- | --- |');
  commands.forEach(([name], i) => {
    const t = median(times[i]);
    console.log(`| ${name} | ${t.toFixed(2)} | ${(t / floor).toFixed(2)} | ${rss[i].toFixed(0)} | ${median(faults[i]).toFixed(0)} |`);
  });
  if (against) {
    // each of this build's scans over the same scan of the other build, round by round
    console.log(`\nthis build / ${against}, median of the per-round ratios:\n`);
    const ours = commands.slice(1, 4);
    ours.forEach(([name], i) => {
      const j = commands.findIndex(([n]) => n === `${name} [${path.basename(against)}]`);
      const ratios = times[1 + i].map((t, r) => t / times[j][r]);
      console.log(`- ${name}: ${median(ratios).toFixed(3)}`);
    });
  }
}

if (flag('--scale') || flag('--scale-only')) {
  const scaleDir = buildScaleCorpus(200_000);
  const folders = readdirSync(scaleDir).sort();
  console.log(`\nScale corpus (${scaleDir}; 1,000 documents a folder), neardup scan with defaults:\n`);
  console.log('| documents | wall s | documents/s | peak RSS MB | groups | candidates |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  // Every size reads its files from the page cache: the corpus is read once first (otherwise the
  // first run of each size also pays for the disk). 25k and 200k run three and two times,
  // alternating, so that a change of load on this shared machine (or one slow run of the disk
  // writing spilled sets) shows; the ratio uses the median of each.
  // A corpus just built leaves its files' dirty pages for the kernel to write back while the
  // sizes run: written out first. (On a new machine, the run that built the corpus measured
  // 200k at 0.78 of 25k's rate, the next run 0.90; a run that rebuilt it and synced, 0.91.)
  spawnSync('sync');
  measure(node, [path.join(ROOT, 'bench', 'floor.cjs'), scaleDir]);
  const rates = new Map();
  for (const n of [25_000, 50_000, 100_000, 200_000, 25_000, 200_000, 25_000]) {
    const dirs = folders.slice(0, n / 1000).map((f) => path.join(scaleDir, f));
    const m = measure(node, [BIN, 'scan', ...dirs, '--format', 'json', '--no-progress']);
    const report = JSON.parse(m.stdout);
    const rate = report.counts.documents / m.seconds;
    rates.set(n, [...(rates.get(n) ?? []), rate]);
    console.log(`| ${n} | ${m.seconds.toFixed(1)} | ${rate.toFixed(0)} | ${m.rssMB.toFixed(0)} | ${report.counts.groups} | ${report.counts.candidates} |`);
  }
  console.log(
    `\nrate at 200k / rate at 25k (medians of their ${rates.get(200_000).length} and ${rates.get(25_000).length} runs): ${(median(rates.get(200_000)) / median(rates.get(25_000))).toFixed(2)}`,
  );
}

/**
 * A corpus of `total` documents made from the real e-mails by deterministic mutation. About 80%
 * are new texts: 20-60 lines drawn from many different mails (so two of them rarely share more
 * than boilerplate), a quarter of them with a common mailing-list footer (boilerplate that puts
 * thousands of documents in the same LSH buckets); about 20% are near-duplicates of an earlier
 * document: words edited, lines dropped, truncated, or two documents concatenated.
 */
function buildScaleCorpus(total) {
  const dir = path.join(ROOT, '.cache', `scale2-${total}`);
  const marker = path.join(dir, '.complete');
  if (existsSync(marker)) return dir;
  const mails = listFiles(ensureSpamAssassin()).map((f) =>
    readFileSync(f, 'latin1')
      .split('\n')
      .filter((l) => l.trim()),
  );
  let seed = 0x2545f491;
  const rand = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) / 4294967296;
  };
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const footer = [
    '_______________________________________________',
    'Discussion mailing list -- to unsubscribe or change your options, visit the list page,',
    'or send a message with the word unsubscribe in the subject to the list administrator.',
    'Archives of past messages are kept for members only and are searchable by thread.',
    'Please keep replies on topic and quote only what you reply to.',
  ];
  const made = [];
  console.error(`building the scale corpus (${total} documents) in ${dir} ...`);
  for (let i = 0; i < total; i++) {
    let lines;
    if (made.length > 100 && rand() < 0.2) {
      const base = pick(made);
      const kind = rand();
      if (kind < 0.6) {
        lines = base
          .filter(() => rand() > 0.05)
          .map((l) =>
            l
              .split(' ')
              .map((w) => (rand() < 0.03 ? w.split('').reverse().join('') : w))
              .join(' '),
          );
      } else if (kind < 0.85) {
        lines = base.slice(0, Math.ceil(base.length * (0.75 + rand() * 0.2)));
      } else {
        lines = [...base, ...pick(made)];
      }
    } else {
      const n = 20 + Math.floor(rand() * 40);
      lines = [];
      for (let k = 0; k < n; k++) lines.push(pick(pick(mails)));
      if (rand() < 0.25) lines.push(...footer);
    }
    if (made.length < 20000) made.push(lines);
    else made[Math.floor(rand() * made.length)] = lines;
    const folder = path.join(dir, String(Math.floor(i / 1000)).padStart(3, '0'));
    if (i % 1000 === 0) mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, `${String(i).padStart(6, '0')}.txt`), lines.join('\n'), 'latin1');
  }
  writeFileSync(marker, '');
  return dir;
}
void execFileSync;
