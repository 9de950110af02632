/**
 * `index query` and `scan --db`: the given documents are sketched as `scan` sketches them, their
 * band keys find candidates in the index, and every candidate is verified exactly, on the
 * shingles stored in the index or, for an index that stores none, on the indexed file read
 * again (only if it is unchanged since it was indexed). Each reported pair says which was used.
 * `scan --db` also compares the given documents with each other, as `scan` does.
 *
 * An indexed entry for the same file as a given document is left out: the file is compared in
 * its current form, not with its own past.
 */
import { statSync } from 'node:fs';
import { bandKeys, LSH_RECALL, lshRecall } from '../core/lsh.js';
import { meetsThreshold, type Scores, scorePair, scoresOf, sharedNeeded, signaturesMayMatch } from '../core/similarity.js';
import { type Doc, loadDocuments } from '../engine/documents.js';
import { assembleResult } from '../engine/group.js';
import { collectInputs, type Inputs, STDIN_NAME } from '../engine/inputs.js';
import { loadDocument } from '../engine/load.js';
import { RunLog } from '../engine/log.js';
import { matchDocuments } from '../engine/match.js';
import { threadsFor, WorkPool } from '../engine/pool.js';
import { Sketcher } from '../engine/sketch.js';
import { QueryKernel } from '../kernels/store.js';
import { describeError, NearDupError } from '../model/errors.js';
import type { IndexPair, IndexScanResult, VerificationSource } from '../model/index-results.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { DocumentInfo, ScoredPair } from '../model/types.js';
import type { IndexOptionsInput } from '../options/index-db.js';
import { type IndexHooks, type IndexPaths, openIndex, RECORDS_NOT_INDEXED } from './open.js';
import type { StoredEntry } from './store/store.js';

/** For each given document, the indexed documents it near-duplicates. */
export function queryIndex(paths: readonly string[], input: IndexOptionsInput = {}, hooks: IndexHooks = {}): Promise<IndexScanResult> {
  return searchIndex(paths, input, hooks, false);
}

/** The given documents against each other and against the index. */
export function scanWithIndex(paths: readonly string[], input: IndexOptionsInput = {}, hooks: IndexHooks = {}): Promise<IndexScanResult> {
  return searchIndex(paths, input, hooks, true);
}

/**
 * Stored shingle sets loaded at a time: up to this many documents, or this many shingles
 * (about 3.3 bytes each), whichever comes first: memory stays bounded when a query has many
 * candidates or large ones, and a usual query reads all of its sets in one statement.
 */
const VERIFY_BATCH = 2048;
const VERIFY_BATCH_SHINGLES = 1 << 22;

/** The candidates to verify, in batches of VERIFY_BATCH documents or VERIFY_BATCH_SHINGLES shingles. */
function* batches<C extends { size: number }>(candidates: readonly C[]): Generator<C[]> {
  let start = 0;
  while (start < candidates.length) {
    let end = start;
    let shingles = 0;
    // at least one a batch, however large
    do shingles += candidates[end++]!.size;
    while (end < candidates.length && end - start < VERIFY_BATCH && shingles + candidates[end]!.size <= VERIFY_BATCH_SHINGLES);
    yield candidates.slice(start, end);
    start = end;
  }
}

/** A match to be reported: a given document and an indexed one. */
interface IndexHit {
  doc: number;
  entry: StoredEntry;
  jaccard: number;
  containment: number;
  source: VerificationSource;
}

