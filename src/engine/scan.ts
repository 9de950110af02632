/**
 * The pipeline, run whole for `scan` and `dedup`: inputs (inputs.ts) -> read and sketch, in
 * worker threads (documents.ts) -> LSH candidates, screened, verified exactly (match.ts) ->
 * groups (group.ts). Returns data; never prints. The index runs the same stages with its store
 * in between (src/index).
 *
 * Memory: signatures are kept for every document; shingle sets (needed only to verify
 * candidates) are kept up to `memoryBudget` bytes in the shared set memory; the others are
 * spilled to a temporary file as they are made, and read back in bounded batches for the
 * documents with candidates (or made again, when the file could not be written).
 */
import { LSH_RECALL, lshRecall } from '../core/lsh.js';
import type { ResolvedOptions } from '../model/settings.js';
import type { FsPath, ScanEvent, ScanResult } from '../model/types.js';
import { resolveOptions, type ScanOptionsInput } from '../options/scan.js';
import { EarlyLoads, loadDocuments } from './documents.js';
import { assembleResult } from './group.js';
import { collectInputs, type InputFile, type Inputs, STDIN_NAME } from './inputs.js';
import { RunLog } from './log.js';
import { matchDocuments } from './match.js';
import { defaultThreads, smallScan, WorkPool } from './pool.js';

export { STDIN_NAME };

export interface ScanHooks {
  /** Called as skips, errors and warnings happen (in path order), and with progress. */
  onEvent?: (event: ScanEvent) => void;
}

export interface ScanInput extends ScanOptionsInput {
  /** Follow symbolic links to folders. */
  follow?: boolean;
  /** What the path `-` and `filesFrom: '-'` read (default: process.stdin). */
  stdin?: NodeJS.ReadableStream;
}

/** Warns when the bands make a pair at the threshold a candidate with too low a probability. */
function warnLowRecall(settings: ResolvedOptions, input: ScanOptionsInput, log: RunLog): void {
  const recall = lshRecall(settings);
  if (recall >= LSH_RECALL) return;
  const given = input.bands !== undefined || input.rows !== undefined;
  // bands and rows given, or a threshold too low for the permutations: pairs at the threshold will be missed
  log.warning({
    path: given ? `--bands ${settings.bands} --rows ${settings.rows}` : `--threshold ${settings.threshold}`,
    message:
      `a pair at ${settings.metric} ${settings.threshold} is a candidate with probability ${recall.toFixed(2)} (under ${LSH_RECALL}): ` +
      (given
        ? 'near-duplicates will be missed; leave --bands and --rows out to have them chosen for the threshold'
        : `near-duplicates will be missed; ${settings.numPerm} permutations (${settings.bands} bands of ${settings.rows}) cannot reach so low a threshold: raise it, or --num-perm`),
  });
}

export async function findNearDuplicates(paths: readonly FsPath[], input: ScanInput = {}, hooks: ScanHooks = {}): Promise<ScanResult> {
  const started = performance.now();
  const settings = resolveOptions(input);
  const log = new RunLog(hooks.onEvent);
  warnLowRecall(settings, input, log);

  // Worker threads start while the walk goes on, once the scan is big enough to be worth them,
  // and load documents as they are found.
  let pool: WorkPool | undefined;
  let early: EarlyLoads | undefined;
  const found: InputFile[] = [];
  let bytes = 0;
  const onFile = (file: InputFile) => {
    found.push(file);
    bytes += file.size;
    if (early) early.add(file);
    else if (settings.threads !== 1 && !smallScan(found.length, bytes)) {
      pool = new WorkPool(settings, settings.threads || defaultThreads(), settings.memoryBudget);
      early = new EarlyLoads(pool, settings, () => found.length, log.emit);
      for (const f of found) early.add(f);
    }
  };
  let inputs: Inputs | undefined;
  try {
    inputs = await collectInputs(paths, settings, log, { follow: input.follow ?? false, stdin: input.stdin, onFile, sharing: () => early !== undefined });
    const timings = { walk: performance.now() - started, load: 0, candidates: 0, verify: 0, group: 0 };
    const loaded = await early?.end();
    const { files } = inputs;
    // a small scan runs in this thread unless threads were asked for: starting them costs more
    pool ??= new WorkPool(settings, settings.threads || 1, settings.memoryBudget);
    // walk: until the last file was found (documents load meanwhile); load: from then on
    let t = started + timings.walk;
    const docs = await loadDocuments(files, settings, pool, log, loaded);
    timings.load = performance.now() - t;
    const matched = await matchDocuments(docs, files, settings, pool, timings);
    t = performance.now();
    const documents = docs.map((d) => d.info);
    const result: ScanResult = assembleResult({
      settings,
      documents,
      pairs: matched.scored,
      compared: documents,
      found: inputs.found,
      candidates: matched.candidates,
      verified: matched.checked,
      log,
      started,
    });
    timings.group = performance.now() - t;
    result.timings = timings;
    // what standard input gave, for --explain (its file is removed below)
    if (documents.some((d) => d.path === STDIN_NAME)) result.stdin = inputs.stdin();
    result.elapsedMs = performance.now() - started;
    return result;
  } finally {
    await pool?.close();
    inputs?.close();
  }
}
