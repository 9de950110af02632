/**
 * The scan pipeline: walk -> read/extract -> sketch -> LSH candidates -> exact verification ->
 * groups. Returns data; never prints.
 */
import { extractText, kindFromPath } from './corpus/extract.js';
import { readTextFile } from './corpus/read.js';
import { walk } from './corpus/walk.js';
import { candidatePairs, unpackPair } from './match/candidates.js';
import { components } from './match/cluster.js';
import { estimateCanMatch, exactScores, jaccardFloor, meetsThreshold, sharedNeeded, sizesCanMatch } from './match/verify.js';
import { resolveOptions, type ResolvedOptions, type ScanOptionsInput } from './options.js';
import { contentHash } from './sketch/hash.js';
import { bandKeys } from './sketch/lsh.js';
import { Sketcher } from './sketch/sketch.js';
import type { DocumentInfo, ErrorRecord, Group, ScanEvent, ScanResult, ScoredPair, SkipRecord, WarningRecord } from './types.js';

export interface ScanHooks {
  /** Called as skips, errors and warnings happen, and with progress. */
  onEvent?: (event: ScanEvent) => void;
}

export interface ScanInput extends ScanOptionsInput {
  /** Follow symbolic links to folders. */
  follow?: boolean;
}

interface Loaded {
  info: DocumentInfo;
  shingles: Uint32Array;
  signature: Uint32Array;
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export async function findNearDuplicates(
  paths: readonly string[],
  input: ScanInput = {},
  hooks: ScanHooks = {},
): Promise<ScanResult> {
  const started = performance.now();
  const settings = resolveOptions(input);
  const emit = hooks.onEvent ?? (() => {});
  const skipped: SkipRecord[] = [];
  const errors: ErrorRecord[] = [];
  const warnings: WarningRecord[] = [];
  const skip = (s: SkipRecord) => {
    skipped.push(s);
    emit({ type: 'skip', skip: s });
  };
  const error = (e: ErrorRecord) => {
    errors.push(e);
    emit({ type: 'error', error: e });
  };

  const roots = paths.length ? paths : ['.'];
  const files: { path: string; absPath: string; size: number; kind: NonNullable<ReturnType<typeof kindFromPath>> }[] = [];
  let fileCount = 0;
  for (const entry of walk(roots, { hidden: settings.hidden, respectIgnore: settings.respectIgnore, globs: settings.globs, follow: input.follow ?? false })) {
    if (entry.kind === 'error') {
      error({ path: entry.path, message: entry.message });
      continue;
    }
    fileCount++;
    if (entry.kind === 'skip') {
      skip({ path: entry.path, reason: entry.reason, detail: entry.detail });
      continue;
    }
    const kind = kindFromPath(entry.path) ?? (entry.explicit ? 'text' : undefined);
    if (!kind) {
      skip({ path: entry.path, reason: 'unsupported-type', detail: 'not a .txt, .md or .html file' });
      continue;
    }
    files.push({ path: entry.path, absPath: entry.absPath, size: entry.size, kind });
  }
  files.sort(byPath);

  const sketcher = new Sketcher(settings);
  const loaded: Loaded[] = [];
  let done = 0;
  for (const f of files) {
    emit({ type: 'progress', done: done++, total: files.length });
    const r = readTextFile(f.absPath, f.size, settings.maxFileSize);
    if (!r.ok) {
      if ('error' in r) error({ path: f.path, message: r.error });
      else skip({ path: f.path, reason: r.skip, detail: r.detail });
      continue;
    }
    if (r.warning) {
      const w = { path: f.path, message: r.warning };
      warnings.push(w);
      emit({ type: 'warning', warning: w });
    }
    const text = extractText(r.text, f.kind);
    const s = sketcher.sketch(text);
    if (s.shingles.length === 0) {
      skip({ path: f.path, reason: 'empty', detail: text.length ? 'no letters or words to compare' : 'empty file' });
      continue;
    }
    loaded.push({
      info: {
        index: loaded.length,
        path: f.path,
        kind: f.kind,
        encoding: r.encoding,
        bytes: r.bytes,
        chars: text.length,
        units: s.units,
        shingles: s.shingles.length,
        contentHash: contentHash(text),
      },
      shingles: s.shingles,
      signature: s.signature,
    });
  }
  emit({ type: 'progress', done: files.length, total: files.length });

  const { pairs, candidates } = matchDocuments(loaded, settings);
  const groups = buildGroups(loaded, pairs);
  const documents = loaded.map((d) => d.info);
  const duplicateDocuments = groups.reduce((n, g) => n + g.members.length, 0);
  return {
    settings,
    documents,
    groups,
    pairs,
    skipped,
    errors,
    warnings,
    stats: {
      files: fileCount,
      documents: documents.length,
      skipped: skipped.length,
      failed: errors.length,
      short: documents.filter((d) => d.units < settings.shingle.size).length,
      candidates,
      verified: pairs.length,
      groups: groups.length,
      duplicateDocuments,
      pairs: pairs.length,
    },
    elapsedMs: performance.now() - started,
  };
}

function matchDocuments(docs: readonly Loaded[], settings: ResolvedOptions): { pairs: ScoredPair[]; candidates: number } {
  const { bands, rows, metric, threshold } = settings;
  const keys = new Uint32Array(docs.length * bands);
  for (let d = 0; d < docs.length; d++) keys.set(bandKeys(docs[d]!.signature, bands, rows), d * bands);
  const { pairs: packed } = candidatePairs(keys, docs.length, bands, () => true);
  const out: ScoredPair[] = [];
  for (let p = 0; p < packed.length; p++) {
    const [i, j] = unpackPair(packed[p]!);
    const a = docs[i]!;
    const b = docs[j]!;
    const na = a.shingles.length;
    const nb = b.shingles.length;
    if (!sizesCanMatch(metric, threshold, na, nb)) continue;
    if (!estimateCanMatch(a.signature, b.signature, jaccardFloor(metric, threshold, na, nb))) continue;
    const s = exactScores(a.shingles, b.shingles, sharedNeeded(metric, threshold, na, nb));
    if (!meetsThreshold(metric, threshold, s)) continue;
    out.push({ a: i, b: j, jaccard: s.jaccard, containment: s.containment });
  }
  return { pairs: out, candidates: packed.length };
}

function buildGroups(docs: readonly Loaded[], pairs: readonly ScoredPair[]): Group[] {
  const comps = components(
    docs.length,
    pairs.map((p) => [p.a, p.b] as const),
  );
  const groupOf = new Map<number, number>();
  comps.forEach((members, g) => members.forEach((m) => groupOf.set(m, g)));
  const pairsOf: ScoredPair[][] = comps.map(() => []);
  for (const p of pairs) pairsOf[groupOf.get(p.a)!]!.push(p);
  const groups = comps.map((members, g) => ({ members, pairs: pairsOf[g]! }));
  // Largest first; ties by the first member's path (members are in path order).
  groups.sort((x, y) => y.members.length - x.members.length || x.members[0]! - y.members[0]!);
  return groups.map((g, i) => ({ id: i + 1, ...g }));
}