async function searchIndex(paths: readonly string[], input: IndexOptionsInput, hooks: IndexHooks, withinInput: boolean): Promise<IndexScanResult> {
  const started = performance.now();
  const log = new RunLog(hooks.onEvent);
  const index = await openIndex(input, 'read', hooks);
  let inputs: Inputs | undefined;
  let pool: WorkPool | undefined;
  try {
    const { store, options } = index;
    if (!index.recorded) throw new NearDupError('EINDEX', `index ${options.db} is empty: nothing has been added to it yet`);
    const recall = lshRecall(options);
    if (recall < LSH_RECALL) {
      log.warning({
        path: options.db,
        message:
          `its ${options.bands}×${options.rows} bands make a pair at ${options.metric} ${options.threshold} a candidate with ` +
          `probability ${recall.toFixed(2)} (under ${LSH_RECALL}); an index built with --threshold ${options.threshold} finds more`,
      });
    }

    inputs = await collectInputs(paths, options, log, { follow: options.follow, stdin: input.stdin, documentsOnly: RECORDS_NOT_INDEXED });
    const { files } = inputs;
    // every set is kept in memory: the index's candidates are verified on them
    const settings: ResolvedOptions = { ...options, memoryBudget: Infinity };
    pool = new WorkPool(settings, threadsFor(options.threads, files), Infinity);
    const docs = await loadDocuments(files, settings, pool, log);
    // the index keys of the given files: their own entries are left out
    const given = new Set(files.map((file) => index.paths.keyOf(String(file.absPath))));
    const sketcher = new Sketcher(options);

    // Candidates in the index, by document: the cheap tests (sizes, signatures) on all of them
    // at once, then exact verification of what is left, on stored shingles as they decode.
    let candidates = 0;
    const storeShingles = index.recorded.storeShingles;
    const kernel = new QueryKernel();
    const reread = new Rereader(index.paths, sketcher, log);
    const verified: { doc: number; id: number; jaccard: number; containment: number }[] = [];
    for (let d = 0; d < docs.length; d++) {
      const doc = docs[d]!;
      const own = doc.set!;
      const k = doc.signature.length;
      const sketches = await store.candidateSketches(bandKeys(doc.signature, options.bands, options.rows));
      if (sketches.signatures.length !== sketches.ids.length * k) {
        throw new NearDupError('EINDEX', `index ${options.db} is damaged: its signatures are not of ${k} values (run neardup index verify)`);
      }
      kernel.load(own, doc.signature);
      const agree = kernel.agreements(sketches.signatures, sketches.ids.length);
      const toVerify: { id: number; size: number }[] = [];
      sketches.ids.forEach((id, c) => {
        if (given.has(sketches.keys[c]!)) return;
        candidates++;
        const size = sketches.shingleCounts[c]!;
        if (signaturesMayMatch(options, own.length, size, agree[c]!, k)) toVerify.push({ id, size });
      });
      const keep = (id: number, s: Scores | undefined) => {
        if (s && meetsThreshold(options.metric, options.threshold, s)) verified.push({ doc: d, id, jaccard: s.jaccard, containment: s.containment });
      };
      if (!storeShingles) {
        for (const entry of await store.entries(toVerify.map((c) => c.id))) {
          const shingles = reread.shingles(entry);
          if (shingles) keep(entry.id, scorePair(options, own, shingles));
        }
        continue;
      }
      for (const batch of batches(toVerify)) {
        const stored = await store.shingles(batch.map((c) => c.id));
        const present: { id: number; size: number; needed: number; bytes: Uint8Array }[] = [];
        for (let i = 0; i < batch.length; i++) {
          const { id, size } = batch[i]!;
          const bytes = stored[i];
          if (bytes) present.push({ id, size, bytes, needed: sharedNeeded(options.metric, options.threshold, own.length, size) });
          else {
            const [entry] = await store.entries([id]);
            log.error({
              path: index.paths.displayOf(entry!.key),
              message: 'indexed document cannot be verified: its shingles are missing (run neardup index verify)',
            });
          }
        }
        // exact: a count stops early only once its pair cannot reach what it needs
        const shared = kernel.sharedMany(
          present.map((c) => c.bytes),
          present.map((c) => c.size),
          present.map((c) => c.needed),
        );
        for (let i = 0; i < present.length; i++) {
          const { id, size, needed } = present[i]!;
          const n = shared[i]!;
          if (n < 0) {
            const [entry] = await store.entries([id]);
            throw new NearDupError(
              'EINDEX',
              `index ${options.db} is damaged: the shingles of ${index.paths.displayOf(entry!.key)} do not decode (run neardup index verify)`,
            );
          }
          if (n >= needed) keep(id, scoresOf(n, own.length, size));
        }
      }
    }
    // the given documents with each other, as scan compares them (after the index: the signatures move)
    let inputPairs: ScoredPair[] = [];
    if (withinInput) {
      const timings = { walk: 0, load: 0, candidates: 0, verify: 0, group: 0 };
      const matched = await matchDocuments(docs, files, settings, pool, timings);
      inputPairs = matched.scored;
      candidates += matched.candidates;
    }
    // the matched documents' metadata, once each
    const matched = [...new Set(verified.map((f) => f.id))].sort((x, y) => x - y);
    const entries = new Map((await store.entries(matched)).map((e) => [e.id, e]));
    const source: VerificationSource = storeShingles ? 'index' : 'file';
    const hits: IndexHit[] = verified.map((f) => ({ doc: f.doc, entry: entries.get(f.id)!, jaccard: f.jaccard, containment: f.containment, source }));

    const result: IndexScanResult = {
      ...combine(docs, inputPairs, hits, index.paths, options, inputs.found, candidates, log, started),
      index: {
        db: options.db,
        documents: await store.count(),
        matched: new Set(hits.map((h) => h.entry.id)).size,
        verifiedWith: { index: hits.filter((h) => h.source === 'index').length, file: hits.filter((h) => h.source === 'file').length },
      },
    };
    // what standard input gave, for --explain (its file is removed below)
    if (docs.some((d) => d.info.path === STDIN_NAME)) result.stdin = inputs.stdin();
    return result;
  } finally {
    await pool?.close();
    inputs?.close();
    await index.close();
  }
}

