/**
 * Worker-thread entry. Two kinds of work:
 * - load: read, extract and sketch documents; shingle sets are made in the shared set memory so
 *   that later verification work can be handed to any worker without copying them;
 * - verify: exact scores for a slice of candidate pairs.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SharedSets } from '../match/intersect.js';
import { verifyPairs, type VerifyTask } from '../match/verify.js';
import { loadBatch, type LoadTask } from './load.js';
import { Sketcher, type SketchSettings } from './sketch.js';
import { SpillWriter } from './spill.js';

export type WorkerRequest = { kind: 'load'; tasks: LoadTask[] } | { kind: 'verify'; task: VerifyTask } | { kind: 'close' };

export interface WorkerData {
  settings: SketchSettings;
  /** The shared memory that shingle sets are made in (see SharedSets). */
  memory: WebAssembly.Memory;
  /** This worker's file for the sets over the memory limit (see spill.ts). */
  spillFile: string;
}

const { settings, memory, spillFile } = workerData as WorkerData;
// shingle sets are made in shared memory, so that verification work can go to any worker; a
// set over the memory limit is made in this thread's memory and spilled to a file
const sets = SharedSets.attach(memory);
const sketcher = new Sketcher(settings, (n) => sets.alloc(n) ?? new Uint32Array(n));
const spill = new SpillWriter(spillFile);

parentPort!.on('message', (req: WorkerRequest) => {
  if (req.kind === 'close') {
    // file descriptors belong to the process: close this thread's before it is terminated
    spill.close();
    parentPort!.postMessage('closed');
    return;
  }
  if (req.kind === 'verify') {
    parentPort!.postMessage(verifyPairs(req.task, sets));
    return;
  }
  const results = loadBatch(req.tasks, sketcher, spill);
  const transfer: ArrayBuffer[] = [];
  for (const r of results) if (r.status === 'ok') transfer.push(r.signature.buffer as ArrayBuffer);
  parentPort!.postMessage(results, transfer);
});
