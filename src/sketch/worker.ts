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

const sketcher = new Sketcher(workerData as SketchSettings);

parentPort!.on('message', (req: WorkerRequest) => {
  if (req.kind === 'verify') {
    const out = verifyPairs(req.task);
    parentPort!.postMessage(out, [out.buffer as ArrayBuffer]);
    return;
  }
  // Sets and signatures live in the sketcher's arena of SharedArrayBuffers: posting them shares
  // the memory, nothing is copied.
  const results: LoadResult[] = [];
  const transfer: ArrayBuffer[] = [];
  for (const t of req.tasks) {
    let r: LoadResult;
    try {
      r = loadDocument(t, sketcher);
    } catch (err) {
      r = { index: t.index, status: 'error', message: `internal error: ${(err as Error).message}` };
    }
    if (r.status === 'ok' && r.set && t.setMemory === 'own') transfer.push(r.set.buffer as ArrayBuffer);
    results.push(r);
  }
  parentPort!.postMessage(results, transfer);
});