/**
 * The given documents and the matched indexed ones as one report: documents in path order,
 * indexed ones marked, pairs renumbered and ordered by (a, b).
 */
function combine(
  docs: Doc[],
  inputPairs: ScoredPair[],
  hits: IndexHit[],
  paths: IndexPaths,
  options: ResolvedOptions,
  found: number,
  candidates: number,
  log: RunLog,
  started: number,
) {
  const matched = new Map<number, StoredEntry>();
  for (const h of hits) matched.set(h.entry.id, h.entry);
  const all: { info: DocumentInfo; ref: string }[] = [
    ...docs.map((d, i) => ({ info: { ...d.info }, ref: `d${i}` })),
    ...[...matched.values()].map((e) => ({ info: entryInfo(e, paths), ref: `e${e.id}` })),
  ];
  all.sort((x, y) => (x.info.path < y.info.path ? -1 : x.info.path > y.info.path ? 1 : 0));
  const position = new Map(all.map((x, i) => [x.ref, i]));
  const documents = all.map((x, i) => ({ ...x.info, index: i }));
  const pair = (p: number, q: number, s: { jaccard: number; containment: number }, verifiedWith?: VerificationSource): IndexPair => {
    const out: IndexPair = { a: Math.min(p, q), b: Math.max(p, q), jaccard: s.jaccard, containment: s.containment };
    if (verifiedWith) out.verifiedWith = verifiedWith;
    return out;
  };
  const pairs = [
    ...inputPairs.map((p) => pair(position.get(`d${p.a}`)!, position.get(`d${p.b}`)!, p)),
    ...hits.map((h) => pair(position.get(`d${h.doc}`)!, position.get(`e${h.entry.id}`)!, h, h.source)),
  ].sort((x, y) => x.a - y.a || x.b - y.b);
  return assembleResult({ settings: options, documents, pairs, compared: docs.map((d) => d.info), found, candidates, verified: pairs.length, log, started });
}

function entryInfo(e: StoredEntry, paths: IndexPaths): DocumentInfo {
  return {
    index: -1,
    path: paths.displayOf(e.key),
    kind: e.kind,
    encoding: e.encoding,
    bytes: e.bytes,
    chars: e.chars,
    units: e.units,
    shingles: e.shingleCount,
    contentHash: e.contentHash,
    origin: 'index',
  };
}

/**
 * For an index that stores no shingles: reads an indexed file again, once, and sketches it, if
 * it is unchanged since it was indexed. Otherwise its matches cannot be verified: an error.
 */
class Rereader {
  private readonly cache = new Map<number, Uint32Array | undefined>();
  constructor(
    private readonly paths: IndexPaths,
    private readonly sketcher: Sketcher,
    private readonly log: RunLog,
  ) {}

  shingles(entry: StoredEntry): Uint32Array | undefined {
    if (!this.cache.has(entry.id)) this.cache.set(entry.id, this.load(entry));
    return this.cache.get(entry.id);
  }

  private load(entry: StoredEntry): Uint32Array | undefined {
    const path = this.paths.displayOf(entry.key);
    const absPath = this.paths.absOf(entry.key);
    const fail = (why: string) => {
      this.log.error({ path, message: `indexed document cannot be verified: ${why}` });
      return undefined;
    };
    let size: number;
    try {
      size = statSync(absPath).size;
    } catch (err) {
      return fail(`${describeError(err)} (neardup index add --prune removes entries whose files are gone)`);
    }
    // read and sketched as when it was indexed (any size: it was indexed)
    const r = loadDocument({ index: 0, path, absPath, size, kind: entry.kind, gzip: /\.gz$/i.test(path), maxFileSize: Infinity, wantSet: true }, this.sketcher);
    if (r.status === 'error') return fail(r.message);
    if (r.status === 'skip' && r.reason !== 'empty') return fail(r.detail);
    if (r.status !== 'ok' || !r.set || r.meta.contentHash !== entry.contentHash)
      return fail('the file changed since it was indexed (run neardup index add on it)');
    return r.set;
  }
}
