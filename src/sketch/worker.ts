/**
 * Worker-thread entry. Two kinds of work:
 * - load: read, extract and sketch documents; shingle sets come back in SharedArrayBuffers so
 *   that later verification work can be handed to any worker without copying them;
 * - verify: exact scores for a slice of candidate pairs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { verifyPairs, type VerifyTask } from '../match/verify.js';
import { loadDocument, type LoadResult, type LoadTask } from './load.js';
import { Sketcher, type SketchSettings } from './sketch.js';

export type WorkerRequest = { kind: 'load'; tasks: LoadTask[] } | { kind: 'verify'; task: VerifyTask };

// shingle sets are made in shared memory, so that verification work can go to any worker
const sketcher = new Sketcher(workerData as SketchSettings, (n) => new Uint32Array(new SharedArrayBuffer(n * 4)));

parentPort!.on('message', (req: WorkerRequest) => {
  if (req.kind === 'verify') {
    const out = verifyPairs(req.task);
    parentPort!.postMessage(out, [out.found.buffer as ArrayBuffer]);
    return;
  }
  const results: LoadResult[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const t of req.tasks) {
    let r: LoadResult;
    try {
      r = loadDocument(t, sketcher);
    } catch (err) {
      r = { index: t.index, status: 'error', message: `internal error: ${(err as Error).message}` };
    }
    if (r.status === 'ok') transfer.push(r.signature.buffer as ArrayBuffer);
    results.push(r);
  }
  parentPort!.postMessage(results, transfer);
});
